//! The resource metrics API and pods as the HPA reads them: PodMetrics and Pods listed in a
//! namespace by label selector, in the shapes of the real APIs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ApiResource, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

fn pod(name: &str, app: &str, phase: &str, ready: bool) -> serde_json::Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
        "spec": {"containers": [
            {"name": "app", "image": "app", "resources": {"requests": {"cpu": "500m", "memory": "128Mi"}}},
            {"name": "sidecar", "image": "proxy", "resources": {"requests": {"cpu": "100m", "memory": "32Mi"}}},
        ]},
        "status": {"phase": phase, "conditions": [
            {"type": "Ready", "status": if ready { "True" } else { "False" }},
        ]},
    })
}

#[tokio::test]
async fn pod_metrics_and_pods_list_by_label_selector() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    for (name, app, phase, ready) in [
        ("web-1", "web", "Running", true),
        ("web-2", "web", "Pending", false),
        ("db-1", "db", "Running", true),
    ] {
        standin.apply(pod(name, app, phase, ready)).unwrap();
    }
    standin
        .set_pod_usage(
            "default",
            "web-1",
            &[("app", "450m", "100Mi"), ("sidecar", "20m", "8Mi")],
        )
        .unwrap();
    standin
        .set_pod_usage("default", "db-1", &[("app", "1", "1Gi")])
        .unwrap();
    // An unknown pod has no metrics to set.
    assert_eq!(
        standin
            .set_pod_usage("default", "nope", &[("app", "1m", "1Mi")])
            .unwrap_err()
            .code,
        404
    );

    let pods: Api<Pod> = Api::default_namespaced(client.clone());
    let web = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    let mut names: Vec<_> = web
        .items
        .iter()
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["web-1", "web-2"]);
    let pending = web
        .items
        .iter()
        .find(|p| p.metadata.name.as_deref() == Some("web-2"))
        .unwrap();
    let status = pending.status.as_ref().unwrap();
    assert_eq!(status.phase.as_deref(), Some("Pending"));
    assert_eq!(status.conditions.as_ref().unwrap()[0].status, "False");
    let requests = pending.spec.as_ref().unwrap().containers[0]
        .resources
        .as_ref()
        .unwrap()
        .requests
        .as_ref()
        .unwrap();
    assert_eq!(requests["cpu"].0, "500m");

    let gvk = GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", "PodMetrics");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "pods");
    let metrics: Api<DynamicObject> = Api::default_namespaced_with(client.clone(), &resource);
    let listed = metrics
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1, "web-2 has no sample");
    let m = &listed.items[0];
    assert_eq!(m.metadata.name.as_deref(), Some("web-1"));
    assert_eq!(m.data["window"], "30s");
    assert!(m.data["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        m.data["containers"],
        json!([
            {"name": "app", "usage": {"cpu": "450m", "memory": "100Mi"}},
            {"name": "sidecar", "usage": {"cpu": "20m", "memory": "8Mi"}},
        ])
    );
    let all = metrics.list(&ListParams::default()).await.unwrap();
    assert_eq!(all.items.len(), 2);

    // Usage changes in place; clearing it leaves the pod without a sample.
    standin
        .set_pod_usage("default", "web-1", &[("app", "900m", "120Mi")])
        .unwrap();
    let again = metrics.get("web-1").await.unwrap();
    assert_eq!(again.data["containers"][0]["usage"]["cpu"], "900m");
    standin.clear_pod_usage("default", "web-1").unwrap();
    assert!(metrics.get("web-1").await.is_err());
    assert!(pods.get("web-1").await.is_ok());
}
