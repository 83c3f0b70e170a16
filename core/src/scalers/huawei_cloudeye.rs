//! `huawei-cloudeye`: a Cloud Eye metric (`pkg/scalers/huawei_cloudeye_scaler.go`,
//! `parseHuaweiCloudeyeMetadata`). Its authorization struct carries no `keda` tag, so
//! typed config never reads it: the credentials are not checked when the scaler is built.
//!
//! Valid: one load balancer's queries per second.
//! ```yaml
//! - type: huawei-cloudeye
//!   metadata:
//!     namespace: SYS.ELB
//!     metricName: mb_l7_qps
//!     dimensionName: lbaas_instance_id
//!     dimensionValue: 5e052238-0346-47b0-86ea-92d9f33e29d2
//!     targetMetricValue: "100"
//!   authenticationRef:
//!     name: huawei   # IdentityEndpoint, ProjectID, DomainID, Region, Domain, AccessKey, SecretKey
//! ```
//! Invalid: an unknown filter ("parameter \"metricFilter\" value \"median\" must be one of
//! [average max min sum]").
//! ```yaml
//! - type: huawei-cloudeye
//!   metadata:
//!     namespace: SYS.ELB
//!     metricName: mb_l7_qps
//!     dimensionName: lbaas_instance_id
//!     dimensionValue: 5e052238-0346-47b0-86ea-92d9f33e29d2
//!     targetMetricValue: "100"
//!     metricFilter: median
//! ```

use super::typed::{self, Param, FLOAT64, INT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["huawei-cloudeye"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("namespace", &[M], STRING),
    Param::new("metricName", &[M], STRING),
    Param::new("dimensionName", &[M], STRING),
    Param::new("dimensionValue", &[M], STRING),
    Param::new("targetMetricValue", &[M], FLOAT64),
    Param::new("activationTargetMetricValue", &[M], FLOAT64).default("0"),
    Param::new("minMetricValue", &[M], FLOAT64).optional().deprecated(
        "The 'minMetricValue' setting is DEPRECATED and is removed in v2.20 - Use 'activationTargetMetricValue' instead",
    ),
    Param::new("metricCollectionTime", &[M], INT64).default("300"),
    Param::new("metricFilter", &[M], STRING)
        .default("average")
        .one_of(&["average", "max", "min", "sum"]),
    Param::new("metricPeriod", &[M], STRING).default("300"),
];

/// `NewHuaweiCloudeyeScaler`: metric type, then typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("huawei-cloudeye-{}", parsed.str("metricName")),
        ),
        metric_type,
        target: parsed.float("targetMetricValue"),
        activation: parsed.float("activationTargetMetricValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const META: &[(&str, &str)] = &[
        ("namespace", "SYS.ELB"),
        ("metricName", "mb_l7_qps"),
        ("dimensionName", "lbaas_instance_id"),
        ("dimensionValue", "5e052238-0346-47b0-86ea-92d9f33e29d2"),
        ("targetMetricValue", "100"),
    ];

    fn with(extra: &[(&str, &str)]) -> Trigger {
        let mut meta = META.to_vec();
        meta.extend_from_slice(extra);
        Trigger::new("huawei-cloudeye").meta(&meta)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = with(&[]).index(1).parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s1-huawei-cloudeye-mb_l7_qps", 100.0)
        );
        assert_eq!(
            with(&[("metricFilter", "median")]).messages(),
            vec!["parameter \"metricFilter\" value \"median\" must be one of [average max min sum]"]
        );
    }

    #[test]
    fn removed_min_metric_value_and_unread_credentials() {
        let msgs = with(&[("minMetricValue", "1")]).messages();
        assert_eq!(msgs.len(), 1);
        assert!(msgs[0].contains("The 'minMetricValue' setting is DEPRECATED"));
        // No credentials at all: KEDA still builds the scaler.
        assert!(with(&[("metricPeriod", "60")]).messages().is_empty());
    }
}
