//! What `explain` reads from the cluster, read-only: the ScaledObject, the HPA KEDA owns for
//! it, their recent Events, the external metric values, the target's `/scale` and its pods.

use kube::api::{GetParams, ListParams};
use kube::core::Request;
use serde_json::Value;

use crate::run::clock::parse_rfc3339;

/// The field manager and Event reporter of `scalecore run`.
pub(super) const SCALECORE: &str = "scalecore";
/// Events kept per object, newest first.
pub(super) const EVENTS_KEPT: usize = 10;
/// Pods and Events are listed in pages of this size, and only the first page is read.
pub(super) const LIST_LIMIT: u32 = 500;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{what}: not found")]
    NotFound { what: String },
    #[error("{what}: {source}")]
    Api {
        what: String,
        #[source]
        source: kube::Error,
    },
    #[error("{what}: {message}")]
    Answer { what: String, message: String },
    #[error("{what}: the answer is not the object expected: {source}")]
    Decode {
        what: String,
        #[source]
        source: serde_json::Error,
    },
}

/// One Event, whichever API recorded it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct EventView {
    /// Unix seconds (eventTime, else lastTimestamp, else the creation time).
    #[serde(skip)]
    pub t: Option<i64>,
    pub time: Option<String>,
    pub object: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub message: String,
    /// The controller that recorded it (`reportingController`, `reportingComponent` or
    /// `source.component`).
    pub reporter: String,
}

/// A metric as the external metrics API answered it.
#[derive(Clone, Debug, PartialEq)]
pub enum Served {
    Value(f64),
    /// The API answered with an error (status and message).
    Error(String),
}

/// Everything read, with the times of the reads.
#[derive(Clone, Debug)]
pub struct Live {
    pub scaled_object: Value,
    pub hpa: Option<Value>,
    pub events: Vec<EventView>,
    /// The target's `/scale` (spec.replicas, status.replicas, status.selector).
    pub scale: Option<Value>,
    pub scale_error: Option<String>,
    pub pods_total: Option<i64>,
    pub pods_ready: Option<i64>,
    pub pods_pending: Option<i64>,
    /// The target's `status.readyReplicas`, for a workload whose pods cannot be listed.
    pub target_ready: Option<i64>,
    /// `scalecore run` manages the ScaledObject (it wrote the status, or recorded its Events):
    /// it plays the HPA in its own process and serves no external metrics.
    pub scalecore_manages: bool,
    /// `(metric name, what the external metrics API answered)`, in trigger order.
    pub metrics: Vec<(String, Served)>,
}

/// Why one read failed.
#[derive(Debug)]
enum Failure {
    Kube(kube::Error),
    /// The answer was too large or too late.
    Answer(String),
}

impl Failure {
    /// `404 NotFound: message` for an API error, else the error's own words.
    fn describe(&self) -> String {
        match self {
            Failure::Kube(kube::Error::Api(s)) => format!("{} {}: {}", s.code, s.reason, s.message),
            Failure::Kube(e) => e.to_string(),
            Failure::Answer(m) => m.clone(),
        }
    }
}

fn api_error(what: impl Into<String>) -> impl FnOnce(Failure) -> ReadError {
    let what = what.into();
    move |failure| match failure {
        Failure::Kube(kube::Error::Api(s)) if s.code == 404 => ReadError::NotFound { what },
        Failure::Kube(source) => ReadError::Api { what, source },
        Failure::Answer(message) => ReadError::Answer { what, message },
    }
}

fn decode(text: &str, what: &str) -> Result<Value, ReadError> {
    serde_json::from_str(text).map_err(|source| ReadError::Decode {
        what: what.to_owned(),
        source,
    })
}

/// The largest answer read; a list of Events or pods past this is refused, not buffered.
const MAX_BODY: u64 = 32 << 20;
/// How long one read may take.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// One read with a deadline and a bound on the answer's size.
async fn request_text(
    client: &kube::Client,
    request: hyper::Request<Vec<u8>>,
) -> Result<String, Failure> {
    use futures::AsyncReadExt;
    let read = async {
        let body = client
            .request_stream(request)
            .await
            .map_err(Failure::Kube)?;
        let mut bytes = Vec::new();
        body.take(MAX_BODY + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(|e| Failure::Answer(format!("reading the answer: {e}")))?;
        if bytes.len() as u64 > MAX_BODY {
            return Err(Failure::Answer(format!(
                "the answer is larger than {} MiB",
                MAX_BODY >> 20
            )));
        }
        String::from_utf8(bytes).map_err(|_| Failure::Answer("the answer is not UTF-8".into()))
    };
    match tokio::time::timeout(READ_TIMEOUT, read).await {
        Ok(r) => r,
        Err(_) => Err(Failure::Answer(format!(
            "no answer within {} s",
            READ_TIMEOUT.as_secs()
        ))),
    }
}

/// Sends a request built for `what` and decodes the answer.
pub(super) async fn send(
    client: &kube::Client,
    request: Result<hyper::Request<Vec<u8>>, kube::core::request::Error>,
    what: &str,
) -> Result<Value, ReadError> {
    let request = request.map_err(|e| ReadError::Api {
        what: what.to_owned(),
        source: kube::Error::BuildRequest(e),
    })?;
    let body = request_text(client, request)
        .await
        .map_err(api_error(what))?;
    decode(&body, what)
}

pub(super) async fn get(
    client: &kube::Client,
    collection: &str,
    name: &str,
    what: &str,
) -> Result<Value, ReadError> {
    let request = Request::new(collection).get(name, &GetParams::default());
    send(client, request, what).await
}

async fn list(
    client: &kube::Client,
    collection: &str,
    params: &ListParams,
    what: &str,
) -> Result<Vec<Value>, ReadError> {
    let v = send(client, Request::new(collection).list(params), what).await?;
    Ok(match v.get("items") {
        Some(Value::Array(items)) => items.clone(),
        _ => Vec::new(),
    })
}

/// The plural the API server uses for a kind (`Deployment` -> `deployments`).
fn plural(kind: &str) -> String {
    kube::api::ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk("", "v1", kind)).plural
}

fn collection(api_version: &str, kind: &str, namespace: &str) -> String {
    let base = if api_version.contains('/') {
        format!("/apis/{api_version}")
    } else {
        format!("/api/{api_version}")
    };
    format!("{base}/namespaces/{namespace}/{}", plural(kind))
}

pub async fn read_scaled_object(
    client: &kube::Client,
    namespace: &str,
    name: &str,
) -> Result<Value, ReadError> {
    get(
        client,
        &format!("/apis/keda.sh/v1alpha1/namespaces/{namespace}/scaledobjects"),
        name,
        &format!("ScaledObject {namespace}/{name}"),
    )
    .await
}

fn event_view(e: &Value, events_k8s_io: bool) -> EventView {
    let s = |p: &str| e.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let time = s("/eventTime")
        .or_else(|| s("/deprecatedLastTimestamp"))
        .or_else(|| s("/lastTimestamp"))
        .or_else(|| s("/series/lastObservedTime"))
        .or_else(|| s("/metadata/creationTimestamp"));
    let (object, message, reporter) = if events_k8s_io {
        (s("/regarding/name"), s("/note"), s("/reportingController"))
    } else {
        (
            s("/involvedObject/name"),
            s("/message"),
            s("/reportingComponent")
                .filter(|c| !c.is_empty())
                .or_else(|| s("/source/component")),
        )
    };
    EventView {
        t: time.as_deref().and_then(parse_rfc3339),
        time,
        object: object.unwrap_or_default(),
        type_: s("/type").unwrap_or_default(),
        reason: s("/reason").unwrap_or_default(),
        message: message.unwrap_or_default(),
        reporter: reporter.unwrap_or_default(),
    }
}

/// The recent Events of the named objects from both Event APIs, newest first.
async fn events(client: &kube::Client, namespace: &str, names: &[&str]) -> Vec<EventView> {
    let mut out = all_events(client, namespace, names).await;
    out.truncate(EVENTS_KEPT * names.len().max(1));
    out
}

/// The Events of the named objects on the first page of each Event API, newest first.
pub(super) async fn all_events(
    client: &kube::Client,
    namespace: &str,
    names: &[&str],
) -> Vec<EventView> {
    let params = ListParams::default().limit(LIST_LIMIT);
    let mut out = Vec::new();
    for (path, new_api) in [
        (format!("/api/v1/namespaces/{namespace}/events"), false),
        (
            format!("/apis/events.k8s.io/v1/namespaces/{namespace}/events"),
            true,
        ),
    ] {
        // Events are a help, not a need: a cluster that refuses them still gets an answer.
        let Ok(items) = list(client, &path, &params, "Events").await else {
            continue;
        };
        out.extend(
            items
                .iter()
                .map(|e| event_view(e, new_api))
                .filter(|e| names.contains(&e.object.as_str())),
        );
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.t));
    out
}

/// `GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}` with the selector KEDA's
/// HPA sends; the items' values summed, as the HPA does.
pub async fn external_metric(
    client: &kube::Client,
    namespace: &str,
    scaled_object: &str,
    metric: &str,
) -> Served {
    let path = format!("/apis/external.metrics.k8s.io/v1beta1/namespaces/{namespace}/{metric}");
    let params =
        ListParams::default().labels(&format!("scaledobject.keda.sh/name={scaled_object}"));
    let request = match Request::new(path).list(&params) {
        Ok(r) => r,
        Err(e) => return Served::Error(e.to_string()),
    };
    match request_text(client, request).await {
        Ok(body) => {
            let Ok(v) = serde_json::from_str::<Value>(&body) else {
                return Served::Error("the answer is not an ExternalMetricValueList".into());
            };
            let items = v.get("items").and_then(Value::as_array);
            let values: Vec<f64> = items
                .into_iter()
                .flatten()
                .filter_map(|i| i.get("value").and_then(Value::as_str).and_then(quantity))
                .collect();
            if values.is_empty() {
                Served::Error("no value served".into())
            } else {
                Served::Value(values.iter().sum())
            }
        }
        Err(f) => Served::Error(f.describe()),
    }
}

/// A Kubernetes quantity as a number: `5`, `2500m`, `1.5k`, `2Ki`, `1e3`.
pub fn quantity(q: &str) -> Option<f64> {
    let q = q.trim();
    const SUFFIXES: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1_048_576.0),
        ("Gi", 1_073_741_824.0),
        ("Ti", 1_099_511_627_776.0),
        ("n", 1e-9),
        ("u", 1e-6),
        ("m", 1e-3),
        ("k", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, factor) in SUFFIXES {
        if let Some(n) = q.strip_suffix(suffix) {
            return n
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(|v| v * factor);
        }
    }
    q.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Reads everything `explain` needs. Only the ScaledObject is required; what else cannot be
/// read is left empty and reported by the replay.
pub async fn read(
    client: &kube::Client,
    namespace: &str,
    scaled_object: Value,
    hpa_name: &str,
    target: &crate::run::objects::TargetRef,
    metric_names: &[String],
) -> Live {
    let name = scaled_object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let hpa = get(
        client,
        &format!("/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers"),
        hpa_name,
        "HPA",
    )
    .await
    .ok();
    let events = events(client, namespace, &[&name, hpa_name]).await;
    let scalecore_manages = scaled_object
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .is_some_and(|fields| {
            fields
                .iter()
                .any(|f| f.get("manager").and_then(Value::as_str) == Some(SCALECORE))
        })
        || events
            .iter()
            .any(|e| e.object == name && e.reporter == SCALECORE);
    let target_collection = collection(&target.api_version, &target.kind, namespace);
    let (scale, scale_error) =
        match Request::new(&target_collection).get_subresource("scale", &target.name) {
            Ok(request) => match request_text(client, request).await {
                Ok(body) => match serde_json::from_str::<Value>(&body) {
                    Ok(v) => (Some(v), None),
                    Err(e) => (None, Some(e.to_string())),
                },
                Err(f) => (None, Some(f.describe())),
            },
            Err(e) => (None, Some(e.to_string())),
        };
    let selector = scale
        .as_ref()
        .and_then(|s| s.pointer("/status/selector"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let (mut pods_total, mut pods_ready, mut pods_pending) = (None, None, None);
    if let Some(selector) = selector {
        let params = ListParams::default().labels(&selector).limit(LIST_LIMIT);
        if let Ok(pods) = list(
            client,
            &format!("/api/v1/namespaces/{namespace}/pods"),
            &params,
            "pods",
        )
        .await
        {
            let live: Vec<&Value> = pods
                .iter()
                .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
                .collect();
            let ready = live
                .iter()
                .filter(|p| {
                    p.pointer("/status/conditions")
                        .and_then(Value::as_array)
                        .is_some_and(|cs| {
                            cs.iter().any(|c| {
                                c.get("type").and_then(Value::as_str) == Some("Ready")
                                    && c.get("status").and_then(Value::as_str) == Some("True")
                            })
                        })
                })
                .count();
            let pending = live
                .iter()
                .filter(|p| p.pointer("/status/phase").and_then(Value::as_str) == Some("Pending"))
                .count();
            pods_total = Some(live.len() as i64);
            pods_ready = Some(ready as i64);
            pods_pending = Some(pending as i64);
        }
    }
    let target_ready = get(client, &target_collection, &target.name, "the target")
        .await
        .ok()
        .and_then(|t| t.pointer("/status/readyReplicas").and_then(Value::as_i64));
    let mut metrics = Vec::with_capacity(metric_names.len());
    for m in metric_names {
        metrics.push((
            m.clone(),
            external_metric(client, namespace, &name, m).await,
        ));
    }
    Live {
        scaled_object,
        hpa,
        events,
        scale,
        scale_error,
        pods_total,
        pods_ready,
        pods_pending,
        target_ready,
        scalecore_manages,
        metrics,
    }
}

#[cfg(test)]
mod tests {
    use super::quantity;

    #[test]
    fn quantities() {
        assert_eq!(quantity("5"), Some(5.0));
        assert_eq!(quantity("2500m"), Some(2.5));
        assert_eq!(quantity("2k"), Some(2000.0));
        assert_eq!(quantity("1Ki"), Some(1024.0));
        assert_eq!(quantity("1e3"), Some(1000.0));
        assert_eq!(quantity("x"), None);
        assert_eq!(quantity("NaNm"), None);
    }
}
