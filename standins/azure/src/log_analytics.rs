//! The Log Analytics query API (`POST /v1/workspaces/{workspaceId}/query`, body
//! `{"query": ..}`) on `api.loganalytics.localhost:<port>`, answering in the documented shape
//! (tests/azure-samples/log-analytics-query.rest-api-specs.json): the result set for the query
//! text, as a test set it. Bearer tokens must be issued for the endpoint's audience to a client
//! holding Log Analytics Reader; the service's error bodies otherwise.

use crate::server::{percent_decode, Answer};
use crate::{AzureStandin, RequestRecord, Shared};

const JSON: &str = "application/json; charset=utf-8";
pub const HOST: &str = "api.loganalytics.localhost";

pub fn is_log_analytics(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name.eq_ignore_ascii_case(HOST)
}

/// The service's error shape: `{"error": {"message", "code", "correlationId", "innererror"?}}`.
fn error(status: u16, code: &str, message: &str, inner: Option<(&str, &str)>) -> Answer {
    let mut body = serde_json::json!({"error": {"message": message, "code": code,
        "correlationId": "00000000-0005-0000-0000-000000000001"}});
    if let Some((code, message)) = inner {
        body["error"]["innererror"] = serde_json::json!({"code": code, "message": message});
    }
    Answer::new(status, JSON, body.to_string())
}

pub fn fault(status: u16) -> Answer {
    match status {
        429 => error(
            429,
            "ThrottledError",
            "Your request was throttled because the rate limit was exceeded.",
            None,
        ),
        500 => error(
            500,
            "InternalServerError",
            "The server encountered an error processing the request.",
            None,
        ),
        503 => error(
            503,
            "ServiceUnavailableError",
            "The service is temporarily unavailable.",
            None,
        ),
        s => error(s, "InjectedFault", "Injected fault", None),
    }
}

/// `POST /v1/workspaces/{id}/query`.
pub fn post(shared: &Shared, path: &str, authorization: &str, body: &[u8]) -> Answer {
    let state = shared.state();
    let audience = format!("https://{HOST}:{}", shared.port);
    let unauthenticated = || {
        error(
            401,
            "AuthorizationRequiredError",
            "Valid authentication was not provided",
            None,
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
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let ["v1", "workspaces", workspace, "query"] = segments.as_slice() else {
        return error(
            404,
            "PathNotFoundError",
            &format!("The requested path does not exist: {path}"),
            None,
        );
    };
    if !state.log_readers.contains(&client_id) {
        return error(
            403,
            "InsufficientAccessError",
            "The provided credentials have insufficient access to perform the requested operation",
            None,
        );
    }
    let Some(queries) = state.log_workspaces.get(&workspace.to_ascii_lowercase()) else {
        return error(
            404,
            "WorkspaceNotFoundError",
            &format!("Workspace {workspace} not found"),
            None,
        );
    };
    let request: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let Some(query) = request.get("query").and_then(|q| q.as_str()) else {
        return error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            Some(("QueryValidationError", "query is required")),
        );
    };
    match queries.get(query) {
        Some(result) => Answer::new(200, JSON, result.to_string()),
        None => error(
            400,
            "BadArgumentError",
            "The request had some invalid properties",
            Some((
                "SemanticError",
                "A semantic error occurred while running the query.",
            )),
        ),
    }
}

impl AzureStandin {
    /// `https://api.loganalytics.localhost:<port>`: a trigger's `logAnalyticsResourceURL` with
    /// `cloud: Private` (the API is under `/v1`).
    pub fn log_analytics_url(&self) -> String {
        format!("https://{HOST}:{}", self.shared.port)
    }

    /// `loganalytics.localhost:<port>`: the suffix `--allowed-endpoint-suffix` names for it.
    pub fn log_analytics_suffix(&self) -> String {
        format!("loganalytics.localhost:{}", self.shared.port)
    }

    /// What the workspace answers to `query`: a whole result (`{"tables": [..]}`).
    pub fn set_log_query_result(&self, workspace: &str, query: &str, result: serde_json::Value) {
        self.shared
            .state()
            .log_workspaces
            .entry(workspace.to_ascii_lowercase())
            .or_default()
            .insert(query.to_owned(), result);
    }

    /// What `summarize count()` answers: one `long` column, one row.
    pub fn set_log_query_count(&self, workspace: &str, query: &str, count: i64) {
        self.set_log_query_result(
            workspace,
            query,
            serde_json::json!({"tables": [{"name": "PrimaryResult",
                "columns": [{"name": "count_", "type": "long"}], "rows": [[count]]}]}),
        );
    }

    /// Gives an application Log Analytics Reader on every workspace.
    pub fn grant_log_analytics_reader(&self, client_id: &str) {
        self.shared.state().log_readers.insert(client_id.to_owned());
    }

    /// Requests to the Log Analytics API only.
    pub fn log_analytics_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| is_log_analytics(&r.host))
            .collect()
    }
}
