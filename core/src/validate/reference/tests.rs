use crate::diagnostic::{Diagnostic, Severity};
use crate::validate::{lint, LintOptions};
use crate::version::KedaVersion;

fn at(version: KedaVersion) -> LintOptions {
    LintOptions {
        keda_version: version,
        ..LintOptions::default()
    }
}

/// Diagnostics of the reference layer only.
fn run_with(text: &str, options: &LintOptions) -> Vec<Diagnostic> {
    lint(text, options)
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA3"))
        .collect()
}

fn run(text: &str) -> Vec<Diagnostic> {
    run_with(text, &LintOptions::default())
}

/// (code, document, path) of each diagnostic.
fn found(ds: &[Diagnostic]) -> Vec<(&str, usize, &str)> {
    ds.iter()
        .map(|d| (d.code.as_str(), d.document, d.path.as_str()))
        .collect()
}

fn so(name: &str, extra_meta: &str, target: &str, spec_extra: &str, triggers: &str) -> String {
    format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\n  namespace: demo\n{extra_meta}spec:\n  scaleTargetRef:\n{target}{spec_extra}  triggers:\n{triggers}"
    )
}

const CRON: &str = "  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n";
const CPU: &str = "  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '70'\n";
const MEMORY: &str =
    "  - type: memory\n    metricType: Utilization\n    metadata:\n      value: '80'\n";
const ORDERS: &str = "    name: orders\n";

fn hpa(name: &str, extra_meta: &str, target_kind: &str) -> String {
    format!(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: demo\n{extra_meta}spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: {target_kind}\n    name: orders\n  maxReplicas: 5\n"
    )
}

fn deployment(resources: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: demo\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: x\n{resources}      - name: sidecar\n        image: y\n        resources:\n          requests:\n            cpu: 10m\n            memory: 10Mi\n"
    )
}

fn join(docs: &[&str]) -> String {
    docs.join("---\n")
}

#[test]
fn unmanaged_hpa_on_the_same_workload_is_rejected() {
    let text = join(&[
        &hpa("orders-hpa", "", "Deployment"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    let ds = run(&text);
    assert_eq!(found(&ds), [("KEDA3001", 1, "spec.scaleTargetRef.name")]);
    let d = &ds[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(
        d.message,
        "the workload 'orders' of type 'apps/v1.Deployment' is already managed by the hpa 'orders-hpa'"
    );
    assert_eq!((d.line, d.column), (20, 11));
    // The KEDA webhook did not exist before 2.10.
    assert!(run_with(&text, &at(KedaVersion::new(2, 9, 0))).is_empty());
}

#[test]
fn hpa_owned_by_this_scaled_object_or_on_another_workload_is_fine() {
    let owned = "  ownerReferences:\n  - apiVersion: keda.sh/v1alpha1\n    kind: ScaledObject\n    name: orders-scaler\n";
    let text = join(&[
        &hpa("keda-hpa-orders-scaler", owned, "Deployment"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    assert!(run(&text).is_empty());
    // Owned by another ScaledObject: still a conflict.
    let other = owned.replace("orders-scaler", "billing-scaler");
    let text = join(&[
        &hpa("keda-hpa-billing-scaler", &other, "Deployment"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    assert_eq!(
        found(&run(&text)),
        [("KEDA3001", 1, "spec.scaleTargetRef.name")]
    );
    // Same name, other kind: a different workload.
    let text = join(&[
        &hpa("orders-hpa", "", "StatefulSet"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    assert!(run(&text).is_empty());
    // Another namespace.
    let elsewhere =
        hpa("orders-hpa", "", "Deployment").replace("namespace: demo", "namespace: prod");
    assert!(run(&join(&[
        &elsewhere,
        &so("orders-scaler", "", ORDERS, "", CRON)
    ]))
    .is_empty());
}

#[test]
fn namespaces_default_to_the_option() {
    let h = hpa("orders-hpa", "", "Deployment").replace("namespace: demo", "namespace: default");
    let s = so("orders-scaler", "", ORDERS, "", CRON).replace("  namespace: demo\n", "");
    assert_eq!(
        found(&run(&join(&[&h, &s]))),
        [("KEDA3001", 1, "spec.scaleTargetRef.name")]
    );
    let options = LintOptions {
        default_namespace: "prod".to_owned(),
        ..LintOptions::default()
    };
    assert!(run_with(&join(&[&h, &s]), &options).is_empty());
}

#[test]
fn hpa_ownership_false_on_the_hpa_disables_the_check_from_2_14() {
    let ann = "  annotations:\n    validations.keda.sh/hpa-ownership: 'false'\n";
    let text = join(&[
        &hpa("orders-hpa", ann, "Deployment"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    assert!(run(&text).is_empty());
    assert_eq!(run_with(&text, &at(KedaVersion::new(2, 13, 0))).len(), 1);
    let upper = ann.replace("'false'", "'False'");
    let text = join(&[
        &hpa("orders-hpa", &upper, "Deployment"),
        &so("orders-scaler", "", ORDERS, "", CRON),
    ]);
    assert_eq!(run(&text).len(), 1);
}

#[test]
fn ownership_transfer_needs_the_hpa_name() {
    let transfer = "  annotations:\n    scaledobject.keda.sh/transfer-hpa-ownership: 'true'\n";
    let named = "  advanced:\n    horizontalPodAutoscalerConfig:\n      name: orders-hpa\n";
    let h = hpa("orders-hpa", "", "Deployment");
    assert!(run(&join(&[&h, &so("s", transfer, ORDERS, named, CRON)])).is_empty());
    // Before 2.11 the annotation meant nothing.
    let text = join(&[&h, &so("s", transfer, ORDERS, named, CRON)]);
    assert_eq!(
        found(&run_with(&text, &at(KedaVersion::new(2, 10, 1)))),
        [("KEDA3001", 1, "spec.scaleTargetRef.name")]
    );

    let wrong = named.replace("orders-hpa", "other-hpa");
    let ds = run(&join(&[&h, &so("s", transfer, ORDERS, &wrong, CRON)]));
    assert_eq!(
        found(&ds),
        [(
            "KEDA3002",
            1,
            "spec.advanced.horizontalPodAutoscalerConfig.name"
        )]
    );
    assert!(
        ds[0].message.contains("'orders-hpa'") && ds[0].message.contains("it names 'other-hpa'")
    );

    let ds = run(&join(&[&h, &so("s", transfer, ORDERS, "", CRON)]));
    assert_eq!(
        found(&ds),
        [(
            "KEDA3002",
            1,
            "metadata.annotations.scaledobject.keda.sh/transfer-hpa-ownership"
        )]
    );
    // 2.11..2.18.1 answered with the plain conflict message (or crashed without `advanced`).
    let ds = run_with(
        &join(&[&h, &so("s", transfer, ORDERS, "", CRON)]),
        &at(KedaVersion::new(2, 18, 1)),
    );
    assert_eq!(found(&ds), [("KEDA3001", 1, "spec.scaleTargetRef.name")]);
    assert!(ds[0].message.contains("crashes"));
}

#[test]
fn a_second_scaled_object_on_the_same_workload_is_reported_on_the_later_one() {
    let text = join(&[
        &so("first", "", ORDERS, "", CRON),
        &so("second", "", ORDERS, "", CRON),
    ]);
    let ds = run(&text);
    assert_eq!(found(&ds), [("KEDA3003", 1, "spec.scaleTargetRef.name")]);
    assert_eq!(
        ds[0].message,
        "the workload 'orders' of type 'apps/v1.Deployment' is already managed by the ScaledObject 'first'"
    );
    // Explicit apps/v1 Deployment equals the defaults.
    let explicit = "    apiVersion: apps/v1\n    kind: Deployment\n    name: orders\n";
    assert_eq!(
        run(&join(&[
            &so("first", "", explicit, "", CRON),
            &so("second", "", ORDERS, "", CRON)
        ]))
        .len(),
        1
    );
    // Another kind is another workload.
    let sts = "    kind: StatefulSet\n    name: orders\n";
    assert!(run(&join(&[
        &so("first", "", sts, "", CRON),
        &so("second", "", ORDERS, "", CRON)
    ]))
    .is_empty());
    // The stored old version of the same ScaledObject is not another one.
    assert!(run(&join(&[
        &so("same", "", ORDERS, "", CRON),
        &so("same", "", ORDERS, "", CRON)
    ]))
    .is_empty());
}

#[test]
fn hpa_names_must_be_unique_from_2_16() {
    let custom = "  advanced:\n    horizontalPodAutoscalerConfig:\n      name: shared-hpa\n";
    let billing = "    name: billing\n";
    let text = join(&[
        &so("billing-scaler", "", billing, custom, CRON),
        &so("orders-scaler", "", ORDERS, custom, CRON),
    ]);
    let ds = run(&text);
    assert_eq!(
        found(&ds),
        [(
            "KEDA3004",
            1,
            "spec.advanced.horizontalPodAutoscalerConfig.name"
        )]
    );
    assert_eq!(
        ds[0].message,
        "the HPA 'shared-hpa' is already managed by the ScaledObject 'billing-scaler'"
    );
    assert!(run_with(&text, &at(KedaVersion::new(2, 15, 0))).is_empty());
    // A custom name equal to another ScaledObject's generated name.
    let generated =
        "  advanced:\n    horizontalPodAutoscalerConfig:\n      name: keda-hpa-billing-scaler\n";
    let ds = run(&join(&[
        &so("billing-scaler", "", billing, "", CRON),
        &so("orders-scaler", "", ORDERS, generated, CRON),
    ]));
    assert_eq!(
        found(&ds),
        [(
            "KEDA3004",
            1,
            "spec.advanced.horizontalPodAutoscalerConfig.name"
        )]
    );
}

#[test]
fn scale_target_api_version_must_parse() {
    let bad = "    apiVersion: apps/v1/extra\n    name: orders\n";
    let ds = run(&so("s", "", bad, "", CRON));
    assert_eq!(
        found(&ds),
        [("KEDA3008", 0, "spec.scaleTargetRef.apiVersion")]
    );
    assert!(ds[0]
        .message
        .contains("unexpected GroupVersion string: apps/v1/extra"));
}

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
    assert_eq!(ds[0].severity, Severity::Warning);
    assert!(ds[0].message.contains("webhook"));
    // Without cpu/memory triggers the webhook never reads the workload; the operator does.
    let ds = run_with(&so("s", "", ORDERS, "", CRON), &strict);
    assert_eq!(found(&ds), [("KEDA3005", 0, "spec.scaleTargetRef.name")]);
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

fn ta(name: &str, ns: &str, spec: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}")
}

fn cta(name: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: ClusterTriggerAuthentication\nmetadata:\n  name: {name}\nspec:\n  secretTargetRef: []\n")
}

fn with_auth(name: &str, kind: &str) -> String {
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!("      kind: {kind}\n")
    };
    format!("  - type: prometheus\n    authenticationRef:\n      name: {name}\n{kind}    metadata:\n      serverAddress: http://p:9090\n      query: up\n      threshold: '1'\n")
}

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
fn scale_target_kind_must_exist_in_the_apps_group() {
    let lower = "    kind: deployment\n    name: orders\n";
    let ds = run(&so("s", "", lower, "", CRON));
    assert_eq!(found(&ds), [("KEDA3008", 0, "spec.scaleTargetRef.kind")]);
    assert_eq!(
        ds[0].message,
        "no matches for kind \"deployment\" in version \"apps/v1\""
    );
    let rollout = "    apiVersion: argoproj.io/v1alpha1\n    kind: Rollout\n    name: orders\n";
    assert!(run(&so("s", "", rollout, "", CRON)).is_empty());
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
