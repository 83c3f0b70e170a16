//! A kube-runtime `Controller` over ScaledObjects (the shape of `scalecore run`) runs unmodified
//! against the stand-in: it reconciles on create and on change, scales the target through
//! `/scale`, writes status with server-side apply, and survives dropped watches.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use kube::ResourceExt;
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

#[derive(Debug, thiserror::Error)]
#[error(transparent)]
struct ReconcileError(#[from] kube::Error);

struct Context {
    client: kube::Client,
}

/// Scales the target to `maxReplicaCount` and reports it in status.
async fn reconcile(so: Arc<DynamicObject>, ctx: Arc<Context>) -> Result<Action, ReconcileError> {
    let namespace = so.namespace().unwrap();
    let target = so.data["spec"]["scaleTargetRef"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let replicas = so.data["spec"]["maxReplicaCount"].as_i64().unwrap();
    let deployments: Api<Deployment> = Api::namespaced(ctx.client.clone(), &namespace);
    deployments
        .patch_scale(
            &target,
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": replicas}})),
        )
        .await?;
    let scaled_objects: Api<DynamicObject> = Api::namespaced_with(
        ctx.client.clone(),
        &namespace,
        &common::scaled_object_resource(),
    );
    let status = json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "status": {"originalReplicaCount": replicas, "conditions": [{"type": "Ready", "status": "True"}]}
    });
    scaled_objects
        .patch_status(
            &so.name_any(),
            &PatchParams::apply("scalecore").force(),
            &Patch::Apply(status),
        )
        .await?;
    Ok(Action::await_change())
}

fn error_policy(_: Arc<DynamicObject>, _: &ReconcileError, _: Arc<Context>) -> Action {
    Action::requeue(Duration::from_millis(100))
}

async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn controller_reconciles_scaled_objects_into_deployment_scale() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    standin.apply(common::deployment("worker", 1)).unwrap();
    let resource = common::scaled_object_resource();
    let scaled_objects: Api<DynamicObject> =
        Api::default_namespaced_with(client.clone(), &resource);
    let context = Arc::new(Context {
        client: client.clone(),
    });
    let controller = Controller::new_with(scaled_objects, watcher::Config::default(), resource)
        .run(reconcile, error_policy, context)
        .for_each(|_| async {});
    let task = tokio::spawn(controller);

    let mut so = common::scaled_object("orders", "worker");
    so["spec"]["maxReplicaCount"] = json!(4);
    standin.apply(so.clone()).unwrap();
    let replicas = |standin: &KubeStandin| {
        standin
            .get("apps/v1", "Deployment", None, "worker")
            .unwrap()["status"]["readyReplicas"]
            .as_i64()
    };
    eventually("scale to 4", || replicas(&standin) == Some(4)).await;
    let stored = standin
        .get("keda.sh/v1alpha1", "ScaledObject", None, "orders")
        .unwrap();
    assert_eq!(stored["status"]["originalReplicaCount"], 4);

    // A change after the watch is dropped still reaches the controller.
    standin.drop_watches();
    so["spec"]["maxReplicaCount"] = json!(7);
    standin.apply(so).unwrap();
    let ready = |d: &serde_json::Value| d["status"]["readyReplicas"] == 7;
    let scaled = standin
        .wait_for(
            "apps/v1",
            "Deployment",
            None,
            "worker",
            Duration::from_secs(10),
            ready,
        )
        .await
        .expect("scaled to 7");
    assert_eq!(scaled["spec"]["replicas"], 7);
    assert!(standin
        .wait_for(
            "apps/v1",
            "Deployment",
            None,
            "worker",
            Duration::from_millis(50),
            |d| d["spec"]["replicas"] == 99
        )
        .await
        .is_none());

    // An injected conflict on the scale write is retried through the error policy.
    standin.fail_next_matching(Some("PATCH"), "/scale", 409, 1);
    let mut so = standin
        .get("keda.sh/v1alpha1", "ScaledObject", None, "orders")
        .unwrap();
    so["spec"]["maxReplicaCount"] = json!(2);
    so.as_object_mut().unwrap().remove("status");
    standin.apply(so).unwrap();
    eventually("scale to 2", || replicas(&standin) == Some(2)).await;
    assert!(standin
        .requests()
        .iter()
        .any(|r| r.method == "PATCH" && r.status == 409));
    task.abort();
}
