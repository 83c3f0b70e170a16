//! Azure workload identity. KEDA's operator, not the scaled workload, calls Entra ID: it sends
//! its own projected service-account token with the client id `identityId` (else its own
//! `AZURE_CLIENT_ID`). So the identity must be federated with the KEDA operator's service
//! account; the workload's service-account annotation and pod label do not matter to KEDA.

use super::{
    AUTHORITY_HOST_NOT_ENTRA, AZURE_IDENTITY_ID_MISSING, WORKLOAD_IDENTITY_FEDERATION,
    WORKLOAD_IDENTITY_LABEL, WORKLOAD_IDENTITY_LABEL_UNANNOTATED, WORKLOAD_IDENTITY_NOT_KEDAS,
};
use crate::diagnostic::Fix;
use crate::document::{Kind, Node, Resource};
use crate::rules::{Ctx, Report};
use crate::validate::edits;
use crate::validate::reference::auth::resolve;
use crate::validate::reference::auth_ref_users;
use crate::validate::reference::target::{find_named, key_span, namespace, owner_pod_template};

const CLIENT_ID: &str = "azure.workload.identity/client-id";
const USE_LABEL: &str = "azure.workload.identity/use";

fn is_azure_workload(pod_identity: &Node) -> bool {
    pod_identity.get("provider").and_then(Node::as_str) == Some("azure-workload")
}

/// The azure-workload podIdentity blocks of a (Cluster)TriggerAuthentication: its own and the
/// Key Vault's nested one, each with the node holding it and that node's path.
fn azure_workload_identities<'n>(ctx: &Ctx<'n>) -> Vec<(&'n Node, &'n Node, &'static str)> {
    let ta = ctx.resource;
    if !matches!(
        ta.kind,
        Kind::TriggerAuthentication | Kind::ClusterTriggerAuthentication
    ) {
        return Vec::new();
    }
    let Some(spec) = ta.spec() else {
        return Vec::new();
    };
    [
        (Some(spec), "spec"),
        (spec.get("azureKeyVault"), "spec.azureKeyVault"),
    ]
    .into_iter()
    .filter_map(|(parent, path)| {
        let parent = parent?;
        let pi = parent.get("podIdentity").filter(|p| is_azure_workload(p))?;
        Some((parent, pi, path))
    })
    .collect()
}

/// KEDA4001 on a TriggerAuthentication's own podIdentity and on the Key Vault's nested one.
pub(super) fn check_identity_id(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let identities = azure_workload_identities(ctx);
    if identities.is_empty() || operator_identity_configured(ctx) {
        return;
    }
    for (parent, pi, path) in identities {
        // An empty identityId is rejected by the webhook (TA-W1); only absence is linted.
        if pi.get("identityId").is_some() {
            continue;
        }
        // The Key Vault's identity need not be the workload's: only the scalers' gets one.
        let fix = (path == "spec").then(|| identity_id_fix(ctx, pi)).flatten();
        let d = report.emit(
            &AZURE_IDENTITY_ID_MISSING,
            ctx.resource,
            key_span(parent, "podIdentity"),
            format!("{path}.podIdentity"),
            "podIdentity azure-workload has no identityId, so KEDA presents the KEDA operator's own client id (AZURE_CLIENT_ID, from the operator service account's annotation); that works only if the operator's identity has access, and on AKS's managed KEDA add-on it does not",
        );
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }
}

/// `identityId: <client id>` when every ScaledObject and ScaledJob of the bundle that uses
/// this TriggerAuthentication scales a workload whose ServiceAccount (in the bundle) names the
/// same client id. With none known, or two that differ, there is no fix: a placeholder would
/// make the finding go away without making the authentication work.
fn identity_id_fix(ctx: &Ctx<'_>, pi: &Node) -> Option<Fix> {
    let entries = pi.as_mapping()?;
    let mut found: Option<&str> = None;
    for owner in auth_ref_users(ctx, ctx.resource.name.as_deref()?) {
        let uses_this = owner
            .spec()
            .and_then(|s| s.get("triggers"))
            .and_then(Node::as_sequence)
            .unwrap_or(&[])
            .iter()
            .filter_map(|t| t.get("authenticationRef"))
            .any(|a| resolve(ctx, owner, a).is_some_and(|r| std::ptr::eq(r, ctx.resource)));
        if !uses_this {
            continue;
        }
        let id = workload_client_id(ctx, owner)?;
        if found.is_some_and(|f| f != id) {
            return None;
        }
        found = Some(id);
    }
    let id = found?;
    let edit = edits::insert_entry(ctx.text()?, entries, "identityId", id)?;
    Some(Fix::safe(
        format!("Set identityId to {id} (the client id of the workload's ServiceAccount)"),
        vec![edit],
    ))
}

/// The `azure.workload.identity/client-id` of the ServiceAccount that `owner`'s workload runs
/// as, when the bundle holds the workload and the ServiceAccount.
fn workload_client_id<'a>(ctx: &Ctx<'a>, owner: &'a Resource) -> Option<&'a str> {
    let (template, _, _) = owner_pod_template(ctx, owner)?;
    let sa_name = template
        .get("spec")
        .and_then(|p| {
            p.get("serviceAccountName")
                .or_else(|| p.get("serviceAccount"))
        })
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let sa = find_named(ctx, &Kind::ServiceAccount, sa_name, namespace(ctx, owner))?;
    sa.annotation(CLIENT_ID).filter(|c| !c.trim().is_empty())
}

/// Entra ID's authority hosts, as the Azure SDK's cloud configurations name them (public,
/// US Government, China); Azure Germany's login.microsoftonline.de closed in 2021.
pub const ENTRA_AUTHORITY_HOSTS: &[&str] = &[
    "login.microsoftonline.com",
    "login.microsoftonline.us",
    "login.chinacloudapi.cn",
];

/// True for `https://<an Entra authority host>` with an optional trailing slash, scheme and
/// host in any case.
pub fn is_entra_authority_host(value: &str) -> bool {
    let Some(scheme) = value.get(..8) else {
        return false;
    };
    let rest = value.get(8..).unwrap_or("");
    let host = rest.strip_suffix('/').unwrap_or(rest);
    scheme.eq_ignore_ascii_case("https://")
        && ENTRA_AUTHORITY_HOSTS
            .iter()
            .any(|h| h.eq_ignore_ascii_case(host))
}

/// KEDA4019 on a TriggerAuthentication's podIdentity and on the Key Vault's nested one.
pub(super) fn check_authority_host(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    for (_, pi, path) in azure_workload_identities(ctx) {
        let Some(node) = pi.get("identityAuthorityHost") else {
            continue;
        };
        let value = node.as_str().unwrap_or("");
        if value.is_empty() || is_entra_authority_host(value) {
            continue;
        }
        report.emit(
            &AUTHORITY_HOST_NOT_ENTRA,
            ctx.resource,
            node.span,
            format!("{path}.podIdentity.identityAuthorityHost"),
            format!(
                "identityAuthorityHost {value:?} is not one of Entra ID's authority hosts (https://login.microsoftonline.com/, https://login.microsoftonline.us/, https://login.chinacloudapi.cn/): the federated service-account token would be sent to it"
            ),
        );
    }
}

/// The bundle holds KEDA's operator service account with a client id: then the operator's
/// default identity is one the author chose, and omitting identityId is deliberate.
fn operator_identity_configured(ctx: &Ctx<'_>) -> bool {
    ctx.bundle.of_kind(&Kind::ServiceAccount).any(|sa| {
        sa.name.as_deref() == Some("keda-operator")
            && sa.annotation(CLIENT_ID).is_some_and(|c| !c.is_empty())
    })
}

/// KEDA4002..KEDA4004, from a ScaledObject/ScaledJob whose trigger uses an azure-workload
/// TriggerAuthentication and whose pod template and service account are in the bundle.
pub(super) fn check_workload(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let owner = ctx.resource;
    if !matches!(owner.kind, Kind::ScaledObject | Kind::ScaledJob) {
        return;
    }
    let triggers = owner
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
        .unwrap_or(&[]);
    let mut seen: Vec<&Resource> = Vec::new();
    for trigger in triggers {
        let Some(auth) = trigger
            .get("authenticationRef")
            .and_then(|a| resolve(ctx, owner, a))
        else {
            continue;
        };
        if seen.iter().any(|s| std::ptr::eq(*s, auth)) {
            continue;
        }
        seen.push(auth);
        let Some(pi) = auth
            .spec()
            .and_then(|s| s.get("podIdentity"))
            .filter(|p| is_azure_workload(p))
        else {
            continue;
        };
        compare(ctx, report, owner, auth, pi);
    }
}

fn compare(ctx: &Ctx<'_>, report: &mut Report<'_>, owner: &Resource, auth: &Resource, pi: &Node) {
    let Some((template, place, holder)) = owner_pod_template(ctx, owner) else {
        return;
    };
    let pod = template.get("spec");
    let sa_name = pod
        .and_then(|p| {
            p.get("serviceAccountName")
                .or_else(|| p.get("serviceAccount"))
        })
        .and_then(Node::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    let Some(sa) = find_named(ctx, &Kind::ServiceAccount, sa_name, namespace(ctx, owner)) else {
        return;
    };
    let client_id = sa.annotation(CLIENT_ID).filter(|c| !c.is_empty());
    if let Some(client_id) = client_id {
        compare_identity(report, auth, pi, client_id, sa_name, &place);
    }
    let labelled = template
        .at(&["metadata", "labels", USE_LABEL])
        .and_then(Node::as_str)
        == Some("true");
    if labelled {
        return;
    }
    let (span, path) = match template.at(&["metadata", "labels"]) {
        Some(labels) => (labels.span, "spec.template.metadata.labels"),
        None => (template.span, "spec.template"),
    };
    let path = if owner.kind == Kind::ScaledJob {
        path.replacen("spec.", "spec.jobTargetRef.", 1)
    } else {
        path.to_owned()
    };
    // The annotation says the application means to use workload identity; without the
    // label the webhook projects no token into its pods.
    match client_id {
        Some(client_id) => report.emit(
            &WORKLOAD_IDENTITY_LABEL,
            holder,
            span,
            path,
            format!(
                "ServiceAccount '{sa_name}' names client id {client_id}, but the pods of {place} lack the label {USE_LABEL}: \"true\", so the application gets no Azure token; this does not affect KEDA, which authenticates as its operator"
            ),
        ),
        None => report.emit(
            &WORKLOAD_IDENTITY_LABEL_UNANNOTATED,
            holder,
            span,
            path,
            format!(
                "the pods of {place} lack the label {USE_LABEL}: \"true\" and ServiceAccount '{sa_name}' names no client id, so the application cannot use workload identity; KEDA does not need either"
            ),
        ),
    };
}

fn compare_identity(
    report: &mut Report<'_>,
    auth: &Resource,
    pi: &Node,
    client_id: &str,
    sa_name: &str,
    place: &str,
) {
    let auth_name = format!(
        "{} '{}'",
        auth.kind.name(),
        auth.name.as_deref().unwrap_or("")
    );
    match pi.get("identityId") {
        None => {
            report.emit(
                &WORKLOAD_IDENTITY_NOT_KEDAS,
                auth,
                auth.spec().map_or(pi.span, |s| key_span(s, "podIdentity")),
                "spec.podIdentity",
                format!(
                    "ServiceAccount '{sa_name}' of {place} names client id {client_id}, but KEDA does not authenticate as the workload: without identityId this {auth_name} presents the KEDA operator's own client id"
                ),
            );
        }
        Some(id) if id.as_str() == Some(client_id) => {
            report.emit(
                &WORKLOAD_IDENTITY_FEDERATION,
                auth,
                id.span,
                "spec.podIdentity.identityId",
                format!(
                    "identityId {client_id} is the identity of ServiceAccount '{sa_name}' of {place}; KEDA sends the KEDA operator's service-account token with it, so the identity needs a federated credential for the KEDA operator's service account as well"
                ),
            );
        }
        Some(_) => {}
    }
}
