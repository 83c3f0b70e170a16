//! The JSON Schemas of `docs/schemas/` (generated from the Rust types with schemars): current,
//! valid draft 2020-12, and true to what serde reads and writes. Every scenario under
//! `examples/` and `tests/vectors/scenarios/` meets the scenario schema, every trace of them
//! the trace schema, and the lint report of every golden lint input (findings of every
//! severity and source) the report and diagnostic schemas; mutated scenarios are accepted by
//! the schema exactly when serde accepts them.
//! `SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test schemas` rewrites the
//! files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jsonschema::Validator;
use scalecore_bindings::schema;
use scalecore_conformance::{golden_lint_inputs, golden_scenarios, repo_root};
use serde_json::{json, Value};

const REFRESH: &str =
    "SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test schemas";

fn validator(name: &str) -> Validator {
    let schema = schema::by_name(name).unwrap();
    jsonschema::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: not a schema: {e}"));
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn errors(v: &Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn schema_files_are_current() {
    let dir = repo_root().join("docs").join("schemas");
    let update = std::env::var_os("SCALECORE_UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for name in schema::NAMES {
        let path = dir.join(format!("{name}.schema.json"));
        let text = serde_json::to_string_pretty(&schema::by_name(name).unwrap()).unwrap() + "\n";
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != text {
            stale.push(format!("docs/schemas/{name}.schema.json"));
        }
    }
    assert!(
        stale.is_empty(),
        "{} stale: run {REFRESH}",
        stale.join(", ")
    );
    // No other schema file in the folder: one no longer generated would linger. (`keda/`
    // holds the editor schemas of KEDA's documents, generated and checked by the core.)
    let mut listed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "keda")
        .collect();
    listed.sort();
    let mut want: Vec<String> = schema::NAMES
        .iter()
        .map(|n| format!("{n}.schema.json"))
        .collect();
    want.sort();
    assert_eq!(listed, want, "docs/schemas/ holds other files");
}

#[test]
fn every_scenario_and_its_trace_meet_their_schemas() {
    let scenario = validator("scenario");
    let trace = validator("trace");
    let scenarios = golden_scenarios();
    assert!(
        scenarios.len() >= 25,
        "scenarios missing: {}",
        scenarios.len()
    );
    let mut queue_seen = false;
    for (rel, text) in &scenarios {
        let value: Value = serde_json::from_str(text).unwrap();
        let errs = errors(&scenario, &value);
        assert!(
            errs.is_empty(),
            "{rel} breaks the scenario schema: {errs:?}"
        );
        let out = scalecore_bindings::simulate_json(text).unwrap();
        queue_seen |= out.queue.is_some();
        let out = serde_json::to_value(&out).unwrap();
        let errs = errors(&trace, &out);
        assert!(
            errs.is_empty(),
            "the trace of {rel} breaks the trace schema: {errs:?}"
        );
    }
    assert!(
        queue_seen,
        "no queue-mode scenario: the queue summary went unchecked"
    );
}

#[test]
fn lint_reports_meet_the_report_and_diagnostic_schemas() {
    let report = validator("report");
    let diagnostic = validator("diagnostic");
    let files: Vec<scalecore_bindings::FileInput> = golden_lint_inputs()
        .into_iter()
        .map(|(path, text)| scalecore_bindings::FileInput { path, text })
        .collect();
    let options = scalecore_bindings::LintRequestOptions::default();
    let out = scalecore_bindings::lint_files(&files, &options).unwrap();
    let value = serde_json::to_value(&out).unwrap();
    let errs = errors(&report, &value);
    assert!(
        errs.is_empty(),
        "the lint report breaks the report schema: {errs:?}"
    );
    let all: Vec<&Value> = value["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap())
        .collect();
    for d in &all {
        let errs = errors(&diagnostic, d);
        assert!(
            errs.is_empty(),
            "{d} breaks the diagnostic schema: {errs:?}"
        );
    }
    // The report exercises every value the schema enumerates, and `help` present and absent.
    for (field, values) in [
        ("severity", &["error", "warning", "info"][..]),
        (
            "source",
            &["schema", "webhook", "scaler", "reference", "lint"][..],
        ),
    ] {
        for v in values {
            assert!(
                all.iter().any(|d| d[field] == *v),
                "no finding with {field} {v}"
            );
        }
    }
    assert!(all.iter().any(|d| d.get("help").is_some()));
    let fixes: Vec<&Value> = all.iter().filter_map(|d| d.get("fixes")).collect();
    assert!(
        !fixes.is_empty(),
        "no finding with a fix: fixes went unchecked"
    );
}

#[test]
fn the_report_schema_refuses_what_the_cli_never_writes() {
    let report = validator("report");
    let d = json!({"code": "KEDA1004", "severity": "error", "message": "m", "path": "spec",
        "document": 0, "line": 1, "column": 1, "endLine": 1, "endColumn": 2, "source": "webhook"});
    let ok = json!({"files": [{"path": "a.yaml", "diagnostics": [d]}],
        "summary": {"errors": 1, "warnings": 0}});
    assert!(errors(&report, &ok).is_empty());
    let mut bad = ok.clone();
    bad["files"][0]["diagnostics"][0]["severity"] = json!("fatal");
    assert!(!errors(&report, &bad).is_empty());
    let mut bad = ok.clone();
    bad["files"][0]["diagnostics"][0]
        .as_object_mut()
        .unwrap()
        .remove("endColumn");
    assert!(!errors(&report, &bad).is_empty());
    let mut bad = ok.clone();
    bad["summary"]["errors"] = json!(-1);
    assert!(!errors(&report, &bad).is_empty());
    // `fixes` appears only when there is one, and each edit has the diagnostic's positions.
    let fix = json!({"title": "Quote the value", "applicability": "safe", "edits": [
        {"line": 1, "column": 1, "endLine": 1, "endColumn": 2, "newText": "\"5\""}]});
    let mut with_fix = ok.clone();
    with_fix["files"][0]["diagnostics"][0]["fixes"] = json!([fix]);
    assert!(errors(&report, &with_fix).is_empty());
    let mut bad = ok.clone();
    bad["files"][0]["diagnostics"][0]["fixes"] = json!([]);
    assert!(!errors(&report, &bad).is_empty());
    let mut bad = with_fix.clone();
    bad["files"][0]["diagnostics"][0]["fixes"][0]["applicability"] = json!("maybe");
    assert!(!errors(&report, &bad).is_empty());
    let mut bad = with_fix;
    bad["files"][0]["diagnostics"][0]["fixes"][0]["edits"][0]
        .as_object_mut()
        .unwrap()
        .remove("newText");
    assert!(!errors(&report, &bad).is_empty());
}

type Edit = Box<dyn Fn(&mut Value)>;

/// Scenario variants with one change each: the schema must accept a variant exactly when
/// serde does (unknown fields, wrong types, missing required fields, nulls, both forms of
/// `arrivalRate`). Two differences JSON Schema cannot express are left out: `1.0` is an
/// integer to JSON Schema but not to serde_json, and integers beyond i64 fail only in serde.
#[test]
fn the_scenario_schema_accepts_what_serde_accepts() {
    let scenario = validator("scenario");
    let base = json!({
        "manifest": "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n",
        "initial": {"replicas": 1, "lastActiveTime": null, "creationTime": -1},
        "hpaSyncPeriod": 15,
        "steps": [{"t": 0, "loop": "keda", "metrics": {"q": 1.5}, "errors": ["r"],
                   "replicas": 2, "readyPods": 1, "statusReplicas": 2, "pendingPods": 1,
                   "podsWithoutMetrics": 0, "annotations": {"a": "x", "b": null},
                   "runningJobs": 0, "pendingJobs": 0}],
        "until": 60,
        "queue": {"trigger": "q", "initialMessages": 3, "bursts": [{"t": 1, "messages": 2}],
                  "arrivalRate": [{"t": 0, "rate": 0.5}], "messagesPerPodPerSecond": 0.1,
                  "podStartupSeconds": 5, "duration": 60},
        "expect": [{"t": 0, "loop": "keda", "replicas": 1, "active": true}]
    });
    let edits: Vec<(&str, Edit)> = vec![
        ("as is", Box::new(|_| {})),
        (
            "only the manifest",
            Box::new(|v| *v = json!({"manifest": ""})),
        ),
        ("no manifest", Box::new(|v| remove(v, "", "manifest"))),
        (
            "manifest not a string",
            Box::new(|v| v["manifest"] = json!(3)),
        ),
        (
            "unknown top-level field",
            Box::new(|v| v["hpaSyncPeriods"] = json!(15)),
        ),
        (
            "unknown initial field",
            Box::new(|v| v["initial"]["replica"] = json!(1)),
        ),
        (
            "unknown step field",
            Box::new(|v| v["steps"][0]["ready"] = json!(1)),
        ),
        (
            "unknown queue field",
            Box::new(|v| v["queue"]["rate"] = json!(1)),
        ),
        (
            "unknown expect field",
            Box::new(|v| v["expect"][0]["value"] = json!(1)),
        ),
        (
            "unknown burst field",
            Box::new(|v| v["queue"]["bursts"][0]["x"] = json!(1)),
        ),
        (
            "unknown rate point field",
            Box::new(|v| v["queue"]["arrivalRate"][0]["x"] = json!(1)),
        ),
        (
            "constant arrival rate",
            Box::new(|v| v["queue"]["arrivalRate"] = json!(2.5)),
        ),
        (
            "arrival rate a string",
            Box::new(|v| v["queue"]["arrivalRate"] = json!("2")),
        ),
        (
            "no messagesPerPodPerSecond",
            Box::new(|v| remove(v, "/queue", "messagesPerPodPerSecond")),
        ),
        ("queue null", Box::new(|v| v["queue"] = Value::Null)),
        ("until null", Box::new(|v| v["until"] = Value::Null)),
        ("steps null", Box::new(|v| v["steps"] = Value::Null)),
        ("initial null", Box::new(|v| v["initial"] = Value::Null)),
        (
            "hpaSyncPeriod null",
            Box::new(|v| v["hpaSyncPeriod"] = Value::Null),
        ),
        ("step without t", Box::new(|v| remove(v, "/steps/0", "t"))),
        (
            "t fractional",
            Box::new(|v| v["steps"][0]["t"] = json!(1.5)),
        ),
        ("t a string", Box::new(|v| v["steps"][0]["t"] = json!("0"))),
        (
            "metric a string",
            Box::new(|v| v["steps"][0]["metrics"]["q"] = json!("1")),
        ),
        (
            "metric null",
            Box::new(|v| v["steps"][0]["metrics"]["q"] = Value::Null),
        ),
        (
            "loop null",
            Box::new(|v| v["steps"][0]["loop"] = Value::Null),
        ),
        (
            "loop a number",
            Box::new(|v| v["steps"][0]["loop"] = json!(1)),
        ),
        (
            "loop hpa",
            Box::new(|v| v["steps"][0]["loop"] = json!("hpa")),
        ),
        (
            "annotations null",
            Box::new(|v| v["steps"][0]["annotations"] = Value::Null),
        ),
        (
            "annotation a number",
            Box::new(|v| v["steps"][0]["annotations"]["a"] = json!(1)),
        ),
        (
            "readyPods null",
            Box::new(|v| v["steps"][0]["readyPods"] = Value::Null),
        ),
        (
            "lastActiveTime set",
            Box::new(|v| v["initial"]["lastActiveTime"] = json!(-30)),
        ),
        (
            "replicas null",
            Box::new(|v| v["initial"]["replicas"] = Value::Null),
        ),
        (
            "expect without t",
            Box::new(|v| remove(v, "/expect/0", "t")),
        ),
        (
            "expect active a string",
            Box::new(|v| v["expect"][0]["active"] = json!("yes")),
        ),
        ("scenario an array", Box::new(|v| *v = json!([]))),
    ];
    let mut disagree = Vec::new();
    for (what, edit) in &edits {
        let mut v = base.clone();
        edit(&mut v);
        let by_serde = serde_json::from_value::<scalecore_bindings::Scenario>(v.clone());
        let by_schema = errors(&scenario, &v);
        if by_serde.is_ok() != by_schema.is_empty() {
            disagree.push(format!(
                "{what}: serde {:?}, schema {by_schema:?}",
                by_serde.err().map(|e| e.to_string())
            ));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
}

fn remove(v: &mut Value, pointer: &str, key: &str) {
    v.pointer_mut(pointer)
        .unwrap()
        .as_object_mut()
        .unwrap()
        .remove(key);
}

/// `loop` is a free string to serde, but `simulate` runs only the loops it knows: the schema
/// lists those, so an editor flags a misspelt loop before the run does.
#[test]
fn the_scenario_schema_lists_the_loops_simulate_runs() {
    let scenario = validator("scenario");
    let (_, text) = golden_scenarios()
        .into_iter()
        .find(|(rel, _)| rel == "examples/fallback-static.json")
        .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    for (name, runs) in [
        ("hpa", true),
        ("reconcile", true),
        ("delete", true),
        ("kdea", false),
    ] {
        v["steps"][2]["loop"] = json!(name);
        let ran = scalecore_bindings::simulate_json(&v.to_string()).is_ok();
        assert_eq!(ran, runs, "{name}");
        assert_eq!(errors(&scenario, &v).is_empty(), runs, "{name}");
    }
}
