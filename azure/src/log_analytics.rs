//! Log Analytics for `azure-log-analytics` (KEDA's `azureLogAnalyticsScaler.getMetricData`):
//! the query API (`POST <endpoint>/workspaces/{workspaceId}/query` with `{"query": ..}`, what
//! `azquery.LogsClient.QueryWorkspace` sends), read as KEDA reads it: one table, one row, the
//! first column's value, which must be a `real`, `int` or `long` number not below 0. Tokens
//! are for the Log Analytics audience of the `cloud` (or `logAnalyticsResourceURL`).
//!
//! `unsafeSsl` is not honoured: the host always verifies TLS, since the request carries an
//! Entra token. The per-trigger `timeout` is not either: the client's timeout applies.

use std::sync::atomic::Ordering;
use std::time::Duration;

use scalecore::scalers::azure_log_analytics::LogAnalyticsConfig;

use crate::auth::IdentityOverrides;
use crate::coalesce::Outcome;
use crate::error::ScalerError;
use crate::management::Inner;
use crate::monitor::BearerTarget;

/// A query result KEDA can use is one row; a larger answer is a query that needs a `summarize`.
const MAX_RESULT_BYTES: usize = 4 * 1024 * 1024;

fn refused(details: String) -> ScalerError {
    ScalerError::MetricRefused(format!(
        "error validating Log Analytics request. Details: {details}"
    ))
}

impl Inner {
    /// KEDA's azure-log-analytics value, shared by every caller asking for the same
    /// (credential, workspace, query) within `max_age`.
    pub async fn log_analytics_value(
        &self,
        config: &LogAnalyticsConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        let target = self.log_analytics_target(config, overrides)?;
        let key = format!(
            "{:?}",
            (
                target.fingerprint(),
                "log-analytics",
                target.url.as_str(),
                &config.query
            )
        );
        let fetch = async {
            let body = serde_json::json!({ "query": config.query });
            let reply = self
                .bearer_send(
                    &target,
                    reqwest::Method::POST,
                    target.url.clone(),
                    Some(&body),
                    MAX_RESULT_BYTES,
                )
                .await?;
            first_value(&reply.body)
        };
        let (result, outcome) = self.metric_values.get(&key, max_age, fetch).await;
        match outcome {
            Outcome::Hit => self.stats.cache_hits.fetch_add(1, Ordering::Relaxed),
            Outcome::Joined => self.stats.coalesced.fetch_add(1, Ordering::Relaxed),
            Outcome::Fetched => 0,
        };
        result
    }

    fn log_analytics_target(
        &self,
        config: &LogAnalyticsConfig,
        overrides: &IdentityOverrides,
    ) -> Result<BearerTarget, ScalerError> {
        let endpoint = &config.logs_endpoint;
        let bad = || {
            ScalerError::MonitorRequest(format!(
                "the Log Analytics endpoint {endpoint:?} is not a URL"
            ))
        };
        let mut url = reqwest::Url::parse(endpoint)
            .ok()
            .filter(|u| u.host_str().is_some() && u.query().is_none())
            .ok_or_else(bad)?;
        {
            let mut path = url.path_segments_mut().map_err(|()| bad())?;
            path.pop_if_empty();
            // One segment, percent-encoded: a workspace id cannot leave its path.
            path.push("workspaces");
            path.push(&config.workspace_id);
            path.push("query");
        }
        // Before any token is fetched for it.
        self.endpoints
            .check_cloud_or_allowed(&url, |c| c.logs_endpoint)?;
        Ok(BearerTarget {
            url,
            scope: format!("{}/.default", config.logs_audience.trim_end_matches('/')),
            identity: self.bearer_identity(&config.credential, overrides, None)?,
            service: "Log Analytics",
        })
    }
}

/// KEDA's pre-validation and `parseTableValueToFloat64`, in its words.
pub fn first_value(body: &[u8]) -> Result<f64, ScalerError> {
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ScalerError::MetricRefused(format!(
            "Log Analytics answered 200 without a JSON body ({e})"
        ))
    })?;
    fn array(v: Option<&serde_json::Value>) -> &[serde_json::Value] {
        v.and_then(|v| v.as_array()).map_or(&[], Vec::as_slice)
    }
    let tables = array(json.get("tables"));
    let first = tables.first();
    let columns = array(first.and_then(|t| t.get("columns")));
    let rows = array(first.and_then(|t| t.get("rows")));
    if tables.is_empty() || columns.is_empty() || rows.is_empty() {
        return Err(refused(
            "there is no results after running your query".to_owned(),
        ));
    }
    if tables.len() > 1 {
        return Err(refused(format!(
            "too many tables in query result: {}, expected: 1",
            tables.len()
        )));
    }
    if rows.len() > 1 {
        return Err(refused(format!(
            "too many rows in query result: {}, expected: 1",
            rows.len()
        )));
    }
    let parse_error = || {
        ScalerError::MetricRefused(
            "error parsing the response (no value in the first column)".to_owned(),
        )
    };
    let value = rows[0]
        .as_array()
        .and_then(|r| r.first())
        .filter(|v| !v.is_null())
        .ok_or_else(parse_error)?;
    let data_type = columns[0]
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(parse_error)?;
    if !matches!(data_type, "real" | "int" | "long") {
        return Err(refused(format!(
            "value data type should be real, int or long, but received {data_type}"
        )));
    }
    let number = value
        .as_f64()
        .ok_or_else(|| refused("cannot convert result to type float64".to_owned()))?;
    if number < 0.0 {
        return Err(refused(format!(
            "value should be >=0, but received {number:.6}"
        )));
    }
    Ok(number)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str =
        include_str!("../../tests/azure-samples/log-analytics-query.rest-api-specs.json");

    fn with_rows(columns: &str, rows: &str) -> Vec<u8> {
        format!(
            r#"{{"tables": [{{"name": "PrimaryResult", "columns": {columns}, "rows": {rows}}}]}}"#
        )
        .into_bytes()
    }

    /// The documented example: two rows, and a first column of type string.
    #[test]
    fn the_documented_answer_is_refused_as_keda_does() {
        let e = first_value(SAMPLE.as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error validating Log Analytics request. Details: too many rows in query result: 2, expected: 1"
        );
        let mut one: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        one["tables"][0]["rows"].as_array_mut().unwrap().truncate(1);
        let e = first_value(one.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error validating Log Analytics request. Details: value data type should be real, int or long, but received string"
        );
    }

    #[test]
    fn one_number_in_the_first_column() {
        let cols = r#"[{"name": "n", "type": "long"}, {"name": "t", "type": "real"}]"#;
        assert_eq!(first_value(&with_rows(cols, "[[12, 3.5]]")).unwrap(), 12.0);
        let real = r#"[{"name": "r", "type": "real"}]"#;
        assert_eq!(first_value(&with_rows(real, "[[0.25]]")).unwrap(), 0.25);
        let e = first_value(&with_rows(cols, "[[-1, 0]]")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "error validating Log Analytics request. Details: value should be >=0, but received -1.000000"
        );
        // A number sent as a string is not a float64 to Go either.
        let e = first_value(&with_rows(cols, r#"[["12", 0]]"#)).unwrap_err();
        assert!(
            e.to_string()
                .ends_with("cannot convert result to type float64"),
            "{e}"
        );
        assert!(first_value(&with_rows(cols, "[[null, 0]]")).is_err());
        let e = first_value(&with_rows(cols, "[]")).unwrap_err();
        assert!(e
            .to_string()
            .ends_with("there is no results after running your query"));
        let e = first_value(br#"{"tables": [{"columns": [{"type": "long"}], "rows": [[1]]}, {"columns": [], "rows": []}]}"#).unwrap_err();
        assert!(
            e.to_string().contains("too many tables in query result: 2"),
            "{e}"
        );
        assert!(first_value(b"{}").is_err());
        assert!(first_value(b"not json").is_err());
    }
}
