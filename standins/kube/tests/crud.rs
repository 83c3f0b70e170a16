//! Unmodified kube-rs clients against the stand-in: create/get/list/delete, selectors,
//! optimistic concurrency, finalizers and injected faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{api_error, rv};
use k8s_openapi::api::apps::v1::Deployment;
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

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
    // A body of another kind is refused, whatever the path.
    let resource = common::scaled_object_resource();
    let scaled_objects: Api<DynamicObject> =
        Api::default_namespaced_with(client.clone(), &resource);
    let mut wrong: DynamicObject = serde_json::from_value(common::deployment("x", 1)).unwrap();
    wrong.metadata.name = Some("x".into());
    assert_eq!(
        api_error(scaled_objects.create(&PostParams::default(), &wrong).await).0,
        400
    );
    let mut bad = web.clone();
    bad.metadata.name = Some("Web_1".into());
    assert_eq!(
        api_error(deployments.create(&PostParams::default(), &bad).await),
        (422, "Invalid".into())
    );
    assert!(standin
        .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "-x"}}))
        .is_err());

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
    assert_eq!(
        requests.last().unwrap().path,
        "/apis/keda.sh/v1alpha1/namespaces/default/widgets/w"
    );
}

#[tokio::test]
async fn discovery_finds_keda_and_apps_resources() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let gvk = kube::core::GroupVersionKind::gvk("keda.sh", "v1alpha1", "ScaledObject");
    let (resource, capabilities) = kube::discovery::pinned_kind(&client, &gvk).await.unwrap();
    assert_eq!(resource.plural, "scaledobjects");
    assert_eq!(capabilities.scope, kube::discovery::Scope::Namespaced);
    assert!(capabilities
        .subresources
        .iter()
        .any(|(r, _)| r.plural == "scaledobjects/status" || r.plural == "status"));

    let discovery = kube::discovery::Discovery::new(client.clone())
        .run()
        .await
        .unwrap();
    let groups: Vec<String> = discovery.groups().map(|g| g.name().to_string()).collect();
    for group in ["", "apps", "coordination.k8s.io", "keda.sh"] {
        assert!(
            groups.iter().any(|g| g == group),
            "{group} missing from {groups:?}"
        );
    }
    let (cta, caps) = discovery
        .resolve_gvk(&kube::core::GroupVersionKind::gvk(
            "keda.sh",
            "v1alpha1",
            "ClusterTriggerAuthentication",
        ))
        .unwrap();
    assert_eq!(
        (cta.plural.as_str(), caps.scope),
        (
            "clustertriggerauthentications",
            kube::discovery::Scope::Cluster
        )
    );
    let version = client.apiserver_version().await.unwrap();
    assert_eq!(version.major, "1");
}

#[tokio::test]
async fn collections_bodies_and_shutdown() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    for name in ["a", "b", "c"] {
        standin.apply(common::deployment(name, 1)).unwrap();
    }
    let deleted = deployments
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("app!=b"),
        )
        .await
        .unwrap();
    let names: Vec<String> = deleted
        .left()
        .unwrap()
        .items
        .into_iter()
        .map(|d| d.metadata.name.unwrap())
        .collect();
    assert_eq!(names, vec!["a", "c"]);
    assert_eq!(standin.list("apps/v1", "deployments", None).len(), 1);

    // PUT to /status replaces status only.
    let mut current = deployments.get("b").await.unwrap();
    current.status.as_mut().unwrap().ready_replicas = Some(0);
    current.spec.as_mut().unwrap().replicas = Some(9);
    let replaced = deployments
        .replace_status("b", &PostParams::default(), &current)
        .await
        .unwrap();
    assert_eq!(replaced.status.unwrap().ready_replicas, Some(0));
    assert_eq!(replaced.spec.unwrap().replicas, Some(1));

    // Bodies over 3 MiB are refused before they are parsed.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::default_namespaced(client.clone());
    let big: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
        "metadata": {"name": "big"}, "stringData": {"blob": "x".repeat(4 * 1024 * 1024)}
    }))
    .unwrap();
    assert_eq!(
        api_error(secrets.create(&PostParams::default(), &big).await).0,
        413
    );
    assert!(standin.get("v1", "Secret", None, "big").is_none());

    standin.shutdown().await;
    assert!(deployments.get("b").await.is_err());
}

#[tokio::test]
async fn kube_runtime_finalizer_helper_adds_and_removes_its_finalizer() {
    use kube::runtime::controller::Action;
    use kube::runtime::finalizer::{finalizer, Event};
    use std::sync::Arc;

    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client);
    standin.apply(common::deployment("web", 1)).unwrap();
    const NAME: &str = "scalecore.example/cleanup";

    let reconcile = |event: Event<Deployment>| async move {
        Ok::<_, std::convert::Infallible>(match event {
            Event::Apply(_) => Action::await_change(),
            Event::Cleanup(_) => Action::requeue(std::time::Duration::from_secs(1)),
        })
    };
    // First pass: the helper adds its finalizer with a JSON patch whose `test` expects null.
    let object = Arc::new(deployments.get("web").await.unwrap());
    finalizer(&deployments, NAME, object, reconcile)
        .await
        .unwrap();
    let stored = standin.get("apps/v1", "Deployment", None, "web").unwrap();
    assert_eq!(stored["metadata"]["finalizers"], json!([NAME]));
    // Second pass: the finalizer is present, so the reconciler runs.
    let object = Arc::new(deployments.get("web").await.unwrap());
    assert_eq!(
        finalizer(&deployments, NAME, object, reconcile)
            .await
            .unwrap(),
        Action::await_change()
    );

    deployments
        .delete("web", &DeleteParams::default())
        .await
        .unwrap();
    let terminating = Arc::new(deployments.get("web").await.unwrap());
    assert!(terminating.metadata.deletion_timestamp.is_some());
    finalizer(&deployments, NAME, terminating, reconcile)
        .await
        .unwrap();
    assert!(standin.get("apps/v1", "Deployment", None, "web").is_none());
}

#[tokio::test]
async fn cluster_scoped_kinds_live_outside_namespaces() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let gvk =
        kube::core::GroupVersionKind::gvk("keda.sh", "v1alpha1", "ClusterTriggerAuthentication");
    let resource =
        kube::core::ApiResource::from_gvk_with_plural(&gvk, "clustertriggerauthentications");
    let ctas: Api<DynamicObject> = Api::all_with(client.clone(), &resource);
    let cta: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": "ClusterTriggerAuthentication",
        "metadata": {"name": "servicebus"},
        "spec": {"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "connection"}]}
    }))
    .unwrap();
    let created = ctas.create(&PostParams::default(), &cta).await.unwrap();
    assert!(created.metadata.namespace.is_none());
    assert_eq!(
        ctas.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
    assert!(standin
        .get(
            "keda.sh/v1alpha1",
            "ClusterTriggerAuthentication",
            Some("ignored"),
            "servicebus"
        )
        .is_some());

    let namespaces: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(client.clone());
    let names: Vec<String> = namespaces
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.metadata.name.unwrap())
        .collect();
    assert_eq!(names, vec!["default", "kube-system"]);
    let keda: k8s_openapi::api::core::v1::Namespace =
        serde_json::from_value(json!({"metadata": {"name": "keda"}})).unwrap();
    namespaces
        .create(&PostParams::default(), &keda)
        .await
        .unwrap();
    assert!(namespaces.get("keda").await.is_ok());

    // Secrets read back with stringData folded into data, as a host reading credentials sees them.
    let secrets: Api<k8s_openapi::api::core::v1::Secret> = Api::namespaced(client, "keda");
    let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(json!({
        "metadata": {"name": "sb"}, "stringData": {"connection": "Endpoint=sb://x/"}
    }))
    .unwrap();
    secrets
        .create(&PostParams::default(), &secret)
        .await
        .unwrap();
    let read = secrets.get("sb").await.unwrap();
    assert_eq!(
        read.data.unwrap()["connection"].0,
        b"Endpoint=sb://x/".to_vec()
    );
    assert!(read.string_data.is_none());
}

#[tokio::test]
async fn lists_page_with_limit_and_continue() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let deployments: Api<Deployment> = Api::default_namespaced(client.clone());
    for i in 0..5 {
        let d: Deployment =
            serde_json::from_value(common::deployment(&format!("d{i}"), 1)).unwrap();
        deployments
            .create(&PostParams::default(), &d)
            .await
            .unwrap();
    }
    let first = deployments
        .list(&ListParams::default().limit(2))
        .await
        .unwrap();
    let names = |l: &kube::api::ObjectList<Deployment>| -> Vec<String> {
        l.items
            .iter()
            .map(|d| d.metadata.name.clone().unwrap())
            .collect()
    };
    assert_eq!(names(&first), ["d0", "d1"]);
    let rv0 = first.metadata.resource_version.clone();
    let token = first.metadata.continue_.clone().expect("more pages");
    // A deletion between pages: the later page shows the store as it is, the
    // resourceVersion stays the first page's so a watch from it replays the change.
    deployments
        .delete("d3", &DeleteParams::default())
        .await
        .unwrap();
    let second = deployments
        .list(&ListParams::default().limit(2).continue_token(&token))
        .await
        .unwrap();
    assert_eq!(names(&second), ["d2", "d4"]);
    assert_eq!(second.metadata.resource_version, rv0);
    assert!(second.metadata.continue_.is_none(), "last page");
    // kube-runtime's pager gets everything; a forged token is a 400.
    let all = deployments.list(&ListParams::default()).await.unwrap();
    assert_eq!(names(&all), ["d0", "d1", "d2", "d4"]);
    let forged = deployments
        .list(&ListParams::default().limit(2).continue_token("nonsense"))
        .await;
    assert_eq!(api_error(forged).0, 400);
}

/// batch/v1 Jobs as a ScaledJob controller uses them: created with generateName, listed by
/// label, finished through their status, deleted with a propagation policy that takes their
/// pods along (Background, Foreground) or leaves them (Orphan, and a Job's default).
#[tokio::test]
async fn jobs_generate_names_list_by_label_and_delete_their_pods_as_asked() {
    use k8s_openapi::api::batch::v1::Job;
    use k8s_openapi::api::core::v1::Pod;
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let jobs: Api<Job> = Api::namespaced(client.clone(), "shop");
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    let job: Job = serde_json::from_value(json!({
        "metadata": {"generateName": "orders-", "labels": {"scaledjob.keda.sh/name": "orders"}},
        "spec": {"template": {"spec": {"restartPolicy": "OnFailure",
            "containers": [{"name": "w", "image": "w:1"}]}}}}))
    .unwrap();
    let mut made = Vec::new();
    for _ in 0..4 {
        let j = jobs.create(&PostParams::default(), &job).await.unwrap();
        let (name, uid) = (j.metadata.name.unwrap(), j.metadata.uid.unwrap());
        assert!(name.starts_with("orders-") && name.len() > "orders-".len());
        standin
            .apply(json!({"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": format!("{name}-pod"), "namespace": "shop",
                    "labels": {"job-name": name},
                    "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name,
                                         "uid": uid, "controller": true}]},
                "spec": {"containers": [{"name": "w", "image": "w:1"}]}}))
            .unwrap();
        made.push(name);
    }
    let other: Job = serde_json::from_value(json!({"metadata": {"name": "unrelated"},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "w", "image": "w:1"}]}}}}))
    .unwrap();
    jobs.create(&PostParams::default(), &other).await.unwrap();
    let listed = jobs
        .list(&ListParams::default().labels("scaledjob.keda.sh/name=orders"))
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 4);

    // A test finishes a Job through its status, as the Job controller would.
    let mut done = standin
        .get("batch/v1", "Job", Some("shop"), &made[0])
        .unwrap();
    done["status"] = json!({"conditions": [{"type": "Complete", "status": "True"}],
                            "completionTime": "2026-01-01T00:00:00Z"});
    standin.apply(done).unwrap();
    let got = jobs.get(&made[0]).await.unwrap();
    assert_eq!(got.status.unwrap().conditions.unwrap()[0].type_, "Complete");

    let pod_names = |list: Vec<Pod>| {
        let mut n: Vec<String> = list.into_iter().filter_map(|p| p.metadata.name).collect();
        n.sort();
        n
    };
    jobs.delete(&made[0], &DeleteParams::background())
        .await
        .unwrap();
    jobs.delete(&made[1], &DeleteParams::foreground())
        .await
        .unwrap();
    jobs.delete(&made[2], &DeleteParams::orphan())
        .await
        .unwrap();
    jobs.delete(&made[3], &DeleteParams::default())
        .await
        .unwrap();
    let left = pods.list(&ListParams::default()).await.unwrap().items;
    let mut orphans = vec![format!("{}-pod", made[2]), format!("{}-pod", made[3])];
    orphans.sort();
    assert_eq!(pod_names(left), orphans);
    assert_eq!(
        jobs.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );
}
