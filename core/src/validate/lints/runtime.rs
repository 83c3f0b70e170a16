//! Runtime-only rules (RT-7..RT-10, RT-14): KEDA admits these and fails, or silently changes
//! behaviour, once the operator acts on them.

use super::{
    ACTIVATION_TARGET_NOT_NUMBER, FILE_PATH, MODIFIERS_TARGET_NOT_INTEGER, ROLLOUT_STRATEGY,
    RUNNING_JOB_PERCENTAGE, SECRET_STORE_IDENTITY,
};
use crate::document::{Kind, Node};
use crate::go::strconv::{float, parse_int};
use crate::rules::{Ctx, Report};
use crate::validate::reference::target::key_span;

/// RT-7 (`scale_resolvers.go:L318-L329,L713-L731`) and RT-8.
pub(super) fn check_trigger_auth(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let ta = ctx.resource;
    if !matches!(
        ta.kind,
        Kind::TriggerAuthentication | Kind::ClusterTriggerAuthentication
    ) {
        return;
    }
    let Some(spec) = ta.spec() else { return };
    if let Some(node) = spec.get("filePath") {
        if let Some(path) = node.as_str().filter(|p| !p.is_empty()) {
            let problem = if ta.kind == Kind::TriggerAuthentication {
                Some("a namespaced TriggerAuthentication's filePath is never read: KEDA reads files only for a ClusterTriggerAuthentication".to_owned())
            } else if path.starts_with('/') || path.contains("..") {
                Some(format!(
                    "filePath {path:?} must be relative and not contain '..'; KEDA refuses to read it"
                ))
            } else {
                None
            };
            if let Some(msg) = problem {
                report.emit(&FILE_PATH, ta, node.span, "spec.filePath", msg);
            }
        }
    }
    secret_stores(ta, spec, report);
}

/// RT-8: each secret store accepts only its own pod identity provider, or none with credentials
/// (`azure_keyvault_handler.go:L70-L97`, `gcp_secretmanager_handler.go:L55-L117`,
/// `aws_secretmanager_handler.go:L99-L129`).
fn secret_stores(ta: &crate::document::Resource, spec: &Node, report: &mut Report<'_>) {
    const STORES: [(&str, &str, &str, &[&str]); 3] = [
        (
            "azureKeyVault",
            "Azure Key Vault",
            "azure-workload",
            &["clientId", "tenantId", "clientSecret"],
        ),
        (
            "gcpSecretManager",
            "GCP Secret Manager",
            "gcp",
            &["clientSecret"],
        ),
        (
            "awsSecretManager",
            "AWS Secrets Manager",
            "aws",
            &["accessKey", "accessSecretKey"],
        ),
    ];
    for (key, label, supported, needed) in STORES {
        let Some(store) = spec.get(key) else { continue };
        let provider_node = store.at(&["podIdentity", "provider"]);
        let provider = provider_node.and_then(Node::as_str).unwrap_or("");
        let path = format!("spec.{key}");
        if provider == supported {
            continue;
        }
        if !provider.is_empty() && provider != "none" {
            let node = provider_node.unwrap_or(store);
            report.emit(
                &SECRET_STORE_IDENTITY,
                ta,
                node.span,
                format!("{path}.podIdentity.provider"),
                format!(
                    "the {label} store does not support podIdentity provider '{provider}' (only {supported}, or none with credentials); KEDA fails to read its secrets"
                ),
            );
            continue;
        }
        let creds = store.get("credentials");
        let missing: Vec<&str> = needed
            .iter()
            .copied()
            .filter(|k| creds.and_then(|c| c.get(k)).is_none())
            .collect();
        if !missing.is_empty() {
            report.emit(
                &SECRET_STORE_IDENTITY,
                ta,
                key_span(spec, key),
                path,
                format!(
                    "the {label} store has no pod identity and its credentials lack {}; KEDA fails to read its secrets",
                    missing.join(", ")
                ),
            );
        }
    }
}

/// RT-9 and RT-10.
pub(super) fn check_scaled_object(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let so = ctx.resource;
    if so.kind != Kind::ScaledObject {
        return;
    }
    let Some(spec) = so.spec() else { return };
    let Some(modifiers) = spec.at(&["advanced", "scalingModifiers"]) else {
        return;
    };
    let base = "spec.advanced.scalingModifiers";
    if let Some(node) = modifiers.get("activationTarget") {
        if let Some(text) = node.as_str().filter(|t| !t.is_empty()) {
            if float(text).is_none() {
                report.emit(
                    &ACTIVATION_TARGET_NOT_NUMBER,
                    so,
                    node.span,
                    format!("{base}.activationTarget"),
                    format!("activationTarget {text:?} is not a number; KEDA's scale loop fails parsing it on every poll"),
                );
            }
        }
    }
    // Only a target the webhook accepts (a float above zero) can reach the fallback check.
    let formula = modifiers
        .get("formula")
        .and_then(Node::as_str)
        .unwrap_or("");
    if spec.get("fallback").is_none() || formula.is_empty() {
        return;
    }
    let Some(node) = modifiers.get("target") else {
        return;
    };
    let Some(text) = node.as_str() else { return };
    let valid_float = float(text).is_some_and(|f| f > 0.0 || f.is_nan());
    // (NaN passes the webhook's `<= 0` test.)
    if valid_float && parse_int(text, 64).is_none_or(|i| i <= 0) {
        report.emit(
            &MODIFIERS_TARGET_NOT_INTEGER,
            so,
            node.span,
            format!("{base}.target"),
            format!("scalingModifiers.target {text:?} is not a whole number, so KEDA never considers the fallback valid and spec.fallback is silently ignored"),
        );
    }
}

/// RT-14 and the rollout strategy values before the CRD enum (2.20.0).
pub(super) fn check_scaled_job(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let sj = ctx.resource;
    if sj.kind != Kind::ScaledJob {
        return;
    }
    let Some(spec) = sj.spec() else { return };
    if let Some(strategy) = spec.get("scalingStrategy") {
        if strategy.get("strategy").and_then(Node::as_str) == Some("custom") {
            let node = strategy.get("customScalingRunningJobPercentage");
            let text = node.and_then(Node::text);
            if text.and_then(float).is_none() {
                let (span, path, what) = match (node, text) {
                    (Some(n), Some(t)) => (
                        n.span,
                        "spec.scalingStrategy.customScalingRunningJobPercentage",
                        format!("customScalingRunningJobPercentage {t:?} is not a number"),
                    ),
                    _ => (
                        key_span(strategy, "strategy"),
                        "spec.scalingStrategy",
                        "customScalingRunningJobPercentage is not set".to_owned(),
                    ),
                };
                report.emit(
                    &RUNNING_JOB_PERCENTAGE,
                    sj,
                    span,
                    path,
                    format!("{what}, so KEDA ignores the custom strategy and uses the default one"),
                );
            }
        }
    }
    let places = [
        (spec.at(&["rollout", "strategy"]), "spec.rollout.strategy"),
        (spec.get("rolloutStrategy"), "spec.rolloutStrategy"),
    ];
    for (node, path) in places {
        let Some(node) = node else { continue };
        let Some(value) = node.as_str() else { continue };
        if matches!(value, "gradual" | "immediate" | "") {
            continue;
        }
        report.emit(
            &ROLLOUT_STRATEGY,
            sj,
            node.span,
            path,
            format!("rollout strategy {value:?} is not gradual or immediate; KEDA treats it as immediate and deletes running Jobs when the ScaledJob changes"),
        );
    }
}
