//! Unit tests of the reference layer, with small document builders.

mod conflicts;
mod refs;
mod workload;

pub(super) use crate::diagnostic::{Diagnostic, Severity};
pub(super) use crate::validate::{lint, LintOptions};
pub(super) use crate::version::KedaVersion;

pub(super) fn at(version: KedaVersion) -> LintOptions {
    LintOptions {
        keda_version: version,
        ..LintOptions::default()
    }
}

/// Diagnostics of the reference layer only.
pub(super) fn run_with(text: &str, options: &LintOptions) -> Vec<Diagnostic> {
    lint(text, options)
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA3"))
        .collect()
}

pub(super) fn run(text: &str) -> Vec<Diagnostic> {
    run_with(text, &LintOptions::default())
}

/// (code, document, path) of each diagnostic.
pub(super) fn found(ds: &[Diagnostic]) -> Vec<(&str, usize, &str)> {
    ds.iter()
        .map(|d| (d.code.as_str(), d.document, d.path.as_str()))
        .collect()
}

pub(super) fn so(
    name: &str,
    extra_meta: &str,
    target: &str,
    spec_extra: &str,
    triggers: &str,
) -> String {
    format!(
        "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: {name}\n  namespace: demo\n{extra_meta}spec:\n  scaleTargetRef:\n{target}{spec_extra}  triggers:\n{triggers}"
    )
}

pub(super) const CRON: &str = "  - type: cron\n    metadata:\n      timezone: UTC\n      start: 0 7 * * *\n      end: 0 19 * * *\n      desiredReplicas: '3'\n";
pub(super) const CPU: &str =
    "  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: '70'\n";
pub(super) const MEMORY: &str =
    "  - type: memory\n    metricType: Utilization\n    metadata:\n      value: '80'\n";
pub(super) const ORDERS: &str = "    name: orders\n";

pub(super) fn hpa(name: &str, extra_meta: &str, target_kind: &str) -> String {
    format!(
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {name}\n  namespace: demo\n{extra_meta}spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: {target_kind}\n    name: orders\n  maxReplicas: 5\n"
    )
}

pub(super) fn deployment(resources: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\n  namespace: demo\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: x\n{resources}      - name: sidecar\n        image: y\n        resources:\n          requests:\n            cpu: 10m\n            memory: 10Mi\n"
    )
}

pub(super) fn join(docs: &[&str]) -> String {
    docs.join("---\n")
}

pub(super) fn ta(name: &str, ns: &str, spec: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}")
}

pub(super) fn cta(name: &str) -> String {
    format!("apiVersion: keda.sh/v1alpha1\nkind: ClusterTriggerAuthentication\nmetadata:\n  name: {name}\nspec:\n  secretTargetRef: []\n")
}

pub(super) fn with_auth(name: &str, kind: &str) -> String {
    let kind = if kind.is_empty() {
        String::new()
    } else {
        format!("      kind: {kind}\n")
    };
    format!("  - type: prometheus\n    authenticationRef:\n      name: {name}\n{kind}    metadata:\n      serverAddress: http://p:9090\n      query: up\n      threshold: '1'\n")
}
