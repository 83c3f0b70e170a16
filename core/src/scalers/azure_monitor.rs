//! `azure-monitor`: an Azure Monitor metric of one resource (`pkg/scalers/azure_monitor_scaler.go`,
//! `azureMonitorMetadata` and its `Validate()`, then `parseAzureMonitorMetadata`'s target and
//! pod identity checks).
//!
//! Valid: a client secret from the TriggerAuthentication.
//! ```yaml
//! - type: azure-monitor
//!   metadata:
//!     resourceURI: Microsoft.ContainerService/managedClusters/azureMonitorCluster
//!     tenantId: xxx-xxx-xxx-xxx-xxx
//!     subscriptionId: yyy-yyy-yyy-yyy-yyy
//!     resourceGroupName: azureMonitor
//!     metricName: kube_pod_status_ready
//!     metricAggregationType: Average
//!     targetValue: "1"
//!   authenticationRef:
//!     name: azure-monitor-trigger-auth   # activeDirectoryClientId, activeDirectoryClientPassword
//! ```
//! Invalid: the resource is not `namespace/type/name` ("resourceURI not in the correct format.
//! Should be namespace/resource_type/resource_name").
//! ```yaml
//! - type: azure-monitor
//!   metadata:
//!     resourceURI: managedClusters/azureMonitorCluster
//!     tenantId: xxx-xxx-xxx-xxx-xxx
//!     subscriptionId: yyy-yyy-yyy-yyy-yyy
//!     resourceGroupName: azureMonitor
//!     metricName: kube_pod_status_ready
//!     metricAggregationType: Average
//!     targetValue: "1"
//! ```

use super::azure_ad::{self, AzureCloud, Credential, Secret};
use super::typed::{self, Param, Parsed, A, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-monitor"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("resourceURI", &[M], STRING),
    Param::new("tenantId", &[M], STRING),
    Param::new("subscriptionId", &[M], STRING),
    Param::new("resourceGroupName", &[M], STRING),
    Param::new("metricName", &[M], STRING),
    Param::new("metricNamespace", &[M], STRING).optional(),
    Param::new("metricFilter", &[M], STRING).optional(),
    Param::new("metricAggregationInterval", &[M], STRING).optional(),
    Param::new("metricAggregationType", &[M], STRING),
    Param::new("activeDirectoryClientId", &[M, E, A], STRING).optional(),
    Param::new("activeDirectoryClientPassword", &[M, E, A], STRING).optional(),
    Param::new("cloud", &[M], STRING).optional(),
    Param::new("azureResourceManagerEndpoint", &[M], STRING).optional(),
];

/// `azquery.PossibleAggregationTypeValues()`, compared exactly.
const AGGREGATIONS: &[&str] = &["Average", "Count", "Maximum", "Minimum", "None", "Total"];

/// What a poller needs to read the metric (`azquery.MetricsClient.QueryResource`).
#[derive(Clone, Debug)]
pub struct AzureMonitorConfig {
    pub metric: ScalerMetric,
    /// `namespace/resource_type/resource_name`, as written.
    pub resource_uri: String,
    pub tenant_id: String,
    pub subscription_id: String,
    pub resource_group_name: String,
    /// The Azure Monitor metric (`metricName`).
    pub metric_name: String,
    pub metric_namespace: Option<String>,
    pub metric_filter: Option<String>,
    /// `hh:mm:ss`, empty when not given.
    pub aggregation_interval: String,
    pub aggregation_type: String,
    /// The cloud the metrics client is built for. With `cloud: Private` KEDA keeps the public
    /// cloud and only points its Log Analytics service at `azureResourceManagerEndpoint`, so
    /// metrics are still read from the public Resource Manager: kept as KEDA does.
    pub cloud: AzureCloud,
    /// `azureResourceManagerEndpoint` of a Private cloud (which KEDA sets as the endpoint and
    /// audience of the Log Analytics service, which the metrics client does not use).
    pub azure_resource_manager_endpoint: Option<String>,
    pub credential: Credential,
}

impl AzureMonitorConfig {
    /// `MetricResourceURI()`: the full ARM id of the resource.
    pub fn metric_resource_uri(&self) -> String {
        let mut parts = self.resource_uri.splitn(3, '/');
        let (ns, ty, name) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        format!(
            "/subscriptions/{}/resourceGroups/{}/providers/{ns}/{ty}/{name}",
            self.subscription_id, self.resource_group_name
        )
    }
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let invalid = |key, message: &'static str| typed::error(key, ErrorKind::Invalid, message);
    if p.str("resourceURI").split('/').count() != 3 {
        return Err(invalid(
            "resourceURI",
            "resourceURI not in the correct format. Should be namespace/resource_type/resource_name",
        ));
    }
    match p.str("metricAggregationType") {
        "" => {
            return Err(typed::error(
                "metricAggregationType",
                ErrorKind::Missing,
                "no metricAggregationType given",
            ))
        }
        t if !AGGREGATIONS.contains(&t) => {
            return Err(invalid(
                "metricAggregationType",
                "invalid metricAggregationType given",
            ))
        }
        _ => {}
    }
    let interval = p.str("metricAggregationInterval");
    if !interval.is_empty() && interval.split(':').count() != 3 {
        return Err(invalid(
            "metricAggregationInterval",
            "metricAggregationInterval not in the correct format. Should be hh:mm:ss",
        ));
    }
    resolve_cloud(p).map(|_| ())
}

/// `parseCloud`: note KEDA's message names logAnalyticsResourceURL for the missing
/// azureResourceManagerEndpoint.
fn resolve_cloud(p: &Parsed) -> Result<AzureCloud, ScalerError> {
    let name = p.str("cloud");
    if name.is_empty() {
        return Ok(azure_ad::PUBLIC);
    }
    if azure_ad::is_private(name) {
        let endpoint = p.str("azureResourceManagerEndpoint");
        if endpoint.is_empty() {
            return Err(typed::error(
                "azureResourceManagerEndpoint",
                ErrorKind::Missing,
                "logAnalyticsResourceURL must be provided for Private cloud type",
            ));
        }
        return Ok(azure_ad::PUBLIC);
    }
    azure_ad::named_cloud(name).ok_or_else(|| azure_ad::no_such_cloud(name))
}

/// `NewAzureMonitorScaler` up to the metrics client; `identity_id` is the
/// TriggerAuthentication's `podIdentity.identityId`, if any.
pub fn config(
    input: &TriggerInput<'_>,
    identity_id: Option<&str>,
) -> Result<AzureMonitorConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    // The linter drops this when the trigger only feeds scalingModifiers (AsMetricSource).
    if p.float("targetValue") == 0.0 {
        return Err(vec![typed::error(
            "targetValue",
            ErrorKind::MissingTarget,
            "no targetValue given",
        )]);
    }
    let credential = match azure_ad::provider(input.pod_identity) {
        None => {
            let missing = |key, message: &'static str| {
                vec![typed::error(key, ErrorKind::Missing, message)]
            };
            if p.str("activeDirectoryClientId").is_empty() {
                return Err(missing(
                    "activeDirectoryClientId",
                    "no activeDirectoryClientId given",
                ));
            }
            if p.str("activeDirectoryClientPassword").is_empty() {
                return Err(missing(
                    "activeDirectoryClientPassword",
                    "no activeDirectoryClientPassword given",
                ));
            }
            // NewClientSecretCredential, before any call.
            azure_ad::check_tenant_id(p.str("tenantId")).map_err(|e| vec![e])?;
            Credential::ClientSecret {
                tenant_id: p.str("tenantId").to_owned(),
                client_id: p.str("activeDirectoryClientId").to_owned(),
                client_secret: Secret::new(p.str("activeDirectoryClientPassword")),
            }
        }
        Some("azure-workload") => Credential::Workload {
            identity_id: identity_id.map(str::to_owned),
        },
        Some(other) => {
            return Err(vec![typed::error(
                "",
                ErrorKind::PodIdentity,
                format!("azure Monitor doesn't support pod identity {other}"),
            )])
        }
    };
    let text = |k: &str| p.str(k).to_owned();
    let optional = |k: &str| Some(text(k)).filter(|v| !v.is_empty());
    Ok(AzureMonitorConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(
                input.index,
                &format!("azure-monitor-{}", p.str("metricName")),
            ),
            metric_type,
            target: p.float("targetValue"),
            activation: p.float("activationTargetValue"),
        },
        resource_uri: text("resourceURI"),
        tenant_id: text("tenantId"),
        subscription_id: text("subscriptionId"),
        resource_group_name: text("resourceGroupName"),
        metric_name: text("metricName"),
        metric_namespace: optional("metricNamespace"),
        metric_filter: optional("metricFilter"),
        aggregation_interval: text("metricAggregationInterval"),
        aggregation_type: text("metricAggregationType"),
        cloud: resolve_cloud(&p).map_err(|e| vec![e])?,
        azure_resource_manager_endpoint: optional("azureResourceManagerEndpoint")
            .filter(|_| azure_ad::is_private(p.str("cloud"))),
        credential,
    })
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input, None).map(|c| c.metric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    const VALID: &[(&str, &str)] = &[
        (
            "resourceURI",
            "Microsoft.ContainerService/managedClusters/azureMonitorCluster",
        ),
        ("tenantId", "xxx-xxx-xxx-xxx-xxx"),
        ("subscriptionId", "yyy-yyy-yyy-yyy-yyy"),
        ("resourceGroupName", "azureMonitor"),
        ("metricName", "kube_pod_status_ready"),
        ("metricAggregationType", "Average"),
        ("targetValue", "1"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut m: Vec<_> = VALID
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .copied()
            .collect();
        m.extend_from_slice(extra);
        m
    }

    const SECRET: &[(&str, &str)] = &[
        ("activeDirectoryClientId", "id"),
        ("activeDirectoryClientPassword", "pw"),
    ];

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("azure-monitor")
            .meta(VALID)
            .auth(SECRET)
            .parse()
            .unwrap();
        assert_eq!(m.metric_name, "s0-azure-monitor-kube_pod_status_ready");
        let bad = Trigger::new("azure-monitor")
            .meta(&with(&[(
                "resourceURI",
                "managedClusters/azureMonitorCluster",
            )]))
            .auth(SECRET);
        assert_eq!(
            bad.messages(),
            ["resourceURI not in the correct format. Should be namespace/resource_type/resource_name"]
        );
    }

    /// `testParseAzMonitorMetadata`: the checks after TypedConfig, in KEDA's order.
    #[test]
    fn target_then_identity() {
        let t = Trigger::new("azure-monitor").meta(&with(&[("targetValue", "0")]));
        assert_eq!(t.messages(), ["no targetValue given"]);
        let t = Trigger::new("azure-monitor")
            .meta(VALID)
            .auth(&[("activeDirectoryClientId", "id")]);
        assert_eq!(t.messages(), ["no activeDirectoryClientPassword given"]);
        let t = Trigger::new("azure-monitor")
            .meta(&with(&[("tenantId", "my tenant")]))
            .auth(SECRET);
        assert_eq!(
            t.messages(),
            ["invalid tenantID. You can locate your tenantID by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names"]
        );
        let t = Trigger::new("azure-monitor")
            .meta(VALID)
            .pod_identity("notAzure");
        assert_eq!(
            t.messages(),
            ["azure Monitor doesn't support pod identity notAzure"]
        );
        let t = Trigger::new("azure-monitor")
            .meta(&with(&[("metricAggregationType", "average")]))
            .pod_identity("azure-workload");
        assert_eq!(t.messages(), ["invalid metricAggregationType given"]);
        let t = Trigger::new("azure-monitor")
            .meta(&with(&[("metricAggregationInterval", "0:1")]))
            .pod_identity("azure-workload");
        assert_eq!(
            t.messages(),
            ["metricAggregationInterval not in the correct format. Should be hh:mm:ss"]
        );
    }

    #[test]
    fn clouds() {
        let t = Trigger::new("azure-monitor")
            .meta(&with(&[("cloud", "private")]))
            .pod_identity("azure-workload");
        assert_eq!(
            t.messages(),
            ["logAnalyticsResourceURL must be provided for Private cloud type"]
        );
        let t = Trigger::new("azure-monitor")
            .meta(&with(&[("cloud", "AzureGermanCloud")]))
            .pod_identity("azure-workload");
        assert_eq!(
            t.messages(),
            ["there is no cloud environment matching the name AzureGermanCloud"]
        );
    }

    /// Credentials out of view do not stop a simulation: the metric is still KEDA's.
    #[test]
    fn metric_without_credentials() {
        let meta = VALID
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let empty = Default::default();
        let input = TriggerInput {
            trigger_type: "azure-monitor",
            index: 2,
            metadata: &meta,
            auth_params: &empty,
            env: &empty,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        };
        assert!(config(&input, None).is_err());
        let m = crate::scalers::metric(&input).unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s2-azure-monitor-kube_pod_status_ready", 1.0)
        );
        for (t, pairs, name) in [
            ("azure-pipelines", [("poolID", "7"), ("targetPipelinesQueueLength", "2")], "s2-azure-pipelines-7"),
            ("azure-app-insights", [("metricId", "a/b"), ("targetValue", "2")], "s2-azure-app-insights-a-b"),
            ("azure-data-explorer", [("databaseName", "db"), ("threshold", "2")], "s2-azure-data-explorer-db"),
            ("azure-log-analytics", [("workspaceId", "w"), ("threshold", "2")], "s2-azure-log-analytics-w"),
        ] {
            let meta = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let input = TriggerInput {
                trigger_type: t,
                metadata: &meta,
                ..input
            };
            let m = crate::scalers::metric(&input).unwrap();
            assert_eq!((m.metric_name.as_str(), m.target), (name, 2.0));
        }
    }

    #[test]
    fn config_for_a_poller() {
        let map = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let (meta, auth, env) = (
            map(&with(&[
                ("cloud", "azureChinaCloud"),
                ("metricFilter", "namespace eq 'default'"),
                ("activeDirectoryClientPasswordFromEnv", "PW"),
            ])),
            map(&[("activeDirectoryClientId", "id")]),
            map(&[("PW", "hunter2")]),
        );
        let input = TriggerInput {
            trigger_type: "azure-monitor",
            index: 1,
            metadata: &meta,
            auth_params: &auth,
            env: &env,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        };
        let c = config(&input, None).unwrap();
        assert_eq!(
            c.metric_resource_uri(),
            "/subscriptions/yyy-yyy-yyy-yyy-yyy/resourceGroups/azureMonitor/providers/Microsoft.ContainerService/managedClusters/azureMonitorCluster"
        );
        assert_eq!(c.cloud.metrics_endpoint, "https://management.chinacloudapi.cn/");
        assert_eq!(c.metric_filter.as_deref(), Some("namespace eq 'default'"));
        assert!(!format!("{c:?}").contains("hunter2"));
        let Credential::ClientSecret { client_secret, .. } = &c.credential else {
            panic!("{:?}", c.credential)
        };
        assert_eq!(client_secret.expose(), "hunter2");
    }
}
