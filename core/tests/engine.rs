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
        ..Observed::replicas(4)
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

fn resource_engine(kind: &str, metric_type: &str, value: &str, initial: i64) -> ScaledObjectEngine {
    let spec = format!(
        "  minReplicaCount: 1\n  maxReplicaCount: 50\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior: {{scaleDown: {{stabilizationWindowSeconds: 0}}}}\n  triggers:\n  - type: {kind}\n    metricType: {metric_type}\n    metadata: {{value: '{value}'}}\n"
    );
    engine(&spec, "{}", initial)
}

fn pods(replicas: i64, ready: i64, pending: i64, without_metrics: i64) -> Observed {
    Observed {
        ready_pods: Some(ready),
        pending_pods: Some(pending),
        pods_without_metrics: Some(without_metrics),
        ..Observed::replicas(replicas)
    }
}

#[test]
fn cpu_scale_up_with_unready_pods_turning_into_a_scale_down_keeps_the_count() {
    // replica_calculator_test.go TestReplicaCalcScaleUpUnreadyNoScale: one ready pod at
    // 40 % of a 30 % target, two unready. Counting the unready as 0 % gives 13 %: the
    // direction flips, so the HPA keeps 3 instead of scaling to ceil(40/30 * 1) = 2.
    let mut e = resource_engine("cpu", "Utilization", "30", 3);
    let o = e.hpa_sync(5, &[Reading::Value(40.0)], pods(3, 1, 0, 0));
    assert_eq!(o.prenormalized, Some(3));
    assert_eq!(o.replicas, 3);
    let why = e.explain();
    assert!(why.contains("2 not ready set aside"), "{why}");
    assert!(why.contains("changes direction -> keep 3"), "{why}");
}

#[test]
fn memory_counts_running_unready_pods_but_sets_pending_ones_aside() {
    // groupPods checks readiness only for cpu: the same pods on memory all count.
    let mut e = resource_engine("memory", "Utilization", "30", 3);
    let o = e.hpa_sync(5, &[Reading::Value(40.0)], pods(3, 1, 0, 0));
    assert_eq!(o.prenormalized, Some(4), "{}", e.explain());
    // Pending pods are set aside for memory too and rebalanced like cpu's unready ones.
    let mut e = resource_engine("memory", "Utilization", "30", 3);
    let o = e.hpa_sync(5, &[Reading::Value(40.0)], pods(3, 1, 2, 0));
    assert_eq!(o.prenormalized, Some(3), "{}", e.explain());
    assert!(
        e.explain().contains("2 pending set aside"),
        "{}",
        e.explain()
    );
}

#[test]
fn missing_pods_count_as_max_of_100_percent_and_target_on_a_scale_down() {
    // TestReplicaCalcMissingMetrics: 2 of 4 pods report, 24.75 % of a 100 % target; the
    // two without metrics count as 100 %: floor(62.375) = 62 % -> ceil(0.62 * 4) = 3.
    let mut e = resource_engine("cpu", "Utilization", "100", 4);
    let o = e.hpa_sync(5, &[Reading::Value(24.75)], pods(4, 4, 0, 2));
    assert_eq!(o.prenormalized, Some(3), "{}", e.explain());
    assert!(e.explain().contains("without metrics as 100%"));
    // A target above 100 % fills with the target: 20 % of 200 % with 1 of 2 missing gives
    // (20 + 200) / 2 = 110 % -> ratio 0.55 -> ceil(1.1) = 2 = current.
    let mut e = resource_engine("cpu", "Utilization", "200", 2);
    let o = e.hpa_sync(5, &[Reading::Value(20.0)], pods(2, 2, 0, 1));
    assert_eq!(o.prenormalized, Some(2), "{}", e.explain());
    // Without the missing pod the same sample scales down to 1.
    let mut e = resource_engine("cpu", "Utilization", "200", 2);
    let o = e.hpa_sync(5, &[Reading::Value(20.0)], pods(2, 2, 0, 0));
    assert_eq!(o.prenormalized, Some(1), "{}", e.explain());
}

#[test]
fn resource_with_no_pod_reporting_is_an_invalid_metric() {
    // "did not receive metrics for targeted pods": the proposal is invalid, so the HPA
    // does not scale down on missing data.
    let mut e = resource_engine("cpu", "Utilization", "50", 3);
    let o = e.hpa_sync(5, &[Reading::Value(10.0)], pods(3, 0, 0, 0));
    assert_eq!(o.replicas, 3);
    assert!(o.error);
}

#[test]
fn average_value_fills_missing_pods_with_the_target() {
    // calcPlainMetricReplicas: 2 pods at 100m of a 200m target, 2 without metrics counted
    // as 200m: 150m -> ratio 0.75 -> ceil(0.75 * 4) = 3.
    let mut e = resource_engine("cpu", "AverageValue", "200m", 4);
    let o = e.hpa_sync(5, &[Reading::Value(0.1)], pods(4, 4, 0, 2));
    assert_eq!(o.prenormalized, Some(3), "{}", e.explain());
}

#[test]
fn a_scaler_that_reports_its_own_activity_is_taken_at_its_word() {
    // azure_eventhub_scaler.go GetMetricsAndActivity: the metric is the lag capped at
    // threshold × partitions (4 × 10 = 40), the activity is the whole lag (120) above
    // activationUnprocessedEventThreshold (100). From zero, KEDA activates the target.
    let spec = "  minReplicaCount: 0\n  triggers:\n  - type: azure-eventhub\n    metadata: {unprocessedEventThreshold: '10', activationUnprocessedEventThreshold: '100', consumerGroup: g, connectionFromEnv: C, storageConnectionFromEnv: S, blobContainer: c}\n";
    let mut e = engine(spec, "{}", 0);
    let o = e.keda_poll(
        0,
        &[Reading::Reported {
            value: 40.0,
            active: true,
        }],
        Observed::replicas(0),
    );
    assert!(o.active, "{o:?}");
    assert_eq!(o.replicas, 1, "{o:?}");
    // The same value as a plain reading is below the activation target: inactive, kept at 0.
    let mut e = engine(spec, "{}", 0);
    let o = e.keda_poll(0, &[Reading::Value(40.0)], Observed::replicas(0));
    assert!(!o.active, "{o:?}");
    assert_eq!(o.replicas, 0, "{o:?}");
}
