//! From which KEDA release each CRD field and constraint exists (test-only: the generator
//! writes these into the compiled schema). Sources: the "since" columns and the timeline of
//! the KEDA resource fact sheet (§1.1, §2.1, §3.1, §4, §8), which read them from KEDA's tags.
//!
//! A path is dotted from the object root; `x[]` steps into the items of list `x`.

pub struct Gate {
    pub kinds: &'static [&'static str],
    pub path: &'static str,
    /// The field exists from this release (before it, it is an unknown field).
    pub since: Option<&'static str>,
    pub minimum: Option<&'static str>,
    pub maximum: Option<&'static str>,
    pub min_length: Option<&'static str>,
    pub min_items: Option<&'static str>,
    /// The enum constrains the field from this release (before, any string passed).
    pub enumeration: Option<&'static str>,
    /// Enum values with their own history: (value, since, until).
    pub values: &'static [(&'static str, &'static str, Option<&'static str>)],
}

const SO: &[&str] = &["ScaledObject"];
const SJ: &[&str] = &["ScaledJob"];
const WT: &[&str] = &["ScaledObject", "ScaledJob"];
const TA: &[&str] = &["TriggerAuthentication", "ClusterTriggerAuthentication"];

const NONE: Gate = Gate {
    kinds: &[],
    path: "",
    since: None,
    minimum: None,
    maximum: None,
    min_length: None,
    min_items: None,
    enumeration: None,
    values: &[],
};

const V2_20: Option<&str> = Some("2.20.0");

const fn min_from_2_20(kinds: &'static [&'static str], path: &'static str) -> Gate {
    Gate {
        kinds,
        path,
        minimum: V2_20,
        ..NONE
    }
}

const fn enum_from_2_20(kinds: &'static [&'static str], path: &'static str) -> Gate {
    Gate {
        kinds,
        path,
        enumeration: V2_20,
        ..NONE
    }
}

const fn field_since(
    kinds: &'static [&'static str],
    path: &'static str,
    since: &'static str,
) -> Gate {
    Gate {
        kinds,
        path,
        since: Some(since),
        ..NONE
    }
}

/// Pod identity providers by release (§4): the enum came with v2.13.0, `none` with v2.14.0,
/// `azure` and `aws-kiam` left it in v2.15.0.
const PROVIDERS: &[(&str, &str, Option<&str>)] = &[
    ("azure", "2.13.0", Some("2.15.0")),
    ("aws-kiam", "2.13.0", Some("2.15.0")),
    ("none", "2.14.0", None),
];

const fn provider(path: &'static str) -> Gate {
    Gate {
        kinds: TA,
        path,
        enumeration: Some("2.13.0"),
        values: PROVIDERS,
        ..NONE
    }
}

pub static GATES: &[Gate] = &[
    // ScaledObject (§2.1)
    min_from_2_20(SO, "spec.pollingInterval"),
    min_from_2_20(SO, "spec.cooldownPeriod"),
    Gate {
        kinds: SO,
        path: "spec.initialCooldownPeriod",
        since: Some("2.14.0"),
        minimum: V2_20,
        ..NONE
    },
    Gate {
        kinds: SO,
        path: "spec.idleReplicaCount",
        since: Some("2.4.0"),
        minimum: V2_20,
        ..NONE
    },
    min_from_2_20(SO, "spec.minReplicaCount"),
    min_from_2_20(SO, "spec.maxReplicaCount"),
    Gate {
        kinds: SO,
        path: "spec.scaleTargetRef.name",
        min_length: V2_20,
        ..NONE
    },
    field_since(SO, "spec.fallback", "2.4.0"),
    min_from_2_20(SO, "spec.fallback.failureThreshold"),
    min_from_2_20(SO, "spec.fallback.replicas"),
    Gate {
        kinds: SO,
        path: "spec.fallback.behavior",
        since: Some("2.17.0"),
        values: &[("scalingModifiers", "2.20.0", None)],
        ..NONE
    },
    field_since(SO, "spec.advanced.horizontalPodAutoscalerConfig.name", "2.8.0"),
    Gate {
        kinds: SO,
        path: "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.stabilizationWindowSeconds",
        minimum: Some("2.12.0"),
        maximum: Some("2.12.0"),
        ..NONE
    },
    Gate {
        kinds: SO,
        path: "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds",
        minimum: Some("2.12.0"),
        maximum: Some("2.12.0"),
        ..NONE
    },
    field_since(
        SO,
        "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.tolerance",
        "2.18.0",
    ),
    field_since(
        SO,
        "spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.tolerance",
        "2.18.0",
    ),
    field_since(SO, "spec.advanced.scalingModifiers", "2.12.0"),
    enum_from_2_20(SO, "spec.advanced.scalingModifiers.metricType"),
    field_since(SO, "spec.triggers[].metricType", "2.7.0"),
    // Triggers, shared (§1.1)
    Gate {
        kinds: WT,
        path: "spec.triggers",
        min_items: V2_20,
        ..NONE
    },
    Gate {
        kinds: WT,
        path: "spec.triggers[].type",
        min_length: V2_20,
        ..NONE
    },
    field_since(WT, "spec.triggers[].useCachedMetrics", "2.9.0"),
    enum_from_2_20(WT, "spec.triggers[].authenticationRef.kind"),
    // ScaledJob (§3.1)
    min_from_2_20(SJ, "spec.pollingInterval"),
    min_from_2_20(SJ, "spec.successfulJobsHistoryLimit"),
    min_from_2_20(SJ, "spec.failedJobsHistoryLimit"),
    Gate {
        kinds: SJ,
        path: "spec.minReplicaCount",
        since: Some("2.8.0"),
        minimum: V2_20,
        ..NONE
    },
    min_from_2_20(SJ, "spec.maxReplicaCount"),
    Gate {
        kinds: SJ,
        path: "spec.rolloutStrategy",
        since: Some("2.5.0"),
        enumeration: V2_20,
        ..NONE
    },
    field_since(SJ, "spec.rollout", "2.8.0"),
    enum_from_2_20(SJ, "spec.rollout.strategy"),
    enum_from_2_20(SJ, "spec.rollout.propagationPolicy"),
    Gate {
        kinds: SJ,
        path: "spec.scalingStrategy.strategy",
        enumeration: V2_20,
        values: &[("default", "2.20.2", None)],
        ..NONE
    },
    Gate {
        kinds: SJ,
        path: "spec.scalingStrategy.multipleScalersCalculation",
        since: Some("2.5.0"),
        enumeration: V2_20,
        ..NONE
    },
    // TriggerAuthentication and ClusterTriggerAuthentication (§4)
    provider("spec.podIdentity.provider"),
    provider("spec.azureKeyVault.podIdentity.provider"),
    provider("spec.gcpSecretManager.podIdentity.provider"),
    provider("spec.awsSecretManager.podIdentity.provider"),
    Gate {
        kinds: TA,
        path: "spec.podIdentity.identityOwner",
        since: Some("2.13.0"),
        enumeration: Some("2.13.0"),
        ..NONE
    },
    // roleArn and identityOwner came with the `aws` provider (case index §13, case 106).
    field_since(TA, "spec.podIdentity.roleArn", "2.13.0"),
    field_since(TA, "spec.podIdentity.identityTenantId", "2.14.0"),
    field_since(TA, "spec.podIdentity.identityAuthorityHost", "2.14.0"),
    field_since(TA, "spec.podIdentity.externalID", "2.20.0"),
    field_since(TA, "spec.configMapTargetRef", "2.13.0"),
    field_since(TA, "spec.azureKeyVault", "2.7.0"),
    Gate {
        kinds: TA,
        path: "spec.azureKeyVault.secrets",
        min_items: V2_20,
        ..NONE
    },
    field_since(TA, "spec.gcpSecretManager", "2.13.0"),
    Gate {
        kinds: TA,
        path: "spec.gcpSecretManager.secrets",
        min_items: V2_20,
        ..NONE
    },
    field_since(TA, "spec.awsSecretManager", "2.13.0"),
    Gate {
        kinds: TA,
        path: "spec.awsSecretManager.secrets",
        min_items: V2_20,
        ..NONE
    },
    field_since(TA, "spec.awsSecretManager.secrets[].secretKey", "2.17.0"),
    field_since(TA, "spec.boundServiceAccountToken", "2.17.0"),
    field_since(TA, "spec.oauth2", "2.20.0"),
    field_since(TA, "spec.filePath", "2.19.0"),
    enum_from_2_20(TA, "spec.hashiCorpVault.authentication"),
    Gate {
        kinds: TA,
        path: "spec.hashiCorpVault.secrets",
        min_items: V2_20,
        ..NONE
    },
    enum_from_2_20(TA, "spec.hashiCorpVault.secrets[].type"),
    field_since(
        TA,
        "spec.hashiCorpVault.credential.serviceAccountName",
        "2.18.0",
    ),
];
