//! Wording of the walker's findings, in Kubernetes' and KEDA's terms.

use crate::document::{Node, Resolved};

use super::path::{Path, Seg};
use super::tree::{SchemaNode, Ty};
use super::walk::is_null;

pub(super) fn wrong_type_message(node: &Node, s: &SchemaNode, path: &Path<'_>) -> String {
    let want = if s.int_or_string {
        "an integer or a string"
    } else {
        match s.ty {
            Ty::Object => "an object (a mapping)",
            Ty::Array => "a list",
            Ty::String => "a string",
            Ty::Integer => "an integer",
            Ty::Number => "a number",
            Ty::Boolean => "a boolean (true or false)",
            Ty::Any => "a value",
        }
    };
    let got = node.type_name();
    let mut msg = format!(
        "{} must be {want}, but it is {} {}",
        describe_path(path),
        article(got),
        got
    );
    if node.as_scalar().is_some() {
        msg.push_str(&format!(" ({})", show(node)));
    }
    let text = node.text().unwrap_or_default();
    match (s.ty, node.resolved()) {
        (Ty::String, Some(Resolved::Bool(_))) if !matches!(text, "true" | "false") => {
            msg.push_str(&format!(
                "; YAML reads {text} as a boolean, quote it: \"{text}\""
            ));
        }
        (Ty::String, Some(Resolved::Int(_) | Resolved::Float(_) | Resolved::Bool(_))) => {
            msg.push_str(&format!("; quote it: \"{text}\""));
        }
        (Ty::Integer | Ty::Number | Ty::Boolean, Some(Resolved::Str(t)))
            if looks_typed(t, s.ty) =>
        {
            msg.push_str("; remove the quotes");
        }
        _ if s.int_or_string && matches!(node.resolved(), Some(Resolved::Float(_))) => {
            msg.push_str(&format!("; quote it: \"{text}\""));
        }
        (Ty::String, _) if is_placeholder(node) => {
            msg.push_str(
                "; `{...}` is a YAML mapping: replace the placeholder with a value, or quote it",
            );
        }
        _ => {}
    }
    msg
}

/// Whether a quoted string would have the wanted type without its quotes.
pub(super) fn looks_typed(t: &str, ty: Ty) -> bool {
    let plain = crate::document::Scalar {
        text: t.to_owned(),
        style: crate::document::ScalarStyle::Plain,
        tag: None,
    };
    match plain.resolve() {
        Resolved::Int(_) => matches!(ty, Ty::Integer | Ty::Number),
        Resolved::Float(f) => ty == Ty::Number || (ty == Ty::Integer && f.fract() == 0.0),
        Resolved::Bool(_) => ty == Ty::Boolean,
        _ => false,
    }
}

/// `name: {my-name}`: a documentation placeholder, which YAML reads as `{my-name: null}`.
fn is_placeholder(node: &Node) -> bool {
    matches!(node.as_mapping(), Some([only]) if is_null(&only.value))
}

pub(super) fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

pub(super) fn describe_path(path: &Path<'_>) -> String {
    match path.seg {
        Seg::Root => "the document".to_owned(),
        _ => path.render(),
    }
}

/// A scalar for a message. Strings that might carry a secret (long, or with `=`, `;`, `@`)
/// are not repeated.
pub(super) fn show(node: &Node) -> String {
    match node.resolved() {
        Some(Resolved::Str(t)) => {
            if t.chars().count() > 64 || t.contains(['=', ';', '@']) {
                "a string".to_owned()
            } else {
                format!("{t:?}")
            }
        }
        Some(_) => node.text().unwrap_or_default().to_owned(),
        None => node.type_name().to_owned(),
    }
}
