//! The azure-queue reader against the stand-in's Queue service: each auth mode KEDA supports,
//! KEDA's visible-only counting, faults, sharing, and no secret in any error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use scalecore::scalers::azure_queue::{self, AzureQueueConfig};
use scalecore_azure::{IdentityOverrides, ScalerError, ServiceBus};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const ACCOUNT: &str = "contosostore";
const AGE: Duration = Duration::from_secs(30);

fn queue_config(
    metadata: &[(&str, &str)],
    connection: Option<&str>,
    pod_identity: Option<&str>,
) -> AzureQueueConfig {
    common::parse(
        "azure-queue",
        metadata,
        connection,
        pod_identity,
        azure_queue::config,
    )
}

fn client(standin: &AzureStandin) -> ServiceBus {
    let mut options = common::options(standin);
    options.allowed_endpoint_suffixes = vec![standin.queue_endpoint_suffix()];
    ServiceBus::new(options, scalecore_azure::WorkloadIdentityEnv::default()).unwrap()
}

fn none() -> IdentityOverrides {
    IdentityOverrides::default()
}

#[tokio::test]
async fn account_key_counts_all_or_visible_as_keda_does() {
    let s = AzureStandin::start().await.unwrap();
    let conn = s.storage_connection_string(ACCOUNT);
    s.set_storage_queue(ACCOUNT, "orders", 5, 10);
    let c = client(&s);
    let all = queue_config(&[("queueName", "orders")], Some(&conn), None);
    assert_eq!(c.queue_length(&all, &none(), AGE).await.unwrap(), 15);
    let visible = queue_config(
        &[
            ("queueName", "orders"),
            ("queueLengthStrategy", "visibleonly"),
        ],
        Some(&conn),
        None,
    );
    // Fewer than 32 peeked: the peeked count.
    assert_eq!(c.queue_length(&visible, &none(), AGE).await.unwrap(), 5);
    // 32 peeked: the approximate count, invisible messages included.
    s.set_storage_queue(ACCOUNT, "big", 40, 3);
    let big = queue_config(
        &[("queueName", "big"), ("queueLengthStrategy", "visibleonly")],
        Some(&conn),
        None,
    );
    assert_eq!(c.queue_length(&big, &none(), AGE).await.unwrap(), 43);
    let paths: Vec<String> = s
        .storage_requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        paths,
        [
            "/orders?comp=metadata",
            "/orders/messages?peekonly=true&numofmessages=32",
            "/big/messages?peekonly=true&numofmessages=32",
            "/big?comp=metadata",
        ]
    );
    assert!(s
        .storage_requests()
        .iter()
        .all(|r| r.auth == AuthKind::SharedKey && r.status == 200));
}

#[tokio::test]
async fn sas_with_an_explicit_queue_endpoint() {
    let s = AzureStandin::start().await.unwrap();
    s.set_storage_queue(ACCOUNT, "orders", 7, 0);
    let conn = s.storage_sas_connection_string(ACCOUNT, "rl", "2099-01-01T00:00:00Z");
    let c = client(&s);
    let config = queue_config(&[("queueName", "orders")], Some(&conn), None);
    assert_eq!(c.queue_length(&config, &none(), AGE).await.unwrap(), 7);
    assert_eq!(
        s.storage_requests()[0].auth,
        AuthKind::SharedAccessSignature
    );
    // An expired SAS is refused by Storage; the error never carries the signature.
    let expired = s.storage_sas_connection_string(ACCOUNT, "rl", "2001-01-01T00:00:00Z");
    let config = queue_config(&[("queueName", "orders")], Some(&expired), None);
    let e = c.queue_length(&config, &none(), AGE).await.unwrap_err();
    assert!(
        matches!(e, ScalerError::StorageUnauthorized { status: 403, .. }),
        "{e:?}"
    );
    let sig = expired.split("sig=").nth(1).unwrap();
    assert!(!e.to_string().contains(sig), "{e}");
}

#[tokio::test]
async fn workload_identity_uses_the_storage_scope_and_needs_a_role() {
    let s = AzureStandin::start().await.unwrap();
    s.add_client(common::TENANT, common::CLIENT);
    s.set_federated_token(common::SA_TOKEN);
    s.set_storage_queue(ACCOUNT, "orders", 3, 1);
    let mut options = common::options(&s);
    options.allowed_endpoint_suffixes = vec![s.queue_endpoint_suffix()];
    let c = ServiceBus::new(options, common::workload_env(&s, "storage-wi")).unwrap();
    let config = queue_config(
        &[
            ("queueName", "orders"),
            ("accountName", ACCOUNT),
            ("cloud", "Private"),
            ("endpointSuffix", &s.queue_endpoint_suffix()),
        ],
        None,
        Some("azure-workload"),
    );
    // Without a data role the token is valid but not allowed.
    let e = c.queue_length(&config, &none(), AGE).await.unwrap_err();
    assert!(
        e.to_string()
            .contains("403 AuthorizationPermissionMismatch"),
        "{e}"
    );
    s.grant_storage_reader(ACCOUNT, common::CLIENT);
    assert_eq!(
        c.queue_length(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        4
    );
    assert!(s
        .storage_requests()
        .iter()
        .all(|r| r.auth == AuthKind::Bearer));
    assert_eq!(s.token_requests(), 1);
}

#[tokio::test]
async fn faults_are_typed_and_retried_as_documented() {
    let s = AzureStandin::start().await.unwrap();
    let conn = s.storage_connection_string(ACCOUNT);
    s.set_storage_queue(ACCOUNT, "orders", 2, 0);
    let c = client(&s);
    let config = queue_config(&[("queueName", "orders")], Some(&conn), None);
    // 503 ServerBusy with Retry-After: retried after the wait, then the value.
    s.inject(Fault::status(503).retry_after(Duration::from_millis(300)));
    let start = std::time::Instant::now();
    assert_eq!(
        c.queue_length(&config, &none(), Duration::ZERO)
            .await
            .unwrap(),
        2
    );
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(c.stats().retries, 1);
    // A missing queue.
    let missing = queue_config(&[("queueName", "gone")], Some(&conn), None);
    let e = c.queue_length(&missing, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::NotFound(_)), "{e:?}");
    assert!(e.to_string().contains("queue gone doesn't exist"), "{e}");
    // A wrong key: Storage's AuthenticationFailed; the key is nowhere in the message.
    let wrong = conn.replace(
        &s.storage_account_key(ACCOUNT),
        "d3Jvbmcta2V5LXdyb25nLWtleQ==",
    );
    let config = queue_config(&[("queueName", "orders")], Some(&wrong), None);
    let e = c.queue_length(&config, &none(), AGE).await.unwrap_err();
    assert!(e.to_string().contains("403 AuthenticationFailed"), "{e}");
    assert!(!format!("{e} {e:?}").contains("d3Jvbmcta2V5"), "{e}");
    // 401 is not retried.
    s.clear_requests();
    s.inject(Fault::status(401));
    let config = queue_config(&[("queueName", "orders")], Some(&conn), None);
    let e = c
        .queue_length(&config, &none(), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(e, ScalerError::StorageUnauthorized { status: 401, .. }),
        "{e:?}"
    );
    assert_eq!(s.storage_requests().len(), 1);
}

#[tokio::test]
async fn one_request_per_queue_per_interval() {
    let s = AzureStandin::start().await.unwrap();
    let conn = s.storage_connection_string(ACCOUNT);
    s.set_storage_queue(ACCOUNT, "orders", 9, 0);
    let c = client(&s);
    let config = queue_config(&[("queueName", "orders")], Some(&conn), None);
    let overrides = none();
    let polls = (0..20).map(|_| c.queue_length(&config, &overrides, AGE));
    for r in futures::future::join_all(polls).await {
        assert_eq!(r.unwrap(), 9);
    }
    assert_eq!(s.storage_requests().len(), 1);
}

#[tokio::test]
async fn endpoints_outside_the_allowed_suffixes_get_no_credential() {
    let s = AzureStandin::start().await.unwrap();
    let c = client(&s);
    let conn = "DefaultEndpointsProtocol=https;AccountName=evil;AccountKey=c2VjcmV0LWtleQ==;EndpointSuffix=attacker.example";
    let config = queue_config(&[("queueName", "orders")], Some(conn), None);
    let e = c.queue_length(&config, &none(), AGE).await.unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e:?}");
    assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
    // An explicit QueueEndpoint (with a key or a SAS) is held to the same suffixes.
    for conn in [
        "QueueEndpoint=https://orders.attacker.example/;AccountName=evil;AccountKey=c2VjcmV0LWtleQ==",
        "QueueEndpoint=https://orders.attacker.example/;SharedAccessSignature=sv=2022&sig=c2VjcmV0",
    ] {
        let config = queue_config(&[("queueName", "orders")], Some(conn), None);
        let e = c.queue_length(&config, &none(), AGE).await.unwrap_err();
        assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e:?}");
        assert!(!e.to_string().contains("c2VjcmV0"), "{e}");
    }
    assert!(s.requests().is_empty());
    assert!(s.storage_requests().is_empty());
}
