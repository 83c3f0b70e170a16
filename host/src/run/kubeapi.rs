//! Every Kubernetes call the host makes, in one place: what it reads, what it writes.
//!
//! Reads go through `Api<DynamicObject>` so any workload with a `/scale` subresource works
//! (Deployment, StatefulSet, Argo Rollout, ...), not only the kinds compiled in.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::{ObjectReference, Secret};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ListParams, Patch, PatchParams,
};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::Client;
use serde_json::{json, Value};
use tokio::sync::{Semaphore, SemaphorePermit};

use super::objects::TargetRef;
use crate::crd::{
    ClusterTriggerAuthentication, ScaledObject, TriggerAuthentication, TriggerAuthenticationSpec,
};

pub const FIELD_MANAGER: &str = "scalecore";
/// Writes answered 409 (someone else changed the object) are retried this many times.
const CONFLICT_RETRIES: u32 = 3;

/// Group, version, kind and plural of a KEDA resource, from its CRD type.
pub fn keda<K: kube::Resource<DynamicType = ()>>() -> ApiResource {
    ApiResource::erase::<K>(&())
}

#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    #[error("{0}")]
    Api(#[from] kube::Error),
    #[error("{0}")]
    Missing(String),
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
}

impl Kube {
    pub fn new(
        client: Client,
        cluster_object_namespace: String,
        instance: Option<String>,
        concurrency: usize,
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
        }
    }

    async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        // The semaphore is never closed, so this only yields None if it were.
        self.in_flight.acquire().await.ok()
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    fn target_api(&self, namespace: &str, target: &TargetRef) -> Api<DynamicObject> {
        Api::namespaced_with(self.client.clone(), namespace, &target.api_resource())
    }

    pub async fn workload(&self, namespace: &str, target: &TargetRef) -> Result<Value, KubeError> {
        let _permit = self.permit().await;
        let obj = self.target_api(namespace, target).get(&target.name).await?;
        Ok(serde_json::to_value(obj).unwrap_or(Value::Null))
    }

    pub async fn scale(&self, namespace: &str, target: &TargetRef) -> Result<ScaleView, KubeError> {
        let _permit = self.permit().await;
        let s = self
            .target_api(namespace, target)
            .get_scale(&target.name)
            .await?;
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
        let api = self.target_api(namespace, target);
        let patch = Patch::Merge(json!({"spec": {"replicas": replicas}}));
        let mut attempt = 0;
        loop {
            let permit = self.permit().await;
            let result = api
                .patch_scale(&target.name, &PatchParams::default(), &patch)
                .await;
            drop(permit);
            match result {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let e = KubeError::from(e);
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
        let _permit = self.permit().await;
        let api: Api<DynamicObject> =
            Api::namespaced_with(self.client.clone(), namespace, &keda::<ScaledObject>());
        let body = json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": name, "namespace": namespace},
            "status": status,
        });
        api.patch_status(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(body),
        )
        .await?;
        Ok(())
    }

    pub async fn secret_value(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<String, KubeError> {
        let _permit = self.permit().await;
        let api: Api<Secret> = Api::namespaced(self.client.clone(), namespace);
        let secret = api.get(name).await?;
        if let Some(v) = secret.data.as_ref().and_then(|d| d.get(key)) {
            return String::from_utf8(v.0.clone()).map_err(|_| {
                KubeError::Missing(format!(
                    "key {key:?} of Secret {namespace}/{name} is not UTF-8"
                ))
            });
        }
        if let Some(v) = secret.string_data.as_ref().and_then(|d| d.get(key)) {
            return Ok(v.clone());
        }
        Err(KubeError::Missing(format!(
            "Secret {namespace}/{name} has no key {key:?}"
        )))
    }

    /// A TriggerAuthentication (namespaced) or ClusterTriggerAuthentication, and the namespace
    /// its Secrets live in.
    pub async fn trigger_authentication(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
    ) -> Result<(TriggerAuthenticationSpec, String), KubeError> {
        let _permit = self.permit().await;
        if kind == "ClusterTriggerAuthentication" {
            let api: Api<ClusterTriggerAuthentication> = Api::all(self.client.clone());
            let cta = api.get(name).await?;
            Ok((cta.spec.0, self.cluster_object_namespace.clone()))
        } else {
            let api: Api<TriggerAuthentication> = Api::namespaced(self.client.clone(), namespace);
            Ok((api.get(name).await?.spec, namespace.to_owned()))
        }
    }

    /// An HPA other than KEDA's own for this ScaledObject that already scales the target:
    /// KEDA's webhook refuses the ScaledObject then, and so does the host.
    pub async fn other_hpa(
        &self,
        namespace: &str,
        target: &TargetRef,
        own_hpa: &str,
    ) -> Result<Option<String>, KubeError> {
        let _permit = self.permit().await;
        let ar = ApiResource::from_gvk_with_plural(
            &GroupVersionKind::gvk("autoscaling", "v2", "HorizontalPodAutoscaler"),
            "horizontalpodautoscalers",
        );
        let api: Api<DynamicObject> = Api::namespaced_with(self.client.clone(), namespace, &ar);
        let list = api.list(&ListParams::default()).await?;
        Ok(list.items.into_iter().find_map(|h| {
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
        let _permit = self.permit().await;
        if let Err(e) = self.recorder.publish(&ev, so).await {
            tracing::warn!(error = %e, reason, "could not record an Event");
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
