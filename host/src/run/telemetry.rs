//! `/metrics` (Prometheus text), `/healthz` and `/readyz`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    pub metric_value: Family<Labels, Gauge<f64, AtomicU64>>,
    pub scaler_errors: Family<Labels, Counter>,
    pub scale_decisions: Family<Labels, Counter>,
    pub desired_replicas: Family<Labels, Gauge>,
    pub poll_seconds: Histogram,
    pub leader: Gauge,
    pub scaled_objects: Gauge,
    ready: AtomicBool,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut m = Metrics {
            metric_value: Family::default(),
            scaler_errors: Family::default(),
            scale_decisions: Family::default(),
            desired_replicas: Family::default(),
            poll_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
            leader: Gauge::default(),
            scaled_objects: Gauge::default(),
            ready: AtomicBool::new(false),
            registry: Registry::with_prefix("scalecore"),
        };
        let registry = &mut m.registry;
        registry.register(
            "scaler_metrics_value",
            "The value each trigger's scaler last returned",
            m.metric_value.clone(),
        );
        registry.register(
            "scaler_errors",
            "Polls that returned an error, per trigger",
            m.scaler_errors.clone(),
        );
        registry.register(
            "scale_decisions",
            "Replica changes written (or, in dry-run, that would be written)",
            m.scale_decisions.clone(),
        );
        registry.register(
            "desired_replicas",
            "The replica count the last decision asked for",
            m.desired_replicas.clone(),
        );
        registry.register(
            "poll_duration_seconds",
            "Time to poll all triggers of one ScaledObject",
            m.poll_seconds.clone(),
        );
        registry.register(
            "leader",
            "1 while this host holds the lease",
            m.leader.clone(),
        );
        registry.register(
            "scaled_objects",
            "ScaledObjects this host is running",
            m.scaled_objects.clone(),
        );
        m
    }

    pub fn set_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Removes a ScaledObject's series: a deleted object must not be reported (or kept in
    /// memory) for the life of the process.
    pub fn forget(&self, namespace: &str, name: &str, triggers: usize) {
        let l = labels(namespace, name);
        self.desired_replicas.remove(&l);
        for direction in ["up", "down"] {
            let mut d = l.clone();
            d.push(("direction", direction.to_owned()));
            self.scale_decisions.remove(&d);
        }
        self.forget_triggers(namespace, name, SCALED_OBJECT, triggers);
    }

    /// Removes the per-trigger series of a ScaledObject or ScaledJob (`DeleteScalerMetrics`).
    pub fn forget_triggers(
        &self,
        namespace: &str,
        name: &str,
        kind: &'static str,
        triggers: usize,
    ) {
        for i in 0..triggers {
            let t = trigger_labels(namespace, name, kind, i);
            self.metric_value.remove(&t);
            self.scaler_errors.remove(&t);
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

pub fn labels(namespace: &str, name: &str) -> Labels {
    vec![
        ("namespace", namespace.to_owned()),
        ("scaledObject", name.to_owned()),
    ]
}

/// KEDA's `type` label of per-trigger series (`getResourceType`).
pub const SCALED_OBJECT: &str = "scaledobject";
pub const SCALED_JOB: &str = "scaledjob";

/// A trigger's series. As in KEDA's `getLabels`, the object's name goes in `scaledObject` for
/// a ScaledJob too, and `type` tells the two apart.
pub fn trigger_labels(namespace: &str, name: &str, kind: &'static str, trigger: usize) -> Labels {
    let mut l = labels(namespace, name);
    l.push(("trigger", trigger.to_string()));
    l.push(("type", kind.to_owned()));
    l
}

fn respond(status: StatusCode, content_type: &str, body: String) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn route(metrics: &Metrics, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    match req.uri().path() {
        "/metrics" => respond(
            StatusCode::OK,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            metrics.render(),
        ),
        "/healthz" | "/livez" => respond(StatusCode::OK, "text/plain", "ok\n".into()),
        "/readyz" if metrics.is_ready() => respond(StatusCode::OK, "text/plain", "ok\n".into()),
        "/readyz" => respond(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain",
            "not ready: ScaledObjects not listed yet\n".into(),
        ),
        _ => respond(StatusCode::NOT_FOUND, "text/plain", "not found\n".into()),
    }
}

/// Connections served at once. Prometheus and the kubelet's probes need a handful; the rest
/// wait in the listen backlog until a slot frees, instead of taking file descriptors and memory.
const MAX_CONNECTIONS: usize = 64;
/// Time a client has to send a request's headers, on a new or an idle keep-alive connection.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Lifetime of one connection, however busy (a scrape takes milliseconds).
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest pause after failed accepts (out of file descriptors, say): failing accepts return
/// at once, so retrying without a pause would spin a core.
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Binds now (so a bad address fails at start-up) and serves until the task is dropped.
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let task = tokio::spawn(async move {
        let mut backoff = Duration::ZERO;
        loop {
            // The semaphore is never closed.
            let Ok(slot) = slots.clone().acquire_owned().await else {
                return;
            };
            let stream = match listener.accept().await {
                Ok((stream, _)) => {
                    backoff = Duration::ZERO;
                    stream
                }
                Err(e) => {
                    if backoff.is_zero() {
                        tracing::warn!(error = %e, "cannot accept a metrics connection; backing off");
                    }
                    backoff = (backoff * 2).clamp(Duration::from_millis(10), MAX_ACCEPT_BACKOFF);
                    drop(slot);
                    tokio::time::sleep(backoff).await;
                    continue;
                }
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let r = route(&metrics, &req);
                    async move { Ok::<_, std::convert::Infallible>(r) }
                });
                let connection = hyper::server::conn::http1::Builder::new()
                    .timer(TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT)
                    .serve_connection(TokioIo::new(stream), service);
                let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
                drop(slot);
            });
        }
    });
    Ok((local, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_registered_families() {
        let m = Metrics::new();
        m.metric_value
            .get_or_create(&labels("shop", "orders"))
            .set(42.0);
        m.scaler_errors
            .get_or_create(&labels("shop", "orders"))
            .inc();
        let text = m.render();
        assert!(
            text.contains(
                r#"scalecore_scaler_metrics_value{namespace="shop",scaledObject="orders"} 42.0"#
            ),
            "{text}"
        );
        assert!(text.contains("scalecore_scaler_errors_total"), "{text}");
        assert!(!m.is_ready());
        m.set_ready();
        assert!(m.is_ready());
    }
}
