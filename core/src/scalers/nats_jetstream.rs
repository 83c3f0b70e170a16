//! `nats-jetstream`: pending messages of a JetStream consumer, read from the NATS monitoring
//! endpoint (`pkg/scalers/nats_jetstream_scaler.go`, `parseNATSJetStreamMetadata`).
//!
//! Valid: the endpoint and account come from the TriggerAuthentication.
//! ```yaml
//! - type: nats-jetstream
//!   metadata:
//!     stream: orders
//!     consumer: billing
//!     lagThreshold: "20"
//!   authenticationRef:
//!     name: nats-monitoring   # natsServerMonitoringEndpoint, account
//! ```
//! Invalid: neither an account name nor an id ("no account name or id given").
//! ```yaml
//! - type: nats-jetstream
//!   metadata:
//!     natsServerMonitoringEndpoint: nats.nats:8222
//!     stream: orders
//!     consumer: billing
//! ```

use super::typed::{self, Param, A, BOOL, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["nats-jetstream"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("account", &[A, M], STRING).optional(),
    Param::new("accountID", &[A, M], STRING).optional(),
    Param::new("stream", &[M], STRING),
    Param::new("consumer", &[M], STRING),
    Param::new("lagThreshold", &[M], INT64).default("10"),
    Param::new("activationLagThreshold", &[M], INT64).default("0"),
    Param::new("useHttps", &[M], BOOL).optional().default("false"),
    Param::new("natsServerMonitoringEndpoint", &[A, M], STRING),
];

/// `NewNATSJetStreamScaler` up to the HTTP client: metric type, typed config, then the
/// account check `parseNATSJetStreamMetadata` makes after it.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    if parsed.str("account").is_empty() && parsed.str("accountID").is_empty() {
        return Err(vec![typed::error(
            "account",
            ErrorKind::Missing,
            "no account name or id given",
        )]);
    }
    let base = format!("nats-jetstream-{}", parsed.str("stream"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("lagThreshold") as f64,
        activation: parsed.int("activationLagThreshold") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("nats-jetstream")
            .meta(&[
                ("stream", "orders"),
                ("consumer", "billing"),
                ("lagThreshold", "20"),
            ])
            .auth(&[
                ("natsServerMonitoringEndpoint", "nats.nats:8222"),
                ("account", "$G"),
            ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s0-nats-jetstream-orders", 20.0, 0.0)
        );
        let bad = Trigger::new("nats-jetstream").meta(&[
            ("natsServerMonitoringEndpoint", "nats.nats:8222"),
            ("stream", "orders"),
            ("consumer", "billing"),
        ]);
        assert_eq!(bad.messages(), vec!["no account name or id given"]);
    }

    /// `natsJetStreamMetricIdentifiers`; the account check waits for the typed config.
    #[test]
    fn metric_names_and_error_order() {
        let t = Trigger::new("nats-jetstream")
            .meta(&[
                ("natsServerMonitoringEndpoint", "localhost:8222"),
                ("accountID", "$G"),
                ("stream", "mystream"),
                ("consumer", "pull_consumer"),
            ])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-nats-jetstream-mystream");
        let t = Trigger::new("nats-jetstream").meta(&[("stream", "s"), ("useHttps", "error")]);
        assert_eq!(
            t.messages(),
            vec![
                "missing required parameter \"consumer\" in [triggerMetadata]",
                "unable to set param \"useHttps\" value \"error\": unable to parse boolean value \"error\": strconv.ParseBool: parsing \"error\": invalid syntax",
                "missing required parameter \"natsServerMonitoringEndpoint\" in [authParams triggerMetadata]"
            ]
        );
    }
}
