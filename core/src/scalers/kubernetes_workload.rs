//! `kubernetes-workload`: the number of pods matching a label selector, per replica
//! (`pkg/scalers/kubernetes_workload_scaler.go`, `kubernetesWorkloadMetadata` and its
//! `Validate()`). Not modelled: the selector's own syntax (`labels.Parse`), which KEDA checks
//! after the typed read.
//!
//! Valid: one replica for every two matching pods.
//! ```yaml
//! - type: kubernetes-workload
//!   metadata:
//!     podSelector: app in (worker, batch)
//!     value: "2"
//! ```
//! Invalid: no target ("value must be a float greater than 0"), unless the trigger only
//! feeds `scalingModifiers`.
//! ```yaml
//! - type: kubernetes-workload
//!   metadata:
//!     podSelector: app=worker
//! ```

use super::typed::{self, Param, Parsed, BOOL, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["kubernetes-workload"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("podSelector", &[M], STRING),
    Param::new("value", &[M], FLOAT64).default("0"),
    Param::new("activationValue", &[M], FLOAT64).default("0"),
    Param::new("groupByNode", &[M], BOOL).default("false"),
];

/// `Validate()`. As a metric source (`scalingModifiers`) KEDA waives the check; an unset
/// value is reported as missing, which the linter drops for metric sources.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.float("value") <= 0.0 {
        // KEDA waives the check for a metric source (scalingModifiers); an unset value is
        // the target such a trigger may leave out.
        let kind = if p.is_set("value") {
            ErrorKind::Invalid
        } else {
            ErrorKind::MissingTarget
        };
        return Err(typed::error(
            "value",
            kind,
            "value must be a float greater than 0",
        ));
    }
    Ok(())
}

/// `NewKubernetesWorkloadScaler`: the metric is named after the ScaledObject's namespace.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &["workload-", input.namespace].concat()),
        metric_type,
        target: p.float("value"),
        activation: p.float("activationValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("kubernetes-workload")
            .meta(&[("podSelector", "app in (worker, batch)"), ("value", "2")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-workload-default", 2.0)
        );
        let bad = Trigger::new("kubernetes-workload").meta(&[("podSelector", "app=worker")]);
        assert_eq!(bad.messages(), vec!["value must be a float greater than 0"]);
    }

    /// As a metric source of `scalingModifiers` the trigger needs no value (`asMetricSource`).
    #[test]
    fn metric_sources_need_no_value() {
        let doc = |advanced: &str| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  \
                 scaleTargetRef:\n    name: a\n{advanced}  triggers:\n  - type: kubernetes-workload\n    \
                 name: pods\n    metadata:\n      podSelector: app=worker\n"
            )
        };
        let errors = |text: &str| -> Vec<String> {
            crate::lint(text, &crate::LintOptions::default())
                .into_iter()
                .filter(|d| d.code.starts_with("KEDA2") && d.severity == crate::Severity::Error)
                .map(|d| d.message)
                .collect()
        };
        assert_eq!(
            errors(&doc("")),
            vec!["kubernetes-workload trigger: value must be a float greater than 0"]
        );
        let modifiers = "  advanced:\n    scalingModifiers:\n      formula: pods\n      target: \"2\"\n";
        assert!(errors(&doc(modifiers)).is_empty());
    }

    /// `parseWorkloadMetadataTestDataset` rows 7, 11 and 14.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("kubernetes-workload").meta(&[("value", "1")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"podSelector\" in [triggerMetadata]"]
        );
        let t = Trigger::new("kubernetes-workload")
            .meta(&[("value", "0"), ("podSelector", "app=demo")]);
        assert_eq!(t.messages(), vec!["value must be a float greater than 0"]);
        let t = Trigger::new("kubernetes-workload").meta(&[
            ("value", "1"),
            ("podSelector", "app=demo"),
            ("groupByNode", "invalid"),
        ]);
        assert_eq!(t.messages().len(), 1);
    }
}
