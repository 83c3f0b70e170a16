//! Rules of the `lints` layer: documents KEDA admits that will not do what their author
//! meant, mostly because KEDA or Kubernetes fails or ignores them later (runtime rules
//! RT-7..RT-14 of the spec), plus what experience with Azure workload identity teaches.
//! Everything here is a warning or info: KEDA admits all of it.

mod annotations;
mod hpa;
mod identity;
mod relevance;
mod runtime;

#[cfg(test)]
mod tests;

use crate::diagnostic::{Severity, Source};
use crate::rules::{Check, Rule, SAFE_FIX};
use crate::version::KedaVersion;

/// The Entra ID authority hosts, one list for the lint and for the in-cluster host.
pub use identity::{is_entra_authority_host, ENTRA_AUTHORITY_HOSTS};

const fn lint(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
    check: Check,
) -> Rule {
    Rule {
        code,
        name,
        severity,
        source: Source::Lint,
        summary,
        help,
        since: KedaVersion::OLDEST,
        until: None,
        fixes: &[],
        check,
    }
}

const V2_20: KedaVersion = KedaVersion::new(2, 20, 0);

pub static AZURE_IDENTITY_ID_MISSING: Rule = Rule {
    fixes: SAFE_FIX,
    ..lint(
        "KEDA4001",
        "azure-workload-identity-id-missing",
        Severity::Warning,
        "podIdentity azure-workload without identityId: KEDA presents whatever client id the KEDA operator's environment holds",
        "set identityId to the client id of the managed identity KEDA should use, and federate that identity with the KEDA operator's service account. On AKS's managed KEDA add-on the operator's own identity is not the one federated for your resources, and token requests fail with AADSTS700016 (application not found) or 'no client ID specified'",
        Check::Resource(identity::check_identity_id),
    )
};

pub static WORKLOAD_IDENTITY_NOT_KEDAS: Rule = lint(
    "KEDA4002",
    "workload-identity-is-not-kedas",
    Severity::Warning,
    "the workload's service account names an Azure identity, but KEDA does not authenticate as the workload",
    "KEDA requests tokens with the KEDA operator's service-account token. To use the workload's identity for scaling, set podIdentity.identityId to its client id and add a federated credential for subject system:serviceaccount:<KEDA namespace>:keda-operator (kube-system on the AKS add-on) to that identity",
    Check::Resource(identity::check_workload),
);

pub static WORKLOAD_IDENTITY_FEDERATION: Rule = lint(
    "KEDA4003",
    "workload-identity-needs-keda-federation",
    Severity::Info,
    "identityId is the workload's own identity; KEDA uses it only if it is also federated with the KEDA operator's service account",
    "add a federated credential for subject system:serviceaccount:<KEDA namespace>:keda-operator (kube-system on the AKS add-on) to this identity, or token requests fail with AADSTS70021",
    Check::Walker,
);

pub static WORKLOAD_IDENTITY_LABEL: Rule = lint(
    "KEDA4004",
    "workload-identity-label-missing",
    Severity::Warning,
    "the pod template's service account names an Azure identity (azure.workload.identity/client-id) but the pods lack the label azure.workload.identity/use: \"true\", so the application gets no Azure token",
    "add azure.workload.identity/use: \"true\" to spec.template.metadata.labels; without it the workload-identity webhook injects no token or AZURE_* variables. KEDA itself does not need it (it authenticates as its operator)",
    Check::Walker,
);

pub static WORKLOAD_IDENTITY_LABEL_UNANNOTATED: Rule = lint(
    "KEDA4020",
    "workload-identity-label-absent",
    Severity::Info,
    "the pods lack the label azure.workload.identity/use: \"true\" and their service account names no Azure identity: the application cannot use workload identity",
    "nothing to do if only KEDA uses workload identity (it authenticates as its operator); if the application should too, annotate its service account with azure.workload.identity/client-id and label the pods",
    Check::Walker,
);

pub static COOLDOWN_NOT_RELEVANT: Rule = Rule {
    until: Some(V2_20),
    ..lint(
        "KEDA4005",
        "cooldown-period-never-applies",
        Severity::Warning,
        "cooldownPeriod is set but never applies: with minReplicaCount above 0 and no idleReplicaCount KEDA never scales to zero, and the HPA's scale-down stabilization governs scale-in",
        "remove cooldownPeriod, or tune spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds; from KEDA 2.20 the webhook warns about this itself",
        Check::Resource(relevance::check),
    )
};

pub static POLLING_NOT_RELEVANT: Rule = Rule {
    until: Some(V2_20),
    ..lint(
        "KEDA4006",
        "polling-interval-without-effect",
        Severity::Warning,
        "pollingInterval is set but does not change scaling: with minReplicaCount above 0, no idleReplicaCount and no useCachedMetrics, the HPA queries the metrics on its own schedule",
        "remove pollingInterval, or set useCachedMetrics: true on triggers whose source should be queried at most every pollingInterval; from KEDA 2.20 the webhook warns about this itself",
        Check::Walker,
    )
};

pub static FILE_PATH: Rule = Rule {
    since: KedaVersion::new(2, 19, 0),
    ..lint(
        "KEDA4007",
        "file-path-unusable",
        Severity::Warning,
        "filePath is honoured only through a ClusterTriggerAuthentication and only as a relative path without '..'",
        "move filePath to a ClusterTriggerAuthentication referenced with kind: ClusterTriggerAuthentication, give a path relative to the operator's --filepath-auth-root-path, and start the operator with that flag",
        Check::Resource(runtime::check_trigger_auth),
    )
};

pub static SECRET_STORE_IDENTITY: Rule = lint(
    "KEDA4008",
    "secret-store-authentication",
    Severity::Warning,
    "a secret store's podIdentity provider is one the store does not support, or the store has neither a pod identity nor credentials",
    "azureKeyVault supports azure-workload, gcpSecretManager gcp, awsSecretManager aws; without a pod identity (or provider none) set the store's credentials",
    Check::Walker,
);

pub static ACTIVATION_TARGET_NOT_NUMBER: Rule = Rule {
    since: KedaVersion::new(2, 12, 0),
    ..lint(
        "KEDA4009",
        "activation-target-not-a-number",
        Severity::Warning,
        "scalingModifiers.activationTarget is not a number; the webhook does not check it and every scale loop fails",
        "write activationTarget as a decimal number in quotes, e.g. \"10\" or \"0.5\"",
        Check::Resource(runtime::check_scaled_object),
    )
};

pub static MODIFIERS_TARGET_NOT_INTEGER: Rule = Rule {
    since: KedaVersion::new(2, 12, 0),
    ..lint(
        "KEDA4010",
        "fallback-disabled-by-fractional-target",
        Severity::Warning,
        "with scalingModifiers, fallback applies only when scalingModifiers.target is a whole number; a fractional target silently disables fallback",
        "use a whole-number target (scale the formula instead), or accept that fallback never triggers",
        Check::Walker,
    )
};

pub static PAUSED_REPLICAS_NOT_INT: Rule = Rule {
    since: KedaVersion::new(2, 7, 0),
    ..lint(
        "KEDA4011",
        "paused-replicas-not-an-integer",
        Severity::Warning,
        "autoscaling.keda.sh/paused-replicas is not a 32-bit integer: the annotation pauses scaling and the reconcile fails (Ready=False)",
        "set the annotation to the replica count to hold, e.g. \"0\" or \"3\"",
        Check::Walker,
    )
};

pub static PAUSED_NOT_BOOLEAN: Rule = Rule {
    since: KedaVersion::new(2, 11, 0),
    ..lint(
        "KEDA4012",
        "paused-not-a-boolean",
        Severity::Warning,
        "autoscaling.keda.sh/paused is not one of Go's boolean spellings, and KEDA treats an unreadable value as true (paused)",
        "use \"true\" or \"false\"",
        Check::Resource(annotations::check),
    )
};

pub static HPA_OWNERSHIP_ON_SCALED_OBJECT: Rule = Rule {
    since: KedaVersion::new(2, 14, 0),
    ..lint(
        "KEDA4013",
        "hpa-ownership-true-does-nothing",
        Severity::Info,
        "validations.keda.sh/hpa-ownership: \"true\" on a ScaledObject has no effect; the webhook reads only the value \"false\", and only on HPA objects",
        "remove the annotation; to let a ScaledObject coexist with an HPA you manage, annotate that HPA with validations.keda.sh/hpa-ownership: \"false\"",
        Check::Walker,
    )
};

pub static TRANSFER_NOT_EXACT: Rule = Rule {
    since: KedaVersion::new(2, 11, 0),
    ..lint(
        "KEDA4014",
        "transfer-hpa-ownership-not-true",
        Severity::Warning,
        "scaledobject.keda.sh/transfer-hpa-ownership enables the transfer only with the exact value \"true\"",
        "write the value as \"true\" (lower case)",
        Check::Walker,
    )
};

pub static HPA_NAME_INVALID: Rule = Rule {
    since: KedaVersion::new(2, 8, 0),
    ..lint(
        "KEDA4015",
        "hpa-name-not-dns-subdomain",
        Severity::Warning,
        "spec.advanced.horizontalPodAutoscalerConfig.name is not a valid object name; KEDA admits the ScaledObject but cannot create its HPA",
        "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit",
        Check::Resource(hpa::check),
    )
};

pub static HPA_BEHAVIOR_INVALID: Rule = lint(
    "KEDA4016",
    "hpa-behavior-invalid",
    Severity::Warning,
    "horizontalPodAutoscalerConfig.behavior breaks the HorizontalPodAutoscaler's validation; KEDA admits the ScaledObject but cannot create its HPA",
    "policies need type Pods or Percent, value above 0 and periodSeconds from 1 to 1800; selectPolicy is Max, Min or Disabled; stabilizationWindowSeconds is 0 to 3600",
    Check::Walker,
);

pub static RUNNING_JOB_PERCENTAGE: Rule = lint(
    "KEDA4017",
    "custom-scaling-percentage-not-a-number",
    Severity::Warning,
    "scalingStrategy custom needs customScalingRunningJobPercentage as a number; otherwise KEDA silently uses the default strategy",
    "set customScalingRunningJobPercentage to a decimal in quotes, e.g. \"0.5\"",
    Check::Resource(runtime::check_scaled_job),
);

pub static ROLLOUT_STRATEGY: Rule = Rule {
    since: KedaVersion::new(2, 5, 0),
    until: Some(V2_20),
    ..lint(
        "KEDA4018",
        "rollout-strategy-unknown",
        Severity::Warning,
        "ScaledJob rollout strategy is neither gradual nor immediate; KEDA treats it as immediate (from KEDA 2.20 the CRD rejects it)",
        "use immediate (running Jobs are deleted on update) or gradual (they finish); 'default' in the docs means immediate",
        Check::Walker,
    )
};

pub static AUTHORITY_HOST_NOT_ENTRA: Rule = Rule {
    since: KedaVersion::new(2, 14, 0),
    ..lint(
        "KEDA4019",
        "identity-authority-host-not-entra",
        Severity::Warning,
        "podIdentity.identityAuthorityHost is not one of Entra ID's authority hosts; the federated service-account token would be sent to it",
        "remove identityAuthorityHost (the public cloud's https://login.microsoftonline.com/ is the default) or use https://login.microsoftonline.us/ or https://login.chinacloudapi.cn/. Whoever runs another host receives the service-account token and can exchange it at Entra ID for tokens of every identity federated with that service account; scalecore run ignores such a value unless it equals its AZURE_AUTHORITY_HOST",
        Check::Resource(identity::check_authority_host),
    )
};

pub static RULES: &[&Rule] = &[
    &AUTHORITY_HOST_NOT_ENTRA,
    &AZURE_IDENTITY_ID_MISSING,
    &WORKLOAD_IDENTITY_NOT_KEDAS,
    &WORKLOAD_IDENTITY_FEDERATION,
    &WORKLOAD_IDENTITY_LABEL,
    &COOLDOWN_NOT_RELEVANT,
    &POLLING_NOT_RELEVANT,
    &FILE_PATH,
    &SECRET_STORE_IDENTITY,
    &ACTIVATION_TARGET_NOT_NUMBER,
    &MODIFIERS_TARGET_NOT_INTEGER,
    &PAUSED_REPLICAS_NOT_INT,
    &PAUSED_NOT_BOOLEAN,
    &HPA_OWNERSHIP_ON_SCALED_OBJECT,
    &TRANSFER_NOT_EXACT,
    &HPA_NAME_INVALID,
    &HPA_BEHAVIOR_INVALID,
    &RUNNING_JOB_PERCENTAGE,
    &ROLLOUT_STRATEGY,
    &WORKLOAD_IDENTITY_LABEL_UNANNOTATED,
];
