//! The HTTP side: reads a request, routes it, answers JSON (or a watch stream).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::{Request, Response};
use serde_json::{json, Value};

use crate::discovery;
use crate::gc;
use crate::ops::{self, Sub};
use crate::patch::PatchKind;
use crate::registry;
use crate::route::{parse_path, Query, ResourcePath, Route};
use crate::selector::Selector;
use crate::state::{RequestRecord, Shared};
use crate::status::ApiError;
use crate::store::{rv_of, Key};
use crate::watch::{self, WatchRequest};

pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Largest request body accepted (the API server's own limit is 3 MiB).
pub const MAX_BODY: usize = 3 * 1024 * 1024;
const BODY_TIMEOUT: Duration = Duration::from_secs(30);

fn json_response(code: u16, value: &Value) -> Response<Body> {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(bytes)).boxed_unsync());
    *response.status_mut() =
        hyper::StatusCode::from_u16(code).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    response
}

fn error_response(error: &ApiError) -> Response<Body> {
    json_response(error.code, &error.to_status())
}

async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match tokio::time::timeout(BODY_TIMEOUT, Limited::new(body, MAX_BODY).collect()).await {
        Err(_) => Err(ApiError::new(
            408,
            "Timeout",
            "timed out reading the request body",
        )),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::too_large()),
        Ok(Err(e)) => Err(ApiError::bad_request(format!(
            "reading the request body: {e}"
        ))),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
    }
}

/// The hyper service function.
pub async fn handle(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let method = request.method().as_str().to_string();
    let path = request.uri().path().to_string();
    let raw_query = request.uri().query().unwrap_or("").to_string();
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if let Some(delay) = shared.take_delay(&method, &path) {
        tokio::time::sleep(delay).await;
    }
    let response = match read_body(request.into_body()).await {
        Err(e) => error_response(&e),
        Ok(body) => dispatch(
            &shared,
            &method,
            &path,
            &raw_query,
            content_type.as_deref(),
            &body,
        ),
    };
    shared.record(RequestRecord {
        method,
        path,
        query: raw_query,
        content_type,
        status: response.status().as_u16(),
    });
    Ok(response)
}

fn dispatch(
    shared: &Arc<Shared>,
    method: &str,
    path: &str,
    raw_query: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Response<Body> {
    if let Some(error) = shared.take_failure(method, path) {
        return error_response(&error);
    }
    let query = Query::parse(raw_query);
    let found = |v: Option<Value>| {
        v.map_or_else(
            || error_response(&ApiError::no_such_resource()),
            |v| json_response(200, &v),
        )
    };
    if let Some(external) = crate::external::parse(path) {
        return match (method, external) {
            ("GET", None) => json_response(200, &crate::external::resources()),
            ("GET", Some((ns, metric))) => {
                match crate::state::lock(&shared.external_metrics).get(ns, metric, &query) {
                    Ok(v) => json_response(200, &v),
                    Err(e) => error_response(&e),
                }
            }
            _ => error_response(&ApiError::method_not_allowed()),
        };
    }
    match parse_path(path) {
        Route::Version => json_response(200, &discovery::version()),
        Route::Health => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"ok")).boxed_unsync());
            response.headers_mut().insert(
                CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/plain"),
            );
            response
        }
        Route::CoreVersions => {
            json_response(200, &discovery::core_versions(&shared.server_address))
        }
        Route::Groups => json_response(200, &discovery::groups()),
        Route::ResourceList { group, version } => found(discovery::resources(&group, &version)),
        Route::Unknown => error_response(&ApiError::no_such_resource()),
        Route::Resource(rp) => match resource(shared, &rp, method, &query, content_type, body) {
            Ok(response) => response,
            Err(error) => error_response(&error),
        },
    }
}

fn resource(
    shared: &Arc<Shared>,
    rp: &ResourcePath,
    method: &str,
    query: &Query,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Response<Body>, ApiError> {
    let rt = registry::get(rp.res).ok_or_else(ApiError::no_such_resource)?;
    let namespace = rp.namespace.clone().unwrap_or_default();
    let is_write = matches!(method, "POST" | "PUT" | "PATCH" | "DELETE");
    if is_write && rt.namespaced && rp.namespace.is_none() {
        return Err(ApiError::method_not_allowed());
    }
    if is_write && query.get("dryRun").is_some() {
        return Err(ApiError::bad_request(
            "dryRun is not modelled by the stand-in",
        ));
    }
    if is_write && shared.take_conflict() {
        return Err(ApiError::conflict(rt, rp.name.as_deref().unwrap_or("")));
    }
    let sub = match rp.subresource.as_deref() {
        None => Sub::Main,
        Some("status") => Sub::Status,
        Some("scale") => Sub::Scale,
        Some(_) => return Err(ApiError::no_such_resource()),
    };
    let manager = query.get("fieldManager").filter(|m| !m.is_empty());
    let key = |name: &str| Key {
        res: rp.res,
        namespace: namespace.clone(),
        name: name.to_string(),
    };
    let outcome = match (method, rp.name.as_deref()) {
        ("GET", None) if query.flag("watch") => return start_watch(shared, rp, query),
        ("GET", None) => return list(shared, rp, query),
        ("GET", Some(name)) => {
            return Ok(json_response(
                200,
                &ops::read(&shared.store(), &key(name), sub)?,
            ))
        }
        ("POST", None) if sub == Sub::Main => {
            let mut store = shared.store();
            let outcome = ops::create(
                &mut store,
                rp.res,
                &namespace,
                body,
                manager.unwrap_or("unknown"),
            )?;
            (store, outcome)
        }
        ("PUT", Some(name)) => {
            let mut store = shared.store();
            let outcome = ops::replace(
                &mut store,
                &key(name),
                sub,
                body,
                manager.unwrap_or("unknown"),
            )?;
            (store, outcome)
        }
        ("PATCH", Some(name)) => {
            let content_type = content_type.unwrap_or("");
            let kind = PatchKind::from_content_type(content_type)
                .ok_or_else(|| ApiError::unsupported_media_type(content_type))?;
            let mut store = shared.store();
            let outcome = ops::patch(
                &mut store,
                &key(name),
                sub,
                kind,
                body,
                manager,
                query.flag("force"),
            )?;
            (store, outcome)
        }
        ("DELETE", Some(name)) if sub == Sub::Main => return delete(shared, &key(name), body),
        ("DELETE", None) if sub == Sub::Main => return delete_collection(shared, rp, query),
        _ => return Err(ApiError::method_not_allowed()),
    };
    let (mut store, outcome) = outcome;
    if let Some(workload) = outcome.workload {
        shared.after_workload_write(&mut store, workload);
    }
    Ok(json_response(
        if outcome.created { 201 } else { 200 },
        &outcome.object,
    ))
}

fn selector(query: &Query) -> Result<Selector, ApiError> {
    Selector::parse(query.get("labelSelector"), query.get("fieldSelector"))
}

fn parse_rv(text: Option<&str>) -> Result<Option<u64>, ApiError> {
    match text.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {s:?}"))),
    }
}

fn list(shared: &Shared, rp: &ResourcePath, query: &Query) -> Result<Response<Body>, ApiError> {
    let rt = registry::get(rp.res).ok_or_else(ApiError::no_such_resource)?;
    let selector = selector(query)?;
    let store = shared.store();
    if query.get("resourceVersionMatch") == Some("Exact") {
        if let Some(rv) = parse_rv(query.get("resourceVersion"))? {
            store.check_list_rv(rv)?;
        }
    }
    // `limit` and `continue` as the API server pages (clients such as kube-runtime's watcher
    // list 500 at a time). The token carries the first page's resourceVersion and the last
    // key served; later pages show the store as it is then, which a watch from that
    // resourceVersion reconciles, as after a real paged list.
    let limit = match query.get("limit") {
        None => 0,
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| ApiError::bad_request(format!("invalid limit: {l:?}")))?,
    };
    let (rv, after) = match query.get("continue").filter(|c| !c.is_empty()) {
        None => (store.current_rv(), None),
        Some(token) => {
            let bad = || ApiError::bad_request("continue key is not valid".to_owned());
            let mut parts = token.splitn(3, ':');
            let rv = parts
                .next()
                .and_then(|r| r.parse::<u64>().ok())
                .ok_or_else(bad)?;
            let (ns, name) = (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
            store.check_list_rv(rv)?;
            (rv, Some((ns, name)))
        }
    };
    let (items, more) = store.list_page(rp.res, rp.namespace.as_deref(), &selector, after, limit);
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if more {
        let last = items.last().and_then(|o| o.get("metadata"));
        let field = |f: &str| {
            last.and_then(|m| m.get(f))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        metadata["continue"] = json!(format!("{rv}:{}:{}", field("namespace"), field("name")));
    }
    let list = json!({
        "kind": format!("{}List", rt.kind),
        "apiVersion": rt.api_version(),
        "metadata": metadata,
        "items": items,
    });
    Ok(json_response(200, &list))
}

fn start_watch(
    shared: &Shared,
    rp: &ResourcePath,
    query: &Query,
) -> Result<Response<Body>, ApiError> {
    let send_initial_events = query.flag("sendInitialEvents");
    let since = if send_initial_events {
        None
    } else {
        parse_rv(query.get("resourceVersion"))?
    };
    let timeout = match query.get("timeoutSeconds") {
        Some(s) => Some(Duration::from_secs(s.parse().map_err(|_| {
            ApiError::bad_request(format!("invalid timeoutSeconds: {s:?}"))
        })?)),
        None => None,
    }
    // The API server reads 0 as "no timeout requested".
    .filter(|t| !t.is_zero());
    let request = WatchRequest {
        res: rp.res,
        namespace: rp.namespace.clone(),
        selector: selector(query)?,
        since,
        timeout,
        bookmarks: query.flag("allowWatchBookmarks"),
        send_initial_events,
        bookmark_interval: *crate::state::lock(&shared.bookmark_interval),
    };
    let start = shared.store().watch(rp.res, rp.namespace.as_deref(), since);
    let rx = watch::spawn(request, start);
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|bytes| (Ok::<_, Infallible>(Frame::data(bytes)), rx))
    });
    let mut response = Response::new(StreamBody::new(stream).boxed_unsync());
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

/// DELETE honours `preconditions.resourceVersion` / `preconditions.uid` in DeleteOptions.
fn delete(shared: &Shared, key: &Key, body: &[u8]) -> Result<Response<Body>, ApiError> {
    let rt = registry::get(key.res).ok_or_else(ApiError::no_such_resource)?;
    let options: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let mut store = shared.store();
    let current = store
        .get(key)
        .ok_or_else(|| ApiError::not_found(rt, &key.name))?;
    if let Some(rv) = options
        .pointer("/preconditions/resourceVersion")
        .and_then(Value::as_str)
    {
        if Some(rv) != rv_of(current) {
            return Err(ApiError::conflict(rt, &key.name));
        }
    }
    if let Some(uid) = options
        .pointer("/preconditions/uid")
        .and_then(Value::as_str)
    {
        if Some(uid) != current.pointer("/metadata/uid").and_then(Value::as_str) {
            return Err(ApiError::conflict(rt, &key.name));
        }
    }
    let uid = current
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let object = store.delete(key)?;
    if gc::cascades(key.res, &options) {
        gc::delete_dependents(&mut store, &key.namespace, &uid, 0)?;
    }
    Ok(json_response(200, &object))
}

fn delete_collection(
    shared: &Shared,
    rp: &ResourcePath,
    query: &Query,
) -> Result<Response<Body>, ApiError> {
    let rt = registry::get(rp.res).ok_or_else(ApiError::no_such_resource)?;
    let selector = selector(query)?;
    let mut store = shared.store();
    let mut deleted = Vec::new();
    for object in store.list(rp.res, rp.namespace.as_deref(), &selector) {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let key = Key {
            res: rp.res,
            namespace: rp.namespace.clone().unwrap_or_default(),
            name: name.to_string(),
        };
        deleted.push(store.delete(&key)?);
    }
    let list = json!({
        "kind": format!("{}List", rt.kind),
        "apiVersion": rt.api_version(),
        "metadata": {"resourceVersion": store.current_rv().to_string()},
        "items": deleted,
    });
    Ok(json_response(200, &list))
}
