use serde_json::{json, Value};

use scalecore::Severity;
use scalecore_bindings::LintReport;

/// A SARIF 2.1.0 log with one run; every rule of the table is listed so viewers can show help.
pub fn render(report: &LintReport) -> String {
    let rules: Vec<Value> = scalecore::rules::all()
        .into_iter()
        .map(|r| {
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": r.summary},
                "help": {"text": if r.help.is_empty() { r.summary } else { r.help }},
                "defaultConfiguration": {"level": level(r.severity)},
                "properties": {"source": r.source.as_str()},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .files
        .iter()
        .flat_map(|f| {
            f.diagnostics.iter().map(move |d| {
                json!({
                    "ruleId": d.code,
                    "level": level(d.severity),
                    "message": {"text": match &d.help {
                        Some(h) => format!("{} ({h})", d.message),
                        None => d.message.clone(),
                    }},
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": {"uri": f.path},
                            "region": {
                                "startLine": d.line.max(1),
                                "startColumn": d.column.max(1),
                                "endLine": d.end_line.max(d.line).max(1),
                                "endColumn": d.end_column.max(1),
                            }
                        },
                        "logicalLocations": [{"fullyQualifiedName": d.path, "kind": "member"}],
                    }],
                    "properties": {"document": d.document, "source": d.source.as_str()},
                })
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "scalecore",
                "version": scalecore_bindings::version(),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
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
