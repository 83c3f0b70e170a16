//! `aws-cloudwatch`: a CloudWatch metric or metric-math expression
//! (`pkg/scalers/aws_cloudwatch_scaler.go`, `awsCloudwatchMetadata` and its `Validate()`,
//! then the shared AWS credentials of `aws.rs`).
//!
//! Valid: one dimension, the statistic over one-minute periods for five minutes.
//! ```yaml
//! - type: aws-cloudwatch
//!   metadata:
//!     namespace: AWS/SQS
//!     metricName: ApproximateNumberOfMessagesVisible
//!     dimensionName: QueueName
//!     dimensionValue: orders
//!     targetMetricValue: "10"
//!     minMetricValue: "0"
//!     metricStatPeriod: "60"
//!     awsRegion: eu-west-1
//!     identityOwner: operator
//! ```
//! Invalid: a period CloudWatch does not offer ("metricStatPeriod >= 60 has to be a multiple
//! of 60, however, 90 is provided").
//! ```yaml
//! - type: aws-cloudwatch
//!   metadata:
//!     expression: SELECT MAX(ApproximateNumberOfMessagesVisible) FROM "AWS/SQS"
//!     targetMetricValue: "10"
//!     minMetricValue: "0"
//!     metricStatPeriod: "90"
//!     awsRegion: eu-west-1
//!     identityOwner: operator
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, FLOAT64, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["aws-cloudwatch"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("namespace", &[M], STRING).optional(),
    Param::new("metricName", &[M], STRING).optional(),
    Param::new("dimensionName", &[M], STRINGS)
        .optional()
        .separator(";"),
    Param::new("dimensionValue", &[M], STRINGS)
        .optional()
        .separator(";"),
    Param::new("expression", &[M], STRING).optional(),
    Param::new("targetMetricValue", &[M], FLOAT64),
    Param::new("activationTargetMetricValue", &[M], FLOAT64).optional(),
    Param::new("minMetricValue", &[M], FLOAT64),
    Param::new("ignoreNullValues", &[M], BOOL).default("true"),
    Param::new("metricCollectionTime", &[M], INT64).default("300"),
    Param::new("metricStat", &[M], STRING).default("Average"),
    Param::new("metricUnit", &[M], STRING).optional(),
    Param::new("metricStatPeriod", &[M], INT64).default("300"),
    Param::new("metricEndTimeOffset", &[M], INT64).default("0"),
    Param::new("awsAccountId", &[M], STRING).optional(),
    Param::new("awsRegion", &[M, A], STRING),
    Param::new("awsEndpoint", &[M], STRING).optional(),
    Param::new("identityOwner", &[M], STRING).optional(),
];

/// `types.StandardUnit("").Values()` of the CloudWatch SDK, in its order.
const UNITS: &str = "Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes \
Terabytes Bits Kilobits Megabits Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second \
Megabytes/Second Gigabytes/Second Terabytes/Second Bits/Second Kilobits/Second \
Megabits/Second Gigabits/Second Terabits/Second Count/Second None";

fn invalid(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.str("expression").is_empty() {
        for (key, what) in [
            ("namespace", "namespace"),
            ("metricName", "metric name"),
            ("dimensionName", "dimension name"),
            ("dimensionValue", "dimension value"),
        ] {
            let given = if key.starts_with('d') {
                p.is_set(key)
            } else {
                !p.str(key).is_empty()
            };
            if !given {
                return Err(typed::error(
                    key,
                    ErrorKind::Missing,
                    format!("{what} not given"),
                ));
            }
        }
        if p.strings("dimensionName").len() != p.strings("dimensionValue").len() {
            return Err(invalid(
                "dimensionValue",
                "dimensionName and dimensionValue are not matching in size",
            ));
        }
        let unit = p.str("metricUnit");
        if !unit.is_empty() && !UNITS.split(' ').any(|u| u == unit) {
            return Err(invalid(
                "metricUnit",
                format!("metricUnit '{unit}' is not one of [{UNITS}]"),
            ));
        }
    }
    let period = p.int("metricStatPeriod");
    let period_error = match period {
        ..=0 => Some(format!(
            "metricStatPeriod can not be smaller than 1, however, {period} is provided"
        )),
        1 | 5 | 10 | 30 | 60 => None,
        2..=59 => Some(format!(
            "metricStatPeriod < 60 has to be one of [1, 5, 10, 30], however, {period} is provided"
        )),
        _ if period % 60 != 0 => Some(format!(
            "metricStatPeriod >= 60 has to be a multiple of 60, however, {period} is provided"
        )),
        _ => None,
    };
    if let Some(message) = period_error {
        return Err(invalid("metricStatPeriod", message));
    }
    let collection = p.int("metricCollectionTime");
    if collection < 0 || collection % period != 0 {
        return Err(invalid(
            "metricCollectionTime",
            format!(
                "metricCollectionTime must be greater than 0 and a multiple of metricStatPeriod({period}), {collection} is given"
            ),
        ));
    }
    Ok(())
}

/// `NewAwsCloudwatchScaler` up to the client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    super::aws::check_authorization(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "aws-cloudwatch"),
        metric_type,
        target: parsed.float("targetMetricValue"),
        activation: parsed.float("activationTargetMetricValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const BASE: &[(&str, &str)] = &[
        ("targetMetricValue", "10"),
        ("minMetricValue", "0"),
        ("awsRegion", "eu-west-1"),
        ("identityOwner", "operator"),
    ];

    fn with(extra: &[(&str, &str)]) -> Vec<String> {
        let mut meta = BASE.to_vec();
        meta.extend_from_slice(extra);
        Trigger::new("aws-cloudwatch").meta(&meta).messages()
    }

    const METRIC: &[(&str, &str)] = &[
        ("namespace", "AWS/SQS"),
        ("metricName", "ApproximateNumberOfMessagesVisible"),
        ("dimensionName", "QueueName"),
        ("dimensionValue", "orders"),
    ];

    #[test]
    fn examples_in_the_doc_comment() {
        let mut meta = BASE.to_vec();
        meta.extend_from_slice(METRIC);
        meta.push(("metricStatPeriod", "60"));
        let m = Trigger::new("aws-cloudwatch").meta(&meta).index(3).parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s3-aws-cloudwatch", 10.0));
        assert_eq!(
            with(&[
                ("expression", "SELECT MAX(x) FROM \"AWS/SQS\""),
                ("metricStatPeriod", "90"),
            ]),
            vec!["metricStatPeriod >= 60 has to be a multiple of 60, however, 90 is provided"]
        );
    }

    #[test]
    fn validate_in_keda_s_words() {
        assert_eq!(with(&[]), vec!["namespace not given"]);
        assert_eq!(
            with(&[METRIC[0], METRIC[1], METRIC[2]]),
            vec!["dimension value not given"]
        );
        assert_eq!(
            with(&[METRIC[0], METRIC[1], ("dimensionName", "a;b"), METRIC[3]]),
            vec!["dimensionName and dimensionValue are not matching in size"]
        );
        let mut unit = METRIC.to_vec();
        unit.push(("metricUnit", "Hours"));
        assert!(with(&unit)[0].starts_with("metricUnit 'Hours' is not one of [Seconds "));
        unit.pop();
        unit.push(("metricUnit", "Count/Second"));
        assert!(with(&unit).is_empty());
        let expr = ("expression", "SELECT 1");
        assert_eq!(
            with(&[expr, ("metricStatPeriod", "0")]),
            vec!["metricStatPeriod can not be smaller than 1, however, 0 is provided"]
        );
        assert_eq!(
            with(&[expr, ("metricStatPeriod", "20")]),
            vec!["metricStatPeriod < 60 has to be one of [1, 5, 10, 30], however, 20 is provided"]
        );
        assert_eq!(
            with(&[expr, ("metricStatPeriod", "60"), ("metricCollectionTime", "90")]),
            vec!["metricCollectionTime must be greater than 0 and a multiple of metricStatPeriod(60), 90 is given"]
        );
        assert!(with(&[expr, ("metricStatPeriod", "5"), ("metricCollectionTime", "0")]).is_empty());
    }
}
