//! `rabbitmq`: queue length or message rates of a RabbitMQ queue
//! (`pkg/scalers/rabbitmq_scaler.go`, `rabbitMQMetadata` and its `Validate()`).
//!
//! Valid: the protocol comes from the host's scheme, and a rate mode needs HTTP.
//! ```yaml
//! - type: rabbitmq
//!   metadata:
//!     queueName: orders
//!     mode: MessageRate
//!     value: "100"
//!     hostFromEnv: RABBITMQ_MANAGEMENT_URL   # http://user:pass@rabbitmq:15672/vhost
//! ```
//! Invalid: `MessageRate` over AMQP ("protocol amqp not supported; must be HTTP to use
//! trigger mode MessageRate").
//! ```yaml
//! - type: rabbitmq
//!   metadata:
//!     queueName: orders
//!     mode: MessageRate
//!     value: "100"
//!     host: amqp://rabbitmq:5672/
//! ```

use super::typed::{
    self, Param, Parsed, A, BOOL, DURATION, E, FLOAT64, INT64, M, STRING, STRINGS, URL_VALUES,
};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["rabbitmq"],
    parse,
};

/// `authentication.OAuth`, embedded with `keda:"optional"`.
const OAUTH: &[Param] = &[
    Param::new("oauthTokenURI", &[A], STRING),
    Param::new("scopes;scope", &[A], STRINGS),
    Param::new("clientID", &[A], STRING),
    Param::new("clientSecret", &[A], STRING),
    Param::new("endpointParams", &[A], URL_VALUES),
];

const PARAMS: &[Param] = &[
    Param::new("queueName", &[M], STRING),
    Param::new("mode", &[M], STRING).optional().default("Unknown"),
    Param::new("queueLength", &[M], FLOAT64).optional(),
    Param::new("value", &[M], FLOAT64).optional(),
    Param::new("activationValue", &[M], FLOAT64).optional(),
    Param::new("host", &[M, A, E], STRING),
    Param::new("protocol", &[M, A], STRING).default("auto"),
    Param::new("vhostName", &[M, A], STRING).optional(),
    Param::new("useRegex", &[M], BOOL).optional(),
    Param::new("excludeUnacknowledged", &[M], BOOL).optional(),
    Param::new("pageSize", &[M], INT64).default("100"),
    Param::new("operation", &[M], STRING).default("sum"),
    Param::new("timeout", &[M], DURATION).optional(),
    Param::new("username", &[A, E], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("tls", &[A], STRING).default("disable"),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("workloadIdentityResource", &[A], STRING).optional(),
    Param::nested(OAUTH).optional(),
];

const QUEUE_LENGTH: &str = "QueueLength";
const MODES: &[&str] = &[
    QUEUE_LENGTH,
    "MessageRate",
    "DeliverGetRate",
    "PublishedToDeliveredRatio",
    "ExpectedQueueConsumptionTime",
];
const DEFAULT_QUEUE_LENGTH: f64 = 20.0;

fn invalid(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// Something needed is absent: dropped by the linter when the authentication is not in view.
fn absent(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `Validate()`, which also settles the protocol (`auto` from the host's scheme) and the
/// mode and value the metric uses.
fn validate(p: &Parsed) -> Result<(&'static str, f64), ScalerError> {
    let mut protocol = match p.str("protocol") {
        "amqp" => "amqp",
        "http" => "http",
        "auto" => "auto",
        other => {
            return Err(invalid(
                "protocol",
                format!(
                    "the protocol has to be either `amqp`, `http`, or `auto` but is `{other}`"
                ),
            ))
        }
    };
    let tls = p.str("tls");
    if tls != "enable" && tls != "disable" {
        return Err(invalid(
            "tls",
            format!("incorrect value for TLS given: {tls}"),
        ));
    }
    if p.str("cert").is_empty() != p.str("key").is_empty() {
        let which = if p.str("cert").is_empty() { "cert" } else { "key" };
        return Err(absent(which, "both key and certificate must be provided"));
    }
    if p.int("pageSize") < 1 {
        return Err(invalid("pageSize", "pageSize should be 1 or greater"));
    }
    let (user, pass) = (p.str("username"), p.str("password"));
    if user.is_empty() != pass.is_empty() {
        let which = if user.is_empty() { "username" } else { "password" };
        return Err(absent(which, "username and password must be given together"));
    }
    if protocol == "auto" {
        // No host: KEDA reports it as missing; the scheme checks would only repeat that.
        if !p.is_set("host") {
            return Ok((QUEUE_LENGTH, DEFAULT_QUEUE_LENGTH));
        }
        let scheme = crate::go::url::parse_scheme(p.str("host"))
            .map_err(|e| invalid("host", format!("can't parse host to find protocol: {e}")))?;
        protocol = match scheme.as_str() {
            "amqp" | "amqps" => "amqp",
            "http" | "https" => "http",
            other => {
                return Err(invalid(
                    "host",
                    format!("unknown host URL scheme: `{other}`"),
                ))
            }
        };
    }
    let identity = p.str("workloadIdentityResource");
    if protocol == "amqp" && !identity.is_empty() {
        return Err(invalid(
            "workloadIdentityResource",
            "workload identity is not supported for the AMQP protocol at the moment",
        ));
    }
    let (token_uri, client, secret) = (
        p.str("oauthTokenURI"),
        p.str("clientID"),
        p.str("clientSecret"),
    );
    if !token_uri.is_empty() || !client.is_empty() || !secret.is_empty() {
        if token_uri.is_empty() || client.is_empty() || secret.is_empty() {
            return Err(absent(
                "oauthTokenURI",
                "OAuth2 requires tokenUrl clientId and clientSecret to be configured in TriggerAuthentication",
            ));
        }
        if protocol == "amqp" {
            return Err(invalid(
                "protocol",
                "OAuth2 authentication is only supported with HTTP protocol, not AMQP",
            ));
        }
        if (!user.is_empty() && !pass.is_empty()) || !identity.is_empty() {
            return Err(invalid(
                "clientID",
                "OAuth2 authentication cannot be combined with username/password authentication or Azure Workload Identity",
            ));
        }
    }
    if p.bool("useRegex") && protocol != "http" {
        return Err(invalid(
            "useRegex",
            "configure useRegex=true only with HTTP protocol",
        ));
    }
    if p.bool("excludeUnacknowledged") && protocol != "http" {
        return Err(invalid(
            "excludeUnacknowledged",
            "configure excludeUnacknowledged=true only with HTTP protocol",
        ));
    }
    validate_trigger(p, protocol)
}

/// `validateTrigger`: which of mode/value/queueLength decides the metric.
fn validate_trigger(p: &Parsed, protocol: &str) -> Result<(&'static str, f64), ScalerError> {
    let (mode, value, queue_length) = (p.str("mode"), p.float("value"), p.float("queueLength"));
    if queue_length == 0.0 && mode == "Unknown" && value == 0.0 {
        return Ok((QUEUE_LENGTH, DEFAULT_QUEUE_LENGTH));
    }
    if queue_length != 0.0 && (mode != "Unknown" || value != 0.0) {
        return Err(invalid(
            "queueLength",
            "queueLength is deprecated; use mode and value",
        ));
    }
    if queue_length != 0.0 {
        return Ok((QUEUE_LENGTH, queue_length));
    }
    if mode == "Unknown" {
        return Err(absent("mode", "mode must be specified"));
    }
    if value == 0.0 {
        return Err(absent("value", "value must be specified"));
    }
    let Some(known) = MODES.iter().copied().find(|m| *m == mode) else {
        return Err(invalid(
            "mode",
            format!(
                "trigger mode {mode} must be one of QueueLength, MessageRate, DeliverGetRate, PublishedToDeliveredRatio or ExpectedQueueConsumptionTime"
            ),
        ));
    };
    if known != QUEUE_LENGTH && protocol != "http" {
        return Err(invalid(
            "mode",
            format!("protocol {protocol} not supported; must be HTTP to use trigger mode {mode}"),
        ));
    }
    let timeout = p.duration("timeout");
    if protocol == "amqp" && timeout != 0 {
        return Err(invalid(
            "timeout",
            format!("AMQP protocol doesn't support custom timeouts: {timeout}"),
        ));
    }
    Ok((known, value))
}

/// `NewRabbitMQScaler` up to the connection: metric type, then `parseRabbitMQMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut settled = (QUEUE_LENGTH, DEFAULT_QUEUE_LENGTH);
    let parsed = typed::read(input, PARAMS, |p| {
        settled = validate(p)?;
        Ok(())
    })?;
    let base = format!(
        "rabbitmq-{}",
        crate::go::url::query_escape(parsed.str("queueName"))
    );
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: settled.1,
        activation: parsed.float("activationValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("rabbitmq")
            .meta(&[
                ("queueName", "orders"),
                ("mode", "MessageRate"),
                ("value", "100"),
                ("hostFromEnv", "URL"),
            ])
            .env(&[("URL", "http://user:pass@rabbitmq:15672/vhost")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-rabbitmq-orders", 100.0));
        let bad = Trigger::new("rabbitmq").meta(&[
            ("queueName", "orders"),
            ("mode", "MessageRate"),
            ("value", "100"),
            ("host", "amqp://rabbitmq:5672/"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["protocol amqp not supported; must be HTTP to use trigger mode MessageRate"]
        );
    }

    /// `rabbitMQMetricIdentifiers` and `TestParseDefaultQueueLength`.
    #[test]
    fn metric_names_and_default_queue_length() {
        let t = Trigger::new("rabbitmq")
            .meta(&[("queueName", "namespace/name"), ("hostFromEnv", "H")])
            .env(&[("H", "amqp://user:sercet@somehost.com:5236/vhost")])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(m.metric_name, "s1-rabbitmq-namespace-2Fname");
        assert_eq!(m.target, 20.0);
    }

    #[test]
    fn errors_are_keda_s_words() {
        let t = Trigger::new("rabbitmq").meta(&[
            ("queueName", "q"),
            ("host", "amqp://h"),
            ("timeout", "10"),
            ("mode", "QueueLength"),
            ("value", "5"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["AMQP protocol doesn't support custom timeouts: 10000000"]
        );
        let t = Trigger::new("rabbitmq").meta(&[("queueName", "q"), ("host", "something://")]);
        assert_eq!(t.messages(), vec!["unknown host URL scheme: `something`"]);
        // GetMetricTargetType runs first and alone.
        let t = Trigger::new("rabbitmq")
            .meta(&[("useRegex", "x")])
            .metric_type("Utilization");
        assert_eq!(
            t.messages(),
            vec!["'Utilization' metric type is unsupported for external metrics, allowed values are 'Value' or 'AverageValue'"]
        );
        // Missing host: one error, not a second one about its (empty) scheme.
        let t = Trigger::new("rabbitmq").meta(&[("queueName", "q"), ("useRegex", "true")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"host\" in [triggerMetadata authParams resolvedEnv]"]
        );
    }
}
