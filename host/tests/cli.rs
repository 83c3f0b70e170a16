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
        // A run that fails on its arguments exits without reading: a closed pipe here is fine.
        let _ = child.stdin.take().expect("stdin").write_all(input);
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
    assert!(out.contains("docs/rules.md#keda1004\n"), "{out}");
    let (code, _, err) = scalecore(&["rules", "KEDA9999"], None);
    assert_eq!(code, 2);
    assert!(err.contains("no rule"), "{err}");
}

/// A ScaledObject KEDA's webhook accepts with one warning (KEDA1020) and no error.
const ONLY_A_WARNING: &str = "\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: w
spec:
  scaleTargetRef:
    name: w
  pollingInterval: 15
  minReplicaCount: 1
  maxReplicaCount: 5
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: \"60\"
";

/// `count` copies of a ScaledObject with three errors each.
fn broken_stream(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: w{i}\n\
                 spec:\n  scaleTargetRef:\n    name: w{i}\n  minReplicaCount: 5\n  \
                 maxReplicaCount: 2\n  triggers:\n    - type: azure-service-bus\n      \
                 metadata:\n        queueName: orders\n        messageCount: 5\n"
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn lint_json_paths(args: &[&str]) -> (i32, Vec<String>) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = scalecore(&all, None);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let files = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().unwrap_or("").to_owned())
        .collect();
    (code, files)
}

fn names(d: &std::path::Path, files: &[String]) -> Vec<String> {
    let prefix = format!("{}/", d.display());
    files
        .iter()
        .map(|f| f.strip_prefix(&prefix).unwrap_or(f).to_owned())
        .collect()
}

#[test]
fn folder_walks_honour_gitignore_and_skip_node_modules_and_hidden_folders() {
    let d = temp_dir("gitignore");
    for dir in [
        "node_modules/pkg",
        ".github",
        "generated",
        "deploy/charts",
        "deploy/ok",
    ] {
        std::fs::create_dir_all(d.join(dir)).expect("mkdir");
    }
    for f in [
        "node_modules/pkg/x.yaml",
        ".github/ci.yaml",
        "generated/out.yaml",
        "deploy/secret.local.yaml",
        "deploy/charts/c.yaml",
        "deploy/ok/so.yaml",
        "deploy/keep.yml",
    ] {
        std::fs::write(d.join(f), "a: 1\n").expect("write");
    }
    std::fs::write(d.join(".gitignore"), "generated/\n*.local.yaml\n").expect("write");
    let (code, files) = lint_json_paths(&[d.to_str().expect("utf8")]);
    assert_eq!(code, 0);
    assert_eq!(
        names(&d, &files),
        [
            "deploy/charts/c.yaml",
            "deploy/keep.yml",
            "deploy/ok/so.yaml"
        ]
    );

    // --exclude is repeatable; a glob without a slash matches a name at any depth.
    let (_, files) = lint_json_paths(&[
        "--exclude",
        "charts/",
        "--exclude",
        "*.yml",
        d.to_str().expect("utf8"),
    ]);
    assert_eq!(names(&d, &files), ["deploy/ok/so.yaml"]);

    // A file named on the command line is linted even when a walk would leave it out.
    let named = d.join("generated/out.yaml");
    let (_, files) = lint_json_paths(&["--exclude", "*.yaml", named.to_str().expect("utf8")]);
    assert_eq!(names(&d, &files), ["generated/out.yaml"]);

    // A bad glob is a usage error, not an empty run.
    let (code, _, err) = scalecore(
        &["lint", "--exclude", "a[", d.to_str().expect("utf8")],
        None,
    );
    assert_eq!(code, 2);
    assert!(err.contains("--exclude a["), "{err}");
}

#[test]
fn fail_on_warning_makes_warnings_fail_the_run() {
    let input = ONLY_A_WARNING.as_bytes();
    let (code, out, _) = scalecore(&["lint", "-"], Some(input));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 errors, 1 warning in 1 file"), "{out}");
    let (code, _, _) = scalecore(&["lint", "--fail-on", "error", "-"], Some(input));
    assert_eq!(code, 0);
    let (code, out, _) = scalecore(&["lint", "--fail-on", "warning", "-"], Some(input));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("warning[KEDA1020]"), "{out}");
    let (code, _, _) = scalecore(
        &["lint", "--fail-on", "warning", "-"],
        Some(b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"),
    );
    assert_eq!(code, 0);
}

/// Runs scalecore with its standard output already closed by the reader, as `| head -1`
/// leaves it once head has its line.
fn scalecore_into_closed_pipe(args: &[&str], stdin: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scalecore");
    drop(child.stdout.take());
    let mut input = child.stdin.take().expect("stdin");
    // The child may end before reading everything; a write error here is expected then.
    let _ = input.write_all(stdin);
    drop(input);
    let out = child.wait_with_output().expect("wait");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    let stream = broken_stream(50);
    for format in ["human", "json", "sarif", "github"] {
        let (code, err) =
            scalecore_into_closed_pipe(&["lint", "--format", format, "-"], stream.as_bytes());
        assert_eq!(code, 1, "{format}: the lint verdict stands: {err}");
        assert!(err.is_empty(), "{format}: {err}");
    }
    let seed = repo("examples/seed-servicebus-queue.json");
    for args in [
        vec!["rules"],
        vec!["rules", "--format", "json"],
        vec!["rules", "--format", "markdown"],
        vec!["rules", "KEDA1004"],
        vec!["simulate", seed.as_str()],
        vec!["simulate", "--format", "csv", seed.as_str()],
        vec!["completions", "bash"],
        vec!["crds"],
    ] {
        let (code, err) = scalecore_into_closed_pipe(&args, b"");
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(err.is_empty(), "{args:?}: {err}");
    }
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    for (shell, marker) in [
        ("bash", "complete -F _scalecore"),
        ("zsh", "#compdef scalecore"),
        ("fish", "complete -c scalecore"),
    ] {
        let (code, out, err) = scalecore(&["completions", shell], None);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(marker), "{shell}: {out}");
        // fish spells a long option `-l fail-on`.
        assert!(out.contains("fail-on"), "{shell}");
        assert!(out.contains("simulate"), "{shell}");
    }
    let (code, _, _) = scalecore(&["completions", "tcsh"], None);
    assert_eq!(code, 2);
}

#[test]
fn human_output_of_a_long_stream_shows_each_frame_at_its_line() {
    let (code, out, _) = scalecore(&["lint", "-"], Some(broken_stream(400).as_bytes()));
    assert_eq!(code, 1);
    // Each document's messageCount: 5 is a number trigger metadata wants quoted, and its
    // azure-service-bus a trigger type spelt with other punctuation: two fixes each.
    assert!(
        out.ends_with(
            "1200 errors, 0 warnings in 1 file\n800 fixable with `scalecore lint --fix`\n"
        ),
        "{out}"
    );
    // The last document starts at line 399 * 15 + 1; its minReplicaCount is 7 lines on.
    let last = 399 * 15 + 1 + 7;
    assert!(out.contains(&format!(" --> <stdin>:{last}:20\n")), "{out}");
    assert!(out.contains(&format!("{last} |   minReplicaCount: 5\n")));
}

/// Microsoft's SARIF Multitool, GitHub's rules included, on the SARIF of a bundle whose paths
/// hold spaces, `#` and non-ASCII letters. `host/scripts/sarif-validate.sh` installs the tool
/// under target/ on first use (npm).
#[test]
fn sarif_passes_the_sarif_multitool_with_github_rules() {
    if Command::new("npm").arg("--version").output().is_err() {
        eprintln!("SKIPPED: npm is not installed, so the SARIF Multitool cannot be");
        return;
    }
    let d = temp_dir("sarif multitool");
    let sub = d.join("my deploy").join("#1");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(
        sub.join("kéda so.yaml"),
        std::fs::read(repo("examples/seed/keda.yaml")).expect("seed"),
    )
    .expect("write");
    std::fs::write(d.join("my deploy").join("bad#2.yaml"), "a: [1,\n").expect("write");
    std::fs::write(d.join("warn.yaml"), ONLY_A_WARNING).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args(["lint", "--format", "sarif", "."])
        .current_dir(&d)
        .output()
        .expect("scalecore");
    assert_eq!(out.status.code(), Some(1));
    let sarif = d.join("out.sarif");
    std::fs::write(&sarif, &out.stdout).expect("write");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let uris: Vec<&str> = v["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
        })
        .collect();
    assert!(uris.contains(&"my%20deploy/bad%232.yaml"), "{uris:?}");
    assert!(
        uris.contains(&"my%20deploy/%231/k%C3%A9da%20so.yaml"),
        "{uris:?}"
    );
    let check = Command::new(repo("host/scripts/sarif-validate.sh"))
        .arg(&sarif)
        .output()
        .expect("run host/scripts/sarif-validate.sh");
    assert!(
        check.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn a_helm_chart_template_gets_one_note_not_a_syntax_error() {
    let d = temp_dir("helm");
    std::fs::create_dir_all(d.join("chart/templates")).expect("mkdir");
    std::fs::write(
        d.join("chart/Chart.yaml"),
        "apiVersion: v2\nname: worker\nversion: 0.1.0\n",
    )
    .expect("write");
    std::fs::write(
        d.join("chart/templates/scaledobject.yaml"),
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {{ include \"worker.fullname\" . }}\nspec:\n  scaleTargetRef:\n    name: {{ .Values.name }}-worker\n{{- if .Values.scaleToZero }}\n  minReplicaCount: 0\n{{- end }}\n",
    )
    .expect("write");
    let chart = d.join("chart");
    let (code, out, err) = scalecore(
        &["lint", "--format", "json", chart.to_str().expect("utf8")],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    let template = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .unwrap_or("")
                .ends_with("scaledobject.yaml")
        })
        .expect("the template is linted");
    let diags = template["diagnostics"].as_array().expect("diagnostics");
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0]["code"], "KEDA0009");
    assert_eq!(diags[0]["severity"], "info");
    assert_eq!(
        (diags[0]["line"].as_u64(), diags[0]["column"].as_u64()),
        (Some(4), Some(9))
    );
    let (code, out, _) = scalecore(&["lint", chart.to_str().expect("utf8")], None);
    assert_eq!(code, 0);
    assert!(out.contains("note[KEDA0009]"), "{out}");
    assert!(
        out.contains("helm template RELEASE CHART | scalecore lint -"),
        "{out}"
    );
    assert!(
        out.contains("0 errors, 0 warnings, 2 notes in 2 files"),
        "{out}"
    );
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

/// A ScaledObject whose minReplicaCount is above maxReplicaCount: one KEDA1004 error.
const MIN_ABOVE_MAX: &str = "\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  minReplicaCount: 5
  maxReplicaCount: 2
  triggers:
  - type: cpu
    metricType: Utilization
    metadata:
      value: \"50\"
";

/// `(exit status, [(file relative to d, [(code, severity)])], stderr)` of a JSON lint.
#[allow(clippy::type_complexity)]
fn lint_findings(
    d: &std::path::Path,
    args: &[&str],
) -> (i32, Vec<(String, Vec<(String, String)>)>, String) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = scalecore(&all, None);
    if code == 2 {
        return (code, Vec::new(), err);
    }
    let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {err}"));
    let prefix = format!("{}/", d.display());
    let files = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or("");
            let found = f["diagnostics"]
                .as_array()
                .expect("diagnostics")
                .iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("").to_owned(),
                        d["severity"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect();
            (path.strip_prefix(&prefix).unwrap_or(path).to_owned(), found)
        })
        .collect();
    (code, files, err)
}

fn write(d: &std::path::Path, file: &str, text: &str) {
    let p = d.join(file);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn found(code: &str, severity: &str) -> (String, String) {
    (code.to_owned(), severity.to_owned())
}

#[test]
fn the_nearest_config_wins_and_config_or_isolated_override_it() {
    let d = temp_dir("config-nearest");
    write(&d, "top.yaml", MIN_ABOVE_MAX);
    write(&d, "team/deep/so.yaml", MIN_ABOVE_MAX);
    write(&d, "scalecore.toml", "ignore = [\"KEDA1004\"]\n");
    // The team's file replaces the top one for its folder: the code is back, as a warning.
    write(
        &d,
        "team/.scalecore.toml",
        "[severity]\nKEDA1004 = \"warning\"\n",
    );
    let root = d.to_str().expect("utf8");
    let (code, files, err) = lint_findings(&d, &[root]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        files,
        [
            (
                "team/deep/so.yaml".to_owned(),
                vec![found("KEDA1004", "warning")]
            ),
            ("top.yaml".to_owned(), vec![]),
        ]
    );
    // A file named on its own finds its configuration the same way.
    let one = d.join("team/deep/so.yaml");
    let (code, files, _) = lint_findings(&d, &[one.to_str().expect("utf8")]);
    assert_eq!(code, 0);
    assert_eq!(files[0].1, [found("KEDA1004", "warning")]);

    let (code, files, _) = lint_findings(&d, &["--isolated", root]);
    assert_eq!(code, 1);
    assert!(files
        .iter()
        .all(|(_, f)| *f == [found("KEDA1004", "error")]));

    let other = d.join("other.toml");
    std::fs::write(&other, "[severity]\nKEDA1004 = \"info\"\n").expect("write");
    let (code, files, _) = lint_findings(&d, &["--config", other.to_str().expect("utf8"), root]);
    assert_eq!(code, 0);
    assert!(files.iter().all(|(_, f)| *f == [found("KEDA1004", "info")]));

    // Bundle-wide settings from two files must agree.
    write(&d, "scalecore.toml", "keda-version = \"2.19\"\n");
    write(&d, "team/.scalecore.toml", "keda-version = \"2.20\"\n");
    let (code, _, err) = lint_findings(&d, &[root]);
    assert_eq!(code, 2);
    assert!(
        err.contains("keda-version") && err.contains("team/.scalecore.toml"),
        "{err}"
    );
    // Both values, quoted, and the way out.
    assert!(
        err.contains("the inputs are linted as one bundle, but ")
            && err.contains(" sets keda-version \"")
            && err.contains("\"2.19\"")
            && err.contains("\"2.20\"")
            && err.ends_with("; pass --keda-version or lint them separately\n"),
        "{err}"
    );
    let (code, _, err) = lint_findings(&d, &["--keda-version", "2.20", root]);
    assert_eq!(code, 1, "{err}");
}

#[test]
fn an_unknown_config_key_is_a_usage_error_that_names_it() {
    let d = temp_dir("config-unknown");
    write(&d, "so.yaml", MIN_ABOVE_MAX);
    write(
        &d,
        "scalecore.toml",
        "ignore = []\nignored = [\"KEDA1004\"]\n",
    );
    let (code, _, err) = lint_findings(&d, &[d.to_str().expect("utf8")]);
    assert_eq!(code, 2);
    assert!(err.contains("scalecore.toml"), "{err}");
    assert!(err.contains("`ignored`"), "{err}");
    // A code that does not exist is refused the same way, not silently ignored.
    write(&d, "scalecore.toml", "ignore = [\"KEDA1O04\"]\n");
    let (code, _, err) = lint_findings(&d, &[d.to_str().expect("utf8")]);
    assert_eq!(code, 2);
    assert!(err.contains("KEDA1O04"), "{err}");
    // --isolated does not read the broken file.
    let (code, _, _) = lint_findings(&d, &["--isolated", d.to_str().expect("utf8")]);
    assert_eq!(code, 1);
}

#[test]
fn a_severity_override_changes_the_exit_status() {
    let d = temp_dir("config-severity");
    write(&d, "w.yaml", ONLY_A_WARNING);
    let root = d.to_str().expect("utf8");
    let (code, _, _) = lint_findings(&d, &[root]);
    assert_eq!(code, 0);
    write(&d, "scalecore.toml", "[severity]\nKEDA1020 = \"error\"\n");
    let (code, files, _) = lint_findings(&d, &[root]);
    assert_eq!(code, 1);
    assert_eq!(files[0].1, [found("KEDA1020", "error")]);
    write(&d, "e.yaml", MIN_ABOVE_MAX);
    write(
        &d,
        "scalecore.toml",
        "[severity]\nKEDA1004 = \"info\"\nKEDA1020 = \"info\"\n",
    );
    let (code, _, _) = lint_findings(&d, &["--fail-on", "warning", root]);
    assert_eq!(code, 0);
}

#[test]
fn select_takes_codes_or_prefixes_and_the_flag_wins() {
    let d = temp_dir("config-select");
    write(&d, "e.yaml", MIN_ABOVE_MAX);
    write(&d, "w.yaml", ONLY_A_WARNING);
    let root = d.to_str().expect("utf8");
    write(&d, "scalecore.toml", "select = [\"KEDA100\"]\n");
    let (code, files, _) = lint_findings(&d, &[root]);
    assert_eq!(code, 1);
    assert_eq!(
        files,
        [
            ("e.yaml".to_owned(), vec![found("KEDA1004", "error")]),
            ("w.yaml".to_owned(), vec![]),
        ]
    );
    let (code, files, _) = lint_findings(&d, &["--select", "KEDA1020,KEDA3", root]);
    assert_eq!(code, 0);
    assert_eq!(files[0].1, []);
    assert_eq!(files[1].1, [found("KEDA1020", "warning")]);
    let (code, _, err) = lint_findings(&d, &["--select", "BOGUS", root]);
    assert_eq!(code, 2);
    assert!(err.contains("BOGUS"), "{err}");
}

#[test]
fn exclude_globs_from_the_config_apply_to_walks_from_its_folder() {
    let d = temp_dir("config-exclude");
    for f in [
        "keep.yaml",
        "gen/x.yaml",
        "deploy/a.local.yaml",
        "deploy/ok.yaml",
        "deploy/only-top.yaml",
    ] {
        write(&d, f, "a: 1\n");
    }
    // `/deploy/only-top.yaml` is anchored at the configuration's folder, also when the walk
    // starts below it.
    write(
        &d,
        "scalecore.toml",
        "exclude = [\"gen/\", \"*.local.yaml\", \"/deploy/only-top.yaml\"]\n",
    );
    let (_, files) = lint_json_paths(&[d.to_str().expect("utf8")]);
    assert_eq!(names(&d, &files), ["deploy/ok.yaml", "keep.yaml"]);
    let (_, files) = lint_json_paths(&[d.join("deploy").to_str().expect("utf8")]);
    assert_eq!(names(&d, &files), ["deploy/ok.yaml"]);
    let (_, files) = lint_json_paths(&["--isolated", d.to_str().expect("utf8")]);
    assert_eq!(files.len(), 5);
    // The globs of a --config file are anchored at that file's folder too.
    let elsewhere = temp_dir("config-exclude-other");
    write(&elsewhere, "only.toml", "exclude = [\"/deploy/\"]\n");
    let config = elsewhere.join("only.toml");
    let (_, files) = lint_json_paths(&[
        "--config",
        config.to_str().expect("utf8"),
        d.to_str().expect("utf8"),
    ]);
    assert_eq!(files.len(), 5);
    write(&d, "only.toml", "exclude = [\"/deploy/\"]\n");
    let (_, files) = lint_json_paths(&[
        "--config",
        d.join("only.toml").to_str().expect("utf8"),
        d.to_str().expect("utf8"),
    ]);
    assert_eq!(names(&d, &files), ["gen/x.yaml", "keep.yaml"]);
}

#[test]
fn inline_ignores_work_from_the_cli() {
    let text = MIN_ABOVE_MAX.replace(
        "  minReplicaCount: 5\n",
        "  # scalecore:ignore KEDA1004 -- two replicas are plenty\n  minReplicaCount: 5 # scalecore:ignore KEDA1020\n",
    );
    let (code, out, _) = scalecore(&["lint", "--isolated", "-"], Some(text.as_bytes()));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("KEDA0014") && out.contains("unused ignore of KEDA1020"),
        "{out}"
    );
    assert!(!out.contains("KEDA1004"), "{out}");
}

#[test]
fn schema_prints_the_files_of_docs_schemas() {
    for name in ["scenario", "trace", "report", "diagnostic"] {
        let (code, out, err) = scalecore(&["schema", name], None);
        assert_eq!(code, 0, "{name}: {err}");
        let file = std::fs::read_to_string(repo(&format!("docs/schemas/{name}.schema.json")))
            .expect("schema file");
        assert_eq!(out, file, "{name}");
    }
    let (code, _, err) = scalecore(&["schema", "sarif"], None);
    assert_eq!(code, 2);
    assert!(err.contains("scenario"), "{err}");
}

#[test]
fn an_unreadable_scenario_is_a_usage_error_that_says_why() {
    let d = temp_dir("scenario-unreadable");
    let missing = d.join("missing.json");
    let missing = missing.to_str().expect("utf8");
    let (code, _, err) = scalecore(&["simulate", missing], None);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!("scalecore: cannot read {missing}: ")),
        "{err}"
    );
    let (code, _, err) = scalecore(&["simulate", "-"], Some(b"{\"a\": \"\xff\"}"));
    assert_eq!(code, 2);
    assert_eq!(err, "scalecore: -: not UTF-8 (at byte 7)\n");
}
