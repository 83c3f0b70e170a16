//! `cpu` and `memory`: resource metrics the HPA reads itself
//! (`pkg/scalers/cpu_memory_scaler.go`, keda-resources.md RT-3).
//!
//! Valid: scale on average CPU use, as a share of the containers' requests.
//! ```yaml
//! - type: cpu
//!   metricType: Utilization
//!   metadata:
//!     value: "60"
//! ```
//! Invalid: `Value` is not a metric type the HPA has for resources.
//! ```yaml
//! - type: memory
//!   metricType: Value
//!   metadata:
//!     value: 512Mi
//! ```

use super::typed::{self, Order};
use super::{ErrorKind, MetricType, ScalerError, ScalerMetric, TriggerInput};
use crate::version::KedaVersion;

/// `metadata.type` stopped being read (and became an error) in this release.
pub const TYPE_REMOVED: KedaVersion = KedaVersion::new(2, 18, 0);

#[derive(Clone, Debug)]
pub struct ResourceConfig {
    /// `cpu` or `memory`.
    pub resource: String,
    pub metric_type: MetricType,
    /// Percent of the request (Utilization) or a quantity per pod (AverageValue).
    pub value: f64,
    /// With a container name the HPA gets a ContainerResource metric.
    pub container_name: Option<String>,
}

impl ResourceConfig {
    pub fn metric(&self) -> ScalerMetric {
        ScalerMetric {
            metric_name: self.resource.clone(),
            metric_type: self.metric_type,
            target: self.value,
            activation: 0.0,
        }
    }
}

pub fn parse(input: &TriggerInput<'_>) -> Result<ResourceConfig, Vec<ScalerError>> {
    parse_for(input, KedaVersion::DEFAULT)
}

/// Parses a cpu/memory trigger as `version` of KEDA does.
pub fn parse_for(
    input: &TriggerInput<'_>,
    version: KedaVersion,
) -> Result<ResourceConfig, Vec<ScalerError>> {
    const META: &[Order] = &[Order::TriggerMetadata];
    let mut errors = Vec::new();
    let legacy_type = typed::lookup(input, "type", META).map(|(v, _)| v);
    if version >= TYPE_REMOVED && legacy_type.is_some() {
        errors.push(ScalerError {
            key: Some("type".to_owned()),
            kind: ErrorKind::Removed,
            message: "parameter \"type\" is deprecated: the 'type' setting is removed in v2.18, \
                      use the trigger's 'metricType' instead"
                .to_owned(),
        });
    }
    if version < TYPE_REMOVED
        && legacy_type.is_some()
        && input.metric_type.is_some_and(|m| !m.is_empty())
    {
        errors.push(ScalerError {
            key: Some("type".to_owned()),
            kind: ErrorKind::Invalid,
            message: "only one of trigger.metadata.type or trigger.metricType should be defined"
                .to_owned(),
        });
    }
    // Before 2.18 `type` supplied the metric type when `metricType` was not set.
    let written = match input.metric_type.unwrap_or("") {
        "" if version < TYPE_REMOVED => legacy_type.unwrap_or(""),
        m => m,
    };
    let metric_type = match written {
        "Utilization" => Some(MetricType::Utilization),
        "AverageValue" => Some(MetricType::AverageValue),
        other => {
            errors.push(ScalerError {
                key: None,
                kind: ErrorKind::MetricType,
                // KEDA's wording (NewCPUMemoryScaler wrapping parseResourceMetadata).
                message: format!(
                    "error parsing {} metadata: unknown metric type: {other}, allowed values \
                     are 'Utilization' or 'AverageValue'{}",
                    input.trigger_type,
                    if other.is_empty() {
                        " (the trigger sets no metricType)"
                    } else {
                        ""
                    }
                ),
            });
            None
        }
    };
    let value = match typed::lookup(input, "value", META) {
        None => {
            errors.push(typed::missing("value", META));
            None
        }
        Some((v, _)) => match metric_type {
            Some(MetricType::Utilization) => match crate::go::strconv::parse_int(v, 32) {
                Some(n) => Some(n as f64),
                None => {
                    errors.push(typed::set_error(
                        "value",
                        v,
                        "a Utilization target must be a whole number of percent",
                    ));
                    None
                }
            },
            Some(_) => match parse_quantity(v) {
                Some(q) => Some(q),
                None => {
                    errors.push(typed::set_error(
                        "value",
                        v,
                        "an AverageValue target must be a Kubernetes quantity such as 500m or 256Mi",
                    ));
                    None
                }
            },
            None => crate::go::strconv::float(v).or_else(|| parse_quantity(v)),
        },
    };
    let container_name = typed::lookup(input, "containerName", META).map(|(v, _)| v.to_owned());
    match (metric_type, value) {
        (Some(metric_type), Some(value)) if errors.is_empty() => Ok(ResourceConfig {
            resource: input.trigger_type.to_owned(),
            metric_type,
            value,
            container_name,
        }),
        _ => Err(errors),
    }
}

/// A Kubernetes quantity (`resource.ParseQuantity`), as a plain number.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let num_end = body
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(body.len());
    let (num, suffix) = body.split_at(num_end);
    if num.is_empty() || num == "." || num.matches('.').count() > 1 {
        return None;
    }
    let n = crate::decfloat::parse_f64(num)?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        e => {
            let exp = e.strip_prefix(['e', 'E'])?;
            let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse().ok()?)
        }
    };
    let v = n * factor;
    Some(if s.starts_with('-') { -v } else { v })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn run(
        meta: &[(&str, &str)],
        metric_type: Option<&str>,
        version: KedaVersion,
    ) -> Result<ResourceConfig, Vec<ScalerError>> {
        let metadata: BTreeMap<String, String> = meta
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let empty = BTreeMap::new();
        parse_for(
            &TriggerInput {
                trigger_type: "cpu",
                index: 0,
                metadata: &metadata,
                auth_params: &empty,
                env: &empty,
                pod_identity: None,
                metric_type,
                namespace: "default",
            },
            version,
        )
    }

    #[test]
    fn metric_type_and_value_rules() {
        let v = KedaVersion::DEFAULT;
        let ok = run(&[("value", "70")], Some("Utilization"), v).unwrap();
        assert_eq!(ok.metric().target, 70.0);
        assert_eq!(ok.metric().metric_name, "cpu");
        let avg = run(&[("value", "500m")], Some("AverageValue"), v).unwrap();
        assert!((avg.value - 0.5).abs() < 1e-12);
        let e = run(&[("value", "70")], None, v).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::MetricType);
        let e = run(&[("value", "70")], Some("Value"), v).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::MetricType);
        let e = run(&[], Some("Utilization"), v).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::Missing);
        let e = run(&[("value", "7.5")], Some("Utilization"), v).unwrap_err();
        assert_eq!(e[0].key.as_deref(), Some("value"));
        // `type` was the metric type before 2.18 and is an error from 2.18 on.
        let old = KedaVersion::new(2, 17, 0);
        assert!(run(&[("type", "Utilization"), ("value", "50")], None, old).is_ok());
        let e = run(
            &[("type", "Utilization"), ("value", "50")],
            Some("Utilization"),
            v,
        )
        .unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::Removed);
    }

    /// pkg/scalers/cpu_memory_scaler_test.go (v2.20.2) testCPUMemoryMetadata, row by row.
    #[test]
    fn keda_parse_table() {
        let v = KedaVersion::DEFAULT;
        type Row = (&'static str, &'static [(&'static str, &'static str)], bool);
        let rows: [Row; 6] = [
            ("", &[], true),
            ("Utilization", &[("value", "50")], false),
            ("AverageValue", &[("value", "50")], false),
            ("Value", &[("value", "50")], true),
            ("", &[("value", "")], true),
            ("", &[], true),
        ];
        for (i, (metric_type, meta, is_error)) in rows.iter().enumerate() {
            let r = run(meta, Some(metric_type), v);
            assert_eq!(r.is_err(), *is_error, "row {i}");
        }
        let e = run(&[("value", "50")], Some("Value"), v).unwrap_err();
        assert_eq!(
            e[0].message,
            "error parsing cpu metadata: unknown metric type: Value, allowed values are \
             'Utilization' or 'AverageValue'"
        );
        let e = run(&[("value", "50")], None, v).unwrap_err();
        assert!(e[0].message.starts_with(
            "error parsing cpu metadata: unknown metric type: , allowed values are \
             'Utilization' or 'AverageValue'"
        ));
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("256Mi"), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(parse_quantity("1e3"), Some(1000.0));
        assert_eq!(parse_quantity("1.5"), Some(1.5));
        assert_eq!(parse_quantity("5 m"), None);
        assert_eq!(parse_quantity("abc"), None);
        assert_eq!(parse_quantity("1Mb"), None);
    }
}
