//! `opensearch`: a number read from an OpenSearch search (`pkg/scalers/opensearch_scaler.go`,
//! `opensearchMetadata` and its `Validate()`). The search fields are elasticsearch's; the
//! cluster is `addresses` with basic auth, or with a client certificate when `enableTLS` is
//! true. Not modelled: the PEM decoding of `clientCert`, `clientKey` and `caCert`
//! (`util.NewTLSConfig`), which KEDA does when it builds the client.
//!
//! Valid: an inline query with basic auth.
//! ```yaml
//! - type: opensearch
//!   metadata:
//!     addresses: https://opensearch.search.svc:9200
//!     index: logs-errors
//!     query: '{"query":{"match":{"level":"error"}}}'
//!     valueLocation: hits.total.value
//!     targetValue: "100"
//!   authenticationRef:
//!     name: opensearch-credentials   # username, password
//! ```
//! Invalid: TLS without a client key ("both clientCert and clientKey must be provided when
//! enableTLS is true").
//! ```yaml
//! - type: opensearch
//!   metadata:
//!     addresses: https://opensearch.search.svc:9200
//!     enableTLS: "true"
//!     index: logs-errors
//!     searchTemplateName: error-count
//!     valueLocation: hits.total.value
//!     targetValue: "100"
//!   authenticationRef:
//!     name: opensearch-client-cert   # clientCert only
//! ```

use super::elasticsearch::{absent, missing, search_metric, validate_search, SEARCH};
use super::typed::{self, Param, Parsed, A, BOOL, E, M, STRING, STRINGS};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["opensearch"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("addresses", &[A, M], STRINGS),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("enableTLS", &[M, A], BOOL).default("false"),
    Param::new("username", &[A, M], STRING).optional(),
    Param::new("password", &[A, E, M], STRING).optional(),
    Param::new("caCert", &[A, M], STRING).optional(),
    Param::new("clientCert", &[A, M], STRING).optional(),
    Param::new("clientKey", &[A, M], STRING).optional(),
    Param::nested(SEARCH),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let (keys, message) = if p.bool("enableTLS") {
        (
            ["clientCert", "clientKey"],
            "both clientCert and clientKey must be provided when enableTLS is true",
        )
    } else {
        (
            ["username", "password"],
            "both username and password must be provided for basic auth",
        )
    };
    match absent(p, &keys) {
        "" => validate_search(p),
        key => Err(missing(key, message)),
    }
}

/// `NewOpensearchScaler` up to the client: metric type, then `parseOpensearchMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    Ok(search_metric(input, &p, metric_type))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const BASE: &[(&str, &str)] = &[
        ("addresses", "http://localhost:9200"),
        ("index", "my-index"),
        ("valueLocation", "hits.total.value"),
        ("targetValue", "10"),
    ];

    fn meta(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = BASE.to_vec();
        v.extend_from_slice(extra);
        v
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("opensearch")
            .meta(&meta(&[("query", "{\"query\":{\"match\":{\"level\":\"error\"}}}")]))
            .auth(&[("username", "admin"), ("password", "secret")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-opensearch-query", 10.0)
        );
        let bad = Trigger::new("opensearch")
            .meta(&meta(&[
                ("enableTLS", "true"),
                ("searchTemplateName", "error-count"),
            ]))
            .auth(&[("clientCert", "-----BEGIN CERTIFICATE-----")]);
        assert_eq!(
            bad.messages(),
            vec!["both clientCert and clientKey must be provided when enableTLS is true"]
        );
    }

    /// `pkg/scalers/opensearch_scaler_test.go` `TestOpensearchMetadataValidate` and
    /// `TestParseOpensearchMetadata`.
    #[test]
    fn keda_s_tables() {
        let t = Trigger::new("opensearch")
            .meta(&meta(&[("query", "q"), ("username", "admin")]));
        assert_eq!(
            t.messages(),
            vec!["both username and password must be provided for basic auth"]
        );
        let t = Trigger::new("opensearch").meta(&meta(&[
            ("username", "admin"),
            ("password", "secret"),
        ]));
        assert_eq!(
            t.messages(),
            vec!["either searchTemplateName or query must be provided"]
        );
        let t = Trigger::new("opensearch").meta(&meta(&[
            ("enableTLS", "true"),
            ("clientCert", "cert-data"),
            ("clientKey", "key-data"),
            ("searchTemplateName", "my-template"),
        ]));
        assert_eq!(t.parse().unwrap().metric_name, "s0-opensearch-my-template");
        let t = Trigger::new("opensearch")
            .meta(&[("index", "my-index"), ("query", "q")])
            .auth(&[("username", "u"), ("password", "p")]);
        let m = t.messages();
        assert_eq!(
            m[0],
            "missing required parameter \"addresses\" in [authParams triggerMetadata]"
        );
    }
}
