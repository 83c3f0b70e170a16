//! `temporal`: the backlog of a Temporal task queue (`pkg/scalers/temporal_scaler.go`,
//! `temporalMetadata` and its `Validate()`): sizes and the connect timeout not negative, a
//! client certificate with its key, and Worker Deployment versioning (`workerDeploymentName`
//! with `workerDeploymentBuildId`) not mixed with the deprecated build-id selectors.
//!
//! Valid: a versioned worker deployment.
//! ```yaml
//! - type: temporal
//!   metadata:
//!     endpoint: temporal-frontend:7233
//!     namespace: billing
//!     taskQueue: invoices
//!     workerDeploymentName: invoicer
//!     workerDeploymentBuildId: v42
//! ```
//! Invalid: a deployment name without its build id ("workerDeploymentName and
//! workerDeploymentBuildId must both be set").
//! ```yaml
//! - type: temporal
//!   metadata:
//!     endpoint: temporal-frontend:7233
//!     taskQueue: invoices
//!     workerDeploymentName: invoicer
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["temporal"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("endpoint", &[M, E], STRING),
    Param::new("namespace", &[M, E], STRING).default("default"),
    Param::new("activationTargetQueueSize", &[M], INT64).default("0"),
    Param::new("targetQueueSize", &[M], INT64).default("5"),
    Param::new("taskQueue", &[M, E], STRING),
    Param::new("queueTypes", &[M], STRINGS).optional(),
    Param::new("buildId", &[M, E], STRING)
        .optional()
        .announce("The 'buildId' setting is DEPRECATED and will be removed in v2.21 because Temporal Server is dropping support for the Rules-Based Versioning APIs - Use 'workerDeploymentName' and 'workerDeploymentBuildId' instead"),
    Param::new("workerDeploymentName", &[M, E], STRING).optional(),
    Param::new("workerDeploymentBuildId", &[M, E], STRING).optional(),
    Param::new("selectAllActive", &[M], BOOL)
        .default("false")
        .announce("The 'selectAllActive' setting is DEPRECATED and will be removed in v2.21 because Temporal Server is dropping support for the Rules-Based Versioning APIs - Use 'workerDeploymentName' and 'workerDeploymentBuildId' instead"),
    Param::new("selectUnversioned", &[M], BOOL)
        .default("false")
        .announce("The 'selectUnversioned' setting is DEPRECATED and will be removed in v2.21 because Temporal Server is dropping support for the Rules-Based Versioning APIs - Remove it if your workers are unversioned. Or use 'workerDeploymentName' and 'workerDeploymentBuildId' if you're migrating to Worker Deployment Versioning"),
    Param::new("apiKey", &[A, E], STRING).optional(),
    Param::new("minConnectTimeout", &[M], INT).default("5"),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("tlsServerName", &[M], STRING).optional(),
];

fn invalid(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.int("targetQueueSize") < 0 {
        return Err(invalid(
            "targetQueueSize",
            "targetQueueSize must be a positive number",
        ));
    }
    if p.int("activationTargetQueueSize") < 0 {
        return Err(invalid(
            "activationTargetQueueSize",
            "activationTargetQueueSize must be a positive number",
        ));
    }
    let (cert, key) = (p.str("cert").is_empty(), p.str("key").is_empty());
    if cert != key {
        return Err(typed::error(
            if cert { "cert" } else { "key" },
            ErrorKind::Missing,
            "both cert and key must be provided when using TLS",
        ));
    }
    if p.int("minConnectTimeout") < 0 {
        return Err(invalid(
            "minConnectTimeout",
            "minConnectTimeout must be a positive number",
        ));
    }
    let (name, build) = (
        p.str("workerDeploymentName"),
        p.str("workerDeploymentBuildId"),
    );
    if name.is_empty() != build.is_empty() {
        return Err(typed::error(
            if name.is_empty() { "workerDeploymentName" } else { "workerDeploymentBuildId" },
            ErrorKind::Missing,
            "workerDeploymentName and workerDeploymentBuildId must both be set",
        ));
    }
    if !name.is_empty()
        && (!p.str("buildId").is_empty() || p.bool("selectAllActive") || p.bool("selectUnversioned"))
    {
        return Err(invalid(
            "workerDeploymentName",
            "workerDeploymentName/workerDeploymentBuildId cannot be combined with buildId, selectAllActive, or selectUnversioned",
        ));
    }
    Ok(())
}

/// `NewTemporalScaler` up to the client: metric type, then `parseTemporalMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    let mut base = format!(
        "temporal-{}-{}",
        parsed.str("namespace"),
        parsed.str("taskQueue")
    );
    let name = parsed.str("workerDeploymentName");
    if !name.is_empty() {
        base = format!("{base}-{name}-{}", parsed.str("workerDeploymentBuildId"));
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("targetQueueSize") as f64,
        activation: parsed.int("activationTargetQueueSize") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const ENDPOINT: (&str, &str) = ("endpoint", "localhost:7233");
    const QUEUE: (&str, &str) = ("taskQueue", "default");
    const NAMESPACE: (&str, &str) = ("namespace", "v2");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("temporal").meta(&[
            ("endpoint", "temporal-frontend:7233"),
            ("namespace", "billing"),
            ("taskQueue", "invoices"),
            ("workerDeploymentName", "invoicer"),
            ("workerDeploymentBuildId", "v42"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-temporal-billing-invoices-invoicer-v42", 5.0)
        );
        let bad = Trigger::new("temporal").meta(&[
            ("endpoint", "temporal-frontend:7233"),
            ("taskQueue", "invoices"),
            ("workerDeploymentName", "invoicer"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["workerDeploymentName and workerDeploymentBuildId must both be set"]
        );
    }

    /// `testTemporalMetadata` and `temporalMetricIdentifiers`.
    #[test]
    fn versioning_and_metric_names() {
        let t = Trigger::new("temporal").meta(&[ENDPOINT, QUEUE]);
        assert_eq!(t.parse().unwrap().metric_name, "s0-temporal-default-default");
        let t = Trigger::new("temporal")
            .meta(&[ENDPOINT, QUEUE, NAMESPACE, ("buildId", "v1")])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-temporal-v2-default");
        let t = Trigger::new("temporal").meta(&[
            ENDPOINT,
            QUEUE,
            NAMESPACE,
            ("workerDeploymentName", "my-deploy"),
            ("workerDeploymentBuildId", "v1"),
            ("selectAllActive", "true"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["workerDeploymentName/workerDeploymentBuildId cannot be combined with buildId, selectAllActive, or selectUnversioned"]
        );
        let t = Trigger::new("temporal").meta(&[ENDPOINT, QUEUE, ("minConnectTimeout", "-1")]);
        assert_eq!(t.messages(), vec!["minConnectTimeout must be a positive number"]);
        let t = Trigger::new("temporal").meta(&[ENDPOINT, NAMESPACE]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"taskQueue\" in [triggerMetadata resolvedEnv]"]
        );
    }
}
