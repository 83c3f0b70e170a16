//! `gcp-stackdriver`: a Cloud Monitoring time series picked by a filter
//! (`pkg/scalers/gcp_stackdriver_scaler.go`, `stackdriverMetadata`, its `Validate()` and
//! `parseAggregation`; the authorization is [`super::gcp`]'s).
//!
//! Valid: an aggregation over at least a minute, aligner and reducer in any case.
//! ```yaml
//! - type: gcp-stackdriver
//!   metadata:
//!     projectId: shop
//!     filter: metric.type="storage.googleapis.com/storage/object_count"
//!     alignmentPeriodSeconds: "120"
//!     alignmentAligner: MAX
//!     alignmentReducer: sum
//!     credentialsFromEnv: GOOGLE_CREDENTIALS   # the service account key JSON
//! ```
//! Invalid: an aligner Cloud Monitoring does not have ("unknown aligner: median"). Also
//! refused: `credentialsFromEnvFile` alone, as the client is built from JSON text.
//! ```yaml
//! - type: gcp-stackdriver
//!   metadata:
//!     projectId: shop
//!     filter: metric.type="storage.googleapis.com/storage/object_count"
//!     alignmentPeriodSeconds: "120"
//!     alignmentAligner: median
//!     credentialsFromEnv: GOOGLE_CREDENTIALS
//! ```

use super::gcp::{self, CREDENTIALS};
use super::typed::{self, Param, Parsed, FLOAT64, FLOAT64_PTR, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["gcp-stackdriver"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("projectId", &[M], STRING),
    Param::new("filter", &[M], STRING).announce(gcp::DEPRECATED),
    Param::new("targetValue", &[M], FLOAT64).default("5"),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("valueIfNull", &[M], FLOAT64_PTR).optional(),
    Param::new("filterDuration", &[M], INT64).optional(),
    Param::new("alignmentPeriodSeconds", &[M], INT64).optional(),
    Param::new("alignmentAligner", &[M], STRING).optional(),
    Param::new("alignmentReducer", &[M], STRING).optional(),
    Param::nested(CREDENTIALS),
];

/// `alignerFromString` (the empty string is `ALIGN_NONE`, checked before the lookup).
const ALIGNERS: &[&str] = &[
    "none",
    "delta",
    "rate",
    "interpolate",
    "next_older",
    "min",
    "max",
    "mean",
    "count",
    "sum",
    "stddev",
    "count_true",
    "count_false",
    "fraction_true",
    "percentile_99",
    "percentile_95",
    "percentile_50",
    "percentile_05",
    "percent_change",
];

/// `reducerFromString`.
const REDUCERS: &[&str] = &[
    "none",
    "mean",
    "min",
    "max",
    "sum",
    "stddev",
    "count",
    "count_true",
    "count_false",
    "fraction_true",
    "percentile_99",
    "percentile_95",
    "percentile_50",
    "percentile_05",
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let period = p.int("alignmentPeriodSeconds");
    if period != 0 && period < 60 {
        return Err(typed::error(
            "alignmentPeriodSeconds",
            ErrorKind::Invalid,
            "alignmentPeriodSeconds must be at least 60",
        ));
    }
    Ok(())
}

/// `parseAggregation`: only read when there is an alignment period. Go lower-cases the name
/// and reports it as written.
fn aggregation(p: &Parsed) -> Result<(), ScalerError> {
    if p.int("alignmentPeriodSeconds") == 0 {
        return Ok(());
    }
    for (key, known, what) in [
        ("alignmentAligner", ALIGNERS, "aligner"),
        ("alignmentReducer", REDUCERS, "reducer"),
    ] {
        let name = p.str(key);
        if !name.is_empty() && !known.contains(&name.to_lowercase().as_str()) {
            return Err(typed::error(
                key,
                ErrorKind::Invalid,
                format!("unknown {what}: {name}"),
            ));
        }
    }
    Ok(())
}

/// `NewStackDriverClient` decodes the service account JSON before anything else: with none
/// (`credentialsFromEnvFile`, whose path it never reads, or an empty variable) Go's
/// `json.Unmarshal` fails. Only emptiness is judged here, not the JSON itself. The JSON is
/// something absent: a TriggerAuthentication out of view may hold it, or pod identity.
fn client(input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    match gcp::credentials_json(input) {
        Some((key, json)) if json.trim_matches([' ', '\t', '\n', '\r']).is_empty() => Err(
            typed::error(key, ErrorKind::Missing, "unexpected end of JSON input"),
        ),
        _ => Ok(()),
    }
}

/// `NewStackdriverScaler` up to the first call of its client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let (metric_type, p) = gcp::read(input, PARAMS, validate)?;
    aggregation(&p).map_err(|e| vec![e])?;
    client(input).map_err(|e| vec![e])?;
    Ok(gcp::metric(
        input,
        metric_type,
        "gcp-stackdriver-",
        p.str("projectId"),
        p.float("targetValue"),
        p.float("activationTargetValue"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const FILTER: (&str, &str) = (
        "filter",
        "metric.type=\"storage.googleapis.com/storage/object_count\"",
    );

    #[test]
    fn examples_in_the_doc_comment() {
        let meta = |aligner| {
            Trigger::new("gcp-stackdriver").meta(&[
                ("projectId", "shop"),
                FILTER,
                ("alignmentPeriodSeconds", "120"),
                ("alignmentAligner", aligner),
                ("alignmentReducer", "sum"),
                ("credentialsFromEnv", "GOOGLE_CREDENTIALS"),
            ])
            .env(&[("GOOGLE_CREDENTIALS", "{\"type\": \"service_account\"}")])
        };
        let m = meta("MAX").parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-gcp-stackdriver-shop", 5.0)
        );
        assert_eq!(meta("median").messages(), vec!["unknown aligner: median"]);
    }

    /// `testStackdriverMetadata` row 1 and the period check of `Validate()`.
    #[test]
    fn metric_and_period() {
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[
                ("projectId", "myProject"),
                FILTER,
                ("targetValue", "7"),
                ("activationTargetValue", "5"),
            ])
            .pod_identity("gcp")
            .index(2);
        let m = t.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s2-gcp-stackdriver-myProject", 7.0, 5.0)
        );
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[
                ("projectId", "p"),
                FILTER,
                ("alignmentPeriodSeconds", "59"),
                ("alignmentReducer", "Nope"),
            ])
            .pod_identity("gcp");
        assert_eq!(
            t.messages(),
            vec!["alignmentPeriodSeconds must be at least 60"]
        );
        // The client wants the JSON itself: a file path alone leaves it empty.
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[("projectId", "p"), FILTER, ("credentialsFromEnvFile", "CREDS_FILE")])
            .env(&[("CREDS_FILE", "/var/secrets/google/key.json")]);
        assert_eq!(t.messages(), vec!["unexpected end of JSON input"]);
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[("projectId", "p"), FILTER, ("credentialsFromEnv", "UNSET")]);
        assert_eq!(t.messages(), vec!["unexpected end of JSON input"]);
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[("projectId", "p"), FILTER])
            .auth(&[("GoogleApplicationCredentials", "{}")]);
        assert!(t.parse().is_ok());
        // Through the linter: quiet while the TriggerAuthentication is not in view.
        let doc = |auth: &str| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  \
                 scaleTargetRef:\n    name: a\n  triggers:\n  - type: gcp-stackdriver\n    \
                 metadata:\n      projectId: p\n      filter: f\n      \
                 credentialsFromEnvFile: CREDS_FILE\n{auth}"
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
            vec!["gcp-stackdriver trigger: unexpected end of JSON input"]
        );
        assert!(errors(&doc("    authenticationRef:\n      name: elsewhere\n")).is_empty());
        // Without a period the aligner and reducer are never read.
        let t = Trigger::new("gcp-stackdriver")
            .meta(&[("projectId", "p"), FILTER, ("alignmentReducer", "Nope")])
            .pod_identity("gcp");
        assert!(t.parse().is_ok());
    }
}
