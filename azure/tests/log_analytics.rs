//! The azure-log-analytics reader against the stand-in's query API: a service principal's
//! secret and workload identity, KEDA's reading of the result, the request KEDA's logs client
//! sends, faults, sharing, the allowed-suffix check and no secret in any error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use scalecore::scalers::azure_log_analytics::{self, LogAnalyticsConfig};
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const AGE: Duration = Duration::from_secs(30);
const WORKSPACE: &str = "74b3a9c2-1d4e-4f50-9a61-2b7c8d9e0f1a";
const QUERY: &str = "AppRequests | where Success == false | summarize count()";

fn la_config(
    s: &AzureStandin,
    extra: &[(&str, &str)],
    pod_identity: Option<&str>,
) -> LogAnalyticsConfig {
    let url = s.log_analytics_url();
    let mut metadata = vec![
        ("workspaceId", WORKSPACE),
        ("query", QUERY),
        ("threshold", "5"),
        ("cloud", "Private"),
        ("logAnalyticsResourceURL", url.as_str()),
    ];
    metadata.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    metadata.extend_from_slice(extra);
    common::parse("azure-log-analytics", &metadata, None, pod_identity, |i| {
        azure_log_analytics::config(i, None)
    })
}

fn sp(secret: &str) -> [(&'static str, &str); 3] {
    [
        ("tenantId", common::TENANT),
        ("clientId", common::CLIENT),
        ("clientSecret", secret),
    ]
}

fn client(s: &AzureStandin, env: scalecore_azure::WorkloadIdentityEnv) -> ServiceBus {
    common::client_for(s, s.log_analytics_suffix(), env)
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

#[tokio::test]
async fn a_client_secret_reads_the_one_value_and_shares_it() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_log_analytics_reader(common::CLIENT);
    s.set_log_query_count(WORKSPACE, QUERY, 17);
    let c = client(&s, common::secret_env(&s));
    let config = la_config(&s, &sp(&secret), None);
    assert_eq!(
        c.log_analytics_value(&config, &none(), AGE).await.unwrap(),
        17.0
    );
    assert_eq!(
        c.log_analytics_value(&config, &none(), AGE).await.unwrap(),
        17.0
    );
    let requests = s.log_analytics_requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].auth, AuthKind::Bearer);
    assert_eq!(
        requests[0].path,
        format!("/v1/workspaces/{WORKSPACE}/query")
    );
    assert_eq!(s.token_requests(), 1);
}

#[tokio::test]
async fn keda_s_checks_of_the_result_and_the_service_s_errors() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    s.grant_log_analytics_reader(common::CLIENT);
    let c = client(&s, common::secret_env(&s));
    let config = la_config(&s, &sp(&secret), None);
    s.set_log_query_count(WORKSPACE, QUERY, -3);
    let e = c
        .log_analytics_value(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .ends_with("value should be >=0, but received -3.000000"),
        "{e}"
    );
    s.set_log_query_result(
        WORKSPACE,
        QUERY,
        serde_json::json!({"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "c", "type": "long"}], "rows": []}]}),
    );
    let e = c
        .log_analytics_value(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("there is no results after running your query"),
        "{e}"
    );
    // A query the workspace rejects: the service's 400, not retried.
    let other = la_config(
        &s,
        &[sp(&secret).as_slice(), &[("query", "Nope | count")]].concat(),
        None,
    );
    s.clear_requests();
    let e = c
        .log_analytics_value(&other, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .starts_with("Log Analytics answered 400 BadArgumentError"),
        "{e}"
    );
    assert_eq!(s.log_analytics_requests().len(), 1);
    // 429 with Retry-After then 503: retried to the answer.
    s.set_log_query_count(WORKSPACE, QUERY, 4);
    s.inject(Fault::status(429).retry_after(Duration::from_millis(100)));
    s.inject(Fault::status(503));
    assert_eq!(
        c.log_analytics_value(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        4.0
    );
    let statuses: Vec<u16> = s
        .log_analytics_requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [400, 429, 503, 200]);
    // A wrong secret: Entra's refusal, without the secret.
    let wrong = "wrong-secret-value-42";
    let bad = la_config(&s, &sp(wrong), None);
    let e = c.log_analytics_value(&bad, &none(), AGE).await.unwrap_err();
    assert!(e.to_string().contains("AADSTS7000215"), "{e}");
    assert!(!e.to_string().contains(wrong) && !format!("{e:?}").contains(wrong));
}

#[tokio::test]
async fn workload_identity_needs_log_analytics_reader() {
    let s = AzureStandin::start().await.unwrap();
    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.set_log_query_count(WORKSPACE, QUERY, 2);
    let c = client(&s, common::workload_env(&s, "la-wi"));
    let config = la_config(&s, &[], Some("azure-workload"));
    let e = c
        .log_analytics_value(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::Service { status: 403, .. }), "{e}");
    assert!(e.to_string().contains("Log Analytics Reader"), "{e}");
    s.grant_log_analytics_reader(common::CLIENT);
    assert_eq!(
        c.log_analytics_value(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        2.0
    );
}

#[tokio::test]
async fn a_foreign_endpoint_gets_no_token() {
    let s = AzureStandin::start().await.unwrap();
    let secret = s.add_client_secret(common::TENANT, common::CLIENT);
    let c = client(&s, common::secret_env(&s));
    let config = la_config(
        &s,
        &[
            sp(&secret).as_slice(),
            &[("logAnalyticsResourceURL", "https://logs.attacker.example")],
        ]
        .concat(),
        None,
    );
    let e = c
        .log_analytics_value(&config, &none(), AGE)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e}");
    assert_eq!(s.token_requests(), 0);
    assert!(s.requests().is_empty());
}
