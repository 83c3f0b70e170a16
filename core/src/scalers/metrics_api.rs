//! `metrics-api`: a number read from an HTTP endpoint (`pkg/scalers/metrics_api_scaler.go`).
//!
//! KEDA reads the metric type, then the typed config (the fields below, then the shared
//! authentication block), then requires a non-zero `targetValue` unless the trigger only
//! feeds `scalingModifiers`.
//!
//! Valid:
//! ```yaml
//! - type: metrics-api
//!   metadata:
//!     url: http://orders.shop.svc/api/v1/stats
//!     valueLocation: components.worker.tasks
//!     targetValue: "10"
//!     authMode: apiKey
//!   authenticationRef:
//!     name: stats-api-key   # apiKey
//! ```
//! Invalid (`format` must be prometheus, json, xml or yaml; `targetValue` missing):
//! ```yaml
//! - type: metrics-api
//!   metadata:
//!     url: http://orders.shop.svc/api/v1/stats
//!     valueLocation: tasks
//!     format: csv
//! ```

use super::authentication;
use super::typed::{self, Param, BOOL, DURATION, FLOAT64, M, STRING};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

/// `metricsAPIScalerMetadata`'s tags before its `MetricsAPIAuth` block, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("targetValue", &[M], FLOAT64).optional(),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("url", &[M], STRING),
    Param::new("format", &[M], STRING).default("json").one_of(&[
        "prometheus",
        "json",
        "xml",
        "yaml",
    ]),
    Param::new("valueLocation", &[M], STRING),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("aggregateFromKubeServiceEndpoints", &[M], BOOL).default("false"),
    Param::new("aggregationType", &[M], STRING)
        .default("average")
        .one_of(&["average", "sum", "max", "min"]),
    Param::new("timeout", &[M], DURATION).optional(),
];

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["metrics-api"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let own = typed::read(input, PARAMS, |_| Ok(()));
    let auth = authentication::parse(input);
    let own = match (own, auth) {
        (Ok(o), Ok(_)) => o,
        (o, a) => {
            let mut errors = o.err().unwrap_or_default();
            errors.extend(a.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let target = own.float("targetValue");
    // KEDA cannot tell an explicit 0 from a missing value; the linter drops this error when
    // the trigger only feeds scalingModifiers (KEDA's AsMetricSource).
    if target == 0.0 {
        return Err(vec![typed::error(
            "targetValue",
            ErrorKind::MissingTarget,
            "no targetValue given in metadata",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("metric-api-{}", own.str("valueLocation")),
        ),
        metric_type,
        target,
        activation: own.float("activationTargetValue"),
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

    fn run(meta: &[(&str, &str)]) -> Result<ScalerMetric, Vec<String>> {
        let (metadata, empty) = (map(meta), BTreeMap::new());
        parse(&TriggerInput {
            trigger_type: "metrics-api",
            index: 1,
            metadata: &metadata,
            auth_params: &empty,
            env: &empty,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        })
        .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const URL: (&str, &str) = ("url", "http://dummy:1230/api/v1/");

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

    #[test]
    fn a_metric_source_needs_no_target() {
        let found = lint_with_modifiers(
            "    type: metrics-api\n    metadata:\n      url: http://api/v1\n      valueLocation: v\n",
        );
        assert!(found.is_empty(), "{found:?}");
    }

    /// `pkg/scalers/metrics_api_scaler_test.go`, table `testMetricsAPIMetadata`, rows 0-9.
    #[test]
    fn keda_metadata_table() {
        let rows: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (
                &[URL, ("valueLocation", "metric.test"), ("targetValue", "42")],
                false,
            ),
            (
                &[URL, ("valueLocation", "metric"), ("targetValue", "aa")],
                true,
            ),
            (
                &[
                    URL,
                    ("valueLocation", "metric"),
                    ("targetValue", "1"),
                    ("activationTargetValue", "aa"),
                ],
                true,
            ),
            (&[URL, ("targetValue", "aa")], true),
            (&[("valueLocation", "metric"), ("targetValue", "aa")], true),
            (&[URL, ("valueLocation", "metric")], true),
            (
                &[
                    URL,
                    ("valueLocation", "metric"),
                    ("targetValue", "42"),
                    ("timeout", "1000"),
                ],
                false,
            ),
            (
                &[
                    URL,
                    ("valueLocation", "metric"),
                    ("targetValue", "42"),
                    ("timeout", "-1"),
                ],
                true,
            ),
            (
                &[
                    URL,
                    ("valueLocation", "metric"),
                    ("targetValue", "42"),
                    ("timeout", "a"),
                ],
                true,
            ),
        ];
        for (i, (meta, refused)) in rows.iter().enumerate() {
            let got = run(meta);
            assert_eq!(got.is_err(), *refused, "row {i}: {got:?}");
        }
    }

    #[test]
    fn messages_and_metric() {
        // `metricsAPIMetricIdentifiers`: row 1 at trigger index 1.
        let m = run(&[URL, ("valueLocation", "metric.test"), ("targetValue", "42")]).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s1-metric-api-metric-test", 42.0)
        );
        assert_eq!(
            run(&[URL, ("valueLocation", "metric"), ("targetValue", "0")]).unwrap_err(),
            ["no targetValue given in metadata"]
        );
        assert_eq!(
            run(&[
                URL,
                ("valueLocation", "m"),
                ("targetValue", "1"),
                ("format", "csv")
            ])
            .unwrap_err(),
            ["parameter \"format\" value \"csv\" must be one of [prometheus json xml yaml]"]
        );
        assert_eq!(
            run(&[URL, ("valueLocation", "m"), ("targetValue", "1"), ("unsafeSsl", "yes")])
                .unwrap_err(),
            ["unable to set param \"unsafeSsl\" value \"yes\": unable to parse boolean value \"yes\": strconv.ParseBool: parsing \"yes\": invalid syntax"]
        );
        // The authentication block is read after the scaler's own fields.
        assert_eq!(
            run(&[URL, ("targetValue", "1"), ("authMode", "apiKey")]).unwrap_err(),
            [
                "missing required parameter \"valueLocation\" in [triggerMetadata]",
                "apiKey is required when apiKey auth is enabled"
            ]
        );
    }
}
