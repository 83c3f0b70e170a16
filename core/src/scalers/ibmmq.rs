//! `ibmmq`: queue depth read through the IBM MQ administrative REST API
//! (`pkg/scalers/ibmmq_scaler.go`, `ibmmqMetadata` and its `Validate()`).
//!
//! Valid: two queues, the deepest one counts (`operation` defaults to `max`).
//! ```yaml
//! - type: ibmmq
//!   metadata:
//!     host: https://mq.example.com/ibmmq/rest/v2/admin/action/qmgr/QM1/mqsc
//!     queueNames: ORDERS, INVOICES
//!     queueDepth: "10"
//!   authenticationRef:
//!     name: ibmmq-credentials   # username, password
//! ```
//! Invalid: the host must be an absolute URL ("invalid URL: parse \"mq.example.com\": invalid
//! URI for request").
//! ```yaml
//! - type: ibmmq
//!   metadata:
//!     host: mq.example.com
//!     queueName: ORDERS
//!   authenticationRef:
//!     name: ibmmq-credentials
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["ibmmq"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("host", &[M], STRING),
    Param::new("queueName;queueNames", &[M], STRINGS),
    Param::new("queueDepth", &[M], INT64).default("20"),
    Param::new("activationQueueDepth", &[M], INT64).default("0"),
    Param::new("operation", &[M], STRING)
        .default("max")
        .one_of(&["max", "avg", "sum"]),
    Param::new("username", &[A, E, M], STRING),
    Param::new("password", &[A, E, M], STRING),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
];

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    // An absent host is already reported as missing; Go would add "empty url" to it.
    if p.is_set("host") {
        crate::go::url::parse_request_uri(p.str("host")).map_err(|e| {
            typed::error("host", ErrorKind::Invalid, format!("invalid URL: {e}"))
        })?;
    }
    let (cert, key) = (p.str("cert"), p.str("key"));
    if cert.is_empty() != key.is_empty() {
        let which = if cert.is_empty() { "cert" } else { "key" };
        return Err(typed::error(
            which,
            ErrorKind::Missing,
            "both cert and key must be provided when using TLS",
        ));
    }
    Ok(())
}

/// `NewIBMMQScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    let queues = parsed.strings("queueName;queueNames");
    let base = format!("ibmmq-{}", queues.first().copied().unwrap_or(""));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("queueDepth") as f64,
        activation: parsed.int("activationQueueDepth") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const HOST: (&str, &str) = (
        "host",
        "https://mq.example.com/ibmmq/rest/v2/admin/action/qmgr/QM1/mqsc",
    );
    const AUTH: &[(&str, &str)] = &[("username", "u"), ("password", "p")];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("ibmmq")
            .meta(&[HOST, ("queueNames", "ORDERS, INVOICES"), ("queueDepth", "10")])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-ibmmq-ORDERS", 10.0));
        let bad = Trigger::new("ibmmq")
            .meta(&[("host", "mq.example.com"), ("queueName", "ORDERS")])
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["invalid URL: parse \"mq.example.com\": invalid URI for request"]
        );
    }

    /// `IBMMQMetricIdentifiers` and `testDefaultQueueDepth`.
    #[test]
    fn metric_names_and_defaults() {
        let t = Trigger::new("ibmmq")
            .meta(&[HOST, ("queueName", "testQueue")])
            .auth(AUTH)
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(m.metric_name, "s1-ibmmq-testQueue");
        assert_eq!((m.target, m.activation), (20.0, 0.0));
    }

    #[test]
    fn errors_in_keda_s_words() {
        let t = Trigger::new("ibmmq")
            .meta(&[HOST, ("queueName", "q"), ("operation", "test")])
            .auth(&[("username", "u"), ("password", "p"), ("cert", "c")]);
        assert_eq!(
            t.messages(),
            vec![
                "parameter \"operation\" value \"test\" must be one of [max avg sum]",
                "both cert and key must be provided when using TLS"
            ]
        );
        let t = Trigger::new("ibmmq").meta(&[("queueName", "q")]).auth(AUTH);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"host\" in [triggerMetadata]"]
        );
    }
}
