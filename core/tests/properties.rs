//! Properties of the decision engine over random ScaledObjects and random tick sequences.

#![allow(clippy::expect_used)]

use proptest::prelude::*;

use scalecore::decide::{Action, Initial, Loop, Observed, Outcome, Reading, ScaledObjectEngine};
use scalecore::document::Kind;
use scalecore::model::ScaledObjectSpec;
use scalecore::validate::{load_bundle, LintOptions};

#[derive(Clone, Debug)]
struct Config {
    min: i64,
    max: i64,
    cooldown: i64,
    behavior: bool,
    fallback: Option<(i64, i64)>,
    two_triggers: bool,
}

fn spec(c: &Config) -> ScaledObjectSpec {
    let mut y = format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w\nspec:\n  scaleTargetRef:\n    name: w\n  minReplicaCount: {}\n  maxReplicaCount: {}\n  cooldownPeriod: {}\n",
        c.min, c.max, c.cooldown
    );
    if let Some((threshold, replicas)) = c.fallback {
        y.push_str(&format!(
            "  fallback:\n    failureThreshold: {threshold}\n    replicas: {replicas}\n"
        ));
    }
    if c.behavior {
        y.push_str("  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          stabilizationWindowSeconds: 30\n");
    }
    y.push_str("  triggers:\n  - type: prometheus\n    name: a\n    metadata:\n      threshold: \"10\"\n      activationThreshold: \"3\"\n");
    if c.two_triggers {
        y.push_str("  - type: azure-servicebus\n    name: b\n    metadata:\n      queueName: q\n      messageCount: \"5\"\n");
    }
    let (bundle, _) = load_bundle(&[y.as_str()], &LintOptions::default());
    let r = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledObject)
        .cloned();
    ScaledObjectSpec::from_resource(&r.expect("ScaledObject"))
}

fn config() -> impl Strategy<Value = Config> {
    (
        0i64..4,
        1i64..30,
        prop_oneof![Just(0i64), Just(30), Just(60), Just(300)],
        any::<bool>(),
        proptest::option::of((0i64..4, 0i64..12)),
        any::<bool>(),
    )
        .prop_map(|(min, extra, cooldown, behavior, fallback, two)| Config {
            min,
            max: min.max(1) + extra,
            cooldown,
            behavior,
            fallback,
            two_triggers: two,
        })
}

/// One tick: loop kind (true = KEDA), readings for up to two triggers (None = error).
type TickIn = (bool, [Option<u16>; 2]);

fn ticks() -> impl Strategy<Value = Vec<TickIn>> {
    proptest::collection::vec(
        (
            any::<bool>(),
            [
                proptest::option::weighted(0.85, 0u16..400),
                proptest::option::weighted(0.85, 0u16..400),
            ],
        ),
        1..60,
    )
}

fn readings(t: &TickIn) -> [Reading; 2] {
    t.1.map(|r| r.map_or(Reading::Error, |v| Reading::Value(f64::from(v))))
}

/// Runs the ticks, the loops 5 s apart alternating as in a cluster; returns each outcome.
fn run(c: &Config, initial: i64, ts: &[TickIn]) -> (Vec<Outcome>, Vec<String>) {
    let mut e = ScaledObjectEngine::new(
        &spec(c),
        Initial {
            replicas: initial,
            last_active_time: None,
            creation_time: -1,
        },
    );
    let mut out = Vec::new();
    let mut why = Vec::new();
    for (k, tick) in ts.iter().enumerate() {
        let t = 15 * k as i64 + if tick.0 { 0 } else { 5 };
        let obs = Observed::replicas(e.state().replicas);
        let r = readings(tick);
        let o = if tick.0 {
            e.keda_poll(t, &r, obs)
        } else {
            e.hpa_sync(t, &r, obs)
        };
        out.push(o);
        why.push(e.explain());
    }
    (out, why)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn replicas_stay_within_min_and_max(c in config(), init in 0i64..40, ts in ticks()) {
        let initial = init.clamp(c.min.max(1), c.max);
        let (outs, _) = run(&c, initial, &ts);
        for o in outs {
            prop_assert!(o.replicas <= c.max, "{o:?}");
            prop_assert!(o.replicas >= c.min, "{o:?}");
        }
    }

    #[test]
    fn never_to_zero_while_a_trigger_is_active(c in config(), init in 1i64..40, ts in ticks()) {
        let initial = init.clamp(c.min.max(1), c.max);
        let (outs, _) = run(&c, initial, &ts);
        let mut before = initial;
        for (o, tick) in outs.iter().zip(&ts) {
            let active_a = tick.1[0].is_some_and(|v| v > 3);
            let active_b = c.two_triggers && tick.1[1].is_some_and(|v| v > 0);
            if before > 0 && (active_a || active_b) {
                prop_assert!(o.replicas > 0, "{o:?} {tick:?}");
            }
            before = o.replicas;
        }
    }

    #[test]
    fn same_inputs_same_outputs(c in config(), init in 0i64..40, ts in ticks()) {
        let a = run(&c, init.min(c.max), &ts);
        let b = run(&c, init.min(c.max), &ts);
        prop_assert_eq!(a.0, b.0);
        prop_assert_eq!(a.1, b.1);
    }

    #[test]
    fn cooldown_never_shortened_by_an_error(c in config(), init in 1i64..40, ts in ticks()) {
        let initial = init.clamp(c.min.max(1), c.max);
        let (outs, _) = run(&c, initial, &ts);
        let mut last_active: Option<i64> = None;
        for (o, tick) in outs.iter().zip(&ts) {
            if o.kind == Loop::Keda && o.action == Action::ScaleToZero {
                let errored = tick.1[0].is_none() || (c.two_triggers && tick.1[1].is_none());
                // Scale to zero only strictly after lastActiveTime + cooldown ...
                if let Some(l) = last_active {
                    prop_assert!(l + c.cooldown < o.t, "{o:?}");
                }
                // ... and never while a trigger errors with a non-zero fallback or none.
                let fallback_zero = c.fallback.is_some_and(|f| f.1 == 0);
                prop_assert!(!errored || fallback_zero, "{o:?} {tick:?}");
            }
            last_active = o.last_active_time;
        }
    }
}

const MANIFESTS: &[&str] = &[
    "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w, annotations: {autoscaling.keda.sh/paused-scale-in: 'true'}}\nspec:\n  scaleTargetRef: {name: w}\n  minReplicaCount: 9223372036854775807\n  maxReplicaCount: -5\n  cooldownPeriod: 9223372036854775807\n  fallback: {failureThreshold: -1, replicas: 9223372036854775807, behavior: currentReplicasIfLower}\n  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleUp: {stabilizationWindowSeconds: -9223372036854775808, policies: [{type: Pods, value: 9223372036854775807, periodSeconds: -1}]}\n        scaleDown: {tolerance: 'x', policies: [{type: Percent, value: -9223372036854775808, periodSeconds: 9223372036854775807}]}\n  triggers:\n  - {type: prometheus, name: a, useCachedMetrics: true, metadata: {threshold: '1e308'}}\n  - {type: cpu, metadata: {value: '0'}}\n",
    "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: w}\nspec:\n  scaleTargetRef: {name: w}\n  idleReplicaCount: 9223372036854775807\n  fallback: {failureThreshold: 0, replicas: 3, behavior: scalingModifiers}\n  advanced:\n    scalingModifiers: {formula: 'a / b ?? 1', target: '1', activationTarget: 'NaN', metricType: Value}\n  triggers:\n  - {type: prometheus, name: a, metricType: Value, metadata: {threshold: '0'}}\n  - {type: prometheus, name: b, metadata: {threshold: '-1'}}\n",
    "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: j}\nspec:\n  minReplicaCount: 9223372036854775807\n  maxReplicaCount: -9223372036854775808\n  scalingStrategy: {strategy: custom, customScalingQueueLengthDeduction: -9223372036854775808, customScalingRunningJobPercentage: '1e300'}\n  triggers:\n  - {type: prometheus, name: a, metadata: {threshold: '0'}}\n",
];

fn hostile_i64() -> impl Strategy<Value = i64> {
    prop_oneof![
        Just(i64::MIN),
        Just(i64::MAX),
        Just(0i64),
        -5i64..500,
        any::<i64>()
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Hostile numbers never panic: simulate answers Ok or a ScenarioError.
    #[test]
    fn simulate_never_panics(
        m in 0usize..3,
        steps in proptest::collection::vec(
            (hostile_i64(), 0usize..5, proptest::option::of(hostile_i64()), any::<f64>(), any::<bool>(), proptest::option::of(hostile_i64())),
            0..12,
        ),
        until in proptest::option::of(prop_oneof![-10i64..2000, hostile_i64()]),
        period in hostile_i64(),
        queue in any::<bool>(),
        initial in hostile_i64(),
    ) {
        let loops = ["keda", "hpa", "reconcile", "delete", ""];
        let explicit = steps.iter().all(|s| s.1 != 4);
        let steps: Vec<serde_json::Value> = steps
            .iter()
            .map(|(t, l, replicas, v, err, ready)| {
                let mut s = serde_json::json!({"t": t, "metrics": {"a": if v.is_finite() { *v } else { 1.0 }}});
                if explicit {
                    s["loop"] = serde_json::json!(loops[*l]);
                }
                if let Some(r) = replicas { s["replicas"] = serde_json::json!(r); }
                if let Some(r) = ready { s["readyPods"] = serde_json::json!(r); s["runningJobs"] = serde_json::json!(r); }
                if *err { s["errors"] = serde_json::json!(["a"]); }
                s
            })
            .collect();
        let mut scen = serde_json::json!({"manifest": MANIFESTS[m], "initial": {"replicas": initial}, "steps": steps});
        if let Some(u) = until { scen["until"] = serde_json::json!(u); }
        if period != 0 { scen["hpaSyncPeriod"] = serde_json::json!(period); }
        if queue {
            scen["queue"] = serde_json::json!({"messagesPerPodPerSecond": 0.5, "podStartupSeconds": i64::MAX,
                "bursts": [{"t": 3, "messages": 1e300}], "arrivalRate": [{"t": 0, "rate": 2.0}], "duration": 300});
        }
        let _ = scalecore::simulate::simulate_json(&scen.to_string());
    }
}
