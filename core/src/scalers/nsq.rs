//! `nsq`: depth of an NSQ channel, summed over the nsqd nodes nsqlookupd names
//! (`pkg/scalers/nsq_scaler.go`, `nsqMetadata` and its `Validate()`).
//!
//! Valid: two lookup daemons, the default depth threshold (10).
//! ```yaml
//! - type: nsq
//!   metadata:
//!     nsqLookupdHTTPAddresses: nsqlookupd-0:4161,nsqlookupd-1:4161
//!     topic: orders
//!     channel: billing
//! ```
//! Invalid: a zero threshold ("depthThreshold must be a positive integer").
//! ```yaml
//! - type: nsq
//!   metadata:
//!     nsqLookupdHTTPAddresses: nsqlookupd-0:4161
//!     topic: orders
//!     channel: billing
//!     depthThreshold: "0"
//! ```

use super::typed::{self, Param, Parsed, BOOL, E, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["nsq"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("nsqLookupdHTTPAddresses", &[M, E], STRINGS),
    Param::new("topic", &[M, E], STRING),
    Param::new("channel", &[M, E], STRING),
    Param::new("depthThreshold", &[M, E], INT64).default("10"),
    Param::new("activationDepthThreshold", &[M, E], INT64).default("0"),
    Param::new("useHttps", &[M, E], BOOL).default("false"),
    Param::new("unsafeSsl", &[M, E], BOOL).default("false"),
];

/// `Validate()`. An absent address list is already reported as missing; Go adds "no
/// nsqLookupdHTTPAddresses given" to it, one finding is enough.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.int("depthThreshold") <= 0 {
        return Err(typed::error(
            "depthThreshold",
            ErrorKind::Invalid,
            "depthThreshold must be a positive integer",
        ));
    }
    if p.int("activationDepthThreshold") < 0 {
        return Err(typed::error(
            "activationDepthThreshold",
            ErrorKind::Invalid,
            "activationDepthThreshold must be greater than or equal to 0",
        ));
    }
    Ok(())
}

/// `NewNSQScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    let base = format!("nsq-{}-{}", parsed.str("topic"), parsed.str("channel"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("depthThreshold") as f64,
        activation: parsed.int("activationDepthThreshold") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const TOPIC: (&str, &str) = ("topic", "orders");
    const CHANNEL: (&str, &str) = ("channel", "billing");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("nsq").meta(&[
            (
                "nsqLookupdHTTPAddresses",
                "nsqlookupd-0:4161,nsqlookupd-1:4161",
            ),
            TOPIC,
            CHANNEL,
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s0-nsq-orders-billing", 10.0, 0.0)
        );
        let bad = Trigger::new("nsq").meta(&[
            ("nsqLookupdHTTPAddresses", "nsqlookupd-0:4161"),
            TOPIC,
            CHANNEL,
            ("depthThreshold", "0"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["depthThreshold must be a positive integer"]
        );
    }

    /// `nsqMetricIdentifiers`; values may come through `<name>FromEnv`.
    #[test]
    fn metric_names_and_env() {
        let t = Trigger::new("nsq")
            .meta(&[
                ("nsqLookupdHTTPAddressesFromEnv", "LOOKUPD"),
                ("topic", "topic"),
                ("channel", "channel"),
                ("activationDepthThresholdFromEnv", "ACT"),
            ])
            .env(&[("LOOKUPD", "nsqlookupd-0:4161"), ("ACT", "-1")])
            .index(1);
        assert_eq!(
            t.messages(),
            vec!["activationDepthThreshold must be greater than or equal to 0"]
        );
        let t = Trigger::new("nsq")
            .meta(&[
                ("nsqLookupdHTTPAddresses", "nsqlookupd-0:4161"),
                ("topic", "topic"),
                ("channel", "channel"),
            ])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-nsq-topic-channel");
        let t = Trigger::new("nsq").meta(&[TOPIC, CHANNEL]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"nsqLookupdHTTPAddresses\" in [triggerMetadata resolvedEnv]"]
        );
    }
}
