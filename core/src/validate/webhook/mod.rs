//! Rules of the `webhook` layer: what KEDA's validating admission webhook rejects (or warns
//! about) by looking at one object alone. Rules that need other objects (HPAs, other
//! ScaledObjects, workloads) live in the `reference` layer.

mod expreval;
mod exprlex;
mod exprsyntax;
mod exprtree;
mod exprtypes;
mod formula;
mod scaledobject;
mod scalingmodifiers;
mod triggerauth;
mod triggers;

use crate::diagnostic::{Severity, Source};
use crate::document::{Kind, Node, Resource};
use crate::rules::{Check, Ctx, Rule};
use crate::version::KedaVersion;

pub use formula::{
    check_formula, evaluate_formula, rewrite_formula, CompiledFormula, FormulaError,
};

/// The unreleased `main` branch, which changed the admission warnings after v2.20.2.
pub const MAIN: KedaVersion = KedaVersion::new(2, 21, 0);

pub static RULES: &[&Rule] = &[
    &triggers::NO_TRIGGERS,
    &triggers::CACHED_METRICS_UNSUPPORTED,
    &triggers::DUPLICATE_TRIGGER_NAME,
    &scaledobject::MIN_ABOVE_MAX,
    &scaledobject::IDLE_NOT_BELOW_MIN,
    &scaledobject::NAME_TOO_LONG,
    &scaledobject::HPA_NAME_TOO_LONG,
    &scaledobject::FALLBACK_NEGATIVE,
    &scaledobject::FALLBACK_NEEDS_EXTERNAL_TRIGGER,
    &scaledobject::SCALE_TARGET_API_VERSION_INVALID,
    &scalingmodifiers::FORMULA_MISSING,
    &scalingmodifiers::TARGET_MISSING,
    &scalingmodifiers::FORMULA_INVALID,
    &scalingmodifiers::TARGET_INVALID,
    &scalingmodifiers::METRIC_TYPE_UTILIZATION,
    &scalingmodifiers::FALLBACK_WITHOUT_FORMULA,
    &scaledobject::POLLING_INTERVAL_NOT_RELEVANT,
    &scaledobject::COOLDOWN_PERIOD_NOT_RELEVANT,
    &triggerauth::IDENTITY_ID_EMPTY,
    &triggerauth::AUTHORITY_HOST_WITHOUT_TENANT,
    &triggerauth::TENANT_ID_EMPTY,
    &triggerauth::ROLE_ARN_WITH_WORKLOAD_OWNER,
    &triggerauth::EXTERNAL_ID_WITHOUT_ROLE_ARN,
    &triggerauth::OAUTH2_INCOMPLETE,
    &triggerauth::OAUTH2_TOKEN_URL_INVALID,
];

/// A webhook rule row.
#[allow(clippy::too_many_arguments)]
pub(crate) const fn rule(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
    since: KedaVersion,
    until: Option<KedaVersion>,
    check: fn(&Ctx<'_>, &mut crate::rules::Report<'_>),
) -> Rule {
    Rule {
        code,
        name,
        severity,
        source: Source::Webhook,
        summary,
        help,
        since,
        until,
        fixes: &[],
        check: Check::Resource(check),
    }
}

/// A row whose code is reported by another row's function (one pass serves several rules).
pub(crate) const fn walker_rule(
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    help: &'static str,
    since: KedaVersion,
) -> Rule {
    Rule {
        code,
        name,
        severity: Severity::Error,
        source: Source::Webhook,
        summary,
        help,
        since,
        until: None,
        fixes: &[],
        check: Check::Walker,
    }
}

pub(crate) const fn v(minor: u16, patch: u16) -> KedaVersion {
    KedaVersion::new(2, minor, patch)
}

/// The spec of a ScaledObject (None for other kinds or when it has no mapping spec).
pub(crate) fn scaled_object_spec<'a>(ctx: &Ctx<'a>) -> Option<&'a Node> {
    (ctx.resource.kind == Kind::ScaledObject)
        .then(|| ctx.resource.spec())
        .flatten()
        .filter(|s| s.as_mapping().is_some())
}

/// An int32 field as Go would decode it (a JSON number without fraction); other types are the
/// schema layer's business, so they read as absent here.
pub(crate) fn int_field<'a>(parent: &'a Node, key: &str) -> Option<(i64, &'a Node)> {
    let node = parent.get(key)?;
    if !matches!(node.type_name(), "integer" | "number") {
        return None;
    }
    node.as_i64().map(|i| (i, node))
}

/// A string field as Go decodes it: absent or null reads as "" (Go's zero value).
pub(crate) fn str_field<'a>(parent: &'a Node, key: &str) -> &'a str {
    parent.get(key).and_then(Node::as_str).unwrap_or("")
}

/// Any scalar's text (`2` and `"2"` alike); absent or null reads as "". Used where a wrong
/// YAML type is the schema layer's finding and the webhook would see the text.
pub(crate) fn scalar_text<'a>(parent: &'a Node, key: &str) -> &'a str {
    parent
        .get(key)
        .filter(|n| !n.is_null())
        .and_then(Node::text)
        .unwrap_or("")
}

/// The triggers of a ScaledObject or ScaledJob spec, with their index.
pub(crate) fn triggers(spec: &Node) -> impl Iterator<Item = (usize, &Node)> {
    spec.get("triggers")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .enumerate()
}

/// The span to point at for a missing key: the key of its parent, or the resource's root.
pub(crate) fn parent_span(resource: &Resource, keys: &[&str]) -> crate::document::Span {
    let mut node = &resource.root;
    let mut span = node.span;
    for k in keys {
        match node.entry(k) {
            Some(e) => {
                span = e.key.span;
                node = &e.value;
            }
            None => break,
        }
    }
    span
}

#[cfg(test)]
mod tests;
