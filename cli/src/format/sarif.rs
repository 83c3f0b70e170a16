use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};

use scalecore::{Diagnostic, Severity};
use scalecore_bindings::LintReport;

/// The base the result URIs are relative to: the folder scalecore ran in. GitHub code
/// scanning and the SARIF viewers resolve `%SRCROOT%` to the checkout.
const SRCROOT: &str = "%SRCROOT%";

/// A SARIF 2.1.0 log with one run; every rule of the table is listed so viewers can show help.
///
/// Written to pass Microsoft's SARIF Multitool `validate` with GitHub's rules: result URIs are
/// relative to `%SRCROOT%` and percent-encoded, every rule has a full description, help and a
/// link to its row in the rule reference.
pub fn render(report: &LintReport) -> String {
    let cwd = std::env::current_dir().ok();
    render_in(report, cwd.as_deref())
}

/// As [`render`], with paths made relative to `cwd` (none: absolute paths stay absolute).
pub fn render_in(report: &LintReport, cwd: Option<&Path>) -> String {
    let rules: Vec<Value> = scalecore::rules::all()
        .into_iter()
        .map(|r| {
            let help = if r.help.is_empty() { r.summary } else { r.help };
            let url = r.doc_url();
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "fullDescription": {"text": r.summary},
                "help": {
                    "text": format!("{help}\n\nSee {url}"),
                    "markdown": format!("{help}\n\n[{} {}]({url})", r.code, r.name),
                },
                "helpUri": url,
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"source": r.source.as_str()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .files
        .iter()
        .flat_map(|f| {
            let artifact = artifact_location(&f.path, cwd);
            f.diagnostics.iter().map(move |d| {
                let mut location = Map::new();
                location.insert(
                    "physicalLocation".to_owned(),
                    json!({
                        "artifactLocation": artifact,
                        "region": {
                            "startLine": d.line.max(1),
                            "startColumn": d.column.max(1),
                            "endLine": d.end_line.max(d.line).max(1),
                            "endColumn": d.end_column.max(1),
                        }
                    }),
                );
                if !d.path.is_empty() {
                    location.insert(
                        "logicalLocations".to_owned(),
                        json!([{"fullyQualifiedName": d.path, "kind": "member"}]),
                    );
                }
                let mut result = json!({
                    "ruleId": d.code,
                    "level": level(d.severity),
                    "message": {"text": match &d.help {
                        Some(h) => format!("{} ({h})", d.message),
                        None => d.message.clone(),
                    }},
                    "locations": [location],
                    "properties": {"document": d.document, "source": d.source.as_str()},
                });
                if !d.fixes.is_empty() {
                    result["fixes"] = fixes(d, &artifact);
                }
                result
            })
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "scalecore",
            "version": scalecore_bindings::version(),
            "semanticVersion": scalecore_bindings::version(),
            "informationUri": env!("CARGO_PKG_REPOSITORY"),
            "rules": rules,
        }},
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(base) = cwd.and_then(|c| file_uri(c, true)) {
        run["originalUriBaseIds"] = json!({SRCROOT: {"uri": base}});
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// SARIF 2.1.0 §3.55: each fix as the replacements it makes in the result's file (an
/// insertion is an empty deleted region); whether `--fix` applies it goes in the properties.
fn fixes(d: &Diagnostic, artifact: &Value) -> Value {
    d.fixes
        .iter()
        .map(|f| {
            let replacements: Vec<Value> = f
                .edits
                .iter()
                .map(|e| {
                    json!({
                        "deletedRegion": {
                            "startLine": e.line.max(1),
                            "startColumn": e.column.max(1),
                            "endLine": e.end_line.max(e.line).max(1),
                            "endColumn": e.end_column.max(1),
                        },
                        "insertedContent": {"text": e.new_text},
                    })
                })
                .collect();
            json!({
                "description": {"text": f.title},
                "artifactChanges": [{
                    "artifactLocation": artifact,
                    "replacements": replacements,
                }],
                "properties": {"applicability": f.applicability.as_str()},
            })
        })
        .collect()
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A report path as SARIF wants it: relative to `%SRCROOT%` where it can be, an absolute
/// `file:` URI where it cannot (a file outside the folder scalecore ran in).
fn artifact_location(shown: &str, cwd: Option<&Path>) -> Value {
    let path = Path::new(shown);
    if path.is_absolute() {
        let relative = cwd.and_then(|c| path.strip_prefix(c).ok());
        return match relative {
            Some(rel) => json!({"uri": relative_uri(rel), "uriBaseId": SRCROOT}),
            None => match file_uri(path, false) {
                Some(uri) => json!({"uri": uri}),
                None => json!({"uri": encode(shown)}),
            },
        };
    }
    json!({"uri": relative_uri(path), "uriBaseId": SRCROOT})
}

/// `./a b/#1.yaml` -> `a%20b/%231.yaml`: segments joined by `/`, `.` dropped.
fn relative_uri(path: &Path) -> String {
    let mut segments = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => segments.push("..".to_owned()),
            Component::Normal(s) => segments.push(encode(&s.to_string_lossy())),
            Component::RootDir | Component::Prefix(_) => {}
        }
    }
    segments.join("/")
}

/// `file:///abs/path` (with a trailing `/` for a folder), each segment percent-encoded.
fn file_uri(path: &Path, folder: bool) -> Option<String> {
    let mut clean = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    if !clean.is_absolute() {
        return None;
    }
    let mut uri = String::from("file://");
    for c in clean.components() {
        match c {
            // A Windows drive: file:///C:/...
            Component::Prefix(p) => {
                uri.push('/');
                uri.push_str(&encode(&p.as_os_str().to_string_lossy()).replace("%3A", ":"));
            }
            Component::RootDir => {}
            Component::Normal(s) => {
                uri.push('/');
                uri.push_str(&encode(&s.to_string_lossy()));
            }
            Component::CurDir | Component::ParentDir => {}
        }
    }
    if folder || uri == "file://" {
        uri.push('/');
    }
    Some(uri)
}

/// Percent-encodes every byte of a path segment outside RFC 3986's unreserved characters
/// (spaces, `#`, `%`, non-ASCII as UTF-8 bytes...), so the result is a valid URI reference.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalecore_bindings::{lint_files, FileInput, LintRequestOptions};

    fn sarif(paths: &[&str], cwd: Option<&Path>) -> Value {
        let inputs: Vec<FileInput> = paths
            .iter()
            .map(|p| FileInput {
                path: (*p).to_owned(),
                text: "a: [1,\n".to_owned(),
            })
            .collect();
        let report = lint_files(&inputs, &LintRequestOptions::default()).unwrap();
        serde_json::from_str(&render_in(&report, cwd)).unwrap()
    }

    fn locations(v: &Value) -> Vec<Value> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
            .collect()
    }

    #[test]
    fn uris_are_relative_to_srcroot_and_percent_encoded() {
        let cwd = Path::new("/work/my repo");
        let v = sarif(
            &[
                "./my deploy/#1/kéda so.yaml",
                "/work/my repo/a%b.yaml",
                "../other/x.yaml",
                "<stdin>",
            ],
            Some(cwd),
        );
        assert_eq!(
            v["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
            "file:///work/my%20repo/"
        );
        let uris: Vec<(String, String)> = locations(&v)
            .iter()
            .map(|l| {
                (
                    l["uri"].as_str().unwrap().to_owned(),
                    l["uriBaseId"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
        let srcroot = |u: &str| (u.to_owned(), "%SRCROOT%".to_owned());
        assert_eq!(
            uris,
            [
                srcroot("my%20deploy/%231/k%C3%A9da%20so.yaml"),
                srcroot("a%25b.yaml"),
                srcroot("../other/x.yaml"),
                srcroot("%3Cstdin%3E"),
            ]
        );
    }

    #[test]
    fn fixes_are_artifact_changes_in_the_results_file() {
        let text = "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: o\nspec:\n  scaleTargetRef:\n    name: o\n  pollingIntervall: 30\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: \"50\"\n";
        let inputs = [FileInput {
            path: "deploy/so.yaml".to_owned(),
            text: text.to_owned(),
        }];
        let report = lint_files(&inputs, &LintRequestOptions::default()).unwrap();
        let v: Value = serde_json::from_str(&render_in(&report, Some(Path::new("/w")))).unwrap();
        let result = &v["runs"][0]["results"][0];
        assert_eq!(result["ruleId"], "KEDA0108");
        let fix = &result["fixes"][0];
        assert_eq!(fix["description"]["text"], "Rename to \"pollingInterval\"");
        assert_eq!(fix["properties"]["applicability"], "safe");
        let change = &fix["artifactChanges"][0];
        assert_eq!(change["artifactLocation"]["uri"], "deploy/so.yaml");
        assert_eq!(
            change["replacements"][0],
            json!({
                "deletedRegion": {"startLine": 8, "startColumn": 3, "endLine": 8, "endColumn": 19},
                "insertedContent": {"text": "pollingInterval"},
            })
        );
    }

    #[test]
    fn a_file_outside_the_folder_is_an_absolute_file_uri() {
        let v = sarif(&["/etc/kéda/so.yaml"], Some(Path::new("/work")));
        let l = &locations(&v)[0];
        assert_eq!(l["uri"], "file:///etc/k%C3%A9da/so.yaml");
        assert!(l.get("uriBaseId").is_none());
    }

    #[test]
    fn every_rule_has_descriptions_help_and_a_link_to_its_row() {
        let v = sarif(&["a.yaml"], Some(Path::new("/work")));
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), scalecore::rules::all().len());
        for r in rules {
            let id = r["id"].as_str().unwrap();
            for field in ["shortDescription", "fullDescription"] {
                assert!(!r[field]["text"].as_str().unwrap().is_empty(), "{id}");
            }
            assert!(!r["help"]["text"].as_str().unwrap().is_empty(), "{id}");
            assert!(!r["help"]["markdown"].as_str().unwrap().is_empty(), "{id}");
            let url = r["helpUri"].as_str().unwrap();
            assert_eq!(
                url,
                format!(
                    "{}/blob/main/docs/rules.md#{}",
                    env!("CARGO_PKG_REPOSITORY"),
                    id.to_ascii_lowercase()
                )
            );
        }
        // The anchors exist: docs/rules.md is generated with one per row.
        let doc = scalecore::rules::markdown();
        assert!(doc.contains("<a id=\"keda1004\"></a>KEDA1004"));
    }
}
