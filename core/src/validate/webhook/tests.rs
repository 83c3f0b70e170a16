//! Unit tests per rule, the validation vectors, and the KEDA docs corpus.

use super::MAIN;
use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{parse_stream, Limits};
use crate::validate::{lint, lint_bundle, LintOptions};
use crate::version::KedaVersion;

fn opts(version: KedaVersion) -> LintOptions {
    LintOptions {
        keda_version: version,
        ..LintOptions::default()
    }
}

fn webhook_findings(text: &str, version: KedaVersion) -> Vec<Diagnostic> {
    lint(text, &opts(version))
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA1"))
        .collect()
}

fn codes(text: &str, version: KedaVersion) -> Vec<String> {
    webhook_findings(text, version)
        .into_iter()
        .map(|d| d.code)
        .collect()
}

fn so(spec: &str) -> String {
    format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n{spec}"
    )
}

const KAFKA: &str = "  triggers:\n  - type: kafka\n    name: lag\n    metadata:\n      topic: t\n";
const D: KedaVersion = KedaVersion::DEFAULT;

fn v(minor: u16, patch: u16) -> KedaVersion {
    KedaVersion::new(2, minor, patch)
}

#[test]
fn baseline_is_clean() {
    assert!(codes(&so(KAFKA), D).is_empty());
    assert!(codes(&so(KAFKA), MAIN).is_empty());
}

#[test]
fn min_above_max_with_design_message() {
    let text = so(&format!(
        "  minReplicaCount: 5\n  maxReplicaCount: 2\n{KAFKA}"
    ));
    let found = webhook_findings(&text, D);
    let d = found.iter().find(|d| d.code == "KEDA1004").unwrap();
    assert_eq!(
        d.message,
        "minReplicaCount (5) is greater than maxReplicaCount (2)"
    );
    assert_eq!(
        d.help.as_deref(),
        Some("lower minReplicaCount or raise maxReplicaCount")
    );
    assert_eq!(d.path, "spec.minReplicaCount");
    assert_eq!((d.line, d.column), (8, 20));
    // Only the controller complained before v2.20.0.
    assert!(!codes(&text, v(19, 0)).contains(&"KEDA1004".to_owned()));
    // Without maxReplicaCount the default 100 applies.
    let text = so(&format!("  minReplicaCount: 101\n{KAFKA}"));
    assert_eq!(codes(&text, D), ["KEDA1004"]);
    assert!(codes(&so(&format!("  minReplicaCount: 100\n{KAFKA}")), D).is_empty());
}

#[test]
fn idle_replicas_effective_min_quirk() {
    // Omitted min counts as 0: idle 0 is not below it.
    let omitted = so(&format!("  idleReplicaCount: 0\n{KAFKA}"));
    assert_eq!(codes(&omitted, D), ["KEDA1005"]);
    // Explicit 0 counts as 1 (the HPA minimum), so idle 0 is fine.
    let explicit = so(&format!(
        "  minReplicaCount: 0\n  idleReplicaCount: 0\n{KAFKA}"
    ));
    assert!(codes(&explicit, D).is_empty());
    let above = so(&format!(
        "  minReplicaCount: 2\n  idleReplicaCount: 2\n{KAFKA}"
    ));
    assert_eq!(codes(&above, D), ["KEDA1005"]);
    assert!(codes(&above, v(19, 0)).is_empty());
}

#[test]
fn name_lengths() {
    let name63 = "a".repeat(63);
    let long = so(KAFKA).replace(
        "name: orders\nspec",
        &format!("name: {}\nspec", "a".repeat(64)),
    );
    assert_eq!(codes(&long, D), ["KEDA1006"]);
    let custom = so(&format!(
        "  advanced:\n    horizontalPodAutoscalerConfig:\n      name: short\n{KAFKA}"
    ))
    .replace("name: orders\nspec", &format!("name: {name63}\nspec"));
    assert!(codes(&custom, D).is_empty());
    let hpa = so(KAFKA).replace(
        "name: orders\nspec",
        &format!("name: {}\nspec", "b".repeat(55)),
    );
    let found = webhook_findings(&hpa, D);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "KEDA1007");
    assert!(found[0].message.contains("64 characters"));
    assert!(codes(&hpa, v(19, 0)).is_empty());
}

#[test]
fn scale_target_api_version() {
    let text = so(KAFKA).replace(
        "    name: orders\n",
        "    name: orders\n    apiVersion: apps/v1/extra\n",
    );
    let found = webhook_findings(&text, D);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "KEDA1017");
    assert_eq!(
        found[0].message,
        "unexpected GroupVersion string: apps/v1/extra"
    );
    for ok in ["apps/v1", "v1", "argoproj.io/v1alpha1", "/"] {
        let text = so(KAFKA).replace(
            "    name: orders\n",
            &format!("    name: orders\n    apiVersion: {ok}\n"),
        );
        assert!(codes(&text, D).is_empty(), "{ok}");
    }
}

#[test]
fn fallback_rules_follow_release_history() {
    let cpu = "  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '50'\n";
    let fb = "  fallback:\n    failureThreshold: 3\n    replicas: 2\n";
    let only_cpu = so(&format!("{fb}{cpu}"));
    assert_eq!(codes(&only_cpu, D), ["KEDA1009"]);
    assert!(codes(&only_cpu, v(13, 0)).is_empty());
    let mixed = so(&format!(
        "{fb}{cpu}  - type: kafka\n    metadata:\n      topic: t\n"
    ));
    assert!(codes(&mixed, D).is_empty());
    assert_eq!(codes(&mixed, v(16, 0)), ["KEDA1009"]);
    // metricType omitted: refused by v2.17.0, fine from v2.17.1.
    assert_eq!(codes(&mixed, v(17, 0)), ["KEDA1009"]);
    assert!(codes(&mixed, v(17, 1)).is_empty());
    let negative = so(&format!(
        "  fallback:\n    failureThreshold: -1\n    replicas: 2\n{KAFKA}"
    ));
    assert_eq!(codes(&negative, v(19, 0)), ["KEDA1008"]);
    assert!(
        codes(&negative, D).is_empty(),
        "the CRD minimum reports it from v2.20"
    );
}

#[test]
fn trigger_rules() {
    let dup = so("  triggers:\n  - type: kafka\n    name: a\n    metadata: {}\n  - type: cron\n    name: a\n    metadata: {}\n");
    let found = webhook_findings(&dup, D);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].code, "KEDA1003");
    assert_eq!(found[0].path, "spec.triggers[1].name");
    assert!(codes(&dup, v(10, 0)).is_empty());
    let unnamed =
        so("  triggers:\n  - type: kafka\n    metadata: {}\n  - type: kafka\n    metadata: {}\n");
    assert!(codes(&unnamed, D).is_empty());
    for (ty, bad) in [
        ("cpu", true),
        ("memory", true),
        ("cron", true),
        ("kafka", false),
        ("CPU", false),
    ] {
        let t = so(&format!(
            "  triggers:\n  - type: {ty}\n    useCachedMetrics: true\n    metadata: {{}}\n"
        ));
        assert_eq!(codes(&t, D).contains(&"KEDA1002".to_owned()), bad, "{ty}");
    }
    let empty = so("  triggers: []\n");
    assert_eq!(codes(&empty, v(14, 0)), ["KEDA1001"]);
    assert!(codes(&empty, v(13, 0)).is_empty());
    let sj = "apiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata:\n  name: j\nspec:\n  jobTargetRef:\n    template: {}\n  triggers:\n  - type: kafka\n    name: a\n    metadata: {}\n  - type: kafka\n    name: a\n    metadata: {}\n";
    assert_eq!(codes(sj, D), ["KEDA1003"]);
}

#[test]
fn admission_warnings_by_release() {
    let text = so(&format!("  minReplicaCount: 2\n  idleReplicaCount: 1\n  pollingInterval: 30\n  cooldownPeriod: 60\n{KAFKA}"));
    let found = webhook_findings(&text, D);
    assert!(found.iter().all(|d| d.severity == Severity::Warning));
    // v2.20.x warned when idleReplicaCount was non-zero; main does not.
    assert_eq!(codes(&text, D), ["KEDA1020", "KEDA1021"]);
    assert!(codes(&text, MAIN).is_empty());
    assert!(codes(&text, v(19, 0)).is_empty());
    let cached = so("  minReplicaCount: 1\n  pollingInterval: 30\n  triggers:\n  - type: kafka\n    useCachedMetrics: true\n    metadata: {}\n");
    assert!(codes(&cached, MAIN).is_empty());
    let zero = so(&format!(
        "  minReplicaCount: 0\n  pollingInterval: 30\n  cooldownPeriod: 5\n{KAFKA}"
    ));
    assert!(codes(&zero, MAIN).is_empty());
}

#[test]
fn scaling_modifiers_rules() {
    let sm = |body: &str| {
        so(&format!(
            "  advanced:\n    scalingModifiers:\n{body}{KAFKA}"
        ))
    };
    assert!(codes(&sm("      formula: lag * 2\n      target: '5'\n"), D).is_empty());
    assert_eq!(codes(&sm("      target: '5'\n"), D), ["KEDA1011"]);
    assert_eq!(codes(&sm("      formula: lag\n"), D), ["KEDA1012"]);
    assert_eq!(
        codes(&sm("      formula: lag\n      target: '-1'\n"), D),
        ["KEDA1014"]
    );
    assert_eq!(
        codes(&sm("      formula: lag\n      target: 0x1p-2\n"), D),
        Vec::<String>::new()
    );
    let bad = sm("      formula: lag + nope\n      target: '5'\n");
    let found = webhook_findings(&bad, D);
    assert_eq!(found.len(), 1);
    let d = &found[0];
    assert_eq!(d.code, "KEDA1013");
    assert!(
        d.message.contains("unknown name nope (1:13)"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("usable in the formula: lag"),
        "{}",
        d.message
    );
    // The span covers `nope` inside the plain scalar `lag + nope` (line 10, col 16).
    assert_eq!(
        (d.line, d.column, d.end_line, d.end_column),
        (10, 22, 10, 26)
    );
    let quoted = sm("      formula: \"lag + nope\"\n      target: '5'\n");
    let d = &webhook_findings(&quoted, D)[0];
    assert_eq!((d.column, d.end_column), (23, 27));
    let cpu_named = so("  advanced:\n    scalingModifiers:\n      formula: lag + load\n      target: '5'\n  triggers:\n  - type: kafka\n    name: lag\n    metadata: {}\n  - type: cpu\n    name: load\n    metadata:\n      value: '50'\n");
    let d = &webhook_findings(&cpu_named, D)[0];
    assert!(
        d.message.contains("load is a cpu or memory trigger"),
        "{}",
        d.message
    );
    let dashed = so("  advanced:\n    scalingModifiers:\n      formula: my-lag\n      target: '5'\n  triggers:\n  - type: kafka\n    name: my-lag\n    metadata: {}\n");
    let d = &webhook_findings(&dashed, D)[0];
    assert!(d.message.contains("must be identifiers"), "{}", d.message);
    let util = sm("      formula: lag\n      target: '5'\n      metricType: Utilization\n");
    assert_eq!(codes(&util, v(19, 0)), ["KEDA1015"]);
    assert!(codes(&util, D).is_empty());
    let fb = so(&format!("  fallback:\n    failureThreshold: 3\n    replicas: 2\n    behavior: scalingModifiers\n{KAFKA}"));
    assert_eq!(codes(&fb, D), ["KEDA1016"]);
    assert!(codes(&fb, v(19, 0)).is_empty());
}

#[test]
fn trigger_authentication_rules() {
    let ta = |spec: &str| {
        format!("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: a\nspec:\n{spec}")
    };
    let az = |extra: &str| {
        ta(&format!(
            "  podIdentity:\n    provider: azure-workload\n{extra}"
        ))
    };
    assert_eq!(codes(&az("    identityId: \"\"\n"), D), ["KEDA1031"]);
    assert!(codes(&az("    identityId: abc\n"), D).is_empty());
    assert_eq!(
        codes(&az("    identityAuthorityHost: https://login\n"), D),
        ["KEDA1032"]
    );
    assert!(codes(
        &az("    identityAuthorityHost: https://login\n    identityTenantId: t\n"),
        D
    )
    .is_empty());
    assert_eq!(codes(&az("    identityTenantId: ''\n"), D), ["KEDA1033"]);
    let aws = |extra: &str| ta(&format!("  podIdentity:\n    provider: aws\n{extra}"));
    assert_eq!(
        codes(&aws("    roleArn: arn:x\n    identityOwner: workload\n"), D),
        ["KEDA1034"]
    );
    assert!(codes(&aws("    roleArn: arn:x\n    identityOwner: keda\n"), D).is_empty());
    assert_eq!(codes(&aws("    externalID: e\n"), D), ["KEDA1035"]);
    assert!(codes(&aws("    externalID: e\n"), v(19, 0)).is_empty());
    let oauth = |url: &str| {
        ta(&format!(
            "  oauth2:\n    type: clientCredentials\n    clientId: c\n    tokenUrl: {url}\n"
        ))
    };
    assert!(codes(&oauth("https://idp.example.com/token"), D).is_empty());
    assert!(codes(&oauth("HTTP://idp:8080/t"), D).is_empty());
    for bad in [
        "ftp://idp/token",
        "idp.example.com/token",
        "https:///token",
        "https://idp:80a/t",
        "https://id p/t",
    ] {
        assert_eq!(codes(&oauth(bad), D), ["KEDA1037"], "{bad}");
    }
    let missing = ta("  oauth2:\n    type: clientCredentials\n    clientId: ''\n");
    assert_eq!(codes(&missing, D), ["KEDA1036", "KEDA1036"]);
    // gcp pod identity makes the webhook skip oauth2 entirely.
    let gcp = ta("  podIdentity:\n    provider: gcp\n  oauth2:\n    clientId: ''\n");
    assert!(codes(&gcp, D).is_empty());
    let cta = ta("  podIdentity:\n    provider: azure-workload\n    identityId: ''\n").replace(
        "kind: TriggerAuthentication",
        "kind: ClusterTriggerAuthentication",
    );
    assert_eq!(codes(&cta, D), ["KEDA1031"]);
}

/// Codes that stand for a reason label of the vectors.
fn codes_for(reason: &str) -> Option<&'static [&'static str]> {
    let label = reason.strip_prefix("webhook:").unwrap_or(reason);
    Some(match label {
        "incorrect-replicas" => &["KEDA1004", "KEDA1005"],
        "name-too-long" => &["KEDA1006"],
        "hpa-name-too-long" => &["KEDA1007"],
        "incorrect-fallback" => &["KEDA1008", "KEDA1009"],
        "incorrect-triggers" => &["KEDA1001", "KEDA1002", "KEDA1003"],
        "scaling-modifiers" => &["KEDA1011", "KEDA1012", "KEDA1013", "KEDA1014", "KEDA1015"],
        "scaling-modifiers-fallback" => &["KEDA1016"],
        "scale-target-gvk-parse-error" => &["KEDA1017"],
        "identity-id-empty" => &["KEDA1031"],
        "authority-host-without-tenant-id" => &["KEDA1032"],
        "identity-tenant-id-empty" => &["KEDA1033"],
        "role-arn-with-workload-identity-owner" => &["KEDA1034"],
        "external-id-requires-role-arn" => &["KEDA1035"],
        "oauth2-token-url-invalid" => &["KEDA1037"],
        // KEDA1004 stands for the CRD's CEL rule as well.
        "crd:minReplicaCount-gt-maxReplicaCount" => &["KEDA1004"],
        _ => return None,
    })
}

struct Vector {
    file: String,
    text: String,
    expect_reject: bool,
    reason: String,
    last: usize,
}

fn vectors() -> Vec<Vector> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/validation");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = parse_stream(&text, &Limits::default());
        let header = docs[0].root.as_ref().unwrap();
        out.push(Vector {
            file: path.file_name().unwrap().to_string_lossy().into_owned(),
            expect_reject: header.get("expect").and_then(|n| n.as_str()) == Some("reject"),
            reason: header
                .get("reason")
                .and_then(|n| n.text())
                .unwrap_or("")
                .to_owned(),
            last: docs.len() - 1,
            text,
        });
    }
    out
}

/// This layer's findings on the submitted (last) document.
fn findings_on_last(vec: &Vector, version: KedaVersion) -> Vec<Diagnostic> {
    lint_bundle(&[&vec.text], &opts(version))
        .pop()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA1") && d.document == vec.last)
        .collect()
}

#[test]
fn validation_vectors() {
    let mut checked = 0;
    for vec in vectors() {
        for version in [D, MAIN] {
            let found = findings_on_last(&vec, version);
            let errors: Vec<&Diagnostic> = found
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            if vec.expect_reject {
                let Some(expected) = codes_for(&vec.reason) else {
                    // Another layer's reason (schema, cluster state): nothing of this layer
                    // fires, since each of these manifests breaks exactly one rule.
                    assert!(errors.is_empty(), "{}: {errors:?}", vec.file);
                    checked += 1;
                    continue;
                };
                assert!(
                    errors.iter().any(|d| expected.contains(&d.code.as_str())),
                    "{}: expected one of {expected:?}, got {found:?}",
                    vec.file
                );
            } else {
                assert!(
                    errors.is_empty(),
                    "{}: accepted by KEDA, got {errors:?}",
                    vec.file
                );
                // Warnings as `main` words them (055 still warned in v2.20.0-v2.20.2).
                if version == MAIN {
                    let warned: Vec<&str> = found
                        .iter()
                        .filter(|d| d.severity == Severity::Warning)
                        .map(|d| d.code.as_str())
                        .collect();
                    let expected: &[&str] = match vec.reason.as_str() {
                        "ok+warning:cooldownPeriod-not-relevant" => &["KEDA1021"],
                        "ok+warning:pollingInterval-not-relevant" => &["KEDA1020"],
                        _ => &[],
                    };
                    assert_eq!(warned, expected, "{}", vec.file);
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 120, "only {checked} vector runs");
}

#[test]
fn vectors_across_releases() {
    // (file prefix, release, rejected by this layer?) from the "other versions" column.
    let cases: &[(&str, KedaVersion, bool)] = &[
        ("008", v(19, 0), false),
        ("010", v(13, 0), false),
        ("010", v(14, 0), true),
        ("011", v(16, 0), true),
        ("011", v(17, 0), false),
        ("013", v(17, 1), true),
        ("013", v(18, 0), false),
        ("038", v(19, 0), false),
        ("055", v(20, 2), false),
        ("068", v(17, 0), true),
        ("068", v(17, 1), false),
        ("070", v(16, 0), true),
        ("073", v(16, 0), true),
        ("076", v(16, 0), true),
        ("076", v(17, 0), false),
        ("077", v(17, 0), true),
        ("083", v(19, 0), false),
        ("088", v(10, 0), false),
        ("095", v(10, 0), false),
        ("074", v(19, 0), true),
        ("040", v(19, 0), false),
        ("082", v(19, 0), false),
        ("089", v(10, 0), false),
        ("091", v(10, 0), false),
        ("091", v(11, 0), true),
        ("100", v(13, 0), false),
        ("100", v(14, 0), true),
        ("103", v(13, 0), false),
        ("106", v(12, 0), false),
        ("106", v(13, 0), true),
        ("115", v(19, 0), false),
        ("118", v(11, 0), false),
        ("118", v(12, 0), true),
        ("127", v(11, 0), false),
        ("127", v(12, 0), true),
        ("074", v(20, 0), false),
    ];
    let all = vectors();
    for &(prefix, version, rejected) in cases {
        let vec = all.iter().find(|x| x.file.starts_with(prefix)).unwrap();
        let found = findings_on_last(vec, version);
        let errors = found.iter().any(|d| d.severity == Severity::Error);
        assert_eq!(errors, rejected, "{} at {version}: {found:?}", vec.file);
    }
    // 055: v2.20.0-v2.20.2 warned because idleReplicaCount was non-zero.
    let w = findings_on_last(all.iter().find(|x| x.file.starts_with("055")).unwrap(), D);
    assert!(w.iter().any(|d| d.code == "KEDA1020"));
}

#[test]
fn formula_vectors() {
    let all = vectors();
    for n in [
        "043", "044", "046", "047", "049", "050", "052", "053", "127", "128", "130", "131",
    ] {
        let vec = all.iter().find(|x| x.file.starts_with(n)).unwrap();
        let found = findings_on_last(vec, D);
        let sm: Vec<&Diagnostic> = found
            .iter()
            .filter(|d| d.code.starts_with("KEDA101"))
            .collect();
        assert_eq!(!sm.is_empty(), vec.expect_reject, "{}: {found:?}", vec.file);
    }
}

/// Files of KEDA's docs on which this layer reports errors, each defended by KEDA's code.
const DOCS_EXPECTED: &[(&str, &str)] = &[];

#[test]
fn keda_docs_corpus() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/corpus/keda-docs");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut fired = Vec::new();
    for path in files {
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in lint(&text, &opts(D)) {
            if d.code.starts_with("KEDA1") {
                eprintln!(
                    "{name}: {} {:?} {} {}",
                    d.code, d.severity, d.path, d.message
                );
                if d.severity == Severity::Error {
                    fired.push((name.clone(), d.code.clone()));
                }
            }
        }
    }
    let fired: Vec<(&str, &str)> = fired
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(fired, DOCS_EXPECTED);
}

/// `cargo test -p scalecore --release -- --ignored lint_timing --nocapture`
#[test]
#[ignore]
fn lint_timing() {
    for n in ["001", "043", "131"] {
        let vec = vectors()
            .into_iter()
            .find(|x| x.file.starts_with(n))
            .unwrap();
        let o = opts(D);
        let start = std::time::Instant::now();
        let rounds = 2000;
        for _ in 0..rounds {
            std::hint::black_box(lint(&vec.text, &o));
        }
        let per = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(crate::validate::load_bundle(&[&vec.text], &o));
        }
        let load = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        let (bundle, _) = crate::validate::load_bundle(&[&vec.text], &o);
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let mut out = Vec::new();
            let mut report = crate::rules::Report::new(&mut out, D);
            for r in bundle.resources.iter().filter(|r| r.is_keda()) {
                let ctx = crate::rules::Ctx {
                    resource: r,
                    bundle: &bundle,
                    options: &o,
                    texts: &[&vec.text],
                };
                for rule in super::RULES {
                    if let crate::rules::Check::Resource(check) = rule.check {
                        check(&ctx, &mut report);
                    }
                }
            }
            std::hint::black_box(out);
        }
        let mine = start.elapsed().as_secs_f64() * 1e6 / f64::from(rounds);
        eprintln!(
            "{}: lint {per:.1} µs, load {load:.1} µs, webhook rules {mine:.1} µs",
            vec.file
        );
    }
}

#[test]
#[ignore]
fn show_vector_findings() {
    for vec in vectors() {
        for d in findings_on_last(&vec, D) {
            eprintln!(
                "{} {}:{} {} {} | {}",
                vec.file, d.line, d.column, d.code, d.path, d.message
            );
        }
    }
}
