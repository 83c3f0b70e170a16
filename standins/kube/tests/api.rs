//! Unmodified kube-rs clients against the stand-in: CRUD, the four patch kinds, `/status`,
//! `/scale`, optimistic concurrency, Events, Leases and injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::Error;
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> (u16, String) {
    match result {
        Err(Error::Api(status)) => (status.code, status.reason.clone()),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn rv(object: &impl kube::Resource) -> u64 {
    object
        .meta()
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn deployments_create_get_list_with_selectors() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());

    let web: Deployment = serde_json::from_value(common::deployment("web", 2)).unwrap();
    let created = deployments
        .create(&PostParams::default(), &web)
        .await
        .unwrap();
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.metadata.uid.as_deref().unwrap().len() == 36);
    assert!(created.metadata.creation_timestamp.is_some());
    let db: Deployment = serde_json::from_value(common::deployment("db", 1)).unwrap();
    let created_db = deployments
        .create(&PostParams::default(), &db)
        .await
        .unwrap();
    assert!(rv(&created_db) > rv(&created));

    // The workload controller has already made status follow spec.replicas.
    let got = deployments.get("web").await.unwrap();
    let status = got.status.unwrap();
    assert_eq!(
        (
            status.replicas,
            status.ready_replicas,
            status.available_replicas
        ),
        (Some(2), Some(2), Some(2))
    );
    assert_eq!(status.observed_generation, Some(1));

    let all = deployments.list(&ListParams::default()).await.unwrap();
    assert_eq!(all.items.len(), 2);
    assert_eq!(
        all.metadata.resource_version,
        Some(standin.resource_version().to_string())
    );
    assert!(all.metadata.continue_.is_none());
    let labelled = deployments
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert_eq!(labelled.items.len(), 1);
    assert_eq!(labelled.items[0].metadata.name.as_deref(), Some("web"));
    let by_name = deployments
        .list(&ListParams::default().fields("metadata.name=db").limit(10))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
    assert!(deployments
        .list(&ListParams::default().labels("app=none"))
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(deployments
        .list(&ListParams::default().fields("spec.replicas=1"))
        .await
        .is_err());

    let everywhere: Api<Deployment> = Api::all(client.clone());
    assert_eq!(
        everywhere
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    let elsewhere: Api<Deployment> = Api::namespaced(client.clone(), "other");
    assert!(elsewhere
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());

    assert_eq!(
        api_error(deployments.create(&PostParams::default(), &web).await),
        (409, "AlreadyExists".into())
    );
    assert_eq!(
        api_error(deployments.get("missing").await),
        (404, "NotFound".into())
    );
    assert!(deployments.get_opt("missing").await.unwrap().is_none());

    deployments
        .delete("db", &DeleteParams::default())
        .await
        .unwrap();
    assert!(standin.get("apps/v1", "Deployment", None, "db").is_none());
    assert_eq!(
        api_error(deployments.delete("db", &DeleteParams::default()).await),
        (404, "NotFound".into())
    );
}

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
async fn stale_resource_versions_conflict() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    let web: Deployment = serde_json::from_value(common::deployment("web", 1)).unwrap();
    let first = deployments
        .create(&PostParams::default(), &web)
        .await
        .unwrap();
    let stale_rv = first.metadata.resource_version.clone().unwrap();

    let mut current = deployments.get("web").await.unwrap();
    current.spec.as_mut().unwrap().replicas = Some(3);
    let replaced = deployments
        .replace("web", &PostParams::default(), &current)
        .await
        .unwrap();
    assert_eq!(replaced.spec.as_ref().unwrap().replicas, Some(3));
    assert_eq!(replaced.metadata.generation, Some(2));

    // Replacing again with the version read before the last write: 409 Conflict.
    assert_eq!(
        api_error(
            deployments
                .replace("web", &PostParams::default(), &current)
                .await
        ),
        (409, "Conflict".into())
    );
    let stale_merge = json!({"metadata": {"resourceVersion": stale_rv}, "spec": {"replicas": 7}});
    assert_eq!(
        api_error(
            deployments
                .patch("web", &PatchParams::default(), &Patch::Merge(&stale_merge))
                .await
        ),
        (409, "Conflict".into())
    );
    let stale_strategic =
        json!({"metadata": {"resourceVersion": stale_rv}, "spec": {"replicas": 7}});
    assert_eq!(
        api_error(
            deployments
                .patch(
                    "web",
                    &PatchParams::default(),
                    &Patch::Strategic(&stale_strategic)
                )
                .await
        )
        .0,
        409
    );
    // A failed JSON patch `test` is refused with 422 and changes nothing.
    let failing: json_patch::Patch =
        serde_json::from_value(json!([{"op": "test", "path": "/spec/replicas", "value": 1}, {"op": "replace", "path": "/spec/replicas", "value": 9}])).unwrap();
    assert_eq!(
        api_error(
            deployments
                .patch("web", &PatchParams::default(), &Patch::Json::<()>(failing))
                .await
        ),
        (422, "Invalid".into())
    );
    // A patch with the current version succeeds (the controller's status write moved it on).
    let latest = deployments.get("web").await.unwrap();
    assert!(rv(&latest) > rv(&replaced));
    let fresh = json!({"metadata": {"resourceVersion": latest.metadata.resource_version}, "spec": {"replicas": 4}});
    let ok = deployments
        .patch("web", &PatchParams::default(), &Patch::Strategic(&fresh))
        .await
        .unwrap();
    assert_eq!(ok.spec.unwrap().replicas, Some(4));
    // An unchanged write is a no-op: same resourceVersion.
    let before = deployments.get("web").await.unwrap();
    let again = deployments
        .patch(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 4}})),
        )
        .await
        .unwrap();
    assert_eq!(
        again.metadata.resource_version,
        before.metadata.resource_version
    );
    // Delete with a stale precondition conflicts.
    let dp = DeleteParams {
        preconditions: Some(kube::api::Preconditions {
            resource_version: Some(stale_rv),
            uid: None,
        }),
        ..Default::default()
    };
    assert_eq!(api_error(deployments.delete("web", &dp).await).0, 409);
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

#[tokio::test]
async fn events_from_both_apis_are_recorded() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let new_events: Api<k8s_openapi::api::events::v1::Event> =
        Api::default_namespaced(client.clone());
    let event: k8s_openapi::api::events::v1::Event = serde_json::from_value(json!({
        "metadata": {"generateName": "orders."},
        "eventTime": "2026-11-27T10:00:00.000000Z",
        "reason": "KEDAScalersStarted", "note": "Started scalers watch", "type": "Normal",
        "action": "Scale", "reportingController": "scalecore", "reportingInstance": "scalecore-0",
        "regarding": {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "name": "orders", "namespace": "default"}
    }))
    .unwrap();
    let created = new_events
        .create(&PostParams::default(), &event)
        .await
        .unwrap();
    assert!(created
        .metadata
        .name
        .as_deref()
        .unwrap()
        .starts_with("orders."));
    let core_events: Api<k8s_openapi::api::core::v1::Event> = Api::default_namespaced(client);
    let core: k8s_openapi::api::core::v1::Event = serde_json::from_value(json!({
        "metadata": {"name": "orders.1"},
        "reason": "ScaledObjectReady", "message": "ready", "type": "Normal",
        "involvedObject": {"kind": "ScaledObject", "name": "orders", "namespace": "default"}
    }))
    .unwrap();
    core_events
        .create(&PostParams::default(), &core)
        .await
        .unwrap();

    let events = standin.events();
    assert_eq!(events.len(), 2);
    let reasons: Vec<&str> = events
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert!(reasons.contains(&"KEDAScalersStarted") && reasons.contains(&"ScaledObjectReady"));
    let api_versions: Vec<&str> = events
        .iter()
        .map(|e| e["apiVersion"].as_str().unwrap())
        .collect();
    assert!(api_versions.contains(&"events.k8s.io/v1") && api_versions.contains(&"v1"));
}

#[tokio::test]
async fn lease_round_trip_and_apply_conflicts_between_field_managers() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let leases: Api<Lease> = Api::default_namespaced(client);
    let lease: Lease =
        serde_json::from_value(json!({"metadata": {"name": "scalecore-leader"}, "spec": {}}))
            .unwrap();
    let created = leases.create(&PostParams::default(), &lease).await.unwrap();

    let mut mine = created.clone();
    mine.spec.as_mut().unwrap().holder_identity = Some("pod-a".into());
    mine.spec.as_mut().unwrap().lease_duration_seconds = Some(15);
    let replaced = leases
        .replace("scalecore-leader", &PostParams::default(), &mine)
        .await
        .unwrap();
    assert_eq!(
        replaced.spec.as_ref().unwrap().holder_identity.as_deref(),
        Some("pod-a")
    );
    // The other candidate still holds the version it read at creation: 409.
    let mut theirs = created.clone();
    theirs.spec.as_mut().unwrap().holder_identity = Some("pod-b".into());
    assert_eq!(
        api_error(
            leases
                .replace("scalecore-leader", &PostParams::default(), &theirs)
                .await
        ),
        (409, "Conflict".into())
    );

    // Server-side apply: a second manager may not take a field another owns with another value...
    let take = |who: &str| json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "spec": {"holderIdentity": who}});
    leases
        .patch(
            "scalecore-leader",
            &PatchParams::apply("mgr-a"),
            &Patch::Apply(take("pod-a")),
        )
        .await
        .unwrap();
    let conflict = leases
        .patch(
            "scalecore-leader",
            &PatchParams::apply("mgr-b"),
            &Patch::Apply(take("pod-b")),
        )
        .await;
    assert_eq!(api_error(conflict), (409, "Conflict".into()));
    // ...may share it when the value agrees, and may take it with force.
    leases
        .patch(
            "scalecore-leader",
            &PatchParams::apply("mgr-b"),
            &Patch::Apply(take("pod-a")),
        )
        .await
        .unwrap();
    let forced = leases
        .patch(
            "scalecore-leader",
            &PatchParams::apply("mgr-b").force(),
            &Patch::Apply(take("pod-b")),
        )
        .await
        .unwrap();
    assert_eq!(
        forced.spec.unwrap().holder_identity.as_deref(),
        Some("pod-b")
    );
    assert_eq!(
        standin.field_managers(
            "coordination.k8s.io/v1",
            "Lease",
            None,
            "scalecore-leader",
            &["spec", "holderIdentity"]
        ),
        vec!["mgr-b"]
    );
    // Apply without a field manager is refused.
    let no_manager = leases
        .patch(
            "scalecore-leader",
            &PatchParams::default(),
            &Patch::Apply(take("pod-c")),
        )
        .await;
    assert_eq!(api_error(no_manager).0, 422);
}

#[tokio::test]
async fn injected_faults_and_request_log() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    let web: Deployment = serde_json::from_value(common::deployment("web", 1)).unwrap();

    standin.conflict_next(1);
    assert_eq!(
        api_error(deployments.create(&PostParams::default(), &web).await),
        (409, "Conflict".into())
    );
    deployments
        .create(&PostParams::default(), &web)
        .await
        .unwrap();

    standin.fail_next(500, 2);
    assert_eq!(api_error(deployments.get("web").await).0, 500);
    assert_eq!(
        api_error(deployments.get("web").await),
        (500, "InternalError".into())
    );
    deployments.get("web").await.unwrap();

    standin.fail_next_matching(Some("PATCH"), "/scale", 500, 1);
    deployments.get("web").await.unwrap();
    let failed = deployments
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await;
    assert_eq!(api_error(failed), (500, "InternalError".into()));
    deployments
        .patch_scale(
            "web",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"replicas": 2}})),
        )
        .await
        .unwrap();

    let unknown = kube::core::ApiResource::from_gvk_with_plural(
        &kube::core::GroupVersionKind::gvk("keda.sh", "v1alpha1", "Widget"),
        "widgets",
    );
    let widgets: Api<DynamicObject> = Api::namespaced_with(client, "default", &unknown);
    assert_eq!(api_error(widgets.get("w").await), (404, "NotFound".into()));

    let requests = standin.requests();
    let patch = requests.iter().rev().find(|r| r.method == "PATCH").unwrap();
    assert_eq!(
        patch.path,
        "/apis/apps/v1/namespaces/default/deployments/web/scale"
    );
    assert_eq!(
        patch.content_type.as_deref(),
        Some("application/merge-patch+json")
    );
    assert_eq!(patch.status, 200);
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![409, 201, 500, 500, 200, 200, 500, 200, 404]);
    let last: &Value = &serde_json::to_value(requests.last().unwrap().path.clone()).unwrap();
    assert_eq!(last, "/apis/keda.sh/v1alpha1/namespaces/default/widgets/w");
}

#[tokio::test]
async fn finalizers_hold_deletion_until_cleared() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let resource = common::scaled_object_resource();
    let scaled_objects: Api<DynamicObject> = Api::namespaced_with(client, "default", &resource);
    let mut so = common::scaled_object("orders", "worker");
    so["metadata"]["finalizers"] = json!(["finalizer.keda.sh"]);
    standin.apply(so).unwrap();

    scaled_objects
        .delete("orders", &DeleteParams::default())
        .await
        .unwrap();
    let terminating = scaled_objects.get("orders").await.unwrap();
    assert!(terminating.metadata.deletion_timestamp.is_some());
    scaled_objects
        .patch(
            "orders",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
    assert!(scaled_objects.get_opt("orders").await.unwrap().is_none());
}
