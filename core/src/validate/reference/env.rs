//! RT-11, continued: KEDA resolves `<parameter>FromEnv` trigger metadata and a
//! TriggerAuthentication's `env[]` from the environment of one container of the scaled pod
//! (`scale_resolvers.go:L212-L236`). A name the container does not define resolves to nothing.
//! A container with `envFrom` may define any name, so it is not judged.

use super::auth::resolve;
use super::target::owner_pod_spec;
use super::ENV_NOT_FOUND;
use crate::document::{Kind, Node, Resource};
use crate::rules::{Ctx, Report};

/// A container's env, when every name it can define is known (no `envFrom`).
struct Env<'a> {
    container: &'a str,
    names: Vec<&'a str>,
}

fn env_of(container: &Node) -> Option<Env<'_>> {
    if container.get("envFrom").is_some_and(|e| !e.is_null()) {
        return None;
    }
    let names = container
        .get("env")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .filter_map(|e| e.get("name").and_then(Node::as_str))
        .collect();
    Some(Env {
        container: container.get("name").and_then(Node::as_str).unwrap_or(""),
        names,
    })
}

/// The container named `name`, or the first one when `name` is empty.
fn container<'a>(pod: &'a Node, name: &str) -> Option<&'a Node> {
    let list = pod.get("containers").and_then(Node::as_sequence)?;
    if name.is_empty() {
        return list.first();
    }
    list.iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some(name))
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let owner = ctx.resource;
    let source = match owner.kind {
        Kind::ScaledObject => owner
            .spec()
            .and_then(|s| s.at(&["scaleTargetRef", "envSourceContainerName"])),
        Kind::ScaledJob => owner.spec().and_then(|s| s.get("envSourceContainerName")),
        _ => return,
    };
    let Some((pod, place)) = owner_pod_spec(ctx, owner) else {
        return;
    };
    let source = source.and_then(Node::as_str).unwrap_or("");
    let default_env = container(pod, source).and_then(env_of);
    let triggers = owner
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[]);
    for (i, trigger) in triggers.iter().enumerate() {
        if let Some(env) = &default_env {
            from_env_metadata(report, owner, trigger, i, env, &place);
        }
        let Some(auth) = trigger
            .get("authenticationRef")
            .and_then(|a| resolve(ctx, owner, a))
        else {
            continue;
        };
        let items = auth
            .spec()
            .and_then(|s| s.get("env"))
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        for (j, item) in items.iter().enumerate() {
            let own = item
                .get("containerName")
                .and_then(Node::as_str)
                .unwrap_or("");
            // A containerName that names no container is KEDA3010's; it gives no env here.
            let own_env;
            let env = if own.is_empty() {
                default_env.as_ref()
            } else {
                own_env = container(pod, own).and_then(env_of);
                own_env.as_ref()
            };
            if let (Some(node), Some(env)) = (item.get("name"), env) {
                missing(
                    report,
                    auth,
                    node,
                    format!("spec.env[{j}].name"),
                    env,
                    &place,
                );
            }
        }
    }
}

fn from_env_metadata(
    report: &mut Report<'_>,
    owner: &Resource,
    trigger: &Node,
    i: usize,
    env: &Env<'_>,
    place: &str,
) {
    let Some(metadata) = trigger.get("metadata").and_then(Node::as_mapping) else {
        return;
    };
    for entry in metadata {
        let Some(key) = entry.key_str().filter(|k| k.ends_with("FromEnv")) else {
            continue;
        };
        missing(
            report,
            owner,
            &entry.value,
            format!("spec.triggers[{i}].metadata.{key}"),
            env,
            place,
        );
    }
}

fn missing(
    report: &mut Report<'_>,
    at: &Resource,
    node: &Node,
    path: String,
    env: &Env<'_>,
    place: &str,
) {
    let Some(name) = node.as_str().filter(|n| !n.is_empty()) else {
        return;
    };
    if env.names.contains(&name) {
        return;
    }
    report.emit(
        &ENV_NOT_FOUND,
        at,
        node.span,
        path,
        format!(
            "environment variable '{name}' is not defined in container '{}' of {place}, where KEDA reads it; the parameter resolves to nothing",
            env.container
        ),
    );
}
