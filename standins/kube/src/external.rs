//! The external metrics API (`external.metrics.k8s.io/v1beta1`) as KEDA's metrics server
//! serves it: one value per metric name and ScaledObject, picked by the
//! `scaledobject.keda.sh/name` label selector the HPA sends. Values are set by a test or the
//! demo through [`crate::KubeStandin::set_external_metric`].

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::route::Query;
use crate::status::ApiError;

pub const GROUP: &str = "external.metrics.k8s.io";
pub const VERSION: &str = "v1beta1";
const SELECTOR_LABEL: &str = "scaledobject.keda.sh/name";

/// What the metrics server answers for one `(namespace, scaledObject, metric)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Served {
    /// The value in milli units, as KEDA formats it (`GenerateMetricInMili`).
    Milli(i64),
    /// The scaler failed: KEDA answers 500 with its error.
    Error(String),
}

#[derive(Debug, Default)]
pub struct ExternalMetrics {
    values: BTreeMap<(String, String, String), Served>,
}

impl ExternalMetrics {
    pub fn set(&mut self, namespace: &str, scaled_object: &str, metric: &str, served: Served) {
        self.values.insert(
            (
                namespace.into(),
                scaled_object.into(),
                metric.to_lowercase(),
            ),
            served,
        );
    }

    pub fn remove(&mut self, namespace: &str, scaled_object: &str, metric: &str) {
        self.values.remove(&(
            namespace.to_owned(),
            scaled_object.to_owned(),
            metric.to_lowercase(),
        ));
    }

    /// `GET /apis/external.metrics.k8s.io/v1beta1/namespaces/{ns}/{metric}`.
    pub fn get(&self, namespace: &str, metric: &str, query: &Query) -> Result<Value, ApiError> {
        let selector = query.get("labelSelector").unwrap_or_default();
        let so = selector
            .split(',')
            .find_map(|term| term.trim().strip_prefix(SELECTOR_LABEL)?.strip_prefix('='))
            .map(|v| v.trim_start_matches('='));
        let Some(so) = so.filter(|s| !s.is_empty()) else {
            // KEDA's provider refuses a request that does not name the ScaledObject.
            return Err(ApiError::bad_request(format!(
                "no label selector {SELECTOR_LABEL} in the request for {metric}"
            )));
        };
        let key = (namespace.to_owned(), so.to_owned(), metric.to_lowercase());
        match self.values.get(&key) {
            Some(Served::Milli(m)) => Ok(json!({
                "kind": "ExternalMetricValueList",
                "apiVersion": format!("{GROUP}/{VERSION}"),
                "metadata": {},
                "items": [{
                    "metricName": metric,
                    "metricLabels": null,
                    "timestamp": "1970-01-01T00:00:00Z",
                    "value": quantity(*m),
                }],
            })),
            Some(Served::Error(e)) => Err(ApiError::new(500, "InternalError", e.clone())),
            None => Err(ApiError::new(
                404,
                "NotFound",
                format!("no metric {metric} for ScaledObject {namespace}/{so}"),
            )),
        }
    }
}

/// A quantity from milli units: `5`, `2500m`.
fn quantity(milli: i64) -> String {
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}

pub fn resources() -> Value {
    json!({
        "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": format!("{GROUP}/{VERSION}"),
        "resources": [{"name": "externalmetrics", "singularName": "", "namespaced": true,
                       "kind": "ExternalMetricValueList", "verbs": ["get"]}],
    })
}

pub fn group() -> Value {
    let gv = json!({"groupVersion": format!("{GROUP}/{VERSION}"), "version": VERSION});
    json!({"name": GROUP, "versions": [gv.clone()], "preferredVersion": gv})
}

/// The request's namespace and metric when the path is under the external metrics API.
pub fn parse(path: &str) -> Option<Option<(&str, &str)>> {
    let rest = path
        .strip_prefix("/apis/")?
        .strip_prefix(GROUP)?
        .strip_prefix('/')?
        .strip_prefix(VERSION)?;
    let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    Some(match segments.as_slice() {
        [] => None,
        ["namespaces", ns, metric] => Some((ns, metric)),
        _ => Some(("", "")),
    })
}

impl crate::KubeStandin {
    /// What the external metrics API serves for `metric` of ScaledObject `namespace/name`
    /// (a negative or non-finite value is served as 0, as KEDA does).
    pub fn set_external_metric(&self, namespace: &str, name: &str, metric: &str, value: f64) {
        let milli = if value.is_finite() && value > 0.0 {
            (value * 1000.0).round().min(i64::MAX as f64) as i64
        } else {
            0
        };
        crate::state::lock(&self.shared.external_metrics).set(
            namespace,
            name,
            metric,
            Served::Milli(milli),
        );
    }

    /// The metric answers 500 with `message`, as when KEDA's scaler fails.
    pub fn fail_external_metric(&self, namespace: &str, name: &str, metric: &str, message: &str) {
        crate::state::lock(&self.shared.external_metrics).set(
            namespace,
            name,
            metric,
            Served::Error(message.into()),
        );
    }

    /// The metric is not served at all (404), as when KEDA does not know the ScaledObject.
    pub fn remove_external_metric(&self, namespace: &str, name: &str, metric: &str) {
        crate::state::lock(&self.shared.external_metrics).remove(namespace, name, metric);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_by_selector() {
        let mut m = ExternalMetrics::default();
        m.set("shop", "orders", "s0-Queue", Served::Milli(2500));
        let q = Query::parse("labelSelector=scaledobject.keda.sh%2Fname%3Dorders");
        let v = m.get("shop", "s0-queue", &q).unwrap();
        assert_eq!(v["items"][0]["value"], "2500m");
        assert_eq!(m.get("shop", "s1-queue", &q).unwrap_err().code, 404);
        assert_eq!(
            m.get("shop", "s0-queue", &Query::parse(""))
                .unwrap_err()
                .code,
            400
        );
        m.set("shop", "orders", "s0-queue", Served::Error("boom".into()));
        assert_eq!(m.get("shop", "s0-queue", &q).unwrap_err().code, 500);
        assert_eq!(quantity(7000), "7");
        assert_eq!(parse("/apis/external.metrics.k8s.io/v1beta1"), Some(None));
        assert_eq!(
            parse("/apis/external.metrics.k8s.io/v1beta1/namespaces/a/b"),
            Some(Some(("a", "b")))
        );
        assert_eq!(parse("/apis/apps/v1"), None);
    }
}
