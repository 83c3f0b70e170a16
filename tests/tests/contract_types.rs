//! The contract types of the packages, generated from the Rust types (through the JSON Schemas
//! of `scalecore_bindings::schema::contract`) so they are written once:
//! - `wasm/src/contract.d.ts`: the TypeScript declarations of the Wasm package, put into its
//!   `.d.ts` by wasm-bindgen;
//! - `node/dts-header.d.ts`: those of the Node package, which napi prepends to `index.d.ts`
//!   (the Node names: `Diagnostic` is the editor's, with LSP ranges);
//! - `python/scalecore/contract.py`: the `TypedDict`s of what the Python package returns as
//!   dicts, used by its stubs.
//!
//! The test fails when a file differs from what the types generate;
//! `SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test contract_types`
//! rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use scalecore_conformance::repo_root;
use serde_json::{Map, Value};

const REFRESH: &str =
    "SCALECORE_UPDATE_GOLDEN=1 cargo test -p scalecore-conformance --test contract_types";

/// One generated file: the schema definitions it declares, each under the name the package
/// gives it (`(rust, package)`), in this order.
struct Target {
    path: &'static str,
    header: &'static str,
    names: &'static [(&'static str, &'static str)],
}

const SHARED_SIMULATE: [(&str, &str); 12] = [
    ("Scenario", "Scenario"),
    ("InitialSpec", "InitialSpec"),
    ("Step", "ScenarioStep"),
    ("Expect", "ScenarioExpect"),
    ("QueueModel", "QueueModel"),
    ("ArrivalRate", "ArrivalRate"),
    ("RatePoint", "RatePoint"),
    ("Burst", "Burst"),
    ("TraceStep", "TraceStep"),
    ("TriggerTrace", "TriggerTrace"),
    ("Mismatch", "Mismatch"),
    ("QueueSummary", "QueueSummary"),
];

const WASM: Target = Target {
    path: "wasm/src/contract.d.ts",
    header: "/* Generated from the Rust types by tests/tests/contract_types.rs: do not edit. The JSON contract\n   (docs/formats.md, docs/scenario.md): what the functions below take and return. */\n",
    names: &[
        ("Severity", "Severity"),
        ("Source", "Source"),
        ("Applicability", "Applicability"),
        ("Diagnostic", "Diagnostic"),
        ("Fix", "Fix"),
        ("Edit", "Edit"),
        ("EditorDiagnostic", "EditorDiagnostic"),
        ("EditorFix", "EditorFix"),
        ("EditorEdit", "EditorEdit"),
        ("LspRange", "LspRange"),
        ("LspPosition", "LspPosition"),
        ("PositionEncoding", "PositionEncoding"),
        ("LintRequestOptions", "LintRequestOptions"),
        ("FixRequestOptions", "FixRequestOptions"),
        ("EditorFixResult", "FixResult"),
        ("FileInput", "FileInput"),
        ("LintReport", "LintReport"),
        ("FileReport", "FileReport"),
        ("Summary", "Summary"),
        ("RuleInfo", "RuleInfo"),
        ("Scenario", "Scenario"),
        ("InitialSpec", "InitialSpec"),
        ("Step", "Step"),
        ("Expect", "Expect"),
        ("QueueModel", "QueueModel"),
        ("ArrivalRate", "ArrivalRate"),
        ("RatePoint", "RatePoint"),
        ("Burst", "Burst"),
        ("Trace", "Trace"),
        ("TraceStep", "TraceStep"),
        ("TriggerTrace", "TriggerTrace"),
        ("Mismatch", "Mismatch"),
        ("QueueSummary", "QueueSummary"),
    ],
};

const NODE: Target = Target {
    path: "node/dts-header.d.ts",
    header: "/* Generated from the Rust types by tests/tests/contract_types.rs: do not edit. The JSON contract\n   (docs/formats.md, docs/scenario.md): what the functions below take and return. */\n",
    names: &[
        ("Severity", "Severity"),
        ("Source", "Source"),
        ("Applicability", "Applicability"),
        ("EditorDiagnostic", "Diagnostic"),
        ("EditorFix", "Fix"),
        ("EditorEdit", "Edit"),
        ("LspRange", "LspRange"),
        ("LspPosition", "LspPosition"),
        ("EditorFixResult", "FixResult"),
        ("Diagnostic", "ContractDiagnostic"),
        ("Fix", "ContractFix"),
        ("Edit", "ContractEdit"),
        ("RuleDoc", "RuleInfo"),
        ("PathAt", "PathAt"),
        ("PathSegment", "PathSegment"),
        ("Trace", "Trace"),
        ("LintReport", "LintReport"),
        ("FileReport", "FileReport"),
        ("Summary", "Summary"),
    ],
};

const PYTHON: Target = Target {
    path: "python/scalecore/contract.py",
    header: "# Generated from the Rust types by tests/tests/contract_types.rs: do not edit.\n\"\"\"The JSON contract (docs/formats.md, docs/scenario.md) as typing declarations: the dicts\nthat ``to_dict()``, ``rules()`` and the trace views return, and the scenario\n``simulate`` reads.\"\"\"\n\nfrom __future__ import annotations\n\nfrom typing import Any, Dict, List, Literal, Optional, TypedDict, Union\n",
    names: &[
        ("Severity", "Severity"),
        ("Source", "Source"),
        ("Applicability", "Applicability"),
        ("Diagnostic", "DiagnosticDict"),
        ("Fix", "FixDict"),
        ("Edit", "EditDict"),
        ("FixResult", "FixResultDict"),
        ("LintReport", "LintReport"),
        ("FileReport", "FileReport"),
        ("Summary", "Summary"),
        ("RuleInfo", "RuleInfo"),
        ("Trace", "TraceDict"),
    ],
};

fn defs() -> Map<String, Value> {
    scalecore_bindings::schema::contract()
}

fn names(t: &Target) -> BTreeMap<&'static str, &'static str> {
    let mut all: Vec<(&str, &str)> = t.names.to_vec();
    if t.path != WASM.path {
        all.extend(SHARED_SIMULATE);
    }
    all.into_iter().collect()
}

fn ordered(t: &Target) -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = t.names.to_vec();
    if t.path != WASM.path {
        all.extend(SHARED_SIMULATE);
    }
    all
}

fn description(s: &Value) -> Option<&str> {
    s.get("description").and_then(Value::as_str)
}

fn ref_name(s: &Value) -> Option<&str> {
    s.get("$ref")
        .and_then(Value::as_str)
        .map(|r| r.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("{r}")))
}

/// A schema's members, whatever form they take: `anyOf`/`oneOf` branches, `enum` values, or
/// the types of a `type` array.
enum Shape<'a> {
    Ref(&'a str),
    Union(Vec<&'a Value>),
    Literals(Vec<&'a Value>),
    Types(Vec<&'a str>),
    Any,
}

fn shape(s: &Value) -> Shape<'_> {
    if let Some(r) = ref_name(s) {
        return Shape::Ref(r);
    }
    if let Some(v) = s.get("anyOf").or_else(|| s.get("oneOf")) {
        return Shape::Union(v.as_array().unwrap().iter().collect());
    }
    if let Some(v) = s.get("enum") {
        return Shape::Literals(v.as_array().unwrap().iter().collect());
    }
    if let Some(v) = s.get("const") {
        return Shape::Literals(vec![v]);
    }
    match s.get("type") {
        Some(Value::String(t)) => Shape::Types(vec![t.as_str()]),
        Some(Value::Array(ts)) => Shape::Types(ts.iter().map(|t| t.as_str().unwrap()).collect()),
        None => Shape::Any,
        Some(other) => panic!("type {other}"),
    }
}

/// The TypeScript type of a schema.
fn ts(s: &Value, names: &BTreeMap<&str, &str>) -> String {
    let parts: Vec<String> = match shape(s) {
        Shape::Ref(r) => vec![rename(r, names).to_owned()],
        Shape::Union(branches) => branches.iter().map(|b| ts(b, names)).collect(),
        Shape::Literals(vs) => vs.iter().map(|v| ts_literal(v)).collect(),
        Shape::Any => vec!["unknown".into()],
        Shape::Types(types) => types
            .iter()
            .map(|t| match *t {
                "string" => "string".into(),
                "integer" | "number" => "number".into(),
                "boolean" => "boolean".into(),
                "null" => "null".into(),
                "array" => {
                    let item = ts(&s["items"], names);
                    if item.contains(' ') {
                        format!("Array<{item}>")
                    } else {
                        format!("{item}[]")
                    }
                }
                "object" => match s.get("additionalProperties") {
                    Some(v @ Value::Object(_)) => format!("Record<string, {}>", ts(v, names)),
                    _ if s.get("properties").is_none() => "Record<string, unknown>".into(),
                    _ => panic!("an object with properties inside another: name it"),
                },
                other => panic!("type {other}"),
            })
            .collect(),
    };
    let mut seen = Vec::new();
    for p in parts {
        if !seen.contains(&p) {
            seen.push(p);
        }
    }
    seen.join(" | ")
}

fn ts_literal(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        other => other.to_string(),
    }
}

fn rename<'a>(rust: &str, names: &BTreeMap<&str, &'a str>) -> &'a str {
    names
        .get(rust)
        .unwrap_or_else(|| panic!("{rust} is referred to but not declared: add it to the target"))
}

fn doc(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text else { return };
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() == 1 {
        let _ = writeln!(out, "{indent}/** {} */", lines[0]);
    } else {
        let _ = writeln!(out, "{indent}/**");
        for l in lines {
            let _ = writeln!(out, "{indent} *{}{l}", if l.is_empty() { "" } else { " " });
        }
        let _ = writeln!(out, "{indent} */");
    }
}

fn is_interface(s: &Value) -> bool {
    s.get("properties").is_some()
}

fn required(s: &Value) -> Vec<&str> {
    s.get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().map(|v| v.as_str().unwrap()).collect())
        .unwrap_or_default()
}

/// Property names in declaration order: required ones as the schema lists them (the Rust
/// field order), then the others by name.
fn properties(s: &Value) -> Vec<(&str, &Value, bool)> {
    let props = s["properties"].as_object().unwrap();
    let req = required(s);
    let mut out: Vec<(&str, &Value, bool)> = req.iter().map(|k| (*k, &props[*k], true)).collect();
    for (k, v) in props {
        if !req.contains(&k.as_str()) {
            out.push((k.as_str(), v, false));
        }
    }
    out
}

fn typescript(t: &Target, defs: &Map<String, Value>) -> String {
    let names = names(t);
    let mut out = String::from(t.header);
    for (rust, name) in ordered(t) {
        let s = defs
            .get(rust)
            .unwrap_or_else(|| panic!("no schema for {rust}"));
        out.push('\n');
        doc(&mut out, "", description(s));
        if is_interface(s) {
            let _ = writeln!(out, "export interface {name} {{");
            for (key, p, req) in properties(s) {
                doc(&mut out, "  ", description(p));
                let key = if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    key.to_owned()
                } else {
                    format!("'{key}'")
                };
                let _ = writeln!(
                    out,
                    "  {key}{}: {}",
                    if req { "" } else { "?" },
                    ts(p, &names)
                );
            }
            out.push_str("}\n");
        } else {
            let _ = writeln!(out, "export type {name} = {}", ts(s, &names));
        }
    }
    out
}

/// The Python type of a schema; `quote` quotes references, so that module-level aliases
/// (evaluated at import) may name classes declared after them.
fn py(s: &Value, names: &BTreeMap<&str, &str>, quote: bool) -> String {
    let mut nullable = false;
    let mut parts: Vec<String> = Vec::new();
    match shape(s) {
        Shape::Ref(r) if quote => parts.push(format!("\"{}\"", rename(r, names))),
        Shape::Ref(r) => parts.push(rename(r, names).to_owned()),
        Shape::Union(branches) => {
            for b in branches.iter().map(|b| py(b, names, quote)) {
                match b
                    .strip_prefix("Optional[")
                    .and_then(|b| b.strip_suffix(']'))
                {
                    _ if b == "None" => nullable = true,
                    Some(inner) => {
                        nullable = true;
                        parts.push(inner.to_owned());
                    }
                    None => parts.push(b),
                }
            }
        }
        Shape::Literals(vs) => {
            let mut lits = Vec::new();
            for v in vs {
                match v {
                    Value::Null => nullable = true,
                    Value::String(s) => lits.push(format!("{s:?}")),
                    other => lits.push(other.to_string()),
                }
            }
            parts.push(format!("Literal[{}]", lits.join(", ")));
        }
        Shape::Any => parts.push("Any".into()),
        Shape::Types(types) => {
            for t in types {
                match t {
                    "string" => parts.push("str".into()),
                    "integer" => parts.push("int".into()),
                    "number" => parts.push("float".into()),
                    "boolean" => parts.push("bool".into()),
                    "null" => nullable = true,
                    "array" => parts.push(format!("List[{}]", py(&s["items"], names, quote))),
                    "object" => match s.get("additionalProperties") {
                        Some(v @ Value::Object(_)) => {
                            parts.push(format!("Dict[str, {}]", py(v, names, quote)))
                        }
                        _ => parts.push("Dict[str, Any]".into()),
                    },
                    other => panic!("type {other}"),
                }
            }
        }
    }
    parts.dedup();
    let inner = if parts.is_empty() {
        return "None".into();
    } else if parts.len() == 1 {
        parts.pop().unwrap()
    } else {
        format!("Union[{}]", parts.join(", "))
    };
    if nullable {
        format!("Optional[{inner}]")
    } else {
        inner
    }
}

fn py_doc(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text else { return };
    let text = text.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"");
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    if rest.is_empty() {
        let _ = writeln!(out, "{indent}\"\"\"{first}\"\"\"");
    } else {
        let _ = writeln!(out, "{indent}\"\"\"{first}");
        for l in rest {
            if l.is_empty() {
                out.push('\n');
            } else {
                let _ = writeln!(out, "{indent}{l}");
            }
        }
        let _ = writeln!(out, "{indent}\"\"\"");
    }
}

const PY_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn python(t: &Target, defs: &Map<String, Value>) -> String {
    let names = names(t);
    let mut out = String::from(t.header);
    let mut all = Vec::new();
    for (rust, name) in ordered(t) {
        all.push(name);
        let s = defs
            .get(rust)
            .unwrap_or_else(|| panic!("no schema for {rust}"));
        out.push_str("\n\n");
        if is_interface(s) {
            // Keys a class body cannot declare would need the functional form: none yet.
            let props = properties(s);
            for (key, _, _) in &props {
                assert!(
                    key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        && !PY_KEYWORDS.contains(key),
                    "{rust}.{key} is no Python identifier"
                );
            }
            let (req, opt): (Vec<_>, Vec<_>) = props.into_iter().partition(|p| p.2);
            // Required keys in a total base, the others in a class of total=False (the form
            // that works before NotRequired, Python 3.11).
            let base = format!("_{name}Required");
            let has_base = !req.is_empty() && !opt.is_empty();
            if has_base {
                let _ = writeln!(out, "class {base}(TypedDict):");
                for (key, p, _) in &req {
                    let _ = writeln!(out, "    {key}: {}", py(p, &names, false));
                }
                out.push_str("\n\n");
            }
            let (parent, total, fields) = if has_base {
                (base.as_str(), ", total=False", &opt)
            } else if opt.is_empty() {
                ("TypedDict", "", &req)
            } else {
                ("TypedDict", ", total=False", &opt)
            };
            let _ = writeln!(out, "class {name}({parent}{total}):");
            py_doc(&mut out, "    ", description(s));
            if has_base {
                let _ = writeln!(
                    out,
                    "    # Also (required): {}.",
                    req.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                );
            }
            for (key, p, _) in fields {
                let _ = writeln!(out, "    {key}: {}", py(p, &names, false));
                if let Some(d) = description(p) {
                    py_doc(&mut out, "    ", Some(d));
                }
            }
            if fields.is_empty() && description(s).is_none() {
                out.push_str("    pass\n");
            }
        } else {
            let _ = writeln!(out, "{name} = {}", py(s, &names, true));
            if let Some(d) = description(s) {
                py_doc(&mut out, "", Some(d));
            }
        }
    }
    out.push_str("\n\n__all__ = [\n");
    for name in all {
        let _ = writeln!(out, "    {name:?},");
    }
    out.push_str("]\n");
    out
}

#[test]
fn generated_contract_types_are_current() {
    let defs = defs();
    let update = std::env::var_os("SCALECORE_UPDATE_GOLDEN").is_some();
    let mut stale = Vec::new();
    for (t, text) in [
        (&WASM, typescript(&WASM, &defs)),
        (&NODE, typescript(&NODE, &defs)),
        (&PYTHON, python(&PYTHON, &defs)),
    ] {
        let path = repo_root().join(t.path);
        if update {
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).unwrap_or_default() != text {
            stale.push(t.path);
        }
    }
    assert!(
        stale.is_empty(),
        "{} stale: run {REFRESH}",
        stale.join(", ")
    );
}

/// Every named shape the packages return or take is declared by each package that has it: a
/// type added to the contract without a name in a target would otherwise go undeclared.
#[test]
fn every_contract_shape_is_declared_somewhere() {
    let defs = defs();
    for rust in defs.keys() {
        let declared = [&WASM, &NODE, &PYTHON]
            .iter()
            .any(|t| names(t).contains_key(rust.as_str()));
        assert!(declared, "{rust} is declared by no package");
    }
}
