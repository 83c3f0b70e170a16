//! A loopback stand-in for the Kubernetes API server.
//!
//! It speaks the REST wire protocol (JSON, chunked watch streams, `Status` errors, the four PATCH
//! content types, `/status` and `/scale`) closely enough for unmodified kube-rs clients, watchers
//! and Lease-based leader election, over plain HTTP on 127.0.0.1 as `kubectl proxy` would serve
//! it. Tests and `scalecore demo` drive it through a kubeconfig and inspect or perturb it through the
//! control methods on [`KubeStandin`].

mod defaults;
mod discovery;
mod external;
mod fields;
mod gc;
mod history;
mod meta;
mod ops;
mod patch;
mod registry;
mod route;
mod selector;
mod server;
mod ssa;
mod state;
mod status;
mod store;
mod watch;
mod workload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::task::{JoinHandle, JoinSet};

pub use registry::{ResourceType, RESOURCES};
pub use state::RequestRecord;
pub use status::ApiError;

use state::Shared;
use store::Key;

/// Time allowed for a client to send request headers. hyper starts this clock while a keep-alive
/// connection sits idle, so it must outlast the client's pool idle timeout (90 s in hyper-util):
/// the client then always closes first, and never reuses a connection the server is closing.
const HEADER_TIMEOUT: Duration = Duration::from_secs(300);

/// Stands for "never" where a deadline must stay representable.
const FOREVER: Duration = Duration::from_secs(86_400 * 365);

/// A running stand-in. Dropping it stops the server.
pub struct KubeStandin {
    shared: Arc<Shared>,
    addr: SocketAddr,
    server: JoinHandle<()>,
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    connections.spawn(async move {
                        let service = service_fn(move |request| server::handle(shared.clone(), request));
                        let connection = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(HEADER_TIMEOUT)
                            .serve_connection(TokioIo::new(stream), service);
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "kube stand-in connection ended");
                        }
                    });
                }
                Err(e) => {
                    tracing::warn!(error = %e, "kube stand-in accept");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

fn resolve(api_version: &str, kind_or_plural: &str) -> Option<(usize, &'static ResourceType)> {
    let res = registry::by_api_version(api_version, kind_or_plural)?;
    registry::get(res).map(|rt| (res, rt))
}

/// Namespace part of a key: "" for cluster-scoped, `default` when a namespaced one is not given.
fn namespace_for(rt: &ResourceType, namespace: Option<&str>) -> String {
    if rt.namespaced {
        namespace.unwrap_or("default").to_string()
    } else {
        String::new()
    }
}

impl KubeStandin {
    /// Binds 127.0.0.1 on a free port and starts serving. Needs a tokio runtime.
    pub async fn start() -> std::io::Result<KubeStandin> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(
            tokio::runtime::Handle::current(),
            addr.to_string(),
        ));
        let server = tokio::spawn(serve(listener, shared.clone()));
        Ok(KubeStandin {
            shared,
            addr,
            server,
        })
    }

    /// `http://127.0.0.1:<port>`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// A kubeconfig (cluster, context and an anonymous user) pointing at this stand-in, with
    /// `default` as the context namespace.
    pub fn kubeconfig_yaml(&self) -> String {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: scalecore-standin\n  cluster:\n    server: {url}\n\
             contexts:\n- name: scalecore-standin\n  context:\n    cluster: scalecore-standin\n    user: scalecore-standin\n    namespace: default\n\
             current-context: scalecore-standin\nusers:\n- name: scalecore-standin\n  user: {{}}\npreferences: {{}}\n",
            url = self.url()
        )
    }

    /// Stops serving and closes every open watch. Dropping the stand-in does the same.
    pub async fn shutdown(mut self) {
        self.shared.store().drop_watches();
        self.server.abort();
        let _ = (&mut self.server).await;
    }

    /// Creates or replaces an object as an administrator would (`kubectl apply` of a whole
    /// object), emitting watch events. The object needs `apiVersion`, `kind` and `metadata.name`;
    /// a namespaced object without `metadata.namespace` goes to `default`. A Deployment or
    /// StatefulSet applied without `status` gets one from the workload controller.
    pub fn apply(&self, object: Value) -> Result<Value, ApiError> {
        let mut store = self.shared.store();
        let outcome = ops::admin_apply(&mut store, object)?;
        if let Some(workload) = outcome.workload {
            self.shared.after_workload_write(&mut store, workload);
        }
        let key = outcome_key(&outcome.object);
        Ok(key
            .and_then(|k| store.get(&k).cloned())
            .unwrap_or(outcome.object))
    }

    /// One object; `namespace` is ignored for cluster-scoped kinds and defaults to `default`.
    pub fn get(
        &self,
        api_version: &str,
        kind_or_plural: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let (res, rt) = resolve(api_version, kind_or_plural)?;
        let key = Key {
            res,
            namespace: namespace_for(rt, namespace),
            name: name.to_string(),
        };
        self.shared.store().get(&key).cloned()
    }

    /// Objects of one kind in one namespace, or in all namespaces with `None`.
    pub fn list(
        &self,
        api_version: &str,
        kind_or_plural: &str,
        namespace: Option<&str>,
    ) -> Vec<Value> {
        let Some((res, rt)) = resolve(api_version, kind_or_plural) else {
            return Vec::new();
        };
        let namespace = if rt.namespaced { namespace } else { None };
        self.shared
            .store()
            .list(res, namespace, &selector::Selector::default())
    }

    /// Deletes an object as an administrator would (finalizers still hold it, marked terminating).
    pub fn delete(
        &self,
        api_version: &str,
        kind_or_plural: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Value, ApiError> {
        let (res, rt) =
            resolve(api_version, kind_or_plural).ok_or_else(ApiError::no_such_resource)?;
        let key = Key {
            res,
            namespace: namespace_for(rt, namespace),
            name: name.to_string(),
        };
        self.shared.store().delete(&key)
    }

    /// Waits until the object exists and `predicate` holds for it, and returns it; `None` after
    /// `timeout`. Driven by the store's change feed, so no polling interval to tune.
    pub async fn wait_for(
        &self,
        api_version: &str,
        kind_or_plural: &str,
        namespace: Option<&str>,
        name: &str,
        timeout: Duration,
        predicate: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let (res, rt) = resolve(api_version, kind_or_plural)?;
        let key = Key {
            res,
            namespace: namespace_for(rt, namespace),
            name: name.to_string(),
        };
        let current = |store: &store::Store| store.get(&key).filter(|v| predicate(v)).cloned();
        let mut changes = {
            let store = self.shared.store();
            if let Some(found) = current(&store) {
                return Some(found);
            }
            store.subscribe()
        };
        let deadline = tokio::time::Instant::now() + timeout.min(FOREVER);
        loop {
            match tokio::time::timeout_at(deadline, changes.recv()).await {
                Err(_) | Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                Ok(Ok(store::Bus::Event(event))) => {
                    let same = event.res == res
                        && event.namespace == key.namespace
                        && event
                            .object
                            .pointer("/metadata/name")
                            .and_then(Value::as_str)
                            == Some(name);
                    if same
                        && event.event_type != store::EventType::Deleted
                        && predicate(&event.object)
                    {
                        return Some(event.object.clone());
                    }
                }
                Ok(Ok(store::Bus::DropWatches)) => {}
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                    if let Some(found) = current(&self.shared.store()) {
                        return Some(found);
                    }
                }
            }
        }
    }

    /// Sets a pod's resource usage as the metrics server would report it: a
    /// `metrics.k8s.io/v1beta1` PodMetrics named and labelled like the pod, one entry per
    /// `(container, cpu, memory)` with Kubernetes quantities (`"250m"`, `"64Mi"`), sampled now
    /// over a 30 s window. The pod must exist (its labels are copied).
    pub fn set_pod_usage(
        &self,
        namespace: &str,
        pod: &str,
        containers: &[(&str, &str, &str)],
    ) -> Result<Value, ApiError> {
        let labels = self
            .get("v1", "Pod", Some(namespace), pod)
            .ok_or_else(|| match resolve("v1", "Pod") {
                Some((_, rt)) => ApiError::not_found(rt, pod),
                None => ApiError::no_such_resource(),
            })?
            .pointer("/metadata/labels")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        let containers: Vec<Value> = containers
            .iter()
            .map(|(name, cpu, memory)| {
                serde_json::json!({"name": name, "usage": {"cpu": cpu, "memory": memory}})
            })
            .collect();
        self.apply(serde_json::json!({
            "apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
            "metadata": {"name": pod, "namespace": namespace, "labels": labels},
            "timestamp": meta::now_rfc3339(), "window": "30s", "containers": containers,
        }))
    }

    /// The metrics server has no sample for the pod (yet): its PodMetrics goes.
    pub fn clear_pod_usage(&self, namespace: &str, pod: &str) -> Result<Value, ApiError> {
        self.delete("metrics.k8s.io/v1beta1", "PodMetrics", Some(namespace), pod)
    }

    /// Every Event stored, core v1 and events.k8s.io/v1 alike, in (API, namespace, name) order.
    pub fn events(&self) -> Vec<Value> {
        let store = self.shared.store();
        RESOURCES
            .iter()
            .enumerate()
            .filter(|(_, rt)| rt.is_event())
            .flat_map(|(res, _)| store.all_of(res))
            .collect()
    }

    /// Every request served so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.requests()
    }

    pub fn clear_requests(&self) {
        self.shared.clear_requests()
    }

    /// The current global resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store().current_rv()
    }

    /// The field managers that own one field of an object (server-side apply bookkeeping), for
    /// example `&["spec", "holderIdentity"]`.
    pub fn field_managers(
        &self,
        api_version: &str,
        kind_or_plural: &str,
        namespace: Option<&str>,
        name: &str,
        field: &[&str],
    ) -> Vec<String> {
        let Some((res, rt)) = resolve(api_version, kind_or_plural) else {
            return Vec::new();
        };
        let key = Key {
            res,
            namespace: namespace_for(rt, namespace),
            name: name.to_string(),
        };
        self.shared
            .store()
            .ownership(&key)
            .map(|o| o.managers_of(field))
            .unwrap_or_default()
    }

    /// Fault: closes every open watch stream now (clients re-watch from their last version).
    pub fn drop_watches(&self) {
        self.shared.store().drop_watches();
    }

    /// Fault: forgets the event history, so a watch from an older resourceVersion gets a
    /// 410 Expired ERROR event (and the client must re-list).
    pub fn compact(&self) {
        self.shared.store().compact();
    }

    /// Fault: the next `n` writes (POST, PUT, PATCH, DELETE) answer 409 Conflict.
    pub fn conflict_next(&self, n: u32) {
        self.shared.conflict_next(n);
    }

    /// Fault: the next `n` requests of any kind answer `status` with a `Status` body.
    pub fn fail_next(&self, status: u16, n: u32) {
        self.shared.fail_next(status, n, None, None);
    }

    /// Fault: the next `n` requests with this method (any when `None`) whose path contains
    /// `path_contains` answer `status`.
    pub fn fail_next_matching(
        &self,
        method: Option<&str>,
        path_contains: &str,
        status: u16,
        n: u32,
    ) {
        self.shared
            .fail_next(status, n, method, Some(path_contains));
    }

    /// Fault: the next `n` requests with this method (any when `None`) whose path contains
    /// `path_contains` are answered only after `delay` (a slow or hung API server; a client
    /// that gives up first just closes the connection).
    pub fn delay_next_matching(
        &self,
        method: Option<&str>,
        path_contains: &str,
        delay: Duration,
        n: u32,
    ) {
        self.shared
            .delay_next(method, path_contains, delay.min(FOREVER), n);
    }

    /// Cancels every pending injected conflict, failure and delay.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// How long the workload controller waits before status follows a replica change
    /// (default: at once, before the write's response is sent).
    pub fn set_ready_delay(&self, delay: Duration) {
        self.shared.set_ready_delay(delay);
    }

    /// How often watches with `allowWatchBookmarks` get a BOOKMARK (default 10 s).
    pub fn set_bookmark_interval(&self, interval: Duration) {
        *state::lock(&self.shared.bookmark_interval) =
            interval.clamp(Duration::from_millis(10), FOREVER);
    }

    /// How many events the watch history keeps (default 10,000).
    pub fn set_history_cap(&self, cap: usize) {
        self.shared.store().set_history_cap(cap);
    }
}

fn outcome_key(object: &Value) -> Option<Key> {
    let api_version = object.get("apiVersion")?.as_str()?;
    let kind = object.get("kind")?.as_str()?;
    let (res, rt) = resolve(api_version, kind)?;
    let namespace = object
        .pointer("/metadata/namespace")
        .and_then(Value::as_str);
    let name = object.pointer("/metadata/name")?.as_str()?;
    Some(Key {
        res,
        namespace: namespace_for(rt, namespace),
        name: name.to_string(),
    })
}

impl std::fmt::Debug for KubeStandin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeStandin")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Drop for KubeStandin {
    fn drop(&mut self) {
        self.shared.store().drop_watches();
        self.server.abort();
    }
}
