//! The binary as outside tools drive it: exit codes, formats, stdin, folders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

fn scalecore(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scalecore");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("write");
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scalecore-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

#[test]
fn syntax_error_exits_1_with_position_in_json() {
    let (code, out, _) = scalecore(&["lint", "--format", "json", "-"], Some(b"a: [1,\n"));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["files"][0]["path"], "<stdin>");
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "KEDA0001");
    assert_eq!(d["line"], 2);
}

#[test]
fn missing_path_exits_2_with_message() {
    let (code, out, err) = scalecore(&["lint", "/definitely/not/here.yaml"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("cannot read /definitely/not/here.yaml"),
        "{err}"
    );
}

#[test]
fn bad_keda_version_exits_2() {
    let (code, _, err) = scalecore(&["lint", "--keda-version", "3", "-"], Some(b"a: 1\n"));
    assert_eq!(code, 2);
    assert!(err.contains("not a KEDA version"), "{err}");
}

#[test]
fn folders_are_walked_for_manifests_only() {
    let d = temp_dir("walk");
    std::fs::write(d.join("a.yaml"), "a: [\n").expect("write");
    std::fs::write(d.join("b.json"), "{}").expect("write");
    std::fs::write(d.join("notes.txt"), "a: [\n").expect("write");
    std::fs::create_dir_all(d.join(".git")).expect("mkdir");
    std::fs::write(d.join(".git").join("c.yaml"), "a: [\n").expect("write");
    let (code, out, _) = scalecore(
        &["lint", "--format", "json", d.to_str().expect("utf8")],
        None,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let files: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files[0].ends_with("a.yaml") && files[1].ends_with("b.json"));
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn non_utf8_is_a_diagnostic_not_a_crash() {
    let (code, out, _) = scalecore(&["lint", "--format", "json", "-"], Some(b"a: \xff\n"));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["files"][0]["diagnostics"][0]["code"], "KEDA0002");
    assert_eq!(v["files"][0]["diagnostics"][0]["column"], 4);
}

#[test]
fn oversized_input_is_refused_without_loading_it() {
    let d = temp_dir("big");
    let big = d.join("big.yaml");
    let f = std::fs::File::create(&big).expect("create");
    f.set_len(64 * 1024 * 1024).expect("sparse file");
    let (code, out, _) = scalecore(
        &["lint", "--format", "json", big.to_str().expect("utf8")],
        None,
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "KEDA0003");
    assert!(d["message"].as_str().unwrap_or("").contains("67108864"));
}

#[test]
fn github_format_escapes_and_sarif_is_valid_json() {
    let (code, out, _) = scalecore(&["lint", "--format", "github", "-"], Some(b"a: [1,\n"));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("::error file=<stdin>,line=2,col=1,"),
        "{out}"
    );
    assert!(out.contains("%0Ahelp: "), "{out}");
    let (_, out, _) = scalecore(&["lint", "--format", "sarif", "-"], Some(b"a: [1,\n"));
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["runs"][0]["results"][0]["ruleId"], "KEDA0001");
    assert!(
        v["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .expect("rules")
            .len()
            >= 10
    );
}

#[test]
fn clean_input_exits_0() {
    let (code, out, _) = scalecore(
        &["lint", "-"],
        Some(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 0 warnings in 1 file"), "{out}");
}

fn repo(path: &str) -> String {
    format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn simulate_seed_reaches_ten_and_returns_to_zero() {
    let (code, out, err) = scalecore(
        &[
            "simulate",
            "--format",
            "json",
            &repo("examples/seed-servicebus-queue.json"),
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let replicas: Vec<i64> = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["replicas"].as_i64().unwrap_or(-1))
        .collect();
    assert_eq!(replicas.iter().max(), Some(&10));
    assert_eq!(replicas.last(), Some(&0));
    let first_hpa = v["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["loop"] == "hpa" && s["replicas"] == 4)
        .expect("an HPA step to 4");
    assert!(first_hpa["reason"]
        .as_str()
        .unwrap_or("")
        .contains("scale-up limit max(2*1,4)=4"));
}

#[test]
fn simulate_unmet_expectation_exits_1_and_bad_scenario_exits_2() {
    let text = std::fs::read_to_string(repo("examples/seed-servicebus-queue.json")).expect("seed");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["expect"] = serde_json::json!([{"t": 35, "replicas": 7}]);
    let (code, _, err) = scalecore(&["simulate", "-"], Some(v.to_string().as_bytes()));
    assert_eq!(code, 1);
    assert!(err.contains("t=35") && err.contains("expected 7"), "{err}");
    let (code, out, err) = scalecore(&["simulate", "-"], Some(b"{\"manifest\": 5}"));
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("scenario is not valid"), "{err}");
}

#[test]
fn simulate_csv_has_a_header_and_a_row_per_step() {
    let (code, out, _) = scalecore(
        &[
            "simulate",
            "--format",
            "csv",
            &repo("examples/seed-servicebus-queue.json"),
        ],
        None,
    );
    assert_eq!(code, 0);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("t,loop,replicas,active,fallback,queueLength,readyPods,reason")
    );
    assert!(lines.count() > 40);
}

#[test]
fn rules_explains_one_code() {
    let (code, out, _) = scalecore(&["rules", "keda1004"], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("KEDA1004 "), "{out}");
    assert!(
        out.contains("help: lower minReplicaCount or raise maxReplicaCount"),
        "{out}"
    );
    let (code, _, err) = scalecore(&["rules", "KEDA9999"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no rule"), "{err}");
}

#[test]
fn findings_are_capped_per_input_in_json_and_sarif() {
    // 6,000 ScaledObjects on one workload, each with a bad trigger besides the conflict.
    let doc = |i: usize| {
        format!("apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: s{i}\nspec:\n  scaleTargetRef:\n    name: orders\n  triggers:\n  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: 'x'\n")
    };
    let text = (0..6_000).map(doc).collect::<Vec<_>>().join("---\n");
    let (code, out, _) = scalecore(&["lint", "--format", "json", "-"], Some(text.as_bytes()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let ds = v["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics");
    assert_eq!(ds.len(), 10_001);
    assert_eq!(ds[10_000]["code"], "KEDA0012");
    assert!(ds[10_000]["message"]
        .as_str()
        .unwrap_or("")
        .contains("more findings in this input are left out"));
    let (_, out, _) = scalecore(&["lint", "--format", "sarif", "-"], Some(text.as_bytes()));
    let v: serde_json::Value = serde_json::from_str(&out).expect("sarif json");
    let results = v["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 10_001);
    assert_eq!(results[10_000]["ruleId"], "KEDA0012");
}
