//! The HPA of the demo's ScaledObject, as a cluster running KEDA would show it: the object
//! `keda-hpa-NAME` and a controller that syncs it every 15 s with the core's engine over the
//! value the external metrics API serves, writing its status (current and desired replicas,
//! lastScaleTime, currentMetrics, AbleToScale / ScalingActive / ScalingLimited). The host
//! scales the target; this controller only reports, so `explain` reads what a user's cluster
//! would have.

use std::sync::Arc;

use scalecore::decide::{Action, Initial, Limit, Observed, Reading, ScaledObjectEngine};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

use crate::run::clock::rfc3339;
use crate::run::objects::ScaledObject;
use crate::run::Clock;

const SYNC_PERIOD: i64 = 15;
/// HPA syncs at 5, 20, 35 s on the timeline, as `scalecore run` in the demo.
const SYNC_PHASE: i64 = 5;

struct Conditions {
    /// `(reason, since)` of AbleToScale.
    able: (&'static str, i64),
    active: (&'static str, &'static str, i64),
    limited: (&'static str, &'static str, i64),
}

pub struct HpaPlayer {
    k8s: Arc<KubeStandin>,
    so: ScaledObject,
    engine: ScaledObjectEngine,
    metrics: Vec<String>,
    hpa: Value,
    last_replicas: Option<i64>,
    last_scale: Option<i64>,
    conditions: Option<Conditions>,
}

impl HpaPlayer {
    /// Creates `keda-hpa-NAME` for `so` as KEDA does (External metrics, AverageValue targets,
    /// selected by `scaledobject.keda.sh/name`).
    pub fn create(
        k8s: Arc<KubeStandin>,
        so: ScaledObject,
        now: i64,
    ) -> Result<HpaPlayer, scalecore_standin_kube::ApiError> {
        let engine = ScaledObjectEngine::new(
            &so.spec,
            Initial {
                replicas: 0,
                last_active_time: None,
                creation_time: now,
            },
        );
        let plan = engine.plan();
        let metrics: Vec<String> = plan
            .triggers
            .iter()
            .filter(|t| !t.resource)
            .map(|t| t.metric_name.clone())
            .collect();
        let specs: Vec<Value> = plan
            .triggers
            .iter()
            .filter(|t| !t.resource)
            .map(|t| {
                json!({"type": "External", "external": {
                    "metric": {"name": t.metric_name, "selector": {"matchLabels": {"scaledobject.keda.sh/name": so.name}}},
                    "target": {"type": "AverageValue", "averageValue": quantity(t.target)}}})
            })
            .collect();
        let hpa = json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": so.spec.hpa_name(), "namespace": so.namespace,
                         "labels": {"app.kubernetes.io/managed-by": "keda-operator", "scaledobject.keda.sh/name": so.name}},
            "spec": {"scaleTargetRef": {"apiVersion": so.target.api_version, "kind": so.target.kind, "name": so.target.name},
                     "minReplicas": plan.hpa_min, "maxReplicas": plan.hpa_max, "metrics": specs}});
        k8s.apply(hpa.clone())?;
        Ok(HpaPlayer {
            k8s,
            so,
            engine,
            metrics,
            hpa,
            last_replicas: None,
            last_scale: None,
            conditions: None,
        })
    }

    /// The metric names KEDA's metrics server serves for the object.
    pub fn metrics(&self) -> &[String] {
        &self.metrics
    }

    pub fn polling_interval(&self) -> i64 {
        self.engine.plan().polling_interval
    }

    /// Syncs on the HPA's schedule until the task is dropped.
    pub async fn run(mut self, clock: Clock, client: kube::Client) {
        loop {
            let now = clock.now();
            let next = now + 1 + (SYNC_PHASE - (now + 1)).rem_euclid(SYNC_PERIOD);
            tokio::time::sleep_until(tokio::time::Instant::from_std(clock.instant_at(next))).await;
            self.sync(next, &client).await;
        }
    }

    async fn sync(&mut self, t: i64, client: &kube::Client) {
        let target = self.k8s.get(
            &self.so.target.api_version,
            &self.so.target.kind,
            Some(&self.so.namespace),
            &self.so.target.name,
        );
        let replicas = target
            .as_ref()
            .and_then(|d| d.pointer("/spec/replicas"))
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let ready = target
            .as_ref()
            .and_then(|d| d.pointer("/status/readyReplicas"))
            .and_then(Value::as_i64);
        if self.last_replicas.is_some_and(|r| r != replicas) {
            self.last_scale = Some(t);
        }
        self.last_replicas = Some(replicas);
        let mut readings = Vec::new();
        let mut values = Vec::new();
        for (i, tp) in self.engine.plan().triggers.iter().enumerate() {
            if tp.resource {
                readings.push(Reading::Error);
                continue;
            }
            let served = crate::explain::external_metric(
                client,
                &self.so.namespace,
                &self.so.name,
                &tp.metric_name,
            )
            .await;
            let reading = match served {
                crate::explain::Served::Value(v) => {
                    values.push((i, v));
                    Reading::Value(v)
                }
                crate::explain::Served::Error(_) => Reading::Error,
            };
            readings.push(reading);
        }
        let observed = Observed {
            ready_pods: ready,
            ..Observed::replicas(replicas)
        };
        let o = self.engine.hpa_sync(t, &readings, observed);
        let norm = self.engine.detail().norm;
        let able = if norm.is_some_and(|n| n.stabilized > n.desired) {
            "ScaleDownStabilized"
        } else {
            "ReadyForNewScale"
        };
        let (active_status, active_reason) = self.engine.state().conditions.scaling_active;
        let limited = match o.limit {
            Some(l) if l != Limit::DesiredWithinRange => ("True", l.name()),
            _ => ("False", Limit::DesiredWithinRange.name()),
        };
        let keep = |old: Option<i64>, same: bool| if same { old.unwrap_or(t) } else { t };
        let c = match &self.conditions {
            Some(c) => Conditions {
                able: (able, keep(Some(c.able.1), c.able.0 == able)),
                active: (
                    active_status,
                    active_reason,
                    keep(
                        Some(c.active.2),
                        c.active.0 == active_status && c.active.1 == active_reason,
                    ),
                ),
                limited: (
                    limited.0,
                    limited.1,
                    keep(
                        Some(c.limited.2),
                        c.limited.0 == limited.0 && c.limited.1 == limited.1,
                    ),
                ),
            },
            None => Conditions {
                able: (able, t),
                active: (active_status, active_reason, t),
                limited: (limited.0, limited.1, t),
            },
        };
        let current_metrics: Vec<Value> = values
            .iter()
            .filter_map(|(i, v)| {
                let tp = self.engine.plan().triggers.get(*i)?;
                // AverageValue: the value per pod the HPA computed.
                let per_pod = if replicas > 0 { v / replicas as f64 } else { *v };
                Some(json!({"type": "External", "external": {
                    "metric": {"name": tp.metric_name, "selector": {"matchLabels": {"scaledobject.keda.sh/name": self.so.name}}},
                    "current": {"averageValue": quantity(per_pod)}}}))
            })
            .collect();
        let desired = if o.action == Action::HpaDisabled {
            replicas
        } else {
            o.replicas
        };
        let mut status = json!({
            "currentReplicas": replicas,
            "desiredReplicas": desired,
            "currentMetrics": current_metrics,
            "conditions": [
                {"type": "AbleToScale", "status": "True", "reason": c.able.0, "lastTransitionTime": rfc3339(c.able.1)},
                {"type": "ScalingActive", "status": c.active.0, "reason": c.active.1, "lastTransitionTime": rfc3339(c.active.2)},
                {"type": "ScalingLimited", "status": c.limited.0, "reason": c.limited.1, "lastTransitionTime": rfc3339(c.limited.2)},
            ],
        });
        if let Some(s) = self.last_scale {
            status["lastScaleTime"] = json!(rfc3339(s));
        }
        self.conditions = Some(c);
        let mut hpa = self.hpa.clone();
        hpa["status"] = status;
        if let Err(e) = self.k8s.apply(hpa) {
            tracing::warn!(error = %e, "the demo's HPA status");
        }
    }
}

/// A quantity in milli units when it is not whole, as the API server writes one.
fn quantity(v: f64) -> String {
    let milli = scalecore::decide::to_milli(v);
    if milli % 1000 == 0 {
        (milli / 1000).to_string()
    } else {
        format!("{milli}m")
    }
}
