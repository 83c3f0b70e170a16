//! Rules of the `schema` layer: what the API server checks against the KEDA CRDs (and
//! ObjectMeta) before any webhook sees the object.
//!
//! The CRD's one CEL rule (`minReplicaCount <= maxReplicaCount`) is left to the webhook
//! layer (KEDA1004), which reports the same fault.

#[cfg(test)]
mod compile;
#[cfg(test)]
mod editor;
#[cfg(test)]
mod gates;
mod message;
mod meta;
mod path;
mod quantity;
mod suggest;
#[cfg(test)]
mod tests;
mod tree;
mod walk;

/// Kubernetes name syntax checks (each returns why a name is invalid), for other layers
/// that judge names the API server will see (e.g. a custom HPA name).
pub use meta::{dns_label, dns_subdomain, label_value, qualified_name};
pub(crate) use suggest::closest;

use crate::diagnostic::{Severity, Source};
use crate::rules::{Check, Ctx, Report, Rule, SAFE_FIX, SAFE_OR_UNSAFE_FIX};
use crate::version::KedaVersion;

const fn schema_rule(
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    help: &'static str,
    check: Check,
) -> Rule {
    Rule {
        code,
        name,
        severity: Severity::Error,
        source: Source::Schema,
        summary,
        help,
        since: KedaVersion::OLDEST,
        until: None,
        fixes: &[],
        check,
    }
}

pub static WRONG_TYPE: Rule = Rule {
    fixes: SAFE_FIX,
    ..schema_rule(
        "KEDA0101",
        "wrong-type",
        "a value has the wrong JSON type for its field (e.g. an integer where the CRD wants a string)",
        "quote numbers meant as strings (`threshold: \"50\"`); unquote numbers meant as integers",
        Check::Resource(check),
    )
};
pub static REQUIRED: Rule = schema_rule(
    "KEDA0102",
    "required-field-missing",
    "a field the CRD marks as required is missing",
    "add the field; `null` counts as missing, since the API server drops it",
    Check::Walker,
);
pub static ENUM: Rule = Rule {
    fixes: SAFE_OR_UNSAFE_FIX,
    ..schema_rule(
        "KEDA0103",
        "value-not-allowed",
        "a value is not one of the values the CRD allows for the field",
        "use one of the listed values (they are case-sensitive)",
        Check::Walker,
    )
};
pub static MINIMUM: Rule = schema_rule(
    "KEDA0104",
    "below-minimum",
    "a number is below the minimum the CRD allows",
    "raise the value to the minimum the message names",
    Check::Walker,
);
pub static MAXIMUM: Rule = schema_rule(
    "KEDA0105",
    "above-maximum",
    "a number is above the maximum the CRD allows",
    "lower the value to the maximum the message names",
    Check::Walker,
);
pub static MIN_LENGTH: Rule = schema_rule(
    "KEDA0106",
    "string-too-short",
    "a string is shorter than the CRD allows (usually: it must not be empty)",
    "give the field a value, or remove it if it is optional",
    Check::Walker,
);
pub static MIN_ITEMS: Rule = schema_rule(
    "KEDA0107",
    "too-few-items",
    "a list has fewer items than the CRD requires (usually: it must not be empty)",
    "add at least one item (a ScaledObject needs at least one trigger)",
    Check::Walker,
);
pub static UNKNOWN_FIELD: Rule = Rule {
    fixes: SAFE_OR_UNSAFE_FIX,
    ..schema_rule(
        "KEDA0108",
        "unknown-field",
        "a field the CRD does not define (kubectl's default strict field validation rejects it)",
        "fix the spelling or the indentation, or remove the field",
        Check::Walker,
    )
};
pub static NULL_VALUE: Rule = schema_rule(
    "KEDA0109",
    "null-item",
    "a list item is null (the API server drops null fields, but not null list items)",
    "remove the empty list item (a lone `-`)",
    Check::Walker,
);
pub static QUANTITY: Rule = schema_rule(
    "KEDA0110",
    "invalid-quantity",
    "a string is not a Kubernetes quantity (`500m`, `1Gi`, `0.5`)",
    "write a number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ...",
    Check::Walker,
);
pub static DUPLICATE_ITEM: Rule = schema_rule(
    "KEDA0111",
    "duplicate-list-item",
    "a list whose items are keyed (x-kubernetes-list-type: map or set) repeats a key",
    "give each item its own key (e.g. a distinct container name)",
    Check::Walker,
);
pub static NAME: Rule = schema_rule(
    "KEDA0112",
    "invalid-name",
    "metadata.name is missing or is not a lowercase RFC 1123 subdomain",
    "use lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    Check::Walker,
);
pub static NAMESPACE: Rule = schema_rule(
    "KEDA0113",
    "invalid-namespace",
    "metadata.namespace is not a lowercase RFC 1123 label",
    "use at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    Check::Walker,
);
pub static LABEL: Rule = schema_rule(
    "KEDA0114",
    "invalid-label-or-annotation",
    "a label or annotation key, or a label value, is not valid Kubernetes syntax",
    "keys are [prefix/]name with letters, digits, '-', '_', '.' (name at most 63); label values at most 63 such characters",
    Check::Walker,
);

/// Not an API server check: the CRD's `format: int32` is only documentation there, so the
/// value is stored and then fails in KEDA's Go types (webhook and operator).
pub static GO_INTEGER_RANGE: Rule = schema_rule(
    "KEDA0115",
    "integer-out-of-range",
    "an integer beyond the Go type KEDA decodes it into (int32 for replica counts, intervals, periods): the API server stores it, KEDA cannot read the object",
    "use a value from -2147483648 to 2147483647 (int32 fields) or within int64",
    Check::Walker,
);

pub static RULES: &[&Rule] = &[
    &WRONG_TYPE,
    &REQUIRED,
    &ENUM,
    &MINIMUM,
    &MAXIMUM,
    &MIN_LENGTH,
    &MIN_ITEMS,
    &UNKNOWN_FIELD,
    &NULL_VALUE,
    &QUANTITY,
    &DUPLICATE_ITEM,
    &NAME,
    &NAMESPACE,
    &LABEL,
    &GO_INTEGER_RANGE,
];

/// Walks one KEDA resource against its kind's CRD schema, then checks its ObjectMeta.
fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(schemas) = tree::schemas() else {
        return;
    };
    let Some(root) = schemas.root(&ctx.resource.kind) else {
        return;
    };
    let mut walker = walk::Walker {
        schemas,
        version: ctx.version(),
        resource: ctx.resource,
        report,
        status: false,
    };
    walker.walk_root(root);
    meta::check(ctx.resource, report);
}
