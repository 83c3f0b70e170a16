//! The azure-app-insights reader against the stand-in's metrics API: a service principal's
//! secret (from the TriggerAuthentication, the only place KEDA reads it) and workload identity,
//! the request KEDA sends, `ignoreNullValues`, faults, sharing, the allowed-suffix check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use scalecore::scalers::azure_app_insights::{self, AppInsightsConfig};
use scalecore::scalers::TriggerInput;
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const AGE: Duration = Duration::from_secs(30);
const APP: &str = "5e3c1b7a-0f2d-4c8e-9a61-7b2d3e4f5a6b";

fn ai_config(s: &AzureStandin, extra: &[(&str, &str)], secret: Option<&str>) -> AppInsightsConfig {
    let mut metadata: BTreeMap<String, String> = [
        ("applicationInsightsId", APP),
        ("tenantId", common::TENANT),
        ("metricId", "requests/failed"),
        ("metricAggregationTimespan", "0:5"),
        ("metricAggregationType", "sum"),
        ("targetValue", "5"),
        ("cloud", "Private"),
        ("appInsightsResourceURL", s.app_insights_url().as_str()),
        // KEDA requires it with Private; its client-secret credential does not use it.
        ("activeDirectoryEndpoint", s.authority_host().as_str()),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (k, v) in extra {
        metadata.insert((*k).to_owned(), (*v).to_owned());
    }
    let auth: BTreeMap<String, String> = secret
        .map(|secret| {
            [
                ("activeDirectoryClientId", common::CLIENT),
                ("activeDirectoryClientPassword", secret),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
        })
        .unwrap_or_default();
    let env = BTreeMap::new();
    let input = TriggerInput {
        trigger_type: "azure-app-insights",
        index: 0,
        metadata: &metadata,
        auth_params: &auth,
        env: &env,
        pod_identity: secret.is_none().then_some("azure-workload"),
        metric_type: None,
        namespace: "default",
    };
    azure_app_insights::config(&input, None).unwrap_or_else(|e| panic!("{e:?}"))
}

fn client(s: &AzureStandin, env: scalecore_azure::WorkloadIdentityEnv) -> ServiceBus {
    let mut options = common::options(s);
    options.allowed_endpoint_suffixes = vec![s.app_insights_suffix()];
    ServiceBus::new(options, env).unwrap()
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

#[tokio::test]
async fn a_client_secret_reads_the_aggregate_with_keda_s_request() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_app_insights_reader(common::CLIENT);
    s.set_app_metric(APP, "requests/failed", Some(31.0));
    let c = client(
        &s,
        scalecore_azure::WorkloadIdentityEnv {
            authority_host: s.authority_host(),
            ..Default::default()
        },
    );
    let config = ai_config(
        &s,
        &[("metricFilter", "cloud%2FroleName eq 'web'")],
        Some(&secret),
    );
    assert_eq!(
        c.app_insights_value(&config, &none(), AGE).await.unwrap(),
        31.0
    );
    assert_eq!(
        c.app_insights_value(&config, &none(), AGE).await.unwrap(),
        31.0
    );
    let requests = s.app_insights_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].auth, AuthKind::Bearer);
    // The id's slash kept, the filter unescaped once then encoded, keys in Go's order.
    assert_eq!(
        requests[0].path,
        format!("/v1/apps/{APP}/metrics/requests/failed?aggregation=sum&filter=cloud%2FroleName+eq+%27web%27&timespan=PT00H05M")
    );
    assert_eq!(s.token_requests(), 1);
}

#[tokio::test]
async fn null_values_fail_unless_ignored_and_faults_are_retried() {
    let s = AzureStandin::start().await.unwrap();
    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.set_app_metric(APP, "requests/failed", None);
    let c = client(&s, common::workload_env(&s, "ai-wi"));
    let config = ai_config(&s, &[], None);
    let e = c
        .app_insights_value(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::Service { status: 403, .. }), "{e}");
    s.grant_app_insights_reader(common::CLIENT);
    let e = c
        .app_insights_value(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "metric requests/failed was nil for aggregation type sum"
    );
    let ignoring = ai_config(&s, &[("ignoreNullValues", "true")], None);
    assert_eq!(
        c.app_insights_value(&ignoring, &none(), Duration::ZERO)
            .await
            .unwrap(),
        0.0
    );
    s.set_app_metric(APP, "requests/failed", Some(6.0));
    s.inject(Fault::status(429).retry_after(Duration::from_millis(100)));
    s.inject(Fault::status(500));
    assert_eq!(
        c.app_insights_value(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        6.0
    );
    let statuses: Vec<u16> = s.app_insights_requests().iter().map(|r| r.status).collect();
    assert!(statuses.ends_with(&[429, 500, 200]), "{statuses:?}");
}

#[tokio::test]
async fn a_foreign_endpoint_gets_no_token() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    let c = client(&s, scalecore_azure::WorkloadIdentityEnv::default());
    let config = ai_config(
        &s,
        &[("appInsightsResourceURL", "https://ai.attacker.example")],
        Some(&secret),
    );
    let e = c
        .app_insights_value(&config, &none(), AGE)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e}");
    assert!(!e.to_string().contains(&secret));
    assert_eq!(s.token_requests(), 0);
    assert!(s.requests().is_empty());
}
