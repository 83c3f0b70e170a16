//! SO-WARN-1/2 before KEDA 2.20 (from 2.20 the webhook itself warns, see the webhook layer):
//! settings that only act while KEDA scales to and from zero (or idle) are inert when
//! minReplicaCount is above zero and no idleReplicaCount is set.

use super::{COOLDOWN_NOT_RELEVANT, POLLING_NOT_RELEVANT};
use crate::document::{Kind, Node};
use crate::rules::{Ctx, Report};

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let so = ctx.resource;
    if so.kind != Kind::ScaledObject {
        return;
    }
    let Some(spec) = so.spec() else { return };
    let min = spec
        .get("minReplicaCount")
        .and_then(Node::as_i64)
        .unwrap_or(0);
    if min <= 0 || spec.get("idleReplicaCount").is_some_and(|n| !n.is_null()) {
        return;
    }
    if let Some(cooldown) = spec.get("cooldownPeriod").filter(|n| !n.is_null()) {
        report.emit(
            &COOLDOWN_NOT_RELEVANT,
            so,
            cooldown.span,
            "spec.cooldownPeriod",
            format!(
                "cooldownPeriod ({}) never applies: minReplicaCount is {min} and idleReplicaCount is not set, so KEDA never scales this workload to zero",
                cooldown.text().unwrap_or("")
            ),
        );
    }
    let cached = spec
        .get("triggers")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .any(|t| t.get("useCachedMetrics").and_then(Node::as_bool) == Some(true));
    if cached {
        return;
    }
    if let Some(polling) = spec.get("pollingInterval").filter(|n| !n.is_null()) {
        report.emit(
            &POLLING_NOT_RELEVANT,
            so,
            polling.span,
            "spec.pollingInterval",
            format!(
                "pollingInterval ({}) does not change scaling: minReplicaCount is {min}, idleReplicaCount is not set and no trigger uses useCachedMetrics, so the HPA reads the metrics on its own sync period",
                polling.text().unwrap_or("")
            ),
        );
    }
}
