//! `activemq`: queue size read through ActiveMQ's Jolokia REST API
//! (`pkg/scalers/activemq_scaler.go`, `activeMQMetadata` and its `Validate()`).
//!
//! Valid: the broker, destination and endpoint come from a `restAPITemplate`.
//! ```yaml
//! - type: activemq
//!   metadata:
//!     restAPITemplate: http://amq:8161/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=amq,destinationType=Queue,destinationName=orders/QueueSize
//!     targetQueueSize: "50"
//!   authenticationRef:
//!     name: activemq-credentials   # username, password
//! ```
//! Invalid: without a template, the broker name is required ("no broker name given").
//! ```yaml
//! - type: activemq
//!   metadata:
//!     managementEndpoint: amq:8161
//!     destinationName: orders
//!   authenticationRef:
//!     name: activemq-credentials   # username, password
//! ```

use super::typed::{self, Param, Parsed, A, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["activemq"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("managementEndpoint", &[M], STRING).optional(),
    Param::new("destinationName", &[M], STRING).optional(),
    Param::new("brokerName", &[M], STRING).optional(),
    Param::new("username", &[A, E, M], STRING),
    Param::new("password", &[A, E, M], STRING),
    Param::new("corsHeader", &[M], STRING).optional(),
    Param::new("restAPITemplate", &[M], STRING).optional(),
    Param::new("targetQueueSize", &[M], INT64).default("10"),
    Param::new("activationTargetQueueSize", &[M], INT64).default("0"),
];

/// What `TypedConfig` returns when `Validate()` indexes past the end of a slice (Go adds a
/// stack trace, left out here).
pub(super) const INDEX_PANIC: &str = "failed to parse typed config runtime.boundsError resulted in panic";

/// The first value of `key` in a parsed query; `None` where Go's `v[key][0]` panics.
pub(super) fn first_value<'q>(query: &'q [(String, Vec<String>)], key: &str) -> Option<&'q str> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
}

/// A panic ends `TypedConfig`: the errors gathered before it are lost.
pub(super) fn only_panic(errors: Vec<ScalerError>) -> Vec<ScalerError> {
    match errors.iter().position(|e| e.message == INDEX_PANIC) {
        Some(i) => errors.into_iter().skip(i).take(1).collect(),
        None => errors,
    }
}

fn invalid(message: impl Into<String>) -> ScalerError {
    typed::error("restAPITemplate", ErrorKind::Invalid, message)
}

/// `Validate()`: the destination name the metric is named after.
fn validate(p: &Parsed) -> Result<String, ScalerError> {
    let template = p.str("restAPITemplate");
    if template.is_empty() {
        for (key, what) in [
            ("managementEndpoint", "management endpoint"),
            ("destinationName", "destination name"),
            ("brokerName", "broker name"),
        ] {
            if p.str(key).is_empty() {
                return Err(typed::error(
                    key,
                    ErrorKind::Missing,
                    format!("no {what} given"),
                ));
            }
        }
        return Ok(p.str("destinationName").to_owned());
    }
    let bad = |e: String| invalid(format!("unable to parse ActiveMQ restAPITemplate: {e}"));
    let uri = crate::go::url::parse_request_uri(template).map_err(bad)?;
    // `type=Broker,brokerName=…,destinationName=…` between the first colon and the next slash.
    let Some(props) = uri.path.split(':').nth(1) else {
        return Err(invalid(INDEX_PANIC));
    };
    let props = props.split('/').next().unwrap_or("").replace(',', "&");
    let (query, err) = crate::go::url::parse_query(&props);
    if let Some(e) = err {
        return Err(bad(e));
    }
    let destination = first_value(&query, "destinationName").ok_or_else(|| invalid(INDEX_PANIC))?;
    if destination.is_empty() {
        return Err(invalid("no destinationName is given"));
    }
    if first_value(&query, "brokerName")
        .ok_or_else(|| invalid(INDEX_PANIC))?.is_empty() {
        return Err(invalid(format!("no brokerName given: {template}")));
    }
    Ok(destination.to_owned())
}

/// `NewActiveMQScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut destination = String::new();
    let parsed = typed::read(input, PARAMS, |p| {
        destination = validate(p)?;
        Ok(())
    })
    .map_err(only_panic)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("activemq-{destination}")),
        metric_type,
        target: parsed.int("targetQueueSize") as f64,
        activation: parsed.int("activationTargetQueueSize") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("username", "u"), ("password", "p")];
    const TEMPLATE: &str = "http://amq:8161/api/jolokia/read/org.apache.activemq:type=Broker,brokerName=amq,destinationType=Queue,destinationName=orders/QueueSize";

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("activemq")
            .meta(&[("restAPITemplate", TEMPLATE), ("targetQueueSize", "50")])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-activemq-orders", 50.0));
        let bad = Trigger::new("activemq")
            .meta(&[("managementEndpoint", "amq:8161"), ("destinationName", "orders")])
            .auth(AUTH);
        assert_eq!(bad.messages(), vec!["no broker name given"]);
    }

    /// `activeMQMetricIdentifiers` and `testDefaultTargetQueueSize`.
    #[test]
    fn metric_names_and_defaults() {
        let t = Trigger::new("activemq")
            .meta(&[
                ("managementEndpoint", "localhost:8161"),
                ("destinationName", "testQueue"),
                ("brokerName", "localhost"),
            ])
            .auth(AUTH)
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(m.metric_name, "s1-activemq-testQueue");
        assert_eq!((m.target, m.activation), (10.0, 0.0));
    }

    #[test]
    fn template_errors_in_keda_s_words() {
        let msgs = |template: &str| {
            Trigger::new("activemq")
                .meta(&[("restAPITemplate", template)])
                .auth(AUTH)
                .messages()
        };
        assert_eq!(
            msgs("testInvalidRestAPITemplate"),
            vec!["unable to parse ActiveMQ restAPITemplate: parse \"testInvalidRestAPITemplate\": invalid URI for request"]
        );
        assert_eq!(
            msgs("http://h/read/x:brokerName=b,destinationName=/Q"),
            vec!["no destinationName is given"]
        );
        assert_eq!(
            msgs("http://h/x:brokerName=,destinationName=d/Q"),
            vec!["no brokerName given: http://h/x:brokerName=,destinationName=d/Q"]
        );
        // No colon, or no destinationName at all: Go indexes past a slice and recovers,
        // dropping the other errors (here: the missing password).
        let t = Trigger::new("activemq")
            .meta(&[("restAPITemplate", "http://h/no-colon"), ("username", "u")]);
        assert_eq!(t.messages(), vec![super::INDEX_PANIC]);
        assert_eq!(msgs("http://h/x:brokerName=b/Q"), vec![super::INDEX_PANIC]);
        assert_eq!(
            msgs("http://h/x:a=1;b=2/Q"),
            vec!["unable to parse ActiveMQ restAPITemplate: invalid semicolon separator in query"]
        );
    }

    /// Templates that break Go's assumptions come back as findings, for ActiveMQ and for
    /// Artemis (which takes its template apart the same way), never as a panic here.
    #[test]
    fn hostile_templates_never_panic() {
        for template in [
            ":", "http://h/:", "http://h/a:b:c", "http://h/x:%zz/", "http://h/x:a=%/",
            "http://h/x:destinationName=é,brokerName=\"\"\"/", "http://h/x:=,=&&/",
            "http://h/x:\"\",\"\"/", "/x:a=1", "http://h/é:é=é", "http://h%/x:a",
        ] {
            for (t, key) in [
                ("activemq", "restAPITemplate"),
                ("artemis-queue", "restApiTemplate"),
            ] {
                let _ = Trigger::new(t).meta(&[(key, template)]).auth(AUTH).parse();
            }
        }
    }
}
