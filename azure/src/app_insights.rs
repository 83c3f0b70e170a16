//! Application Insights for `azure-app-insights` (KEDA's `GetAzureAppInsightsMetricValue`): the
//! metrics API (`GET <resource>/v1/apps/{appId}/metrics/{metricId}?aggregation=..&filter=..&
//! timespan=PThhHmmM`), read as KEDA reads it: `value[metricId][aggregation]`, a number; with
//! `ignoreNullValues` any missing or null value reads as 0. Tokens are for the Application
//! Insights resource of the `cloud` (or `appInsightsResourceURL`).

use std::sync::atomic::Ordering;
use std::time::Duration;

use scalecore::scalers::azure_app_insights::AppInsightsConfig;

use crate::auth::IdentityOverrides;
use crate::coalesce::Outcome;
use crate::error::ScalerError;
use crate::management::Inner;
use crate::monitor::BearerTarget;

/// One metric's aggregate is a few hundred bytes; a segmented answer a few kilobytes.
const MAX_METRIC_BYTES: usize = 1024 * 1024;

fn request_error(message: String) -> ScalerError {
    ScalerError::MonitorRequest(message)
}

impl Inner {
    /// KEDA's azure-app-insights value, shared by every caller asking for the same
    /// (credential, app, metric, aggregation, filter, timespan) within `max_age`.
    pub async fn app_insights_value(
        &self,
        config: &AppInsightsConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        let target = self.app_insights_target(config, overrides)?;
        let timespan = config.timespan().ok_or_else(|| {
            request_error(format!(
                "errors parsing time: metricAggregationTimespan {:?} is not hh:mm",
                config.aggregation_timespan
            ))
        })?;
        // KEDA unescapes the filter once before encoding it (`url.QueryUnescape`).
        let filter = match &config.filter {
            Some(f) => Some(query_unescape(f).ok_or_else(|| {
                request_error("metricFilter is not a valid query escape".to_owned())
            })?),
            None => None,
        };
        let mut url = target.url.clone();
        {
            // url.Values.Encode: keys in byte order.
            let mut q = url.query_pairs_mut();
            q.append_pair("aggregation", &config.aggregation_type);
            if let Some(filter) = &filter {
                q.append_pair("filter", filter);
            }
            q.append_pair("timespan", &timespan);
        }
        let key = format!("{:?}", (target.fingerprint(), "app-insights", url.as_str()));
        let fetch = async {
            let reply = self
                .bearer_send(
                    &target,
                    reqwest::Method::GET,
                    url.clone(),
                    None,
                    MAX_METRIC_BYTES,
                )
                .await?;
            metric_value(
                &reply.body,
                &config.metric_id,
                &config.aggregation_type,
                config.ignore_null_values,
            )
        };
        let (result, outcome) = self.metric_values.get(&key, max_age, fetch).await;
        match outcome {
            Outcome::Hit => self.stats.cache_hits.fetch_add(1, Ordering::Relaxed),
            Outcome::Joined => self.stats.coalesced.fetch_add(1, Ordering::Relaxed),
            Outcome::Fetched => 0,
        };
        result
    }

    fn app_insights_target(
        &self,
        config: &AppInsightsConfig,
        overrides: &IdentityOverrides,
    ) -> Result<BearerTarget, ScalerError> {
        let resource = &config.resource_url;
        let bad = || {
            request_error(format!(
                "the Application Insights URL {resource:?} is not a URL"
            ))
        };
        let mut url = reqwest::Url::parse(resource)
            .ok()
            .filter(|u| u.host_str().is_some() && u.query().is_none())
            .ok_or_else(bad)?;
        {
            let mut path = url.path_segments_mut().map_err(|()| bad())?;
            path.pop_if_empty();
            path.extend([
                "v1",
                "apps",
                config.application_insights_id.as_str(),
                "metrics",
            ]);
            // `requests/count`: KEDA puts the id in the path as written, slashes included.
            for part in config.metric_id.split('/') {
                if part.is_empty() || part == "." || part == ".." {
                    return Err(request_error(format!(
                        "metricId {:?} has an empty or relative segment",
                        config.metric_id
                    )));
                }
                path.push(part);
            }
        }
        // Before any token is fetched for it.
        self.endpoints
            .check_cloud_or_allowed(&url, |c| c.app_insights)?;
        // getScopedResource.
        let resource = resource.trim_end_matches('/');
        let scope = if resource.ends_with(".default") {
            resource.to_owned()
        } else {
            format!("{resource}/.default")
        };
        Ok(BearerTarget {
            url,
            scope,
            identity: self.bearer_identity(&config.credential, overrides, None)?,
            service: "Application Insights",
        })
    }
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; a bad escape is an error.
fn query_unescape(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'%' => {
                let hex = |k: usize| bytes.get(k).and_then(|c| char::from(*c).to_digit(16));
                let (h, l) = (hex(i + 1)?, hex(i + 2)?);
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The body read as JSON, then `extractAppInsightValue` in KEDA's words; with
/// `ignore_null_values` a value that cannot be extracted is 0 (a body that is not JSON is
/// still an error, as in KEDA).
pub fn metric_value(
    body: &[u8],
    metric_id: &str,
    aggregation: &str,
    ignore_null_values: bool,
) -> Result<f64, ScalerError> {
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ScalerError::MetricRefused(format!(
            "Application Insights answered 200 without a JSON body ({e})"
        ))
    })?;
    match extract(&json, metric_id, aggregation) {
        Err(_) if ignore_null_values => Ok(0.0),
        other => other,
    }
}

fn extract(
    json: &serde_json::Value,
    metric_id: &str,
    aggregation: &str,
) -> Result<f64, ScalerError> {
    let bad = ScalerError::MetricRefused;
    let metric = json
        .get("value")
        .and_then(|v| v.get(metric_id))
        .ok_or_else(|| {
            bad(format!(
                "metric named {metric_id} not found in app insights response"
            ))
        })?;
    let value = metric
        .as_object()
        .and_then(|m| m.get(aggregation))
        .ok_or_else(|| {
            bad(format!(
                "metric {metric_id} did not contain aggregation type {aggregation}"
            ))
        })?;
    if value.is_null() {
        return Err(bad(format!(
            "metric {metric_id} was nil for aggregation type {aggregation}"
        )));
    }
    value.as_f64().ok_or_else(|| {
        bad(format!(
            "metric {metric_id} for aggregation type {aggregation} is not a number"
        ))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str =
        include_str!("../../tests/azure-samples/app-insights-metric-get.rest-api-specs.json");

    #[test]
    fn the_documented_answer() {
        assert_eq!(
            metric_value(SAMPLE.as_bytes(), "requests/count", "sum", false).unwrap(),
            23.0
        );
        let e = metric_value(SAMPLE.as_bytes(), "requests/count", "avg", false).unwrap_err();
        assert_eq!(
            e.to_string(),
            "metric requests/count did not contain aggregation type avg"
        );
        // ignoreNullValues: what cannot be extracted reads 0; a body that is not JSON fails.
        assert_eq!(
            metric_value(SAMPLE.as_bytes(), "requests/count", "avg", true).unwrap(),
            0.0
        );
        assert!(metric_value(b"<html>", "requests/count", "avg", true).is_err());
        let e = metric_value(SAMPLE.as_bytes(), "requests/failed", "sum", false).unwrap_err();
        assert!(
            e.to_string()
                .contains("metric named requests/failed not found in app insights response"),
            "{e}"
        );
    }

    #[test]
    fn null_and_odd_values_are_errors_not_panics() {
        let null = br#"{"value": {"m": {"avg": null}}}"#;
        assert!(metric_value(null, "m", "avg", false)
            .unwrap_err()
            .to_string()
            .contains("metric m was nil for aggregation type avg"));
        assert!(metric_value(br#"{"value": {"m": 3}}"#, "m", "avg", false).is_err());
        assert!(metric_value(br#"{"value": {"m": {"avg": "3"}}}"#, "m", "avg", false).is_err());
        assert!(metric_value(b"[]", "m", "avg", false).is_err());
    }

    #[test]
    fn filters_are_unescaped_once_as_go_does() {
        assert_eq!(
            query_unescape("cloud%2FroleName+eq+'web'").as_deref(),
            Some("cloud/roleName eq 'web'")
        );
        assert_eq!(query_unescape("a%zz"), None);
        assert_eq!(query_unescape("100%"), None);
    }
}
