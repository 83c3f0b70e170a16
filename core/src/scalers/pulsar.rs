//! `pulsar`: a subscription's message backlog (`pkg/scalers/pulsar_scaler.go`).
//!
//! Before its typed config KEDA rewrites older spellings: `tls: enable` with a `cert` or
//! `key` in the authentication adds `tls` to the metadata's `authModes` (appending `,tls`
//! to whatever `authModes` holds, even an empty value, which then fails the mode list), and
//! `oauthTokenURI`, `scope`, `clientID` and `EndpointParams` given in metadata fill the
//! authentication's empty ones. Then it reads the fields below and the shared
//! authentication block. The scaler never reads `metricType`: its target is always
//! AverageValue.
//!
//! Valid:
//! ```yaml
//! - type: pulsar
//!   metadata:
//!     adminURL: https://pulsar-admin.messaging:8443
//!     topic: persistent://public/default/orders
//!     subscription: workers
//!     msgBacklogThreshold: "20"
//! ```
//! Invalid (`subscription` missing; the threshold is an integer):
//! ```yaml
//! - type: pulsar
//!   metadata:
//!     adminURL: https://pulsar-admin.messaging:8443
//!     topic: persistent://public/default/orders
//!     msgBacklogThreshold: "2.5"
//! ```

use std::collections::BTreeMap;

use super::authentication;
use super::typed::{self, Param, BOOL, E, INT64, M, STRING};
use super::{MetricType, ScalerError, ScalerMetric, TriggerInput};

/// `pulsarMetadata`'s tags before its `PulsarAuth` block, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("adminURL", &[M, E], STRING),
    Param::new("topic", &[M, E], STRING),
    Param::new("subscription", &[M, E], STRING),
    Param::new("msgBacklogThreshold", &[M], INT64).default("10"),
    Param::new("activationMsgBacklogThreshold", &[M], INT64).default("0"),
    Param::new("isPartitionedTopic", &[M], BOOL).default("false"),
    Param::new("tls", &[M], STRING).optional(),
];

/// Metadata keys KEDA copies into empty authentication parameters.
const OAUTH_FROM_METADATA: [(&str, &str); 4] = [
    ("oauthTokenURI", "oauthTokenURI"),
    ("scope", "scope"),
    ("clientID", "clientID"),
    ("EndpointParams", "endpointParams"),
];

/// `handleBackwardsCompatibility`: the metadata and authentication KEDA then reads.
fn rewrite(input: &TriggerInput<'_>) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut metadata = input.metadata.clone();
    let mut auth = input.auth_params.clone();
    let raw =
        |m: &BTreeMap<String, String>, k: &str| m.get(k).map_or("", String::as_str).to_owned();
    let has_tls_material =
        !raw(input.auth_params, "cert").is_empty() || !raw(input.auth_params, "key").is_empty();
    if raw(input.metadata, "tls") == "enable" && has_tls_material {
        let modes = match input.metadata.get("authModes") {
            Some(m) => format!("{m},tls"),
            None => "tls".to_owned(),
        };
        metadata.insert("authModes".to_owned(), modes);
    }
    for (meta_key, auth_key) in OAUTH_FROM_METADATA {
        let v = raw(input.metadata, meta_key);
        if !v.is_empty() && raw(&auth, auth_key).is_empty() {
            auth.insert(auth_key.to_owned(), v);
        }
    }
    (metadata, auth)
}

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["pulsar"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let (metadata, auth_params) = rewrite(input);
    let input = TriggerInput {
        metadata: &metadata,
        auth_params: &auth_params,
        ..*input
    };
    let own = typed::read(&input, PARAMS, |_| Ok(()));
    let auth = authentication::parse(&input);
    let own = match (own, auth) {
        (Ok(own), Ok(_)) => own,
        (own, auth) => {
            let mut errors = own.err().unwrap_or_default();
            errors.extend(auth.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let name = format!("pulsar-{}-{}", own.str("topic"), own.str("subscription"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &name),
        metric_type: MetricType::AverageValue,
        target: own.int("msgBacklogThreshold") as f64,
        activation: own.int("activationMsgBacklogThreshold") as f64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::scalers::testing::Trigger;

    fn run(meta: &[(&str, &str)], auth: &[(&str, &str)]) -> Result<ScalerMetric, Vec<String>> {
        Trigger::new("pulsar")
            .meta(meta)
            .auth(auth)
            .metric_type("Utilization")
            .parse()
            .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const BASE: [(&str, &str); 3] = [
        ("adminURL", "http://172.20.0.151:80"),
        ("topic", "persistent://public/default/my-topic"),
        ("subscription", "sub1"),
    ];
    const TLS_AUTH: [(&str, &str); 3] =
        [("cert", "certdata"), ("key", "keydata"), ("ca", "cadata")];

    fn plus<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut v = BASE.to_vec();
        v.extend_from_slice(extra);
        v
    }

    /// `pkg/scalers/pulsar_scaler_test.go`, `parsePulsarMetadataTestDataset` and
    /// `parsePulsarMetadataTestAuthTLSDataset`: representative rows, with KEDA's wording.
    #[test]
    fn keda_tables() {
        assert_eq!(
            run(&BASE[..2], &TLS_AUTH).unwrap_err(),
            ["missing required parameter \"subscription\" in [triggerMetadata resolvedEnv]"]
        );
        let m = run(&plus(&[("tls", "enable")]), &TLS_AUTH).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.metric_type, m.target),
            (
                "s0-pulsar-persistent---public-default-my-topic-sub1",
                MetricType::AverageValue,
                10.0
            )
        );
        // Legacy `tls: enable` without a cert: key alone still turns tls on.
        assert_eq!(
            run(
                &plus(&[("tls", "enable")]),
                &[("cert", ""), ("key", "keydata")]
            )
            .unwrap_err(),
            ["cert=<empty> and key=<present> are required when tls auth is enabled"]
        );
        // OAuth from metadata only, and authentication first when both are given.
        assert!(run(
            &plus(&[
                ("authModes", "oauth"),
                ("oauthTokenURI", "https2"),
                ("scope", "scope2"),
                ("clientID", "id2")
            ]),
            &[("ca", "cadata"), ("oauthTokenURI", ""), ("clientID", "")]
        )
        .is_ok());
        assert!(run(&plus(&[("authModes", "oauth")]), &[("clientID", "id")]).is_err());
        assert!(run(
            &plus(&[
                ("authModes", "oauth"),
                ("oauthTokenURI", "https6"),
                ("clientID", "id6"),
                ("EndpointParams", "audience=%zz")
            ]),
            &[]
        )
        .is_err());
    }

    #[test]
    fn empty_auth_modes_with_legacy_tls_fails_the_mode_list() {
        assert_eq!(
            run(&plus(&[("tls", "enable"), ("authModes", "")]), &TLS_AUTH).unwrap_err(),
            ["parameter \"authModes,authMode\" value \",tls\" must be one of [apiKey basic tls bearer custom oauth]"]
        );
        assert_eq!(
            run(&plus(&[("msgBacklogThreshold", "2.5")]), &[]).unwrap_err(),
            ["unable to set param \"msgBacklogThreshold\" value \"2.5\": unable to unmarshal to field type int64: json: cannot unmarshal number 2.5 into Go value of type int64"]
        );
    }
}
