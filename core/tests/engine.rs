//! Engine behaviours that the vectors do not trace step by step (scaling.md §1-§3).

#![allow(clippy::expect_used)]

use scalecore::decide::{Action, Initial, Limit, Observed, Reading, ScaledObjectEngine};
use scalecore::document::Kind;
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{load_bundle, LintOptions};

fn engine(spec_yaml: &str, annotations: &str, initial: i64) -> ScaledObjectEngine {
    let y = format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\n  annotations: {annotations}\nspec:\n  scaleTargetRef:\n    name: w\n{spec_yaml}"
    );
    let (bundle, _) = load_bundle(&[y.as_str()], &LintOptions::default());
    let r = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledObject)
        .expect("ScaledObject");
    ScaledObjectEngine::new(
        &ScaledObjectSpec::from_resource(r),
        Initial {
            replicas: initial,
            last_active_time: None,
            creation_time: -1,
        },
    )
}

const PROM_AB: &str = "  triggers:\n  - type: prometheus\n    name: a\n    metadata: {threshold: '10'}\n  - type: prometheus\n    name: b\n    metadata: {threshold: '10'}\n";

#[test]
fn scaling_modifiers_fallback_gives_nil_to_the_formula() {
    let spec = format!(
        "  maxReplicaCount: 20\n  fallback: {{failureThreshold: 0, replicas: 5, behavior: scalingModifiers}}\n  advanced:\n    scalingModifiers: {{formula: 'a ?? b', target: '10'}}\n{PROM_AB}"
    );
    let mut e = engine(&spec, "{}", 2);
    // `a` fails past the threshold: nil, so the formula falls through to `b`.
    let o = e.keda_poll(
        0,
        &[Reading::Error, Reading::Value(30.0)],
        Observed::replicas(2),
    );
    assert_eq!(o.composite, Some(30.0));
    assert!(o.active && !o.error && o.fallback);
    // Both fail: the formula is nil, the composite is fallback.replicas × target.
    let o = e.hpa_sync(5, &[Reading::Error, Reading::Error], Observed::replicas(2));
    assert_eq!(o.composite, Some(50.0));
    assert_eq!(o.prenormalized, Some(5));
    assert_eq!(o.replicas, 4, "legacy cap max(2*2,4)");
}

#[test]
fn scaling_modifiers_fallback_needs_an_integer_target() {
    let spec = format!(
        "  fallback: {{failureThreshold: 0, replicas: 5}}\n  advanced:\n    scalingModifiers: {{formula: 'a + b', target: '2.5'}}\n{PROM_AB}"
    );
    let mut e = engine(&spec, "{}", 3);
    assert!(!e.plan().fallback_valid);
    let o = e.keda_poll(
        0,
        &[Reading::Error, Reading::Value(1.0)],
        Observed::replicas(3),
    );
    assert!(o.error && !o.fallback);
    assert_eq!(o.replicas, 3, "never scaled to zero while erroring");
}

#[test]
fn cached_fallback_values_reset_the_failure_counter() {
    let spec = "  fallback: {failureThreshold: 0, replicas: 6}\n  triggers:\n  - type: prometheus\n    name: a\n    useCachedMetrics: true\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{}", 2);
    let o = e.keda_poll(0, &[Reading::Error], Observed::replicas(2));
    assert!(o.fallback);
    assert_eq!(e.state().failures, vec![1]);
    // The HPA is served the cached (fallback) record: the success path resets the count.
    let o = e.hpa_sync(5, &[Reading::Error], Observed::replicas(2));
    assert_eq!(e.state().failures, vec![0]);
    assert!(!o.fallback);
    assert_eq!(o.prenormalized, Some(6));
}

#[test]
fn force_activation_and_paused_scale_out() {
    let spec = "  triggers:\n  - type: prometheus\n    name: a\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{autoscaling.keda.sh/force-activation: 'true'}", 0);
    let o = e.keda_poll(0, &[Reading::Value(0.0)], Observed::replicas(0));
    assert_eq!((o.action, o.replicas), (Action::ScaleFromZero, 1));
    let mut e = engine(spec, "{autoscaling.keda.sh/paused-scale-out: 'true'}", 0);
    let o = e.keda_poll(0, &[Reading::Value(50.0)], Observed::replicas(0));
    assert_eq!((o.action, o.replicas), (Action::PausedScaleOut, 0));
    // paused-scale-out also disables HPA scale-up (behavior path, selectPolicy Disabled).
    let o = e.hpa_sync(5, &[Reading::Value(50.0)], Observed::replicas(2));
    assert_eq!((o.replicas, o.limit), (2, Some(Limit::ScaleUpLimit)));
}

#[test]
fn cpu_only_objects_are_always_active_and_min_is_enforced_without_cooldown() {
    let spec = "  minReplicaCount: 2\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata: {value: '60'}\n";
    let mut e = engine(spec, "{}", 0);
    let o = e.keda_poll(0, &[Reading::Value(10.0)], Observed::replicas(0));
    assert!(o.active);
    assert_eq!(o.replicas, 2);
    let spec = "  minReplicaCount: 3\n  triggers:\n  - type: prometheus\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{}", 1);
    let o = e.keda_poll(0, &[Reading::Value(0.0)], Observed::replicas(1));
    assert_eq!((o.action, o.replicas), (Action::ScaleToMin, 3));
}

#[test]
fn idle_above_zero_fights_the_hpa() {
    let spec = "  minReplicaCount: 3\n  idleReplicaCount: 1\n  cooldownPeriod: 0\n  triggers:\n  - type: prometheus\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{}", 3);
    let o = e.keda_poll(0, &[Reading::Value(0.0)], Observed::replicas(3));
    assert_eq!((o.action, o.replicas), (Action::ScaleToIdle, 1));
    let o = e.hpa_sync(5, &[Reading::Value(0.0)], Observed::replicas(1));
    assert_eq!(
        o.replicas, 3,
        "below minReplicas: the HPA raises it straight back"
    );
}

#[test]
fn average_value_divides_by_status_replicas() {
    let spec = "  maxReplicaCount: 50\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior: {scaleDown: {stabilizationWindowSeconds: 0}}\n  triggers:\n  - type: prometheus\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{}", 4);
    // 42 over the 4 spec replicas would be inside the tolerance (1.05 -> keep 4); the
    // controller divides by the 8 existing pods instead: 0.525 -> ceil(42/10) = 5.
    let obs = Observed {
        replicas: 4,
        ready_pods: Some(1),
        status_replicas: Some(8),
    };
    let o = e.hpa_sync(5, &[Reading::Value(42.0)], obs);
    assert_eq!(o.prenormalized, Some(5));
}

#[test]
fn restore_on_delete_and_pause_resets_hpa_memory() {
    let spec = "  advanced: {restoreToOriginalReplicaCount: true}\n  triggers:\n  - type: prometheus\n    metadata: {threshold: '10'}\n";
    let mut e = engine(spec, "{}", 3);
    e.hpa_sync(5, &[Reading::Value(100.0)], Observed::replicas(3));
    assert!(!e.state().hpa.recommendations.is_empty());
    let mut a = std::collections::BTreeMap::new();
    a.insert("autoscaling.keda.sh/paused".to_owned(), "true".to_owned());
    let o = e.reconcile(10, &a, Observed::replicas(6));
    assert_eq!(o.replicas, 6);
    assert!(e.state().hpa.recommendations.is_empty());
    let o = e.hpa_sync(20, &[Reading::Value(100.0)], Observed::replicas(6));
    assert!(!o.evaluated);
    let o = e.delete(30, Observed::replicas(6));
    assert_eq!(o.replicas, 3);
}

#[test]
fn every_outcome_has_an_explanation() {
    let spec = format!(
        "  fallback: {{failureThreshold: 1, replicas: 4}}\n  advanced:\n    scalingModifiers: {{formula: 'a + b', target: '10', activationTarget: '1'}}\n{PROM_AB}"
    );
    let mut e = engine(&spec, "{}", 0);
    let seq = [
        (true, [Reading::Value(5.0), Reading::Value(0.0)]),
        (false, [Reading::Value(5.0), Reading::Error]),
        (true, [Reading::Error, Reading::Error]),
        (false, [Reading::Error, Reading::Error]),
        (true, [Reading::Value(0.0), Reading::Value(0.0)]),
    ];
    for (k, (keda, r)) in seq.iter().enumerate() {
        let t = 10 * k as i64;
        let obs = Observed::replicas(e.state().replicas);
        if *keda {
            e.keda_poll(t, r, obs);
        } else {
            e.hpa_sync(t, r, obs);
        }
        let why = e.explain();
        assert!(
            why.starts_with(if *keda { "keda: " } else { "hpa: " }),
            "{why}"
        );
        assert!(why.len() > 12, "{why}");
    }
}

#[test]
fn restored_failure_counts_continue_towards_fallback() {
    let spec = "  fallback: {failureThreshold: 3, replicas: 6}\n  triggers:\n  - type: prometheus\n    name: a\n    metadata: {threshold: '10'}\n";
    // Fresh: one error is the first failure, below the threshold.
    let mut fresh = engine(spec, "{}", 2);
    let o = fresh.keda_poll(0, &[Reading::Error], Observed::replicas(2));
    assert!(!o.fallback);
    assert_eq!(fresh.state().failures, vec![1]);
    // After a restart with 3 failures in status, the next error is past the threshold.
    let mut restored = engine(spec, "{}", 2);
    restored.restore_failures(&[3]);
    let o = restored.hpa_sync(5, &[Reading::Error], Observed::replicas(2));
    assert_eq!(restored.state().failures, vec![4]);
    assert!(o.fallback);
    assert_eq!(o.prenormalized, Some(6));
    // Negative counts from a hand-edited status are not trusted.
    let mut e = engine(spec, "{}", 2);
    e.restore_failures(&[-5]);
    assert_eq!(e.state().failures, vec![0]);
}
