//! Azure Data Explorer clusters at `<cluster>.kusto.localhost:<port>`: the auth metadata
//! (`GET /v1/rest/auth/metadata`, no credential, in the shape azkustodata's tests record) and
//! `POST /v2/rest/query` answered with v2 frames (the primary result fragmented, as
//! `results_v2_fragment_primary_tables` asks), for bearer tokens this stand-in issued for the
//! cluster resource to applications that are viewers of the database.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::server::Answer;
use crate::Shared;

const JSON: &str = "application/json; charset=utf-8";
/// The first label of every resource id (`https://kusto.kusto.windows.net` in Azure).
const RESOURCE_HOST: &str = "kusto.kusto.localhost";

/// One query's answer: the primary result's single column and its rows.
#[derive(Clone, Debug, Default)]
pub struct KustoResult {
    pub column_type: String,
    pub rows: Vec<Value>,
}

#[derive(Default)]
pub struct Cluster {
    /// Database -> query text -> answer.
    pub databases: BTreeMap<String, BTreeMap<String, KustoResult>>,
    /// Application (client) ids allowed to query (the database viewer role).
    pub viewers: BTreeSet<String>,
}

/// `<cluster>.kusto.localhost[:port]` -> `cluster`.
pub fn cluster_of(host: &str) -> Option<String> {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let name = name.to_ascii_lowercase();
    let (cluster, rest) = name.split_once('.')?;
    (rest == "kusto.localhost" && !cluster.is_empty() && cluster != "kusto")
        .then(|| cluster.to_owned())
}

/// The resource tokens for every cluster of this stand-in name (`KustoServiceResourceId`).
pub fn resource(port: u16) -> String {
    format!("https://{RESOURCE_HOST}:{port}")
}

/// The audience Entra issues a token for `scope`, when it is a cluster resource's.
pub fn audience_of(scope: &str) -> Option<&str> {
    let resource = scope.strip_suffix("/.default")?;
    let host = resource.strip_prefix("https://")?;
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    (name == RESOURCE_HOST).then_some(resource)
}

/// Kusto's OneApi error body.
pub fn error(status: u16, code: &str, message: &str, detail: &str) -> Answer {
    let body = json!({"error": {
        "code": code,
        "message": message,
        "@type": "Kusto.Data.Exceptions.KustoServiceException",
        "@message": detail,
        "@context": {"timestamp": "2026-01-01T00:00:00.0000000Z", "clientRequestId": "KGC.execute;00000000-0000-0000-0000-000000000001", "activityId": "00000000-0000-0000-0000-000000000002"},
        "@permanent": !matches!(status, 429 | 500 | 502 | 503 | 504),
    }});
    Answer::new(status, JSON, body.to_string())
}

/// An injected fault, in Kusto's words.
pub fn fault(status: u16) -> Answer {
    match status {
        429 => error(
            429,
            "TooManyRequests",
            "Request is throttled.",
            "The control command was aborted due to throttling. Retrying after some backoff might succeed.",
        ),
        500 => error(
            500,
            "Internal service error",
            "Request aborted due to an internal service error.",
            "An internal error occurred while processing the request.",
        ),
        503 => error(
            503,
            "ServiceUnavailable",
            "The service is unavailable.",
            "The service is temporarily unavailable.",
        ),
        _ => error(status, "InjectedFault", "Injected fault.", "Injected fault."),
    }
}

/// `GET /v1/rest/auth/metadata`.
fn metadata(shared: &Shared) -> Answer {
    let body = json!({
        "AzureAD": {
            "LoginEndpoint": format!("https://127.0.0.1:{}", shared.port),
            "LoginMfaRequired": false,
            "KustoClientAppId": "db662dc1-0cfe-4e1c-a843-19a68e65be58",
            "KustoClientRedirectUri": "https://microsoft/kustoclient",
            "KustoServiceResourceId": resource(shared.port),
            "FirstPartyAuthorityUrl": "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a",
        },
        "dSTS": {
            "CloudEndpointSuffix": "localhost",
            "DstsRealm": "realm://dsts.core.windows.net",
            "DstsInstance": "prod-dsts.dsts.core.windows.net",
            "KustoDnsHostName": "kusto.localhost",
            "ServiceName": "kusto",
        },
    });
    Answer::new(200, JSON, body.to_string())
}

pub fn handle(
    shared: &Shared,
    cluster: &str,
    method: &str,
    path: &str,
    authorization: &str,
    body: &[u8],
) -> Answer {
    match (method, path) {
        ("GET", "/v1/rest/auth/metadata") => metadata(shared),
        ("POST", "/v2/rest/query") => query(shared, cluster, authorization, body),
        _ => error(
            404,
            "NotFound",
            "The requested resource was not found.",
            &format!("{method} {path} is not a Kusto endpoint"),
        ),
    }
}

fn query(shared: &Shared, cluster: &str, authorization: &str, body: &[u8]) -> Answer {
    let state = shared.state();
    let Some(client_id) = state.bearer_client(authorization, &resource(shared.port)) else {
        // Kusto answers an anonymous or foreign token with an empty 401 body.
        let mut a = Answer::new(401, JSON, String::new());
        a.headers.push((
            "www-authenticate",
            format!(
                "Bearer authorization_uri=\"https://127.0.0.1:{}/\"",
                shared.port
            ),
        ));
        return a;
    };
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let db = request["db"].as_str().unwrap_or("");
    let csl = request["csl"].as_str().unwrap_or("");
    let Some(found) = state.kusto.get(cluster) else {
        return error(
            404,
            "NotFound",
            "The requested resource was not found.",
            &format!("Cluster {cluster} does not exist"),
        );
    };
    if !found.viewers.contains(&client_id) {
        return error(
            403,
            "Forbidden",
            "Caller is not authorized to perform this action",
            &format!("Principal 'aadapp={client_id}' is not authorized to read database '{db}'."),
        );
    }
    let Some(queries) = found.databases.get(db) else {
        return error(
            400,
            "BadRequest_EntityNotFound",
            "Request is invalid and cannot be executed.",
            &format!("Entity ID '{db}' of kind 'Database' was not found."),
        );
    };
    let Some(result) = queries.get(csl) else {
        return error(
            400,
            "General_BadRequest",
            "Request is invalid and cannot be executed.",
            "Semantic error: 'csl' has the following semantic error: SEM0100: 'where' operator: Failed to resolve table or column expression.",
        );
    };
    Answer::new(200, JSON, frames(result))
}

/// The v2 frames of a fragmented answer, one frame a line as
/// `results_v2_newlines_between_frames` asks (the shape of azkustodata's `validFrames.json`).
fn frames(result: &KustoResult) -> String {
    let rows: Vec<Value> = result.rows.iter().map(|v| json!([v])).collect();
    let frames = [
        json!({"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0", "IsFragmented": true, "ErrorReportingPlacement": "EndOfTable"}),
        json!({"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
               "Columns": [{"ColumnName": "TableId", "ColumnType": "int"}, {"ColumnName": "Key", "ColumnType": "string"}, {"ColumnName": "Value", "ColumnType": "dynamic"}],
               "Rows": [[1, "Visualization", "{\"Visualization\":null}"]]}),
        json!({"FrameType": "TableHeader", "TableId": 1, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
               "Columns": [{"ColumnName": "value", "ColumnType": result.column_type}]}),
        json!({"FrameType": "TableFragment", "TableFragmentType": "DataAppend", "TableId": 1, "Rows": rows}),
        json!({"FrameType": "TableCompletion", "TableId": 1, "RowCount": rows.len()}),
        json!({"FrameType": "DataTable", "TableId": 2, "TableKind": "QueryCompletionInformation", "TableName": "QueryCompletionInformation",
               "Columns": [{"ColumnName": "Timestamp", "ColumnType": "datetime"}, {"ColumnName": "LevelName", "ColumnType": "string"}, {"ColumnName": "Payload", "ColumnType": "string"}],
               "Rows": [["2026-01-01T00:00:00.0000000Z", "Info", "{\"Count\":1,\"Text\":\"Query completed successfully\"}"]]}),
        json!({"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false}),
    ];
    let lines: Vec<String> = frames.iter().map(Value::to_string).collect();
    format!("[{}\n]", lines.join("\n,"))
}
