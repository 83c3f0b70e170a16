use super::*;

#[test]
fn missing_requests_per_container_and_resource() {
    let cpu_only = "        resources:\n          requests:\n            cpu: 250m\n";
    let text = join(&[
        &deployment(cpu_only),
        &so(
            "s",
            "",
            ORDERS,
            "  minReplicaCount: 1\n",
            &format!("{CPU}{MEMORY}"),
        ),
    ]);
    let ds = run(&text);
    assert_eq!(found(&ds), [("KEDA3006", 1, "spec.triggers[1].type")]);
    assert!(ds[0]
        .message
        .contains("memory trigger but the container app doesn't have the memory request defined"));
    // containerName names the sidecar, which has both.
    let sidecar = MEMORY.replace("value: '80'", "value: '80'\n      containerName: sidecar");
    assert!(run(&join(&[
        &deployment(cpu_only),
        &so(
            "s",
            "",
            ORDERS,
            "  minReplicaCount: 1\n",
            &format!("{CPU}{sidecar}")
        )
    ]))
    .is_empty());
    // A zero request is no request.
    let zero =
        "        resources:\n          requests:\n            cpu: '0'\n            memory: 1Gi\n";
    assert_eq!(
        found(&run(&join(&[
            &deployment(zero),
            &so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU)
        ]))),
        [("KEDA3006", 1, "spec.triggers[0].type")]
    );
}

#[test]
fn limits_and_limit_ranges_count_from_2_13() {
    let limit = "        resources:\n          limits:\n            cpu: 1\n";
    let text = join(&[
        &deployment(limit),
        &so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU),
    ]);
    assert!(run(&text).is_empty());
    assert_eq!(run_with(&text, &at(KedaVersion::new(2, 12, 0))).len(), 1);

    let limit_range = |t: &str| {
        format!("apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: lr\n  namespace: demo\nspec:\n  limits:\n  - type: {t}\n    defaultRequest:\n      cpu: 100m\n")
    };
    let text = join(&[
        &limit_range("Container"),
        &deployment(""),
        &so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU),
    ]);
    assert!(run(&text).is_empty());
    let text = join(&[
        &limit_range("Pod"),
        &deployment(""),
        &so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU),
    ]);
    assert_eq!(
        found(&run(&text)),
        [("KEDA3006", 2, "spec.triggers[0].type")]
    );
}

#[test]
fn cpu_memory_only_cannot_scale_to_zero() {
    // Decided without the workload: a missing one is rejected too.
    let ds = run(&so("s", "", ORDERS, "", CPU));
    assert_eq!(found(&ds), [("KEDA3007", 0, "spec.triggers")]);
    assert_eq!(
        found(&run(&so("s", "", ORDERS, "  minReplicaCount: 0\n", CPU))),
        [("KEDA3007", 0, "spec.minReplicaCount")]
    );
    assert!(run(&so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU)).is_empty());
    assert!(run(&so("s", "", ORDERS, "", &format!("{CPU}{CRON}"))).is_empty());
    assert!(run_with(
        &so("s", "", ORDERS, "", CPU),
        &at(KedaVersion::new(2, 10, 0))
    )
    .is_empty());
    // Only apps/v1 Deployments and StatefulSets are checked.
    let custom = "    apiVersion: custom-api\n    kind: StatefulSet\n    name: orders\n";
    assert!(run(&so("s", "", custom, "", CPU)).is_empty());
}

#[test]
fn missing_workload_is_reported_only_under_strict_refs() {
    let text = so("s", "", ORDERS, "  minReplicaCount: 1\n", CPU);
    assert!(run(&text).is_empty());
    let strict = LintOptions {
        strict_refs: true,
        ..LintOptions::default()
    };
    let ds = run_with(&text, &strict);
    assert_eq!(found(&ds), [("KEDA3005", 0, "spec.scaleTargetRef.name")]);
    assert_eq!(ds[0].severity, Severity::Error);
    assert!(ds[0].message.contains("webhook"));
    // Without cpu/memory triggers the webhook never reads the workload; the operator does.
    let ds = run_with(&so("s", "", ORDERS, "", CRON), &strict);
    assert_eq!(found(&ds), [("KEDA3012", 0, "spec.scaleTargetRef.name")]);
    assert_eq!(ds[0].severity, Severity::Warning);
    assert!(ds[0].message.contains("stays not Ready"));
    let dep = deployment("");
    assert!(run_with(&join(&[&dep, &so("s", "", ORDERS, "", CRON)]), &strict).is_empty());
}

#[test]
fn removing_a_finalizer_skips_validation() {
    let old = so(
        "s",
        "  finalizers:\n  - finalizer.keda.sh\n",
        ORDERS,
        "",
        CPU,
    );
    let new = so("s", "  finalizers: []\n", ORDERS, "", CPU);
    assert!(run(&join(&[&old, &new])).iter().all(|d| d.document == 0));
    // A spec change is validated.
    let changed = so(
        "s",
        "  finalizers: []\n",
        ORDERS,
        "  maxReplicaCount: 7\n",
        CPU,
    );
    assert_eq!(
        found(&run(&join(&[&old, &changed]))).last(),
        Some(&("KEDA3007", 1, "spec.triggers"))
    );
}
