use super::*;

#[test]
fn authentication_refs_resolve_where_keda_looks() {
    let secret = "  secretTargetRef: []\n";
    let s = so("s", "", ORDERS, "", &with_auth("auth", ""));
    assert!(run(&join(&[&ta("auth", "demo", secret), &s])).is_empty());
    // Absent: maybe in the cluster.
    assert!(run(&s).is_empty());
    let strict = LintOptions {
        strict_refs: true,
        ..LintOptions::default()
    };
    let ds: Vec<Diagnostic> = run_with(&s, &strict)
        .into_iter()
        .filter(|d| d.code == "KEDA3009")
        .collect();
    assert_eq!(
        found(&ds),
        [("KEDA3009", 0, "spec.triggers[0].authenticationRef.name")]
    );
    assert_eq!(ds[0].severity, Severity::Warning);
    // Present, but not where KEDA looks.
    let ds = run(&join(&[&ta("auth", "other", secret), &s]));
    assert_eq!(
        found(&ds),
        [("KEDA3009", 1, "spec.triggers[0].authenticationRef.name")]
    );
    assert!(ds[0].message.contains("namespace 'other'"));
    let ds = run(&join(&[&cta("auth"), &s]));
    assert!(ds[0]
        .message
        .contains("kind defaults to TriggerAuthentication"));
    let c = so(
        "s",
        "",
        ORDERS,
        "",
        &with_auth("auth", "ClusterTriggerAuthentication"),
    );
    assert!(run(&join(&[&cta("auth"), &c])).is_empty());
    assert_eq!(run(&join(&[&ta("auth", "demo", secret), &c])).len(), 1);
    // An empty name means no authentication.
    assert!(
        run_with(&so("s", "", ORDERS, "", &with_auth("''", "")), &strict)
            .iter()
            .all(|d| d.code != "KEDA3009")
    );
}

#[test]
fn containers_named_for_the_environment_must_exist() {
    let target = "    name: orders\n    envSourceContainerName: web\n";
    let ds = run(&join(&[&deployment(""), &so("s", "", target, "", CRON)]));
    assert_eq!(
        found(&ds),
        [("KEDA3010", 1, "spec.scaleTargetRef.envSourceContainerName")]
    );
    assert!(ds[0].message.contains("containers: app, sidecar"));
    let good = "    name: orders\n    envSourceContainerName: sidecar\n";
    assert!(run(&join(&[&deployment(""), &so("s", "", good, "", CRON)])).is_empty());
    // Without the workload nothing is known.
    assert!(run(&so("s", "", target, "", CRON)).is_empty());
    // TriggerAuthentication env[].containerName, reported on the TriggerAuthentication.
    let env = "  env:\n  - parameter: password\n    name: PASSWORD\n    containerName: web\n";
    let text = join(&[
        &deployment(""),
        &ta("auth", "demo", env),
        &so("s", "", ORDERS, "", &with_auth("auth", "")),
    ]);
    assert_eq!(
        found(&run(&text)),
        [("KEDA3010", 1, "spec.env[0].containerName")]
    );
    // A ScaledJob reads its own job template.
    let sj = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\n  namespace: demo\nspec:\n  envSourceContainerName: worker\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: job\n          image: x\n  triggers:\n".to_owned() + CRON;
    assert_eq!(
        found(&run(&sj)),
        [("KEDA3010", 0, "spec.envSourceContainerName")]
    );
}

#[test]
fn environment_variables_come_from_the_container_keda_reads() {
    let dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: demo\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: x\n        env:\n        - name: SB_CONNECTION\n          valueFrom:\n            secretKeyRef:\n              name: s\n              key: k\n      - name: loaded\n        image: y\n        envFrom:\n        - secretRef:\n            name: all\n";
    let trigger = |key: &str| {
        format!("  - type: azure-servicebus\n    metadata:\n      queueName: q\n      connectionFromEnv: {key}\n")
    };
    assert!(run(&join(&[
        dep,
        &so("s", "", ORDERS, "", &trigger("SB_CONNECTION"))
    ]))
    .is_empty());
    let ds = run(&join(&[dep, &so("s", "", ORDERS, "", &trigger("SB_CONN"))]));
    assert_eq!(
        found(&ds),
        [("KEDA3011", 1, "spec.triggers[0].metadata.connectionFromEnv")]
    );
    assert!(ds[0]
        .message
        .contains("container 'app' of Deployment 'orders'"));
    // envFrom may define anything.
    let from_loaded = "    name: orders\n    envSourceContainerName: loaded\n";
    assert!(run(&join(&[
        dep,
        &so("s", "", from_loaded, "", &trigger("SB_CONN"))
    ]))
    .is_empty());
    // TriggerAuthentication env[] is read from the same container.
    let env = "  env:\n  - parameter: connection\n    name: SB_CONN\n";
    let text = join(&[
        dep,
        &ta("auth", "demo", env),
        &so("s", "", ORDERS, "", &with_auth("auth", "")),
    ]);
    assert_eq!(found(&run(&text)), [("KEDA3011", 1, "spec.env[0].name")]);
    let env_loaded =
        "  env:\n  - parameter: connection\n    name: SB_CONN\n    containerName: loaded\n";
    let text = join(&[
        dep,
        &ta("auth", "demo", env_loaded),
        &so("s", "", ORDERS, "", &with_auth("auth", "")),
    ]);
    assert!(run(&text).is_empty());
}
