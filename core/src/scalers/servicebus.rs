//! `azure-servicebus`: the typed config KEDA builds from a trigger
//! (`pkg/scalers/azure_servicebus_scaler.go`), its metric, regex matching and aggregation.
//!
//! Valid: a queue through workload identity, the namespace named in the trigger.
//! ```yaml
//! - type: azure-servicebus
//!   metadata:
//!     namespace: shop
//!     queueName: orders
//!     messageCount: "5"
//!   authenticationRef:
//!     name: servicebus-identity   # podIdentity.provider: azure-workload
//! ```
//! Invalid: a topic without its subscription ("no subscription name provided with topic name").
//! ```yaml
//! - type: azure-servicebus
//!   metadata:
//!     topicName: orders
//!     connectionFromEnv: SERVICEBUS_CONNECTION
//! ```

use regex_lite::Regex;

use super::cloud;
use super::typed::{self, Order};
use super::{ErrorKind, MetricType, ScalerError, ScalerMetric, TriggerInput};

const META: &[Order] = &[Order::TriggerMetadata];
/// `connection` is read from authParams, then the env var named by `connectionFromEnv`;
/// never from the trigger metadata itself.
const CONNECTION: &[Order] = &[Order::AuthParams, Order::ResolvedEnv];
pub const OPERATIONS: &[&str] = &["sum", "max", "avg"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityType {
    Queue,
    Subscription,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Queue => "queue",
            EntityType::Subscription => "subscription",
        }
    }
}

/// How the counts of regex-matched entities are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Sum,
    Max,
    Avg,
    /// A value the enum check let through (`sum,max`): aggregates to 0, as KEDA does.
    Other,
}

/// What KEDA's servicebus scaler holds after parsing. `Debug` leaves the connection string
/// out.
#[derive(Clone)]
pub struct ServiceBusConfig {
    pub entity_type: EntityType,
    pub queue_name: String,
    pub topic_name: String,
    pub subscription_name: String,
    /// Secret: never put into a message.
    pub connection: String,
    pub namespace: String,
    /// `namespace.<suffix>`, only computed with workload identity.
    pub fully_qualified_namespace: String,
    pub target_value: i64,
    pub activation_target_value: i64,
    pub use_regex: bool,
    /// As written (trimmed), e.g. `sum` or the quirk `sum,max`.
    pub operation: String,
    pub metric_type: MetricType,
    pub metric_name: String,
    /// The pattern KEDA compiles when `useRegex` is on (whole-name match).
    pub entity_name_regex: Option<Regex>,
}

impl std::fmt::Debug for ServiceBusConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceBusConfig")
            .field("entity_type", &self.entity_type)
            .field("queue_name", &self.queue_name)
            .field("topic_name", &self.topic_name)
            .field("subscription_name", &self.subscription_name)
            .field("connection", &"(hidden)")
            .field("namespace", &self.namespace)
            .field("fully_qualified_namespace", &self.fully_qualified_namespace)
            .field("target_value", &self.target_value)
            .field("activation_target_value", &self.activation_target_value)
            .field("use_regex", &self.use_regex)
            .field("operation", &self.operation)
            .field("metric_type", &self.metric_type)
            .field("metric_name", &self.metric_name)
            .field("entity_name_regex", &self.entity_name_regex)
            .finish()
    }
}

impl ServiceBusConfig {
    pub fn operation(&self) -> Operation {
        match self.operation.as_str() {
            "sum" => Operation::Sum,
            "max" => Operation::Max,
            "avg" => Operation::Avg,
            _ => Operation::Other,
        }
    }

    /// Whether a queue (or subscription) name is counted: the whole name must match.
    pub fn matches(&self, name: &str) -> bool {
        match &self.entity_name_regex {
            Some(re) => re.is_match(name),
            None if self.use_regex => false,
            None => match self.entity_type {
                EntityType::Queue => name == self.queue_name,
                EntityType::Subscription => name == self.subscription_name,
            },
        }
    }

    /// Combines the active message counts of the matched entities.
    pub fn aggregate(&self, counts: &[i64]) -> i64 {
        match self.operation() {
            Operation::Sum => counts.iter().fold(0i64, |a, c| a.saturating_add(*c)),
            Operation::Max => counts.iter().fold(0i64, |a, c| a.max(*c)),
            Operation::Avg => {
                let sum = counts.iter().fold(0i64, |a, c| a.saturating_add(*c));
                match i64::try_from(counts.len()) {
                    Ok(n) if n > 0 => sum / n,
                    _ => 0,
                }
            }
            Operation::Other => 0,
        }
    }

    /// Active iff the count is strictly greater than `activationMessageCount`.
    pub fn is_active(&self, count: i64) -> bool {
        count > self.activation_target_value
    }

    pub fn metric(&self) -> ScalerMetric {
        ScalerMetric {
            metric_name: self.metric_name.clone(),
            metric_type: self.metric_type,
            target: self.target_value as f64,
            activation: self.activation_target_value as f64,
        }
    }
}

/// Parses an `azure-servicebus` trigger as KEDA does; every problem KEDA would join into
/// one error is returned.
pub fn parse(input: &TriggerInput<'_>) -> Result<ServiceBusConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let text = |name: &str| typed::lookup(input, name, META).map_or("", |(v, _)| v);

    let queue_name = text("queueName").to_owned();
    let topic_name = text("topicName").to_owned();
    let subscription_name = text("subscriptionName").to_owned();
    let namespace = text("namespace").to_owned();
    let connection =
        typed::lookup(input, "connection", CONNECTION).map_or(String::new(), |(v, _)| v.to_owned());

    let target_value = int_field(input, "messageCount", Some(5), &mut errors);
    let activation_target_value = int_field(input, "activationMessageCount", None, &mut errors);
    let use_regex = match typed::lookup(input, "useRegex", META) {
        None => false,
        Some((v, _)) => typed::parse_bool("useRegex", v).unwrap_or_else(|e| {
            errors.push(e);
            false
        }),
    };
    let operation = match typed::lookup(input, "operation", META) {
        None => "sum".to_owned(),
        Some((v, _)) => match typed::check_enum("operation", v, OPERATIONS) {
            Ok(()) => v.to_owned(),
            Err(e) => {
                errors.push(e);
                String::new()
            }
        },
    };

    // Validate() runs even when a field failed, with that field at its zero value.
    let mut entity_type = None;
    let mut entity_name_regex = None;
    let validated = (|| {
        if !queue_name.is_empty() {
            entity_type = Some(EntityType::Queue);
            if !subscription_name.is_empty() {
                return Err(invalid(
                    "subscriptionName",
                    "subscription name provided with queue name",
                ));
            }
            if use_regex {
                entity_name_regex = whole_name_regex(&queue_name).map_err(|()| {
                    invalid("queueName", "queueName is not a valid regular expression")
                })?;
            }
        }
        if !topic_name.is_empty() {
            if entity_type == Some(EntityType::Queue) {
                return Err(invalid(
                    "topicName",
                    "both topic and queue name metadata provided",
                ));
            }
            entity_type = Some(EntityType::Subscription);
            if subscription_name.is_empty() {
                return Err(ScalerError {
                    key: Some("subscriptionName".to_owned()),
                    kind: ErrorKind::Invalid,
                    message: "no subscription name provided with topic name".to_owned(),
                });
            }
            if use_regex {
                entity_name_regex = whole_name_regex(&subscription_name).map_err(|()| {
                    invalid(
                        "subscriptionName",
                        "subscriptionName is not a valid regular expression",
                    )
                })?;
            }
        }
        if entity_type.is_none() {
            return Err(ScalerError {
                key: None,
                kind: ErrorKind::Invalid,
                message: "no service bus entity type set".to_owned(),
            });
        }
        Ok(())
    })();
    if let Err(e) = validated {
        errors.push(e);
    }
    let Some(entity_type) = entity_type.filter(|_| errors.is_empty()) else {
        return Err(errors);
    };

    // parseAzureServiceBusMetadata: the checks that depend on the pod identity.
    let mut fully_qualified_namespace = String::new();
    match input.pod_identity.unwrap_or("") {
        "" | "none" => {
            if connection.is_empty() {
                return Err(vec![ScalerError {
                    key: Some("connection".to_owned()),
                    kind: ErrorKind::Missing,
                    message: "no connection setting given".to_owned(),
                }]);
            }
        }
        "azure-workload" => {
            if namespace.is_empty() {
                return Err(vec![ScalerError {
                    key: Some("namespace".to_owned()),
                    kind: ErrorKind::Missing,
                    message: "namespace are required when using pod identity".to_owned(),
                }]);
            }
            let suffix = cloud::service_bus_suffix(input.metadata).map_err(|e| vec![e])?;
            fully_qualified_namespace = format!("{namespace}.{suffix}");
        }
        other => {
            return Err(vec![ScalerError {
                key: None,
                kind: ErrorKind::PodIdentity,
                message: format!("azure service bus doesn't support pod identity {other}"),
            }])
        }
    }

    let entity = match (use_regex, entity_type) {
        (true, EntityType::Queue) => "queue-regex",
        (true, EntityType::Subscription) => "topic-regex",
        (false, EntityType::Queue) => queue_name.as_str(),
        (false, EntityType::Subscription) => topic_name.as_str(),
    };
    let metric_name = super::metric_name(input.index, &format!("azure-servicebus-{entity}"));
    Ok(ServiceBusConfig {
        entity_type,
        queue_name,
        topic_name,
        subscription_name,
        connection,
        namespace,
        fully_qualified_namespace,
        target_value,
        activation_target_value,
        use_regex,
        operation,
        metric_type,
        metric_name,
        entity_name_regex,
    })
}

/// The metric alone: the connection and identity do not change it, so they are not needed.
pub fn metric(input: &TriggerInput<'_>) -> Result<ScalerMetric, ScalerError> {
    let mut stand_in = std::collections::BTreeMap::new();
    stand_in.insert(
        "connection".to_owned(),
        "(not needed for the metric)".to_owned(),
    );
    let relaxed = TriggerInput {
        auth_params: &stand_in,
        pod_identity: None,
        ..*input
    };
    parse(&relaxed).map(|c| c.metric()).map_err(super::first)
}

fn invalid(key: &str, message: &str) -> ScalerError {
    ScalerError {
        key: Some(key.to_owned()),
        kind: ErrorKind::Invalid,
        message: message.to_owned(),
    }
}

fn int_field(
    input: &TriggerInput<'_>,
    name: &str,
    default: Option<i64>,
    errors: &mut Vec<ScalerError>,
) -> i64 {
    match typed::lookup(input, name, META) {
        None => default.unwrap_or(0),
        Some((v, _)) => typed::parse_int64(name, v).unwrap_or_else(|e| {
            errors.push(e);
            0
        }),
    }
}

/// KEDA compiles the pattern (RE2 syntax), switches it to leftmost-longest and accepts a
/// name only when the match is the whole name: the same as an anchored match.
/// `Err(())` when Go would reject the pattern; `Ok(None)` when Go accepts it but this build
/// cannot match it (Unicode classes), so nothing is matched.
#[allow(clippy::result_unit_err)]
pub fn whole_name_regex(pattern: &str) -> Result<Option<Regex>, ()> {
    // Go compiles the bare pattern; a pattern that only compiles inside our group (an
    // unbalanced `)` closing it) must still fail.
    match super::regex_check(pattern) {
        super::RegexCheck::Invalid => Err(()),
        super::RegexCheck::Unsupported => Ok(None),
        super::RegexCheck::Valid => {
            let pattern = super::re2_quoted(pattern);
            Ok(Regex::new(&format!("^(?:{pattern})$")).ok())
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::scalers::{parse, ParsedTrigger};

    #[test]
    fn debug_output_leaves_the_connection_string_out() {
        let secret = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=c2VjcmV0";
        let parsed = crate::scalers::azure_storage::with_input(
            "azure-servicebus",
            &[("queueName", "orders"), ("connectionFromEnv", "SB")],
            &[("SB", secret)],
            None,
            parse,
        );
        let Ok(ParsedTrigger::ServiceBus(config)) = parsed else {
            panic!("{parsed:?}");
        };
        assert_eq!(config.connection, secret);
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("c2VjcmV0") && shown.contains("orders"),
            "{shown}"
        );
    }

    /// `azServiceBusMetricIdentifiers`.
    #[test]
    fn metric_names() {
        use crate::scalers::testing::Trigger;
        let env = [(
            "none",
            "Endpoint=sb://namespacename.servicebus.windows.net/",
        )];
        let queue = Trigger::new("azure-servicebus")
            .meta(&[("queueName", "testqueue"), ("connectionFromEnv", "none")])
            .env(&env);
        let topic = Trigger::new("azure-servicebus")
            .meta(&[
                ("topicName", "testtopic"),
                ("subscriptionName", "testsubscription"),
                ("connectionFromEnv", "none"),
            ])
            .env(&env)
            .index(1);
        let name = |t: Trigger| t.parse().unwrap().metric_name;
        assert_eq!(name(queue), "s0-azure-servicebus-testqueue");
        assert_eq!(name(topic), "s1-azure-servicebus-testtopic");
    }
}
