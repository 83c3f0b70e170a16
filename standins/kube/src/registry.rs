//! The static table of resources the stand-in serves.

/// One served resource type: where it lives on the wire and what it supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub namespaced: bool,
    /// Has a `/status` subresource (writes to the main resource leave `.status` alone).
    pub status: bool,
    /// Has a `/scale` subresource backed by `spec.replicas`.
    pub scale: bool,
}

impl ResourceType {
    /// `group/version`, or just `version` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural.group` as the API server names a resource in its messages.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// The workload controller keeps `.status` replica counts in step with `spec.replicas`.
    pub fn is_workload(&self) -> bool {
        self.group == "apps" && (self.kind == "Deployment" || self.kind == "StatefulSet")
    }

    /// Events created by clients, from either Event API.
    pub fn is_event(&self) -> bool {
        self.kind == "Event" && (self.group.is_empty() || self.group == "events.k8s.io")
    }
}

const fn rt(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    status: bool,
    scale: bool,
) -> ResourceType {
    ResourceType {
        group,
        version,
        kind,
        plural,
        namespaced,
        status,
        scale,
    }
}

/// Every resource served. The index into this table identifies a resource type in the store.
pub static RESOURCES: &[ResourceType] = &[
    rt("", "v1", "Namespace", "namespaces", false, true, false),
    rt("", "v1", "Secret", "secrets", true, false, false),
    rt("", "v1", "ConfigMap", "configmaps", true, false, false),
    rt("", "v1", "Event", "events", true, false, false),
    rt("", "v1", "Pod", "pods", true, true, false),
    rt("apps", "v1", "Deployment", "deployments", true, true, true),
    rt(
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        true,
        true,
    ),
    rt("batch", "v1", "Job", "jobs", true, true, false),
    rt(
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        true,
        false,
    ),
    rt(
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        true,
        false,
        false,
    ),
    rt("events.k8s.io", "v1", "Event", "events", true, false, false),
    rt(
        "keda.sh",
        "v1alpha1",
        "ScaledObject",
        "scaledobjects",
        true,
        true,
        false,
    ),
    rt(
        "keda.sh",
        "v1alpha1",
        "ScaledJob",
        "scaledjobs",
        true,
        true,
        false,
    ),
    rt(
        "keda.sh",
        "v1alpha1",
        "TriggerAuthentication",
        "triggerauthentications",
        true,
        true,
        false,
    ),
    rt(
        "keda.sh",
        "v1alpha1",
        "ClusterTriggerAuthentication",
        "clustertriggerauthentications",
        false,
        true,
        false,
    ),
    // The resource metrics API as the metrics server serves it: one PodMetrics per pod, with
    // the pod's name and labels (so a labelSelector list finds the same pods as the pods list).
    rt(
        "metrics.k8s.io",
        "v1beta1",
        "PodMetrics",
        "pods",
        true,
        false,
        false,
    ),
    // What `scalecore doctor` reads of the KEDA operator's workload identity: its annotations.
    rt(
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        false,
        false,
    ),
];

/// Splits `apps/v1` into (`apps`, `v1`) and `v1` into (``, `v1`).
pub fn split_api_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((group, version)) => (group, version),
        None => ("", api_version),
    }
}

/// Looks up a resource by group, version and plural (as in a URL path).
pub fn by_plural(group: &str, version: &str, plural: &str) -> Option<usize> {
    RESOURCES
        .iter()
        .position(|r| r.group == group && r.version == version && r.plural == plural)
}

/// Looks up a resource by `apiVersion` and either its kind or its plural (for the control API).
pub fn by_api_version(api_version: &str, kind_or_plural: &str) -> Option<usize> {
    let (group, version) = split_api_version(api_version);
    RESOURCES.iter().position(|r| {
        r.group == group
            && r.version == version
            && (r.kind == kind_or_plural || r.plural == kind_or_plural)
    })
}

/// The resource type at `index`.
pub fn get(index: usize) -> Option<&'static ResourceType> {
    RESOURCES.get(index)
}

/// Every distinct `group/version` served, in table order (for discovery).
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for r in RESOURCES {
        if !out.contains(&(r.group, r.version)) {
            out.push((r.group, r.version));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_agree() {
        let d = by_plural("apps", "v1", "deployments").unwrap();
        assert_eq!(by_api_version("apps/v1", "Deployment"), Some(d));
        assert_eq!(by_api_version("apps/v1", "deployments"), Some(d));
        let core = by_api_version("v1", "Event").unwrap();
        let new = by_api_version("events.k8s.io/v1", "Event").unwrap();
        assert_ne!(core, new);
        assert_eq!(by_plural("keda.sh", "v1alpha1", "widgets"), None);
        assert!(
            !RESOURCES[by_api_version("keda.sh/v1alpha1", "ClusterTriggerAuthentication").unwrap()]
                .namespaced
        );
        assert_eq!(RESOURCES[d].qualified_plural(), "deployments.apps");
    }
}
