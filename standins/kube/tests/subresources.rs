//! `/status` (server-side apply, merge and JSON patches on a KEDA ScaledObject) and `/scale`
//! (Deployment replicas, with the workload controller making status follow).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::api_error;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

#[tokio::test]
async fn scaled_object_as_dynamic_object_with_status_patches() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let resource = common::scaled_object_resource();
    let scaled_objects: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), "default", &resource);

    let so: DynamicObject =
        serde_json::from_value(common::scaled_object("orders", "worker")).unwrap();
    let created = scaled_objects
        .create(&PostParams::default(), &so)
        .await
        .unwrap();
    assert_eq!(created.data["spec"]["maxReplicaCount"], 10);
    let listed = scaled_objects.list(&ListParams::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].types.as_ref().unwrap().kind, "ScaledObject");

    // Server-side apply of status, forced, as the host does.
    let apply = json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
        "status": {"scaleTargetKind": "apps/v1.Deployment", "conditions": [{"type": "Ready", "status": "True"}]}
    });
    let applied = scaled_objects
        .patch_status(
            "orders",
            &PatchParams::apply("scalecore").force(),
            &Patch::Apply(&apply),
        )
        .await
        .unwrap();
    assert_eq!(applied.data["status"]["conditions"][0]["type"], "Ready");
    assert_eq!(applied.data["spec"]["maxReplicaCount"], 10);
    // A status change does not bump generation.
    assert_eq!(applied.metadata.generation, Some(1));
    assert_eq!(
        standin.field_managers(
            "keda.sh/v1alpha1",
            "ScaledObject",
            None,
            "orders",
            &["status", "scaleTargetKind"]
        ),
        vec!["scalecore"]
    );

    let merged = scaled_objects
        .patch_status(
            "orders",
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {"externalMetricNames": ["s0-orders"]}})),
        )
        .await
        .unwrap();
    assert_eq!(
        merged.data["status"]["externalMetricNames"],
        json!(["s0-orders"])
    );
    assert_eq!(
        merged.data["status"]["scaleTargetKind"],
        "apps/v1.Deployment"
    );

    let ops: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/status/scaleTargetKind", "value": "apps/v1.Deployment"},
        {"op": "replace", "path": "/status/conditions/0/status", "value": "False"},
        {"op": "remove", "path": "/status/externalMetricNames"}
    ]))
    .unwrap();
    let patched = scaled_objects
        .patch_status("orders", &PatchParams::default(), &Patch::Json::<()>(ops))
        .await
        .unwrap();
    assert_eq!(patched.data["status"]["conditions"][0]["status"], "False");
    assert!(patched.data["status"].get("externalMetricNames").is_none());

    // Writes to /status leave spec alone; writes to the main resource leave status alone.
    let spec_through_status = scaled_objects
        .patch_status(
            "orders",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"maxReplicaCount": 99}})),
        )
        .await
        .unwrap();
    assert_eq!(spec_through_status.data["spec"]["maxReplicaCount"], 10);
    let main = scaled_objects
        .patch(
            "orders",
            &PatchParams::default(),
            &Patch::Merge(
                json!({"spec": {"maxReplicaCount": 20}, "status": {"scaleTargetKind": "x"}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(main.data["spec"]["maxReplicaCount"], 20);
    assert_eq!(main.data["status"]["scaleTargetKind"], "apps/v1.Deployment");
    assert_eq!(main.metadata.generation, Some(2));

    // An apply to /status that carries no status changes nothing.
    let no_status = json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "spec": {"maxReplicaCount": 1}});
    let unchanged = scaled_objects
        .patch_status(
            "orders",
            &PatchParams::apply("scalecore").force(),
            &Patch::Apply(&no_status),
        )
        .await
        .unwrap();
    assert_eq!(unchanged.data["status"]["conditions"][0]["status"], "False");
    assert_eq!(unchanged.data["spec"]["maxReplicaCount"], 20);
    assert_eq!(
        unchanged.metadata.resource_version,
        main.metadata.resource_version
    );

    let fetched = scaled_objects.get_status("orders").await.unwrap();
    assert_eq!(fetched.data["status"]["conditions"][0]["status"], "False");
    let stored = standin
        .get(
            "keda.sh/v1alpha1",
            "scaledobjects",
            Some("default"),
            "orders",
        )
        .unwrap();
    assert_eq!(stored["spec"]["maxReplicaCount"], 20);

    // Apply on an absent object creates it; on a kind with no status subresource -> 404.
    let created_by_apply = scaled_objects
        .patch(
            "payments",
            &PatchParams::apply("scalecore"),
            &Patch::Apply(common::scaled_object("payments", "worker")),
        )
        .await
        .unwrap();
    assert_eq!(created_by_apply.metadata.name.as_deref(), Some("payments"));
    let leases: Api<Lease> = Api::default_namespaced(client.clone());
    assert_eq!(api_error(leases.get_status("x").await).0, 404);
}

#[tokio::test]
async fn scale_subresource_drives_spec_and_status_follows() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    standin.apply(common::deployment("worker", 1)).unwrap();
    let deployments: Api<Deployment> = Api::default_namespaced(client);

    let scale = deployments.get_scale("worker").await.unwrap();
    assert_eq!(scale.spec.unwrap().replicas, Some(1));
    let scale_status = scale.status.unwrap();
    assert_eq!(
        (scale_status.replicas, scale_status.selector.as_deref()),
        (1, Some("app=worker"))
    );

    let patched = deployments
        .patch_scale(
            "worker",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 5}})),
        )
        .await
        .unwrap();
    assert_eq!(patched.spec.unwrap().replicas, Some(5));
    let deployment = deployments.get("worker").await.unwrap();
    assert_eq!(deployment.spec.unwrap().replicas, Some(5));
    assert_eq!(deployment.status.unwrap().ready_replicas, Some(5));
    assert_eq!(deployment.metadata.generation, Some(2));

    let applied = deployments
        .patch_scale(
            "worker",
            &PatchParams::apply("scalecore").force(),
            &Patch::Apply(
                json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "spec": {"replicas": 0}}),
            ),
        )
        .await
        .unwrap();
    assert_eq!(applied.spec.unwrap().replicas, Some(0));
    let zero = standin
        .get("apps/v1", "Deployment", None, "worker")
        .unwrap();
    assert_eq!(zero["spec"]["replicas"], 0);
    assert!(zero["status"].get("readyReplicas").is_none());

    // With a ready delay, status lags the scale change and then catches up.
    standin.set_ready_delay(Duration::from_millis(300));
    let mut scale = deployments.get_scale("worker").await.unwrap();
    scale.spec.as_mut().unwrap().replicas = Some(3);
    let replaced = deployments
        .replace_scale("worker", &PostParams::default(), &scale)
        .await
        .unwrap();
    assert_eq!(replaced.spec.unwrap().replicas, Some(3));
    assert!(deployments
        .get("worker")
        .await
        .unwrap()
        .status
        .unwrap()
        .ready_replicas
        .is_none());
    let mut ready = None;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        ready = deployments
            .get("worker")
            .await
            .unwrap()
            .status
            .unwrap()
            .ready_replicas;
        if ready.is_some() {
            break;
        }
    }
    assert_eq!(ready, Some(3));
    // The stale Scale (old resourceVersion) is refused.
    assert_eq!(
        api_error(
            deployments
                .replace_scale("worker", &PostParams::default(), &scale)
                .await
        )
        .0,
        409
    );
    let bad = deployments
        .patch_scale(
            "worker",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": -2}})),
        )
        .await;
    assert_eq!(api_error(bad), (422, "Invalid".into()));
}
