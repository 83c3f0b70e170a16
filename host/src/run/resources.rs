//! cpu/memory triggers: the HPA's Resource metrics, read from the pods the target selects and
//! the resource metrics API (`metrics.k8s.io`), reduced to what the core's engine takes (the
//! usage of the pods with a sample, and how the HPA's `groupPods` sorts the rest). The replica
//! count itself is the core's (`GetResourceReplicas` / `GetRawResourceReplicas`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::core::{Selector, SelectorExt};
use scalecore::decide::{Observed, Reading};
use scalecore::scalers::cpu_memory::{parse_quantity, ResourceConfig};
use scalecore::scalers::MetricType;
use serde::Deserialize;

use super::kubeapi::{Kube, KubeError};

/// Why a cpu/memory trigger has no value at this sync (no secret can be in it: pod names and
/// resource names only).
#[derive(Clone, Debug, thiserror::Error)]
pub enum ResourceError {
    #[error("listing the pods or their metrics in namespace {namespace:?}: {source}")]
    List {
        namespace: String,
        #[source]
        source: Arc<KubeError>,
    },
    /// A Utilization target over pods none of whose (named) containers request the resource.
    #[error("no {} of the target's pods requests {resource}", .container.as_deref().map(|c| format!("container {c:?}")).unwrap_or_else(|| "container".to_owned()))]
    NothingRequested {
        resource: String,
        container: Option<String>,
    },
    /// The HPA refuses a Utilization target when a container has no request for the resource.
    #[error("missing request for {resource} in container {container:?} of pod {pod:?}")]
    MissingRequest {
        resource: String,
        container: String,
        pod: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Pending,
    Running,
    /// Failed, or deleting: the HPA ignores the pod.
    Ignored,
    Other,
}

/// One container's cpu (cores) and memory (bytes).
#[derive(Clone, Debug, Default)]
struct Amounts {
    name: String,
    cpu: Option<f64>,
    memory: Option<f64>,
}

impl Amounts {
    fn of(&self, cpu: bool) -> Option<f64> {
        if cpu {
            self.cpu
        } else {
            self.memory
        }
    }
}

#[derive(Debug)]
struct PodFacts {
    name: String,
    labels: BTreeMap<String, String>,
    phase: Phase,
    ready: bool,
    requests: Vec<Amounts>,
}

/// One namespace's pods and their latest samples, as listed at one moment.
#[derive(Debug, Default)]
pub struct Snapshot {
    pods: Vec<PodFacts>,
    usage: HashMap<String, Vec<Amounts>>,
}

// The wire shapes, reduced to the fields read (a pod list is otherwise large).

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
    #[serde(default, rename = "deletionTimestamp")]
    deletion_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct WirePod {
    #[serde(default)]
    metadata: Meta,
    #[serde(default)]
    spec: Option<WireSpec>,
    #[serde(default)]
    status: Option<WireStatus>,
}

#[derive(Deserialize)]
struct WireSpec {
    #[serde(default)]
    containers: Vec<WireContainer>,
}

#[derive(Deserialize)]
struct WireContainer {
    #[serde(default)]
    name: String,
    #[serde(default)]
    resources: Option<WireResources>,
}

#[derive(Deserialize)]
struct WireResources {
    #[serde(default)]
    requests: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct WireStatus {
    #[serde(default)]
    phase: Option<String>,
    #[serde(default)]
    conditions: Option<Vec<WireCondition>>,
}

#[derive(Deserialize)]
struct WireCondition {
    #[serde(rename = "type")]
    type_: String,
    status: String,
}

#[derive(Deserialize)]
struct WireMetrics {
    #[serde(default)]
    metadata: Meta,
    #[serde(default)]
    containers: Vec<WireUsage>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    name: String,
    #[serde(default)]
    usage: BTreeMap<String, String>,
}

fn amounts(name: String, map: &BTreeMap<String, String>) -> Amounts {
    Amounts {
        name,
        cpu: map.get("cpu").and_then(|q| parse_quantity(q)),
        memory: map.get("memory").and_then(|q| parse_quantity(q)),
    }
}

impl Snapshot {
    fn new(pods: Vec<WirePod>, metrics: Vec<WireMetrics>) -> Snapshot {
        let pods = pods
            .into_iter()
            .map(|p| {
                let status = p.status;
                let phase = match status.as_ref().and_then(|s| s.phase.as_deref()) {
                    _ if p.metadata.deletion_timestamp.is_some() => Phase::Ignored,
                    Some("Failed") => Phase::Ignored,
                    Some("Pending") => Phase::Pending,
                    Some("Running") => Phase::Running,
                    _ => Phase::Other,
                };
                let ready = status
                    .and_then(|s| s.conditions)
                    .unwrap_or_default()
                    .iter()
                    .any(|c| c.type_ == "Ready" && c.status == "True");
                let requests = p
                    .spec
                    .map(|s| s.containers)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|c| {
                        let requests = c.resources.and_then(|r| r.requests).unwrap_or_default();
                        amounts(c.name, &requests)
                    })
                    .collect();
                PodFacts {
                    name: p.metadata.name,
                    labels: p.metadata.labels.unwrap_or_default(),
                    phase,
                    ready,
                    requests,
                }
            })
            .collect();
        let usage = metrics
            .into_iter()
            .map(|m| {
                let containers = m
                    .containers
                    .into_iter()
                    .map(|c| amounts(c.name, &c.usage))
                    .collect();
                (m.metadata.name, containers)
            })
            .collect();
        Snapshot { pods, usage }
    }
}

/// A namespace's latest lists and when they were listed; held while listing, so callers
/// arriving meanwhile wait for that list.
type Slot = tokio::sync::Mutex<Option<(Instant, Arc<Snapshot>)>>;

/// The latest pod and metrics lists of each namespace: every ScaledObject of a namespace
/// syncing at one grid moment reads one pair of lists.
#[derive(Default)]
pub struct Snapshots {
    namespaces: Mutex<HashMap<String, Arc<Slot>>>,
}

impl Snapshots {
    /// The namespace's lists, listed again when older than `max_age`. Callers arriving while a
    /// list is in flight wait for it rather than sending their own.
    pub async fn get(
        &self,
        kube: &Kube,
        namespace: &str,
        max_age: Duration,
    ) -> Result<Arc<Snapshot>, ResourceError> {
        let slot = {
            let mut map = self.namespaces.lock().unwrap_or_else(|p| p.into_inner());
            if !map.contains_key(namespace) && map.len() >= 16 && map.len().is_power_of_two() {
                // Lists of namespaces no ScaledObject reads any more are only memory.
                let stale = max_age.saturating_mul(10).max(Duration::from_secs(600));
                map.retain(|_, slot| match slot.try_lock() {
                    Ok(s) => s.as_ref().is_some_and(|(at, _)| at.elapsed() <= stale),
                    Err(_) => true,
                });
            }
            map.entry(namespace.to_owned()).or_default().clone()
        };
        let mut slot = slot.lock().await;
        if let Some((at, snapshot)) = slot.as_ref() {
            if at.elapsed() <= max_age {
                return Ok(snapshot.clone());
            }
        }
        let failed = |source: KubeError| ResourceError::List {
            namespace: namespace.to_owned(),
            source: Arc::new(source),
        };
        let pods = kube
            .list_all(format!("/api/v1/namespaces/{namespace}/pods"), None, || {
                format!("the pods of namespace {namespace}")
            })
            .await
            .map_err(failed)?;
        let metrics = kube
            .list_all(
                format!("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods"),
                None,
                || format!("the pod metrics of namespace {namespace}"),
            )
            .await
            .map_err(failed)?;
        let snapshot = Arc::new(Snapshot::new(pods, metrics));
        *slot = Some((Instant::now(), snapshot.clone()));
        Ok(snapshot)
    }
}

/// The target's pods in one snapshot as the HPA sorts them, and each cpu/memory trigger's
/// reading: the usage of the pods whose sample counts, in percent of their summed requests
/// (Utilization) or per pod (AverageValue).
pub fn evaluate(
    snapshot: &Snapshot,
    selector: &Selector,
    triggers: &[Option<&ResourceConfig>],
    observed: Observed,
) -> (Observed, Vec<Option<Result<Reading, ResourceError>>>) {
    let pods: Vec<&PodFacts> = snapshot
        .pods
        .iter()
        .filter(|p| p.phase != Phase::Ignored && selector.matches(&p.labels))
        .collect();
    let ready = |p: &PodFacts| p.phase == Phase::Running && p.ready;
    let observed = Observed {
        status_replicas: Some(pods.len() as i64),
        ready_pods: Some(pods.iter().filter(|p| ready(p)).count() as i64),
        pending_pods: Some(pods.iter().filter(|p| p.phase == Phase::Pending).count() as i64),
        pods_without_metrics: Some(
            pods.iter()
                .filter(|p| ready(p) && !snapshot.usage.contains_key(&p.name))
                .count() as i64,
        ),
        ..observed
    };
    let readings = triggers
        .iter()
        .map(|t| t.map(|config| reading(snapshot, &pods, config)))
        .collect();
    (observed, readings)
}

fn reading(
    snapshot: &Snapshot,
    pods: &[&PodFacts],
    config: &ResourceConfig,
) -> Result<Reading, ResourceError> {
    let cpu = config.resource == "cpu";
    let wanted = |name: &str| config.container_name.as_deref().is_none_or(|c| c == name);
    let (mut used, mut requested, mut counted) = (0.0, 0.0, 0usize);
    for pod in pods {
        if pod.phase == Phase::Pending || (cpu && !pod.ready) {
            // Set aside (groupPods): unready cpu samples are not representative.
            continue;
        }
        let Some(samples) = snapshot.usage.get(&pod.name) else {
            continue;
        };
        let sample: f64 = samples
            .iter()
            .filter(|c| wanted(&c.name))
            .filter_map(|c| c.of(cpu))
            .sum();
        if config.metric_type == MetricType::Utilization {
            for c in pod.requests.iter().filter(|c| wanted(&c.name)) {
                match c.of(cpu) {
                    Some(r) => requested += r,
                    None => {
                        return Err(ResourceError::MissingRequest {
                            resource: config.resource.clone(),
                            container: c.name.clone(),
                            pod: pod.name.clone(),
                        })
                    }
                }
            }
        }
        used += sample;
        counted += 1;
    }
    if counted == 0 {
        // No pod with a sample: the core's rule reports that the HPA has no metrics.
        return Ok(Reading::Value(0.0));
    }
    Ok(Reading::Value(match config.metric_type {
        MetricType::Utilization if requested > 0.0 => used * 100.0 / requested,
        MetricType::Utilization => {
            return Err(ResourceError::NothingRequested {
                resource: config.resource.clone(),
                container: config.container_name.clone(),
            })
        }
        _ => used / counted as f64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot() -> Snapshot {
        let pod = |name: &str, phase: &str, ready: bool| {
            serde_json::json!({
                "metadata": {"name": name, "labels": {"app": "web"}},
                "spec": {"containers": [
                    {"name": "app", "resources": {"requests": {"cpu": "500m", "memory": "100Mi"}}},
                    {"name": "side", "resources": {"requests": {"cpu": "500m", "memory": "100Mi"}}},
                ]},
                "status": {"phase": phase, "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]},
            })
        };
        let pods = serde_json::json!([
            pod("a", "Running", true), pod("b", "Running", true), pod("c", "Running", false),
            pod("d", "Pending", false), pod("e", "Running", true),
            {"metadata": {"name": "other", "labels": {"app": "db"}}, "status": {"phase": "Running"}},
            {"metadata": {"name": "gone", "labels": {"app": "web"}}, "status": {"phase": "Failed"}},
        ]);
        let usage = |name: &str, app: &str, side: &str| {
            serde_json::json!({"metadata": {"name": name}, "containers": [
                {"name": "app", "usage": {"cpu": app, "memory": "150Mi"}},
                {"name": "side", "usage": {"cpu": side, "memory": "50Mi"}},
            ]})
        };
        let metrics = serde_json::json!([
            usage("a", "900m", "100m"),
            usage("b", "700m", "100m"),
            usage("c", "2", "0"),
        ]);
        Snapshot::new(
            serde_json::from_value(pods).unwrap(),
            serde_json::from_value(metrics).unwrap(),
        )
    }

    fn config(resource: &str, metric_type: MetricType, container: Option<&str>) -> ResourceConfig {
        ResourceConfig {
            resource: resource.to_owned(),
            metric_type,
            value: 50.0,
            container_name: container.map(str::to_owned),
        }
    }

    fn value(r: &Option<Result<Reading, ResourceError>>) -> f64 {
        match r {
            Some(Ok(Reading::Value(v))) => *v,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pods_are_sorted_and_usage_is_summed_as_the_hpa_does() {
        let s = snapshot();
        let selector: Selector = [("app", "web")].into_iter().collect();
        let cpu = config("cpu", MetricType::Utilization, None);
        let app = config("cpu", MetricType::Utilization, Some("app"));
        let mem = config("memory", MetricType::AverageValue, None);
        let (obs, readings) = evaluate(
            &s,
            &selector,
            &[Some(&cpu), None, Some(&app), Some(&mem)],
            Observed::replicas(5),
        );
        // Failed and unselected pods are not counted; e is ready without a sample.
        assert_eq!(obs.status_replicas, Some(5));
        assert_eq!(obs.ready_pods, Some(3));
        assert_eq!(obs.pending_pods, Some(1));
        assert_eq!(obs.pods_without_metrics, Some(1));
        assert_eq!(obs.replicas, 5);
        // cpu: a and b only (c is unready): 1.8 cores of 2 requested.
        assert!((value(&readings[0]) - 90.0).abs() < 1e-9);
        assert!(readings[1].is_none());
        // containerName: 1.6 of 1 core.
        assert!((value(&readings[2]) - 160.0).abs() < 1e-9);
        // memory counts the running unready pod: 200Mi per pod on average.
        assert!((value(&readings[3]) - 200.0 * 1024.0 * 1024.0).abs() < 1e-3);
    }

    #[test]
    fn a_missing_request_is_an_error_and_no_sample_is_zero_pods() {
        let pods = serde_json::json!([
            {"metadata": {"name": "a", "labels": {"app": "web"}},
             "spec": {"containers": [{"name": "app"}]},
             "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}},
        ]);
        let metrics = serde_json::json!([
            {"metadata": {"name": "a"}, "containers": [{"name": "app", "usage": {"cpu": "1", "memory": "1Mi"}}]},
        ]);
        let s = Snapshot::new(
            serde_json::from_value(pods).unwrap(),
            serde_json::from_value(metrics).unwrap(),
        );
        let selector: Selector = [("app", "web")].into_iter().collect();
        let cpu = config("cpu", MetricType::Utilization, None);
        let (_, readings) = evaluate(&s, &selector, &[Some(&cpu)], Observed::replicas(1));
        let err = readings[0].as_ref().unwrap().as_ref().unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing request for cpu in container \"app\" of pod \"a\""
        );
        let sidecar = config("cpu", MetricType::Utilization, Some("sidecar"));
        let (_, readings) = evaluate(&s, &selector, &[Some(&sidecar)], Observed::replicas(1));
        let err = readings[0].as_ref().unwrap().as_ref().unwrap_err();
        assert_eq!(
            err.to_string(),
            "no container \"sidecar\" of the target's pods requests cpu"
        );
        let none: Selector = [("app", "db")].into_iter().collect();
        let (obs, readings) = evaluate(&s, &none, &[Some(&cpu)], Observed::replicas(1));
        assert_eq!((obs.status_replicas, obs.ready_pods), (Some(0), Some(0)));
        assert_eq!(value(&readings[0]), 0.0);
    }
}
