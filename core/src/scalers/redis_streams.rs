//! `redis-streams`, `redis-cluster-streams`, `redis-sentinel-streams`: pending entries, the
//! stream length or the consumer group's lag (`pkg/scalers/redis_streams_scaler.go`,
//! `redisStreamsMetadata.Validate()`); the connection is the list scaler's.
//!
//! Valid: with a consumer group and no `lagCount`, the target is `pendingEntriesCount`.
//! ```yaml
//! - type: redis-streams
//!   metadata:
//!     address: redis:6379
//!     stream: orders
//!     consumerGroup: workers
//!     pendingEntriesCount: "10"
//! ```
//! Invalid: `enableTLS` in the trigger and `tls` in its TriggerAuthentication ("unable to set
//! `tls` in both ScaledObject and TriggerAuthentication together").
//! ```yaml
//! - type: redis-streams
//!   metadata:
//!     address: redis:6379
//!     stream: orders
//!     enableTLS: "true"
//!   authenticationRef:
//!     name: redis-tls   # tls: enable
//! ```

use super::redis::{validate_address, validate_tls, CONNECTION};
use super::typed::{self, Param, A, INT, INT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &[
        "redis-streams",
        "redis-cluster-streams",
        "redis-sentinel-streams",
    ],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("pendingEntriesCount", &[M], INT64).default("5"),
    Param::new("streamLength", &[M], INT64).default("5"),
    Param::new("lagCount", &[M], INT64).optional(),
    Param::new("stream", &[M], STRING),
    Param::new("consumerGroup", &[M], STRING).optional(),
    Param::new("databaseIndex", &[M], INT).optional(),
    Param::nested(CONNECTION).optional(),
    Param::new("activationLagCount", &[M], INT64).default("0"),
    Param::new("enableTLS", &[M], STRING).optional(),
    Param::new("tls", &[A], STRING).optional(),
];

/// `NewRedisStreamsScaler` up to the connection.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    // Validate() also says "missing redis stream name", but only where the typed read has
    // already reported `stream` as missing (it is required): one finding is enough.
    let parsed = typed::read(input, PARAMS, |p| {
        validate_address(p)?;
        validate_tls(p)
    })?;
    // The scale factor: XPENDING with a group, its lag when lagCount is set, else XLEN.
    let target = if parsed.str("consumerGroup").is_empty() {
        parsed.int("streamLength")
    } else if parsed.int("lagCount") != 0 {
        parsed.int("lagCount")
    } else {
        parsed.int("pendingEntriesCount")
    };
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("redis-streams-{}", parsed.str("stream")),
        ),
        metric_type,
        target: target as f64,
        activation: parsed.int("activationLagCount") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("redis-streams").meta(&[
            ("address", "redis:6379"),
            ("stream", "orders"),
            ("consumerGroup", "workers"),
            ("pendingEntriesCount", "10"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-redis-streams-orders", 10.0)
        );
        let bad = Trigger::new("redis-streams")
            .meta(&[
                ("address", "redis:6379"),
                ("stream", "orders"),
                ("enableTLS", "true"),
            ])
            .auth(&[("tls", "enable")]);
        assert_eq!(
            bad.messages(),
            vec!["unable to set `tls` in both ScaledObject and TriggerAuthentication together"]
        );
    }

    /// `TestRedisStreamsGetMetricSpecForScaling`: the target follows the scale factor.
    #[test]
    fn target_follows_the_scale_factor() {
        let base = [("address", "r:6379"), ("stream", "s")];
        let target = |extra: &[(&str, &str)]| {
            let mut m = base.to_vec();
            m.extend_from_slice(extra);
            Trigger::new("redis-streams").meta(&m).parse().unwrap().target
        };
        assert_eq!(target(&[("streamLength", "7")]), 7.0);
        assert_eq!(target(&[("consumerGroup", "g"), ("lagCount", "3")]), 3.0);
        assert_eq!(target(&[("consumerGroup", "g")]), 5.0);
    }
}
