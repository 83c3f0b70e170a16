//! ObjectMeta checks the API server makes for every custom resource
//! (`apimachinery/pkg/api/validation/objectmeta.go` with `NameIsDNSSubdomain`, the name rule
//! the apiextensions server uses for custom resources): a name (or generateName), the
//! namespace shape, label and annotation syntax. Types and unknown fields in `metadata` are
//! the walker's job.
//!
//! A namespace on a cluster-scoped object is not an error: the API server clears it.

use crate::document::{Node, Resource, Span};
use crate::rules::Report;

use super::message::show;
use super::path::child_path;
use super::{LABEL, NAME, NAMESPACE};

const TOTAL_ANNOTATION_SIZE: usize = 256 * 1024;

pub fn check(r: &Resource, report: &mut Report<'_>) {
    let root = &r.root;
    let meta_entry = root.entry("metadata");
    let meta = meta_entry.map(|e| &e.value);
    if meta.is_some_and(|m| m.as_mapping().is_none() && !m.is_null()) {
        return; // a wrong type, reported by the walker
    }
    name(r, meta, meta_entry.map(|e| e.key.span), report);
    let Some(meta) = meta else { return };
    if r.kind.is_namespaced() {
        if let Some(ns) = meta.get("namespace") {
            if let Some(text) = ns.as_str() {
                if !text.is_empty() {
                    if let Some(why) = dns_label(text) {
                        let msg = format!(
                            "metadata.namespace {} is not a valid namespace: {why}",
                            show(ns)
                        );
                        report.emit(&NAMESPACE, r, ns.span, "metadata.namespace", msg);
                    }
                }
            }
        }
    }
    labels(r, meta, report);
    annotations(r, meta, report);
}

fn name(r: &Resource, meta: Option<&Node>, meta_key: Option<Span>, report: &mut Report<'_>) {
    let node = meta.and_then(|m| m.get("name"));
    let text = node.and_then(Node::as_str).unwrap_or("");
    if node.is_some_and(|n| !n.is_null() && n.as_str().is_none()) {
        return; // a wrong type, reported by the walker
    }
    if text.is_empty() {
        let generated = meta
            .and_then(|m| m.get("generateName"))
            .and_then(Node::as_str)
            .is_some_and(|g| !g.is_empty());
        if generated {
            return;
        }
        let span = match (node, meta_key) {
            (Some(n), _) => n.span,
            (None, Some(k)) => k,
            (None, None) => {
                let s = r.root.span.start;
                Span::new(s, s)
            }
        };
        let msg = format!(
            "metadata.name is required: a {} needs a name (or generateName)",
            r.kind.name()
        );
        report.emit(&NAME, r, span, "metadata.name", msg);
        return;
    }
    if let Some(why) = dns_subdomain(text) {
        let span = node.map_or(r.root.span, |n| n.span);
        let msg = format!("metadata.name {text:?} is not a valid name: {why}");
        report.emit(&NAME, r, span, "metadata.name", msg);
    }
}

fn labels(r: &Resource, meta: &Node, report: &mut Report<'_>) {
    let Some(entries) = meta.get("labels").and_then(Node::as_mapping) else {
        return;
    };
    for e in entries {
        let Some(key) = e.key_str() else { continue };
        let path = || child_path("metadata.labels", key);
        if let Some(why) = qualified_name(key) {
            let msg = format!("label key {key:?} is not valid: {why}");
            report.emit(&LABEL, r, e.key.span, path(), msg);
        }
        if let Some(value) = e.value.as_str() {
            if let Some(why) = label_value(value) {
                let msg = format!(
                    "label {key:?} has an invalid value {}: {why}",
                    show(&e.value)
                );
                report.emit(&LABEL, r, e.value.span, path(), msg);
            }
        }
    }
}

fn annotations(r: &Resource, meta: &Node, report: &mut Report<'_>) {
    let Some(node) = meta.get("annotations") else {
        return;
    };
    let Some(entries) = node.as_mapping() else {
        return;
    };
    let mut total = 0usize;
    for e in entries {
        let Some(key) = e.key_str() else { continue };
        total += key.len() + e.value.as_str().map_or(0, str::len);
        if let Some(why) = qualified_name(key) {
            let msg = format!("annotation key {key:?} is not valid: {why}");
            report.emit(
                &LABEL,
                r,
                e.key.span,
                child_path("metadata.annotations", key),
                msg,
            );
        }
    }
    if total > TOTAL_ANNOTATION_SIZE {
        let msg = format!(
            "metadata.annotations hold {total} bytes; the API server allows at most {TOTAL_ANNOTATION_SIZE}"
        );
        report.emit(&LABEL, r, node.span, "metadata.annotations", msg);
    }
}

fn alnum_lower(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// RFC 1123 label: at most 63 of `[a-z0-9-]`, starting and ending with `[a-z0-9]`.
pub fn dns_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some(format!(
            "it is {} characters long, at most 63 are allowed",
            s.len()
        ));
    }
    let b = s.as_bytes();
    let ok = !b.is_empty()
        && b.iter().all(|&c| alnum_lower(c) || c == b'-')
        && b.first().is_some_and(|&c| alnum_lower(c))
        && b.last().is_some_and(|&c| alnum_lower(c));
    (!ok).then(|| {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
         and must start and end with an alphanumeric character"
            .to_owned()
    })
}

/// RFC 1123 subdomain: at most 253 characters, dot-separated labels of `[a-z0-9-]`.
pub fn dns_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some(format!(
            "it is {} characters long, at most 253 are allowed",
            s.len()
        ));
    }
    let ok = !s.is_empty()
        && s.split('.').all(|part| {
            let b = part.as_bytes();
            !b.is_empty()
                && b.iter().all(|&c| alnum_lower(c) || c == b'-')
                && b.first().is_some_and(|&c| alnum_lower(c))
                && b.last().is_some_and(|&c| alnum_lower(c))
        });
    (!ok).then(|| {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \
         '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')"
            .to_owned()
    })
}

fn name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
        && b.iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Label and annotation keys: `[prefix/]name`, prefix a DNS subdomain, name at most 63
/// alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
pub fn qualified_name(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() {
            return Some("the prefix before '/' must not be empty".to_owned());
        }
        if let Some(why) = dns_subdomain(p) {
            return Some(format!("prefix part: {why}"));
        }
    }
    (!name_part(name)).then(|| {
        "name part must be at most 63 characters: alphanumerics, '-', '_' or '.', starting and \
         ending with an alphanumeric character (e.g. 'app.kubernetes.io/name')"
            .to_owned()
    })
}

/// Label values: empty, or a name part (at most 63 characters).
pub fn label_value(v: &str) -> Option<String> {
    (!v.is_empty() && !name_part(v)).then(|| {
        "a label value must be empty or at most 63 characters: alphanumerics, '-', '_' or '.', \
         starting and ending with an alphanumeric character"
            .to_owned()
    })
}
