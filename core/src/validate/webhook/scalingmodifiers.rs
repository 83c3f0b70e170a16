//! `spec.advanced.scalingModifiers` rules (SO-W11..W16): formula and target as KEDA's webhook
//! checks them, and the `scalingModifiers` fallback behaviour.

use super::formula::{check_formula, FormulaError};
use super::scaledobject::uses_modifiers;
use super::{parent_span, rule, scalar_text, scaled_object_spec, str_field, triggers, v};
use crate::diagnostic::Severity;
use crate::document::{Node, Pos, ScalarStyle, Span};
use crate::go::strconv::parse_float;
use crate::rules::{Ctx, Report, Rule};

pub static FORMULA_MISSING: Rule = rule(
    "KEDA1011",
    "scaling-modifiers-formula-missing",
    Severity::Error,
    "scalingModifiers is used but has no formula",
    "add scalingModifiers.formula (e.g. `trigger_a + trigger_b`), or remove scalingModifiers",
    v(12, 0),
    None,
    check_formula_missing,
);

pub static TARGET_MISSING: Rule = rule(
    "KEDA1012",
    "scaling-modifiers-target-missing",
    Severity::Error,
    "scalingModifiers.formula is given but target is empty",
    "set scalingModifiers.target to the value per replica, as a quoted number (target: \"10\")",
    v(12, 0),
    None,
    check_target_missing,
);

pub static FORMULA_INVALID: Rule = rule(
    "KEDA1013",
    "scaling-modifiers-formula-invalid",
    Severity::Error,
    "scalingModifiers.formula does not compile or fails when run",
    "use only names of triggers that are not cpu or memory and have a `name`, and keep the result a number",
    v(12, 0),
    None,
    check_formula_valid,
);

pub static TARGET_INVALID: Rule = rule(
    "KEDA1014",
    "scaling-modifiers-target-invalid",
    Severity::Error,
    "scalingModifiers.target is not a number greater than 0",
    "write the target as a positive number in quotes, e.g. target: \"10\"",
    v(12, 0),
    None,
    check_target_valid,
);

pub static METRIC_TYPE_UTILIZATION: Rule = rule(
    "KEDA1015",
    "scaling-modifiers-utilization",
    Severity::Error,
    "scalingModifiers.metricType is Utilization",
    "use AverageValue or Value",
    v(12, 0),
    // From v2.20.0 the CRD enum refuses the value first.
    Some(v(20, 0)),
    check_metric_type,
);

pub static FALLBACK_WITHOUT_FORMULA: Rule = rule(
    "KEDA1016",
    "fallback-scaling-modifiers-without-formula",
    Severity::Error,
    "fallback.behavior is scalingModifiers but no scalingModifiers.formula is defined",
    "define scalingModifiers.formula and target, or choose another fallback behavior",
    v(20, 0),
    None,
    check_fallback_behavior,
);

const PATH: &str = "spec.advanced.scalingModifiers";

fn modifiers<'a>(ctx: &Ctx<'a>) -> Option<(&'a Node, &'a Node)> {
    let spec = scaled_object_spec(ctx)?;
    if !uses_modifiers(spec) {
        return None;
    }
    Some((spec, spec.at(&["advanced", "scalingModifiers"])?))
}

fn check_formula_missing(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some((_, sm)) = modifiers(ctx) else {
        return;
    };
    if scalar_text(sm, "formula").is_empty() {
        let span = parent_span(
            ctx.resource,
            &["spec", "advanced", "scalingModifiers", "formula"],
        );
        report.emit(
            &FORMULA_MISSING,
            ctx.resource,
            span,
            format!("{PATH}.formula"),
            "scalingModifiers.formula is mandatory when scalingModifiers is set",
        );
    }
}

fn check_target_missing(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some((_, sm)) = modifiers(ctx) else {
        return;
    };
    if !scalar_text(sm, "formula").is_empty() && scalar_text(sm, "target").is_empty() {
        let span = parent_span(
            ctx.resource,
            &["spec", "advanced", "scalingModifiers", "target"],
        );
        report.emit(
            &TARGET_MISSING,
            ctx.resource,
            span,
            format!("{PATH}.target"),
            "scalingModifiers.formula is given but target is empty",
        );
    }
}

/// Trigger names a formula may use: named triggers other than cpu and memory.
fn visible_names(spec: &Node) -> Vec<&str> {
    triggers(spec)
        .filter(|(_, t)| !matches!(str_field(t, "type"), "cpu" | "memory"))
        .map(|(_, t)| scalar_text(t, "name"))
        .filter(|n| !n.is_empty())
        .collect()
}

fn check_formula_valid(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some((spec, sm)) = modifiers(ctx) else {
        return;
    };
    let formula = scalar_text(sm, "formula");
    let Some(node) = sm.get("formula").filter(|_| !formula.is_empty()) else {
        return;
    };
    let names = visible_names(spec);
    let Err(e) = check_formula(formula, &names, ctx.version()) else {
        return;
    };
    let span = inner_span(node, &e).unwrap_or(node.span);
    let mut message = format!(
        "error validating formula in ScalingModifiers: {}",
        e.message
    );
    if e.at_run {
        message.push_str(" (when run with every trigger at -1)");
    } else if e.at.is_none() && e.message.starts_with("invalid argument for float") {
        message.push_str("; KEDA compiles the formula as float(<formula>), so its result must be a number, not a condition");
    }
    if let Some(rest) = e.message.strip_prefix("unknown name ") {
        let unknown = rest.split(' ').next().unwrap_or("");
        let resource_trigger = triggers(spec).any(|(_, t)| {
            matches!(str_field(t, "type"), "cpu" | "memory") && scalar_text(t, "name") == unknown
        });
        if resource_trigger {
            message.push_str(&format!(
                "; {unknown} is a cpu or memory trigger, and those cannot be used in formulas"
            ));
        }
        let bad_names: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| !is_identifier(n))
            .collect();
        if !bad_names.is_empty() {
            message.push_str(&format!(
                "; trigger names used in formulas must be identifiers (letters, digits, _), which {} is not",
                bad_names.join(", ")
            ));
        }
        if names.is_empty() {
            message.push_str("; no trigger can be used in the formula (only named triggers that are not cpu or memory can)");
        } else {
            message.push_str(&format!(
                "; triggers usable in the formula: {}",
                names.join(", ")
            ));
        }
    }
    report.emit(
        &FORMULA_INVALID,
        ctx.resource,
        span,
        format!("{PATH}.formula"),
        message,
    );
}

/// A name expr reads as one identifier.
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c == '_' || c == '$' || c.is_alphabetic())
        && chars.all(|c| c == '_' || c == '$' || c.is_alphanumeric())
}

/// The span of the offending token inside the scalar, when the scalar sits on one line and
/// its source text is the formula itself (plain, or quoted without escapes).
fn inner_span(node: &Node, e: &FormulaError) -> Option<Span> {
    let at = e.at?;
    let scalar = node.as_scalar()?;
    let span = node.span;
    if span.start.line != span.end.line {
        return None;
    }
    let quote = match scalar.style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => 1,
        _ => return None,
    };
    let chars = scalar.text.chars().count() as u32;
    if span.end.column.checked_sub(span.start.column)? != chars + 2 * quote {
        return None;
    }
    let byte_at: usize = scalar.text.chars().take(at).map(char::len_utf8).sum();
    let byte_len: usize = scalar
        .text
        .chars()
        .skip(at)
        .take(e.len)
        .map(char::len_utf8)
        .sum();
    let start = Pos {
        offset: span.start.offset + quote + byte_at as u32,
        line: span.start.line,
        column: span.start.column + quote + at as u32,
    };
    let end = Pos {
        offset: start.offset + byte_len as u32,
        line: span.start.line,
        column: start.column + e.len.min(chars as usize - at.min(chars as usize)) as u32,
    };
    Some(Span::new(start, end))
}

fn check_target_valid(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some((_, sm)) = modifiers(ctx) else {
        return;
    };
    let target = scalar_text(sm, "target");
    let Some(node) = sm.get("target").filter(|_| !target.is_empty()) else {
        return;
    };
    let problem = match parse_float(target) {
        Err(e) => e.describe(target),
        Ok(t) if t <= 0.0 => format!("{target} is not greater than 0"),
        Ok(_) => return,
    };
    report.emit(
        &TARGET_INVALID,
        ctx.resource,
        node.span,
        format!("{PATH}.target"),
        format!(
            "error converting target for scalingModifiers (string->float) to valid target: {problem}"
        ),
    );
}

fn check_metric_type(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some((_, sm)) = modifiers(ctx) else {
        return;
    };
    if let Some(node) = sm.get("metricType") {
        if node.as_str() == Some("Utilization") {
            report.emit(
                &METRIC_TYPE_UTILIZATION,
                ctx.resource,
                node.span,
                format!("{PATH}.metricType"),
                "scalingModifiers.metricType is Utilization, but it needs to be AverageValue or Value for external metrics",
            );
        }
    }
}

fn check_fallback_behavior(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some(node) = spec.at(&["fallback", "behavior"]) else {
        return;
    };
    if node.as_str() != Some("scalingModifiers") {
        return;
    }
    let has_formula = uses_modifiers(spec)
        && spec
            .at(&["advanced", "scalingModifiers"])
            .is_some_and(|sm| !scalar_text(sm, "formula").is_empty());
    if !has_formula {
        report.emit(
            &FALLBACK_WITHOUT_FORMULA,
            ctx.resource,
            node.span,
            "spec.fallback.behavior",
            "scalingModifiers fallback behavior requires scalingModifiers.formula to be defined",
        );
    }
}
