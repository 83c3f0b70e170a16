//! The Kubernetes calls of the ScaledJob loop: its Jobs and their pods, Job creation and
//! deletion, the ScaledJob's status. Writes pass the host's write gate, like every other.

use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, PostParams};
use kube::Resource;
use serde_json::Value;

use super::super::kubeapi::{Kube, KubeError};
use super::object::NAME_LABEL;

pub fn scaled_jobs() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("keda.sh", "v1alpha1", "ScaledJob"),
        "scaledjobs",
    )
}

fn jobs() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("batch", "v1", "Job"), "jobs")
}

/// The Jobs (or pods) labelled as the ScaledJob's, as JSON objects.
async fn list_owned(
    kube: &Kube,
    path: String,
    name: &str,
    what: String,
) -> Result<Vec<Value>, KubeError> {
    let selector = format!("{NAME_LABEL}={name}");
    kube.list_all(path, Some(&selector), || what.clone()).await
}

pub async fn list_jobs(kube: &Kube, namespace: &str, name: &str) -> Result<Vec<Value>, KubeError> {
    let path = DynamicObject::url_path(&jobs(), Some(namespace));
    list_owned(
        kube,
        path,
        name,
        format!("the Jobs of ScaledJob {namespace}/{name}"),
    )
    .await
}

/// The pods of the ScaledJob's Jobs: the template carries its label, so one list serves all.
pub async fn list_pods(kube: &Kube, namespace: &str, name: &str) -> Result<Vec<Value>, KubeError> {
    let path = format!("/api/v1/namespaces/{namespace}/pods");
    list_owned(
        kube,
        path,
        name,
        format!("the pods of ScaledJob {namespace}/{name}"),
    )
    .await
}

pub async fn create_job(kube: &Kube, namespace: &str, job: &Value) -> Result<(), KubeError> {
    let body = serde_json::to_vec(job).unwrap_or_default();
    let request = kube::core::Request::new(DynamicObject::url_path(&jobs(), Some(namespace)))
        .create(&PostParams::default(), body)?;
    kube.write(kube.client().request_text(request)).await
}

/// Deletes a Job with the given propagation (KEDA: Background, Foreground for a rollout
/// that asks for it), so its pods go too.
pub async fn delete_job(
    kube: &Kube,
    namespace: &str,
    name: &str,
    foreground: bool,
) -> Result<(), KubeError> {
    let params = if foreground {
        DeleteParams::foreground()
    } else {
        DeleteParams::background()
    };
    let request = kube::core::Request::new(DynamicObject::url_path(&jobs(), Some(namespace)))
        .delete(name, &params)?;
    kube.write(kube.client().request_text(request)).await
}

/// Server-side apply of the ScaledJob's status: only the fields the host owns.
pub async fn apply_status(
    kube: &Kube,
    namespace: &str,
    name: &str,
    status: Value,
) -> Result<(), KubeError> {
    kube.apply_status_of(&scaled_jobs(), namespace, name, status)
        .await
}
