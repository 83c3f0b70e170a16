//! RT-6: a trigger's authenticationRef must resolve: a TriggerAuthentication in the
//! namespace of the ScaledObject/ScaledJob, or a ClusterTriggerAuthentication
//! (`scale_resolvers.go:L458-L481`). KEDA admits a dangling reference; the scaler then fails.

use super::target::namespace;
use super::AUTH_REF_NOT_FOUND;
use crate::document::{Kind, Node, Resource};
use crate::rules::{Ctx, Report};
use crate::version::KedaVersion;

/// The TriggerAuthentication or ClusterTriggerAuthentication a trigger names, if it is in the
/// bundle where KEDA looks for it.
pub(crate) fn resolve<'a>(
    ctx: &Ctx<'a>,
    owner: &Resource,
    auth_ref: &Node,
) -> Option<&'a Resource> {
    let name = auth_ref.get("name").and_then(Node::as_str)?;
    let kind = auth_ref.get("kind").and_then(Node::as_str).unwrap_or("");
    match kind {
        "" | "TriggerAuthentication" => lookup(
            ctx,
            &Kind::TriggerAuthentication,
            name,
            Some(namespace(ctx, owner)),
        ),
        "ClusterTriggerAuthentication" => {
            lookup(ctx, &Kind::ClusterTriggerAuthentication, name, None)
        }
        _ => None,
    }
}

fn lookup<'a>(ctx: &Ctx<'a>, kind: &Kind, name: &str, ns: Option<&str>) -> Option<&'a Resource> {
    ctx.bundle
        .named(name)
        .find(|r| &r.kind == kind && r.is_keda() && ns.is_none_or(|ns| namespace(ctx, r) == ns))
}

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let owner = ctx.resource;
    if !matches!(owner.kind, Kind::ScaledObject | Kind::ScaledJob) {
        return;
    }
    let Some(triggers) = owner
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
    else {
        return;
    };
    for (i, trigger) in triggers.iter().enumerate() {
        let Some(auth_ref) = trigger.get("authenticationRef") else {
            continue;
        };
        // An empty name means "no authentication" at runtime.
        let Some((name_node, name)) = auth_ref
            .get("name")
            .and_then(|n| Some((n, n.as_str()?)))
            .filter(|(_, n)| !n.is_empty())
        else {
            continue;
        };
        let path = format!("spec.triggers[{i}].authenticationRef");
        if let Some(msg) = problem(ctx, owner, auth_ref, name) {
            report.emit(
                &AUTH_REF_NOT_FOUND,
                owner,
                name_node.span,
                format!("{path}.name"),
                msg,
            );
        }
    }
}

fn problem(ctx: &Ctx<'_>, owner: &Resource, auth_ref: &Node, name: &str) -> Option<String> {
    let ns = namespace(ctx, owner);
    let kind = auth_ref.get("kind").and_then(Node::as_str).unwrap_or("");
    let cluster = match kind {
        "" | "TriggerAuthentication" => false,
        "ClusterTriggerAuthentication" => true,
        // From 2.20.0 the CRD enum rejects other kinds first.
        other if ctx.version() < KedaVersion::new(2, 20, 0) => {
            return Some(format!(
                "authenticationRef.kind {other:?} is neither TriggerAuthentication nor ClusterTriggerAuthentication; KEDA fails to build this trigger's scaler"
            ))
        }
        _ => return None,
    };
    if resolve(ctx, owner, auth_ref).is_some() {
        return None;
    }
    if cluster {
        if lookup(ctx, &Kind::TriggerAuthentication, name, Some(ns)).is_some() {
            return Some(format!(
                "no ClusterTriggerAuthentication '{name}' in the inputs, but a TriggerAuthentication '{name}' in namespace '{ns}' is; authenticationRef.kind says ClusterTriggerAuthentication"
            ));
        }
    } else {
        if lookup(ctx, &Kind::ClusterTriggerAuthentication, name, None).is_some() {
            return Some(format!(
                "no TriggerAuthentication '{name}' in namespace '{ns}' in the inputs, but a ClusterTriggerAuthentication '{name}' is; authenticationRef.kind defaults to TriggerAuthentication"
            ));
        }
        if let Some(elsewhere) = lookup(ctx, &Kind::TriggerAuthentication, name, None) {
            return Some(format!(
                "TriggerAuthentication '{name}' is in namespace '{}', but KEDA looks for it in the namespace of this {} ('{ns}')",
                namespace(ctx, elsewhere),
                owner.kind.name()
            ));
        }
    }
    ctx.options.strict_refs.then(|| {
        let what = if cluster {
            format!("ClusterTriggerAuthentication '{name}'")
        } else {
            format!("TriggerAuthentication '{name}' (namespace '{ns}')")
        };
        format!("{what} not found in the inputs; KEDA admits the reference but the trigger fails until it exists")
    })
}
