//! Trigger rules shared by ScaledObject and ScaledJob (`ValidateTriggers`).

use super::{rule, str_field, triggers, v};
use crate::diagnostic::Severity;
use crate::document::{Kind, Node};
use crate::rules::{Ctx, Report, Rule};

pub static NO_TRIGGERS: Rule = rule(
    "KEDA1001",
    "no-triggers",
    Severity::Error,
    "the triggers list is empty",
    "add at least one trigger",
    v(14, 0),
    // From v2.20.0 the CRD's `minItems: 1` rejects the same manifests before the webhook runs.
    Some(v(20, 0)),
    check_no_triggers,
);

pub static CACHED_METRICS_UNSUPPORTED: Rule = rule(
    "KEDA1002",
    "cached-metrics-unsupported",
    Severity::Error,
    "useCachedMetrics is set on a cpu, memory or cron trigger",
    "remove useCachedMetrics from this trigger; only external scalers can cache metrics",
    v(11, 0),
    None,
    check_cached_metrics,
);

pub static DUPLICATE_TRIGGER_NAME: Rule = rule(
    "KEDA1003",
    "duplicate-trigger-name",
    Severity::Error,
    "two triggers have the same name",
    "give every named trigger a unique name",
    v(11, 0),
    None,
    check_duplicate_names,
);

/// ScaledObject and ScaledJob specs (the only kinds with triggers).
fn scalable_spec<'a>(ctx: &Ctx<'a>) -> Option<&'a Node> {
    matches!(ctx.resource.kind, Kind::ScaledObject | Kind::ScaledJob)
        .then(|| ctx.resource.spec())
        .flatten()
}

fn kind_name(ctx: &Ctx<'_>) -> &'static str {
    match ctx.resource.kind {
        Kind::ScaledJob => "ScaledJob",
        _ => "ScaledObject",
    }
}

fn check_no_triggers(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scalable_spec(ctx) else {
        return;
    };
    // A missing list is the schema's `required`; an explicit empty list reaches the webhook.
    let Some(list) = spec.get("triggers") else {
        return;
    };
    if list.as_sequence().is_some_and(<[Node]>::is_empty) {
        report.emit(
            &NO_TRIGGERS,
            ctx.resource,
            list.span,
            "spec.triggers",
            format!("no triggers defined in the {}", kind_name(ctx)),
        );
    }
}

fn check_cached_metrics(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scalable_spec(ctx) else {
        return;
    };
    // ScaledJob triggers with useCachedMetrics only log a warning in the controller, but the
    // shared webhook function rejects them the same way.
    for (i, trigger) in triggers(spec) {
        let Some(flag) = trigger.get("useCachedMetrics") else {
            continue;
        };
        if flag.as_bool() != Some(true) {
            continue;
        }
        let ty = str_field(trigger, "type");
        if matches!(ty, "cpu" | "memory" | "cron") {
            report.emit(
                &CACHED_METRICS_UNSUPPORTED,
                ctx.resource,
                flag.span,
                format!("spec.triggers[{i}].useCachedMetrics"),
                format!("property \"useCachedMetrics\" is not supported for {ty:?} scaler"),
            );
        }
    }
}

fn check_duplicate_names(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scalable_spec(ctx) else {
        return;
    };
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for (i, trigger) in triggers(spec) {
        let Some(node) = trigger.get("name") else {
            continue;
        };
        let name = node.as_str().unwrap_or("");
        if name.is_empty() {
            continue;
        }
        if let Some(&(_, first)) = seen.iter().find(|(n, _)| *n == name) {
            report.emit(
                &DUPLICATE_TRIGGER_NAME,
                ctx.resource,
                node.span,
                format!("spec.triggers[{i}].name"),
                format!(
                    "triggerName {name:?} is defined multiple times in the {} (also spec.triggers[{first}]), but it must be unique",
                    kind_name(ctx)
                ),
            );
        } else {
            seen.push((name, i));
        }
    }
}
