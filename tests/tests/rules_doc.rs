//! docs/rules.md is generated: the rule table (`scalecore::rules::markdown`), then one section
//! per scaler taken from the doc comment of its module in core/src/scalers/ (what KEDA reads,
//! one valid and one invalid example). It must not go stale.
//! Regenerate with `SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test rules_doc`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use scalecore::{LintOptions, Severity};
use scalecore_conformance::root;

/// A scaler's documentation: the heading (`` `cpu` and `memory` ``), the anchor
/// (`scaler-cpu`), the rest of its doc comment, and its source file for messages.
struct ScalerDoc {
    heading: String,
    anchor: String,
    body: String,
    file: String,
}

fn scalers_dir() -> PathBuf {
    root().join("..").join("core").join("src").join("scalers")
}

/// Every scaler module whose doc comment carries examples, sorted by heading. The first
/// line reads "`type`: what it measures …"; the text after the colon opens the section.
fn scaler_docs() -> Vec<ScalerDoc> {
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(scalers_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let doc: Vec<&str> = source
            .lines()
            .map_while(|l| l.strip_prefix("//!"))
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect();
        // Shared modules (authentication modes, clouds) open with prose, not a trigger type.
        if !doc.first().is_some_and(|l| l.starts_with('`')) {
            continue;
        }
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let (heading, rest) = doc[0]
            .split_once(": ")
            .unwrap_or_else(|| panic!("{file}: the doc comment must open with \"`type`: …\""));
        let anchor = heading.split('`').nth(1).unwrap_or_else(|| {
            panic!("{file}: the doc comment must open with the trigger type in backticks")
        });
        let mut body = String::new();
        let mut first = rest.to_owned();
        if let Some(c) = first.get(..1) {
            first.replace_range(..1, &c.to_uppercase());
        }
        body.push_str(&first);
        for line in &doc[1..] {
            body.push('\n');
            body.push_str(line);
        }
        docs.push(ScalerDoc {
            heading: heading.to_owned(),
            anchor: format!("scaler-{anchor}"),
            body,
            file,
        });
    }
    docs.sort_by(|a, b| a.anchor.cmp(&b.anchor));
    docs
}

fn generated() -> String {
    let mut md = scalecore::rules::markdown();
    md.push_str(
        "\n## Scalers\n\nHow each trigger type is read and checked, as KEDA v2.20.2 builds its \
         scaler: the parameters it reads and the checks that make KEDA refuse a trigger \
         (reported as KEDA2002 for a missing parameter, KEDA2003 for an invalid one). \
         Generated from the scaler modules in `core/src/scalers/`; each example is linted by \
         `tests/tests/rules_doc.rs`.\n",
    );
    for d in scaler_docs() {
        md.push_str(&format!(
            "\n### <a id=\"{}\"></a>{}\n\n{}\n",
            d.anchor,
            d.heading,
            d.body.trim_end()
        ));
    }
    md
}

#[test]
fn rules_doc_is_current() {
    let path = root().join("..").join("docs").join("rules.md");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = generated();
    if std::env::var_os("SCALECORE_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    assert!(
        current == fresh,
        "docs/rules.md is stale: run `SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test rules_doc`"
    );
}

/// The examples say what they claim: linted inside a ScaledObject, a "Valid" example draws no
/// error and an "Invalid" one draws at least one, with the message its prose quotes
/// (`("…")`) when it quotes one. An example naming a TriggerAuthentication
/// that is not in view is linted as the linter sees it in a single file.
#[test]
fn scaler_doc_examples_hold() {
    let docs = scaler_docs();
    assert!(docs.len() >= 40, "only {} documented scalers", docs.len());
    let mut failures = Vec::new();
    for d in &docs {
        let mut verdict: Option<bool> = None;
        // The prose before an example, where an invalid one quotes KEDA's message.
        let mut prose = String::new();
        let mut block: Option<String> = None;
        let mut seen = (0, 0);
        for line in d.body.lines() {
            if let Some(b) = block.as_mut() {
                if line.starts_with("```") {
                    let yaml = block.take().unwrap();
                    let Some(valid) = verdict.take() else {
                        failures.push(format!("{}: an example without Valid/Invalid", d.file));
                        continue;
                    };
                    if valid {
                        seen.0 += 1;
                    } else {
                        seen.1 += 1;
                    }
                    let errors = lint_example(&yaml);
                    if valid && !errors.is_empty() {
                        failures.push(format!("{}: the valid example draws {errors:?}", d.file));
                    }
                    if !valid && errors.is_empty() {
                        failures.push(format!("{}: the invalid example draws no error", d.file));
                    }
                    let quoted = prose
                        .split_once("(\"")
                        .and_then(|(_, rest)| rest.split_once("\")"))
                        // "…" stands for the rest of a long message.
                        .map(|(message, _)| message.replace("\\\"", "\"").replace('…', ""));
                    if let Some(message) = quoted.filter(|_| !valid) {
                        if !errors.iter().any(|e| e.contains(&message)) {
                            failures.push(format!(
                                "{}: the invalid example draws {errors:?}, not {message:?}",
                                d.file
                            ));
                        }
                    }
                    prose.clear();
                } else {
                    b.push_str("    ");
                    b.push_str(line);
                    b.push('\n');
                }
            } else if line.starts_with("```yaml") {
                block = Some(String::new());
            } else {
                if line.starts_with("Valid") {
                    verdict = Some(true);
                    prose.clear();
                } else if line.starts_with("Invalid") {
                    verdict = Some(false);
                    prose.clear();
                }
                prose.push_str(line);
                prose.push(' ');
            }
        }
        if seen.0 == 0 || seen.1 == 0 {
            failures.push(format!(
                "{}: {} valid and {} invalid examples (want at least one of each)",
                d.file, seen.0, seen.1
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The codes and messages of the errors a trigger list draws inside a ScaledObject whose
/// target, a Deployment with CPU and memory requests, is in view (and which keeps one replica). The examples' comments say what is not written in the
/// trigger:
/// - `xFromEnv: NAME   # value` defines NAME in the container (`example` without a comment,
///   `{}` for a name ending in CREDENTIALS, which scalers read as JSON);
/// - `name: creds   # username, tls: enable, podIdentity.provider: aws` under
///   `authenticationRef` gives that TriggerAuthentication (and its Secret) those parameters,
///   with the value written or `example`, and that pod identity. Without a comment the
///   TriggerAuthentication is not in view, as when linting one file of many.
fn lint_example(triggers: &str) -> Vec<String> {
    let mut env = String::new();
    let mut auth = String::new();
    let mut in_ref = false;
    for line in triggers.lines() {
        let (code, comment) = match line.split_once('#') {
            Some((c, m)) => (c.trim(), Some(m.trim())),
            None => (line.trim(), None),
        };
        if code.starts_with("authenticationRef:") {
            in_ref = true;
        } else if let Some(name) = code.strip_prefix("name:").filter(|_| in_ref) {
            in_ref = false;
            if let Some(comment) = comment {
                auth.push_str(&trigger_authentication(name.trim(), comment));
            }
        } else if let Some((key, var)) = code.split_once(':') {
            if key.ends_with("FromEnv") {
                let var = var.trim();
                let value = match comment {
                    Some(c) if !c.contains(' ') => c.to_owned(),
                    _ if var.ends_with("CREDENTIALS") => "'{}'".to_owned(),
                    _ => "example".to_owned(),
                };
                env.push_str(&format!(
                    "        - name: {var}\n          value: {value}\n"
                ));
            }
        }
    }
    let env = if env.is_empty() {
        String::new()
    } else {
        format!("        env:\n{env}")
    };
    let text = format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: example\n  \
         namespace: default\nspec:\n  scaleTargetRef:\n    name: app\n  minReplicaCount: 1\n  \
         triggers:\n{triggers}\
         ---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  \
         namespace: default\nspec:\n  selector:\n    matchLabels:\n      app: app\n  \
         template:\n    metadata:\n      labels:\n        app: app\n    spec:\n      \
         containers:\n      - name: app\n        image: registry.example.com/app:1.0.0\n        \
         resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n\
         {env}{auth}"
    );
    scalecore::lint(&text, &LintOptions::default())
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

/// A TriggerAuthentication `name` (and the Secret it reads) as an example's comment lists it.
fn trigger_authentication(name: &str, comment: &str) -> String {
    let mut provider = None;
    let mut params = Vec::new();
    for item in comment.split(',').map(str::trim) {
        match item.split_once(':') {
            Some(("podIdentity.provider", p)) => provider = Some(p.trim()),
            Some((k, v)) => params.push((k.trim(), v.trim().to_owned())),
            None => {
                let k = item.split(' ').next().unwrap_or_default();
                params.push((k, "example".to_owned()));
            }
        }
    }
    let mut secret = format!(
        "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  \
         namespace: default\nstringData:\n"
    );
    let mut spec = String::new();
    if let Some(p) = provider {
        spec.push_str(&format!("  podIdentity:\n    provider: {p}\n"));
    }
    if !params.is_empty() {
        spec.push_str("  secretTargetRef:\n");
    }
    for (k, v) in &params {
        secret.push_str(&format!("  {k}: {v:?}\n"));
        spec.push_str(&format!(
            "  - parameter: {k}\n    name: {name}\n    key: {k}\n"
        ));
    }
    format!(
        "{secret}---\napiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\n\
         metadata:\n  name: {name}\n  namespace: default\nspec:\n{spec}"
    )
}

#[test]
fn every_code_is_unique_and_well_formed() {
    let rules = scalecore::rules::all();
    let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
    let n = codes.len();
    codes.dedup();
    assert_eq!(codes.len(), n, "duplicate rule codes");
    for r in rules {
        assert!(
            r.code.len() == 8
                && r.code.starts_with("KEDA")
                && r.code[4..].bytes().all(|b| b.is_ascii_digit()),
            "bad code {}",
            r.code
        );
        assert!(!r.summary.is_empty(), "{} has no summary", r.code);
    }
}
