//! `solace-direct-messaging`: egress rates of the direct-messaging clients whose names
//! contain a pattern, read over SEMP v1 (`pkg/scalers/solace_dm_scaler.go`,
//! `SolaceDMScalerConfiguration` and its `Validate()`).
//!
//! The scaler gives the HPA one metric per positive target, in the order TxByteRate,
//! AverageTxByteRate, TxMsgRate, AverageTxMsgRate; the metric here is the first of them.
//! It always reports itself active.
//!
//! Valid: a message-rate target, credentials in the TriggerAuthentication.
//! ```yaml
//! - type: solace-direct-messaging
//!   metadata:
//!     solaceSempBaseURL: https://broker.example.com:943
//!     messageVpn: default
//!     clientNamePattern: pricing
//!     aggregatedClientTxMsgRateTarget: "600"
//!   authenticationRef:
//!     name: solace-semp   # username, password
//! ```
//! Invalid: `*` in the pattern ("client-name-pattern should not contain '*'.
//! ClientNamePattern: 'pricing*'").
//! ```yaml
//! - type: solace-direct-messaging
//!   metadata:
//!     solaceSempBaseURL: https://broker.example.com:943
//!     messageVpn: default
//!     clientNamePattern: pricing*
//!     aggregatedClientTxMsgRateTarget: "600"
//!   authenticationRef:
//!     name: solace-semp
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["solace-direct-messaging"],
    parse,
};

const TARGETS: [&str; 4] = [
    "aggregatedClientTxByteRateTarget",
    "aggregatedClientAverageTxByteRateTarget",
    "aggregatedClientTxMsgRateTarget",
    "aggregatedClientAverageTxMsgRateTarget",
];

const PARAMS: &[Param] = &[
    Param::new("solaceSempBaseURL", &[M], STRING),
    Param::new("username", &[A, E], STRING),
    Param::new("password", &[A, E], STRING),
    Param::new("messageVpn", &[M], STRING),
    Param::new("clientNamePattern", &[M], STRING),
    Param::new("unsafeSSL", &[M], BOOL).default("false"),
    Param::new("queuedMessagesFactor", &[M], INT64).default("3"),
    Param::new(TARGETS[0], &[M], INT64).default("0"),
    Param::new(TARGETS[1], &[M], INT64).default("0"),
    Param::new(TARGETS[2], &[M], INT64).default("0"),
    Param::new(TARGETS[3], &[M], INT64).default("0"),
    Param::new("activationAggregatedClientTxByteRateTarget", &[M], INT).default("0"),
    Param::new("activationAggregatedClientAverageTxByteRateTarget", &[M], INT).default("0"),
    Param::new("activationAggregatedClientTxMsgRateTarget", &[M], INT).default("0"),
    Param::new("activationAggregatedClientAverageTxMsgRateTarget", &[M], INT).default("0"),
];

/// Go's unanchored `regexp.MatchString("https?://[-_.A-Za-z0-9]{2,255}(:[0-9]{2,6})?")`:
/// somewhere a scheme followed by two host characters (the rest can always match empty).
fn looks_like_url(s: &str) -> bool {
    let host = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    s.match_indices("http").any(|(i, _)| {
        let rest = &s.as_bytes()[i + 4..];
        let rest = rest.strip_prefix(b"s").filter(|r| r.starts_with(b"://")).unwrap_or(rest);
        rest.strip_prefix(b"://")
            .is_some_and(|r| r.len() >= 2 && host(r[0]) && host(r[1]))
    })
}

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let invalid = |key: &str, message: String| typed::error(key, ErrorKind::Invalid, message);
    // An absent URL is already reported as missing; Go adds an "empty host url" error to it.
    if p.is_set("solaceSempBaseURL") {
        for (i, url) in p.str("solaceSempBaseURL").split(',').enumerate() {
            let url = url.trim();
            if url.is_empty() {
                return Err(invalid("solaceSempBaseURL", format!(
                    "empty host url value found in the scaler configuration. Url[{i}]: '{url}'"
                )));
            }
            if !looks_like_url(url) {
                return Err(invalid("solaceSempBaseURL", format!(
                    "invalid host url value found in the scaler configuration. Url[{i}]: '{url}'"
                )));
            }
        }
    }
    let pattern = p.str("clientNamePattern");
    if pattern.contains('*') {
        return Err(invalid("clientNamePattern", format!(
            "client-name-pattern should not contain '*'. ClientNamePattern: '{pattern}'"
        )));
    }
    let factor = p.int("queuedMessagesFactor");
    if !(1..=100).contains(&factor) {
        return Err(invalid("queuedMessagesFactor", format!(
            "queued messages factor should be >0 and <=100. QueuedMessagesFactor: '{factor}'"
        )));
    }
    if TARGETS.iter().all(|t| p.int(t) < 1) {
        return Err(typed::error(
            TARGETS[2],
            ErrorKind::Missing,
            "no target value found in the scaler configuration",
        ));
    }
    Ok(())
}

/// `NewSolaceDMScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    let target = TARGETS
        .iter()
        .find(|t| parsed.int(t) > 0)
        .copied()
        .unwrap_or(TARGETS[0]);
    let base = format!(
        "solace-dm-{}-{target}",
        parsed.str("clientNamePattern")
    );
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int(target) as f64,
        // Always active: every (non-negative) rate is above this.
        activation: -1.0,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const URL: (&str, &str) = ("solaceSempBaseURL", "https://broker.example.com:943");
    const AUTH: &[(&str, &str)] = &[("username", "u"), ("password", "p")];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("solace-direct-messaging")
            .meta(&[
                URL,
                ("messageVpn", "default"),
                ("clientNamePattern", "pricing"),
                ("aggregatedClientTxMsgRateTarget", "600"),
            ])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-solace-dm-pricing-aggregatedClientTxMsgRateTarget", 600.0)
        );
        let bad = Trigger::new("solace-direct-messaging")
            .meta(&[
                URL,
                ("messageVpn", "default"),
                ("clientNamePattern", "pricing*"),
                ("aggregatedClientTxMsgRateTarget", "600"),
            ])
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["client-name-pattern should not contain '*'. ClientNamePattern: 'pricing*'"]
        );
    }

    #[test]
    fn checks_in_keda_s_words() {
        let msgs = |extra: &[(&str, &str)]| {
            let mut meta = vec![
                ("messageVpn", "default"),
                ("clientNamePattern", "direct-mess"),
                ("aggregatedClientTxMsgRateTarget", "600"),
            ];
            meta.extend_from_slice(extra);
            Trigger::new("solace-direct-messaging")
                .meta(&meta)
                .auth(AUTH)
                .messages()
        };
        assert_eq!(
            msgs(&[("solaceSempBaseURL", "asdsdfsdhiohiosdfi, d,,x")]),
            vec!["invalid host url value found in the scaler configuration. Url[0]: 'asdsdfsdhiohiosdfi'"]
        );
        assert_eq!(
            msgs(&[("solaceSempBaseURL", "http://ab, ")]),
            vec!["empty host url value found in the scaler configuration. Url[1]: ''"]
        );
        assert!(msgs(&[("solaceSempBaseURL", "see https://a.b:1 and http://x")]).is_empty());
        assert_eq!(
            msgs(&[URL, ("queuedMessagesFactor", "300")]),
            vec!["queued messages factor should be >0 and <=100. QueuedMessagesFactor: '300'"]
        );
        assert_eq!(
            msgs(&[URL, ("aggregatedClientTxMsgRateTarget", "0")]),
            vec!["no target value found in the scaler configuration"]
        );
        // The first positive target names the metric.
        let t = Trigger::new("solace-direct-messaging")
            .meta(&[
                URL,
                ("messageVpn", "v"),
                ("clientNamePattern", "direct-messaging-simple"),
                ("aggregatedClientAverageTxMsgRateTarget", "5"),
                ("aggregatedClientAverageTxByteRateTarget", "7"),
            ])
            .auth(AUTH)
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            (
                "s1-solace-dm-direct-messaging-simple-aggregatedClientAverageTxByteRateTarget",
                7.0
            )
        );
    }
}
