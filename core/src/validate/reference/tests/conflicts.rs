use super::*;

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
    // Reported once, by the webhook layer (KEDA1017), which needs no other object.
    assert_eq!(found(&ds), []);
    let all = crate::validate::lint(&so("s", "", bad, "", CRON), &Default::default());
    assert!(all.iter().any(|d| d.code == "KEDA1017"
        && d.message
            .contains("unexpected GroupVersion string: apps/v1/extra")));
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
fn many_scaled_objects_on_one_workload_get_one_finding_each() {
    // Pairwise reporting made n(n-1)/2 findings; KEDA's webhook refuses each later one with
    // the first conflict it finds, so each gets one, naming the first claimant.
    let n = 2_000;
    let docs: Vec<String> = (0..n)
        .map(|i| so(&format!("s{i}"), "", ORDERS, "", CRON))
        .collect();
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let start = std::time::Instant::now();
    let ds = run(&join(&refs));
    let took = start.elapsed();
    assert_eq!(ds.len(), n - 1);
    assert!(ds.iter().all(|d| d.code == "KEDA3003"
        && d.message
            .ends_with("already managed by the ScaledObject 's0'")));
    assert!(took.as_secs() < 20, "{took:?}");
    // Same HPA name and same workload: still one finding each (documents count from 0).
    let hpa_named = "  advanced:\n    horizontalPodAutoscalerConfig:\n      name: shared\n";
    let ds = run(&join(&[
        &so("a", "", ORDERS, hpa_named, CRON),
        &so("b", "", ORDERS, hpa_named, CRON),
        &so("c", "", ORDERS, hpa_named, CRON),
    ]));
    assert_eq!(
        found(&ds),
        [
            ("KEDA3003", 1, "spec.scaleTargetRef.name"),
            ("KEDA3003", 2, "spec.scaleTargetRef.name")
        ]
    );
}
