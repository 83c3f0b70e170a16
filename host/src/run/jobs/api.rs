//! The Kubernetes calls of the ScaledJob loop: its Jobs and their pods, Job creation and
//! deletion, the ScaledJob's status. Writes pass the host's write gate, like every other.

use kube::api::{
    ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use kube::core::ObjectList;
use kube::Resource;
use serde_json::{json, Value};

use super::super::kubeapi::{Kube, KubeError, FIELD_MANAGER};
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

/// `?labelSelector=scaledjob.keda.sh/name=<name>`, percent-encoded.
fn owned_by(name: &str) -> String {
    let selector = format!("{NAME_LABEL}={name}");
    let encoded: String = selector
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("?labelSelector={encoded}")
}

/// The Jobs (or pods) labelled as the ScaledJob's, as JSON objects.
async fn list_owned(kube: &Kube, path: String, what: String) -> Result<Vec<Value>, KubeError> {
    let list: ObjectList<Value> = kube.list(path, || what).await?;
    Ok(list.items)
}

pub async fn list_jobs(kube: &Kube, namespace: &str, name: &str) -> Result<Vec<Value>, KubeError> {
    let path = format!(
        "{}{}",
        DynamicObject::url_path(&jobs(), Some(namespace)),
        owned_by(name)
    );
    list_owned(
        kube,
        path,
        format!("the Jobs of ScaledJob {namespace}/{name}"),
    )
    .await
}

/// The pods of the ScaledJob's Jobs: the template carries its label, so one list serves all.
pub async fn list_pods(kube: &Kube, namespace: &str, name: &str) -> Result<Vec<Value>, KubeError> {
    let path = format!("/api/v1/namespaces/{namespace}/pods{}", owned_by(name));
    list_owned(
        kube,
        path,
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
    let body = json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
        "metadata": {"name": name, "namespace": namespace},
        "status": status,
    });
    let request =
        kube::core::Request::new(DynamicObject::url_path(&scaled_jobs(), Some(namespace)))
            .patch_subresource(
                "status",
                name,
                &PatchParams::apply(FIELD_MANAGER).force(),
                &Patch::Apply(body),
            )?;
    kube.write(kube.client().request_text(request)).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_selector_is_encoded() {
        assert_eq!(
            super::owned_by("orders-1"),
            "?labelSelector=scaledjob.keda.sh%2Fname%3Dorders-1"
        );
    }
}
