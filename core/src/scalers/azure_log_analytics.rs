//! `azure-log-analytics`: a Kusto query over a Log Analytics workspace
//! (`pkg/scalers/azure_log_analytics_scaler.go`, `azureLogAnalyticsMetadata` and its
//! `Validate()`: the pod identity, the cloud, then the credentials a client secret needs).
//!
//! Valid: the service principal from the TriggerAuthentication.
//! ```yaml
//! - type: azure-log-analytics
//!   metadata:
//!     workspaceId: 81963c40-af2e-47cd-8e72-3002e08aa2af
//!     query: "let x = 10; print MetricValue = x, Threshold = 5;"
//!     threshold: "10.7"
//!   authenticationRef:
//!     name: trigger-auth-kedaloganalytics   # tenantId, clientId, clientSecret
//! ```
//! Invalid: a cloud outside `AzureClouds` ("there is no cloud environment matching the name
//! azureGermanCloud").
//! ```yaml
//! - type: azure-log-analytics
//!   metadata:
//!     workspaceId: 81963c40-af2e-47cd-8e72-3002e08aa2af
//!     query: "let x = 10; print MetricValue = x, Threshold = 5;"
//!     threshold: "10.7"
//!     cloud: azureGermanCloud
//!   authenticationRef:
//!     name: trigger-auth-kedaloganalytics
//! ```

use super::azure_ad::{self, AzureCloud, Credential, Secret};
use super::typed::{self, Param, Parsed, A, BOOL, DURATION, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-log-analytics"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("tenantId", &[A, M, E], STRING).optional(),
    Param::new("clientId", &[A, M, E], STRING).optional(),
    Param::new("clientSecret", &[A, M, E], STRING).optional(),
    Param::new("workspaceId", &[A, M, E], STRING),
    Param::new("query", &[M], STRING),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
    Param::new("logAnalyticsResourceURL", &[M], STRING).optional(),
    Param::new("cloud", &[M], STRING).default("azurePublicCloud"),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("timeout", &[M], DURATION).optional(),
];

/// What a poller needs to run the query (`azquery.LogsClient.QueryWorkspace`).
#[derive(Clone, Debug)]
pub struct LogAnalyticsConfig {
    pub metric: ScalerMetric,
    pub workspace_id: String,
    pub query: String,
    /// The named cloud (the public one for `Private`).
    pub cloud: AzureCloud,
    /// The Log Analytics API base (`…/v1`) and token audience: the cloud's, or
    /// `logAnalyticsResourceURL` for `Private`.
    pub logs_endpoint: String,
    pub logs_audience: String,
    pub unsafe_ssl: bool,
    /// Nanoseconds, as KEDA ends up with them: a given (or the global) timeout is
    /// multiplied by a millisecond once more in `Validate()`. `None`: the global timeout.
    pub timeout_ns: Option<i64>,
    pub credential: Credential,
}

fn validate(p: &Parsed, pod_identity: Option<&str>) -> Result<(), ScalerError> {
    let mut missing = "";
    match azure_ad::provider(pod_identity) {
        None => {
            // Each check overwrites the last: the final missing one is reported.
            for key in ["tenantId", "clientId", "clientSecret"] {
                if p.str(key).is_empty() {
                    missing = key;
                }
            }
        }
        Some("azure-workload") => {}
        Some(other) => {
            return Err(typed::error(
                "",
                ErrorKind::PodIdentity,
                format!(
                    "error parsing metadata. Details: Log Analytics Scaler doesn't support pod identity {other}"
                ),
            ))
        }
    }
    resolve_cloud(p)?;
    if missing.is_empty() {
        return Ok(());
    }
    Err(typed::error(
        missing,
        ErrorKind::Missing,
        format!(
            "error parsing metadata. Details: {missing} was not found in metadata. Check your ScaledObject configuration"
        ),
    ))
}

/// The cloud, its Log Analytics endpoint and audience.
fn resolve_cloud(p: &Parsed) -> Result<(AzureCloud, String, String), ScalerError> {
    let name = p.str("cloud");
    if azure_ad::is_private(name) {
        let url = p.str("logAnalyticsResourceURL");
        if url.is_empty() {
            return Err(azure_ad::private_needs("logAnalyticsResourceURL"));
        }
        return Ok((azure_ad::PUBLIC, format!("{url}/v1"), url.to_owned()));
    }
    let cloud = azure_ad::named_cloud(name).ok_or_else(|| azure_ad::no_such_cloud(name))?;
    Ok((
        cloud,
        cloud.logs_endpoint.to_owned(),
        cloud.logs_audience.to_owned(),
    ))
}

/// `parseAzureLogAnalyticsMetadata`; `identity_id` is the TriggerAuthentication's
/// `podIdentity.identityId`, if any.
pub fn config(
    input: &TriggerInput<'_>,
    identity_id: Option<&str>,
) -> Result<LogAnalyticsConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, |p| validate(p, input.pod_identity))?;
    let (cloud, logs_endpoint, logs_audience) = resolve_cloud(&p).map_err(|e| vec![e])?;
    let credential = match azure_ad::provider(input.pod_identity) {
        None => {
            // CreateAzureLogsClient: NewClientSecretCredential, before any call.
            azure_ad::check_tenant_id(p.str("tenantId")).map_err(|e| vec![e])?;
            Credential::ClientSecret {
                tenant_id: p.str("tenantId").to_owned(),
                client_id: p.str("clientId").to_owned(),
                client_secret: Secret::new(p.str("clientSecret")),
            }
        }
        Some(_) => Credential::Workload {
            identity_id: identity_id.map(str::to_owned),
        },
    };
    let timeout = p.duration("timeout");
    Ok(LogAnalyticsConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(
                input.index,
                &format!("azure-log-analytics-{}", p.str("workspaceId")),
            ),
            metric_type,
            target: p.float("threshold"),
            activation: p.float("activationThreshold"),
        },
        workspace_id: p.str("workspaceId").to_owned(),
        query: p.str("query").to_owned(),
        cloud,
        logs_endpoint,
        logs_audience,
        unsafe_ssl: p.bool("unsafeSsl"),
        timeout_ns: p
            .is_set("timeout")
            .then(|| timeout.saturating_mul(if timeout > 0 { 1_000_000 } else { 1 })),
        credential,
    })
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input, None).map(|c| c.metric)
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const WORKSPACE: (&str, &str) = ("workspaceId", "81963c40-af2e-47cd-8e72-3002e08aa2af");
    const QUERY: (&str, &str) = (
        "query",
        "let x = 10; print MetricValue = x, Threshold = 5;",
    );
    const SP: &[(&str, &str)] = &[("tenantId", "t"), ("clientId", "c"), ("clientSecret", "s")];

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "10.7")])
            .auth(SP)
            .parse()
            .unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            (
                "s0-azure-log-analytics-81963c40-af2e-47cd-8e72-3002e08aa2af",
                10.7
            )
        );
        let bad = Trigger::new("azure-log-analytics")
            .meta(&[
                WORKSPACE,
                QUERY,
                ("threshold", "10.7"),
                ("cloud", "azureGermanCloud"),
            ])
            .auth(SP);
        assert_eq!(
            bad.messages(),
            ["there is no cloud environment matching the name azureGermanCloud"]
        );
    }

    /// `testLogAnalyticsMetadata`: the last missing credential is the one named.
    #[test]
    fn credentials_identity_and_clouds() {
        let t = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "1")])
            .auth(&[("clientId", "c")]);
        assert_eq!(
            t.messages(),
            ["error parsing metadata. Details: clientSecret was not found in metadata. Check your ScaledObject configuration"]
        );
        let t = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "1")])
            .pod_identity("azure-workload");
        assert!(t.parse().is_ok());
        let t = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "1")])
            .pod_identity("aws");
        assert_eq!(
            t.messages(),
            ["error parsing metadata. Details: Log Analytics Scaler doesn't support pod identity aws"]
        );
        let t = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "1"), ("cloud", "PRIVATE")])
            .pod_identity("azure-workload");
        assert_eq!(
            t.messages(),
            ["logAnalyticsResourceURL must be provided for Private cloud type"]
        );
        let t = Trigger::new("azure-log-analytics")
            .meta(&[WORKSPACE, QUERY, ("threshold", "1"), ("timeout", "-1")])
            .pod_identity("azure-workload");
        assert_eq!(t.messages().len(), 1);
    }

    #[test]
    fn config_for_a_poller() {
        let meta = [
            ("workspaceId", "w"),
            ("query", "q"),
            ("threshold", "1"),
            ("cloud", "private"),
            ("logAnalyticsResourceURL", "https://la.example"),
            ("timeout", "1000"),
        ];
        let (meta, empty) = (
            meta.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            Default::default(),
        );
        let input = crate::scalers::TriggerInput {
            trigger_type: "azure-log-analytics",
            index: 0,
            metadata: &meta,
            auth_params: &empty,
            env: &empty,
            pod_identity: Some("azure-workload"),
            metric_type: None,
            namespace: "default",
        };
        let c = super::config(&input, Some("client")).unwrap();
        assert_eq!(c.logs_endpoint, "https://la.example/v1");
        assert_eq!(c.logs_audience, "https://la.example");
        // 1000 read as milliseconds, then multiplied by a millisecond again.
        assert_eq!(c.timeout_ns, Some(1_000_000_000_000_000));
        assert!(c.credential.is_workload());
    }
}
