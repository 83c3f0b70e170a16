//! The Application Insights metrics API (`GET /v1/apps/{appId}/metrics/{metricId}?aggregation=..
//! &timespan=..&filter=..`) on `api.applicationinsights.localhost:<port>`, answering in the
//! documented shape (tests/azure-samples/app-insights-metric-get.rest-api-specs.json):
//! `{"value": {"start", "end", "<metricId>": {"<aggregation>": value}}}`. Bearer tokens must be
//! issued for the endpoint's audience to a client allowed to read the app.

use crate::server::{percent_decode, Answer};
use crate::{AzureStandin, RequestRecord, Shared};

const JSON: &str = "application/json; charset=utf-8";
pub const HOST: &str = "api.applicationinsights.localhost";
const AGGREGATIONS: &[&str] = &["avg", "sum", "min", "max", "count", "unique"];

pub fn is_app_insights(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name.eq_ignore_ascii_case(HOST)
}

fn error(status: u16, code: &str, message: &str) -> Answer {
    let body = serde_json::json!({"error": {"message": message, "code": code,
        "correlationId": "00000000-0006-0000-0000-000000000001"}});
    Answer::new(status, JSON, body.to_string())
}

pub fn fault(status: u16) -> Answer {
    match status {
        429 => error(
            429,
            "ThrottledError",
            "Your request was throttled because the rate limit was exceeded.",
        ),
        500 => error(
            500,
            "InternalServerError",
            "The server encountered an error processing the request.",
        ),
        s => error(s, "InjectedFault", "Injected fault"),
    }
}

/// `GET /v1/apps/{appId}/metrics/{metricId}`.
pub fn get(shared: &Shared, path: &str, query: &str, authorization: &str) -> Answer {
    let state = shared.state();
    let audience = format!("https://{HOST}:{}", shared.port);
    let unauthenticated = || {
        error(
            401,
            "AuthorizationRequiredError",
            "Valid authentication was not provided",
        )
    };
    let Some(client_id) = state.bearer_client(authorization, &audience) else {
        return unauthenticated();
    };
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let (app, metric) = match segments.as_slice() {
        [v1, apps, app, metrics, rest @ ..]
            if v1 == "v1" && apps == "apps" && metrics == "metrics" && !rest.is_empty() =>
        {
            (app.to_ascii_lowercase(), rest.join("/"))
        }
        _ => {
            return error(
                404,
                "PathNotFoundError",
                &format!("The requested path does not exist: {path}"),
            )
        }
    };
    if !state.app_insights_readers.contains(&client_id) {
        return error(
            403,
            "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation",
        );
    }
    let Some(metrics) = state.app_insights.get(&app) else {
        return error(
            404,
            "ApplicationNotFoundError",
            &format!("Application {app} could not be found"),
        );
    };
    let params = crate::server::form(query);
    let param = |name: &str| params.get(name).cloned().unwrap_or_default();
    let aggregation = param("aggregation");
    if !AGGREGATIONS.contains(&aggregation.as_str()) {
        return error(
            400,
            "BadArgumentError",
            &format!("The aggregation '{aggregation}' is not valid"),
        );
    }
    if !param("timespan").starts_with("PT") {
        return error(400, "BadArgumentError", "The timespan is not valid");
    }
    let Some(value) = metrics.get(&metric) else {
        return error(
            400,
            "BadArgumentError",
            &format!("The metric '{metric}' could not be found"),
        );
    };
    let body = serde_json::json!({"value": {
        "start": "2026-01-01T00:00:00.000Z", "end": "2026-01-01T01:00:00.000Z",
        metric: {aggregation: value},
    }});
    Answer::new(200, JSON, body.to_string())
}

impl AzureStandin {
    /// `https://api.applicationinsights.localhost:<port>`: a trigger's
    /// `appInsightsResourceURL` with `cloud: Private`.
    pub fn app_insights_url(&self) -> String {
        format!("https://{HOST}:{}", self.shared.port)
    }

    /// `applicationinsights.localhost:<port>`: the suffix `--allowed-endpoint-suffix` names.
    pub fn app_insights_suffix(&self) -> String {
        format!("applicationinsights.localhost:{}", self.shared.port)
    }

    /// Sets a metric of an app; `None` is answered as `null` (no data in the timespan).
    pub fn set_app_metric(&self, app_id: &str, metric_id: &str, value: Option<f64>) {
        self.shared
            .state()
            .app_insights
            .entry(app_id.to_ascii_lowercase())
            .or_default()
            .insert(metric_id.to_owned(), value);
    }

    /// Lets an application read every app's metrics.
    pub fn grant_app_insights_reader(&self, client_id: &str) {
        self.shared
            .state()
            .app_insights_readers
            .insert(client_id.to_owned());
    }

    /// Requests to the Application Insights API only.
    pub fn app_insights_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| is_app_insights(&r.host))
            .collect()
    }
}
