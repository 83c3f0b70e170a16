//! `splunk-observability`: a SignalFlow program streamed from Splunk Observability Cloud
//! (`pkg/scalers/splunk_observability_scaler.go`, `splunkObservabilityMetadata`). Every
//! parameter is required, the token and realm from the TriggerAuthentication only. KEDA
//! never reads `metricType` here: the HPA always compares the value itself (`Value`).
//!
//! Valid: the token and realm in the TriggerAuthentication.
//! ```yaml
//! - type: splunk-observability
//!   metadata:
//!     query: data('demo.trans.latency').max().publish()
//!     duration: "10"
//!     targetValue: "400.1"
//!     activationTargetValue: "1.1"
//!     queryAggregator: max
//!   authenticationRef:
//!     name: splunk-o11y-credentials   # accessToken, realm
//! ```
//! Invalid: no activation target ("missing required parameter \"activationTargetValue\" in
//! [triggerMetadata]").
//! ```yaml
//! - type: splunk-observability
//!   metadata:
//!     query: data('demo.trans.latency').max().publish()
//!     duration: "10"
//!     targetValue: "400.1"
//!     queryAggregator: max
//!   authenticationRef:
//!     name: splunk-o11y-credentials   # accessToken, realm
//! ```

use super::typed::{self, Param, A, FLOAT64, INT, M, STRING};
use super::{ErrorKind, MetricType, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["splunk-observability"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("accessToken", &[A], STRING),
    Param::new("realm", &[A], STRING),
    Param::new("query", &[M], STRING),
    Param::new("duration", &[M], INT),
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("queryAggregator", &[M], STRING),
    Param::new("activationTargetValue", &[M], FLOAT64),
];

/// `NewSplunkObservabilityScaler` up to the stream: `parseSplunkObservabilityMetadata`,
/// then the SignalFlow client, which only parses the realm's stream URL before connecting.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    let realm = parsed.str("realm");
    if !typed::unseen(realm) {
        let url = format!("wss://stream.{realm}.signalfx.com/v2/signalflow");
        if let Err(e) = crate::go::url::parse_scheme(&url) {
            return Err(vec![typed::error(
                "realm",
                ErrorKind::Invalid,
                format!("error creating SignalFlow client: {e}"),
            )]);
        }
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "signalfx"),
        metric_type: MetricType::Value,
        target: parsed.float("targetValue"),
        activation: parsed.float("activationTargetValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("accessToken", "t0ken"), ("realm", "us1")];

    fn meta() -> Vec<(&'static str, &'static str)> {
        vec![
            ("query", "data('demo.trans.latency').max().publish()"),
            ("duration", "10"),
            ("targetValue", "400.1"),
            ("queryAggregator", "max"),
        ]
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let mut ok = meta();
        ok.push(("activationTargetValue", "1.1"));
        let m = Trigger::new("splunk-observability")
            .meta(&ok)
            .auth(AUTH)
            .metric_type("AverageValue")
            .parse()
            .unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.metric_type, m.target, m.activation),
            ("s0-signalfx", super::MetricType::Value, 400.1, 1.1)
        );
        let bad = Trigger::new("splunk-observability").meta(&meta()).auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["missing required parameter \"activationTargetValue\" in [triggerMetadata]"]
        );
    }

    /// A realm that breaks the stream URL's host stops the client.
    #[test]
    fn realm_in_the_stream_url() {
        let mut m = meta();
        m.push(("activationTargetValue", "1"));
        let t = Trigger::new("splunk-observability")
            .meta(&m)
            .auth(&[("accessToken", "t"), ("realm", "us1:x")]);
        assert_eq!(
            t.messages(),
            vec!["error creating SignalFlow client: parse \"wss://stream.us1:x.signalfx.com/v2/signalflow\": invalid port \":x.signalfx.com\" after host"]
        );
    }

    /// `testSplunkObservabilityMetadata` row 9: an empty token is a missing one.
    #[test]
    fn empty_token() {
        let mut m = meta();
        m.push(("activationTargetValue", "1"));
        let t = Trigger::new("splunk-observability")
            .meta(&m)
            .auth(&[("accessToken", ""), ("realm", "us1")])
            .index(1);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"accessToken\" in [authParams]"]
        );
    }
}
