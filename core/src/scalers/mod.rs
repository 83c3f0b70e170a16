//! Scalers: for each trigger type, how KEDA reads its metadata, which metric it gives the HPA
//! (name, target, activation), and which metadata mistakes stop it from being built.

pub mod authentication;
mod aws;
pub mod azure_ad;
pub mod azure_storage;
pub mod catalog;
pub mod cloud;
pub mod cpu_memory;
pub mod cron;
mod gcp;
pub mod names;
pub mod secret;
pub mod servicebus;
pub mod typed;

#[cfg(test)]
pub(crate) mod testing;

/// Scalers with a module of their own (declarations, checks, examples and tests in one
/// file). Adding one is its file plus one line here.
macro_rules! modules {
    ($($m:ident),* $(,)?) => {
        $(pub mod $m;)*
        /// Every scaler module, in the order listed.
        pub static MODULES: &[&Module] = &[$(&$m::MODULE),*];
    };
}

modules! {
    rabbitmq,
    redis,
    redis_streams,
    kafka,
    apache_kafka,
    prometheus,
    metrics_api,
    datadog,
    loki,
    arangodb,
    pulsar,
    predictkube,
    gcp_pubsub,
    gcp_stackdriver,
    gcp_cloudtasks,
    gcp_storage,
    github_runner,
    forgejo_runner,
    selenium_grid,
    kubernetes_workload,
    external,
    postgresql,
    mysql,
    mssql,
    mongodb,
    cassandra,
    couchdb,
    etcd,
    temporal,
    aws_sqs_queue,
    aws_dynamodb,
    aws_dynamodb_streams,
    aws_kinesis_stream,
    aws_cloudwatch,
    huawei_cloudeye,
    openstack_metric,
    openstack_swift,
    activemq,
    artemis,
    ibmmq,
    nats_jetstream,
    nsq,
    beanstalkd,
    liiklus,
    solace_dm,
    solace,
    elasticsearch,
    opensearch,
    elastic_forecast,
    solr,
    influxdb,
    kubernetes_resource,
    dynatrace,
    new_relic,
    splunk,
    splunk_observability,
    sumologic,
    solarwinds,
    graphite,
    azure_monitor,
    azure_log_analytics,
    azure_app_insights,
    azure_data_explorer,
    azure_pipelines,
    azure_queue,
    azure_blob,
    azure_eventhub,
}

/// What a scaler module gives the registry.
pub struct Module {
    /// The trigger types it builds.
    pub types: &'static [&'static str],
    /// KEDA's scaler constructor up to the first network call: the metric, or every error.
    pub parse: fn(&TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>>,
}

/// The module building `trigger_type`, if it has one.
pub fn module(trigger_type: &str) -> Option<&'static Module> {
    MODULES
        .iter()
        .copied()
        .find(|m| m.types.contains(&trigger_type))
}

use std::collections::BTreeMap;

use crate::version::KedaVersion;

/// How the HPA compares a metric with its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MetricType {
    AverageValue,
    Value,
    Utilization,
}

impl MetricType {
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::AverageValue => "AverageValue",
            MetricType::Value => "Value",
            MetricType::Utilization => "Utilization",
        }
    }
}

/// Everything a scaler reads when KEDA builds it.
#[derive(Clone, Copy, Debug)]
pub struct TriggerInput<'a> {
    /// `triggers[].type`, e.g. `azure-servicebus`.
    pub trigger_type: &'a str,
    /// Position in `spec.triggers` (the `s<index>-` prefix of metric names).
    pub index: usize,
    pub metadata: &'a BTreeMap<String, String>,
    /// What the referenced (Cluster)TriggerAuthentication yields.
    pub auth_params: &'a BTreeMap<String, String>,
    /// The scale target container's environment, resolved.
    pub env: &'a BTreeMap<String, String>,
    /// `podIdentity.provider` of the authentication, if any.
    pub pod_identity: Option<&'a str>,
    /// `triggers[].metricType` as written.
    pub metric_type: Option<&'a str>,
    /// Namespace of the ScaledObject or ScaledJob.
    pub namespace: &'a str,
}

/// The metric a trigger gives the HPA.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalerMetric {
    /// External metric name, `s<index>-<base>`; for cpu/memory the resource name.
    pub metric_name: String,
    pub metric_type: MetricType,
    /// The HPA target (per pod for AverageValue).
    pub target: f64,
    /// Active iff the metric value is strictly greater than this.
    pub activation: f64,
}

/// What sort of problem a [`ScalerError`] is, so a linter that knows only part of the
/// inputs can tell "wrong" from "not visible here".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A value is present and KEDA rejects it.
    Invalid,
    /// A value KEDA needs was found nowhere (it may come from a source not in view).
    Missing,
    /// The metric target is missing (or zero), which KEDA allows only when the trigger
    /// feeds `scalingModifiers` alone (its `AsMetricSource`).
    MissingTarget,
    /// The authentication's pod identity provider is not supported by this scaler.
    PodIdentity,
    /// `metricType` does not fit this scaler.
    MetricType,
    /// Depends on the KEDA operator's own environment.
    OperatorEnv,
    /// A parameter KEDA has removed.
    Removed,
    /// No scaler exists for the trigger type.
    UnknownType,
}

/// Why a scaler could not be built, and which metadata key is at fault.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ScalerError {
    pub key: Option<String>,
    pub message: String,
    pub kind: ErrorKind,
}

/// A trigger as its scaler reads it.
#[derive(Clone, Debug)]
pub enum ParsedTrigger {
    ServiceBus(servicebus::ServiceBusConfig),
    Resource(cpu_memory::ResourceConfig),
    Cron(cron::CronConfig),
    /// A scaler with its own module (see [`MODULES`]).
    Module(ScalerMetric),
    Generic(catalog::GenericConfig),
}

impl ParsedTrigger {
    pub fn metric(&self) -> ScalerMetric {
        match self {
            ParsedTrigger::ServiceBus(c) => c.metric(),
            ParsedTrigger::Resource(c) => c.metric(),
            ParsedTrigger::Cron(c) => c.metric(),
            ParsedTrigger::Module(m) => m.clone(),
            ParsedTrigger::Generic(c) => c.metric.clone(),
        }
    }
}

/// Parses a trigger the way KEDA's operator builds its scaler. Errors come back together
/// (KEDA joins them into one message).
pub fn parse(input: &TriggerInput<'_>) -> Result<ParsedTrigger, Vec<ScalerError>> {
    parse_for(input, KedaVersion::DEFAULT)
}

/// [`parse`] as a given KEDA release does it (parameters were removed over time).
pub fn parse_for(
    input: &TriggerInput<'_>,
    version: KedaVersion,
) -> Result<ParsedTrigger, Vec<ScalerError>> {
    match input.trigger_type {
        "azure-servicebus" => servicebus::parse(input).map(ParsedTrigger::ServiceBus),
        "cpu" | "memory" => cpu_memory::parse_for(input, version).map(ParsedTrigger::Resource),
        "cron" => cron::parse_for(input, version).map(ParsedTrigger::Cron),
        t => match module(t) {
            Some(m) => (m.parse)(input).map(ParsedTrigger::Module),
            None => catalog::parse_for(input, version).map(ParsedTrigger::Generic),
        },
    }
}

/// The metric a trigger produces. Only what decides scaling must be readable (target,
/// activation, metric type, the names in the metric name): a missing connection or server
/// address does not stop a simulation, so it is not an error here (the linter reports it).
pub fn metric(input: &TriggerInput<'_>) -> Result<ScalerMetric, ScalerError> {
    match input.trigger_type {
        "azure-servicebus" => servicebus::metric(input),
        "cpu" | "memory" | "cron" => parse(input).map(|p| p.metric()).map_err(first),
        // A module's metric when the trigger builds; otherwise what decides scaling alone.
        t => match module(t).map(|m| (m.parse)(input)) {
            Some(Ok(m)) => Ok(m),
            _ => catalog::metric(input),
        },
    }
}

/// The first of KEDA's joined errors.
pub(crate) fn first(mut errors: Vec<ScalerError>) -> ScalerError {
    if errors.is_empty() {
        ScalerError {
            key: None,
            kind: ErrorKind::Invalid,
            message: "the scaler could not be built".to_owned(),
        }
    } else {
        errors.swap_remove(0)
    }
}

/// `GetMetricTargetType`: external metrics take `AverageValue` (default) or `Value`.
pub fn external_metric_type(input: &TriggerInput<'_>) -> Result<MetricType, ScalerError> {
    match input.metric_type.unwrap_or("") {
        "" | "AverageValue" => Ok(MetricType::AverageValue),
        "Value" => Ok(MetricType::Value),
        "Utilization" => Err(ScalerError {
            key: None,
            kind: ErrorKind::MetricType,
            message: "'Utilization' metric type is unsupported for external metrics, allowed \
                      values are 'Value' or 'AverageValue'"
                .to_owned(),
        }),
        // KEDA passes it on; the HPA it creates is then rejected by Kubernetes.
        other => Err(ScalerError {
            key: None,
            kind: ErrorKind::MetricType,
            message: format!(
                "metricType {other:?} is not a metric target type; the HPA accepts \
                 'Utilization', 'Value' or 'AverageValue'"
            ),
        }),
    }
}

/// `s<index>-` + `NormalizeString(base)`.
pub fn metric_name(index: usize, base: &str) -> String {
    format!("s{index}-{}", normalize_string(base))
}

/// KEDA's `NormalizeString`: each of `/ . : % ( )` becomes `-`; nothing else changes.
pub fn normalize_string(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '/' | '.' | ':' | '%' | '(' | ')' => '-',
            c => c,
        })
        .collect()
}

/// What Go's `regexp.Compile` would say of a pattern (RE2 syntax), as far as this build of
/// the `regex` crate can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegexCheck {
    Valid,
    Invalid,
    /// Go accepts Unicode classes (`\pL`, `\p{Greek}`) whose tables this build leaves out.
    Unsupported,
}

pub fn regex_check(pattern: &str) -> RegexCheck {
    let pattern = re2_quoted(pattern);
    if go_repeat_too_large(&pattern) {
        return RegexCheck::Invalid;
    }
    match regex_lite::Regex::new(&pattern) {
        Ok(_) => RegexCheck::Valid,
        // RE2 accepts `\pL` and `\p{Greek}`; this engine has no Unicode tables, so such a
        // pattern is left unjudged rather than called invalid.
        Err(e) if e.to_string().contains("Unicode character classes") => RegexCheck::Unsupported,
        Err(_) => RegexCheck::Invalid,
    }
}

/// RE2's `\Q...\E` (literal text, to the end when `\E` is missing), written as escapes
/// the engine here understands.
pub fn re2_quoted(pattern: &str) -> std::borrow::Cow<'_, str> {
    if !pattern.contains("\\Q") {
        return std::borrow::Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut rest = pattern;
    while let Some(i) = find_unescaped_q(rest) {
        out.push_str(&rest[..i]);
        let quoted = &rest[i + 2..];
        let (literal, after) = match quoted.find("\\E") {
            Some(e) => (&quoted[..e], &quoted[e + 2..]),
            None => (quoted, ""),
        };
        out.push_str(&regex_lite::escape(literal));
        rest = after;
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Byte index of the first `\Q` that is not itself an escaped backslash followed by `Q`.
fn find_unescaped_q(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            if b[i + 1] == b'Q' {
                return Some(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// RE2 rejects repeat counts above 1000 (`a{1001}`), which the `regex` crate allows.
fn go_repeat_too_large(pattern: &str) -> bool {
    let b = pattern.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'{' => {
                let body_end = b[i + 1..]
                    .iter()
                    .position(|c| *c == b'}')
                    .map(|p| i + 1 + p);
                if let Some(end) = body_end {
                    let body = &pattern[i + 1..end];
                    let counts: Vec<&str> = body.split(',').collect();
                    let numeric = counts.len() <= 2
                        && !counts[0].is_empty()
                        && counts.iter().all(|c| c.bytes().all(|d| d.is_ascii_digit()));
                    if numeric
                        && counts
                            .iter()
                            .any(|c| !c.is_empty() && c.parse::<u32>().map_or(true, |n| n > 1000))
                    {
                        return true;
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_needs_only_what_decides_scaling() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let empty = BTreeMap::new();
        let input = |t: &'static str, m: &'static BTreeMap<String, String>| TriggerInput {
            trigger_type: t,
            index: 1,
            metadata: m,
            auth_params: &empty,
            env: &empty,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        };
        let prom: &'static BTreeMap<String, String> =
            Box::leak(Box::new(map(&[("threshold", "10")])));
        let m = metric(&input("prometheus", prom)).unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-prometheus", 10.0));
        let sb: &'static BTreeMap<String, String> = Box::leak(Box::new(map(&[
            ("queueName", "orders"),
            ("activationMessageCount", "2"),
        ])));
        let m = metric(&input("azure-servicebus", sb)).unwrap();
        assert_eq!(m.metric_name, "s1-azure-servicebus-orders");
        assert_eq!((m.target, m.activation), (5.0, 2.0));
        let bad: &'static BTreeMap<String, String> =
            Box::leak(Box::new(map(&[("threshold", "ten")])));
        assert_eq!(
            metric(&input("prometheus", bad))
                .unwrap_err()
                .key
                .as_deref(),
            Some("threshold")
        );
        let q: &'static BTreeMap<String, String> =
            Box::leak(Box::new(map(&[("queueName", "jobs")])));
        let m = metric(&input("azure-queue", q)).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s1-azure-queue-jobs", 5.0)
        );
        assert!(metric(&input("no-such-scaler", q)).is_err());
    }

    #[test]
    fn regex_checks_follow_re2() {
        assert_eq!(regex_check("orders-.*"), RegexCheck::Valid);
        assert_eq!(regex_check("*"), RegexCheck::Invalid);
        assert_eq!(regex_check("(?i)Orders"), RegexCheck::Valid);
        assert_eq!(regex_check("a{1000}"), RegexCheck::Valid);
        assert_eq!(regex_check("a{2,1001}"), RegexCheck::Invalid);
        assert_eq!(regex_check("a\\{1001}"), RegexCheck::Valid);
        // Valid in Go, beyond this engine: unjudged, never called invalid.
        assert_eq!(regex_check("\\pL+"), RegexCheck::Unsupported);
        assert_eq!(regex_check("\\Qorders.v1\\E-.*"), RegexCheck::Valid);
        assert_eq!(regex_check("\\Q(unclosed"), RegexCheck::Valid);
        assert_eq!(regex_check("\\Qa{1001}\\E"), RegexCheck::Valid);
        assert_eq!(regex_check("\\\\Q("), RegexCheck::Invalid);
        assert_eq!(re2_quoted("a\\Qb.c\\Ed"), "ab\\.cd");
    }

    #[test]
    fn normalizes_like_keda() {
        assert_eq!(normalize_string("a/b.c:d%e(f)g h_*"), "a-b-c-d-e-f-g h_*");
        assert_eq!(
            metric_name(3, "azure-queue-Orders.EU"),
            "s3-azure-queue-Orders-EU"
        );
    }
}
