//! Runs every decision vector (tests/vectors/decisions): timelines step by step through the
//! engine (and through `simulate`), tables through the functions they name. Each expected
//! field the engine models is compared; disagreements not in `KNOWN` fail the test.

#![allow(clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use scalecore::decide::plan::Rules;
use scalecore::decide::rules::{convert_with_behavior_rate, stabilize_with_behaviors};
use scalecore::decide::scaledjob::{decide, JobTriggerSample, ScaledJobEngine};
use scalecore::decide::state::{HpaMemory, Recommendation, ScaleEvent};
use scalecore::decide::{
    replicas_after_delete, Initial, Observed, Outcome, Reading, ScaledObjectEngine,
};
use scalecore::document::Kind;
use scalecore::model::{Behavior, ScaledJobSpec, ScaledObjectSpec};
use scalecore::simulate::{simulate, InitialSpec, Scenario, Step};
use scalecore::validate::{load_bundle, LintOptions};
use serde_json::{json, Map, Value};

/// Steps where the vector and the engine are known to disagree, with the reason.
const KNOWN: &[(&str, i64, &str, &str)] = &[];

fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/decisions")
}

fn vectors() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let mut paths: Vec<_> = std::fs::read_dir(folder())
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    for p in paths {
        if p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap_or_default();
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        out.push((name, v));
    }
    out
}

/// The vector's ScaledObject spec as a manifest (annotations go to metadata; the vectors'
/// own bookkeeping keys on triggers are dropped).
pub fn manifest(spec: &Value) -> String {
    let mut body = spec.as_object().cloned().unwrap_or_default();
    let annotations = body.remove("annotations").unwrap_or(json!({}));
    let triggers: Vec<Value> = body
        .remove("triggers")
        .and_then(|t| t.as_array().cloned())
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            let mut x = Map::new();
            for k in ["type", "name", "metadata", "metricType", "useCachedMetrics"] {
                if let Some(v) = t.get(k) {
                    x.insert(k.into(), v.clone());
                }
            }
            Value::Object(x)
        })
        .collect();
    body.insert("scaleTargetRef".into(), json!({"name": "worker"}));
    body.insert("triggers".into(), Value::Array(triggers));
    json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
           "metadata": {"name": "worker", "namespace": "default", "annotations": annotations},
           "spec": body})
    .to_string()
}

fn so_spec(text: &str) -> ScaledObjectSpec {
    let (bundle, _) = load_bundle(&[text], &LintOptions::default());
    let r = bundle
        .resources
        .iter()
        .find(|r| r.kind == Kind::ScaledObject);
    ScaledObjectSpec::from_resource(r.expect("manifest has a ScaledObject"))
}

#[derive(Default)]
struct Tally {
    checked: usize,
    agreed: usize,
    steps: usize,
    steps_agreed: usize,
    failures: Vec<String>,
    known_hit: Vec<String>,
}

impl Tally {
    fn check(&mut self, file: &str, t: i64, field: &str, want: &Value, got: Value, ok: &mut bool) {
        self.checked += 1;
        if want == &got || (want.is_number() && got.is_number() && want.as_f64() == got.as_f64()) {
            self.agreed += 1;
            return;
        }
        *ok = false;
        let msg = format!("{file} t={t} {field}: expected {want}, got {got}");
        if KNOWN
            .iter()
            .any(|(f, kt, kf, _)| file.starts_with(f) && *kt == t && *kf == field)
        {
            self.known_hit.push(msg);
        } else {
            self.failures.push(msg);
        }
    }
}

fn readings(engine: &ScaledObjectEngine, triggers: &Value) -> Vec<Reading> {
    engine
        .plan()
        .triggers
        .iter()
        .map(|tp| match triggers.get(&tp.key) {
            Some(Value::Object(_)) => Reading::Error,
            Some(v) => Reading::Value(v.as_f64().unwrap_or(0.0)),
            None => Reading::Value(0.0),
        })
        .collect()
}

fn compare_outcome(
    tally: &mut Tally,
    file: &str,
    t: i64,
    exp: &Value,
    o: &Outcome,
    e: &ScaledObjectEngine,
) -> bool {
    let mut ok = true;
    let opt = |v: Option<i64>| v.map_or(Value::Null, Value::from);
    if let Some(w) = exp.get("desired_replicas") {
        tally.check(file, t, "desired_replicas", w, json!(o.replicas), &mut ok);
    }
    if o.kind == scalecore::decide::Loop::Keda && o.evaluated {
        if let Some(w) = exp.get("is_active") {
            tally.check(file, t, "is_active", w, json!(o.active), &mut ok);
        }
        if let Some(w) = exp.get("is_error") {
            tally.check(file, t, "is_error", w, json!(o.error), &mut ok);
        }
        if let Some(w) = exp.get("last_active_time") {
            tally.check(
                file,
                t,
                "last_active_time",
                w,
                opt(o.last_active_time),
                &mut ok,
            );
        }
        if let Some(w) = exp.get("composite_metric") {
            tally.check(
                file,
                t,
                "composite_metric",
                w,
                o.composite.map_or(Value::Null, |c| json!(c)),
                &mut ok,
            );
        }
    }
    if o.kind == scalecore::decide::Loop::Keda && o.evaluated {
        if let Some(w) = exp.get("action") {
            tally.check(file, t, "action", w, json!(o.action.name()), &mut ok);
        }
    }
    let c = &e.state().conditions;
    for (name, cond) in [
        ("Ready", c.ready),
        ("Active", c.active),
        ("Paused", c.paused),
    ] {
        if let Some(w) = exp["conditions"].get(name) {
            let got = format!("{}/{}", cond.0, cond.1);
            tally.check(
                file,
                t,
                &format!("conditions.{name}"),
                w,
                json!(got),
                &mut ok,
            );
        }
    }
    if let Some(w) = exp["conditions"].get("Fallback") {
        let got = if o.fallback { "True" } else { "False" };
        tally.check(file, t, "conditions.Fallback", w, json!(got), &mut ok);
    }
    if let Some(w) = exp.get("hpa") {
        let got = if e.state().hpa_exists {
            "created"
        } else {
            "deleted"
        };
        tally.check(file, t, "hpa", w, json!(got), &mut ok);
    }
    if let Some(w) = exp.get("scale_loop").and_then(Value::as_str) {
        let want = json!(w.split(' ').next().unwrap_or(""));
        let got = if e.state().loop_running {
            "started"
        } else {
            "stopped"
        };
        tally.check(file, t, "scale_loop", &want, json!(got), &mut ok);
    }
    if let Some(w) = exp.get("evaluated") {
        tally.check(file, t, "evaluated", w, json!(o.evaluated), &mut ok);
    }
    if let Some(w) = exp.get("paused_replica_count") {
        tally.check(
            file,
            t,
            "paused_replica_count",
            w,
            opt(e.state().paused_replica_count),
            &mut ok,
        );
    }
    for (field, got) in [
        ("prenormalized_desired", opt(o.prenormalized)),
        ("stabilized", opt(o.stabilized)),
        (
            "limit_reason",
            o.limit.map_or(Value::Null, |l| json!(l.name())),
        ),
    ] {
        if let Some(w) = exp.get(field) {
            tally.check(file, t, field, w, got, &mut ok);
        }
    }
    if let Some(Value::Object(m)) = exp.get("fallback_failures") {
        // One failing trigger per vector: compare the counters by position.
        for (k, w) in m {
            let i = e
                .plan()
                .triggers
                .iter()
                .position(|tp| k.starts_with(&format!("s{}-", tp_index(tp))));
            let got = i.and_then(|i| e.state().failures.get(i).copied());
            tally.check(file, t, "fallback_failures", w, opt(got), &mut ok);
        }
    }
    // Per-metric values KEDA served and the HPA's proposals, matched by trigger index
    // (`s{i}-...`) or `composite-metric`.
    let index_of =
        |name: &str| -> Option<usize> { name.strip_prefix('s')?.split('-').next()?.parse().ok() };
    if o.kind == scalecore::decide::Loop::Hpa {
        let d = e.detail();
        for (k, w) in exp["metric_values_served"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let got = if k == "composite-metric" {
                d.composite.map_or(json!("error"), |v| json!(v))
            } else {
                match index_of(k).and_then(|i| d.triggers.get(i)) {
                    Some(x) if x.error => json!("error"),
                    Some(x) => x.value.map_or(Value::Null, |v| json!(v)),
                    None => Value::Null,
                }
            };
            tally.check(file, t, "metric_values_served", w, got, &mut ok);
        }
        for (k, w) in exp["metric_proposals"].as_object().into_iter().flatten() {
            let trigger = if k == "composite-metric" {
                None
            } else {
                index_of(k)
            };
            let got = d
                .proposals
                .iter()
                .find(|p| p.trigger == trigger)
                .map(|p| p.replicas.map_or(json!("invalid"), |r| json!(r)));
            tally.check(
                file,
                t,
                "metric_proposals",
                w,
                got.unwrap_or(Value::Null),
                &mut ok,
            );
        }
    }
    if let Some(w) = exp.get("scaling_active") {
        let c = e.state().conditions.scaling_active;
        if o.kind == scalecore::decide::Loop::Hpa {
            tally.check(
                file,
                t,
                "scaling_active",
                w,
                json!(format!("{}/{}", c.0, c.1)),
                &mut ok,
            );
        }
    }
    ok
}

fn tp_index(tp: &scalecore::decide::plan::TriggerPlan) -> String {
    tp.metric_name
        .strip_prefix('s')
        .and_then(|r| r.split('-').next())
        .unwrap_or("")
        .to_owned()
}

fn run_timeline(tally: &mut Tally, file: &str, v: &Value) {
    let spec_v = &v["spec"]["scaledObject"];
    let text = manifest(spec_v);
    let spec = so_spec(&text);
    let init = &v["initial_state"];
    let initial = Initial {
        replicas: init["replicas"].as_i64().unwrap_or(0),
        last_active_time: init["lastActiveTime"].as_i64(),
        creation_time: init["creationTimestamp"].as_i64().unwrap_or(-1),
    };
    let mut engine = ScaledObjectEngine::new(&spec, initial);
    let mut annotations: BTreeMap<String, String> = spec.annotations.clone();
    let mut scenario_steps = Vec::new();
    let mut desired = Vec::new();
    for s in v["steps"].as_array().into_iter().flatten() {
        let t = s["t"].as_i64().unwrap_or(0);
        let inputs = &s["inputs"];
        let obs = Observed {
            replicas: inputs["current_replicas"].as_i64().unwrap_or(0),
            ready_pods: inputs["ready_pods"].as_i64(),
            status_replicas: inputs["status_replicas"].as_i64(),
            pending_pods: inputs["pending_pods"].as_i64(),
            pods_without_metrics: inputs["pods_without_metrics"].as_i64(),
        };
        let r = readings(&engine, &inputs["triggers"]);
        let lp = s["loop"].as_str().unwrap_or("");
        let o = match lp {
            "keda" => engine.keda_poll(t, &r, obs),
            "hpa" => engine.hpa_sync(t, &r, obs),
            _ => {
                let mut change = BTreeMap::new();
                for (k, val) in inputs["annotations_set"].as_object().into_iter().flatten() {
                    annotations.insert(k.clone(), val.as_str().unwrap_or("").to_owned());
                    change.insert(k.clone(), Some(val.as_str().unwrap_or("").to_owned()));
                }
                for k in inputs["annotations_removed"]
                    .as_array()
                    .into_iter()
                    .flatten()
                {
                    annotations.remove(k.as_str().unwrap_or(""));
                    change.insert(k.as_str().unwrap_or("").to_owned(), None);
                }
                scenario_steps.push(Step {
                    t,
                    loop_kind: Some("reconcile".into()),
                    annotations: Some(change),
                    replicas: Some(obs.replicas),
                    ..Step::default()
                });
                desired.push(s["expected"]["desired_replicas"].as_i64());
                let o = engine.reconcile(t, &annotations, obs);
                tally.steps += 1;
                if compare_outcome(tally, file, t, &s["expected"], &o, &engine) {
                    tally.steps_agreed += 1;
                }
                continue;
            }
        };
        let mut step = Step {
            t,
            loop_kind: Some(lp.into()),
            replicas: Some(obs.replicas),
            ready_pods: obs.ready_pods,
            status_replicas: obs.status_replicas,
            pending_pods: obs.pending_pods,
            pods_without_metrics: obs.pods_without_metrics,
            ..Step::default()
        };
        for (k, val) in inputs["triggers"].as_object().into_iter().flatten() {
            if val.is_object() {
                step.errors.push(k.clone());
            } else {
                step.metrics.insert(k.clone(), val.as_f64().unwrap_or(0.0));
            }
        }
        scenario_steps.push(step);
        desired.push(s["expected"]["desired_replicas"].as_i64());
        tally.steps += 1;
        let explanation = engine.explain();
        assert!(!explanation.is_empty(), "{file} t={t}: empty explanation");
        if compare_outcome(tally, file, t, &s["expected"], &o, &engine) {
            tally.steps_agreed += 1;
        }
    }
    // The same timeline through `simulate` gives the same replicas.
    let scenario = Scenario {
        manifest: text,
        initial: InitialSpec {
            replicas: initial.replicas,
            last_active_time: initial.last_active_time,
            creation_time: Some(initial.creation_time),
        },
        hpa_sync_period: 15,
        steps: scenario_steps,
        ..Scenario::default()
    };
    let trace = simulate(&scenario).expect("scenario runs");
    scenario_vector(file, &scenario, &desired);
    assert_eq!(
        trace.steps.len(),
        desired.len(),
        "{file}: one trace step per scenario step"
    );
    for (st, want) in trace.steps.iter().zip(&desired) {
        if let Some(w) = want {
            let mut ok = true;
            tally.check(
                file,
                st.t,
                "simulate.replicas",
                &json!(w),
                json!(st.replicas),
                &mut ok,
            );
        }
        assert!(!st.reason.is_empty(), "{file} t={}: empty reason", st.t);
    }
}

/// Each timeline is also a scenario vector (tests/vectors/scenarios), with its expected
/// replicas as `expect` rows, so every binding runs the same timelines through `simulate`.
/// `SCALECORE_UPDATE_VECTORS=1` rewrites them; otherwise they must be current.
fn scenario_vector(file: &str, scenario: &Scenario, desired: &[Option<i64>]) {
    let mut scenario = scenario.clone();
    scenario.expect = scenario
        .steps
        .iter()
        .zip(desired)
        .filter_map(|(st, d)| {
            d.map(|replicas| scalecore::simulate::Expect {
                t: st.t,
                loop_kind: st.loop_kind.clone(),
                replicas: Some(replicas),
                active: None,
            })
        })
        .collect();
    let path = folder()
        .join("../scenarios")
        .join(file.replace(".json", ".scenario.json"));
    let text = serde_json::to_string_pretty(&scenario).expect("serialise") + "\n";
    if std::env::var_os("SCALECORE_UPDATE_VECTORS").is_some() {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &text).expect("write scenario vector");
    } else {
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            current == text,
            "{} is stale: run SCALECORE_UPDATE_VECTORS=1 cargo test -p scalecore --test decisions",
            path.display()
        );
    }
}

fn job_spec(v: &Value) -> ScaledJobSpec {
    let sj = &v["spec"]["scaledJob"];
    let trigger = &v["spec"]["trigger"];
    let mut strategy = Map::new();
    for (from, to) in [
        ("strategy", "strategy"),
        (
            "customScalingQueueLengthDeduction",
            "customScalingQueueLengthDeduction",
        ),
        (
            "customScalingRunningJobPercentage",
            "customScalingRunningJobPercentage",
        ),
        ("multipleScalersCalculation", "multipleScalersCalculation"),
    ] {
        if let Some(x) = sj.get(from) {
            strategy.insert(to.into(), x.clone());
        }
    }
    let mut body = Map::new();
    for k in ["maxReplicaCount", "minReplicaCount"] {
        if let Some(x) = sj.get(k) {
            body.insert(k.into(), x.clone());
        }
    }
    body.insert("scalingStrategy".into(), Value::Object(strategy));
    body.insert(
        "jobTargetRef".into(),
        json!({"template": {"spec": {"containers": [{"name": "w", "image": "w"}]}}}),
    );
    body.insert("triggers".into(), json!([trigger]));
    let text = json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
        "metadata": {"name": "jobs"}, "spec": body})
    .to_string();
    let (bundle, _) = load_bundle(&[text.as_str()], &LintOptions::default());
    let r = bundle.resources.iter().find(|r| r.kind == Kind::ScaledJob);
    ScaledJobSpec::from_resource(r.expect("ScaledJob"))
}

fn check_job(
    tally: &mut Tally,
    file: &str,
    t: i64,
    exp: &Value,
    d: &scalecore::decide::scaledjob::JobDecision,
) {
    let mut ok = true;
    for (field, got) in [
        ("is_active", json!(d.is_active)),
        ("queueLength_ceil", json!(d.queue_length)),
        ("maxScale", json!(d.max_scale)),
        ("effectiveMaxScale", json!(d.effective_max_scale)),
        ("jobs_created", json!(d.jobs_created)),
    ] {
        if let Some(w) = exp.get(field) {
            tally.check(file, t, field, w, got, &mut ok);
        }
    }
    tally.steps += 1;
    if ok {
        tally.steps_agreed += 1;
    }
}

fn run_job_timeline(tally: &mut Tally, file: &str, v: &Value) {
    let spec = job_spec(v);
    let mut engine = ScaledJobEngine::new(&spec);
    for s in v["steps"].as_array().into_iter().flatten() {
        let t = s["t"].as_i64().unwrap_or(0);
        let inputs = &s["inputs"];
        let r: Vec<Reading> = inputs["triggers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, v)| Reading::Value(v.as_f64().unwrap_or(0.0)))
            .collect();
        let d = engine.poll(
            t,
            &r,
            inputs["running_jobs"].as_i64().unwrap_or(0),
            inputs["pending_jobs"].as_i64().unwrap_or(0),
        );
        check_job(tally, file, t, &s["expected"], &d);
    }
}

fn rules_from(v: &Value, down: bool) -> Rules {
    let dir = if down { "scaleDown" } else { "scaleUp" };
    let b = Behavior::from_node(&node(&json!({"x": {dir: v}}), "x"));
    let r = if down {
        b.defaulted_scale_down(300)
    } else {
        b.defaulted_scale_up()
    };
    let policies = r.policies.unwrap_or_default();
    Rules {
        window: r.stabilization_window_seconds.unwrap_or(0),
        select: r
            .select_policy
            .unwrap_or(scalecore::model::SelectPolicy::Max),
        longest_period: policies.iter().map(|p| p.period_seconds).max().unwrap_or(0),
        policies,
    }
}

/// A document node for `v[key]`, via the loader (so behavior parsing is the real one).
fn node(v: &Value, key: &str) -> scalecore::document::Node {
    let text = v.to_string();
    let docs = scalecore::parse_stream(&text, &scalecore::Limits::default());
    docs.into_iter()
        .next()
        .and_then(|d| d.root)
        .and_then(|r| r.get(key).cloned())
        .expect("node")
}

fn events(v: &Value, now: i64) -> Vec<ScaleEvent> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|e| ScaleEvent {
            t: now - e["age_seconds"].as_f64().unwrap_or(0.0) as i64,
            change: e["replicaChange"].as_i64().unwrap_or(0),
            outdated: false,
        })
        .collect()
}

fn run_table(tally: &mut Tally, file: &str, v: &Value) {
    let now = 10_000;
    for (n, c) in v["cases"].as_array().into_iter().flatten().enumerate() {
        let i = &c["inputs"];
        let e = &c["expected"];
        let t = n as i64;
        let mut ok = true;
        if file.starts_with("038") {
            let spec_v = &i["spec"];
            let mut spec = job_spec(
                &json!({"spec": {"scaledJob": spec_v, "trigger": {"type": "prometheus", "metadata": {"threshold": "1"}}}}),
            );
            spec.scaling_strategy.multiple_scalers_calculation = spec_v
                ["multipleScalersCalculation"]
                .as_str()
                .unwrap_or("")
                .to_owned();
            let samples: Vec<JobTriggerSample> = i["triggers"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(_, x)| {
                    let value = x["value"].as_f64().unwrap_or(0.0);
                    JobTriggerSample {
                        queue_length: value,
                        target: x["target"].as_f64().unwrap_or(0.0),
                        active: value > 0.0,
                    }
                })
                .collect();
            let d = decide(
                &spec,
                &samples,
                false,
                i["running_jobs"].as_i64().unwrap_or(0),
                i["pending_jobs"].as_i64().unwrap_or(0),
                None,
            );
            check_job(tally, file, t, e, &d);
            continue;
        } else if file.starts_with("040") {
            let mut mem = HpaMemory {
                up_events: events(&i["scaleUpEvents"], now),
                down_events: events(&i["scaleDownEvents"], now),
                ..HpaMemory::default()
            };
            mem.initialized = true;
            let (r, reason, _) = convert_with_behavior_rate(
                &mem,
                now,
                i["current"].as_i64().unwrap_or(0),
                i["prenormalized_desired"].as_i64().unwrap_or(0),
                i["minReplicas"].as_i64().unwrap_or(1),
                i["maxReplicas"].as_i64().unwrap_or(1),
                &rules_from(&i["scaleUp"], false),
                &rules_from(&i["scaleDown"], true),
            );
            tally.check(file, t, "replicas", &e["replicas"], json!(r), &mut ok);
            tally.check(
                file,
                t,
                "condition",
                &e["condition"],
                json!(reason.name()),
                &mut ok,
            );
        } else if file.starts_with("041") {
            let mut mem = HpaMemory::default();
            for r in i["recommendations"].as_array().into_iter().flatten() {
                mem.recommendations.push(Recommendation {
                    t: now - r["age_seconds"].as_i64().unwrap_or(0),
                    replicas: r["value"].as_i64().unwrap_or(0),
                });
            }
            let (s, _, _) = stabilize_with_behaviors(
                &mut mem,
                now,
                i["current"].as_i64().unwrap_or(0),
                i["prenormalized_desired"].as_i64().unwrap_or(0),
                i["scaleUpStabilizationWindowSeconds"].as_i64().unwrap_or(0),
                i["scaleDownStabilizationWindowSeconds"]
                    .as_i64()
                    .unwrap_or(0),
            );
            tally.check(file, t, "stabilized", &e["stabilized"], json!(s), &mut ok);
        } else if file.starts_with("043") {
            let r = replicas_after_delete(
                i["restoreToOriginalReplicaCount"]
                    .as_bool()
                    .unwrap_or(false),
                i["status.originalReplicaCount"].as_i64(),
                !i["status.scaleTargetGVKR"].is_null(),
                i["current_replicas_at_delete"].as_i64().unwrap_or(0),
            );
            tally.check(
                file,
                t,
                "replicas_after_delete",
                &e["replicas_after_delete"],
                json!(r),
                &mut ok,
            );
        } else {
            continue;
        }
        tally.steps += 1;
        if ok {
            tally.steps_agreed += 1;
        }
    }
}

#[test]
fn decision_vectors() {
    let mut tally = Tally::default();
    let all = vectors();
    assert!(
        all.len() >= 29,
        "expected the decision vectors, found {}",
        all.len()
    );
    for (file, v) in &all {
        match v["kind"].as_str() {
            Some("scaledobject-timeline") => run_timeline(&mut tally, file, v),
            Some("scaledjob-timeline") => run_job_timeline(&mut tally, file, v),
            Some("table") => run_table(&mut tally, file, v),
            _ => {}
        }
    }
    println!(
        "decision vectors: {}/{} steps agree; {}/{} expected fields agree; {} known disagreements",
        tally.steps_agreed,
        tally.steps,
        tally.agreed,
        tally.checked,
        tally.known_hit.len()
    );
    for k in &tally.known_hit {
        println!("known: {k}");
    }
    let stale: Vec<_> = KNOWN
        .iter()
        .filter(|(f, t, field, _)| {
            !tally
                .known_hit
                .iter()
                .any(|m| m.starts_with(f) && m.contains(&format!("t={t} {field}:")))
        })
        .collect();
    assert!(
        stale.is_empty(),
        "known disagreements that now agree: {stale:?}"
    );
    assert!(
        tally.failures.is_empty(),
        "{} disagreements:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
}
