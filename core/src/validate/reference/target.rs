//! What a ScaledObject points at, resolved the way KEDA's webhook resolves it (`ParseGVKR`),
//! and the lookups in the bundle that stand in for the cluster.

use crate::document::{Kind, Node, Resource};
use crate::rules::Ctx;

/// `<group>/<version>.<Kind>`, KEDA's GVK string. An empty apiVersion means `apps/v1` and an
/// empty kind `Deployment`, as in `ParseGVKR`; an apiVersion with more than one `/` is the
/// error `schema.ParseGroupVersion` returns.
pub(crate) fn gvk_string(api_version: &str, kind: &str) -> Result<String, String> {
    let api_version = if api_version.is_empty() {
        "apps/v1"
    } else {
        api_version
    };
    let kind = if kind.is_empty() { "Deployment" } else { kind };
    let (group, version) = group_version(api_version)?;
    if group == "apps" && !known_apps_kind(version, kind) {
        return Err(format!(
            "no matches for kind \"{kind}\" in version \"{api_version}\""
        ));
    }
    Ok(format!("{group}/{version}.{kind}"))
}

/// Deployment and StatefulSet are mapped to their resource without asking the cluster; any
/// other kind goes through the cluster's RESTMapper, which knows only the kinds the API
/// server serves. Custom resources cannot be checked offline, but the built-in `apps` group
/// can: `kind: deployment` (lower case) or a removed `apps/v1beta2` ReplicaSet has no match.
fn known_apps_kind(version: &str, kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet")
        || (version == "v1" && matches!(kind, "ReplicaSet" | "DaemonSet" | "ControllerRevision"))
}

/// `schema.ParseGroupVersion`: "" and "/" are the empty group-version, no slash is a core
/// version, one slash splits group from version, more is an error.
fn group_version(gv: &str) -> Result<(&str, &str), String> {
    if gv.is_empty() || gv == "/" {
        return Ok(("", ""));
    }
    match gv.split_once('/') {
        None => Ok(("", gv)),
        Some((g, v)) if !v.contains('/') => Ok((g, v)),
        Some(_) => Err(format!("unexpected GroupVersion string: {gv}")),
    }
}

/// The GVK string of an object in the bundle (its own apiVersion, no defaulting).
pub(crate) fn object_gvk(r: &Resource) -> Option<String> {
    let (g, v) = group_version(&r.api_version).ok()?;
    Some(format!("{g}/{v}.{}", r.kind.name()))
}

/// `spec.scaleTargetRef` of a ScaledObject.
pub(crate) struct ScaleTarget<'a> {
    pub node: &'a Node,
    pub name: &'a str,
    pub name_node: &'a Node,
    /// `Err` carries the ParseGroupVersion error.
    pub gvk: Result<String, String>,
}

impl<'a> ScaleTarget<'a> {
    pub fn of(so: &'a Resource) -> Option<ScaleTarget<'a>> {
        let node = so.spec()?.get("scaleTargetRef")?;
        let name_node = node.get("name")?;
        let name = name_node.as_str()?;
        let field = |k: &str| node.get(k).and_then(Node::as_str).unwrap_or("");
        Some(ScaleTarget {
            node,
            name,
            name_node,
            gvk: gvk_string(field("apiVersion"), field("kind")),
        })
    }
}

/// A ScaledObject's HPA name: the custom name when non-empty, else `keda-hpa-<name>`.
pub(crate) fn hpa_name(so: &Resource) -> Option<String> {
    let custom = so
        .spec()
        .and_then(|s| s.at(&["advanced", "horizontalPodAutoscalerConfig", "name"]))
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty());
    match custom {
        Some(n) => Some(n.to_owned()),
        None => so.name.as_ref().map(|n| format!("keda-hpa-{n}")),
    }
}

pub(crate) fn namespace<'a>(ctx: &'a Ctx<'_>, r: &'a Resource) -> &'a str {
    r.namespace_or(&ctx.options.default_namespace)
}

/// True when `a` comes before `b` in the inputs.
pub(crate) fn earlier(a: &Resource, b: &Resource) -> bool {
    (a.file, a.document) < (b.file, b.document)
}

/// The same object (kind, namespace, name) as `r`: its stored old version in an update, or
/// `r` itself.
pub(crate) fn same_object(ctx: &Ctx<'_>, a: &Resource, b: &Resource) -> bool {
    a.kind == b.kind
        && a.api_version == b.api_version
        && a.name.is_some()
        && a.name == b.name
        && (!a.kind.is_namespaced() || namespace(ctx, a) == namespace(ctx, b))
}

/// The stored old version of the object being linted, when the bundle holds one before it
/// (the request is then an UPDATE).
pub(crate) fn old_version<'a>(ctx: &Ctx<'a>) -> Option<&'a Resource> {
    let me = ctx.resource;
    let name = me.name.as_deref()?;
    ctx.bundle
        .named(name)
        .filter(|r| earlier(r, me) && same_object(ctx, r, me))
        .last()
}

/// An update that only drops finalizers and leaves the spec as it was skips every webhook
/// check (`scaledobject_webhook.go:L177-L192`, since v2.10.1).
pub(crate) fn only_removes_finalizers(ctx: &Ctx<'_>) -> bool {
    if ctx.version() < crate::version::KedaVersion::new(2, 10, 1) {
        return false;
    }
    let Some(old) = old_version(ctx) else {
        return false;
    };
    let count = |r: &Resource| {
        r.root
            .at(&["metadata", "finalizers"])
            .and_then(Node::as_sequence)
            .map_or(0, <[Node]>::len)
    };
    let same_spec = match (ctx.resource.spec(), old.spec()) {
        (Some(a), Some(b)) => a.same_json(b),
        (a, b) => a.is_none() && b.is_none(),
    };
    count(ctx.resource) < count(old) && same_spec
}

/// The workload a ScaledObject scales, when the bundle holds it.
pub(crate) fn find_workload<'a>(
    ctx: &Ctx<'a>,
    gvk: &str,
    name: &str,
    ns: &str,
) -> Option<&'a Resource> {
    ctx.bundle.named(name).find(|r| {
        !r.kind.is_keda() && namespace(ctx, r) == ns && object_gvk(r).as_deref() == Some(gvk)
    })
}

/// A namespaced object of `kind` named `name` in `ns`.
pub(crate) fn find_named<'a>(
    ctx: &Ctx<'a>,
    kind: &Kind,
    name: &str,
    ns: &str,
) -> Option<&'a Resource> {
    ctx.bundle
        .named(name)
        .find(|r| &r.kind == kind && namespace(ctx, r) == ns)
}

/// `spec.template.spec` of a workload.
pub(crate) fn pod_spec(workload: &Resource) -> Option<&Node> {
    workload.spec()?.at(&["template", "spec"])
}

/// Names of the regular containers of a pod spec.
pub(crate) fn container_names(pod_spec: &Node) -> impl Iterator<Item = &str> {
    pod_spec
        .get("containers")
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .filter_map(|c| c.get("name").and_then(Node::as_str))
}

/// The pod template a ScaledObject's or ScaledJob's environment comes from: the scaled
/// workload's `spec.template` (when the bundle holds the workload) or the ScaledJob's own
/// `jobTargetRef.template`, with a short description of where it is and the object that holds it.
pub(crate) fn owner_pod_template<'a>(
    ctx: &Ctx<'a>,
    owner: &'a Resource,
) -> Option<(&'a Node, String, &'a Resource)> {
    match owner.kind {
        Kind::ScaledObject => {
            let target = ScaleTarget::of(owner)?;
            let gvk = target.gvk.ok()?;
            let w = find_workload(ctx, &gvk, target.name, namespace(ctx, owner))?;
            Some((
                w.spec()?.get("template")?,
                format!("{} '{}'", w.kind.name(), target.name),
                w,
            ))
        }
        Kind::ScaledJob => Some((
            owner.spec()?.at(&["jobTargetRef", "template"])?,
            format!(
                "the job template of ScaledJob '{}'",
                owner.name.as_deref().unwrap_or("")
            ),
            owner,
        )),
        _ => None,
    }
}

/// The pod spec of [`owner_pod_template`].
pub(crate) fn owner_pod_spec<'a>(ctx: &Ctx<'a>, owner: &'a Resource) -> Option<(&'a Node, String)> {
    let (template, place, _) = owner_pod_template(ctx, owner)?;
    Some((template.get("spec")?, place))
}

/// The span of `key:` in `node` when present, else the node's own span.
pub(crate) fn key_span(node: &Node, key: &str) -> crate::document::Span {
    node.entry(key).map_or(node.span, |e| e.key.span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gvk_strings_follow_parse_gvkr() {
        assert_eq!(gvk_string("", "").as_deref(), Ok("apps/v1.Deployment"));
        assert_eq!(
            gvk_string("apps/v1", "StatefulSet").as_deref(),
            Ok("apps/v1.StatefulSet")
        );
        assert_eq!(
            gvk_string("v1", "ReplicationController").as_deref(),
            Ok("/v1.ReplicationController")
        );
        assert_eq!(
            gvk_string("custom-api", "StatefulSet").as_deref(),
            Ok("/custom-api.StatefulSet")
        );
        assert_eq!(gvk_string("/", "X").as_deref(), Ok("/.X"));
        assert_eq!(
            gvk_string("apps/v1beta1", "Deployment").as_deref(),
            Ok("apps/v1beta1.Deployment")
        );
        assert_eq!(
            gvk_string("", "deployment").unwrap_err(),
            "no matches for kind \"deployment\" in version \"apps/v1\""
        );
        assert!(gvk_string("apps/v1beta2", "ReplicaSet").is_err());
        assert!(gvk_string("argoproj.io/v1alpha1", "Rollout").is_ok());
        assert!(gvk_string("a/b/c", "X")
            .unwrap_err()
            .contains("unexpected GroupVersion string: a/b/c"));
    }
}
