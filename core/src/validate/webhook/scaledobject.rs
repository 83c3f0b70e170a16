//! ScaledObject rules that look at the object alone: replica bounds, name lengths, fallback
//! and the admission warnings.

use super::{
    int_field, parent_span, rule, scalar_text, scaled_object_spec, str_field, triggers, v, MAIN,
};
use crate::diagnostic::Severity;
use crate::document::Node;
use crate::rules::{Ctx, Report, Rule};

pub static MIN_ABOVE_MAX: Rule = rule(
    "KEDA1004",
    "min-replicas-above-max",
    Severity::Error,
    "minReplicaCount is greater than maxReplicaCount",
    "lower minReplicaCount or raise maxReplicaCount",
    // The CRD's CEL rule and the webhook both reject it from v2.20.0; before, only the
    // controller reported it (Ready=False).
    v(20, 0),
    None,
    check_min_above_max,
);

pub static IDLE_NOT_BELOW_MIN: Rule = rule(
    "KEDA1005",
    "idle-replicas-not-below-min",
    Severity::Error,
    "idleReplicaCount is not less than the minimum replica count",
    "set minReplicaCount above idleReplicaCount (idleReplicaCount: 0 needs minReplicaCount of at least 1)",
    v(20, 0),
    None,
    check_idle_not_below_min,
);

pub static NAME_TOO_LONG: Rule = rule(
    "KEDA1006",
    "scaledobject-name-too-long",
    Severity::Error,
    "the ScaledObject name is longer than 63 characters",
    "shorten metadata.name to at most 63 characters; it is used as the scaledobject.keda.sh/name label value",
    v(20, 0),
    None,
    check_name_too_long,
);

pub static HPA_NAME_TOO_LONG: Rule = rule(
    "KEDA1007",
    "hpa-name-too-long",
    Severity::Error,
    "the HPA name (custom, or keda-hpa-<name>) is longer than 63 characters",
    "set spec.advanced.horizontalPodAutoscalerConfig.name to a shorter name or shorten the ScaledObject name",
    v(20, 0),
    None,
    check_hpa_name_too_long,
);

pub static FALLBACK_NEGATIVE: Rule = rule(
    "KEDA1008",
    "fallback-negative",
    Severity::Error,
    "fallback.failureThreshold or fallback.replicas is negative",
    "use values of 0 or more",
    v(14, 0),
    // From v2.20.0 the CRD's `minimum: 0` rejects the same manifests first.
    Some(v(20, 0)),
    check_fallback_negative,
);

pub static FALLBACK_NEEDS_EXTERNAL_TRIGGER: Rule = rule(
    "KEDA1009",
    "fallback-unsupported-triggers",
    Severity::Error,
    "fallback is configured but no trigger can use it",
    "add a trigger that is not cpu or memory, or remove fallback",
    v(14, 0),
    None,
    check_fallback_triggers,
);

pub static SCALE_TARGET_API_VERSION_INVALID: Rule = rule(
    "KEDA1017",
    "scale-target-api-version-invalid",
    Severity::Error,
    "scaleTargetRef.apiVersion is not a group/version string",
    "write apiVersion as <group>/<version> (apps/v1) or <version> for the core group (v1)",
    v(10, 0),
    None,
    check_scale_target_api_version,
);

pub static POLLING_INTERVAL_NOT_RELEVANT: Rule = rule(
    "KEDA1020",
    "polling-interval-not-relevant",
    Severity::Warning,
    "pollingInterval is set but not relevant with minReplicaCount above 0",
    "remove pollingInterval, or set minReplicaCount: 0, idleReplicaCount, or useCachedMetrics",
    v(20, 0),
    None,
    check_polling_interval,
);

pub static COOLDOWN_PERIOD_NOT_RELEVANT: Rule = rule(
    "KEDA1021",
    "cooldown-period-not-relevant",
    Severity::Warning,
    "cooldownPeriod is set but not relevant with minReplicaCount above 0",
    "remove cooldownPeriod, or set minReplicaCount: 0 or idleReplicaCount",
    v(20, 0),
    None,
    check_cooldown_period,
);

/// Replica bounds as the webhook computes them (`CheckReplicaCountBoundsAreValid`).
pub(crate) struct Bounds<'a> {
    pub min: Option<(i64, &'a Node)>,
    /// Unset -> 0; set -> the HPA minimum, so an explicit 0 (or less) counts as 1.
    pub effective_min: i64,
    pub max: Option<(i64, &'a Node)>,
    /// `maxReplicaCount`, or 100.
    pub effective_max: i64,
}

pub(crate) fn bounds(spec: &Node) -> Bounds<'_> {
    let min = int_field(spec, "minReplicaCount");
    let max = int_field(spec, "maxReplicaCount");
    Bounds {
        min,
        effective_min: min.map_or(0, |(m, _)| if m > 0 { m } else { 1 }),
        max,
        effective_max: max.map_or(100, |(m, _)| m),
    }
}

fn check_min_above_max(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let b = bounds(spec);
    let Some((min, min_node)) = b.min else {
        return;
    };
    if b.effective_min <= b.effective_max {
        return;
    }
    let min_text = if min == b.effective_min {
        min.to_string()
    } else {
        format!("{min}, which KEDA counts as {}", b.effective_min)
    };
    let max_text = if b.max.is_some() {
        b.effective_max.to_string()
    } else {
        format!("{}, the default", b.effective_max)
    };
    report.emit(
        &MIN_ABOVE_MAX,
        ctx.resource,
        min_node.span,
        "spec.minReplicaCount",
        format!("minReplicaCount ({min_text}) is greater than maxReplicaCount ({max_text})"),
    );
}

fn check_idle_not_below_min(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some((idle, idle_node)) = int_field(spec, "idleReplicaCount") else {
        return;
    };
    let b = bounds(spec);
    if idle < b.effective_min {
        return;
    }
    let min_text = match b.min {
        None => "0: not set, which the webhook counts as 0".to_owned(),
        Some((m, _)) if m != b.effective_min => {
            format!(
                "{}: set to {m}, which KEDA counts as {}",
                b.effective_min, b.effective_min
            )
        }
        Some(_) => b.effective_min.to_string(),
    };
    report.emit(
        &IDLE_NOT_BELOW_MIN,
        ctx.resource,
        idle_node.span,
        "spec.idleReplicaCount",
        format!("idleReplicaCount ({idle}) must be less than minReplicaCount ({min_text})"),
    );
}

/// Kubernetes label values (and so the names KEDA puts in labels) are at most 63 bytes.
const MAX_LABEL_VALUE: usize = 63;

fn name_node<'a>(ctx: &Ctx<'a>) -> Option<&'a Node> {
    ctx.resource.root.at(&["metadata", "name"])
}

fn check_name_too_long(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    if scaled_object_spec(ctx).is_none() {
        return;
    }
    let Some(node) = name_node(ctx) else {
        return;
    };
    let name = node.as_str().unwrap_or("");
    if name.len() > MAX_LABEL_VALUE {
        report.emit(
            &NAME_TOO_LONG,
            ctx.resource,
            node.span,
            "metadata.name",
            format!(
                "ScaledObject name is {} characters long; it must be no more than {MAX_LABEL_VALUE} because it is used as the scaledobject.keda.sh/name label value",
                name.len()
            ),
        );
    }
}

fn check_hpa_name_too_long(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let custom = spec
        .at(&["advanced", "horizontalPodAutoscalerConfig", "name"])
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
    if let Some(node) = custom {
        let hpa = node.as_str().unwrap_or("");
        if hpa.len() > MAX_LABEL_VALUE {
            report.emit(
                &HPA_NAME_TOO_LONG,
                ctx.resource,
                node.span,
                "spec.advanced.horizontalPodAutoscalerConfig.name",
                format!(
                    "HPA name {hpa:?} is {} characters long; it must be no more than {MAX_LABEL_VALUE}",
                    hpa.len()
                ),
            );
        }
        return;
    }
    let Some(node) = name_node(ctx) else {
        return;
    };
    let name = node.as_str().unwrap_or("");
    // A name that is itself too long is reported once, by KEDA1006 (the webhook stops there).
    let hpa_len = "keda-hpa-".len() + name.len();
    if name.len() <= MAX_LABEL_VALUE && hpa_len > MAX_LABEL_VALUE {
        report.emit(
            &HPA_NAME_TOO_LONG,
            ctx.resource,
            node.span,
            "metadata.name",
            format!(
                "HPA name \"keda-hpa-{name}\" derived from the ScaledObject name is {hpa_len} characters long; it must be no more than {MAX_LABEL_VALUE}"
            ),
        );
    }
}

fn check_fallback_negative(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some(fallback) = spec.get("fallback").filter(|f| f.as_mapping().is_some()) else {
        return;
    };
    for key in ["failureThreshold", "replicas"] {
        if let Some((n, node)) = int_field(fallback, key) {
            if n < 0 {
                report.emit(
                    &FALLBACK_NEGATIVE,
                    ctx.resource,
                    node.span,
                    format!("spec.fallback.{key}"),
                    format!("fallback.{key} ({n}) must be greater than or equal to 0"),
                );
            }
        }
    }
}

/// `ParseGVKR` starts with Kubernetes' `ParseGroupVersion`, which refuses more than one `/`;
/// the webhook returns that error for every ScaledObject it checks. (An unknown kind is only
/// known to the cluster's RESTMapper.)
fn check_scale_target_api_version(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some(node) = spec.at(&["scaleTargetRef", "apiVersion"]) else {
        return;
    };
    let Some(api_version) = node.as_str() else {
        return;
    };
    if api_version != "/" && api_version.matches('/').count() > 1 {
        report.emit(
            &SCALE_TARGET_API_VERSION_INVALID,
            ctx.resource,
            node.span,
            "spec.scaleTargetRef.apiVersion",
            format!("unexpected GroupVersion string: {api_version}"),
        );
    }
}

/// `IsUsingModifiers()`: `advanced.scalingModifiers` has any non-empty field.
pub(crate) fn uses_modifiers(spec: &Node) -> bool {
    spec.at(&["advanced", "scalingModifiers"]).is_some_and(|m| {
        ["formula", "target", "activationTarget", "metricType"]
            .iter()
            .any(|k| !scalar_text(m, k).is_empty())
    })
}

fn is_resource_trigger(trigger: &Node) -> bool {
    matches!(str_field(trigger, "type"), "cpu" | "memory")
}

/// Why fallback is refused, following `CheckFallbackValid` of the selected release.
fn fallback_problem(ctx: &Ctx<'_>, spec: &Node) -> Option<String> {
    let version = ctx.version();
    if version < v(17, 0) {
        // v2.14-v2.16: no cpu/memory trigger at all, and every trigger explicitly AverageValue.
        for (i, t) in triggers(spec) {
            let ty = str_field(t, "type");
            if matches!(ty, "cpu" | "memory") {
                return Some(format!(
                    "spec.triggers[{i}] is of type {ty}, and fallback is not supported by the cpu and memory scalers"
                ));
            }
            let mt = str_field(t, "metricType");
            if mt != "AverageValue" {
                return Some(format!(
                    "spec.triggers[{i}] has metricType {mt:?}, but fallback can only be enabled when every trigger has metricType AverageValue"
                ));
            }
        }
        return None;
    }
    if uses_modifiers(spec) {
        let mt = spec
            .at(&["advanced", "scalingModifiers"])
            .map_or("", |m| str_field(m, "metricType"));
        return (version < v(18, 0) && mt == "Value").then(|| {
            "with scalingModifiers, scalingModifiers.metricType must be AverageValue to have fallback enabled".to_owned()
        });
    }
    let usable = triggers(spec).any(|(_, t)| {
        if is_resource_trigger(t) {
            return false;
        }
        if version >= v(18, 0) {
            return true;
        }
        let mt = str_field(t, "metricType");
        mt == "AverageValue" || (mt.is_empty() && version >= v(17, 1))
    });
    (!usable).then(|| {
        if version >= v(18, 0) {
            "fallback is configured but every trigger is cpu or memory; at least one trigger that is not cpu or memory is needed for fallback".to_owned()
        } else {
            "at least one trigger (that is not cpu or memory) has to have metricType AverageValue for fallback to be enabled".to_owned()
        }
    })
}

fn check_fallback_triggers(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    if spec.get("fallback").and_then(Node::as_mapping).is_none() {
        return;
    }
    // Without triggers the API server (`required`, `minItems`) or KEDA1001 already refuses
    // the object; saying fallback lacks a trigger would only repeat it.
    if triggers(spec).next().is_none() {
        return;
    }
    if let Some(message) = fallback_problem(ctx, spec) {
        let span = parent_span(ctx.resource, &["spec", "fallback"]);
        report.emit(
            &FALLBACK_NEEDS_EXTERNAL_TRIGGER,
            ctx.resource,
            span,
            "spec.fallback",
            message,
        );
    }
}

/// The shared precondition of both admission warnings: minReplicaCount (raw, unset = 0)
/// above 0 and idle mode off. v2.20.x also warned when idleReplicaCount was set to a
/// non-zero value; `main` treats any idleReplicaCount as idle mode on.
fn warning_applies(ctx: &Ctx<'_>, spec: &Node) -> bool {
    let min = int_field(spec, "minReplicaCount").map_or(0, |(m, _)| m);
    let idle = int_field(spec, "idleReplicaCount").map(|(i, _)| i);
    let idle_off = if ctx.version() >= MAIN {
        idle.is_none()
    } else {
        idle.is_none_or(|i| i != 0)
    };
    min > 0 && idle_off
}

fn check_polling_interval(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some((_, node)) = int_field(spec, "pollingInterval") else {
        return;
    };
    let cached = triggers(spec).any(|(_, t)| {
        t.get("useCachedMetrics")
            .and_then(Node::as_bool)
            .unwrap_or(false)
    });
    if cached || !warning_applies(ctx, spec) {
        return;
    }
    report.emit(
        &POLLING_INTERVAL_NOT_RELEVANT,
        ctx.resource,
        node.span,
        "spec.pollingInterval",
        "pollingInterval is configured but is not relevant: it only matters when minReplicaCount is 0, idleReplicaCount is set, or useCachedMetrics is enabled",
    );
}

fn check_cooldown_period(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = scaled_object_spec(ctx) else {
        return;
    };
    let Some((_, node)) = int_field(spec, "cooldownPeriod") else {
        return;
    };
    if !warning_applies(ctx, spec) {
        return;
    }
    report.emit(
        &COOLDOWN_PERIOD_NOT_RELEVANT,
        ctx.resource,
        node.span,
        "spec.cooldownPeriod",
        "cooldownPeriod is configured but is not relevant: it only matters when minReplicaCount is 0 or idleReplicaCount is set",
    );
}
