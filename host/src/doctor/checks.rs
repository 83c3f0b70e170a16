//! The workload-identity chain of azure-workload TriggerAuthentications, checked on objects
//! as the API server serves them. KEDA's operator, not the scaled workload, asks Entra ID for
//! tokens: it sends its own projected service-account token with the client id `identityId`
//! (else its own AZURE_CLIENT_ID), so every link from the TriggerAuthentication to the
//! operator's pod is looked at here.

use scalecore::rules::Rule;
use scalecore::Diagnostic;
use serde_json::Value;

use super::rules::{self, core};

pub const CLIENT_ID: &str = "azure.workload.identity/client-id";
pub const USE_LABEL: &str = "azure.workload.identity/use";
pub const TENANT_ID: &str = "azure.workload.identity/tenant-id";
pub const TOKEN_AUDIENCE: &str = "api://AzureADTokenExchange";
/// What the webhook injects into every container of a labelled pod.
const INJECTED: [&str; 3] = [
    "AZURE_TENANT_ID",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_AUTHORITY_HOST",
];

/// A finding about one object: `Kind/namespace/name`, or a resource id in Azure.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub object: String,
    pub diagnostic: Diagnostic,
}

/// By object, then severity, code, path and message: a stable report without repeats.
pub fn sort(findings: &mut Vec<Finding>) {
    let key = |f: &Finding| {
        let d = &f.diagnostic;
        (
            f.object.clone(),
            d.severity,
            d.code.clone(),
            d.path.clone(),
            d.message.clone(),
        )
    };
    findings.sort_by_key(key);
    findings.dedup();
}

pub fn object_name(v: &Value) -> String {
    let kind = text(v, "/kind").unwrap_or("");
    let name = text(v, "/metadata/name").unwrap_or("");
    match text(v, "/metadata/namespace").filter(|n| !n.is_empty()) {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

/// A finding of `rule`: the object is read from the API, not from a file, so the position is
/// the object's start (1:1) and `path` says where in it.
pub fn finding(rule: &Rule, object: String, path: &str, message: String) -> Finding {
    Finding {
        object,
        diagnostic: Diagnostic {
            code: rule.code.to_owned(),
            severity: rule.severity,
            message,
            path: path.to_owned(),
            document: 0,
            line: 1,
            column: 1,
            end_line: 1,
            end_column: 1,
            help: (!rule.help.is_empty()).then(|| rule.help.to_owned()),
            source: rule.source,
            fixes: Vec::new(),
            span: Default::default(),
            file: 0,
        },
    }
}

pub fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn annotation<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// One trigger's `authenticationRef` and what it names.
#[derive(Clone, Debug)]
pub struct AuthUse {
    /// Index of the trigger in `spec.triggers`.
    pub trigger: usize,
    pub kind: String,
    pub name: String,
    /// The (Cluster)TriggerAuthentication, when it exists.
    pub found: Option<Value>,
}

/// The workload a ScaledObject scales (or a ScaledJob's Job template) and its ServiceAccount.
#[derive(Clone, Debug)]
pub struct Workload {
    /// `Deployment 'orders'`, as the lint names it.
    pub place: String,
    /// Where the pod template is inside the object the findings are on.
    pub template_path: String,
    /// The object holding the pod template (the Deployment, or the ScaledJob).
    pub holder: String,
    pub template: Value,
    pub service_account_name: String,
    pub service_account: Option<Value>,
}

#[derive(Clone, Debug)]
pub struct Scaled {
    pub object: Value,
    pub auths: Vec<AuthUse>,
    pub workload: Option<Workload>,
}

#[derive(Clone, Debug)]
pub struct Operator {
    pub deployment: Value,
    pub service_account_name: String,
    pub service_account: Option<Value>,
    pub pods: Vec<Value>,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub keda_namespace: String,
    /// The namespaces looked in, for the message when the operator is not found.
    pub keda_namespaces_tried: Vec<String>,
    pub operator: Option<Operator>,
    pub scaled: Vec<Scaled>,
}

/// An azure-workload TriggerAuthentication in use, and the client id KEDA presents for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Presented {
    /// The TriggerAuthentication, or the operator's ServiceAccount when identityId is absent.
    pub object: String,
    pub client_id: String,
}

/// The azure-workload podIdentity blocks of a (Cluster)TriggerAuthentication with their
/// paths: its own, and the Key Vault's (KEDA's operator reads the vault with it).
pub fn azure_workload(auth: &Value) -> Vec<(&'static str, &Value)> {
    [
        ("spec.podIdentity", "/spec/podIdentity"),
        (
            "spec.azureKeyVault.podIdentity",
            "/spec/azureKeyVault/podIdentity",
        ),
    ]
    .into_iter()
    .filter_map(|(path, pointer)| {
        let pi = auth.pointer(pointer)?;
        (text(pi, "/provider") == Some("azure-workload")).then_some((path, pi))
    })
    .collect()
}

fn identity_id(pi: &Value) -> Option<&str> {
    pi.get("identityId")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

impl Snapshot {
    /// The distinct azure-workload TriggerAuthentications the ScaledObjects use.
    pub fn azure_auths(&self) -> Vec<&Value> {
        let mut out: Vec<&Value> = Vec::new();
        for s in &self.scaled {
            for a in &s.auths {
                let Some(found) = a.found.as_ref().filter(|f| !azure_workload(f).is_empty()) else {
                    continue;
                };
                if !out.iter().any(|o| object_name(o) == object_name(found)) {
                    out.push(found);
                }
            }
        }
        out
    }

    fn operator_client_id(&self) -> Option<&str> {
        self.operator
            .as_ref()
            .and_then(|o| o.service_account.as_ref())
            .and_then(|sa| annotation(sa, CLIENT_ID))
    }

    fn operator_sa_object(&self) -> String {
        let name = self
            .operator
            .as_ref()
            .map_or("keda-operator", |o| o.service_account_name.as_str());
        format!("ServiceAccount/{}/{name}", self.keda_namespace)
    }

    /// The subject the identities KEDA presents must be federated with.
    pub fn subject(&self) -> String {
        let name = self
            .operator
            .as_ref()
            .map_or("keda-operator", |o| o.service_account_name.as_str());
        format!("system:serviceaccount:{}:{name}", self.keda_namespace)
    }

    /// The client ids KEDA will present for the TriggerAuthentications in use.
    pub fn presented(&self) -> Vec<Presented> {
        let mut out: Vec<Presented> = Vec::new();
        for (auth, pi) in self
            .azure_auths()
            .into_iter()
            .flat_map(|a| azure_workload(a).into_iter().map(move |(_, pi)| (a, pi)))
        {
            let p = match identity_id(pi) {
                Some(id) => Presented {
                    object: object_name(auth),
                    client_id: id.to_owned(),
                },
                None => match self.operator_client_id() {
                    Some(id) => Presented {
                        object: self.operator_sa_object(),
                        client_id: id.to_owned(),
                    },
                    None => continue,
                },
            };
            if !out.iter().any(|o| o.client_id == p.client_id) {
                out.push(p);
            }
        }
        out
    }
}

/// Every finding about the cluster side of the chain.
pub fn check(snap: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in &snap.scaled {
        check_scaled(snap, s, &mut out);
    }
    let auths = snap.azure_auths();
    if !auths.is_empty() {
        check_operator(snap, &auths, &mut out);
    }
    sort(&mut out);
    out
}

fn check_scaled(snap: &Snapshot, s: &Scaled, out: &mut Vec<Finding>) {
    let owner = object_name(&s.object);
    let namespace = text(&s.object, "/metadata/namespace").unwrap_or("");
    for a in &s.auths {
        let Some(auth) = &a.found else {
            let place = if a.kind == "ClusterTriggerAuthentication" {
                "the cluster".to_owned()
            } else {
                format!("namespace {namespace}")
            };
            out.push(finding(
                core("KEDA3009"),
                owner.clone(),
                &format!("spec.triggers[{}].authenticationRef", a.trigger),
                format!(
                    "authenticationRef names {} '{}', which does not exist in {place}",
                    a.kind, a.name
                ),
            ));
            continue;
        };
        let auth_name = object_name(auth);
        let identities = azure_workload(auth);
        for (path, pi) in &identities {
            if identity_id(pi).is_some() {
                continue;
            }
            let presents = match snap.operator_client_id() {
                Some(c) => format!(
                    "the KEDA operator's own client id {c} (from its ServiceAccount's annotation)"
                ),
                None => "the KEDA operator's own client id, and its ServiceAccount names none"
                    .to_owned(),
            };
            out.push(finding(
                core("KEDA4001"),
                auth_name.clone(),
                path,
                format!("{} azure-workload has no identityId, so KEDA presents {presents}; that works only if the operator's identity has access, and on AKS's managed KEDA add-on it does not (AADSTS700016)", path.trim_start_matches("spec.")),
            ));
        }
        // The workload's identity concerns the scalers' podIdentity, not the Key Vault's.
        let Some((_, pi)) = identities.iter().find(|(p, _)| *p == "spec.podIdentity") else {
            continue;
        };
        let id = identity_id(pi);
        let Some(w) = &s.workload else { continue };
        let Some(sa) = &w.service_account else {
            continue;
        };
        let sa_name = &w.service_account_name;
        let client_id = annotation(sa, CLIENT_ID);
        match (client_id, id) {
            (Some(c), None) => out.push(finding(
                core("KEDA4002"),
                auth_name.clone(),
                "spec.podIdentity",
                format!("ServiceAccount '{sa_name}' of {} names client id {c}, but KEDA does not authenticate as the workload: without identityId this {} presents the KEDA operator's own client id", w.place, kind_name(auth)),
            )),
            (Some(c), Some(i)) if c == i => out.push(finding(
                core("KEDA4003"),
                auth_name.clone(),
                "spec.podIdentity.identityId",
                format!("identityId {c} is the identity of ServiceAccount '{sa_name}' of {}; KEDA sends the KEDA operator's service-account token with it, so the identity needs a federated credential for the KEDA operator's service account as well", w.place),
            )),
            _ => {}
        }
        let labelled = w
            .template
            .pointer("/metadata/labels")
            .and_then(|l| l.get(USE_LABEL))
            .and_then(Value::as_str)
            == Some("true");
        if let (Some(c), false) = (client_id, labelled) {
            out.push(finding(
                core("KEDA4004"),
                w.holder.clone(),
                &w.template_path,
                format!("ServiceAccount '{sa_name}' names client id {c}, but the pods of {} lack the label {USE_LABEL}: \"true\", so the application gets no Azure token; this does not affect KEDA, which authenticates as its operator", w.place),
            ));
        }
    }
}

fn kind_name(auth: &Value) -> String {
    format!(
        "{} '{}'",
        text(auth, "/kind").unwrap_or("TriggerAuthentication"),
        text(auth, "/metadata/name").unwrap_or("")
    )
}

fn check_operator(snap: &Snapshot, auths: &[&Value], out: &mut Vec<Finding>) {
    let Some(op) = &snap.operator else {
        out.push(finding(
            &rules::OPERATOR_NOT_FOUND,
            format!("Deployment/{}/keda-operator", snap.keda_namespace),
            "",
            format!(
                "no Deployment keda-operator in namespace {}; {} azure-workload TriggerAuthentication(s) depend on it",
                snap.keda_namespaces_tried.join(" or "),
                auths.len()
            ),
        ));
        return;
    };
    let sa_object = snap.operator_sa_object();
    let op_client_id = snap.operator_client_id();
    let relying: Vec<String> = auths
        .iter()
        .filter(|a| {
            azure_workload(a)
                .iter()
                .any(|(_, pi)| identity_id(pi).is_none())
        })
        .map(|a| object_name(a))
        .collect();
    if op_client_id.is_none() && !relying.is_empty() {
        let state = if op.service_account.is_some() {
            format!("has no annotation {CLIENT_ID}")
        } else {
            "does not exist".to_owned()
        };
        out.push(finding(
            &rules::OPERATOR_CLIENT_ID_MISSING,
            sa_object.clone(),
            &format!("metadata.annotations.{CLIENT_ID}"),
            format!(
                "{} rel{} on the KEDA operator's client id, but ServiceAccount '{}' {state}: token requests fail with 'no client ID specified' (AADSTS700016 on AKS's add-on)",
                relying.join(", "),
                if relying.len() == 1 { "ies" } else { "y" },
                op.service_account_name
            ),
        ));
    }
    for (auth, path, id) in auths.iter().flat_map(|a| {
        azure_workload(a)
            .into_iter()
            .filter_map(move |(path, pi)| Some((a, path, identity_id(pi)?)))
    }) {
        if Some(id) != op_client_id {
            let operator = match op_client_id {
                Some(c) => format!("the KEDA operator's client id {c}"),
                None => "the KEDA operator's client id (none)".to_owned(),
            };
            out.push(finding(
                &rules::IDENTITY_NOT_OPERATORS,
                object_name(auth),
                &format!("{path}.identityId"),
                format!(
                    "identityId {id} is not {operator}: identity {id} needs a federated credential for subject {}",
                    snap.subject()
                ),
            ));
        }
    }
    if op.pods.is_empty() {
        out.push(finding(
            &rules::OPERATOR_NO_POD,
            object_name(&op.deployment),
            "",
            "the Deployment keda-operator has no pod, so no token is requested".to_owned(),
        ));
    }
    for pod in &op.pods {
        check_pod(pod, op, out);
    }
}

fn check_pod(pod: &Value, op: &Operator, out: &mut Vec<Finding>) {
    let name = object_name(pod);
    let sa = op.service_account.as_ref();
    let sa_name = &op.service_account_name;
    let op_client_id = sa.and_then(|sa| annotation(sa, CLIENT_ID));
    let labelled = pod
        .pointer("/metadata/labels")
        .and_then(|l| l.get(USE_LABEL))
        .and_then(Value::as_str)
        == Some("true");
    if !labelled {
        out.push(finding(
            &rules::OPERATOR_POD_NOT_LABELLED,
            name,
            "metadata.labels",
            format!("the pod lacks the label {USE_LABEL}: \"true\", so it has no AZURE_FEDERATED_TOKEN_FILE and every azure-workload token request fails"),
        ));
        return;
    }
    let containers = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    // KEDA's chart names the container after the Deployment; else the first.
    let (index, container) = containers
        .iter()
        .enumerate()
        .find(|(_, c)| text(c, "/name") == Some("keda-operator"))
        .or_else(|| containers.iter().enumerate().next())
        .map_or((0, &Value::Null), |(i, c)| (i, c));
    let env = |key: &str| {
        container
            .get("env")
            .and_then(Value::as_array)
            .and_then(|e| e.iter().find(|v| text(v, "/name") == Some(key)))
            .and_then(|v| text(v, "/value"))
            .filter(|v| !v.is_empty())
    };
    let mut missing: Vec<&str> = INJECTED
        .iter()
        .copied()
        .filter(|k| env(k).is_none())
        .collect();
    if op_client_id.is_some() && env("AZURE_CLIENT_ID").is_none() {
        missing.push("AZURE_CLIENT_ID");
    }
    if !has_token_volume(pod) {
        missing.push(
            "the projected service-account token volume (audience api://AzureADTokenExchange)",
        );
    }
    if !missing.is_empty() {
        out.push(finding(
            &rules::OPERATOR_IDENTITY_NOT_INJECTED,
            name.clone(),
            &format!("spec.containers[{index}].env"),
            format!("the pod is labelled {USE_LABEL}: \"true\" but lacks {}: it was created before the webhook ran (or the webhook is not installed)", missing.join(", ")),
        ));
    }
    // The webhook copies these annotations into the variables when it creates the pod.
    for (variable, key, what) in [
        ("AZURE_CLIENT_ID", CLIENT_ID, "client id"),
        ("AZURE_TENANT_ID", TENANT_ID, "tenant id"),
    ] {
        let now = sa.and_then(|sa| annotation(sa, key));
        if let (Some(now), Some(then)) = (now, env(variable)) {
            if now != then {
                out.push(finding(
                    &rules::OPERATOR_POD_STALE,
                    name,
                    &format!("spec.containers[{index}].env"),
                    format!("the pod runs with {variable} {then}, but ServiceAccount '{sa_name}' now names {what} {now}: the pod predates the change"),
                ));
                return;
            }
        }
    }
    let started =
        text(pod, "/status/startTime").or_else(|| text(pod, "/metadata/creationTimestamp"));
    let sa_changed = sa.and_then(last_change);
    if let (Some(started), Some(changed)) = (started, sa_changed.as_deref()) {
        if is_utc_timestamp(started) && is_utc_timestamp(changed) && started < changed {
            out.push(finding(
                &rules::OPERATOR_POD_STALE,
                name,
                "status.startTime",
                format!("the pod started at {started}, before ServiceAccount '{sa_name}' last changed at {changed}: it runs with the settings the webhook injected then"),
            ));
        }
    }
}

/// A projected volume with a service-account token for the token-exchange audience, as the
/// webhook adds (`azure-identity-token`).
fn has_token_volume(pod: &Value) -> bool {
    pod.pointer("/spec/volumes")
        .and_then(Value::as_array)
        .is_some_and(|vs| {
            vs.iter().any(|v| {
                v.pointer("/projected/sources")
                    .and_then(Value::as_array)
                    .is_some_and(|s| {
                        s.iter().any(|src| {
                            text(src, "/serviceAccountToken/audience") == Some(TOKEN_AUDIENCE)
                        })
                    })
            })
        })
}

/// The API server writes times as `YYYY-MM-DDTHH:MM:SSZ`; in that form, text order is time order.
fn is_utc_timestamp(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 20
        && b.get(4) == Some(&b'-')
        && b.get(10) == Some(&b'T')
        && b.get(19) == Some(&b'Z')
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10 | 13 | 16 | 19) || c.is_ascii_digit())
}

/// The ServiceAccount's last change: the newest `managedFields[].time`, else its creation.
fn last_change(sa: &Value) -> Option<String> {
    let fields = sa
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    fields
        .iter()
        .filter_map(|f| text(f, "/time"))
        .filter(|t| is_utc_timestamp(t))
        .max()
        .or_else(|| text(sa, "/metadata/creationTimestamp"))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn last_change_reads_managed_fields() {
        // A ServiceAccount as the API server serves it after `kubectl annotate`.
        let sa = json!({"metadata": {
        "creationTimestamp": "2026-01-01T10:00:00Z",
        "managedFields": [
            {"manager": "kubectl-client-side-apply", "operation": "Update", "time": "2026-01-01T10:00:00Z"},
            {"manager": "kubectl-annotate", "operation": "Update", "time": "2026-03-04T08:30:00Z"}
        ]}});
        assert_eq!(last_change(&sa).as_deref(), Some("2026-03-04T08:30:00Z"));
        let created = json!({"metadata": {"creationTimestamp": "2026-01-01T10:00:00Z"}});
        assert_eq!(
            last_change(&created).as_deref(),
            Some("2026-01-01T10:00:00Z")
        );
    }

    #[test]
    fn timestamps_in_the_api_servers_form_only() {
        assert!(is_utc_timestamp("2026-03-04T08:30:00Z"));
        assert!(!is_utc_timestamp("2026-03-04T08:30:00+01:00"));
        assert!(!is_utc_timestamp("2026-03-04T08:30:00.5Z"));
        assert!(!is_utc_timestamp("garbage-garbage-garb"));
    }
}
