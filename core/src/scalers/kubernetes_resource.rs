//! `kubernetes-resource`: a number held in a key of a ConfigMap or Secret in the scaled
//! object's namespace (`pkg/scalers/kubernetes_resource_scaler.go`,
//! `kubernetesResourceMetadata` and its `Validate()`). The key holds the number itself
//! (`format: number`) or a JSON or YAML document read at `valueLocation`. The metric is named
//! `<kind in lower case>-<resourceName>-<key>`.
//!
//! Valid: a field of a JSON document in a ConfigMap.
//! ```yaml
//! - type: kubernetes-resource
//!   metadata:
//!     resourceKind: ConfigMap
//!     resourceName: scaling-hints
//!     key: hints.json
//!     format: json
//!     valueLocation: workers.wanted
//!     targetValue: "1"
//! ```
//! Invalid: a path into a plain number ("valueLocation is only supported with json or yaml
//! format").
//! ```yaml
//! - type: kubernetes-resource
//!   metadata:
//!     resourceKind: Secret
//!     resourceName: scaling-hints
//!     key: workers
//!     valueLocation: workers.wanted
//!     targetValue: "1"
//! ```

use super::typed::{self, Param, Parsed, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["kubernetes-resource"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("resourceKind", &[M], STRING).one_of(&["ConfigMap", "Secret"]),
    Param::new("resourceName", &[M], STRING),
    Param::new("key", &[M], STRING),
    Param::new("format", &[M], STRING)
        .default("number")
        .one_of(&["number", "json", "yaml"]),
    Param::new("valueLocation", &[M], STRING).optional(),
    Param::new("valueType", &[M], STRING)
        .default("float64")
        .one_of(&["float64", "int64", "quantity"]),
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let target = p.float("targetValue");
    if target <= 0.0 {
        // KEDA waives this for a metric source (scalingModifiers): a zero target is the
        // target such a trigger may leave out.
        let kind = if target == 0.0 {
            ErrorKind::MissingTarget
        } else {
            ErrorKind::Invalid
        };
        return Err(typed::error(
            "targetValue",
            kind,
            "targetValue must be a float greater than 0",
        ));
    }
    let location = !p.str("valueLocation").is_empty();
    match p.str("format") {
        "number" if location => Err(typed::error(
            "valueLocation",
            ErrorKind::Invalid,
            "valueLocation is only supported with json or yaml format",
        )),
        "json" if !location => Err(typed::error(
            "valueLocation",
            ErrorKind::Missing,
            "valueLocation is required for json format",
        )),
        "yaml" if !location => Err(typed::error(
            "valueLocation",
            ErrorKind::Missing,
            "valueLocation is required for yaml format",
        )),
        _ => Ok(()),
    }
}

/// `NewKubernetesResourceScaler`: metric type, then `parseKubernetesResourceMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let kind = p.str("resourceKind").to_lowercase();
    let base = [&kind, "-", p.str("resourceName"), "-", p.str("key")].concat();
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: p.float("targetValue"),
        activation: p.float("activationTargetValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const CONFIG: &[(&str, &str)] = &[
        ("resourceKind", "ConfigMap"),
        ("resourceName", "my-config"),
        ("key", "threshold"),
        ("targetValue", "10"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<_> = CONFIG
            .iter()
            .copied()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .collect();
        v.extend(extra.iter().copied().filter(|(_, val)| !val.is_empty()));
        v
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("kubernetes-resource").meta(&[
            ("resourceKind", "ConfigMap"),
            ("resourceName", "scaling-hints"),
            ("key", "hints.json"),
            ("format", "json"),
            ("valueLocation", "workers.wanted"),
            ("targetValue", "1"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-configmap-scaling-hints-hints-json", 1.0)
        );
        let bad = Trigger::new("kubernetes-resource").meta(&[
            ("resourceKind", "Secret"),
            ("resourceName", "scaling-hints"),
            ("key", "workers"),
            ("valueLocation", "workers.wanted"),
            ("targetValue", "1"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["valueLocation is only supported with json or yaml format"]
        );
    }

    /// `pkg/scalers/kubernetes_resource_scaler_test.go`
    /// `parseKubernetesResourceMetadataTestDataset` and `getMetricSpecKubernetesResourceTestDataset`.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("kubernetes-resource").meta(&with(&[("resourceKind", "Pod")]));
        assert_eq!(
            t.messages(),
            vec!["parameter \"resourceKind\" value \"Pod\" must be one of [ConfigMap Secret]"]
        );
        let t = Trigger::new("kubernetes-resource").meta(&with(&[("format", "yaml")]));
        assert_eq!(t.messages(), vec!["valueLocation is required for yaml format"]);
        let t = Trigger::new("kubernetes-resource").meta(&with(&[("targetValue", "")]));
        let m = t.messages();
        assert_eq!(
            m,
            vec![
                "missing required parameter \"targetValue\" in [triggerMetadata]",
                "targetValue must be a float greater than 0",
            ]
        );
        let t = Trigger::new("kubernetes-resource")
            .index(1)
            .meta(&with(&[("resourceKind", "Secret"), ("resourceName", "my.secret")]));
        assert_eq!(
            t.parse().unwrap().metric_name,
            "s1-secret-my-secret-threshold"
        );
        let t = Trigger::new("kubernetes-resource").index(2).meta(&with(&[
            ("resourceName", "scaling-config"),
            ("key", "queue_length"),
            ("targetValue", "50"),
        ]));
        assert_eq!(
            t.parse().unwrap().metric_name,
            "s2-configmap-scaling-config-queue_length"
        );
    }
}
