//! The azure-monitor reader against the stand-in's Resource Manager: a service principal's
//! secret and workload identity, KEDA's reading of the answer, the request KEDA's metrics
//! client sends, faults, sharing, the allowed-suffix check and no secret in any error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use scalecore::scalers::azure_monitor::{self, AzureMonitorConfig};
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const AGE: Duration = Duration::from_secs(30);
const SUB: &str = "00000000-1111-2222-3333-444444444444";
const RESOURCE: &str = "/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/shop/providers/Microsoft.ServiceBus/namespaces/orders";

fn monitor_config(
    s: &AzureStandin,
    extra: &[(&str, &str)],
    pod_identity: Option<&str>,
) -> AzureMonitorConfig {
    let endpoint = s.resource_manager_endpoint();
    let mut metadata = vec![
        ("resourceURI", "Microsoft.ServiceBus/namespaces/orders"),
        ("tenantId", common::TENANT),
        ("subscriptionId", SUB),
        ("resourceGroupName", "shop"),
        ("metricName", "ActiveMessages"),
        ("metricAggregationType", "Average"),
        ("targetValue", "5"),
        ("cloud", "Private"),
        ("azureResourceManagerEndpoint", endpoint.as_str()),
    ];
    metadata.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    metadata.extend_from_slice(extra);
    common::parse("azure-monitor", &metadata, None, pod_identity, |i| {
        azure_monitor::config(i, None)
    })
}

fn client(s: &AzureStandin, env: scalecore_azure::WorkloadIdentityEnv) -> ServiceBus {
    common::client_for(s, s.resource_manager_suffix(), env)
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

#[tokio::test]
async fn a_client_secret_reads_the_last_point_and_the_request_is_keda_s() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_monitoring_reader(common::CLIENT);
    s.set_metric(RESOURCE, "ActiveMessages", 42.5);
    let c = client(&s, common::secret_env(&s));
    let config = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
            ("metricFilter", "EntityName eq 'orders'"),
            ("metricNamespace", "Microsoft.ServiceBus/namespaces"),
            ("metricAggregationInterval", "0:10:0"),
        ],
        None,
    );
    assert_eq!(c.monitor_metric(&config, &none(), AGE).await.unwrap(), 42.5);
    let requests = s.resource_manager_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    let r = &requests[0];
    assert_eq!(r.auth, AuthKind::Bearer);
    let (path, query) = r.path.split_once('?').unwrap();
    assert_eq!(
        path,
        format!("{RESOURCE}/providers/Microsoft.Insights/metrics")
    );
    // azquery's parameters in url.Values order; a 10-minute window.
    let keys: Vec<&str> = query
        .split('&')
        .map(|p| p.split('=').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "%24filter",
            "aggregation",
            "api-version",
            "metricnames",
            "metricnamespace",
            "timespan"
        ]
    );
    assert!(query.contains("aggregation=Average&api-version=2018-01-01&metricnames=ActiveMessages"));
    assert!(
        query.contains("%24filter=EntityName+eq+%27orders%27"),
        "{query}"
    );
    // Shared within the interval: no second request, no second token.
    assert_eq!(c.monitor_metric(&config, &none(), AGE).await.unwrap(), 42.5);
    assert_eq!(s.resource_manager_requests().len(), 1);
    assert_eq!(s.token_requests(), 1);
    // Other aggregations of the same point.
    let count = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
            ("metricAggregationType", "Count"),
        ],
        None,
    );
    assert_eq!(c.monitor_metric(&count, &none(), AGE).await.unwrap(), 42.5);
    assert_eq!(
        s.token_requests(),
        1,
        "one token per credential and audience"
    );
}

#[tokio::test]
async fn a_wrong_secret_fails_without_the_secret_and_gets_no_cached_token() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_monitoring_reader(common::CLIENT);
    s.set_metric(RESOURCE, "ActiveMessages", 3.0);
    let c = client(&s, common::secret_env(&s));
    let good = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
        ],
        None,
    );
    assert_eq!(c.monitor_metric(&good, &none(), AGE).await.unwrap(), 3.0);
    // Same client id, another secret: the token the right secret earned is not reused.
    let wrong = "not-the-secret-0123456789";
    let bad = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", wrong),
        ],
        None,
    );
    let e = c.monitor_metric(&bad, &none(), AGE).await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("AADSTS7000215"), "{text}");
    assert!(
        !text.contains(wrong) && !format!("{e:?}").contains(wrong),
        "{text}"
    );
    assert_eq!(s.resource_manager_requests().len(), 1);
}

#[tokio::test]
async fn workload_identity_needs_monitoring_reader() {
    let s = AzureStandin::start().await.unwrap();
    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.set_metric(RESOURCE, "ActiveMessages", 7.0);
    let c = client(&s, common::workload_env(&s, "monitor-wi"));
    let config = monitor_config(&s, &[], Some("azure-workload"));
    let e = c
        .monitor_metric(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::Service { status: 403, .. }), "{e}");
    assert!(e.to_string().contains("Monitoring Reader"), "{e}");
    s.grant_monitoring_reader(common::CLIENT);
    assert_eq!(
        c.monitor_metric(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        7.0
    );
}

#[tokio::test]
async fn faults_are_retried_and_errors_name_the_cause() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_monitoring_reader(common::CLIENT);
    s.set_metric(RESOURCE, "ActiveMessages", 9.0);
    let c = client(&s, common::secret_env(&s));
    let config = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
        ],
        None,
    );
    s.inject(Fault::status(429).retry_after(Duration::from_millis(200)));
    s.inject(Fault::status(500));
    assert_eq!(
        c.monitor_metric(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        9.0
    );
    let statuses: Vec<u16> = s
        .resource_manager_requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 500, 200]);
    // A metric the resource lacks: Azure Monitor's 400, not retried.
    let other = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
            ("metricName", "DeadletteredMessages"),
        ],
        None,
    );
    s.clear_requests();
    let e = c
        .monitor_metric(&other, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("Failed to find metric configuration"),
        "{e}"
    );
    assert_eq!(s.resource_manager_requests().len(), 1);
    s.remove_monitored_resource(RESOURCE);
    let e = c
        .monitor_metric(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("404 ResourceNotFound"), "{e}");
    // A slow answer is a timeout naming the endpoint.
    s.set_metric(RESOURCE, "ActiveMessages", 9.0);
    s.inject(Fault::delay(Duration::from_secs(3)).times(4));
    let e = c
        .monitor_metric(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::Timeout { .. }), "{e}");
    assert!(e.to_string().contains("management.localhost"), "{e}");
}

#[tokio::test]
async fn a_foreign_resource_manager_gets_no_token() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    let c = client(&s, common::secret_env(&s));
    let config = monitor_config(
        &s,
        &[
            ("activeDirectoryClientId", common::CLIENT),
            ("activeDirectoryClientPassword", &secret),
            (
                "azureResourceManagerEndpoint",
                "https://arm.attacker.example",
            ),
        ],
        None,
    );
    let e = c.monitor_metric(&config, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e}");
    assert!(e.to_string().contains("arm.attacker.example"), "{e}");
    assert_eq!(
        s.token_requests(),
        0,
        "a token was fetched for a foreign endpoint"
    );
    assert!(s.requests().is_empty());
}
