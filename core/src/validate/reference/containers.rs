//! RT-11: `envSourceContainerName` and a TriggerAuthentication's `env[].containerName` must
//! name a container of the pod the environment is read from (`scale_resolvers.go:L212-L236`).
//! A wrong envSourceContainerName fails every scaler of the object; a wrong
//! `env[].containerName` silently resolves the parameter to an empty string.

use super::auth::resolve;
use super::target::{container_names, owner_pod_spec};
use super::CONTAINER_NOT_FOUND;
use crate::document::{Kind, Node};
use crate::rules::{Ctx, Report};

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let owner = ctx.resource;
    let (field, path) = match owner.kind {
        Kind::ScaledObject => (
            owner
                .spec()
                .and_then(|s| s.at(&["scaleTargetRef", "envSourceContainerName"])),
            "spec.scaleTargetRef.envSourceContainerName",
        ),
        Kind::ScaledJob => (
            owner.spec().and_then(|s| s.get("envSourceContainerName")),
            "spec.envSourceContainerName",
        ),
        _ => return,
    };
    let Some((pod, place)) = owner_pod_spec(ctx, owner) else {
        return;
    };
    let names: Vec<&str> = container_names(pod).collect();
    if names.is_empty() {
        return;
    }
    let known = |n: &str| names.contains(&n);
    let listed = names.join(", ");
    if let Some(node) = field {
        if let Some(name) = node.as_str().filter(|n| !n.is_empty() && !known(n)) {
            report.emit(
                &CONTAINER_NOT_FOUND,
                owner,
                node.span,
                path,
                format!(
                    "envSourceContainerName '{name}' is not a container of {place} (containers: {listed}); KEDA cannot resolve the environment and every trigger of this {} fails",
                    owner.kind.name()
                ),
            );
        }
    }
    let triggers = owner
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[]);
    for trigger in triggers {
        let Some(auth) = trigger
            .get("authenticationRef")
            .and_then(|a| resolve(ctx, owner, a))
        else {
            continue;
        };
        let env = auth
            .spec()
            .and_then(|s| s.get("env"))
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        for (j, item) in env.iter().enumerate() {
            let Some(node) = item.get("containerName") else {
                continue;
            };
            let Some(name) = node.as_str().filter(|n| !n.is_empty() && !known(n)) else {
                continue;
            };
            report.emit(
                &CONTAINER_NOT_FOUND,
                auth,
                node.span,
                format!("spec.env[{j}].containerName"),
                format!(
                    "env[{j}].containerName '{name}' is not a container of {place}, where {} '{}' reads its environment (containers: {listed}); KEDA resolves this parameter to an empty string",
                    owner.kind.name(),
                    owner.name.as_deref().unwrap_or("")
                ),
            );
        }
    }
}
