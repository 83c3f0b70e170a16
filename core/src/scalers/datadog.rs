//! `datadog`: a Datadog query, through Datadog's API or the Datadog Cluster Agent
//! (`pkg/scalers/datadog_scaler.go`).
//!
//! KEDA reads the metric type, then the typed config and its `Validate()` (non-negative
//! offsets, a query scope in braces, `authMode` only `bearer` and then with a `token`), then
//! checks the path `useClusterAgentProxy` picks, stopping at the first problem: the API
//! needs `appKey`, `apiKey`, a target and a query with `{`; the Cluster Agent needs its
//! service, metric name, namespace, metric namespace and a target. The deprecated
//! metadata `type` (`average` or `global`) may not be combined with `metricType`.
//!
//! Valid: the keys in a TriggerAuthentication.
//! ```yaml
//! - type: datadog
//!   metadata:
//!     query: sum:trace.http.request.hits{service:orders}.as_count()
//!     queryValue: "7"
//!     age: "120"
//!   authenticationRef:
//!     name: datadog-keys   # apiKey, appKey
//! ```
//! Invalid (the query has no scope in braces):
//! ```yaml
//! - type: datadog
//!   metadata:
//!     query: sum:trace.http.request.hits
//!     queryValue: "7"
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, DURATION, FLOAT64, FLOAT64_PTR, INT, M, STRING};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

/// `datadogMetadata`'s tags, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("datadogNamespace", &[A], STRING).optional(),
    Param::new("datadogMetricsService", &[A], STRING).optional(),
    Param::new("datadogMetricsServicePort", &[A], INT).default("8443"),
    Param::new("unsafeSsl", &[A], BOOL).default("false"),
    Param::new("authMode", &[A], STRING).optional(),
    Param::new("token", &[A], STRING).optional(),
    Param::new("datadogMetricName", &[M], STRING).optional(),
    Param::new("datadogMetricNamespace", &[M], STRING).optional(),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("apiKey", &[A], STRING).optional(),
    Param::new("appKey", &[A], STRING).optional(),
    Param::new("datadogSite", &[A], STRING).default("datadoghq.com"),
    Param::new("query", &[M], STRING).optional(),
    Param::new("queryAggregator", &[M], STRING)
        .optional()
        .one_of(&["average", "max"]),
    Param::new("activationQueryValue", &[M], FLOAT64).default("0"),
    Param::new("age", &[M], INT).default("90"),
    Param::new("timeWindowOffset", &[M], INT).default("0"),
    Param::new("lastAvailablePointOffset", &[M], INT).default("0"),
    Param::new("useClusterAgentProxy", &[M], BOOL).default("false"),
    Param::new("hpaMetricName", &[M], STRING).optional(),
    Param::new("metricUnavailableValue", &[M], FLOAT64_PTR).optional(),
    Param::new("targetValue;queryValue", &[M], FLOAT64).default("-1"),
    Param::new("timeout", &[M], DURATION).optional(),
];

/// `datadogMetadata.Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let invalid = |key: &str, message: &str| Err(typed::error(key, ErrorKind::Invalid, message));
    if p.int("age") < 0 {
        return invalid("age", "age should not be smaller than 0 seconds");
    }
    if p.int("timeWindowOffset") < 0 {
        return invalid(
            "timeWindowOffset",
            "timeWindowOffset should not be smaller than 0 seconds",
        );
    }
    if p.int("lastAvailablePointOffset") < 0 {
        return invalid(
            "lastAvailablePointOffset",
            "lastAvailablePointOffset should not be smaller than 0",
        );
    }
    let query = p.str("query");
    if !query.is_empty() && !has_scope(query) {
        return invalid(
            "query",
            "error in query: malformed Datadog query: missing query scope",
        );
    }
    let auth_mode = p.str("authMode");
    if !auth_mode.is_empty() {
        if auth_mode.trim() != "bearer" {
            return invalid(
                "authMode",
                &format!("err incorrect value for authMode is given: {auth_mode}"),
            );
        }
        if p.str("token").is_empty() {
            return Err(typed::error(
                "token",
                ErrorKind::Missing,
                "BearerToken is required",
            ));
        }
    }
    Ok(())
}

/// Go's `regexp.MustCompile(`.*\{.*\}.*`).MatchString`: a `{` and a later `}` on one line.
fn has_scope(query: &str) -> bool {
    query.split('\n').any(|line| {
        line.find('{')
            .is_some_and(|open| line[open + 1..].contains('}'))
    })
}

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["datadog"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let cluster_agent = p.bool("useClusterAgentProxy");
    let first = |e: ScalerError| vec![e];
    if cluster_agent {
        for (key, value, what) in [
            (
                "datadogMetricsService",
                p.str("datadogMetricsService"),
                "datadog metrics service",
            ),
            (
                "datadogMetricName",
                p.str("datadogMetricName"),
                "datadog metric name",
            ),
            (
                "datadogNamespace",
                p.str("datadogNamespace"),
                "datadog namespace",
            ),
            (
                "datadogMetricNamespace",
                p.str("datadogMetricNamespace"),
                "datadog metric namespace",
            ),
        ] {
            if value.is_empty() {
                return Err(first(typed::error(
                    key,
                    ErrorKind::Missing,
                    format!("{what} is required"),
                )));
            }
        }
    } else {
        for (key, what) in [("appKey", "AppKey"), ("apiKey", "APIKey")] {
            if p.str(key).is_empty() {
                return Err(first(typed::error(
                    key,
                    ErrorKind::Missing,
                    format!("error parsing Datadog metadata: missing {what}"),
                )));
            }
        }
    }
    let target = p.float("targetValue;queryValue");
    // -1 is the tag's default: "not given". The linter drops this error when the trigger
    // only feeds scalingModifiers, where KEDA uses 0 instead.
    if target == -1.0 {
        return Err(first(typed::error(
            "targetValue",
            ErrorKind::MissingTarget,
            "no targetValue or queryValue given",
        )));
    }
    let mut metric_type = metric_type;
    if let Some(kind) = input.metadata.get("type") {
        if input.metric_type.is_some_and(|t| !t.is_empty()) {
            return Err(first(typed::error(
                "type",
                ErrorKind::Invalid,
                "only one of trigger.metadata.type or trigger.metricType should be defined",
            )));
        }
        metric_type = match kind.to_lowercase().as_str() {
            "average" => super::MetricType::AverageValue,
            "global" => super::MetricType::Value,
            _ => {
                return Err(first(typed::error(
                    "type",
                    ErrorKind::Invalid,
                    "type has to be global or average",
                )))
            }
        };
    }
    let metric_name = if cluster_agent {
        format!(
            "datadogmetric@{}:{}",
            p.str("datadogMetricNamespace"),
            p.str("datadogMetricName")
        )
    } else {
        let query = p.str("query");
        if query.is_empty() {
            return Err(first(typed::error(
                "query",
                ErrorKind::Missing,
                "error parsing Datadog metadata: missing Query",
            )));
        }
        let Some(brace) = query.find('{') else {
            return Err(first(typed::error(
                "query",
                ErrorKind::Invalid,
                "error parsing Datadog metadata: Query must contain '{' character",
            )));
        };
        super::metric_name(input.index, &format!("datadog-{}", &query[..brace]))
    };
    Ok(ScalerMetric {
        metric_name,
        metric_type,
        target,
        activation: if cluster_agent {
            p.float("activationTargetValue")
        } else {
            p.float("activationQueryValue")
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn run(
        meta: &[(&str, &str)],
        auth: &[(&str, &str)],
        metric_type: Option<&str>,
    ) -> Result<ScalerMetric, Vec<String>> {
        let (metadata, auth_params, env) = (map(meta), map(auth), BTreeMap::new());
        parse(&TriggerInput {
            trigger_type: "datadog",
            index: 0,
            metadata: &metadata,
            auth_params: &auth_params,
            env: &env,
            pod_identity: None,
            metric_type,
            namespace: "default",
        })
        .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const QUERY: (&str, &str) = (
        "query",
        "sum:trace.redis.command.hits{env:none,service:redis}.as_count()",
    );
    const KEYS: [(&str, &str); 3] = [
        ("apiKey", "apiKey"),
        ("appKey", "appKey"),
        ("datadogSite", "datadogSite"),
    ];
    const AGENT: [(&str, &str); 4] = [
        ("useClusterAgentProxy", "true"),
        ("datadogMetricName", "nginx-hits"),
        ("datadogMetricNamespace", "default"),
        ("targetValue", "2"),
    ];
    const AGENT_AUTH: [(&str, &str); 4] = [
        ("token", "token"),
        ("datadogNamespace", "datadog"),
        ("datadogMetricsService", "datadog-cluster-agent-metrics-api"),
        ("authMode", "bearer"),
    ];

    fn plus<'a>(
        base: &[(&'a str, &'a str)],
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut v = base.to_vec();
        v.extend_from_slice(extra);
        v
    }

    /// `pkg/scalers/datadog_scaler_test.go`, table `testDatadogAPIMetadata`: the rows whose
    /// verdict turns on one check each.
    #[test]
    fn keda_api_table() {
        let q7 = [QUERY, ("queryValue", "7")];
        // row 1: all properly formed
        assert!(run(
            &plus(
                &q7,
                &[
                    ("metricUnavailableValue", "1.5"),
                    ("type", "average"),
                    ("age", "60"),
                    ("timeWindowOffset", "30"),
                    ("lastAvailablePointOffset", "1")
                ]
            ),
            &KEYS,
            None
        )
        .is_ok());
        // rows 2-8 valid timeouts, 9-10 invalid ones
        for t in ["30s", "1m", "2m30s", "500ms", "0s", "30", ""] {
            assert!(
                run(&plus(&q7, &[("timeout", t)]), &KEYS, None).is_ok(),
                "{t}"
            );
        }
        for t in ["invalid", "-5s"] {
            assert!(
                run(&plus(&q7, &[("timeout", t)]), &KEYS, None).is_err(),
                "{t}"
            );
        }
        // row 16: wrong type; row 17: both metadata type and metricType
        assert_eq!(
            run(&plus(&q7, &[("type", "invalid")]), &KEYS, None).unwrap_err(),
            ["type has to be global or average"]
        );
        assert_eq!(
            run(
                &plus(&q7, &[("type", "average")]),
                &KEYS,
                Some("AverageValue")
            )
            .unwrap_err(),
            ["only one of trigger.metadata.type or trigger.metricType should be defined"]
        );
        // row 18: missing query; row 19: missing queryValue
        assert_eq!(
            run(&[("queryValue", "7")], &KEYS, None).unwrap_err(),
            ["error parsing Datadog metadata: missing Query"]
        );
        assert_eq!(
            run(&[QUERY], &KEYS, None).unwrap_err(),
            ["no targetValue or queryValue given"]
        );
        // row 23: malformed query
        assert_eq!(
            run(
                &[
                    ("query", "sum:trace.redis.command.hits"),
                    ("queryValue", "7")
                ],
                &KEYS,
                None
            )
            .unwrap_err(),
            ["error in query: malformed Datadog query: missing query scope"]
        );
        // row 24: wrong metricUnavailableValue type
        // (Go's JSON scanner then says "invalid character 'o' in literal null (expecting 'u')".)
        let e = run(
            &plus(&q7, &[("metricUnavailableValue", "notafloat")]),
            &KEYS,
            None,
        )
        .unwrap_err();
        assert!(
            e[0].starts_with("unable to set param \"metricUnavailableValue\" value \"notafloat\": unable to unmarshal to field type *float64: invalid character "),
            "{e:?}"
        );
        // rows 27-28: missing apiKey / appKey (appKey is checked first)
        assert_eq!(
            run(&q7, &[("appKey", "appKey")], None).unwrap_err(),
            ["error parsing Datadog metadata: missing APIKey"]
        );
        assert_eq!(
            run(&q7, &[], None).unwrap_err(),
            ["error parsing Datadog metadata: missing AppKey"]
        );
        // row 26: default datadogSite; metric name from the query's metric
        let m = run(&q7, &KEYS[..2], None).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-datadog-sum-trace-redis-command-hits", 7.0)
        );
    }

    /// `testDatadogClusterAgentMetadata`.
    #[test]
    fn keda_cluster_agent_table() {
        // row 1
        let m = run(
            &plus(&AGENT, &[("type", "global")]),
            &plus(
                &AGENT_AUTH,
                &[("datadogMetricsServicePort", "8080"), ("unsafeSsl", "true")],
            ),
            None,
        )
        .unwrap();
        assert_eq!(m.metric_name, "datadogmetric@default:nginx-hits");
        assert_eq!(m.metric_type, super::super::MetricType::Value);
        // row 4: missing datadogMetricName
        assert_eq!(
            run(&[AGENT[0], AGENT[2], AGENT[3]], &AGENT_AUTH, None).unwrap_err(),
            ["datadog metric name is required"]
        );
        // row 6: wrong port type
        let e = run(
            &AGENT,
            &plus(&AGENT_AUTH, &[("datadogMetricsServicePort", "notanint")]),
            None,
        )
        .unwrap_err();
        assert!(
            e[0].starts_with("unable to set param \"datadogMetricsServicePort\" value \"notanint\": unable to unmarshal to field type int: invalid character "),
            "{e:?}"
        );
        // authMode must be bearer, with a token
        assert_eq!(
            run(&AGENT, &[("authMode", "basic")], None).unwrap_err(),
            ["err incorrect value for authMode is given: basic"]
        );
        assert_eq!(
            run(&AGENT, &[("authMode", "bearer")], None).unwrap_err(),
            ["BearerToken is required"]
        );
        // rows 16 and 17: timeouts
        assert!(run(&plus(&AGENT, &[("timeout", "-10s")]), &AGENT_AUTH, None).is_err());
        assert!(run(&plus(&AGENT, &[("timeout", "")]), &AGENT_AUTH, None).is_ok());
    }

    #[test]
    fn scope_follows_the_regexp() {
        assert!(has_scope("avg:system.cpu.user{*}"));
        assert!(has_scope("a\nb{x}"));
        assert!(!has_scope("a{\n}"));
        assert!(!has_scope("min:system.cpu.user"));
        assert!(!has_scope("a}{"));
    }
}
