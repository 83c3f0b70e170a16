//! `artemis-queue`: message count of an ActiveMQ Artemis queue read through Jolokia
//! (`pkg/scalers/artemis_scaler.go`, `artemisMetadata` and its `Validate()`).
//!
//! Valid: broker, address and queue named one by one.
//! ```yaml
//! - type: artemis-queue
//!   metadata:
//!     managementEndpoint: artemis:8161
//!     brokerName: broker0
//!     brokerAddress: orders
//!     queueName: orders
//!   authenticationRef:
//!     name: artemis-credentials   # username, password
//! ```
//! Invalid: a client certificate without its key ("both cert and key must be provided").
//! ```yaml
//! - type: artemis-queue
//!   metadata:
//!     managementEndpoint: artemis:8161
//!     brokerName: broker0
//!     brokerAddress: orders
//!     queueName: orders
//!   authenticationRef:
//!     name: artemis-credentials   # username, password, cert
//! ```

use super::activemq::{first_value, only_panic, INDEX_PANIC};
use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["artemis-queue"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("managementEndpoint", &[M], STRING).optional(),
    Param::new("queueName", &[M], STRING).optional(),
    Param::new("brokerName", &[M], STRING).optional(),
    Param::new("brokerAddress", &[M], STRING).optional(),
    Param::new("username", &[A, M, E], STRING),
    Param::new("password", &[A, M, E], STRING),
    Param::new("restApiTemplate", &[M], STRING).optional(),
    Param::new("queueLength", &[M], INT64).default("10"),
    Param::new("activationQueueLength", &[M], INT64).default("10"),
    Param::new("corsHeader", &[M], STRING).optional(),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
];

/// `getAPIParameters`: the queue name out of a `restApiTemplate`, whose Jolokia properties
/// (`broker="…",component=addresses,address="…",…,queue="…"`) sit in the escaped path
/// between the first colon and the next slash.
fn from_template(template: &str) -> Result<String, ScalerError> {
    let bad = |e: String| failed(&format!("unable to parse the artemis restAPITemplate: {e}"));
    let uri = crate::go::url::parse_request_uri(template).map_err(bad)?;
    // Go reads RawPath, which is empty when the path needs no escaping.
    let Some(props) = uri.raw_path.split(':').nth(1) else {
        return Err(panicked());
    };
    let props = props.split('/').next().unwrap_or("");
    let props = props.replace("\"\"", "\u{0}").replace(',', "&").replace('\u{0}', "");
    let (query, err) = crate::go::url::parse_query(&props);
    if let Some(e) = err {
        return Err(bad(e));
    }
    if first_value(&query, "address").ok_or_else(panicked)?.is_empty() {
        return Err(failed("no brokerAddress given"));
    }
    let queue = first_value(&query, "queue").ok_or_else(panicked)?;
    if queue.is_empty() {
        return Err(failed("no queueName is given"));
    }
    if first_value(&query, "broker").ok_or_else(panicked)?.is_empty() {
        return Err(failed(&format!("no brokerName given: {template}")));
    }
    Ok(queue.to_owned())
}

/// `Validate()`'s wrapping, trailing space included.
fn failed(why: &str) -> ScalerError {
    typed::error(
        "restApiTemplate",
        ErrorKind::Invalid,
        format!("can't parse restApiTemplate : {why} "),
    )
}

fn panicked() -> ScalerError {
    typed::error("restApiTemplate", ErrorKind::Invalid, INDEX_PANIC)
}

/// `Validate()`: the queue name the metric is named after.
fn validate(p: &Parsed) -> Result<String, ScalerError> {
    let template = p.str("restApiTemplate");
    let queue = if template.is_empty() {
        for (key, what) in [
            ("managementEndpoint", "management endpoint"),
            ("queueName", "queue name"),
            ("brokerName", "broker name"),
            ("brokerAddress", "broker address"),
        ] {
            if p.str(key).is_empty() {
                return Err(typed::error(
                    key,
                    ErrorKind::Missing,
                    format!("no {what} given"),
                ));
            }
        }
        p.str("queueName").to_owned()
    } else {
        from_template(template)?
    };
    let (cert, key) = (p.str("cert"), p.str("key"));
    if cert.is_empty() != key.is_empty() {
        let which = if cert.is_empty() { "cert" } else { "key" };
        return Err(typed::error(
            which,
            ErrorKind::Missing,
            "both cert and key must be provided",
        ));
    }
    Ok(queue)
}

/// `NewArtemisQueueScaler` up to the HTTP client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut queue = String::new();
    let parsed = typed::read(input, PARAMS, |p| {
        queue = validate(p)?;
        Ok(())
    })
    .map_err(only_panic)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("artemis-{queue}")),
        metric_type,
        target: parsed.int("queueLength") as f64,
        activation: parsed.int("activationQueueLength") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("username", "u"), ("password", "p")];
    const NAMED: &[(&str, &str)] = &[
        ("managementEndpoint", "artemis:8161"),
        ("brokerName", "broker0"),
        ("brokerAddress", "orders"),
        ("queueName", "orders"),
    ];

    fn template(broker: &str) -> String {
        format!("http://localhost:8161/console/jolokia/read/org.apache.activemq.artemis:broker=\"{broker}\",component=addresses,address=\"test\",subcomponent=queues,routing-type=\"anycast\",queue=\"queue1\"/MessageCount")
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("artemis-queue")
            .meta(NAMED)
            .auth(AUTH)
            .parse()
            .unwrap();
        assert_eq!(m.metric_name, "s0-artemis-orders");
        assert_eq!((m.target, m.activation), (10.0, 10.0));
        let bad = Trigger::new("artemis-queue")
            .meta(NAMED)
            .auth(&[("username", "u"), ("password", "p"), ("cert", "c")]);
        assert_eq!(bad.messages(), vec!["both cert and key must be provided"]);
    }

    /// `artemisMetricIdentifiers`, and the queue name a template yields (quotes included).
    #[test]
    fn metric_names() {
        let t = Trigger::new("artemis-queue").meta(NAMED).auth(AUTH).index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-artemis-orders");
        let t = Trigger::new("artemis-queue")
            .meta(&[("restApiTemplate", &template("b"))])
            .auth(AUTH);
        assert_eq!(t.parse().unwrap().metric_name, "s0-artemis-\"queue1\"");
    }

    #[test]
    fn template_errors_in_keda_s_words() {
        let msgs = |template: &str| {
            Trigger::new("artemis-queue")
                .meta(&[("restApiTemplate", template)])
                .auth(AUTH)
                .messages()
        };
        let t = template("");
        assert_eq!(
            msgs(&t),
            vec![format!("can't parse restApiTemplate : no brokerName given: {t} ")]
        );
        assert_eq!(
            msgs("localhost"),
            vec!["can't parse restApiTemplate : unable to parse the artemis restAPITemplate: parse \"localhost\": invalid URI for request "]
        );
        // Nothing in the path needs escaping, so Go's RawPath is empty: index panic.
        assert_eq!(msgs("http://h/x:broker=b/Q"), vec![super::INDEX_PANIC]);
        assert_eq!(msgs("http://h/x:queue=\"q\"/Q"), vec![super::INDEX_PANIC]);
    }
}
