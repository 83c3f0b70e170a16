//! Azure Resource Manager's Metrics - List (`GET {resource id}/providers/Microsoft.Insights/
//! metrics?api-version=2018-01-01&metricnames=..&aggregation=..&timespan=..`) on
//! Resource Manager's host (`crate::arm`), answering in the documented shape
//! (tests/azure-samples/monitor-metrics-list.rest-api-specs.json): one metric per name asked,
//! one time series, one data point per minute of the timespan carrying each aggregation asked.
//! The caller must hold Monitoring Reader; Azure Monitor's error bodies otherwise.

use crate::arm::error as arm_error;
use crate::server::Answer;
use crate::state::State;
use crate::AzureStandin;

const JSON: &str = "application/json; charset=utf-8";
const API_VERSION: &str = "2018-01-01";
const AGGREGATIONS: &[&str] = &["average", "count", "maximum", "minimum", "total"];
/// Data points one answer holds at most (a day at one-minute grain).
const MAX_POINTS: i64 = 1440;

/// A metric of one resource: `value` is reported for every aggregation of every point.
#[derive(Clone, Debug, Default)]
pub struct Metric {
    pub value: f64,
}

/// Azure Monitor's own error shape (`ErrorResponse`: code and message at the top).
fn monitor_error(status: u16, code: &str, message: &str) -> Answer {
    let body = serde_json::json!({"code": code, "message": message});
    Answer::new(status, JSON, body.to_string())
}

/// Seconds since the epoch of Go's RFC 3339 (`2026-01-01T00:00:00Z`, optional fraction).
fn parse_time(text: &str) -> Option<i64> {
    let t = text.trim().strip_suffix('Z')?;
    let (date, time) = t.split_once('T')?;
    let d: Vec<i64> = date
        .split('-')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let time = time.split('.').next()?;
    let c: Vec<i64> = time
        .split(':')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    let ([y, m, day], [hh, mm, ss]) = (d.as_slice(), c.as_slice()) else {
        return None;
    };
    // H. Hinnant's days_from_civil.
    let y = if *m <= 2 { y - 1 } else { *y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn format_time(secs: i64) -> String {
    crate::storage::iso(u64::try_from(secs).unwrap_or(0))
}

/// `GET {resource}/providers/Microsoft.Insights/metrics` by `client_id`, whose token
/// Resource Manager accepted.
pub fn get(state: &State, client_id: &str, resource: &str, query: &str) -> Answer {
    if !state.monitor_readers.contains(client_id) {
        return arm_error(
            403,
            "AuthorizationFailed",
            &format!(
                "The client '{client_id}' with object id '{client_id}' does not have authorization to perform action 'microsoft.insights/metrics/read' over scope '{resource}' or the scope is invalid. If access was recently granted, please refresh your credentials."
            ),
        );
    }
    let params = crate::server::form(query);
    let param = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    if param("api-version") != API_VERSION {
        return arm_error(
            400,
            "InvalidApiVersionParameter",
            &format!(
                "The api-version '{}' is invalid. The supported versions are '{API_VERSION}'.",
                param("api-version")
            ),
        );
    }
    let Some(metrics) = state.monitor.get(resource) else {
        return arm_error(
            404,
            "ResourceNotFound",
            &format!(
                "The Resource '{resource}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            ),
        );
    };
    let aggregations: Vec<String> = param("aggregation")
        .split(',')
        .map(|a| a.trim().to_ascii_lowercase())
        .filter(|a| !a.is_empty())
        .collect();
    if let Some(bad) = aggregations
        .iter()
        .find(|a| !AGGREGATIONS.contains(&a.as_str()) && a.as_str() != "none")
    {
        return monitor_error(
            400,
            "BadRequest",
            &format!("Invalid aggregation type: {bad}"),
        );
    }
    let aggregations = if aggregations.is_empty() {
        vec!["average".to_owned()]
    } else {
        aggregations
    };
    let Some((start, end)) = param("timespan")
        .split_once('/')
        .and_then(|(s, e)| Some((parse_time(s)?, parse_time(e)?)))
        .filter(|(s, e)| s <= e)
    else {
        return monitor_error(
            400,
            "BadRequest",
            &format!("Invalid timespan: {}", param("timespan")),
        );
    };
    let mut value = Vec::new();
    for name in param("metricnames").split(',').filter(|n| !n.is_empty()) {
        let Some(metric) = metrics.get(&name.to_ascii_lowercase()) else {
            let valid: Vec<&str> = metrics.keys().map(String::as_str).collect();
            return monitor_error(
                400,
                "BadRequest",
                &format!(
                    "Failed to find metric configuration for provider: {}, metric: {name}, Valid metrics: {}",
                    resource.split("/providers/").nth(1).unwrap_or(""),
                    valid.join(",")
                ),
            );
        };
        let first = start - start.rem_euclid(60);
        let points = ((end - first) / 60).clamp(1, MAX_POINTS);
        let data: Vec<serde_json::Value> = (0..points)
            .map(|n| {
                let mut point = serde_json::json!({"timeStamp": format_time(first + n * 60)});
                for a in &aggregations {
                    if a != "none" {
                        point[a.as_str()] = serde_json::json!(metric.value);
                    }
                }
                point
            })
            .collect();
        value.push(serde_json::json!({
            "id": format!("{resource}/providers/Microsoft.Insights/metrics/{name}"),
            "type": "Microsoft.Insights/metrics",
            "name": {"value": name, "localizedValue": name},
            "displayDescription": "",
            "unit": "Count",
            "timeseries": [{"metadatavalues": [], "data": data}],
            "errorCode": "Success",
        }));
    }
    let body = serde_json::json!({
        "cost": 0,
        "timespan": param("timespan"),
        "interval": "PT1M",
        "value": value,
        "namespace": param("metricnamespace"),
        "resourceregion": "eastus",
    });
    Answer::new(200, JSON, body.to_string())
}

impl AzureStandin {
    /// Sets a metric of the resource `/subscriptions/../resourceGroups/../providers/ns/type/name`
    /// (creating the resource).
    pub fn set_metric(&self, resource_id: &str, metric: &str, value: f64) {
        self.shared
            .state()
            .monitor
            .entry(resource_id.to_ascii_lowercase())
            .or_default()
            .insert(metric.to_ascii_lowercase(), Metric { value });
    }

    pub fn remove_monitored_resource(&self, resource_id: &str) {
        self.shared
            .state()
            .monitor
            .remove(&resource_id.to_ascii_lowercase());
    }

    /// Gives an application Monitoring Reader: its Resource Manager tokens may read metrics.
    pub fn grant_monitoring_reader(&self, client_id: &str) {
        self.shared
            .state()
            .monitor_readers
            .insert(client_id.to_owned());
    }

    /// Registers a service principal in a tenant with a fresh client secret, returned.
    pub fn add_client_secret(&self, tenant: &str, client_id: &str) -> String {
        let mut state = self.shared.state();
        let secret = format!("standin~{}", state.fresh("client-secret"));
        state
            .clients
            .insert((tenant.to_owned(), client_id.to_owned()));
        state
            .client_secrets
            .insert((tenant.to_owned(), client_id.to_owned()), secret.clone());
        secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip() {
        let t = parse_time("2026-12-06T08:37:57Z");
        assert_eq!(t, Some(1_796_546_277));
        assert_eq!(format_time(1_796_546_277), "2026-12-06T08:37:57Z");
        assert_eq!(parse_time("2000-02-29T00:00:00.123Z"), Some(951_782_400));
        assert_eq!(parse_time("yesterday"), None);
    }
}
