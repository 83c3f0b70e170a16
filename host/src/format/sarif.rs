use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};

use scalecore::Severity;
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
                json!({
                    "ruleId": d.code,
                    "level": level(d.severity),
                    "message": {"text": match &d.help {
                        Some(h) => format!("{} ({h})", d.message),
                        None => d.message.clone(),
                    }},
                    "locations": [location],
                    "properties": {"document": d.document, "source": d.source.as_str()},
                })
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
