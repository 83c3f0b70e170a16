//! `gcp-pubsub`: a Pub/Sub subscription's or topic's Cloud Monitoring metric
//! (`pkg/scalers/gcp_pubsub_scaler.go`, `pubsubMetadata` and its `Validate()`; the
//! authorization is [`super::gcp`]'s).
//!
//! Valid: a subscription named through the workload's env, `mode` and `value` (the removed
//! `subscriptionSize` is now an error).
//! ```yaml
//! - type: gcp-pubsub
//!   metadata:
//!     subscriptionNameFromEnv: SUBSCRIPTION   # projects/shop/subscriptions/orders
//!     mode: OldestUnackedMessageAge
//!     value: "60"
//!     credentialsFromEnv: GOOGLE_CREDENTIALS
//! ```
//! Invalid: a subscription and a topic ("exactly one of subscription or topic name must be
//! given").
//! ```yaml
//! - type: gcp-pubsub
//!   metadata:
//!     subscriptionName: orders
//!     topicName: orders
//!   authenticationRef:
//!     name: gcp-workload-identity   # podIdentity.provider: gcp
//! ```

use super::gcp::{self, CREDENTIALS};
use super::typed::{self, Param, Parsed, DURATION, E, FLOAT64, FLOAT64_PTR, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["gcp-pubsub"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("subscriptionSize", &[M], INT).optional().deprecated(
        "The 'subscriptionSize' setting is DEPRECATED and is removed in v2.20 - Use 'mode' and 'value' instead",
    ),
    Param::new("mode", &[M], STRING).default("SubscriptionSize"),
    Param::new("value", &[M], FLOAT64)
        .default("10")
        .announce(gcp::DEPRECATED),
    Param::new("activationValue", &[M], FLOAT64).default("0"),
    Param::new("aggregation", &[M], STRING).optional(),
    Param::new("timeHorizon", &[M], DURATION).optional(),
    Param::new("valueIfNull", &[M], FLOAT64_PTR).optional(),
    Param::new("subscriptionName", &[M, E], STRING).optional(),
    Param::new("topicName", &[M, E], STRING).optional(),
    Param::nested(CREDENTIALS),
];

/// `Validate()`. Neither name is something absent (it may come from a workload not in view);
/// both is a contradiction.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let (sub, topic) = (p.str("subscriptionName"), p.str("topicName"));
    if sub.is_empty() == topic.is_empty() {
        let kind = if sub.is_empty() {
            ErrorKind::Missing
        } else {
            ErrorKind::Invalid
        };
        return Err(typed::error(
            "subscriptionName",
            kind,
            "exactly one of subscription or topic name must be given",
        ));
    }
    Ok(())
}

/// `NewPubSubScaler`: the resource is the subscription when one is named, else the topic.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let (metric_type, p) = gcp::read(input, PARAMS, validate)?;
    let sub = p.str("subscriptionName");
    let resource = if sub.is_empty() { p.str("topicName") } else { sub };
    Ok(gcp::metric(
        input,
        metric_type,
        "gcp-ps-",
        resource,
        p.float("value"),
        p.float("activationValue"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("gcp-pubsub")
            .meta(&[
                ("subscriptionNameFromEnv", "SUBSCRIPTION"),
                ("mode", "OldestUnackedMessageAge"),
                ("value", "60"),
                ("credentialsFromEnv", "GOOGLE_CREDENTIALS"),
            ])
            .env(&[("SUBSCRIPTION", "projects/shop/subscriptions/orders")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-gcp-ps-projects-shop-subscriptions-orders", 60.0)
        );
        let bad = Trigger::new("gcp-pubsub")
            .meta(&[("subscriptionName", "orders"), ("topicName", "orders")])
            .pod_identity("gcp");
        assert_eq!(
            bad.messages(),
            vec!["exactly one of subscription or topic name must be given"]
        );
    }

    /// `gcpPubSubMetricIdentifiers` and `gcpSubscriptionDefaults`.
    #[test]
    fn metric_names_and_defaults() {
        let creds = ("credentialsFromEnv", "SAMPLE_CREDS");
        let sub = Trigger::new("gcp-pubsub")
            .meta(&[("subscriptionName", "mysubscription"), ("value", "7"), creds])
            .index(1);
        assert_eq!(sub.parse().unwrap().metric_name, "s1-gcp-ps-mysubscription");
        let topic = Trigger::new("gcp-pubsub").meta(&[
            ("topicName", "mytopic"),
            ("mode", "MessageSizes"),
            ("value", "7"),
            creds,
        ]);
        assert_eq!(topic.parse().unwrap().metric_name, "s0-gcp-ps-mytopic");
        let defaults = Trigger::new("gcp-pubsub").meta(&[("subscriptionName", "s"), creds]);
        let m = defaults.parse().unwrap();
        assert_eq!((m.target, m.activation), (10.0, 0.0));
    }

    #[test]
    fn errors_are_keda_s_words() {
        let t = Trigger::new("gcp-pubsub").meta(&[
            ("subscriptionName", "s"),
            ("subscriptionSize", "7"),
            ("credentialsFromEnv", "C"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["scaler gcp-pubsub info: The 'subscriptionSize' setting is DEPRECATED and is removed in v2.20 - Use 'mode' and 'value' instead"]
        );
        // An empty auth parameter names no credentials; another pod identity is not gcp's.
        let t = Trigger::new("gcp-pubsub")
            .meta(&[("subscriptionName", "s")])
            .auth(&[("GoogleApplicationCredentials", "")])
            .pod_identity("azure-workload");
        assert_eq!(t.messages(), vec!["google application credentials not found"]);
        let t = Trigger::new("gcp-pubsub")
            .meta(&[("topicName", "t"), ("activationValue", "AA")])
            .pod_identity("gcp");
        assert_eq!(t.messages().len(), 1);
    }
}
