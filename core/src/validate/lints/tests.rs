use crate::diagnostic::{Diagnostic, Severity, Source};
use crate::validate::{lint, LintOptions};
use crate::version::KedaVersion;

fn at(version: KedaVersion) -> LintOptions {
    LintOptions {
        keda_version: version,
        ..LintOptions::default()
    }
}

fn run_with(text: &str, options: &LintOptions) -> Vec<Diagnostic> {
    lint(text, options)
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA4"))
        .collect()
}

fn run(text: &str) -> Vec<Diagnostic> {
    run_with(text, &LintOptions::default())
}

fn found(ds: &[Diagnostic]) -> Vec<(&str, usize, &str)> {
    ds.iter()
        .map(|d| (d.code.as_str(), d.document, d.path.as_str()))
        .collect()
}

fn join(docs: &[&str]) -> String {
    docs.join("---\n")
}

fn ta(spec: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: auth\n  namespace: demo\nspec:\n{spec}")
}

fn so(meta: &str, spec: &str) -> String {
    format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s\n  namespace: demo\n{meta}spec:\n  scaleTargetRef:\n    name: orders\n{spec}  triggers:\n  - type: azure-servicebus\n    authenticationRef:\n      name: auth\n    metadata:\n      queueName: q\n      namespace: ns\n"
    )
}

fn sj(spec: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\n  namespace: demo\nspec:\n  jobTargetRef:\n    template:\n      spec:\n        containers:\n        - name: job\n          image: x\n{spec}  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n")
}

const WI: &str = "  podIdentity:\n    provider: azure-workload\n";

#[test]
fn every_lint_is_a_warning_or_info_with_help() {
    for rule in super::RULES {
        assert!(rule.code.starts_with("KEDA4"), "{}", rule.code);
        assert_eq!(rule.source, Source::Lint);
        assert_ne!(rule.severity, Severity::Error, "{}", rule.code);
        assert!(!rule.help.is_empty(), "{}", rule.code);
    }
}

#[test]
fn azure_workload_without_identity_id() {
    let ds = run(&ta(WI));
    assert_eq!(found(&ds), [("KEDA4001", 0, "spec.podIdentity")]);
    assert_eq!((ds[0].line, ds[0].column), (7, 3));
    assert!(ds[0].help.as_deref().unwrap_or("").contains("AADSTS700016"));
    assert!(run(&ta(&format!("{WI}    identityId: 0000-1111\n"))).is_empty());
    // An empty identityId is the webhook's (TA-W1), not this lint's.
    assert!(run(&ta(&format!("{WI}    identityId: ''\n"))).is_empty());
    assert!(run(&ta("  podIdentity:\n    provider: aws\n")).is_empty());
    // The KEDA operator's own service account names an identity: the default is deliberate.
    let operator = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: keda-operator\n  namespace: keda\n  annotations:\n    azure.workload.identity/client-id: 1234\n";
    assert!(run(&join(&[operator, &ta(WI)])).is_empty());
    let vault = "  azureKeyVault:\n    vaultUri: https://v.vault.azure.net\n    podIdentity:\n      provider: azure-workload\n    secrets:\n    - parameter: connection\n      name: sb\n";
    assert_eq!(
        found(&run(&ta(vault))),
        [("KEDA4001", 0, "spec.azureKeyVault.podIdentity")]
    );
}

#[test]
fn authority_host_other_than_entra_is_a_warning() {
    let with_host = |host: &str| {
        ta(&format!(
            "{WI}    identityId: abc\n    identityTenantId: t\n    identityAuthorityHost: {host}\n"
        ))
    };
    for entra in [
        "https://login.microsoftonline.com/",
        "https://login.microsoftonline.com",
        "HTTPS://Login.MicrosoftOnline.US/",
        "https://login.chinacloudapi.cn",
        "''",
    ] {
        assert!(run(&with_host(entra)).is_empty(), "{entra}");
    }
    for other in [
        "https://attacker.example/",
        "https://login.microsoftonline.com.attacker.example/",
        "https://login.microsoftonline.com/tenant/",
        "https://login.microsoftonline.com:8443/",
        "http://login.microsoftonline.com/",
        "https://login.microsoftonline.de/",
        "https://user@login.microsoftonline.com/",
    ] {
        let ds = run(&with_host(other));
        assert_eq!(
            found(&ds),
            [("KEDA4019", 0, "spec.podIdentity.identityAuthorityHost")],
            "{other}"
        );
        assert_eq!(ds[0].severity, Severity::Warning);
        assert!(ds[0].message.contains("service-account token"));
    }
    // ClusterTriggerAuthentication and the Key Vault's podIdentity too.
    let cluster = with_host("https://evil.example").replace(
        "kind: TriggerAuthentication",
        "kind: ClusterTriggerAuthentication",
    );
    assert_eq!(
        found(&run(&cluster)),
        [("KEDA4019", 0, "spec.podIdentity.identityAuthorityHost")]
    );
    let vault = "  azureKeyVault:\n    vaultUri: https://v.vault.azure.net\n    podIdentity:\n      provider: azure-workload\n      identityId: abc\n      identityTenantId: t\n      identityAuthorityHost: https://evil.example/\n    secrets:\n    - parameter: connection\n      name: sb\n";
    assert_eq!(
        found(&run(&ta(vault))),
        [(
            "KEDA4019",
            0,
            "spec.azureKeyVault.podIdentity.identityAuthorityHost"
        )]
    );
    // Other providers do not send an Entra assertion; the field came with KEDA 2.14.
    assert!(run(&ta(
        "  podIdentity:\n    provider: aws\n    identityAuthorityHost: https://x/\n"
    ))
    .is_empty());
    assert!(run_with(
        &with_host("https://evil.example"),
        &at(KedaVersion::new(2, 13, 0))
    )
    .is_empty());
}

#[test]
fn authority_host_without_tenant_is_refused_as_keda_refuses_it() {
    // KEDA v2.20.2's validateSpec: "identityTenantID of PodIdentity should not be nil or
    // empty when identityAuthorityHost of PodIdentity is set".
    let text = ta(&format!(
        "{WI}    identityId: abc\n    identityAuthorityHost: https://login.microsoftonline.com/\n"
    ));
    let ds = crate::validate::lint(&text, &LintOptions::default());
    let refused: Vec<_> = ds.iter().filter(|d| d.code == "KEDA1032").collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].severity, Severity::Error);
}

fn deployment(labels: &str, sa: &str) -> String {
    format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: demo\nspec:\n  template:\n    metadata:\n      labels:\n        app: orders\n{labels}    spec:\n      serviceAccountName: {sa}\n      containers:\n      - name: app\n        image: x\n")
}

fn service_account(name: &str, client_id: &str) -> String {
    format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: demo\n  annotations:\n    azure.workload.identity/client-id: {client_id}\n")
}

const LABEL: &str = "        azure.workload.identity/use: 'true'\n";

#[test]
fn workload_identity_is_not_kedas() {
    let text = join(&[
        &service_account("orders-sa", "abc"),
        &deployment(LABEL, "orders-sa"),
        &ta(WI),
        &so("", ""),
    ]);
    let ds = run(&text);
    assert_eq!(
        found(&ds),
        [
            ("KEDA4001", 2, "spec.podIdentity"),
            ("KEDA4002", 2, "spec.podIdentity")
        ]
    );
    assert!(ds[1].message.contains("client id abc"));
    assert!(ds[1]
        .help
        .as_deref()
        .unwrap_or("")
        .contains("system:serviceaccount:"));

    // identityId is the workload's identity: a reminder about federation.
    let same = ta(&format!("{WI}    identityId: abc\n"));
    let ds = run(&join(&[
        &service_account("orders-sa", "abc"),
        &deployment(LABEL, "orders-sa"),
        &same,
        &so("", ""),
    ]));
    assert_eq!(found(&ds), [("KEDA4003", 2, "spec.podIdentity.identityId")]);
    assert_eq!(ds[0].severity, Severity::Info);

    // Another identity for KEDA: nothing to say.
    let other = ta(&format!("{WI}    identityId: def\n"));
    assert!(run(&join(&[
        &service_account("orders-sa", "abc"),
        &deployment(LABEL, "orders-sa"),
        &other,
        &so("", "")
    ]))
    .is_empty());

    // Pods without the label while their service account names a client id: the
    // application means to use workload identity and gets no token, a warning.
    let ds = run(&join(&[
        &service_account("orders-sa", "abc"),
        &deployment("", "orders-sa"),
        &other,
        &so("", ""),
    ]));
    assert_eq!(
        found(&ds),
        [("KEDA4004", 1, "spec.template.metadata.labels")]
    );
    assert_eq!(ds[0].severity, Severity::Warning);
    assert!(ds[0].message.contains("gets no Azure token"));
    assert!(ds[0].message.contains("does not affect KEDA"));
    // The service account without the annotation: only a note.
    let bare =
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders-sa\n  namespace: demo\n";
    let ds = run(&join(&[
        bare,
        &deployment("", "orders-sa"),
        &other,
        &so("", ""),
    ]));
    assert_eq!(
        found(&ds),
        [("KEDA4020", 1, "spec.template.metadata.labels")]
    );
    assert_eq!(ds[0].severity, Severity::Info);
    // Labelled pods: nothing, annotated or not.
    assert!(run(&join(&[
        bare,
        &deployment(LABEL, "orders-sa"),
        &other,
        &so("", "")
    ]))
    .is_empty());

    // The service account not in the inputs (or not annotated): nothing is known.
    assert_eq!(
        found(&run(&join(&[
            &deployment("", "orders-sa"),
            &ta(WI),
            &so("", "")
        ]))),
        [("KEDA4001", 1, "spec.podIdentity")]
    );
    // No serviceAccountName means the namespace's default service account.
    let default_sa =
        deployment(LABEL, "orders-sa").replace("      serviceAccountName: orders-sa\n", "");
    let ds = run(&join(&[
        &service_account("default", "abc"),
        &default_sa,
        &ta(WI),
        &so("", ""),
    ]));
    assert!(found(&ds).contains(&("KEDA4002", 2, "spec.podIdentity")));
}

#[test]
fn cooldown_and_polling_relevance_before_2_20() {
    let spec = "  minReplicaCount: 1\n  cooldownPeriod: 60\n  pollingInterval: 5\n";
    let old = at(KedaVersion::new(2, 19, 0));
    let ds = run_with(&so("", spec), &old);
    assert_eq!(
        found(&ds),
        [
            ("KEDA4005", 0, "spec.cooldownPeriod"),
            ("KEDA4006", 0, "spec.pollingInterval")
        ]
    );
    // From 2.20 the webhook warns itself.
    assert!(run(&so("", spec)).is_empty());
    // Scaling to zero or idle makes both relevant.
    assert!(run_with(
        &so("", "  minReplicaCount: 0\n  cooldownPeriod: 60\n"),
        &old
    )
    .is_empty());
    assert!(run_with(
        &so(
            "",
            "  idleReplicaCount: 0\n  minReplicaCount: 1\n  cooldownPeriod: 60\n"
        ),
        &old
    )
    .is_empty());
    // Cached metrics make the polling interval matter.
    let cached = so("", "  minReplicaCount: 2\n  pollingInterval: 5\n").replace(
        "    authenticationRef:",
        "    useCachedMetrics: true\n    authenticationRef:",
    );
    assert!(run_with(&cached, &old).is_empty());
}

#[test]
fn file_path_only_for_cluster_trigger_authentication() {
    let v = at(KedaVersion::new(2, 19, 0));
    let ds = run_with(&ta("  filePath: creds.json\n"), &v);
    assert_eq!(found(&ds), [("KEDA4007", 0, "spec.filePath")]);
    let cta = |p: &str| {
        format!("apiVersion: keda.sh/v1alpha1\nkind: ClusterTriggerAuthentication\nmetadata:\n  name: c\nspec:\n  filePath: {p}\n")
    };
    assert!(run_with(&cta("creds/api.json"), &v).is_empty());
    assert_eq!(run_with(&cta("/etc/creds.json"), &v).len(), 1);
    assert_eq!(run_with(&cta("../creds.json"), &v).len(), 1);
    // The field did not exist before 2.19.
    assert!(run_with(
        &ta("  filePath: creds.json\n"),
        &at(KedaVersion::new(2, 18, 0))
    )
    .is_empty());
}

#[test]
fn secret_store_authentication() {
    let vault = |extra: &str| {
        ta(&format!("  azureKeyVault:\n    vaultUri: https://v.vault.azure.net\n{extra}    secrets:\n    - parameter: connection\n      name: sb\n"))
    };
    let ds = run(&vault("    podIdentity:\n      provider: gcp\n"));
    assert_eq!(
        found(&ds),
        [("KEDA4008", 0, "spec.azureKeyVault.podIdentity.provider")]
    );
    let ds = run(&vault(""));
    assert_eq!(found(&ds), [("KEDA4008", 0, "spec.azureKeyVault")]);
    assert!(ds[0].message.contains("clientId, tenantId, clientSecret"));
    let creds = "    credentials:\n      clientId: a\n      tenantId: b\n      clientSecret:\n        valueFrom:\n          secretKeyRef:\n            name: s\n            key: k\n";
    assert!(run(&vault(creds)).is_empty());
    let aws = ta("  awsSecretManager:\n    podIdentity:\n      provider: aws\n    secrets:\n    - parameter: p\n      name: n\n");
    assert!(run(&aws).is_empty());
}

#[test]
fn scaling_modifiers_runtime_parsing() {
    let modifiers = |target: &str, activation: &str, fallback: bool| {
        let fb = if fallback {
            "  fallback:\n    failureThreshold: 3\n    replicas: 2\n"
        } else {
            ""
        };
        so("", &format!("{fb}  advanced:\n    scalingModifiers:\n      formula: a + b\n      target: '{target}'\n      activationTarget: '{activation}'\n"))
    };
    let ds = run(&modifiers("5", "x1", false));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4009",
            0,
            "spec.advanced.scalingModifiers.activationTarget"
        )]
    );
    assert!(run(&modifiers("5", "1e2", false)).is_empty());
    let ds = run(&modifiers("2.5", "1", true));
    assert_eq!(
        found(&ds),
        [("KEDA4010", 0, "spec.advanced.scalingModifiers.target")]
    );
    // Without fallback nothing is lost; an invalid target is the webhook's.
    assert!(run(&modifiers("2.5", "1", false)).is_empty());
    assert!(run(&modifiers("abc", "1", true)).is_empty());
    assert!(run(&modifiers("4", "1", true)).is_empty());
}

#[test]
fn annotations_read_as_keda_reads_them() {
    let ann = |k: &str, v: &str| format!("  annotations:\n    {k}: '{v}'\n");
    let ds = run(&so(&ann("autoscaling.keda.sh/paused", "yes"), ""));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4012",
            0,
            "metadata.annotations.autoscaling.keda.sh/paused"
        )]
    );
    assert!(ds[0].message.contains("pauses"));
    assert!(run(&so(&ann("autoscaling.keda.sh/paused", "False"), "")).is_empty());
    // 2.12 paused a ScaledObject whatever the value.
    assert_eq!(
        run_with(
            &so(&ann("autoscaling.keda.sh/paused", "false"), ""),
            &at(KedaVersion::new(2, 12, 0))
        )
        .len(),
        1
    );

    let ds = run(&so(&ann("autoscaling.keda.sh/paused-replicas", "two"), ""));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4011",
            0,
            "metadata.annotations.autoscaling.keda.sh/paused-replicas"
        )]
    );
    assert!(run(&so(&ann("autoscaling.keda.sh/paused-replicas", "2"), "")).is_empty());
    assert_eq!(
        run(&so(
            &ann("autoscaling.keda.sh/paused-replicas", "3000000000"),
            ""
        ))
        .len(),
        1
    );

    let ds = run(&so(&ann("validations.keda.sh/hpa-ownership", "true"), ""));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4013",
            0,
            "metadata.annotations.validations.keda.sh/hpa-ownership"
        )]
    );
    assert!(run(&so(&ann("validations.keda.sh/hpa-ownership", "false"), "")).is_empty());

    assert_eq!(
        found(&run(&so(
            &ann("scaledobject.keda.sh/transfer-hpa-ownership", "True"),
            ""
        ))),
        [(
            "KEDA4014",
            0,
            "metadata.annotations.scaledobject.keda.sh/transfer-hpa-ownership"
        )]
    );
    assert!(run(&so(
        &ann("scaledobject.keda.sh/transfer-hpa-ownership", "true"),
        ""
    ))
    .is_empty());
}

#[test]
fn hpa_name_and_behavior_pass_kubernetes_validation() {
    let config = |body: &str| {
        so(
            "",
            &format!("  advanced:\n    horizontalPodAutoscalerConfig:\n{body}"),
        )
    };
    let ds = run(&config("      name: Orders_HPA\n"));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4015",
            0,
            "spec.advanced.horizontalPodAutoscalerConfig.name"
        )]
    );
    assert!(run(&config("      name: orders.hpa-1\n")).is_empty());

    let behavior = "      behavior:\n        scaleDown:\n          selectPolicy: Maximum\n          policies:\n          - type: Pods\n            value: 0\n            periodSeconds: 3600\n          - type: Replicas\n            value: 1\n            periodSeconds: 60\n        scaleUp:\n          policies:\n          - type: Percent\n            value: 100\n            periodSeconds: 15\n";
    let ds = run(&config(behavior));
    let base = "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown";
    let paths: Vec<String> = ds.iter().map(|d| d.path.clone()).collect();
    assert_eq!(
        paths,
        [
            format!("{base}.selectPolicy"),
            format!("{base}.policies[0].value"),
            format!("{base}.policies[0].periodSeconds"),
            format!("{base}.policies[1].type"),
        ]
    );
    assert!(ds.iter().all(|d| d.code == "KEDA4016"));
    // The CRD bounds the stabilization window from 2.12; before, the HPA refused it.
    let window =
        "      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 4000\n";
    assert!(run(&config(window)).is_empty());
    assert_eq!(
        run_with(&config(window), &at(KedaVersion::new(2, 11, 0))).len(),
        1
    );
}

#[test]
fn scaled_job_strategies() {
    let ds = run(&sj(
        "  scalingStrategy:\n    strategy: custom\n    customScalingRunningJobPercentage: half\n",
    ));
    assert_eq!(
        found(&ds),
        [(
            "KEDA4017",
            0,
            "spec.scalingStrategy.customScalingRunningJobPercentage"
        )]
    );
    let ds = run(&sj("  scalingStrategy:\n    strategy: custom\n"));
    assert_eq!(found(&ds), [("KEDA4017", 0, "spec.scalingStrategy")]);
    assert!(run(&sj(
        "  scalingStrategy:\n    strategy: custom\n    customScalingRunningJobPercentage: '0.5'\n"
    ))
    .is_empty());
    assert!(run(&sj("  scalingStrategy:\n    strategy: accurate\n")).is_empty());

    let old = at(KedaVersion::new(2, 19, 0));
    let ds = run_with(&sj("  rollout:\n    strategy: default\n"), &old);
    assert_eq!(found(&ds), [("KEDA4018", 0, "spec.rollout.strategy")]);
    assert!(run_with(&sj("  rollout:\n    strategy: gradual\n"), &old).is_empty());
    // From 2.20 the CRD enum rejects it (schema layer).
    assert!(run(&sj("  rollout:\n    strategy: default\n")).is_empty());
}

/// The text after applying the first fix of the KEDA4001 finding alone (None without one).
fn identity_fixed(text: &str) -> Option<String> {
    let d = lint(text, &LintOptions::default())
        .into_iter()
        .find(|d| d.code == "KEDA4001")
        .expect("KEDA4001");
    let fix = d.fixes.first()?;
    assert_eq!(fix.applicability, crate::diagnostic::Applicability::Safe);
    let (out, n) = crate::fix::apply(text, &[d], crate::fix::FixOptions::default());
    assert_eq!(n, 1);
    Some(out)
}

#[test]
fn identity_id_fix_takes_the_workloads_client_id() {
    let sa = service_account("orders-sa", "0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6");
    let text = join(&[&sa, &deployment(LABEL, "orders-sa"), &ta(WI), &so("", "")]);
    let out = identity_fixed(&text).expect("a fix");
    assert!(
        out.contains("  podIdentity:\n    identityId: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6\n    provider: azure-workload\n"),
        "{out}"
    );
    let after: Vec<_> = run(&out).into_iter().map(|d| d.code).collect();
    assert!(!after.contains(&"KEDA4001".to_owned()), "{after:?}");

    // A flow mapping, and a client id that would read as a number unquoted.
    let flow = ta("  podIdentity: {provider: azure-workload}\n");
    let text = join(&[
        &service_account("orders-sa", "'1234'"),
        &deployment(LABEL, "orders-sa"),
        &flow,
        &so("", ""),
    ]);
    let out = identity_fixed(&text).expect("a fix");
    assert!(
        out.contains("  podIdentity: {identityId: \"1234\", provider: azure-workload}\n"),
        "{out}"
    );
}

#[test]
fn no_identity_id_fix_without_one_certain_client_id() {
    // No ServiceAccount in the bundle: nothing to take the client id from, and no placeholder.
    let text = join(&[&deployment(LABEL, "orders-sa"), &ta(WI), &so("", "")]);
    assert_eq!(identity_fixed(&text), None);
    // The ServiceAccount names no client id.
    let bare =
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: orders-sa\n  namespace: demo\n";
    let text = join(&[bare, &deployment(LABEL, "orders-sa"), &ta(WI), &so("", "")]);
    assert_eq!(identity_fixed(&text), None);
    // Two users of the TriggerAuthentication whose workloads name different identities.
    let other_deploy = deployment(LABEL, "other-sa").replace("name: orders\n", "name: other\n");
    let other_so = so("", "")
        .replace("name: s\n", "name: s2\n")
        .replace("    name: orders\n", "    name: other\n");
    let text = join(&[
        &service_account("orders-sa", "aaa"),
        &service_account("other-sa", "bbb"),
        &deployment(LABEL, "orders-sa"),
        &other_deploy,
        &ta(WI),
        &so("", ""),
        &other_so,
    ]);
    assert_eq!(identity_fixed(&text), None);
    // The Key Vault's podIdentity is not the workload's.
    let vault = "  azureKeyVault:\n    vaultUri: https://v.vault.azure.net\n    podIdentity:\n      provider: azure-workload\n    secrets:\n    - parameter: connection\n      name: sb\n";
    let text = join(&[
        &service_account("orders-sa", "aaa"),
        &deployment(LABEL, "orders-sa"),
        &ta(vault),
        &so("", ""),
    ]);
    assert_eq!(identity_fixed(&text), None);
}

#[test]
fn identity_id_fixes_of_many_trigger_authentications_are_not_quadratic() {
    // Each TriggerAuthentication's fix looks for the ScaledObjects that use it; scanning the
    // whole bundle for each made a stream of n of each cost n² reference resolutions (here,
    // in a debug build on a busy machine, 49 s against 1.6 s).
    let n = 3_000;
    let mut docs = vec![
        service_account("orders-sa", "0d1e2f3a"),
        deployment(LABEL, "orders-sa"),
    ];
    for i in 0..n {
        docs.push(ta(WI).replace("name: auth\n", &format!("name: auth-{i}\n")));
        docs.push(
            so("", "")
                .replace("name: s\n", &format!("name: s-{i}\n"))
                .replace("name: auth\n", &format!("name: auth-{i}\n")),
        );
    }
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let start = std::time::Instant::now();
    let ds = run(&join(&refs));
    let took = start.elapsed();
    let missing: Vec<_> = ds.iter().filter(|d| d.code == "KEDA4001").collect();
    assert_eq!(missing.len(), n);
    assert!(missing
        .iter()
        .all(|d| d.fixes.len() == 1 && d.fixes[0].title.contains("0d1e2f3a")));
    assert!(took.as_secs() < 8, "{took:?}");
}
