//! `solace-event-queue`: message count, spool usage or receive rate of a Solace queue,
//! read over SEMP v2 (`pkg/scalers/solace_scaler.go`, `SolaceMetadata` and its
//! `Validate()`).
//!
//! The scaler gives the HPA one metric per positive target, in the order message count,
//! spool usage (megabytes, turned into bytes), receive rate; the metric here is the first of
//! them, with its own activation target (KEDA calls the trigger active when any of the three
//! values passes its activation target).
//!
//! Valid: credentials from the scale target's environment.
//! ```yaml
//! - type: solace-event-queue
//!   metadata:
//!     solaceSempBaseURL: http://broker:8080
//!     messageVpn: default
//!     queueName: orders
//!     messageCountTarget: "100"
//!     usernameFromEnv: SOLACE_USER
//!     passwordFromEnv: SOLACE_PASSWORD
//! ```
//! Invalid: no positive target ("no target value found in the scaler configuration").
//! ```yaml
//! - type: solace-event-queue
//!   metadata:
//!     solaceSempBaseURL: http://broker:8080
//!     messageVpn: default
//!     queueName: orders
//!     messageCountTarget: "0"
//!     usernameFromEnv: SOLACE_USER
//!     passwordFromEnv: SOLACE_PASSWORD
//! ```

use super::typed::{self, Param, A, E, INT, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["solace-event-queue"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("solaceSempBaseURL", &[M], STRING),
    Param::new("messageVpn", &[M], STRING),
    Param::new("queueName", &[M], STRING),
    Param::new("username", &[A, M, E], STRING),
    Param::new("password", &[A, M, E], STRING),
    Param::new("messageCountTarget", &[M], INT64).optional(),
    Param::new("messageSpoolUsageTarget", &[M], INT64).optional(),
    Param::new("messageReceiveRateTarget", &[M], INT64).optional(),
    Param::new("activationMessageCountTarget", &[M], INT).default("0"),
    Param::new("activationMessageSpoolUsageTarget", &[M], INT).default("0"),
    Param::new("activationMessageReceiveRateTarget", &[M], INT).default("0"),
];

/// Each metric: its target, its activation target, its name suffix, and the factor KEDA
/// applies to both (spool usage is given in megabytes and compared in bytes).
const METRICS: [(&str, &str, &str, i64); 3] = [
    (
        "messageCountTarget",
        "activationMessageCountTarget",
        "msgcount",
        1,
    ),
    (
        "messageSpoolUsageTarget",
        "activationMessageSpoolUsageTarget",
        "msgspoolusage",
        1024 * 1024,
    ),
    (
        "messageReceiveRateTarget",
        "activationMessageReceiveRateTarget",
        "msgrcvrate",
        1,
    ),
];

/// `NewSolaceScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        if METRICS.iter().all(|m| p.int(m.0) < 1) {
            return Err(typed::error(
                "messageCountTarget",
                ErrorKind::Missing,
                "no target value found in the scaler configuration",
            ));
        }
        Ok(())
    })?;
    let (target, activation, suffix, factor) = METRICS
        .iter()
        .copied()
        .find(|m| parsed.int(m.0) > 0)
        .unwrap_or(METRICS[0]);
    let base = format!("solace-{}-{suffix}", parsed.str("queueName"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        // Go multiplies int64s: wrapping, like Go.
        target: parsed.int(target).wrapping_mul(factor) as f64,
        activation: parsed.int(activation).wrapping_mul(factor) as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const BASE: &[(&str, &str)] = &[
        ("solaceSempBaseURL", "http://broker:8080"),
        ("messageVpn", "default"),
        ("queueName", "orders"),
        ("usernameFromEnv", "SOLACE_USER"),
        ("passwordFromEnv", "SOLACE_PASSWORD"),
    ];
    const ENV: &[(&str, &str)] = &[("SOLACE_USER", "u"), ("SOLACE_PASSWORD", "p")];

    fn with(extra: &[(&'static str, &'static str)]) -> Trigger {
        let mut meta = BASE.to_vec();
        meta.extend_from_slice(extra);
        Trigger::new("solace-event-queue").meta(&meta).env(ENV)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = with(&[("messageCountTarget", "100")]).parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-solace-orders-msgcount", 100.0)
        );
        assert_eq!(
            with(&[("messageCountTarget", "0")]).messages(),
            vec!["no target value found in the scaler configuration"]
        );
    }

    /// `testSolaceExpectedMetricNames`; spool usage in bytes; the queue name is normalized.
    #[test]
    fn first_positive_target_names_the_metric() {
        let m = with(&[
            ("messageCountTarget", "0"),
            ("messageSpoolUsageTarget", "20"),
            ("activationMessageSpoolUsageTarget", "1"),
            ("messageReceiveRateTarget", "15"),
        ])
        .index(1)
        .parse()
        .unwrap();
        assert_eq!(m.metric_name, "s1-solace-orders-msgspoolusage");
        assert_eq!((m.target, m.activation), (20.0 * 1048576.0, 1048576.0));
        let t = Trigger::new("solace-event-queue")
            .meta(&[
                ("solaceSempBaseURL", "http://localhost:8080"),
                ("messageVpn", "dennis_vpn"),
                ("queueName", "with/slash"),
                ("messageReceiveRateTarget", "15"),
            ])
            .auth(&[("username", "admin"), ("password", "admin")]);
        assert_eq!(
            t.parse().unwrap().metric_name,
            "s0-solace-with-slash-msgrcvrate"
        );
        // FromEnv naming an undefined variable: the credentials are missing.
        let t = Trigger::new("solace-event-queue")
            .meta(&[
                ("solaceSempBaseURL", "http://broker:8080"),
                ("messageVpn", "default"),
                ("queueName", "orders"),
                ("usernameFromEnv", "SOLTEST_DNE"),
                ("passwordFromEnv", "SOLTEST_DNE"),
                ("messageCountTarget", "10"),
            ])
            .env(ENV);
        assert_eq!(
            t.messages(),
            vec![
                "missing required parameter \"username\" in [authParams triggerMetadata resolvedEnv]",
                "missing required parameter \"password\" in [authParams triggerMetadata resolvedEnv]"
            ]
        );
    }
}
