//! SO-W7..W10 and SO-W20: a ScaledObject may not take over a workload another HPA or
//! ScaledObject already scales, nor an HPA name another ScaledObject uses.

use super::target::{
    earlier, gvk_string, hpa_name, namespace, only_removes_finalizers, ScaleTarget,
};
use super::{
    HPA_CONFLICT, HPA_NAME_CONFLICT, HPA_TRANSFER_NAME, SCALE_TARGET_CONFLICT, SCALE_TARGET_GVK,
};
use std::collections::HashMap;
use std::sync::Arc;

use crate::document::{Kind, Node, Resource};
use crate::rules::{Ctx, Report};
use crate::version::KedaVersion;

const TRANSFER: &str = "scaledobject.keda.sh/transfer-hpa-ownership";
const HPA_OWNERSHIP: &str = "validations.keda.sh/hpa-ownership";

pub(super) fn check(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let so = ctx.resource;
    if so.kind != Kind::ScaledObject || only_removes_finalizers(ctx) {
        return;
    }
    let Some(target) = ScaleTarget::of(so) else {
        return;
    };
    let gvk = match &target.gvk {
        Ok(g) => g,
        Err(e) => {
            // A malformed apiVersion is the webhook layer's KEDA1017 (decidable from the
            // object alone); what needs the cluster's RESTMapper is reported here.
            if e.starts_with("no matches for kind") {
                let (node, path) = match target.node.get("kind") {
                    Some(n) => (n, "spec.scaleTargetRef.kind"),
                    None => (target.node, "spec.scaleTargetRef"),
                };
                report.emit(&SCALE_TARGET_GVK, so, node.span, path, e.clone());
            }
            return;
        }
    };
    other_hpas(ctx, report, &target, gvk);
    other_scaled_objects(ctx, report, &target, gvk);
}

/// SO-W7/SO-W8 (`scaledobject_webhook.go:L297-L360`): at most one finding, for the first
/// HPA in the inputs that conflicts.
fn other_hpas(ctx: &Ctx<'_>, report: &mut Report<'_>, target: &ScaleTarget<'_>, gvk: &str) {
    let so = ctx.resource;
    let v = ctx.version();
    let ns = namespace(ctx, so);
    let so_name = so.name.as_deref().unwrap_or("");
    let index = Index::of(ctx);
    for hpa in index.candidates(ctx, &[&index.hpas_by_target], ns, &[target.name]) {
        if v >= KedaVersion::new(2, 14, 0) && hpa.annotation(HPA_OWNERSHIP) == Some("false") {
            continue;
        }
        let Some(hpa_target) = hpa.spec().and_then(|s| s.get("scaleTargetRef")) else {
            continue;
        };
        let field = |k: &str| hpa_target.get(k).and_then(Node::as_str).unwrap_or("");
        let Ok(hpa_gvk) = gvk_string(field("apiVersion"), field("kind")) else {
            continue;
        };
        if hpa_gvk != gvk || field("name") != target.name || owned_by(hpa, so_name) {
            continue;
        }
        let hpa_name = hpa.name.as_deref().unwrap_or("");
        let custom = so
            .spec()
            .and_then(|s| s.at(&["advanced", "horizontalPodAutoscalerConfig", "name"]));
        let transfer = v >= KedaVersion::new(2, 11, 0) && so.annotation(TRANSFER) == Some("true");
        if transfer && custom.and_then(Node::as_str) == Some(hpa_name) {
            continue;
        }
        if transfer && v >= HPA_TRANSFER_NAME.since {
            let (node, path) = match custom {
                Some(n) => (
                    n,
                    "spec.advanced.horizontalPodAutoscalerConfig.name".to_owned(),
                ),
                None => (
                    so.root
                        .at(&["metadata", "annotations", TRANSFER])
                        .unwrap_or(&so.root),
                    format!("metadata.annotations.{TRANSFER}"),
                ),
            };
            let named = match custom.and_then(Node::text) {
                Some(n) => format!("it names '{n}'"),
                None => "it names none".to_owned(),
            };
            report.emit(
                &HPA_TRANSFER_NAME,
                so,
                node.span,
                path,
                format!(
                    "the existing hpa '{hpa_name}' for workload '{}' of type '{gvk}' must be specified by name in spec.advanced.horizontalPodAutoscalerConfig.name to enable ownership transfer ({named})",
                    target.name
                ),
            );
            return;
        }
        let mut message = format!(
            "the workload '{}' of type '{gvk}' is already managed by the hpa '{hpa_name}'",
            target.name
        );
        if let Some(owner) = owner_scaled_object(hpa) {
            message.push_str(&format!(" (the HPA of ScaledObject '{owner}')"));
        }
        if transfer && custom.is_none() {
            message.push_str(
                " (with the transfer annotation and no spec.advanced, this KEDA release's webhook crashes on the request)",
            );
        }
        report.emit(
            &HPA_CONFLICT,
            so,
            target.name_node.span,
            "spec.scaleTargetRef.name",
            message,
        );
        // KEDA's webhook stops at the first HPA that conflicts.
        return;
    }
}

/// The ScaledObject an HPA belongs to, by its ownerReference.
fn owner_scaled_object(hpa: &Resource) -> Option<&str> {
    hpa.root
        .at(&["metadata", "ownerReferences"])?
        .as_sequence()?
        .iter()
        .find(|o| o.get("kind").and_then(Node::as_str) == Some("ScaledObject"))?
        .get("name")?
        .as_str()
}

/// KEDA recognises its own HPA only by an ownerReference of kind ScaledObject and the
/// ScaledObject's name (apiVersion and uid are not compared).
fn owned_by(hpa: &Resource, so_name: &str) -> bool {
    hpa.root
        .at(&["metadata", "ownerReferences"])
        .and_then(Node::as_sequence)
        .unwrap_or(&[])
        .iter()
        .any(|o| {
            o.get("kind").and_then(Node::as_str) == Some("ScaledObject")
                && o.get("name").and_then(Node::as_str) == Some(so_name)
        })
}

/// SO-W9/SO-W10 (`scaledobject_webhook.go:L426-L474`). KEDA's webhook stops at the first
/// ScaledObject that conflicts, so each ScaledObject gets at most one of these findings,
/// naming the first earlier one in the inputs (the one that would have been admitted). The
/// walk only visits ScaledObjects on the same target or HPA name, in input order, and stops
/// at the first conflict, so a bundle of thousands on one workload stays linear.
fn other_scaled_objects(
    ctx: &Ctx<'_>,
    report: &mut Report<'_>,
    target: &ScaleTarget<'_>,
    gvk: &str,
) {
    let so = ctx.resource;
    let ns = namespace(ctx, so);
    let my_hpa = hpa_name(so);
    let index = Index::of(ctx);
    let none = Vec::new();
    let by_target = index
        .scaled_objects_by_target
        .get(&(ns.to_owned(), target.name.to_owned(), gvk.to_owned()))
        .unwrap_or(&none);
    let by_hpa = my_hpa
        .as_ref()
        .and_then(|h| {
            index
                .scaled_objects_by_hpa
                .get(&(ns.to_owned(), h.clone(), String::new()))
        })
        .unwrap_or(&none);
    // Both lists are in input order: merge them, each index once.
    let (mut t, mut h) = (0, 0);
    loop {
        let i = match (by_target.get(t), by_hpa.get(h)) {
            (Some(&a), Some(&b)) if a == b => {
                t += 1;
                h += 1;
                a
            }
            (Some(&a), Some(&b)) if a < b => {
                t += 1;
                a
            }
            (Some(&a), None) => {
                t += 1;
                a
            }
            (_, Some(&b)) => {
                h += 1;
                b
            }
            (None, None) => break,
        };
        let Some(other) = ctx.bundle.resources.get(i) else {
            continue;
        };
        if !earlier(other, so) {
            break;
        }
        if !other.is_keda()
            || other.name.is_none()
            || other.name == so.name
            || namespace(ctx, other) != ns
        {
            continue;
        }
        let other_name = other.name.as_deref().unwrap_or("");
        let other_target = ScaleTarget::of(other);
        let same_target = other_target
            .as_ref()
            .is_some_and(|t| t.name == target.name && t.gvk.as_deref() == Ok(gvk));
        if same_target {
            report.emit(
                &SCALE_TARGET_CONFLICT,
                so,
                target.name_node.span,
                "spec.scaleTargetRef.name",
                format!(
                    "the workload '{}' of type '{gvk}' is already managed by the ScaledObject '{other_name}'",
                    target.name
                ),
            );
            return;
        }
        let theirs = hpa_name(other);
        if my_hpa.is_some() && theirs == my_hpa {
            let h = theirs.unwrap_or_default();
            let custom = so
                .spec()
                .and_then(|s| s.at(&["advanced", "horizontalPodAutoscalerConfig", "name"]))
                .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()));
            let (span, path) = match custom {
                Some(n) => (n.span, "spec.advanced.horizontalPodAutoscalerConfig.name"),
                None => (
                    so.root.at(&["metadata", "name"]).unwrap_or(&so.root).span,
                    "metadata.name",
                ),
            };
            report.emit(
                &HPA_NAME_CONFLICT,
                so,
                span,
                path,
                format!("the HPA '{h}' is already managed by the ScaledObject '{other_name}'"),
            );
            return;
        }
    }
}

/// The ScaledObjects and ScaledJobs with a trigger whose authenticationRef gives `name`, in
/// input order: a reference resolves only to an object of the name it gives, so these are
/// all that can use a TriggerAuthentication of that name (without scanning the bundle for
/// each one, which a stream of thousands of them makes quadratic).
pub(crate) fn auth_ref_users<'a>(ctx: &Ctx<'a>, name: &str) -> Vec<&'a Resource> {
    let index = Index::of(ctx);
    let key = (name.to_owned(), String::new(), String::new());
    index
        .users_by_auth_ref
        .get(&key)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|&i| ctx.bundle.resources.get(i))
        .collect()
}

/// Where to look for conflicts: HPAs by the workload they scale, ScaledObjects by their
/// target and by their HPA's name, each keyed by namespace. Built once per bundle, so a
/// bundle of thousands of ScaledObjects is checked in linear time.
struct Index {
    hpas_by_target: Keyed,
    /// By namespace, target name and target group/version/kind.
    scaled_objects_by_target: Keyed,
    scaled_objects_by_hpa: Keyed,
    /// ScaledObjects and ScaledJobs by the name their triggers' authenticationRefs give
    /// (the other two parts empty), for the lints that start from a TriggerAuthentication.
    users_by_auth_ref: Keyed,
}

/// By namespace, name and a third part that only `scaled_objects_by_target` fills (the
/// others leave it empty): one map type, so the Wasm module carries one copy of its code.
type Keyed = HashMap<(String, String, String), Vec<usize>>;

impl Index {
    fn of(ctx: &Ctx<'_>) -> Arc<Index> {
        let default_ns = ctx.options.default_namespace.clone();
        ctx.bundle.memo(|bundle| {
            // Sized for the bundle up front: growing rehashes every key, and a stream of
            // thousands of ScaledObjects otherwise spends more on that than on the lookups.
            let n = bundle.resources.len();
            let mut index = Index {
                hpas_by_target: Keyed::new(),
                scaled_objects_by_target: Keyed::with_capacity(n),
                scaled_objects_by_hpa: Keyed::with_capacity(n),
                users_by_auth_ref: Keyed::new(),
            };
            for (i, r) in bundle.resources.iter().enumerate() {
                if matches!(r.kind, Kind::ScaledObject | Kind::ScaledJob) {
                    let triggers = r.spec().and_then(|s| s.get("triggers"));
                    for t in triggers.and_then(Node::as_sequence).unwrap_or(&[]) {
                        let Some(name) =
                            t.at(&["authenticationRef", "name"]).and_then(Node::as_str)
                        else {
                            continue;
                        };
                        // Once per such trigger: the users are checked one by one anyway.
                        let key = (name.to_owned(), String::new(), String::new());
                        index.users_by_auth_ref.entry(key).or_default().push(i);
                    }
                }
                let ns = r.namespace_or(&default_ns).to_owned();
                let target = |r: &Resource| {
                    r.spec()
                        .and_then(|s| s.at(&["scaleTargetRef", "name"]))
                        .and_then(Node::as_str)
                        .map(str::to_owned)
                };
                match r.kind {
                    Kind::HorizontalPodAutoscaler => {
                        if let Some(t) = target(r) {
                            index
                                .hpas_by_target
                                .entry((ns, t, String::new()))
                                .or_default()
                                .push(i);
                        }
                    }
                    Kind::ScaledObject => {
                        let gvk = ScaleTarget::of(r).and_then(|t| t.gvk.ok());
                        if let (Some(t), Some(gvk)) = (target(r), gvk) {
                            let key = (ns.clone(), t, gvk);
                            index
                                .scaled_objects_by_target
                                .entry(key)
                                .or_default()
                                .push(i);
                        }
                        if let Some(h) = hpa_name(r) {
                            index
                                .scaled_objects_by_hpa
                                .entry((ns, h, String::new()))
                                .or_default()
                                .push(i);
                        }
                    }
                    _ => {}
                }
            }
            index
        })
    }

    /// Resources under any of `keys` in `maps` (pairwise), in input order, each once.
    fn candidates<'a>(
        &self,
        ctx: &Ctx<'a>,
        maps: &[&Keyed],
        ns: &str,
        keys: &[&str],
    ) -> Vec<&'a Resource> {
        let mut found: Vec<usize> = maps
            .iter()
            .zip(keys)
            .filter_map(|(m, k)| m.get(&(ns.to_owned(), (*k).to_owned(), String::new())))
            .flatten()
            .copied()
            .collect();
        crate::sort::sort_by(&mut found, Ord::cmp);
        found.dedup();
        found
            .into_iter()
            .filter_map(|i| ctx.bundle.resources.get(i))
            .collect()
    }
}
