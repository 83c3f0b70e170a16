//! `openstack-metric`: an aggregated Gnocchi metric (`pkg/scalers/openstack_metrics_scaler.go`:
//! `parseOpenstackMetricMetadata`, `parseOpenstackMetricAuthenticationMetadata`, then the
//! Keystone request, whose auth URL must parse).
//!
//! Valid: password authentication through a TriggerAuthentication.
//! ```yaml
//! - type: openstack-metric
//!   metadata:
//!     metricsURL: http://gnocchi:8041/v1/metric
//!     metricID: 003bb589-166d-439d-8c31-cbf098d863de
//!     aggregationMethod: mean
//!     granularity: "300"
//!     threshold: "1250"
//!   authenticationRef:
//!     name: openstack   # authURL, userID, password
//! ```
//! Invalid: a user without a password ("password doesn't exist in the authParams").
//! ```yaml
//! - type: openstack-metric
//!   metadata:
//!     metricsURL: http://gnocchi:8041/v1/metric
//!     metricID: 003bb589-166d-439d-8c31-cbf098d863de
//!     aggregationMethod: mean
//!     granularity: "300"
//!   authenticationRef:
//!     name: openstack   # authURL, userID
//! ```

use super::typed::{self, Param, FLOAT64, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["openstack-metric"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("metricsURL", &[M], STRING),
    Param::new("metricID", &[M], STRING),
    Param::new("aggregationMethod", &[M], STRING),
    Param::new("granularity", &[M], INT),
    Param::new("threshold", &[M], FLOAT64).optional(),
    Param::new("activationThreshold", &[M], FLOAT64).optional(),
    Param::new("timeout", &[M], INT).default("30"),
];

/// `parseOpenstackMetricAuthenticationMetadata`, then `NewAppCredentialsAuth` or
/// `NewPasswordAuth`, which only parse the auth URL.
fn check_auth(input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    let auth = |k: &str| input.auth_params.get(k).map_or("", String::as_str);
    let absent = |key: &str, message: &str| typed::error(key, ErrorKind::Missing, message);
    let url = auth("authURL");
    if url.is_empty() {
        return Err(absent("authURL", "authURL doesn't exist in the authParams"));
    }
    // KEDA takes `appCredentialSecret` as the credential's ID here.
    let method = if !auth("userID").is_empty() {
        if auth("password").is_empty() {
            return Err(absent("password", "password doesn't exist in the authParams"));
        }
        "password"
    } else if !auth("appCredentialSecret").is_empty() {
        "application credentials"
    } else {
        return Err(absent(
            "userID",
            "neither userID or appCredentialSecretID exist in the authParams",
        ));
    };
    crate::go::url::parse_scheme(url).map_err(|e| {
        typed::error(
            "authURL",
            ErrorKind::Invalid,
            format!("error getting openstack credentials for {method} method: authURL is invalid: {e}"),
        )
    })?;
    Ok(())
}

/// `NewOpenstackMetricScaler` up to the Keystone request.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    check_auth(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("openstack-metric-{}", parsed.str("metricID")),
        ),
        metric_type,
        target: parsed.float("threshold"),
        activation: parsed.float("activationThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const META: &[(&str, &str)] = &[
        ("metricsURL", "http://gnocchi:8041/v1/metric"),
        ("metricID", "003bb589-166d-439d-8c31-cbf098d863de"),
        ("aggregationMethod", "mean"),
        ("granularity", "300"),
        ("threshold", "1250"),
    ];

    fn with_auth(auth: &[(&str, &str)]) -> Trigger {
        Trigger::new("openstack-metric").meta(META).auth(auth)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let url = ("authURL", "http://keystone:5000/v3/");
        let m = with_auth(&[url, ("userID", "u"), ("password", "p")])
            .index(4)
            .parse()
            .unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s4-openstack-metric-003bb589-166d-439d-8c31-cbf098d863de", 1250.0)
        );
        assert_eq!(
            with_auth(&[url, ("userID", "u")]).messages(),
            vec!["password doesn't exist in the authParams"]
        );
    }

    #[test]
    fn authentication_in_keda_s_words() {
        assert_eq!(
            with_auth(&[("userID", "u"), ("password", "p")]).messages(),
            vec!["authURL doesn't exist in the authParams"]
        );
        let url = ("authURL", "http://keystone:5000/v3/");
        assert_eq!(
            with_auth(&[url, ("appCredentialID", "id")]).messages(),
            vec!["neither userID or appCredentialSecretID exist in the authParams"]
        );
        assert!(with_auth(&[url, ("appCredentialSecret", "s")]).messages().is_empty());
        assert_eq!(
            with_auth(&[("authURL", "http://k:port/"), ("appCredentialSecret", "s")]).messages(),
            vec!["error getting openstack credentials for application credentials method: authURL is invalid: parse \"http://k:port/\": invalid port \":port\" after host"]
        );
    }
}
