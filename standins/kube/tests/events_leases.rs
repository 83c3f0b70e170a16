//! Events from both Event APIs are recorded; Leases round-trip with optimistic concurrency and
//! server-side apply conflicts between field managers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::api_error;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, Patch, PatchParams, PostParams};
use scalecore_standin_kube::KubeStandin;
use serde_json::json;

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
    // Leases have no status subresource, so even an existing one has no /status.
    assert_eq!(
        api_error(leases.get_status("scalecore-leader").await).0,
        404
    );

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
async fn kube_runtime_recorder_creates_then_patches_a_series() {
    use kube::runtime::events::{Event, EventType, Recorder, Reporter};
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let reporter = Reporter {
        controller: "scalecore".into(),
        instance: Some("scalecore-0".into()),
    };
    let recorder = Recorder::new(client, reporter);
    let reference = k8s_openapi::api::core::v1::ObjectReference {
        api_version: Some("keda.sh/v1alpha1".into()),
        kind: Some("ScaledObject".into()),
        name: Some("orders".into()),
        namespace: Some("default".into()),
        ..Default::default()
    };
    let event = Event {
        type_: EventType::Normal,
        reason: "KEDAScaleTargetActivated".into(),
        note: Some("Scaled apps/v1.Deployment default/worker from 0 to 1".into()),
        action: "Scale".into(),
        secondary: None,
    };
    recorder.publish(&event, &reference).await.unwrap();
    recorder.publish(&event, &reference).await.unwrap();
    let events = standin.events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["apiVersion"], "events.k8s.io/v1");
    assert_eq!(events[0]["reason"], "KEDAScaleTargetActivated");
    assert_eq!(events[0]["reportingController"], "scalecore");
    assert_eq!(events[0]["series"]["count"], 2);
    assert_eq!(events[0]["regarding"]["name"], "orders");
}
