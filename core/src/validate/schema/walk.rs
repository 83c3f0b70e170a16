//! The walker: one pass over a document's nodes against the compiled CRD schema.
//!
//! It mirrors the API server's order for a custom resource: non-nullable `null` fields are
//! dropped (or defaulted) first (`apiextensions-apiserver .../schema/defaulting/prunenulls.go`),
//! defaults fill missing fields, unknown fields are refused (kubectl sends
//! `fieldValidation=Strict` by default), then the structural schema is checked. Nothing is
//! allocated unless a diagnostic is emitted: the path lives on the stack.

use crate::diagnostic::{Edit, Fix};
use crate::document::{Entry, Node, Resolved, Resource, ScalarStyle, Span, Value};
use crate::rules::{Report, Rule};
use crate::validate::edits;
use crate::version::KedaVersion;

use super::message::{article, describe_path, show, wrong_type_message};
use super::path::{Path, Seg};
use super::quantity::is_quantity;
use super::suggest::{closest, near_count};
use super::tree::{ListType, SchemaNode, Schemas, Ty};
use super::{
    DUPLICATE_ITEM, ENUM, GO_INTEGER_RANGE, MAXIMUM, MINIMUM, MIN_ITEMS, MIN_LENGTH, NULL_VALUE,
    QUANTITY, REQUIRED, UNKNOWN_FIELD, WRONG_TYPE,
};

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
                    "{} is null; a list item must be {} {}",
                    describe_path(path),
                    article(s.ty.name()),
                    s.ty.name()
                );
                self.emit(&NULL_VALUE, node.span, path, msg);
            }
            return;
        }
        if !type_ok(node, resolved, s) {
            if !self.status {
                let msg = wrong_type_message(node, s, path);
                let fix = quote_fix(node, s).or_else(|| unquote_fix(node, s));
                let d = self
                    .report
                    .emit(&WRONG_TYPE, self.resource, node.span, path.render(), msg);
                if let (Some(d), Some(fix)) = (d, fix) {
                    d.fixes.push(fix);
                }
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
                        self.unknown_field(entries, e, k, s, &child_path, ci);
                        continue;
                    }
                    Some(ci)
                }
                None => s.additional,
            };
            let Some(ci) = child else {
                if !s.preserve_unknown {
                    self.unknown_field(entries, e, k, s, &child_path, u32::MAX);
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

    fn unknown_field(
        &mut self,
        entries: &[Entry],
        e: &Entry,
        key: &str,
        s: &SchemaNode,
        path: &Path<'_>,
        ci: u32,
    ) {
        let field = path.render();
        let since = self.schemas.node(ci).and_then(SchemaNode::since);
        let mut fix = None;
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
                match closest(key, candidates.clone()) {
                    Some(best) => {
                        fix = rename_fix(entries, e, best, near_count(key, candidates) == 1);
                        format!("unknown field {field:?}; did you mean {best:?}?")
                    }
                    None if self.has_parameter_map(s) => format!(
                        "unknown field {field:?}; scaler parameters go under the trigger's \
                         metadata (metadata.{key})"
                    ),
                    None => format!("unknown field {field:?}"),
                }
            }
        };
        let d = self
            .report
            .emit(&UNKNOWN_FIELD, self.resource, e.key.span, field, msg);
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }

    /// A trigger: its `metadata` is a map of strings, where a misplaced parameter belongs.
    fn has_parameter_map(&self, s: &SchemaNode) -> bool {
        s.property("metadata")
            .and_then(|i| self.schemas.node(i))
            .is_some_and(|m| m.additional.is_some())
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
                let fix = enum_fix(node, text, s, v);
                let d = self
                    .report
                    .emit(&ENUM, self.resource, node.span, path.render(), msg);
                if let (Some(d), Some(fix)) = (d, fix) {
                    d.fixes.push(fix);
                }
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
        if let Some(bits) = s.int_bits {
            let fits = match (r, bits) {
                (Resolved::Int(i), 32) => i32::try_from(i).is_ok(),
                (Resolved::Int(_), _) => true,
                // Past i64 the scalar resolves to a float; 2^63 is the first that overflows.
                (Resolved::Float(f), 32) => f >= f64::from(i32::MIN) && f <= f64::from(i32::MAX),
                (Resolved::Float(f), _) => (-TWO_POW_63..TWO_POW_63).contains(&f),
                _ => true,
            };
            if !fits {
                let (lo, hi) = if bits == 32 {
                    (i64::from(i32::MIN), i64::from(i32::MAX))
                } else {
                    (i64::MIN, i64::MAX)
                };
                let msg = format!(
                    "{} is {}, outside int{bits} ({lo} to {hi}): the API server stores it, but \
                     KEDA's webhook and operator cannot decode the object (json: cannot \
                     unmarshal number {} into a Go struct field of type int{bits})",
                    path.render(),
                    show(node),
                    show(node)
                );
                self.emit(&GO_INTEGER_RANGE, node.span, path, msg);
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

/// 2^63: the first float past `i64::MAX` (`-2^63` is `i64::MIN` itself).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// A plain number or boolean where the CRD wants a string: quoting it keeps what the author
/// wrote and is what the API server asks for.
fn quote_fix(node: &Node, s: &SchemaNode) -> Option<Fix> {
    let scalar = node.as_scalar()?;
    if s.ty != Ty::String || scalar.style != ScalarStyle::Plain || scalar.tag.is_some() {
        return None;
    }
    let mut quoted = String::with_capacity(scalar.text.len() + 2);
    quoted.push('"');
    for c in scalar.text.chars() {
        if matches!(c, '"' | '\\') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    Some(Fix::safe(
        "Quote the value",
        vec![Edit::replace(node.span, quoted)],
    ))
}

/// A quoted integer or boolean where the CRD wants that type (`minReplicaCount: "5"`):
/// dropping the quotes gives the value the text spells. Only for a plain decimal integer (no
/// sign `+`, leading zero, underscore or exponent, which YAML 1.1 reads differently or not
/// at all) and for exactly `true` or `false`.
fn unquote_fix(node: &Node, s: &SchemaNode) -> Option<Fix> {
    let scalar = node.as_scalar()?;
    let quoted = matches!(
        scalar.style,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
    );
    if !quoted || scalar.tag.is_some() || s.int_or_string {
        return None;
    }
    let text = scalar.text.as_str();
    let fits = match s.ty {
        Ty::Integer => is_decimal_integer(text),
        Ty::Boolean => matches!(text, "true" | "false"),
        _ => false,
    };
    fits.then(|| {
        Fix::safe(
            "Remove the quotes",
            vec![Edit::replace(node.span, text.to_owned())],
        )
    })
}

/// `0`, or an optional `-` and 1 to 18 digits without a leading zero: always an int64 in
/// both YAML 1.1 and JSON.
fn is_decimal_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if text == "0" {
        return true;
    }
    (1..=18).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

/// The unknown key renamed to the field meant. Safe when that field is the only plausible
/// one; none when the mapping already has it (a rename would duplicate the key).
fn rename_fix(entries: &[Entry], e: &Entry, best: &str, only: bool) -> Option<Fix> {
    if entries.iter().any(|other| other.key_str() == Some(best)) {
        return None;
    }
    let edit = edits::rename_key(e, best)?;
    let title = format!("Rename to {best:?}");
    Some(if only {
        Fix::safe(title, vec![edit])
    } else {
        Fix::unsafe_(title, vec![edit])
    })
}

/// An enum value written in another case (`averagevalue`): the one allowed value it matches
/// ignoring case, when there is exactly one (safe). Otherwise the value the message suggests
/// (a guess, so unsafe), unless the value is allowed in another release (the message says so).
fn enum_fix(node: &Node, text: &str, s: &SchemaNode, v: KedaVersion) -> Option<Fix> {
    let mut same = s.enum_values(v).filter(|e| e.eq_ignore_ascii_case(text));
    if let (Some(value), None) = (same.next(), same.next()) {
        let edit = edits::replace_string(node, value)?;
        return Some(Fix::safe(format!("Change to {value:?}"), vec![edit]));
    }
    if s.value_gate(text).is_some() {
        return None;
    }
    let value = closest(text, s.enum_values(v))?;
    let edit = edits::replace_string(node, value)?;
    Some(Fix::unsafe_(format!("Change to {value:?}"), vec![edit]))
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

/// A null value, without resolving the scalar (most scalars are plainly not null).
pub(super) fn is_null(node: &Node) -> bool {
    match &node.value {
        Value::Scalar(s) if s.tag.is_some() => node.is_null(),
        Value::Scalar(s) => {
            s.style == ScalarStyle::Plain
                && matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL")
        }
        _ => false,
    }
}

fn first_key_span(node: &Node, entries: &[Entry]) -> Span {
    entries
        .first()
        .map_or(Span::new(node.span.start, node.span.start), |e| e.key.span)
}

/// Items missing a key field compare as absent, not as the field's default (the one case,
/// a container port without `protocol`, defaults to TCP): a duplicate can be missed there,
/// never invented.
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
