//! deploy/*.yaml: every document is a valid Kubernetes object, and the RBAC grants what the
//! host calls and nothing else.

use std::collections::BTreeSet;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{repo, yaml_docs};

/// Every document of every deploy/*.yaml, with its file name.
fn deploy_docs() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("deploy"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let mut out = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let docs = yaml_docs(&std::fs::read_to_string(&path).unwrap());
        assert!(!docs.is_empty(), "{name}");
        out.extend(docs.into_iter().map(|d| (name.clone(), d)));
    }
    out
}

/// Reads `doc` as `T` and writes it back: a misspelt or misplaced field (which the typed read
/// would drop) makes the two differ.
fn exact<T: DeserializeOwned + Serialize>(where_: &str, doc: &Value) -> T {
    let typed: T = serde_json::from_value(doc.clone())
        .unwrap_or_else(|e| panic!("{where_}: not a valid object: {e}"));
    assert_eq!(
        &serde_json::to_value(&typed).unwrap(),
        doc,
        "{where_}: fields the type does not know"
    );
    typed
}

#[test]
fn every_deploy_document_is_a_valid_kubernetes_object() {
    let mut kinds = Vec::new();
    for (file, doc) in deploy_docs() {
        let kind = doc["kind"].as_str().unwrap_or_default().to_owned();
        let where_ = format!("{file}: {kind} {}", doc["metadata"]["name"]);
        let named = match kind.as_str() {
            "CustomResourceDefinition" => exact::<CustomResourceDefinition>(&where_, &doc)
                .metadata
                .name
                .is_some(),
            "Namespace" => exact::<Namespace>(&where_, &doc).metadata.name.is_some(),
            "ServiceAccount" => exact::<ServiceAccount>(&where_, &doc)
                .metadata
                .name
                .is_some(),
            "ClusterRole" => exact::<ClusterRole>(&where_, &doc).metadata.name.is_some(),
            "ClusterRoleBinding" => exact::<ClusterRoleBinding>(&where_, &doc)
                .metadata
                .name
                .is_some(),
            "Role" => exact::<Role>(&where_, &doc).metadata.name.is_some(),
            "RoleBinding" => exact::<RoleBinding>(&where_, &doc).metadata.name.is_some(),
            "Deployment" => exact::<Deployment>(&where_, &doc).metadata.name.is_some(),
            "NetworkPolicy" => exact::<NetworkPolicy>(&where_, &doc)
                .metadata
                .name
                .is_some(),
            other => panic!("{where_}: no check for kind {other:?}"),
        };
        assert!(named, "{where_}: no name");
        kinds.push(kind);
    }
    assert_eq!(
        kinds,
        [
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "CustomResourceDefinition",
            "Namespace",
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment",
            "NetworkPolicy"
        ]
    );
}

fn one<T: DeserializeOwned + Serialize>(kind: &str) -> T {
    let docs: Vec<_> = deploy_docs()
        .into_iter()
        .filter(|(f, d)| f == "scalecore.yaml" && d["kind"] == kind)
        .collect();
    assert_eq!(docs.len(), 1, "one {kind}");
    exact(kind, &docs[0].1)
}

/// (group, resource, verb, resource name) tuples a set of rules grants.
fn grants(rules: &[PolicyRule]) -> BTreeSet<(String, String, String, String)> {
    let mut out = BTreeSet::new();
    for r in rules {
        let groups = r.api_groups.clone().unwrap_or_default();
        let resources = r.resources.clone().unwrap_or_default();
        let names = r.resource_names.clone().unwrap_or_else(|| vec!["*".into()]);
        assert!(r.non_resource_urls.is_none());
        for g in &groups {
            for res in &resources {
                for v in &r.verbs {
                    for n in &names {
                        out.insert((g.clone(), res.clone(), v.clone(), n.clone()));
                    }
                }
            }
        }
    }
    out
}

fn allows(g: &BTreeSet<(String, String, String, String)>, call: (&str, &str, &str)) -> bool {
    let (group, resource, verb) = call;
    g.iter()
        .any(|(gg, rr, vv, _)| gg == group && rr == resource && vv == verb)
}

/// The calls `scalecore run` makes across namespaces (host/src/run/kubeapi.rs, controller.rs).
const HOST_CALLS: &[(&str, &str, &str)] = &[
    // controller: watchers (list + watch) of the three kinds; kubeapi: get of an authentication
    ("keda.sh", "scaledobjects", "list"),
    ("keda.sh", "scaledobjects", "watch"),
    ("keda.sh", "triggerauthentications", "list"),
    ("keda.sh", "triggerauthentications", "watch"),
    ("keda.sh", "triggerauthentications", "get"),
    ("keda.sh", "clustertriggerauthentications", "list"),
    ("keda.sh", "clustertriggerauthentications", "watch"),
    ("keda.sh", "clustertriggerauthentications", "get"),
    // apply_status: server-side apply of the status subresource
    ("keda.sh", "scaledobjects/status", "patch"),
    // jobs: the ScaledJob watcher, its status, its Jobs (listed by label, created, deleted)
    ("keda.sh", "scaledjobs", "list"),
    ("keda.sh", "scaledjobs", "watch"),
    ("keda.sh", "scaledjobs/status", "patch"),
    ("batch", "jobs", "list"),
    ("batch", "jobs", "create"),
    ("batch", "jobs", "delete"),
    // workload: the pod template's env; scale / set_replicas: the /scale subresource
    ("apps", "deployments", "get"),
    ("apps", "statefulsets", "get"),
    ("apps", "deployments/scale", "get"),
    ("apps", "deployments/scale", "patch"),
    ("apps", "statefulsets/scale", "get"),
    ("apps", "statefulsets/scale", "patch"),
    // secret_value
    ("", "secrets", "get"),
    // other_hpa
    ("autoscaling", "horizontalpodautoscalers", "list"),
    // resources::Snapshots: cpu/memory triggers
    ("", "pods", "list"),
    ("metrics.k8s.io", "pods", "list"),
    // the event Recorder
    ("events.k8s.io", "events", "create"),
    ("events.k8s.io", "events", "patch"),
];

/// The only writes the host may make across namespaces.
const WRITES: &[(&str, &str)] = &[
    ("keda.sh", "scaledobjects/status"),
    ("keda.sh", "scaledjobs/status"),
    ("batch", "jobs"),
    ("apps", "deployments/scale"),
    ("apps", "statefulsets/scale"),
    ("events.k8s.io", "events"),
    ("", "events"),
];

#[test]
fn the_cluster_role_grants_what_the_host_calls_and_writes_nothing_else() {
    let role: ClusterRole = one("ClusterRole");
    let g = grants(role.rules.as_deref().unwrap_or_default());
    for call in HOST_CALLS {
        assert!(allows(&g, *call), "not granted: {call:?}");
    }
    for (group, resource, verb, _) in &g {
        assert_ne!(group, "*");
        assert_ne!(resource, "*");
        assert_ne!(verb, "*");
        let read = matches!(verb.as_str(), "get" | "list" | "watch");
        assert!(
            read || WRITES.contains(&(group.as_str(), resource.as_str())),
            "write not needed: {verb} {group}/{resource}"
        );
        // The one delete: a ScaledJob's own finished (or outdated) Jobs.
        assert!(verb != "delete" || (group == "batch" && resource == "jobs"));
        assert!(verb != "deletecollection" && verb != "escalate");
    }
    // Secrets are read one by one, never listed or watched (which would expose all of them).
    let secret_verbs: BTreeSet<_> = g
        .iter()
        .filter(|(gr, r, _, _)| gr.is_empty() && r == "secrets")
        .map(|(_, _, v, _)| v.as_str())
        .collect();
    assert_eq!(secret_verbs, BTreeSet::from(["get"]));
    // Leader election is not granted cluster-wide.
    assert!(!g.iter().any(|(_, r, _, _)| r == "leases"));
}

#[test]
fn leader_election_is_confined_to_the_scalecore_lease() {
    let role: Role = one("Role");
    assert_eq!(role.metadata.namespace.as_deref(), Some("scalecore"));
    let g = grants(role.rules.as_deref().unwrap_or_default());
    let lease = |verb: &str, name: &str| {
        (
            "coordination.k8s.io".to_owned(),
            "leases".to_owned(),
            verb.to_owned(),
            name.to_owned(),
        )
    };
    let expected = BTreeSet::from([
        lease("create", "*"),
        lease("get", "scalecore-leader"),
        lease("update", "scalecore-leader"),
    ]);
    assert_eq!(g, expected);
    // The name is `scalecore run`'s default --lease-name.
    let run = std::fs::read_to_string(repo().join("host/src/run/mod.rs")).unwrap();
    assert!(run.contains("default_value = \"scalecore-leader\""));
}

#[test]
fn the_bindings_give_the_roles_to_the_service_account() {
    let sa: ServiceAccount = one("ServiceAccount");
    assert_eq!(sa.metadata.name.as_deref(), Some("scalecore"));
    assert_eq!(sa.metadata.namespace.as_deref(), Some("scalecore"));
    let annotations = sa.metadata.annotations.unwrap_or_default();
    assert_eq!(
        annotations
            .get("azure.workload.identity/client-id")
            .map(String::as_str),
        Some("<CLIENT_ID>")
    );
    let cluster_role: ClusterRole = one("ClusterRole");
    let crb: ClusterRoleBinding = one("ClusterRoleBinding");
    assert_eq!(crb.role_ref.kind, "ClusterRole");
    assert_eq!(Some(crb.role_ref.name), cluster_role.metadata.name);
    let role: Role = one("Role");
    let rb: RoleBinding = one("RoleBinding");
    assert_eq!(rb.role_ref.kind, "Role");
    assert_eq!(Some(rb.role_ref.name), role.metadata.name);
    assert_eq!(rb.metadata.namespace, role.metadata.namespace);
    for subjects in [crb.subjects, rb.subjects] {
        let s = subjects.unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(
            (
                s[0].kind.as_str(),
                s[0].name.as_str(),
                s[0].namespace.as_deref()
            ),
            ("ServiceAccount", "scalecore", Some("scalecore"))
        );
    }
}

#[test]
fn the_deployment_runs_two_hardened_hosts_with_workload_identity() {
    let d: Deployment = one("Deployment");
    assert_eq!(d.metadata.namespace.as_deref(), Some("scalecore"));
    let spec = d.spec.unwrap();
    assert_eq!(spec.replicas, Some(2));
    let template = spec.template;
    let labels = template.metadata.unwrap().labels.unwrap();
    assert_eq!(
        labels
            .get("azure.workload.identity/use")
            .map(String::as_str),
        Some("true")
    );
    for (k, v) in spec.selector.match_labels.unwrap() {
        assert_eq!(labels.get(&k), Some(&v), "the selector matches the pods");
    }
    let pod = template.spec.unwrap();
    assert_eq!(pod.service_account_name.as_deref(), Some("scalecore"));
    let pod_security = pod.security_context.unwrap();
    assert_eq!(pod_security.run_as_non_root, Some(true));
    assert!(pod_security.run_as_user.is_some_and(|u| u != 0));
    assert_eq!(pod.containers.len(), 1);
    let c = &pod.containers[0];
    assert_eq!(
        c.args.as_deref().unwrap(),
        ["run", "--log-format", "json"].map(String::from)
    );
    let env = c.env.as_deref().unwrap();
    for (name, path) in [
        ("POD_NAME", "metadata.name"),
        ("POD_NAMESPACE", "metadata.namespace"),
    ] {
        let var = env.iter().find(|e| e.name == name).unwrap();
        let field = var.value_from.as_ref().unwrap().field_ref.as_ref().unwrap();
        assert_eq!(field.field_path, path);
    }
    let port = &c.ports.as_deref().unwrap()[0];
    assert_eq!(
        (port.container_port, port.name.as_deref()),
        (8080, Some("metrics"))
    );
    let probe_path = |p: &Option<k8s_openapi::api::core::v1::Probe>| {
        p.as_ref()
            .unwrap()
            .http_get
            .as_ref()
            .unwrap()
            .path
            .clone()
            .unwrap()
    };
    assert_eq!(probe_path(&c.liveness_probe), "/healthz");
    assert_eq!(probe_path(&c.readiness_probe), "/readyz");
    let security = c.security_context.as_ref().unwrap();
    assert_eq!(security.read_only_root_filesystem, Some(true));
    assert_eq!(security.allow_privilege_escalation, Some(false));
    assert_eq!(
        security.capabilities.as_ref().unwrap().drop.as_deref(),
        Some(&["ALL".to_owned()][..])
    );
    let requests = c.resources.as_ref().unwrap().requests.as_ref().unwrap();
    assert_eq!(requests["cpu"].0, "50m");
    assert_eq!(requests["memory"].0, "32Mi");
}

#[test]
fn the_network_policy_selects_the_hosts_and_admits_only_the_metrics_port() {
    let d: Deployment = one("Deployment");
    let np: NetworkPolicy = one("NetworkPolicy");
    assert_eq!(np.metadata.namespace, d.metadata.namespace);
    let spec = np.spec.unwrap();
    let pod_labels = d
        .spec
        .as_ref()
        .unwrap()
        .template
        .metadata
        .as_ref()
        .unwrap()
        .labels
        .clone()
        .unwrap();
    let selector = spec.pod_selector.unwrap_or_default();
    assert!(selector.match_expressions.is_none());
    let wanted = selector.match_labels.unwrap_or_default();
    assert!(
        !wanted.is_empty(),
        "an empty selector would select every pod"
    );
    for (k, v) in &wanted {
        assert_eq!(
            pod_labels.get(k),
            Some(v),
            "the policy selects the host's pods"
        );
    }
    let types = spec.policy_types.unwrap_or_default();
    assert!(types.contains(&"Ingress".to_owned()) && types.contains(&"Egress".to_owned()));

    // In: the metrics port only, and only from inside the cluster (no ipBlock).
    let metrics_port = d.spec.unwrap().template.spec.unwrap().containers[0]
        .ports
        .as_deref()
        .unwrap()[0]
        .container_port;
    let ingress = spec.ingress.unwrap();
    assert!(!ingress.is_empty());
    for rule in &ingress {
        let ports = rule.ports.as_deref().unwrap_or_default();
        assert!(!ports.is_empty(), "a rule without ports admits every port");
        for p in ports {
            assert_eq!(p.port, Some(IntOrString::Int(metrics_port)));
            assert_eq!(p.protocol.as_deref(), Some("TCP"));
        }
        for peer in rule.from.as_deref().unwrap_or_default() {
            assert!(peer.ip_block.is_none(), "{peer:?}");
        }
        assert!(!rule.from.as_deref().unwrap_or_default().is_empty());
    }

    // Out: DNS, the API server and HTTPS, nothing else.
    let mut out = BTreeSet::new();
    for rule in spec.egress.unwrap() {
        let ports = rule.ports.as_deref().unwrap_or_default();
        assert!(!ports.is_empty(), "a rule without ports allows every port");
        for p in ports {
            let port = match &p.port {
                Some(IntOrString::Int(n)) => *n,
                other => panic!("egress port {other:?}"),
            };
            out.insert((p.protocol.clone().unwrap_or_default(), port));
        }
    }
    let expected: BTreeSet<(String, i32)> = [("UDP", 53), ("TCP", 53), ("TCP", 443), ("TCP", 6443)]
        .into_iter()
        .map(|(p, n)| (p.to_owned(), n))
        .collect();
    assert_eq!(out, expected);
}
