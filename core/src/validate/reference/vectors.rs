//! Runs the validation vectors and the documentation corpus through the reference and lint
//! layers. Only diagnostics of these two layers (KEDA3xxx, KEDA4xxx) are judged here; the
//! other layers have their own vector runs.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{parse_stream, Limits};
use crate::validate::{lint_bundle, LintOptions};

/// Verdicts decided by this layer (KEDA's reason labels, §12 of the spec).
const OUR_REASONS: &[&str] = &[
    "webhook:other-hpa",
    "webhook:transfer-ownership-missing-hpa-name",
    "webhook:other-scaled-object",
    "webhook:other-scaled-object-hpa",
    "webhook:missing-requests",
    "webhook:scale-to-zero-requirements-not-met",
    "webhook:scale-target-not-found",
    "webhook:scale-target-gvk-parse-error",
];

struct Case {
    file: String,
    expect: String,
    reason: String,
    /// The object documents (the header removed).
    body: String,
    documents: usize,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn header_field(header: &str, key: &str) -> String {
    header
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .unwrap_or("")
        .trim()
        .trim_matches('\'')
        .to_owned()
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/vectors/validation");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let (header, body) = text.split_once("\n---\n").unwrap();
            let documents = parse_stream(body, &Limits::default()).len();
            Case {
                file: p.file_name().unwrap().to_string_lossy().into_owned(),
                expect: header_field(header, "expect"),
                reason: header_field(header, "reason"),
                body: body.to_owned(),
                documents,
            }
        })
        .collect()
}

fn ours(d: &Diagnostic) -> bool {
    d.code.starts_with("KEDA3") || d.code.starts_with("KEDA4")
}

/// Diagnostics of these layers on the submitted (last) document.
fn judged(case: &Case, options: &LintOptions) -> Vec<Diagnostic> {
    lint_bundle(&[case.body.as_str()], options)
        .pop()
        .unwrap_or_default()
        .into_iter()
        .filter(|d| ours(d) && d.document + 1 == case.documents)
        .collect()
}

fn errors(ds: &[Diagnostic]) -> Vec<&Diagnostic> {
    ds.iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

#[test]
fn validation_vectors() {
    let options = LintOptions::default();
    let all = cases();
    assert!(all.len() >= 90, "vectors missing: {}", all.len());
    let (mut multi, mut single_accept, mut failures) = (0, 0, Vec::new());
    for case in &all {
        let mine = OUR_REASONS.contains(&case.reason.as_str());
        let is_multi = case.documents > 1;
        if !is_multi && (case.expect != "accept" || mine) {
            continue;
        }
        if is_multi {
            multi += 1;
        } else {
            single_accept += 1;
        }
        let ds = judged(case, &options);
        let errs = errors(&ds);
        eprintln!(
            "{} [{} {}] -> {:?}",
            case.file,
            case.expect,
            case.reason,
            ds.iter().map(|d| d.code.as_str()).collect::<Vec<_>>()
        );
        let ok = if mine && case.expect == "reject" {
            !errs.is_empty()
        } else {
            errs.is_empty()
        };
        if !ok {
            failures.push(format!(
                "{} ({} {}): {:?}",
                case.file,
                case.expect,
                case.reason,
                ds.iter().map(|d| (&d.code, &d.message)).collect::<Vec<_>>()
            ));
        }
    }
    eprintln!(
        "reference/lint layers: {multi} multi-document vectors, {single_accept} single-object accept vectors, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(multi >= 25 && single_accept >= 30);
}

/// A cpu/memory ScaledObject alone: the Deployment may exist, so nothing is said unless the
/// lint is told the inputs are complete.
#[test]
fn missing_workload_only_under_strict_refs() {
    let case = cases()
        .into_iter()
        .find(|c| c.reason == "webhook:scale-target-not-found")
        .unwrap();
    assert!(judged(&case, &LintOptions::default()).is_empty());
    let strict = LintOptions {
        strict_refs: true,
        ..LintOptions::default()
    };
    let ds = judged(&case, &strict);
    assert_eq!(
        ds.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["KEDA3005"]
    );
    assert_eq!(ds[0].severity, Severity::Error);
    assert_eq!(ds[0].path, "spec.scaleTargetRef.name");
}

/// The documentation examples: lists what fires; errors from these layers must each be
/// one the examples really deserve (listed here with the reason).
#[test]
fn documentation_corpus() {
    let dir = root().join("tests/corpus/keda-docs");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() > 200);
    let mut fired: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut unexpected = Vec::new();
    // The current release, and an older one for the rules that apply only before 2.20.
    let releases = [
        crate::version::KedaVersion::DEFAULT,
        crate::version::KedaVersion::new(2, 16, 0),
    ];
    for (p, version) in files
        .iter()
        .flat_map(|p| releases.iter().map(move |v| (p, *v)))
    {
        let options = LintOptions {
            keda_version: version,
            ..LintOptions::default()
        };
        let text = std::fs::read_to_string(p).unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        for d in lint_bundle(&[text.as_str()], &options)
            .pop()
            .unwrap_or_default()
            .into_iter()
            .filter(ours)
        {
            if d.severity == Severity::Error
                && !DEFENSIBLE_ERRORS.contains(&(name.as_str(), d.code.as_str()))
            {
                unexpected.push(format!("{name}: {} {}", d.code, d.message));
            }
            fired.entry(d.code.clone()).or_default().push(format!(
                "{name}:{}:{} @{version} {}",
                d.line, d.column, d.message
            ));
        }
    }
    for (code, hits) in &fired {
        eprintln!("{code}: {} hits", hits.len());
        for h in hits {
            eprintln!("    {h}");
        }
    }
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}

/// Documentation examples that KEDA itself would reject, with the code that says so.
const DEFENSIBLE_ERRORS: &[(&str, &str)] = &[
    // A lone cpu/memory trigger without minReplicaCount (so 0) on an apps/v1 Deployment:
    // the webhook rejects it from 2.11.0 (SO-W19), or earlier with "not found" (SO-W17).
    ("cpu--03.yaml", "KEDA3007"),
    ("cpu--04.yaml", "KEDA3007"),
    ("memory--03.yaml", "KEDA3007"),
    ("memory--04.yaml", "KEDA3007"),
];

/// Verdicts the spec gives for other releases (the "other versions" column of its index).
#[test]
fn validation_vectors_at_other_releases() {
    use crate::version::KedaVersion;
    let expectations: &[(&str, KedaVersion, Option<&str>)] = &[
        // hpa-ownership on the HPA is read from 2.14.
        ("016-", KedaVersion::new(2, 13, 0), Some("KEDA3001")),
        // SO-W19 from 2.11.
        ("031-", KedaVersion::new(2, 10, 0), None),
        // Limits count from 2.13.
        ("034-", KedaVersion::new(2, 12, 0), Some("KEDA3006")),
        // The finalizer-removal skip arrived in 2.10.1.
        ("035-", KedaVersion::new(2, 10, 0), Some("KEDA3006")),
        // SO-W10 from 2.16.
        ("133-", KedaVersion::new(2, 15, 0), None),
        // Before the webhook warned itself (2.20), the lint says it.
        ("059-", KedaVersion::new(2, 19, 0), Some("KEDA4005")),
        ("032-", KedaVersion::new(2, 19, 0), Some("KEDA4005")),
    ];
    let all = cases();
    for (prefix, version, code) in expectations {
        let case = all.iter().find(|c| c.file.starts_with(prefix)).unwrap();
        let options = LintOptions {
            keda_version: *version,
            ..LintOptions::default()
        };
        let ds = judged(case, &options);
        let codes: Vec<&str> = ds.iter().map(|d| d.code.as_str()).collect();
        match code {
            Some(c) => assert!(codes.contains(c), "{} at {version}: {codes:?}", case.file),
            None => assert!(
                errors(&ds).is_empty(),
                "{} at {version}: {codes:?}",
                case.file
            ),
        }
    }
}
