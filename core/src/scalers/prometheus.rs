//! `prometheus`: the result of a PromQL query (`pkg/scalers/prometheus_scaler.go`).
//!
//! KEDA builds the scaler in this order: the metric type, then its typed config (the shared
//! authentication block first, then the fields below), then: authentication modes and a
//! pod identity exclude each other; with `azure-workload` and no mode the `cloud` metadata
//! must name a cloud where Azure Monitor's managed Prometheus exists.
//!
//! Valid:
//! ```yaml
//! - type: prometheus
//!   metadata:
//!     serverAddress: http://prometheus.monitoring:9090
//!     query: sum(rate(http_requests_total{app="orders"}[2m]))
//!     threshold: "100"
//!     customHeaders: X-Scope-OrgID=team-a
//! ```
//! Invalid (`customHeaders` pieces must be `key=value`; `threshold` missing):
//! ```yaml
//! - type: prometheus
//!   metadata:
//!     serverAddress: http://prometheus.monitoring:9090
//!     query: up
//!     customHeaders: X-Scope-OrgID
//! ```

use super::authentication;
use super::typed::{self, Param, A, BOOL, DURATION, FLOAT64, M, STRING, STRING_MAP};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

/// `prometheusMetadata`'s tags after its `PrometheusAuth` block, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("serverAddress", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("queryParameters", &[M], STRING_MAP).optional(),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).optional(),
    Param::new("namespace", &[M], STRING).optional(),
    Param::new("customHeaders", &[M], STRING_MAP).optional(),
    Param::new("ignoreNullValues", &[M], BOOL).default("true"),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("awsRegion", &[M, A], STRING).optional(),
    Param::new("timeout", &[M], DURATION).optional(),
    Param::new("identityOwner", &[M], STRING).optional(),
];

/// Clouds with a managed Prometheus resource (`azureManagedPrometheusResourceURLInCloud`).
const MANAGED_PROMETHEUS_CLOUDS: &[&str] = &[
    "AZUREPUBLICCLOUD",
    "AZUREUSGOVERNMENTCLOUD",
    "AZURECHINACLOUD",
];

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["prometheus"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let auth = authentication::parse(input);
    let own = typed::read(input, PARAMS, |_| Ok(()));
    let (auth, own) = match (auth, own) {
        (Ok(a), Ok(o)) => (a, o),
        (a, o) => {
            let mut errors = a.err().unwrap_or_default();
            errors.extend(o.err().unwrap_or_default());
            return Err(errors);
        }
    };
    authentication::check_pod_identity(&auth, input).map_err(|e| vec![e])?;
    if auth.disabled() && input.pod_identity == Some("azure-workload") {
        managed_prometheus_resource(input).map_err(|e| vec![e])?;
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "prometheus"),
        metric_type,
        target: own.float("threshold"),
        activation: own.float("activationThreshold"),
    })
}

/// `ParseEnvironmentProperty(metadata, "azureManagedPrometheusResourceURL", ...)`.
fn managed_prometheus_resource(input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    const KEY: &str = "azureManagedPrometheusResourceURL";
    let cloud = input.metadata.get("cloud").map_or("", String::as_str);
    if cloud.is_empty() {
        return Ok(());
    }
    if cloud.eq_ignore_ascii_case("Private") {
        return match input.metadata.get(KEY) {
            Some(v) if !v.is_empty() => Ok(()),
            _ => Err(typed::error(
                KEY,
                ErrorKind::Missing,
                format!("{KEY} must be provided for Private cloud type"),
            )),
        };
    }
    let name = super::cloud::environment_name(cloud).ok_or_else(|| {
        // AzureStackCloud is read from a file the operator's environment names.
        let kind = if cloud.eq_ignore_ascii_case("AzureStackCloud") {
            ErrorKind::OperatorEnv
        } else {
            ErrorKind::Invalid
        };
        typed::error("cloud", kind, format!("invalid cloud environment {cloud}"))
    })?;
    if MANAGED_PROMETHEUS_CLOUDS.contains(&name.to_ascii_uppercase().as_str()) {
        return Ok(());
    }
    Err(typed::error(
        "cloud",
        ErrorKind::Invalid,
        format!("azure managed prometheus is not available in cloud {name}"),
    ))
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

    fn run(meta: &[(&str, &str)], identity: Option<&str>) -> Result<ScalerMetric, Vec<String>> {
        let (metadata, empty) = (map(meta), BTreeMap::new());
        parse(&TriggerInput {
            trigger_type: "prometheus",
            index: 1,
            metadata: &metadata,
            auth_params: &empty,
            env: &empty,
            pod_identity: identity,
            metric_type: None,
            namespace: "default",
        })
        .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const BASE: [(&str, &str); 3] = [
        ("serverAddress", "http://localhost:9090"),
        ("query", "up"),
        ("threshold", "100"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = BASE.to_vec();
        v.extend_from_slice(extra);
        v
    }

    /// `pkg/scalers/prometheus_scaler_test.go`, table `testPromMetadata`, rows 0-18 (the
    /// `metricName` those rows carry is not a field: ignored).
    #[test]
    fn keda_metadata_table() {
        let rows: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&with(&[("metricName", "http_requests_total")]), false),
            (&with(&[("namespace", "foo")]), false),
            (&with(&[("ignoreNullValues", "false")]), false),
            (&with(&[("activationThreshold", "50")]), false),
            (&with(&[("serverAddress", "")]), true),
            (
                &[("serverAddress", "http://localhost:9090"), ("query", "up")],
                true,
            ),
            (&with(&[("threshold", "one")]), true),
            (&with(&[("activationThreshold", "one")]), true),
            (&with(&[("query", "")]), true),
            (&with(&[("ignoreNullValues", "xxxx")]), true),
            (&with(&[("unsafeSsl", "true")]), false),
            (
                &with(&[("customHeaders", "key1=value1,key2=value2")]),
                false,
            ),
            (&with(&[("customHeaders", "key1=value1,key2")]), true),
            (
                &with(&[("queryParameters", "key1=value1,key2=value2")]),
                false,
            ),
            (&with(&[("queryParameters", "key1=value1,key2")]), true),
            (&with(&[("timeout", "1000")]), false),
            (&with(&[("timeout", "-1")]), true),
            (&with(&[("timeout", "a")]), true),
        ];
        for (i, (meta, refused)) in rows.iter().enumerate() {
            // `with` puts later pairs last: a repeated key takes the row's value.
            let got = run(meta, None);
            assert_eq!(got.is_err(), *refused, "row {i}: {got:?}");
        }
    }

    #[test]
    fn messages_and_metric() {
        let m = run(&with(&[("activationThreshold", "5")]), None).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s1-prometheus", 100.0, 5.0)
        );
        assert_eq!(
            run(&with(&[("customHeaders", "key1=value1,key2")]), None).unwrap_err(),
            ["unable to set param \"customHeaders\" value \"key1=value1,key2\": expected format key=value, got \"key2\""]
        );
        assert_eq!(
            run(&[("query", "up")], None).unwrap_err(),
            [
                "missing required parameter \"serverAddress\" in [triggerMetadata]",
                "missing required parameter \"threshold\" in [triggerMetadata]"
            ]
        );
        assert_eq!(
            run(&with(&[("authModes", "basic")]), None).unwrap_err(),
            ["username=<empty> is required when basic auth is enabled"]
        );
    }

    /// Through the linter: with `scalingModifiers` the scaler is built as a metric source.
    fn lint_with_modifiers(trigger: &str) -> Vec<String> {
        let text = format!(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: o\n  namespace: demo\nspec:\n  scaleTargetRef:\n    name: o\n  advanced:\n    scalingModifiers:\n      formula: m\n      target: '5'\n  triggers:\n  - name: m\n{trigger}"
        );
        crate::validate::lint(&text, &crate::validate::LintOptions::default())
            .into_iter()
            .filter(|d| d.code.starts_with("KEDA2"))
            .map(|d| d.message)
            .collect()
    }

    /// `threshold` is a required typed-config field: KEDA zeroes it for a metric source only
    /// after reading it.
    #[test]
    fn a_metric_source_still_needs_a_threshold() {
        let found = lint_with_modifiers(
            "    type: prometheus\n    metadata:\n      serverAddress: http://p:9090\n      query: up\n",
        );
        assert_eq!(
            found,
            ["prometheus trigger: missing required parameter \"threshold\" in [triggerMetadata]"]
        );
    }

    #[test]
    fn managed_prometheus_clouds() {
        let wi = Some("azure-workload");
        assert!(run(&with(&[("cloud", "AzureChinaCloud")]), wi).is_ok());
        assert_eq!(
            run(&with(&[("cloud", "azureGermanCloud")]), wi).unwrap_err(),
            ["azure managed prometheus is not available in cloud AzureGermanCloud"]
        );
        assert_eq!(
            run(&with(&[("cloud", "Private")]), wi).unwrap_err(),
            ["azureManagedPrometheusResourceURL must be provided for Private cloud type"]
        );
        assert!(run(
            &with(&[
                ("cloud", "private"),
                ("azureManagedPrometheusResourceURL", "https://p/.default")
            ]),
            wi
        )
        .is_ok());
        assert_eq!(
            run(&with(&[("cloud", "Mars")]), wi).unwrap_err(),
            ["invalid cloud environment Mars"]
        );
        // Without workload identity the cloud is never read.
        assert!(run(&with(&[("cloud", "Mars")]), None).is_ok());
    }
}
