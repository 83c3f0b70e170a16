//! Legacy discovery documents (`/version`, `/api`, `/apis`, `/apis/{group}/{version}`).

use serde_json::{json, Value};

use crate::registry::{self, RESOURCES};

pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "gitVersion": "v1.33.0-scalecore-standin",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.24.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

pub fn core_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

pub fn groups() -> Value {
    let groups: Vec<Value> = registry::group_versions()
        .into_iter()
        .filter(|(group, _)| !group.is_empty())
        .map(|(group, version)| {
            let gv = json!({"groupVersion": format!("{group}/{version}"), "version": version});
            json!({"name": group, "versions": [gv.clone()], "preferredVersion": gv})
        })
        .chain(std::iter::once(crate::external::group()))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

const VERBS: [&str; 8] = [
    "create",
    "delete",
    "deletecollection",
    "get",
    "list",
    "patch",
    "update",
    "watch",
];

/// `None` when the group/version is not served.
pub fn resources(group: &str, version: &str) -> Option<Value> {
    let mut list = Vec::new();
    for r in RESOURCES
        .iter()
        .filter(|r| r.group == group && r.version == version)
    {
        list.push(json!({
            "name": r.plural, "singularName": r.kind.to_lowercase(), "namespaced": r.namespaced,
            "kind": r.kind, "verbs": VERBS,
        }));
        for (enabled, sub, kind) in [(r.status, "status", r.kind), (r.scale, "scale", "Scale")] {
            if enabled {
                let mut entry = json!({
                    "name": format!("{}/{sub}", r.plural), "singularName": "", "namespaced": r.namespaced,
                    "kind": kind, "verbs": ["get", "patch", "update"],
                });
                if sub == "scale" {
                    entry["group"] = json!("autoscaling");
                    entry["version"] = json!("v1");
                }
                list.push(entry);
            }
        }
    }
    if list.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(
        json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": list}),
    )
}
