//! Every Kubernetes call the host makes, in one place: what it reads, what it writes.
//!
//! Reads go through `Api<DynamicObject>` so any workload with a `/scale` subresource works
//! (Deployment, StatefulSet, Argo Rollout, ...), not only the kinds compiled in.
//!
//! Every call has a deadline, and every write passes the [`WriteGate`]: once this host stops
//! leading, no write starts and none in flight is let through. Objects are fetched as text and
//! decoded here: kube's typed client logs the whole body of an object it cannot decode, and a
//! TriggerAuthentication, a Secret or a workload's env may hold secrets. Our own decoding
//! errors say where an object failed, never what it held (serde quotes the offending value).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::autoscaling::v1::Scale;
use k8s_openapi::api::core::v1::{ConfigMap, ObjectReference, Secret};
use kube::api::{
    ApiResource, DynamicObject, GetParams, GroupVersionKind, ListParams, Patch, PatchParams,
};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::{Client, Resource};
use scalecore::document::Kind;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::lease::WriteGate;
use super::objects::TargetRef;

pub const FIELD_MANAGER: &str = "scalecore";
/// Writes answered 409 (someone else changed the object) are retried this many times.
const CONFLICT_RETRIES: u32 = 3;

/// Group, version, kind and plural of one of KEDA's kinds (each plural is the kind in lower
/// case with an `s`, as KEDA's CRDs name them).
pub fn keda(kind: Kind) -> ApiResource {
    let kind = kind.name();
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("keda.sh", "v1alpha1", kind),
        &format!("{}s", kind.to_ascii_lowercase()),
    )
}

#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    #[error("{}", describe(.0))]
    Api(#[from] kube::Error),
    #[error("Secret {namespace}/{name} has no key {key:?}")]
    NoSuchKey {
        namespace: String,
        name: String,
        key: String,
    },
    #[error("key {key:?} of Secret {namespace}/{name} is not UTF-8")]
    NotUtf8 {
        namespace: String,
        name: String,
        key: String,
    },
    #[error("{what} cannot be decoded ({category} error at line {line}, column {column})")]
    Undecodable {
        what: String,
        category: &'static str,
        line: usize,
        column: usize,
    },
    #[error("no answer from the API server within {0:?}")]
    Timeout(Duration),
    #[error("not written: this host no longer leads")]
    NotLeading,
    #[error("{what}: more than {pages} pages of {LIST_PAGE} items; not read")]
    TooManyPages { what: String, pages: usize },
    #[error("cannot build the request: {0}")]
    Request(#[from] kube::core::request::Error),
}

/// Items per page of a paged list.
const LIST_PAGE: u32 = 500;

/// Pages a list may take before it is refused (500,000 items): a continue token that never
/// ends must not keep a worker listing forever.
const MAX_LIST_PAGES: usize = 1000;

/// One page of a list, reduced to its items and where the next page starts.
#[derive(serde::Deserialize)]
struct Page<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
    #[serde(default)]
    metadata: PageMeta,
}

#[derive(serde::Deserialize, Default)]
struct PageMeta {
    #[serde(default, rename = "continue")]
    continue_token: Option<String>,
}

/// The API server's message and code, without kube's Debug dump of the whole Status.
pub fn describe(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{} ({} {})", s.message, s.code, s.reason),
        other => other.to_string(),
    }
}

/// A decoding error that names the object and the place, not the value serde quotes.
fn undecodable(what: String, e: &serde_json::Error) -> KubeError {
    use serde_json::error::Category;
    KubeError::Undecodable {
        what,
        category: match e.classify() {
            Category::Io => "read",
            Category::Syntax => "syntax",
            Category::Data => "schema",
            Category::Eof => "truncated",
        },
        line: e.line(),
        column: e.column(),
    }
}

fn decode<T: DeserializeOwned>(text: &str, what: impl FnOnce() -> String) -> Result<T, KubeError> {
    serde_json::from_str(text).map_err(|e| undecodable(what(), &e))
}

impl KubeError {
    fn status(&self) -> Option<u16> {
        match self {
            KubeError::Api(kube::Error::Api(s)) => Some(s.code),
            _ => None,
        }
    }

    pub fn is_conflict(&self) -> bool {
        self.status() == Some(409)
    }
}

/// The target's replica counts as `/scale` reports them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleView {
    pub spec_replicas: i64,
    pub status_replicas: i64,
}

#[derive(Clone)]
pub struct Kube {
    client: Client,
    /// Requests in flight at once. Workers tick on a shared grid; without a bound, a
    /// thousand ScaledObjects open a thousand connections to the API server at each tick
    /// (KEDA bounds its client the same way, with --kube-api-qps/--kube-api-burst).
    in_flight: Arc<Semaphore>,
    recorder: Recorder,
    /// Where ClusterTriggerAuthentications find their Secrets (KEDA's own namespace).
    cluster_object_namespace: String,
    gate: WriteGate,
    /// Deadline of each call (watches aside: they have the client's read timeout).
    timeout: Duration,
}

impl Kube {
    pub fn new(
        client: Client,
        cluster_object_namespace: String,
        instance: Option<String>,
        concurrency: usize,
        gate: WriteGate,
        timeout: Duration,
    ) -> Kube {
        let reporter = Reporter {
            controller: "scalecore".into(),
            instance,
        };
        Kube {
            recorder: Recorder::new(client.clone(), reporter),
            client,
            in_flight: Arc::new(Semaphore::new(concurrency.max(1))),
            cluster_object_namespace,
            gate,
            timeout,
        }
    }

    /// One read, within the deadline, as text (see the module's note on decoding).
    async fn get_text(
        &self,
        request: kube::core::Request,
        name: &str,
        subresource: Option<&str>,
    ) -> Result<String, KubeError> {
        let request = match subresource {
            Some(sub) => request.get_subresource(sub, name),
            None => request.get(name, &GetParams::default()),
        }?;
        let _permit = self.permit().await;
        self.bounded(self.client.request_text(request)).await
    }

    async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, KubeError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(r) => r.map_err(KubeError::from),
            Err(_) => Err(KubeError::Timeout(self.timeout)),
        }
    }

    /// One write: refused once the gate is closed, abandoned if it closes meanwhile (waiting
    /// for a slot included), within the deadline. The response body is not needed.
    pub(super) async fn write<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> Result<(), KubeError> {
        let attempt = async {
            let _permit = self.permit().await;
            if !self.gate.is_open() {
                return Err(KubeError::NotLeading);
            }
            self.bounded(call).await.map(|_| ())
        };
        if !self.gate.is_open() {
            return Err(KubeError::NotLeading);
        }
        tokio::select! {
            biased;
            _ = self.gate.closed() => Err(KubeError::NotLeading),
            r = attempt => r,
        }
    }

    fn target_request(&self, namespace: &str, target: &TargetRef) -> kube::core::Request {
        kube::core::Request::new(DynamicObject::url_path(
            &target.api_resource(),
            Some(namespace),
        ))
    }

    async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so this only yields None if it were.
        self.in_flight.acquire().await.ok()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub async fn workload(&self, namespace: &str, target: &TargetRef) -> Result<Value, KubeError> {
        let text = self
            .get_text(self.target_request(namespace, target), &target.name, None)
            .await?;
        let what = || format!("{} {namespace}/{}", target.kind, target.name);
        let obj: DynamicObject = decode(&text, what)?;
        Ok(serde_json::to_value(obj).unwrap_or(Value::Null))
    }

    /// A collection at `path` (`/api/v1/namespaces/{ns}/pods`), decoded into just the fields
    /// `T` names.
    /// Every item of a collection, read page by page (`limit`/`continue`) so that no more than
    /// one page of a large namespace is held as text at a time; `selector` narrows by labels.
    pub async fn list_all<T: DeserializeOwned>(
        &self,
        path: String,
        selector: Option<&str>,
        what: impl Fn() -> String,
    ) -> Result<Vec<T>, KubeError> {
        let mut items = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_LIST_PAGES {
            let mut params = ListParams::default().limit(LIST_PAGE);
            if let Some(selector) = selector {
                params = params.labels(selector);
            }
            if let Some(token) = &token {
                params = params.continue_token(token);
            }
            let request = kube::core::Request::new(path.as_str()).list(&params)?;
            let text = {
                let _permit = self.permit().await;
                self.bounded(self.client.request_text(request)).await?
            };
            let page: Page<T> = decode(&text, &what)?;
            drop(text);
            items.extend(page.items);
            match page.metadata.continue_token.filter(|t| !t.is_empty()) {
                Some(next) => token = Some(next),
                None => return Ok(items),
            }
        }
        Err(KubeError::TooManyPages {
            what: what(),
            pages: MAX_LIST_PAGES,
        })
    }

    pub async fn scale(&self, namespace: &str, target: &TargetRef) -> Result<ScaleView, KubeError> {
        let text = self
            .get_text(
                self.target_request(namespace, target),
                &target.name,
                Some("scale"),
            )
            .await?;
        let s: Scale = decode(&text, || {
            format!("the scale of {} {namespace}/{}", target.kind, target.name)
        })?;
        Ok(ScaleView {
            spec_replicas: s.spec.and_then(|s| s.replicas).map_or(0, i64::from),
            status_replicas: s.status.map_or(0, |s| i64::from(s.replicas)),
        })
    }

    /// Writes `spec.replicas` through `/scale`, retrying when the object changed meanwhile.
    pub async fn set_replicas(
        &self,
        namespace: &str,
        target: &TargetRef,
        replicas: i64,
    ) -> Result<(), KubeError> {
        let patch = Patch::Merge(json!({"spec": {"replicas": replicas}}));
        let mut attempt = 0;
        loop {
            let request = self.target_request(namespace, target).patch_subresource(
                "scale",
                &target.name,
                &PatchParams::default(),
                &patch,
            )?;
            match self.write(self.client.request_text(request)).await {
                Ok(()) => return Ok(()),
                Err(e) => {
                    if !e.is_conflict() || attempt >= CONFLICT_RETRIES {
                        return Err(e);
                    }
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
            }
        }
    }

    /// Server-side apply of the ScaledObject's status: only the fields the host owns.
    pub async fn apply_status(
        &self,
        namespace: &str,
        name: &str,
        status: Value,
    ) -> Result<(), KubeError> {
        self.apply_status_of(&keda(Kind::ScaledObject), namespace, name, status)
            .await
    }

    /// Server-side apply of the status of a KEDA object of the given kind.
    pub async fn apply_status_of(
        &self,
        resource: &ApiResource,
        namespace: &str,
        name: &str,
        status: Value,
    ) -> Result<(), KubeError> {
        let body = json!({
            "apiVersion": resource.api_version, "kind": resource.kind,
            "metadata": {"name": name, "namespace": namespace},
            "status": status,
        });
        let request = kube::core::Request::new(DynamicObject::url_path(resource, Some(namespace)))
            .patch_subresource(
                "status",
                name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(body),
            )?;
        self.write(self.client.request_text(request)).await
    }

    /// Where a ClusterTriggerAuthentication's Secrets and ConfigMaps are read from.
    pub fn cluster_object_namespace(&self) -> &str {
        &self.cluster_object_namespace
    }

    /// The data of one Secret, read by name (the RBAC never lets the host list Secrets):
    /// `data` bytes, with `stringData` as a server that returns it would have merged it.
    pub async fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<BTreeMap<String, Vec<u8>>, KubeError> {
        let request = kube::core::Request::new(Secret::url_path(&(), Some(namespace)));
        let text = self.get_text(request, name, None).await?;
        let secret: Secret = decode(&text, || format!("Secret {namespace}/{name}"))?;
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.0))
            .collect();
        for (k, v) in secret.string_data.unwrap_or_default() {
            data.insert(k, v.into_bytes());
        }
        Ok(data)
    }

    /// The `data` of one ConfigMap, read by name (KEDA reads neither `binaryData` nor lists).
    pub async fn config_map_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<BTreeMap<String, String>, KubeError> {
        let request = kube::core::Request::new(ConfigMap::url_path(&(), Some(namespace)));
        let text = self.get_text(request, name, None).await?;
        let cm: ConfigMap = decode(&text, || format!("ConfigMap {namespace}/{name}"))?;
        Ok(cm.data.unwrap_or_default().into_iter().collect())
    }

    /// An HPA other than KEDA's own for this ScaledObject that already scales the target:
    /// KEDA's webhook refuses the ScaledObject then, and so does the host.
    pub async fn other_hpa(
        &self,
        namespace: &str,
        target: &TargetRef,
        own_hpa: &str,
    ) -> Result<Option<String>, KubeError> {
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("autoscaling", "v2", "HorizontalPodAutoscaler"),
            "horizontalpodautoscalers",
        );
        let hpas: Vec<DynamicObject> = self
            .list_all(DynamicObject::url_path(&ar, Some(namespace)), None, || {
                format!("the HorizontalPodAutoscalers of {namespace}")
            })
            .await?;
        Ok(hpas.into_iter().find_map(|h| {
            let name = h.metadata.name.clone().unwrap_or_default();
            let r = h.data.pointer("/spec/scaleTargetRef")?;
            let same = r.get("name").and_then(Value::as_str) == Some(target.name.as_str())
                && r.get("kind").and_then(Value::as_str) == Some(target.kind.as_str());
            (same && name != own_hpa).then_some(name)
        }))
    }

    /// Records a Kubernetes Event on the ScaledObject. Failing to record is logged, not fatal.
    pub async fn event(&self, so: &ObjectReference, warning: bool, reason: &str, note: String) {
        let ev = Event {
            type_: if warning {
                EventType::Warning
            } else {
                EventType::Normal
            },
            reason: reason.to_owned(),
            note: Some(note.chars().take(1000).collect()),
            action: "Scale".into(),
            secondary: None,
        };
        match self.write(self.recorder.publish(&ev, so)).await {
            Ok(()) | Err(KubeError::NotLeading) => {}
            Err(e) => tracing::warn!(error = %e, reason, "could not record an Event"),
        }
    }
}

pub fn object_ref(namespace: &str, name: &str, uid: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some("keda.sh/v1alpha1".into()),
        kind: Some("ScaledObject".into()),
        namespace: Some(namespace.into()),
        name: Some(name.into()),
        uid: (!uid.is_empty()).then(|| uid.to_owned()),
        ..ObjectReference::default()
    }
}
