//! RT-13: the HPA KEDA creates from `spec.advanced.horizontalPodAutoscalerConfig` must pass
//! the Kubernetes HorizontalPodAutoscaler validation. KEDA admits the ScaledObject, then the
//! HPA creation fails (Ready=False).

use super::{HPA_BEHAVIOR_INVALID, HPA_NAME_INVALID};
use crate::document::{Kind, Node};
use crate::rules::{Ctx, Report};
use crate::version::KedaVersion;

/// DNS-1123 subdomain: at most 253 characters, dot-separated labels of lower-case
/// alphanumerics and '-', each starting and ending with an alphanumeric.
pub(crate) fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b.first().is_some_and(u8::is_ascii_alphanumeric)
                && b.last().is_some_and(u8::is_ascii_alphanumeric)
        })
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let so = ctx.resource;
    if so.kind != Kind::ScaledObject {
        return;
    }
    let Some(config) = so
        .spec()
        .and_then(|s| s.at(&["advanced", "horizontalPodAutoscalerConfig"]))
    else {
        return;
    };
    let base = "spec.advanced.horizontalPodAutoscalerConfig";
    if let Some(node) = config.get("name") {
        if let Some(name) = node
            .as_str()
            .filter(|n| !n.is_empty() && !is_dns1123_subdomain(n))
        {
            report.emit(
                &HPA_NAME_INVALID,
                so,
                node.span,
                format!("{base}.name"),
                format!("HPA name {name:?} is not a DNS-1123 subdomain; the API server refuses the HPA KEDA tries to create"),
            );
        }
    }
    for direction in ["scaleUp", "scaleDown"] {
        if let Some(rules) = config.at(&["behavior", direction]) {
            scaling_rules(ctx, report, rules, &format!("{base}.behavior.{direction}"));
        }
    }
}

fn scaling_rules(ctx: &Ctx<'_>, report: &mut Report<'_>, rules: &Node, path: &str) {
    let so = ctx.resource;
    let mut bad = |node: &Node, at: String, what: String| {
        report.emit(
            &HPA_BEHAVIOR_INVALID,
            so,
            node.span,
            at,
            format!("{what}; the API server refuses the HPA KEDA tries to create"),
        );
    };
    if let Some(node) = rules.get("selectPolicy") {
        if let Some(p) = node
            .as_str()
            .filter(|p| !matches!(*p, "Max" | "Min" | "Disabled"))
        {
            bad(
                node,
                format!("{path}.selectPolicy"),
                format!("selectPolicy {p:?} is not Max, Min or Disabled"),
            );
        }
    }
    // From 2.12.0 the CRD bounds the window itself (schema layer).
    if ctx.version() < KedaVersion::new(2, 12, 0) {
        if let Some(node) = rules.get("stabilizationWindowSeconds") {
            if let Some(w) = node.as_i64().filter(|w| !(0..=3600).contains(w)) {
                bad(
                    node,
                    format!("{path}.stabilizationWindowSeconds"),
                    format!("stabilizationWindowSeconds {w} is outside 0..3600"),
                );
            }
        }
    }
    if let Some(node) = rules.get("tolerance") {
        let negative = node.as_f64().map_or_else(
            || node.text().is_some_and(|t| t.trim_start().starts_with('-')),
            |f| f < 0.0,
        );
        if negative {
            bad(
                node,
                format!("{path}.tolerance"),
                format!("tolerance {} is negative", node.text().unwrap_or("")),
            );
        }
    }
    let policies = rules
        .get("policies")
        .and_then(Node::as_sequence)
        .unwrap_or(&[]);
    for (i, policy) in policies.iter().enumerate() {
        let at = |k: &str| format!("{path}.policies[{i}].{k}");
        if let Some(node) = policy.get("type") {
            if let Some(t) = node.as_str().filter(|t| !matches!(*t, "Pods" | "Percent")) {
                bad(
                    node,
                    at("type"),
                    format!("policy type {t:?} is not Pods or Percent"),
                );
            }
        }
        if let Some(node) = policy.get("value") {
            if let Some(v) = node.as_i64().filter(|v| *v <= 0) {
                bad(
                    node,
                    at("value"),
                    format!("policy value {v} must be greater than 0"),
                );
            }
        }
        if let Some(node) = policy.get("periodSeconds") {
            if let Some(p) = node.as_i64().filter(|p| !(1..=1800).contains(p)) {
                bad(
                    node,
                    at("periodSeconds"),
                    format!("policy periodSeconds {p} must be from 1 to 1800"),
                );
            }
        }
    }
}
