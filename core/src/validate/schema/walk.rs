//! The walker: one pass over a document's nodes against the compiled CRD schema.
//!
//! It mirrors the API server's order for a custom resource: non-nullable `null` fields are
//! dropped (or defaulted) first (`apiextensions-apiserver .../schema/defaulting/prunenulls.go`),
//! defaults fill missing fields, unknown fields are refused (kubectl sends
//! `fieldValidation=Strict` by default), then the structural schema is checked. Nothing is
//! allocated unless a diagnostic is emitted: the path lives on the stack.

use crate::document::{Entry, Node, Resolved, Resource, ScalarStyle, Span, Value};
use crate::rules::{Report, Rule};
use crate::version::KedaVersion;

use super::suggest::closest;
use super::tree::{ListType, SchemaNode, Schemas, Ty};
use super::{
    DUPLICATE_ITEM, ENUM, MAXIMUM, MINIMUM, MIN_ITEMS, MIN_LENGTH, NULL_VALUE, QUANTITY, REQUIRED,
    UNKNOWN_FIELD, WRONG_TYPE,
};

/// One step of a path, linked to its parent on the stack.
#[derive(Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub const ROOT: Path<'static> = Path {
        parent: None,
        seg: Seg::Root,
    };

    fn key(&'a self, k: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Key(k),
        }
    }

    fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            seg: Seg::Index(i),
        }
    }

    /// `spec.triggers[0].metadata.queueName`; keys holding `.` or `/` (annotation keys) are
    /// written in brackets, as Kubernetes field paths do.
    pub fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(node) = p {
            segs.push(node.seg);
            p = node.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) if needs_brackets(k) => {
                    out.push('[');
                    out.push_str(k);
                    out.push(']');
                }
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

fn needs_brackets(k: &str) -> bool {
    k.is_empty() || k.contains(['.', '/', '[', ']', ' '])
}

/// The path of key `key` of the mapping at `parent` (`metadata.labels` + `app`).
pub fn child_path(parent: &str, key: &str) -> String {
    if needs_brackets(key) {
        format!("{parent}[{key}]")
    } else {
        format!("{parent}.{key}")
    }
}

pub struct Walker<'a, 'r, 'o> {
    pub schemas: &'a Schemas,
    pub version: KedaVersion,
    pub resource: &'a Resource,
    pub report: &'r mut Report<'o>,
    /// Inside `status`: every KEDA CRD has the status subresource, so the API server resets
    /// `status` on create and update before validating; only the decoder's unknown-field
    /// check still sees it.
    pub status: bool,
}

impl Walker<'_, '_, '_> {
    pub fn walk_root(&mut self, root: u32) {
        let resource = self.resource;
        self.walk(&resource.root, root, &Path::ROOT, None);
    }

    fn emit(&mut self, rule: &Rule, span: Span, path: &Path<'_>, message: String) {
        self.report
            .emit(rule, self.resource, span, path.render(), message);
    }

    /// `key_span` is the span of the key this node is the value of (absent for list items
    /// and the root), where a missing required field is reported.
    fn walk(&mut self, node: &Node, si: u32, path: &Path<'_>, key_span: Option<Span>) {
        let Some(s) = self.schemas.node(si) else {
            return;
        };
        let resolved = node.resolved();
        if matches!(resolved, Some(Resolved::Null)) {
            // Only list items and the root reach here: null fields were dropped by the caller.
            if !s.nullable && s.ty != Ty::Any && !self.status {
                let msg = format!(
                    "{} is null; a list item must be a {}",
                    describe_path(path),
                    s.ty.name()
                );
                self.emit(&NULL_VALUE, node.span, path, msg);
            }
            return;
        }
        if !type_ok(node, resolved, s) {
            if !self.status {
                let msg = wrong_type_message(node, s, path);
                self.emit(&WRONG_TYPE, node.span, path, msg);
            }
            return;
        }
        match (&node.value, resolved) {
            (Value::Mapping(entries), _) => self.mapping(node, entries, s, path, key_span),
            (Value::Sequence(items), _) => self.sequence(node, items, s, path),
            (Value::Scalar(_), Some(r)) if !self.status => self.scalar(node, r, s, path),
            _ => {}
        }
    }

    fn mapping(
        &mut self,
        node: &Node,
        entries: &[Entry],
        s: &SchemaNode,
        path: &Path<'_>,
        key_span: Option<Span>,
    ) {
        for e in entries {
            let Some(k) = e.key_str() else { continue };
            let child_path = path.key(k);
            let child = match s.property(k) {
                Some(ci) => {
                    let known = self
                        .schemas
                        .node(ci)
                        .is_some_and(|c| c.exists_in(self.version));
                    if !known {
                        self.unknown_field(e, k, s, &child_path, ci);
                        continue;
                    }
                    Some(ci)
                }
                None => s.additional,
            };
            let Some(ci) = child else {
                if !s.preserve_unknown {
                    self.unknown_field(e, k, s, &child_path, u32::MAX);
                }
                continue;
            };
            if is_null(&e.value) && self.schemas.node(ci).is_some_and(|c| !c.nullable) {
                // Dropped, or replaced by the field's default, before validation.
                continue;
            }
            let enters_status = matches!(path.seg, Seg::Root) && k == "status";
            let outer = self.status;
            self.status |= enters_status;
            self.walk(&e.value, ci, &child_path, Some(e.key.span));
            self.status = outer;
        }
        if self.status {
            return;
        }
        for r in s.required.iter() {
            let r: &str = r;
            let entry = entries.iter().rev().find(|e| e.key_str() == Some(r));
            let child = s.property(r).and_then(|ci| self.schemas.node(ci));
            let present =
                entry.is_some_and(|e| !is_null(&e.value) || child.is_some_and(|c| c.nullable));
            let defaulted = child.is_some_and(|c| c.has_default);
            let exists = child.is_none_or(|c| c.exists_in(self.version));
            if present || defaulted || !exists {
                continue;
            }
            let span = key_span.unwrap_or_else(|| first_key_span(node, entries));
            let (span, null_note) = match entry {
                Some(e) => (
                    e.key.span,
                    "; it is null, and the API server drops null fields",
                ),
                None => (span, ""),
            };
            let owner = if matches!(path.seg, Seg::Root) {
                format!("a {}", self.resource.kind.name())
            } else {
                path.render()
            };
            let msg = format!("{owner} is missing the required field {r:?}{null_note}");
            self.emit(&REQUIRED, span, path, msg);
        }
    }

    fn unknown_field(&mut self, e: &Entry, key: &str, s: &SchemaNode, path: &Path<'_>, ci: u32) {
        let field = path.render();
        let since = self.schemas.node(ci).and_then(SchemaNode::since);
        let msg = match since {
            Some(since) => format!(
                "unknown field {field:?}: KEDA {} does not have it (added in {since})",
                self.version
            ),
            None => {
                let candidates = s
                    .properties
                    .iter()
                    .filter(|(_, i)| {
                        self.schemas
                            .node(*i)
                            .is_some_and(|c| c.exists_in(self.version))
                    })
                    .map(|(n, _)| &**n);
                match closest(key, candidates) {
                    Some(best) => format!("unknown field {field:?}; did you mean {best:?}?"),
                    None => format!("unknown field {field:?}"),
                }
            }
        };
        self.report
            .emit(&UNKNOWN_FIELD, self.resource, e.key.span, field, msg);
    }

    fn sequence(&mut self, node: &Node, items: &[Node], s: &SchemaNode, path: &Path<'_>) {
        if let Some(min) = s.min_items_in(self.version).filter(|_| !self.status) {
            if (items.len() as u64) < min {
                let msg = format!(
                    "{} must have at least {min} item{}, but it has {}",
                    path.render(),
                    if min == 1 { "" } else { "s" },
                    items.len()
                );
                self.emit(&MIN_ITEMS, node.span, path, msg);
            }
        }
        let Some(ii) = s.items else { return };
        for (i, item) in items.iter().enumerate() {
            self.walk(item, ii, &path.index(i), None);
        }
        if s.list_type != ListType::Atomic && !self.status {
            self.duplicates(items, s, path);
        }
    }

    fn duplicates(&mut self, items: &[Node], s: &SchemaNode, path: &Path<'_>) {
        for (i, item) in items.iter().enumerate() {
            let earlier = items
                .get(..i)
                .unwrap_or_default()
                .iter()
                .position(|other| same_key(other, item, s));
            let Some(j) = earlier else { continue };
            let what = if s.list_type == ListType::Set {
                "value".to_owned()
            } else {
                format!("key ({})", s.list_keys.join(", "))
            };
            let msg = format!(
                "{}[{i}] repeats the {what} of {}[{j}]; this list does not allow duplicates",
                path.render(),
                path.render()
            );
            self.emit(&DUPLICATE_ITEM, item.span, &path.index(i), msg);
        }
    }

    fn scalar(&mut self, node: &Node, r: Resolved<'_>, s: &SchemaNode, path: &Path<'_>) {
        let v = self.version;
        if let Resolved::Str(text) = r {
            if s.enum_applies(v) && !s.enum_allows(text, v) {
                let msg = self.enum_message(text, s, path);
                self.emit(&ENUM, node.span, path, msg);
            }
            if let Some(min) = s.min_length_in(v) {
                let len = text.chars().count() as u64;
                if len < min {
                    let msg = if min == 1 {
                        format!("{} must not be empty", path.render())
                    } else {
                        format!(
                            "{} must be at least {min} characters long, but it has {len}",
                            path.render()
                        )
                    };
                    self.emit(&MIN_LENGTH, node.span, path, msg);
                }
            }
            if s.quantity && !is_quantity(text) {
                let msg = format!(
                    "{} is not a quantity: {}; write a number with an optional suffix, \
                     such as 500m, 2, 0.5 or 1Gi",
                    path.render(),
                    show(node)
                );
                self.emit(&QUANTITY, node.span, path, msg);
            }
        }
        let number = match r {
            Resolved::Int(i) => Some(i as f64),
            Resolved::Float(f) => Some(f),
            _ => None,
        };
        if let Some(x) = number {
            if let Some(min) = s.minimum_in(v) {
                if x < min {
                    let msg = format!(
                        "{} must be greater than or equal to {min}, but it is {}",
                        path.render(),
                        show(node)
                    );
                    self.emit(&MINIMUM, node.span, path, msg);
                }
            }
            if let Some(max) = s.maximum_in(v) {
                if x > max {
                    let msg = format!(
                        "{} must be less than or equal to {max}, but it is {}",
                        path.render(),
                        show(node)
                    );
                    self.emit(&MAXIMUM, node.span, path, msg);
                }
            }
        }
    }

    fn enum_message(&self, text: &str, s: &SchemaNode, path: &Path<'_>) -> String {
        let v = self.version;
        let allowed: Vec<String> = s.enum_values(v).map(|e| format!("{e:?}")).collect();
        let mut msg = format!(
            "{} must be one of {}, but it is {:?}",
            path.render(),
            allowed.join(", "),
            text
        );
        if let Some(g) = s.value_gate(text) {
            if v < g.since {
                msg.push_str(&format!(" (accepted from KEDA {})", g.since));
            } else if let Some(u) = g.until {
                msg.push_str(&format!(" (accepted until KEDA {u}, removed in {u})"));
            }
        } else if let Some(best) = closest(text, s.enum_values(v)) {
            msg.push_str(&format!("; did you mean {best:?}?"));
        }
        msg
    }
}

/// Kubernetes JSON type checks (`integer` takes a whole float such as `5.0`, as the
/// OpenAPI validator does; int-or-string takes an integer or a string, never `0.5`).
fn type_ok(node: &Node, r: Option<Resolved<'_>>, s: &SchemaNode) -> bool {
    let whole = |f: f64| f.fract() == 0.0 && f.is_finite();
    if s.int_or_string {
        return match r {
            Some(Resolved::Int(_)) | Some(Resolved::Str(_)) => true,
            Some(Resolved::Float(f)) => whole(f),
            _ => false,
        };
    }
    match s.ty {
        Ty::Any => true,
        Ty::Object => node.as_mapping().is_some(),
        Ty::Array => node.as_sequence().is_some(),
        Ty::String => matches!(r, Some(Resolved::Str(_))),
        Ty::Integer => match r {
            Some(Resolved::Int(_)) => true,
            Some(Resolved::Float(f)) => whole(f),
            _ => false,
        },
        Ty::Number => matches!(r, Some(Resolved::Int(_)) | Some(Resolved::Float(_))),
        Ty::Boolean => matches!(r, Some(Resolved::Bool(_))),
    }
}

fn wrong_type_message(node: &Node, s: &SchemaNode, path: &Path<'_>) -> String {
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

/// A null value, without resolving the scalar (most scalars are plainly not null).
fn is_null(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s) if s.tag.is_some() => node.is_null(),
        Value::Scalar(s) => {
            s.style == ScalarStyle::Plain
                && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
        _ => false,
    }
}

/// `name: {my-name}`: a documentation placeholder, which YAML reads as `{my-name: null}`.
fn is_placeholder(node: &Node) -> bool {
    matches!(node.as_mapping(), Some([only]) if is_null(&only.value))
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn describe_path(path: &Path<'_>) -> String {
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

fn first_key_span(node: &Node, entries: &[Entry]) -> Span {
    entries
        .first()
        .map_or(Span::new(node.span.start, node.span.start), |e| e.key.span)
}

fn same_key(a: &Node, b: &Node, s: &SchemaNode) -> bool {
    if s.list_type == ListType::Set || s.list_keys.is_empty() {
        return match (a.resolved(), b.resolved()) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        };
    }
    if a.as_mapping().is_none() || b.as_mapping().is_none() {
        return false;
    }
    s.list_keys.iter().all(|k| {
        let x = a.get(k).and_then(Node::resolved);
        let y = b.get(k).and_then(Node::resolved);
        x == y
    })
}

/// The Kubernetes quantity grammar (the CRD's `pattern` for int-or-string quantities):
/// `[+-]` digits with an optional fraction, then nothing, a binary suffix (`Ki`..`Ei`),
/// a decimal suffix (`n u m k M G T P E`) or a decimal exponent.
pub(super) fn is_quantity(s: &str) -> bool {
    fn number(b: &[u8]) -> Option<usize> {
        let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut i = int;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = b
                .get(i..)?
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if int == 0 && frac == 0 {
                return None;
            }
            i += frac;
        } else if int == 0 {
            return None;
        }
        Some(i)
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let Some(n) = b.get(i..).and_then(number) else {
        return false;
    };
    i += n;
    let rest = b.get(i..).unwrap_or_default();
    match rest {
        [] => true,
        [b'K' | b'M' | b'G' | b'T' | b'P' | b'E', b'i'] => true,
        [b'n' | b'u' | b'm' | b'k' | b'M' | b'G' | b'T' | b'P' | b'E'] => true,
        [b'e' | b'E', exp @ ..] => {
            let j = usize::from(matches!(exp.first(), Some(b'+' | b'-')));
            exp.get(j..)
                .and_then(number)
                .is_some_and(|n| n + j == exp.len())
        }
        _ => false,
    }
}
