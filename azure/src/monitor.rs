//! Azure Monitor metrics for `azure-monitor` (KEDA's `azureMonitorScaler.requestMetric`):
//! Metrics - List of Azure Resource Manager (`GET {resource id}/providers/Microsoft.Insights/
//! metrics`, api-version 2018-01-01, what `azquery.MetricsClient.QueryResource` sends) with the
//! trigger's metric name, namespace, filter and aggregation over the last
//! `metricAggregationInterval` (5 minutes by default). The value is the last data point of the
//! first time series for the aggregation. Tokens are for the Resource Manager audience, from a
//! service principal's secret or the workload identity.

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use scalecore::scalers::azure_ad::Credential;
use scalecore::scalers::azure_monitor::AzureMonitorConfig;

use crate::auth::IdentityOverrides;
use crate::coalesce::Outcome;
use crate::error::ScalerError;
use crate::http::{self, Failure, Reply};
use crate::identity::{self, Identity};
use crate::management::Inner;
use crate::secret::Secret;
use crate::storage_queue::civil_from_days;

/// The Metrics - List version `azquery` v1.2.0 sends.
pub const METRICS_API_VERSION: &str = "2018-01-01";
/// KEDA's window when `metricAggregationInterval` is not set.
const DEFAULT_TIMESPAN: Duration = Duration::from_secs(5 * 60);
/// One metric's time series over a few hours at one-minute grain, per dimension value.
const MAX_METRICS_BYTES: usize = 4 * 1024 * 1024;

/// Where a request with an Entra token goes, the scope of that token and whose it is.
pub(crate) struct BearerTarget {
    /// Without a query.
    pub url: reqwest::Url,
    pub scope: String,
    pub identity: Identity,
    /// Names the service in errors (`Azure Monitor`, `Log Analytics`).
    pub service: &'static str,
}

impl BearerTarget {
    pub fn fingerprint(&self) -> String {
        self.identity.fingerprint()
    }
}

fn invalid(message: String) -> ScalerError {
    ScalerError::MonitorResponse(message)
}

/// The Resource Manager endpoint a trigger reads from. With `cloud: Private` it is the
/// documented `azureResourceManagerEndpoint` (KEDA v2.20.2's code stores that on its Logs
/// service entry, which the metrics client never reads; the documented meaning is followed).
pub fn resource_manager_endpoint(config: &AzureMonitorConfig) -> &str {
    config
        .azure_resource_manager_endpoint
        .as_deref()
        .unwrap_or(config.cloud.metrics_endpoint)
}

/// `azquery.NewTimeInterval(start, end)`: both as Go's RFC 3339 (seconds, `Z`).
pub fn timespan(end: SystemTime, length: Duration) -> String {
    let stamp = |t: SystemTime| {
        let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let (year, month, day) = civil_from_days((secs / 86_400) as i64);
        let rem = secs % 86_400;
        format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem / 60) % 60,
            rem % 60
        )
    };
    let start = end.checked_sub(length).unwrap_or(UNIX_EPOCH);
    format!("{}/{}", stamp(start), stamp(end))
}

/// `formatTimeSpan`'s window: `hh:mm:ss` (the core checked there are three parts).
fn window(interval: &str) -> Result<Duration, ScalerError> {
    if interval.is_empty() {
        return Ok(DEFAULT_TIMESPAN);
    }
    let parts: Vec<Result<u64, _>> = interval.split(':').map(|p| p.parse::<u64>()).collect();
    match parts.as_slice() {
        [Ok(h), Ok(m), Ok(s)] => Ok(Duration::from_secs(
            h.saturating_mul(3600)
                .saturating_add(m.saturating_mul(60))
                .saturating_add(*s),
        )),
        _ => Err(ScalerError::MonitorRequest(format!(
            "errors parsing metricAggregationInterval: {interval:?} is not hh:mm:ss"
        ))),
    }
}

impl Inner {
    /// KEDA's azure-monitor value, shared by every caller asking for the same (credential,
    /// resource, metric, namespace, filter, aggregation, window) within `max_age`.
    pub async fn monitor_metric(
        &self,
        config: &AzureMonitorConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        let target = self.arm_target(config, overrides)?;
        let length = window(&config.aggregation_interval)?;
        let key = format!(
            "{:?}",
            (
                target.fingerprint(),
                "monitor",
                target.url.as_str(),
                &config.metric_name,
                &config.metric_namespace,
                &config.metric_filter,
                &config.aggregation_type,
                length
            )
        );
        let fetch = async {
            let mut url = target.url.clone();
            {
                let mut q = url.query_pairs_mut();
                // Go's url.Values.Encode: keys in byte order.
                if let Some(filter) = &config.metric_filter {
                    q.append_pair("$filter", filter);
                }
                q.append_pair("aggregation", &config.aggregation_type);
                q.append_pair("api-version", METRICS_API_VERSION);
                q.append_pair("metricnames", &config.metric_name);
                if let Some(namespace) = &config.metric_namespace {
                    q.append_pair("metricnamespace", namespace);
                }
                q.append_pair("timespan", &timespan(SystemTime::now(), length));
            }
            let reply = self
                .bearer_send(&target, reqwest::Method::GET, url, None, MAX_METRICS_BYTES)
                .await?;
            last_value(&reply.body, &config.aggregation_type)
        };
        let (result, outcome) = self.metric_values.get(&key, max_age, fetch).await;
        match outcome {
            Outcome::Hit => self.stats.cache_hits.fetch_add(1, Ordering::Relaxed),
            Outcome::Joined => self.stats.coalesced.fetch_add(1, Ordering::Relaxed),
            Outcome::Fetched => 0,
        };
        result
    }

    fn arm_target(
        &self,
        config: &AzureMonitorConfig,
        overrides: &IdentityOverrides,
    ) -> Result<BearerTarget, ScalerError> {
        let endpoint = resource_manager_endpoint(config);
        let mut url = reqwest::Url::parse(endpoint)
            .ok()
            .filter(|u| u.host_str().is_some() && u.query().is_none())
            .ok_or_else(|| {
                ScalerError::MonitorRequest(format!(
                    "azureResourceManagerEndpoint {endpoint:?} is not a URL"
                ))
            })?;
        {
            let mut path = url.path_segments_mut().map_err(|()| {
                ScalerError::MonitorRequest(format!("{endpoint:?} cannot carry a path"))
            })?;
            path.pop_if_empty();
            for part in config.metric_resource_uri().split('/').skip(1) {
                // Pushed one by one, so each is percent-encoded and cannot leave the resource.
                if part.is_empty() || part == "." || part == ".." {
                    return Err(ScalerError::MonitorRequest(format!(
                        "the resource id {:?} has an empty or relative segment",
                        config.metric_resource_uri()
                    )));
                }
                path.push(part);
            }
            path.extend(["providers", "Microsoft.Insights", "metrics"]);
        }
        // Before any token is fetched for it.
        self.endpoints
            .check_cloud_or_allowed(&url, |c| c.metrics_endpoint)?;
        Ok(BearerTarget {
            url,
            scope: format!("{}/.default", endpoint.trim_end_matches('/')),
            identity: self.bearer_identity(&config.credential, overrides, None)?,
            service: "Azure Monitor",
        })
    }

    /// The identity a scaler's `Credential` signs in as: a service principal's secret, or the
    /// workload identity with the TriggerAuthentication's overrides. `secret_authority` is
    /// where a scaler that gives its credential a cloud sends the secret (data-explorer's
    /// `activeDirectoryEndpoint`); it must be an authority this process trusts.
    pub(crate) fn bearer_identity(
        &self,
        credential: &Credential,
        overrides: &IdentityOverrides,
        secret_authority: Option<&str>,
    ) -> Result<Identity, ScalerError> {
        Ok(match credential {
            Credential::ClientSecret {
                tenant_id,
                client_id,
                client_secret,
            } => {
                if let Some(authority) = secret_authority {
                    if !identity::authority_override_allowed(&self.identity_env, authority) {
                        return Err(ScalerError::AuthorityNotAllowed(http::quote(authority)));
                    }
                }
                Identity::client_secret(
                    &self.identity_env,
                    tenant_id,
                    client_id,
                    Secret::new(client_secret.expose()),
                    secret_authority,
                )?
            }
            Credential::Workload { identity_id } => {
                self.workload_identity(identity_id.as_deref(), overrides)?
            }
        })
    }

    /// One request with retries and a Bearer token for the target's scope; the 200 reply.
    /// `body` is sent as JSON.
    pub(crate) async fn bearer_send(
        &self,
        target: &BearerTarget,
        method: reqwest::Method,
        url: reqwest::Url,
        body: Option<&serde_json::Value>,
        max_body: usize,
    ) -> Result<Reply, ScalerError> {
        let host = http::host_port(&url);
        let endpoint = http::endpoint_name(&url);
        http::with_retries(
            &self.options,
            || async {
                let token = self
                    .tokens
                    .token(
                        &self.client,
                        &self.options,
                        &target.identity,
                        &target.scope,
                        || {
                            self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
                        },
                    )
                    .await
                    // The token request already had its own retries.
                    .map_err(Failure::no_token)?;
                let authorization = Secret::new(format!("Bearer {}", token.expose()));
                self.stats.request(&host, url.path());
                let mut request = self
                    .client
                    .request(method.clone(), url.clone())
                    .header("accept", "application/json")
                    .header("authorization", authorization.expose());
                if let Some(body) = body {
                    request = request
                        .header("content-type", "application/json")
                        .body(body.to_string());
                }
                let permit = self.in_flight.acquire().await;
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, max_body).await;
                drop(permit);
                let reply = reply?;
                if reply.status == 200 {
                    return Ok(reply);
                }
                if reply.status == 401 {
                    // Revoked or issued for another audience: the next poll asks Entra again.
                    self.tokens
                        .invalidate(&target.identity, &target.scope)
                        .await;
                }
                let (code, detail) = error_parts(&reply.body);
                let error = ScalerError::Service {
                    service: target.service,
                    status: reply.status,
                    code,
                    detail,
                };
                Err(Failure::answered(error, &reply.headers))
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await
    }
}

/// Resource Manager's and Log Analytics' `{"error": {"code", "message"}}` or Azure Monitor's
/// `{"code", "message"}`.
pub(crate) fn error_parts(body: &[u8]) -> (String, String) {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let inner = json.get("error").unwrap_or(&json);
    let text = |key: &str| {
        inner
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("")
            .trim()
    };
    (http::cut(text("code")), http::cut(text("message")))
}

/// KEDA's reading of a Metrics - List answer: exactly one metric (otherwise KEDA logs and
/// returns -1 without an error), its first time series, that series' last data point, and
/// in it the aggregation asked for (absent: "unsupported aggregation type").
pub fn last_value(body: &[u8], aggregation: &str) -> Result<f64, ScalerError> {
    let json: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("Metrics - List answered 200 without JSON ({e})")))?;
    let metrics = match json.get("value") {
        Some(serde_json::Value::Array(a)) => a.as_slice(),
        None | Some(serde_json::Value::Null) => &[],
        Some(_) => return Err(invalid("\"value\" is not an array".to_owned())),
    };
    let [metric] = metrics else {
        tracing::warn!(
            metrics = metrics.len(),
            "Azure Monitor answered with other than one metric; the value is -1, as KEDA's"
        );
        return Ok(-1.0);
    };
    let name = metric
        .pointer("/name/value")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let series = metric
        .get("timeseries")
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
        .ok_or_else(|| {
            invalid(format!(
                "got metric result for {name} and aggregate type {aggregation} without timeseries"
            ))
        })?;
    let point = series
        .get("data")
        .and_then(|v| v.as_array())
        .and_then(|a| a.last())
        .ok_or_else(|| {
            invalid(format!(
                "got metric result for {name} and aggregate type {aggregation} without any metric values"
            ))
        })?;
    let field = match aggregation.to_ascii_lowercase().as_str() {
        f @ ("average" | "total" | "maximum" | "minimum" | "count") => Some(f.to_owned()),
        _ => None,
    };
    field
        .and_then(|f| point.get(f).and_then(serde_json::Value::as_f64))
        .filter(|v| v.is_finite())
        .ok_or_else(|| invalid(format!("unsupported aggregation type {aggregation}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const SAMPLE: &str =
        include_str!("../../tests/azure-samples/monitor-metrics-list.rest-api-specs.json");

    /// The documented example: the first series' last point is {count: 1, average: 0}.
    #[test]
    fn the_last_point_of_the_first_series() {
        assert_eq!(last_value(SAMPLE.as_bytes(), "Average").unwrap(), 0.0);
        assert_eq!(last_value(SAMPLE.as_bytes(), "Count").unwrap(), 1.0);
        // The point has no total: KEDA's "unsupported aggregation type".
        let e = last_value(SAMPLE.as_bytes(), "Total").unwrap_err();
        assert!(
            e.to_string().contains("unsupported aggregation type Total"),
            "{e}"
        );
        let e = last_value(SAMPLE.as_bytes(), "None").unwrap_err();
        assert!(
            e.to_string().contains("unsupported aggregation type None"),
            "{e}"
        );
    }

    #[test]
    fn no_metric_is_minus_one_and_empty_series_are_errors() {
        assert_eq!(last_value(br#"{"value": []}"#, "Average").unwrap(), -1.0);
        assert_eq!(
            last_value(
                br#"{"value": [{"timeseries": []}, {"timeseries": []}]}"#,
                "Average"
            )
            .unwrap(),
            -1.0
        );
        let e = last_value(
            br#"{"value": [{"name": {"value": "cpu"}, "timeseries": []}]}"#,
            "Average",
        )
        .unwrap_err();
        assert!(e.to_string().contains("without timeseries"), "{e}");
        let e =
            last_value(br#"{"value": [{"timeseries": [{"data": []}]}]}"#, "Average").unwrap_err();
        assert!(e.to_string().contains("without any metric values"), "{e}");
        assert!(last_value(b"<html>", "Average").is_err());
        assert!(last_value(br#"{"value": 3}"#, "Average").is_err());
    }

    #[test]
    fn timespans_are_go_rfc3339() {
        let end = UNIX_EPOCH + Duration::from_secs(1_796_546_277);
        assert_eq!(
            timespan(end, DEFAULT_TIMESPAN),
            "2026-12-06T08:32:57Z/2026-12-06T08:37:57Z"
        );
        assert_eq!(window("").unwrap(), DEFAULT_TIMESPAN);
        assert_eq!(window("01:02:03").unwrap(), Duration::from_secs(3723));
        assert!(window("a:b:c").is_err());
    }

    #[test]
    fn arm_and_monitor_error_shapes() {
        let (code, message) = error_parts(
            br#"{"error": {"code": "AuthorizationFailed", "message": "no read\nmore"}}"#,
        );
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("AuthorizationFailed", "no read")
        );
        let (code, _) =
            error_parts(br#"{"code": "BadRequest", "message": "Failed to find metric"}"#);
        assert_eq!(code, "BadRequest");
        assert_eq!(error_parts(b"x"), (String::new(), String::new()));
    }
}
