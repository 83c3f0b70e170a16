//! `sumologic`: a logs or metrics query run by Sumo Logic (`pkg/scalers/sumologic_scaler.go`,
//! `sumologicMetadata` and its `Validate()`). Before the typed config KEDA collects the
//! `query.<RowId>` keys of a multi-metrics query; `Validate()` then asks, for `logs`, one
//! `query` and a `resultField`, and for `metrics`, either `query` or `query.<RowId>` keys
//! (with `resultQueryRowID` naming one of them) and a non-zero `quantization`.
//!
//! Valid: a multi-metrics query whose result is row C.
//! ```yaml
//! - type: sumologic
//!   metadata:
//!     host: https://api.sumologic.com
//!     queryType: metrics
//!     query.A: metric=requests_total
//!     query.C: "#A * 2"
//!     resultQueryRowID: C
//!     quantization: 60s
//!     timerange: 5m
//!     threshold: "100"
//!   authenticationRef:
//!     name: sumologic-credentials   # accessID, accessKey
//! ```
//! Invalid: a logs query without the field to read ("missing required metadata: resultField
//! (required for logs queryType)").
//! ```yaml
//! - type: sumologic
//!   metadata:
//!     host: https://api.sumologic.com
//!     queryType: logs
//!     query: _sourceCategory=app | count
//!     timerange: 5m
//!     threshold: "100"
//!   authenticationRef:
//!     name: sumologic-credentials   # accessID, accessKey
//! ```

use std::collections::BTreeMap;

use super::typed::{
    self, Param, Parsed, Value, A, BOOL, DURATION, FLOAT64, INT, M, STRING, STRING_MAP,
};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["sumologic"],
    parse,
};

const AGGREGATES: &[&str] = &["Avg", "Sum", "Count", "Min", "Max"];

const PARAMS: &[Param] = &[
    Param::new("accessID", &[A], STRING),
    Param::new("accessKey", &[A], STRING),
    Param::new("host", &[M], STRING),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("queryType", &[M], STRING).one_of(&["logs", "metrics"]),
    Param::new("query", &[M], STRING).optional(),
    Param::new("query.*", &[M], STRING_MAP).optional(),
    Param::new("resultQueryRowID", &[M], STRING).optional(),
    Param::new("quantization", &[M], DURATION).optional(),
    Param::new("rollup", &[M], STRING)
        .one_of(AGGREGATES)
        .default("Avg"),
    Param::new("resultField", &[M], STRING).optional(),
    Param::new("logsPollingInterval", &[M], DURATION).optional(),
    Param::new("maxRetries", &[M], INT).optional(),
    Param::new("timerange", &[M], DURATION),
    Param::new("timezone", &[M], STRING).default("UTC"),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
    Param::new("queryAggregator", &[M], STRING)
        .one_of(&["Latest", "Avg", "Sum", "Count", "Min", "Max"])
        .default("Avg"),
    Param::new("threshold", &[M], FLOAT64),
];

/// `parseMultiMetricsQueries`: row id → query of every `query.<RowId>` key (Go visits the
/// map in random order; the first bad key in key order is reported here).
fn row_queries(input: &TriggerInput<'_>) -> Result<BTreeMap<String, String>, ScalerError> {
    let mut rows = BTreeMap::new();
    for (key, value) in input.metadata {
        let Some(row) = key.strip_prefix("query.") else {
            continue;
        };
        if row.is_empty() {
            return Err(typed::error(
                key,
                ErrorKind::Invalid,
                format!("malformed metadata, unable to parse rowID from key: {key}"),
            ));
        }
        if value.is_empty() {
            return Err(typed::error(
                key,
                ErrorKind::Invalid,
                format!("malformed metadata, invalid value for key: {key}"),
            ));
        }
        rows.insert(row.to_owned(), value.clone());
    }
    Ok(rows)
}

fn absent(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

fn invalid(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// `Validate()` over the row queries (a literal `query.*` key, typed as a map, replaces them).
fn validate(p: &Parsed, rows: &BTreeMap<String, String>) -> Result<(), ScalerError> {
    let typed_rows: Option<Vec<&str>> = match p.get("query.*") {
        Some(Value::Map(m)) => Some(m.iter().map(|(k, _)| k.as_str()).collect()),
        _ => None,
    };
    let has_row = |id: &str| match &typed_rows {
        Some(keys) => keys.contains(&id),
        None => rows.contains_key(id),
    };
    let row_count = typed_rows.as_ref().map_or(rows.len(), Vec::len);
    let query = p.str("query");
    match p.str("queryType") {
        "logs" => {
            if query.is_empty() {
                return Err(absent("query", "missing required metadata: query"));
            }
            if row_count != 0 {
                return Err(invalid(
                    "queryType",
                    "invalid metadata, query.<RowId> not supported for logs queryType",
                ));
            }
            if p.str("resultField").is_empty() {
                return Err(absent(
                    "resultField",
                    "missing required metadata: resultField (required for logs queryType)",
                ));
            }
        }
        "metrics" => {
            if query.is_empty() && row_count == 0 {
                return Err(absent(
                    "query",
                    "missing metadata: either of query or query.<RowId> must be defined for \
                     metrics queryType",
                ));
            }
            if !query.is_empty() && row_count != 0 {
                return Err(invalid(
                    "query",
                    "invalid metadata: only one of query or query.<RowId> must be defined for \
                     metrics queryType",
                ));
            }
            if row_count > 0 {
                let id = p.str("resultQueryRowID");
                if id.is_empty() {
                    return Err(absent(
                        "resultQueryRowID",
                        "missing required metadata: resultQueryRowID for multi-metrics query",
                    ));
                }
                if !has_row(id) {
                    return Err(invalid(
                        "resultQueryRowID",
                        format!("resultQueryRowID '{id}' not found in queries"),
                    ));
                }
            }
            if p.duration("quantization") == 0 {
                return Err(absent(
                    "quantization",
                    "missing required metadata: quantization for metrics queryType",
                ));
            }
        }
        _ => {}
    }
    Ok(())
}

/// `NewSumologicScaler` up to the first request: `parseSumoMetadata`, the client's checks
/// (what they require the typed config already has), then the metric type.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let rows = row_queries(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| validate(p, &rows))?;
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let name = format!("sumologic-{}", parsed.str("queryType"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &name),
        metric_type,
        target: parsed.float("threshold"),
        activation: parsed.float("activationThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("accessID", "id"), ("accessKey", "key")];
    const HOST: (&str, &str) = ("host", "https://api.sumologic.com");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("sumologic")
            .meta(&[
                HOST,
                ("queryType", "metrics"),
                ("query.A", "metric=requests_total"),
                ("query.C", "#A * 2"),
                ("resultQueryRowID", "C"),
                ("quantization", "60s"),
                ("timerange", "5m"),
                ("threshold", "100"),
            ])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-sumologic-metrics", 100.0)
        );
        let bad = Trigger::new("sumologic")
            .meta(&[
                HOST,
                ("queryType", "logs"),
                ("query", "_sourceCategory=app | count"),
                ("timerange", "5m"),
                ("threshold", "100"),
            ])
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["missing required metadata: resultField (required for logs queryType)"]
        );
    }

    /// `testSumologicMetadata` rows 11 and 12; the row-query checks.
    #[test]
    fn keda_s_messages() {
        let base = [HOST, ("query", "q"), ("queryType", "metrics"), ("timerange", "5")];
        let t = Trigger::new("sumologic").meta(&base).auth(AUTH);
        assert_eq!(
            t.messages(),
            vec![
                "missing required parameter \"threshold\" in [triggerMetadata]",
                "missing required metadata: quantization for metrics queryType",
            ]
        );
        let mut rollup = base.to_vec();
        rollup.extend([("quantization", "1"), ("rollup", "fake"), ("threshold", "1")]);
        let t = Trigger::new("sumologic").meta(&rollup).auth(AUTH);
        assert_eq!(
            t.messages(),
            vec!["parameter \"rollup\" value \"fake\" must be one of [Avg Sum Count Min Max]"]
        );
        let t = Trigger::new("sumologic")
            .meta(&[HOST, ("query.", "x")])
            .auth(AUTH);
        assert_eq!(
            t.messages(),
            vec!["malformed metadata, unable to parse rowID from key: query."]
        );
        let t = Trigger::new("sumologic")
            .meta(&[
                HOST,
                ("queryType", "metrics"),
                ("query.A", "a"),
                ("resultQueryRowID", "B"),
                ("quantization", "1s"),
                ("timerange", "5m"),
                ("threshold", "1"),
            ])
            .auth(AUTH)
            .index(2);
        assert_eq!(t.messages(), vec!["resultQueryRowID 'B' not found in queries"]);
    }
}
