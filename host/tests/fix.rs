//! `scalecore lint --fix`, `--unsafe-fixes` and `--diff` as a user runs them: files rewritten
//! in place (or not at all), diffs, standard input, exit statuses and the summary.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn scalecore_in(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalecore"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn scalecore");
    if let Some(input) = stdin {
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

fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("scalecore-fix-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

/// Two safe fixes (a misspelt field, a number trigger metadata wants as a string), one unsafe
/// (a field with several plausible names) and one finding no fix resolves (min above max).
const BROKEN: &str = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  pollingIntervall: 30
  minReplicaCoun: 0
  idleReplicaCount: 5
  maxReplicaCount: 2
  triggers:
  - type: cron
    metadata:
      timezone: UTC
      start: 0 7 * * *
      end: 0 19 * * *
      desiredReplicas: 5
";

const SAFE_FIXED: &str = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  pollingInterval: 30
  minReplicaCoun: 0
  idleReplicaCount: 5
  maxReplicaCount: 2
  triggers:
  - type: cron
    metadata:
      timezone: UTC
      start: 0 7 * * *
      end: 0 19 * * *
      desiredReplicas: \"5\"
";

const CLEAN: &str = "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: clean
spec:
  scaleTargetRef:
    name: clean
  triggers:
  - type: cron
    metadata:
      timezone: UTC
      start: 0 7 * * *
      end: 0 19 * * *
      desiredReplicas: \"5\"
";

fn setup(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    std::fs::write(dir.join("so.yaml"), BROKEN).unwrap();
    std::fs::write(dir.join("clean.yaml"), CLEAN).unwrap();
    std::fs::set_permissions(dir.join("so.yaml"), std::fs::Permissions::from_mode(0o640)).unwrap();
    dir
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn fix_rewrites_the_files_in_place_and_reports_what_is_left() {
    let dir = setup("in-place");
    let clean_before = std::fs::metadata(dir.join("clean.yaml")).unwrap();
    let (code, out, err) = scalecore_in(&dir, &["lint", "--fix", "--format", "json", "."], None);
    assert_eq!(read(&dir, "so.yaml"), SAFE_FIXED);
    // What is left still fails the run: the exit status is the final lint's.
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let left: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap())
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(left.contains(&"KEDA0108"), "{left:?}");
    assert!(!left.contains(&"KEDA0101"), "{left:?}");
    assert!(
        err.contains(&format!("Fixed 2 findings in 1 file ({} left)", left.len())),
        "{err}"
    );
    // The file keeps its permissions; a file with nothing to fix is not written at all; no
    // temporary file is left behind.
    let mode = std::fs::metadata(dir.join("so.yaml"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    let clean_after = std::fs::metadata(dir.join("clean.yaml")).unwrap();
    assert_eq!(
        clean_before.modified().unwrap(),
        clean_after.modified().unwrap()
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["clean.yaml", "so.yaml"]);

    // Unsafe fixes on request: the guessed rename, then only min above max is left.
    let (code, _, err) = scalecore_in(&dir, &["lint", "--fix", "--unsafe-fixes", "so.yaml"], None);
    assert!(read(&dir, "so.yaml").contains("  minReplicaCount: 0\n"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Fixed 1 finding in 1 file"), "{err}");
    // Nothing more to fix: nothing is written and the summary says so.
    let (_, _, err) = scalecore_in(&dir, &["lint", "--fix", "--unsafe-fixes", "so.yaml"], None);
    assert!(err.contains("Fixed 0 findings in 0 files"), "{err}");
}

#[test]
fn diff_prints_the_change_writes_nothing_and_exits_1_when_there_is_one() {
    let dir = setup("diff");
    let (code, out, err) = scalecore_in(&dir, &["lint", "--diff", "so.yaml", "clean.yaml"], None);
    assert_eq!(code, 1, "{err}");
    assert_eq!(read(&dir, "so.yaml"), BROKEN);
    assert!(out.starts_with("--- so.yaml\n+++ so.yaml\n@@ "), "{out}");
    assert!(
        out.contains("\n-  pollingIntervall: 30\n+  pollingInterval: 30\n"),
        "{out}"
    );
    assert!(
        out.contains("\n-      desiredReplicas: 5\n+      desiredReplicas: \"5\"\n"),
        "{out}"
    );
    assert!(!out.contains("clean.yaml"), "{out}");
    assert!(
        !out.contains("minReplicaCount"),
        "unsafe fixes left out: {out}"
    );
    assert!(err.contains("Would fix 2 findings in 1 file"), "{err}");
    let (_, out, _) = scalecore_in(&dir, &["lint", "--diff", "--unsafe-fixes", "so.yaml"], None);
    assert!(out.contains("+  minReplicaCount: 0\n"), "{out}");
    assert_eq!(read(&dir, "so.yaml"), BROKEN);
    // No change: exit 0, no diff.
    let (code, out, _) = scalecore_in(&dir, &["lint", "--diff", "clean.yaml"], None);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn fixed_standard_input_goes_to_standard_output_and_the_report_to_standard_error() {
    let dir = temp_dir("stdin");
    let (code, out, err) = scalecore_in(&dir, &["lint", "--fix", "-"], Some(BROKEN.as_bytes()));
    assert_eq!(out, SAFE_FIXED);
    assert_eq!(code, 1);
    assert!(err.contains("error[KEDA0108]"), "{err}");
    assert!(err.contains("Fixed 2 findings in 1 file"), "{err}");
    // Clean input passes through unchanged, exit 0.
    let (code, out, _) = scalecore_in(&dir, &["lint", "--fix", "-"], Some(CLEAN.as_bytes()));
    assert_eq!((code, out.as_str()), (0, CLEAN));
}

#[test]
fn fixes_honour_ignores_select_and_the_configuration() {
    let dir = setup("settings");
    // An inline ignore silences the finding, and with it its fix.
    let ignored = BROKEN.replace(
        "  pollingIntervall: 30\n",
        "  pollingIntervall: 30 # scalecore:ignore KEDA0108\n",
    );
    std::fs::write(dir.join("so.yaml"), &ignored).unwrap();
    let _ = scalecore_in(&dir, &["lint", "--fix", "so.yaml"], None);
    let text = read(&dir, "so.yaml");
    assert!(
        text.contains("pollingIntervall: 30 # scalecore:ignore"),
        "{text}"
    );
    assert!(text.contains("desiredReplicas: \"5\""), "{text}");
    // --select keeps only the selected codes' fixes.
    std::fs::write(dir.join("so.yaml"), BROKEN).unwrap();
    let _ = scalecore_in(
        &dir,
        &["lint", "--fix", "--select", "KEDA0101", "so.yaml"],
        None,
    );
    let text = read(&dir, "so.yaml");
    assert!(text.contains("pollingIntervall: 30"), "{text}");
    assert!(text.contains("desiredReplicas: \"5\""), "{text}");
    // scalecore.toml's ignore applies as well.
    std::fs::write(dir.join("so.yaml"), BROKEN).unwrap();
    std::fs::write(dir.join("scalecore.toml"), "ignore = [\"KEDA0101\"]\n").unwrap();
    let _ = scalecore_in(&dir, &["lint", "--fix", "so.yaml"], None);
    let text = read(&dir, "so.yaml");
    assert!(text.contains("pollingInterval: 30"), "{text}");
    assert!(text.contains("desiredReplicas: 5\n"), "{text}");
}

#[test]
fn unsafe_fixes_need_fix_or_diff() {
    let dir = setup("flags");
    let (code, _, err) = scalecore_in(&dir, &["lint", "--unsafe-fixes", "so.yaml"], None);
    assert_eq!(code, 2, "{err}");
    assert_eq!(read(&dir, "so.yaml"), BROKEN);
}

#[test]
fn human_output_marks_fixable_findings_and_counts_them() {
    let dir = setup("human");
    let (_, out, _) = scalecore_in(&dir, &["lint", "so.yaml"], None);
    assert!(
        out.contains("[*] fix available (--fix): Rename to \"pollingInterval\""),
        "{out}"
    );
    assert!(
        out.contains("[*] fix available (--fix --unsafe-fixes): Rename to \"minReplicaCount\""),
        "{out}"
    );
    assert!(
        out.contains("2 fixable with `scalecore lint --fix`, 1 more with --unsafe-fixes"),
        "{out}"
    );
}

#[test]
fn a_fix_in_one_file_takes_what_another_file_holds() {
    let dir = temp_dir("bundle");
    std::fs::write(
        dir.join("workload.yaml"),
        "apiVersion: v1
kind: ServiceAccount
metadata:
  name: orders-sa
  namespace: demo
  annotations:
    azure.workload.identity/client-id: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: demo
spec:
  template:
    metadata:
      labels:
        azure.workload.identity/use: \"true\"
    spec:
      serviceAccountName: orders-sa
      containers:
      - name: app
        image: app
",
    )
    .unwrap();
    let keda = "apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: auth
  namespace: demo
spec:
  podIdentity:
    provider: azure-workload
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
  namespace: demo
spec:
  scaleTargetRef:
    name: orders
  triggers:
  - type: azure-servicebus
    authenticationRef:
      name: auth
    metadata:
      queueName: orders
      namespace: orders-ns
";
    std::fs::write(dir.join("keda.yaml"), keda).unwrap();
    // Alone, the TriggerAuthentication's file has no client id to take: no fix.
    let (_, _, err) = scalecore_in(&dir, &["lint", "--fix", "keda.yaml"], None);
    assert!(err.contains("Fixed 0 findings"), "{err}");
    assert_eq!(read(&dir, "keda.yaml"), keda);
    // With the workload's file in the bundle, the client id comes from its ServiceAccount.
    let (code, _, err) = scalecore_in(&dir, &["lint", "--fix", "."], None);
    assert_eq!(code, 0, "{err}");
    assert!(
        read(&dir, "keda.yaml").contains(
            "  podIdentity:\n    identityId: 0d1e2f3a-4b5c-6d7e-8f90-a1b2c3d4e5f6\n    provider: azure-workload\n"
        ),
        "{}",
        read(&dir, "keda.yaml")
    );
    assert!(err.contains("Fixed 1 finding in 1 file"), "{err}");
}
