//! Rules of the `reference` layer: what KEDA decides by looking at other objects (HPAs, other
//! ScaledObjects, the scaled workload, LimitRanges, TriggerAuthentications). The bundle stands
//! in for the cluster: an object that is not in it may still exist, so its absence is only
//! reported under `strict_refs`.

pub(crate) mod auth;
mod conflicts;
pub(crate) use conflicts::auth_ref_users;
mod containers;
mod env;
pub(crate) mod target;
mod workload;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod vectors;

use crate::diagnostic::{Severity, Source};
use crate::rules::{Check, Rule};
use crate::version::KedaVersion;

const V2_10: KedaVersion = KedaVersion::new(2, 10, 0);

pub static HPA_CONFLICT: Rule = Rule {
    code: "KEDA3001",
    name: "workload-managed-by-other-hpa",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "another HorizontalPodAutoscaler, not owned by this ScaledObject, already scales the workload",
    help: "delete that HPA, annotate it validations.keda.sh/hpa-ownership: \"false\" (KEDA 2.14+), or adopt it with the annotation scaledobject.keda.sh/transfer-hpa-ownership: \"true\" and its name in spec.advanced.horizontalPodAutoscalerConfig.name",
    since: V2_10,
    until: None,
    fixes: &[],
    check: Check::Resource(conflicts::check),
};

pub static HPA_TRANSFER_NAME: Rule = Rule {
    code: "KEDA3002",
    name: "hpa-transfer-needs-name",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "ownership transfer is requested but spec.advanced.horizontalPodAutoscalerConfig.name does not name the existing HPA",
    help: "set spec.advanced.horizontalPodAutoscalerConfig.name to the name of the HPA to adopt",
    since: KedaVersion::new(2, 18, 2),
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static SCALE_TARGET_CONFLICT: Rule = Rule {
    code: "KEDA3003",
    name: "workload-managed-by-other-scaledobject",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "another ScaledObject in the namespace already scales the same workload",
    help: "scale a workload with one ScaledObject only; put all its triggers in that one",
    since: V2_10,
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static HPA_NAME_CONFLICT: Rule = Rule {
    code: "KEDA3004",
    name: "hpa-name-used-by-other-scaledobject",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "another ScaledObject in the namespace already uses the same HPA name",
    help: "give spec.advanced.horizontalPodAutoscalerConfig.name a name no other ScaledObject uses",
    since: KedaVersion::new(2, 16, 0),
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static SCALE_TARGET_NOT_FOUND: Rule = Rule {
    code: "KEDA3005",
    name: "cpu-memory-scale-target-not-found",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "with --strict-refs (the inputs are the whole namespace): the Deployment or StatefulSet a cpu/memory ScaledObject scales does not exist, and KEDA's webhook rejects the ScaledObject",
    help: "lint the workload together with the ScaledObject, or create it before the ScaledObject",
    since: V2_10,
    until: None,
    fixes: &[],
    check: Check::Resource(workload::check),
};

pub static SCALE_TARGET_MISSING: Rule = Rule {
    code: "KEDA3012",
    name: "scale-target-not-in-inputs",
    severity: Severity::Warning,
    source: Source::Reference,
    summary: "with --strict-refs: the scale target is not among the inputs; KEDA admits the ScaledObject, which stays not Ready until the target exists",
    help: "lint the workload together with the ScaledObject, or fix scaleTargetRef",
    since: KedaVersion::OLDEST,
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static MISSING_REQUESTS: Rule = Rule {
    code: "KEDA3006",
    name: "cpu-memory-missing-requests",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "a cpu/memory trigger scales a container that has no request (or limit) for that resource and no LimitRange default",
    help: "set resources.requests for that resource on every container the trigger measures, or name one container with metadata.containerName",
    since: V2_10,
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static CPU_MEMORY_SCALE_TO_ZERO: Rule = Rule {
    code: "KEDA3007",
    name: "cpu-memory-only-scale-to-zero",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "only cpu/memory triggers with minReplicaCount 0: a workload at zero replicas has no cpu or memory to measure",
    help: "set minReplicaCount to 1 or more, or add a trigger that is not cpu/memory",
    since: KedaVersion::new(2, 11, 0),
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static SCALE_TARGET_GVK: Rule = Rule {
    code: "KEDA3008",
    name: "scale-target-kind-unresolvable",
    severity: Severity::Error,
    source: Source::Webhook,
    summary: "spec.scaleTargetRef kind does not exist in that built-in API group (the cluster's RESTMapper finds no match)",
    help: "write apiVersion as <group>/<version> (apps/v1) or <version> for the core group, and the kind exactly as the API serves it (Deployment, StatefulSet: case matters)",
    since: V2_10,
    until: None,
    fixes: &[],
    check: Check::Walker,
};

pub static AUTH_REF_NOT_FOUND: Rule = Rule {
    code: "KEDA3009",
    name: "authentication-ref-not-found",
    severity: Severity::Warning,
    source: Source::Reference,
    summary: "authenticationRef names a TriggerAuthentication/ClusterTriggerAuthentication that the inputs do not hold where KEDA looks for it",
    help: "create the TriggerAuthentication in the namespace of the ScaledObject, or set authenticationRef.kind: ClusterTriggerAuthentication for a cluster-wide one",
    since: KedaVersion::OLDEST,
    until: None,
    fixes: &[],
    check: Check::Resource(auth::check),
};

pub static CONTAINER_NOT_FOUND: Rule = Rule {
    code: "KEDA3010",
    name: "container-not-found",
    severity: Severity::Warning,
    source: Source::Reference,
    summary: "envSourceContainerName or env[].containerName names no container of the workload",
    help: "use the name of one of the workload's containers (spec.template.spec.containers[].name)",
    since: KedaVersion::OLDEST,
    until: None,
    fixes: &[],
    check: Check::Resource(containers::check),
};

pub static ENV_NOT_FOUND: Rule = Rule {
    code: "KEDA3011",
    name: "environment-variable-not-found",
    severity: Severity::Warning,
    source: Source::Reference,
    summary: "a <parameter>FromEnv trigger value or a TriggerAuthentication env[].name names a variable the container KEDA reads does not define",
    help: "define the variable in the container's env (KEDA reads the container named by envSourceContainerName, else the first one), or fix the name",
    since: KedaVersion::OLDEST,
    until: None,
    fixes: &[],
    check: Check::Resource(env::check),
};

pub static RULES: &[&Rule] = &[
    &HPA_CONFLICT,
    &HPA_TRANSFER_NAME,
    &SCALE_TARGET_CONFLICT,
    &HPA_NAME_CONFLICT,
    &SCALE_TARGET_NOT_FOUND,
    &SCALE_TARGET_MISSING,
    &MISSING_REQUESTS,
    &CPU_MEMORY_SCALE_TO_ZERO,
    &SCALE_TARGET_GVK,
    &AUTH_REF_NOT_FOUND,
    &CONTAINER_NOT_FOUND,
    &ENV_NOT_FOUND,
];
