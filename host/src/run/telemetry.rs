//! `/metrics` (Prometheus text), `/healthz` and `/readyz`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use tokio::net::TcpListener;

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
        for i in 0..triggers {
            let mut t = l.clone();
            t.push(("trigger", i.to_string()));
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

/// Binds now (so a bad address fails at start-up) and serves until the task is dropped.
pub async fn serve(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let r = route(&metrics, &req);
                    async move { Ok::<_, std::convert::Infallible>(r) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
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
