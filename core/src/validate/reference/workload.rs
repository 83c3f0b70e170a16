//! SO-W17..W19: a ScaledObject with cpu/memory triggers on an `apps/v1` Deployment or
//! StatefulSet is checked against that workload's pod template
//! (`scaledobject_webhook.go:L513-L584`, `L700-L749`).

use super::target::{
    find_workload, key_span, namespace, only_removes_finalizers, pod_spec, ScaleTarget,
};
use super::{
    CPU_MEMORY_SCALE_TO_ZERO, MISSING_REQUESTS, SCALE_TARGET_MISSING, SCALE_TARGET_NOT_FOUND,
};
use crate::document::{Kind, Node, Resource};
use crate::rules::{Ctx, Report};
use crate::version::KedaVersion;

const CHECKED_TARGETS: [&str; 2] = ["apps/v1.Deployment", "apps/v1.StatefulSet"];

fn is_cpu_memory(trigger: &Node) -> Option<&str> {
    trigger
        .get("type")
        .and_then(Node::as_str)
        .filter(|t| *t == "cpu" || *t == "memory")
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let so = ctx.resource;
    if so.kind != Kind::ScaledObject || only_removes_finalizers(ctx) {
        return;
    }
    let triggers = so
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[]);
    let Some(target) = ScaleTarget::of(so) else {
        return;
    };
    let Ok(gvk) = target.gvk.as_deref() else {
        return;
    };
    // Any other target (a custom resource, Argo Rollout, or a StatefulSet under another
    // apiVersion) makes KEDA skip every cpu/memory check, SO-W19 included.
    let checked =
        CHECKED_TARGETS.contains(&gvk) && triggers.iter().any(|t| is_cpu_memory(t).is_some());
    let ns = namespace(ctx, so);
    let workload = find_workload(ctx, gvk, target.name, ns);
    if workload.is_none() && ctx.options.strict_refs {
        let (rule, consequence) = if checked {
            (&SCALE_TARGET_NOT_FOUND, "KEDA's webhook reads it for the cpu/memory triggers and rejects the ScaledObject if it does not exist")
        } else {
            (
                &SCALE_TARGET_MISSING,
                "KEDA admits the ScaledObject, which stays not Ready until the target exists",
            )
        };
        report.emit(
            rule,
            so,
            target.name_node.span,
            "spec.scaleTargetRef.name",
            format!(
                "scale target '{}' of type '{gvk}' (namespace '{ns}') not found in the inputs; {consequence}",
                target.name
            ),
        );
    }
    if !checked {
        return;
    }
    scale_to_zero(so, triggers, report);
    if let Some(workload) = workload {
        requests(ctx, report, triggers, workload);
    }
}

/// SO-W19: decided by the triggers and minReplicaCount alone, since a missing workload
/// is rejected too (SO-W17).
fn scale_to_zero(so: &Resource, triggers: &[Node], report: &mut Report<'_>) {
    if !triggers.iter().all(|t| is_cpu_memory(t).is_some()) {
        return;
    }
    let Some(spec) = so.spec() else { return };
    let (span, path) = match spec.get("minReplicaCount") {
        Some(n) if n.as_i64() == Some(0) => (n.span, "spec.minReplicaCount"),
        Some(_) => return,
        None => (key_span(spec, "triggers"), "spec.triggers"),
    };
    report.emit(
        &CPU_MEMORY_SCALE_TO_ZERO,
        so,
        span,
        path,
        "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)",
    );
}

/// SO-W18.
fn requests(ctx: &Ctx<'_>, report: &mut Report<'_>, triggers: &[Node], workload: &Resource) {
    let so = ctx.resource;
    let Some(containers) = pod_spec(workload)
        .and_then(|p| p.get("containers"))
        .and_then(Node::as_sequence)
    else {
        return;
    };
    let limits_count = ctx.version() >= KedaVersion::new(2, 13, 0);
    for (i, trigger) in triggers.iter().enumerate() {
        let Some(resource) = is_cpu_memory(trigger) else {
            continue;
        };
        if limits_count && limit_range_default(ctx, so, resource) {
            continue;
        }
        let only = trigger
            .at(&["metadata", "containerName"])
            .and_then(Node::as_str)
            .filter(|n| !n.is_empty());
        for container in containers {
            let name = container.get("name").and_then(Node::as_str).unwrap_or("");
            if only.is_some_and(|o| o != name) {
                continue;
            }
            let res = container.get("resources");
            let amount = |k: &str| res.and_then(|r| r.at(&[k, resource]));
            let set = amount("requests").is_some_and(positive)
                || (limits_count && amount("limits").is_some_and(positive));
            if set {
                continue;
            }
            let node = trigger.get("type").unwrap_or(trigger);
            report.emit(
                &MISSING_REQUESTS,
                so,
                node.span,
                format!("spec.triggers[{i}].type"),
                format!(
                    "the scaledobject has a {resource} trigger but the container {name} doesn't have the {resource} request defined ({} '{}')",
                    workload.kind.name(),
                    workload.name.as_deref().unwrap_or("")
                ),
            );
        }
    }
}

/// A `type: Container` LimitRange item in the namespace with a default request or limit
/// above zero for `resource` satisfies every container.
fn limit_range_default(ctx: &Ctx<'_>, so: &Resource, resource: &str) -> bool {
    let ns = namespace(ctx, so);
    ctx.bundle
        .of_kind(&Kind::LimitRange)
        .filter(|lr| namespace(ctx, lr) == ns)
        .filter_map(|lr| lr.spec()?.get("limits")?.as_sequence())
        .flatten()
        .filter(|item| item.get("type").and_then(Node::as_str) == Some("Container"))
        .any(|item| {
            ["defaultRequest", "default"]
                .iter()
                .any(|k| item.at(&[k, resource]).is_some_and(positive))
        })
}

/// A Kubernetes quantity above zero. Only the sign and the leading number matter for that;
/// an unreadable quantity is taken as set, since the API server would not have stored it.
pub(crate) fn positive(q: &Node) -> bool {
    if let Some(f) = q.as_f64() {
        return f > 0.0;
    }
    let Some(text) = q.text() else {
        return true;
    };
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '+' | '-' | '.')))
        .unwrap_or(text.len());
    match text.get(..end).and_then(crate::decfloat::parse_f64) {
        Some(f) => f > 0.0,
        None => true,
    }
}
