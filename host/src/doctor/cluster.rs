//! Reads what the checks need, read-only: ScaledObjects and ScaledJobs, the
//! TriggerAuthentications they name, their workloads' ServiceAccounts, and KEDA's operator
//! (Deployment, ServiceAccount, pods).

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use std::collections::HashMap;

use kube::Client;
use serde_json::Value;

use super::checks::{text, AuthUse, Operator, Scaled, Snapshot, Workload};

fn resource(api_version: &str, kind: &str) -> ApiResource {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    ApiResource::from_gvk(&GroupVersionKind::gvk(group, version, kind))
}

fn api(client: &Client, ar: &ApiResource, namespace: Option<&str>) -> Api<DynamicObject> {
    match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    }
}

/// Reads through one client, each object once per run: ScaledObjects of a namespace often share
/// a TriggerAuthentication and a ServiceAccount.
struct Reader<'c> {
    client: &'c Client,
    seen: HashMap<(String, String, String, String), Option<Value>>,
}

impl Reader<'_> {
    /// The object, `None` when it does not exist; other failures are errors.
    async fn get(
        &mut self,
        ar: &ApiResource,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, kube::Error> {
        let key = (
            ar.api_version.clone(),
            ar.kind.clone(),
            namespace.unwrap_or("").to_owned(),
            name.to_owned(),
        );
        if let Some(v) = self.seen.get(&key) {
            return Ok(v.clone());
        }
        let found = api(self.client, ar, namespace)
            .get_opt(name)
            .await?
            .map(|o| with_kind(o, ar));
        self.seen.insert(key, found.clone());
        Ok(found)
    }
}

async fn list(
    client: &Client,
    ar: &ApiResource,
    namespace: Option<&str>,
    params: &ListParams,
) -> Result<Vec<Value>, kube::Error> {
    let items = api(client, ar, namespace).list(params).await?;
    Ok(items.items.into_iter().map(|o| with_kind(o, ar)).collect())
}

/// List items come without apiVersion and kind.
fn with_kind(o: DynamicObject, ar: &ApiResource) -> Value {
    let mut v = serde_json::to_value(o).unwrap_or(Value::Null);
    if let Some(map) = v.as_object_mut() {
        map.insert("apiVersion".into(), Value::String(ar.api_version.clone()));
        map.insert("kind".into(), Value::String(ar.kind.clone()));
    }
    v
}

pub async fn read(
    client: &Client,
    namespace: Option<&str>,
    keda_namespaces: &[String],
) -> Result<Snapshot, kube::Error> {
    let mut reader = Reader {
        client,
        seen: HashMap::new(),
    };
    let reader = &mut reader;
    let mut scaled = Vec::new();
    for kind in ["ScaledObject", "ScaledJob"] {
        let ar = resource("keda.sh/v1alpha1", kind);
        for object in list(client, &ar, namespace, &ListParams::default()).await? {
            scaled.push(read_scaled(reader, object).await?);
        }
    }
    let mut operator = None;
    let mut keda_namespace = keda_namespaces.first().cloned().unwrap_or_default();
    for ns in keda_namespaces {
        if let Some(op) = read_operator(reader, ns).await? {
            operator = Some(op);
            keda_namespace = ns.clone();
            break;
        }
    }
    Ok(Snapshot {
        keda_namespace,
        keda_namespaces_tried: keda_namespaces.to_vec(),
        operator,
        scaled,
    })
}

async fn read_scaled(reader: &mut Reader<'_>, object: Value) -> Result<Scaled, kube::Error> {
    let namespace = text(&object, "/metadata/namespace")
        .unwrap_or("default")
        .to_owned();
    let triggers = object
        .pointer("/spec/triggers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut auths = Vec::new();
    for (i, trigger) in triggers.iter().enumerate() {
        let Some(name) = text(trigger, "/authenticationRef/name").filter(|n| !n.is_empty()) else {
            continue;
        };
        let kind = text(trigger, "/authenticationRef/kind")
            .filter(|k| !k.is_empty())
            .unwrap_or("TriggerAuthentication")
            .to_owned();
        let cluster = kind == "ClusterTriggerAuthentication";
        let ar = resource(
            "keda.sh/v1alpha1",
            if cluster {
                &kind
            } else {
                "TriggerAuthentication"
            },
        );
        let found = reader
            .get(&ar, (!cluster).then_some(namespace.as_str()), name)
            .await?;
        auths.push(AuthUse {
            trigger: i,
            kind,
            name: name.to_owned(),
            found,
        });
    }
    let workload = read_workload(reader, &object, &namespace).await?;
    Ok(Scaled {
        object,
        auths,
        workload,
    })
}

async fn read_workload(
    reader: &mut Reader<'_>,
    owner: &Value,
    namespace: &str,
) -> Result<Option<Workload>, kube::Error> {
    let owner_name = super::checks::object_name(owner);
    let (template, place, holder, template_path) = if text(owner, "/kind") == Some("ScaledJob") {
        let Some(t) = owner.pointer("/spec/jobTargetRef/template") else {
            return Ok(None);
        };
        let name = text(owner, "/metadata/name").unwrap_or("");
        (
            t.clone(),
            format!("the Jobs of ScaledJob '{name}'"),
            owner_name,
            "spec.jobTargetRef.template.metadata.labels".to_owned(),
        )
    } else {
        let api_version = text(owner, "/spec/scaleTargetRef/apiVersion")
            .filter(|s| !s.is_empty())
            .unwrap_or("apps/v1");
        let kind = text(owner, "/spec/scaleTargetRef/kind")
            .filter(|s| !s.is_empty())
            .unwrap_or("Deployment");
        let Some(name) = text(owner, "/spec/scaleTargetRef/name") else {
            return Ok(None);
        };
        let ar = resource(api_version, kind);
        // A target of a kind the cluster does not serve, or one the user may not read,
        // leaves the workload checks out; the operator's chain does not depend on it.
        let Ok(Some(target)) = reader.get(&ar, Some(namespace), name).await else {
            return Ok(None);
        };
        let Some(t) = target.pointer("/spec/template") else {
            return Ok(None);
        };
        (
            t.clone(),
            format!("{kind} '{name}'"),
            super::checks::object_name(&target),
            "spec.template.metadata.labels".to_owned(),
        )
    };
    let sa_name = text(&template, "/spec/serviceAccountName")
        .or_else(|| text(&template, "/spec/serviceAccount"))
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_owned();
    let sa = reader
        .get(&resource("v1", "ServiceAccount"), Some(namespace), &sa_name)
        .await
        .unwrap_or(None);
    Ok(Some(Workload {
        place,
        template_path,
        holder,
        template,
        service_account_name: sa_name,
        service_account: sa,
    }))
}

async fn read_operator(
    reader: &mut Reader<'_>,
    namespace: &str,
) -> Result<Option<Operator>, kube::Error> {
    let Some(deployment) = reader
        .get(
            &resource("apps/v1", "Deployment"),
            Some(namespace),
            "keda-operator",
        )
        .await?
    else {
        return Ok(None);
    };
    let sa_name = text(&deployment, "/spec/template/spec/serviceAccountName")
        .or_else(|| text(&deployment, "/spec/template/spec/serviceAccount"))
        .filter(|n| !n.is_empty())
        .unwrap_or("default")
        .to_owned();
    let service_account = reader
        .get(&resource("v1", "ServiceAccount"), Some(namespace), &sa_name)
        .await?;
    let selector = deployment
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let pods = if selector.is_empty() {
        Vec::new()
    } else {
        list(
            reader.client,
            &resource("v1", "Pod"),
            Some(namespace),
            &ListParams::default().labels(&selector),
        )
        .await?
        .into_iter()
        .filter(|p| p.pointer("/metadata/deletionTimestamp").is_none())
        .collect()
    };
    Ok(Some(Operator {
        deployment,
        service_account_name: sa_name,
        service_account,
        pods,
    }))
}
