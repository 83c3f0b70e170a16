//! Azure Data Explorer for `azure-data-explorer` (KEDA's `GetAzureDataExplorerMetricValue`
//! through `azkustodata` v1): the cluster's auth metadata (`GET /v1/rest/auth/metadata`, no
//! credential) names the resource whose token the query carries; the query is a
//! `POST /v2/rest/query` of `{db, csl}` answered with v2 frames, and the value is the first
//! column of the single row of the first primary result, as KEDA reads it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use scalecore::scalers::azure_data_explorer::DataExplorerConfig;
use serde_json::Value;

use crate::auth::IdentityOverrides;
use crate::error::ScalerError;
use crate::http::{self, Failure, Reply};
use crate::identity::Identity;
use crate::management::Inner;
use crate::secret::Secret;

/// `azkustodata`'s resource when a cluster publishes no auth metadata (404 or empty body).
pub const DEFAULT_KUSTO_RESOURCE: &str = "https://kusto.kusto.windows.net";
/// The query options `Client.Query` sets: fragmented primary tables, errors at their end.
const QUERY_OPTIONS: &str = r#"{"results_v2_newlines_between_frames":true,"results_v2_fragment_primary_tables":true,"results_error_reporting_placement":"end_of_table"}"#;
/// The auth metadata is a few hundred bytes.
const MAX_METADATA_BYTES: usize = 64 * 1024;
/// A query answer KEDA can use has one row; its frames take a few KiB. A larger answer fails
/// (it has more rows than one anyway), and bounds what decoding it into frames may cost.
const MAX_QUERY_BYTES: usize = 2 * 1024 * 1024;

impl Inner {
    /// KEDA's azure-data-explorer value, shared by every caller asking for the same
    /// (credential, cluster, database, query) within `max_age`.
    pub async fn data_explorer_value(
        &self,
        config: &DataExplorerConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        let cluster = reqwest::Url::parse(config.endpoint.trim())
            .ok()
            .filter(|u| u.host_str().is_some() && u.query().is_none())
            .ok_or_else(|| ScalerError::InvalidEndpoint(http::quote(&config.endpoint)))?;
        let query_url = join(&cluster, "v2/rest/query");
        // Before anything is sent there, credential or not.
        self.endpoints.check(&query_url)?;
        // The secret goes where KEDA sends it (the cloud's authority, or a Private cloud's
        // activeDirectoryEndpoint), but only to an authority this process trusts.
        let identity = self.bearer_identity(
            &config.credential,
            overrides,
            Some(config.active_directory_endpoint.as_str()),
        )?;
        let key = format!(
            "{:?}",
            (
                identity.fingerprint(),
                "kusto",
                query_url.as_str(),
                &config.database_name,
                &config.query
            )
        );
        let fetch = async {
            let resource = self.kusto_resource(&cluster).await?;
            let body = self
                .kusto_query(&identity, &resource, &query_url, config)
                .await?;
            metric_value(&body, &config.query)
        };
        let (result, outcome) = self.explorer_values.get(&key, max_age, fetch).await;
        self.stats.outcome(outcome);
        result
    }

    /// `KustoServiceResourceId` of the cluster's auth metadata (`azkustodata.GetMetadata`),
    /// kept while in use. A resource outside the allowed endpoint suffixes is refused: its
    /// token would be sent to this cluster.
    async fn kusto_resource(&self, cluster: &reqwest::Url) -> Result<String, ScalerError> {
        let mut url = cluster.clone();
        url.set_path("v1/rest/auth/metadata");
        let cache_key = url.as_str().to_owned();
        if let Some(known) = self
            .kusto_resources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&cache_key)
        {
            return Ok(known.clone());
        }
        let endpoint = http::endpoint_name(&url);
        let reply = http::with_retries(
            &self.options,
            || async {
                self.stats.request(&http::host_port(&url), url.path());
                let request = self
                    .client
                    .get(url.clone())
                    .header("accept", "application/json");
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, MAX_METADATA_BYTES)
                        .await?;
                match reply.status {
                    200 | 404 => Ok(reply),
                    _ => Err(failure(&reply)),
                }
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await?;
        let resource = resource_of(&reply)?;
        let parsed = reqwest::Url::parse(&resource)
            .ok()
            .filter(|u| self.endpoints.allows(u) && u.path().trim_matches('/').is_empty());
        if parsed.is_none() {
            return Err(ScalerError::DataExplorerResponse(format!(
                "the cluster's auth metadata names the resource {} outside the allowed endpoint suffixes; no token was requested for it",
                http::quote(&resource)
            )));
        }
        self.kusto_resources
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cache_key, resource.clone());
        Ok(resource)
    }

    async fn kusto_query(
        &self,
        identity: &Identity,
        resource: &str,
        url: &reqwest::Url,
        config: &DataExplorerConfig,
    ) -> Result<Vec<u8>, ScalerError> {
        let scope = format!("{resource}/.default");
        let options: Value = serde_json::from_str(QUERY_OPTIONS).unwrap_or(Value::Null);
        let body = serde_json::json!({
            "db": config.database_name,
            "csl": config.query,
            "properties": {"Options": options},
        })
        .to_string();
        let endpoint = http::endpoint_name(url);
        let reply = http::with_retries(
            &self.options,
            || async {
                let token = self
                    .kusto_token(identity, &scope)
                    .await
                    .map_err(Failure::no_token)?;
                self.stats.request(&http::host_port(url), url.path());
                let request = self
                    .client
                    .post(url.clone())
                    .header("authorization", format!("Bearer {}", token.expose()))
                    .header("accept", "application/json")
                    .header("content-type", "application/json; charset=utf-8")
                    .header("x-ms-app", "scalecore")
                    .body(body.clone());
                let permit = self.in_flight.acquire().await;
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, MAX_QUERY_BYTES).await;
                drop(permit);
                let reply = reply?;
                if reply.status == 200 {
                    return Ok(reply);
                }
                if reply.status == 401 {
                    self.tokens.invalidate(identity, &scope).await;
                }
                Err(failure(&reply))
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await?;
        Ok(reply.body)
    }

    async fn kusto_token(&self, identity: &Identity, scope: &str) -> Result<Secret, ScalerError> {
        self.tokens
            .token(&self.client, &self.options, identity, scope, || {
                self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
            })
            .await
    }
}

/// `u.JoinPath(path)`: the cluster URL's own path kept, query and fragment dropped.
fn join(cluster: &reqwest::Url, path: &str) -> reqwest::Url {
    let mut url = cluster.clone();
    let base = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{base}/{path}"));
    url.set_fragment(None);
    url
}

/// A non-200 answer: Kusto's OneApi error (`{"error": {"code", "message", "@message"}}`).
fn failure(reply: &Reply) -> Failure {
    let json: Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    let error = &json["error"];
    let message = error["@message"]
        .as_str()
        .filter(|m| !m.is_empty())
        .or_else(|| error["message"].as_str());
    let error = ScalerError::Service {
        service: "Azure Data Explorer",
        status: reply.status,
        code: http::cut(error["code"].as_str().unwrap_or("")),
        detail: http::detail(message, reply.status),
    };
    Failure::answered(error, &reply.headers)
}

/// `AzureAD.KustoServiceResourceId` (`.kusto.` -> `.kustomfa.` when `LoginMfaRequired`), or
/// the public resource when the cluster has no metadata.
fn resource_of(reply: &Reply) -> Result<String, ScalerError> {
    if reply.status == 404 || reply.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DEFAULT_KUSTO_RESOURCE.to_owned());
    }
    let json: Value = serde_json::from_slice(&reply.body).map_err(|_| {
        ScalerError::DataExplorerResponse("the cluster's auth metadata is not JSON".to_owned())
    })?;
    let aad = &json["AzureAD"];
    let resource = aad["KustoServiceResourceId"].as_str().unwrap_or("");
    let resource = if aad["LoginMfaRequired"].as_bool() == Some(true) {
        resource.replacen(".kusto.", ".kustomfa.", 1)
    } else {
        resource.to_owned()
    };
    Ok(resource.trim_end_matches('/').to_owned())
}

/// The first primary result of a v2 answer (whole `DataTable` or `TableHeader` +
/// `TableFragment`s + `TableCompletion`): its column types and rows.
struct Table {
    types: Vec<String>,
    rows: Vec<Value>,
}

fn errors_of(frame: &Value) -> Option<String> {
    let errors = frame["OneApiErrors"].as_array().filter(|a| !a.is_empty())?;
    let messages: Vec<String> = errors
        .iter()
        .take(3)
        .map(|e| {
            let e = &e["error"];
            http::detail(
                e["@message"].as_str().or_else(|| e["message"].as_str()),
                200,
            )
        })
        .collect();
    Some(messages.join("; "))
}

fn first_primary_table(body: &[u8]) -> Result<Option<Table>, ScalerError> {
    let bad = |what: &str| ScalerError::DataExplorerResponse(what.to_owned());
    let frames: Vec<Value> =
        serde_json::from_slice(body).map_err(|_| bad("the query answer is not a v2 frame list"))?;
    let mut table: Option<(i64, Table)> = None;
    let mut complete = false;
    for frame in &frames {
        let kind = frame["FrameType"].as_str().unwrap_or("");
        let id = frame["TableId"].as_i64();
        let primary = frame["TableKind"].as_str() == Some("PrimaryResult");
        let columns = || -> Vec<String> {
            frame["Columns"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .map(|c| c["ColumnType"].as_str().unwrap_or("").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        };
        let rows = || frame["Rows"].as_array().cloned().unwrap_or_default();
        match kind {
            "DataTable" if primary && table.is_none() => {
                table = Some((
                    id.unwrap_or(-1),
                    Table {
                        types: columns(),
                        rows: rows(),
                    },
                ));
                complete = true;
            }
            "TableHeader" if primary && table.is_none() => {
                table = Some((
                    id.unwrap_or(-1),
                    Table {
                        types: columns(),
                        rows: Vec::new(),
                    },
                ));
            }
            "TableFragment" if !complete => {
                if let Some((_, t)) = table.as_mut().filter(|(tid, _)| Some(*tid) == id) {
                    if frame["TableFragmentType"].as_str() == Some("DataReplace") {
                        t.rows.clear();
                    }
                    t.rows.extend(rows());
                }
            }
            "TableCompletion"
                if !complete && table.as_ref().is_some_and(|(tid, _)| Some(*tid) == id) =>
            {
                if let Some(e) = errors_of(frame) {
                    return Err(ScalerError::DataExplorerQuery(e));
                }
                complete = true;
            }
            "DataSetCompletion" => {
                if frame["HasErrors"].as_bool() == Some(true) {
                    return Err(ScalerError::DataExplorerQuery(
                        errors_of(frame).unwrap_or_else(|| "the query reported errors".to_owned()),
                    ));
                }
                if frame["Cancelled"].as_bool() == Some(true) {
                    return Err(ScalerError::DataExplorerQuery(
                        "the query was cancelled".to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(table.map(|(_, t)| t))
}

/// `types.NormalizeColumn` for the three types KEDA accepts.
fn numeric(column_type: &str) -> Option<&'static str> {
    match column_type {
        "int" | "int32" => Some("int"),
        "long" | "int64" => Some("long"),
        "real" | "double" => Some("real"),
        _ => None,
    }
}

/// KEDA's checks on the answer, in its words (`query <q> has no results`, ...).
pub fn metric_value(body: &[u8], query: &str) -> Result<f64, ScalerError> {
    let q = ScalerError::DataExplorerQuery;
    let Some(table) = first_primary_table(body)? else {
        return Err(q(format!("query {query} has no results")));
    };
    match table.rows.len() {
        0 => return Err(q(format!("query {query} has no results"))),
        1 => {}
        _ => {
            return Err(q(format!(
                "query {query} result had more than a single result row"
            )))
        }
    }
    let extract = |message: String| {
        q(format!(
            "failed to extract value from query {query}: {message}"
        ))
    };
    let Some(column_type) = table.types.first() else {
        return Err(extract("query has no results".to_owned()));
    };
    if numeric(column_type).is_none() {
        return Err(extract(format!(
            "data type {} is not valid",
            http::cut(column_type)
        )));
    }
    let cell = table.rows[0].get(0).cloned().unwrap_or(Value::Null);
    // Value.String(): a null prints as "", which ParseFloat refuses.
    let text = match &cell {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    };
    let value = text
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            extract(format!(
                "failed to convert result {} to int",
                http::cut(&text)
            ))
        })?;
    if value < 0.0 {
        return Err(extract(format!(
            "query result must be >= 0 but received: {value:.6}"
        )));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const VALID: &str =
        include_str!("../../tests/azure-samples/kusto-v2-valid-frames.kusto-go-testdata.json");
    const PARTIAL_ERROR: &str =
        include_str!("../../tests/azure-samples/kusto-v2-partial-error.kusto-go-testdata.json");

    fn one(column_type: &str, cell: &str) -> String {
        format!(
            r#"[{{"FrameType":"DataSetHeader","IsProgressive":false,"Version":"v2.0","IsFragmented":true}}
,{{"FrameType":"TableHeader","TableId":1,"TableKind":"PrimaryResult","TableName":"PrimaryResult","Columns":[{{"ColumnName":"x","ColumnType":"{column_type}"}}]}}
,{{"FrameType":"TableFragment","TableFragmentType":"DataAppend","TableId":1,"Rows":[[{cell}]]}}
,{{"FrameType":"TableCompletion","TableId":1,"RowCount":1}}
,{{"FrameType":"DataSetCompletion","HasErrors":false,"Cancelled":false}}]"#
        )
    }

    fn message(body: &str) -> String {
        metric_value(body.as_bytes(), "q").unwrap_err().to_string()
    }

    /// The SDK's own sample: two rows in the primary result, which KEDA refuses.
    #[test]
    fn sdk_sample_frames() {
        assert_eq!(
            message(VALID),
            "query q result had more than a single result row"
        );
        let partial = message(PARTIAL_ERROR);
        assert!(
            partial.contains("Query execution has exceeded the allowed limits (80DA0003)"),
            "{partial}"
        );
    }

    /// `extractDataExplorerMetricValue`: int, long and real (and their aliases) only, >= 0.
    #[test]
    fn keda_type_rules() {
        assert_eq!(metric_value(one("long", "4").as_bytes(), "q"), Ok(4.0));
        assert_eq!(metric_value(one("int32", "7").as_bytes(), "q"), Ok(7.0));
        assert_eq!(metric_value(one("real", "10.5").as_bytes(), "q"), Ok(10.5));
        assert_eq!(
            metric_value(one("double", "\"2.5\"").as_bytes(), "q"),
            Ok(2.5)
        );
        assert_eq!(
            message(&one("string", "\"4\"")),
            "failed to extract value from query q: data type string is not valid"
        );
        assert_eq!(
            message(&one("decimal", "\"4\"")),
            "failed to extract value from query q: data type decimal is not valid"
        );
        assert_eq!(
            message(&one("long", "null")),
            "failed to extract value from query q: failed to convert result  to int"
        );
        assert_eq!(
            message(&one("real", "-1.5")),
            "failed to extract value from query q: query result must be >= 0 but received: -1.500000"
        );
        assert_eq!(
            message(&one("long", "-1")),
            "failed to extract value from query q: query result must be >= 0 but received: -1.000000"
        );
        assert_eq!(metric_value(one("long", "0").as_bytes(), "q"), Ok(0.0));
        assert_eq!(
            message(&one("real", "\"NaN\"")),
            "failed to extract value from query q: failed to convert result NaN to int"
        );
    }

    fn reply(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: Default::default(),
            body: body.as_bytes().to_vec(),
        }
    }

    /// `azkustodata`'s `TestGetMetadata` answers: the resource, `.kustomfa.` under MFA, the
    /// public default without metadata.
    #[test]
    fn token_resource_from_the_auth_metadata() {
        let plain =
            include_str!("../../tests/azure-samples/kusto-auth-metadata.kusto-go-testdata.json");
        let mfa = include_str!(
            "../../tests/azure-samples/kusto-auth-metadata-mfa.kusto-go-testdata.json"
        );
        assert_eq!(
            resource_of(&reply(200, plain)).unwrap(),
            "https://kusto.dev.kusto.windows.net"
        );
        assert_eq!(
            resource_of(&reply(200, mfa)).unwrap(),
            "https://kusto.dev.kustomfa.windows.net"
        );
        assert_eq!(
            resource_of(&reply(404, "")).unwrap(),
            DEFAULT_KUSTO_RESOURCE
        );
        assert_eq!(
            resource_of(&reply(200, "")).unwrap(),
            DEFAULT_KUSTO_RESOURCE
        );
        assert!(resource_of(&reply(200, "<html/>")).is_err());
    }

    #[test]
    fn empty_and_unfragmented_answers() {
        let empty = one("long", "4").replace("\"Rows\":[[4]]", "\"Rows\":[]");
        assert_eq!(message(&empty), "query q has no results");
        let none = r#"[{"FrameType":"DataSetHeader"},{"FrameType":"DataSetCompletion","HasErrors":false}]"#;
        assert_eq!(message(none), "query q has no results");
        let whole = r#"[{"FrameType":"DataSetHeader"},{"FrameType":"DataTable","TableId":0,"TableKind":"QueryProperties","Columns":[{"ColumnType":"string"}],"Rows":[["x"]]},{"FrameType":"DataTable","TableId":1,"TableKind":"PrimaryResult","Columns":[{"ColumnName":"x","ColumnType":"long"}],"Rows":[[12]]},{"FrameType":"DataSetCompletion","HasErrors":false}]"#;
        assert_eq!(metric_value(whole.as_bytes(), "q"), Ok(12.0));
        assert!(message("<html>").contains("not a v2 frame list"));
    }
}
