//! Workload identity against the stand-in's Entra token endpoint, with a Private-cloud
//! `endpointSuffix` that reaches it through `*.localhost` resolution.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{options, workload_config, workload_env, CLIENT, SA_TOKEN, TENANT};
use scalecore_azure::{Auth, ClientOptions, ScalerError, ServiceBus, WorkloadIdentityEnv};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const NO_CACHE: Duration = Duration::ZERO;

async fn standin() -> AzureStandin {
    let standin = AzureStandin::start().await.unwrap();
    standin.add_client(TENANT, CLIENT);
    standin.set_federated_token(SA_TOKEN);
    standin.set_queue("orders", "jobs", 4);
    standin
}

#[tokio::test]
async fn token_is_requested_once_and_sent_as_bearer() {
    let standin = standin().await;
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "bearer")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    assert_eq!(cfg.fully_qualified_namespace, standin.host("orders"));
    let auth = Auth::workload(&cfg, None, None, None);
    for _ in 0..3 {
        assert_eq!(
            bus.active_message_count(&cfg, &auth, NO_CACHE)
                .await
                .unwrap(),
            4
        );
    }
    assert_eq!(standin.token_requests(), 1);
    assert_eq!(bus.stats().token_requests, 1);
    let token_call = &standin.requests()[0];
    assert_eq!(token_call.method, "POST");
    assert_eq!(token_call.path, format!("/{TENANT}/oauth2/v2.0/token"));
    let sb = standin.service_bus_requests();
    assert_eq!(sb.len(), 3);
    assert!(sb
        .iter()
        .all(|r| r.auth == AuthKind::Bearer && r.status == 200));
}

#[tokio::test]
async fn short_lived_token_is_refreshed() {
    let standin = standin().await;
    standin.set_token_lifetime(Duration::from_secs(1));
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "refresh")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let auth = Auth::workload(&cfg, None, None, None);
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    assert_eq!(standin.token_requests(), 1);
    // Past the refresh point (half of a short lifetime) and past expiry at the stand-in.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    assert_eq!(standin.token_requests(), 2);
    assert!(standin
        .service_bus_requests()
        .iter()
        .all(|r| r.status == 200));
}

#[tokio::test]
async fn unknown_client_id_gets_an_actionable_700016() {
    let standin = standin().await;
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "700016")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    // identityId from the TriggerAuthentication overrides AZURE_CLIENT_ID.
    let auth = Auth::workload(
        &cfg,
        Some("00000000-dead-beef-0000-000000000000"),
        None,
        None,
    );
    let err = bus
        .active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap_err();
    match &err {
        ScalerError::Token { code, hint } => {
            assert_eq!(code, "AADSTS700016");
            assert!(
                hint.contains(
                    "client id 00000000-dead-beef-0000-000000000000 was not found in tenant"
                ),
                "{hint}"
            );
            assert!(hint.contains("identityId"), "{hint}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("workload identity token request failed (AADSTS700016)"));
    assert_eq!(
        standin.token_requests(),
        1,
        "a 400 from Entra is not retried"
    );
    assert!(standin.service_bus_requests().is_empty());
}

#[tokio::test]
async fn unfederated_assertion_gets_70021() {
    let standin = standin().await;
    standin.set_federated_token("a-different-service-account-token");
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "70021")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let err = bus
        .active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::Token { ref code, ref hint } if code == "AADSTS70021" && hint.contains("federate")),
        "{err:?}"
    );
}

#[tokio::test]
async fn tenant_and_client_overrides_win_a_foreign_authority_does_not() {
    let standin = standin().await;
    standin.add_client("other-tenant", "other-client");
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "overrides")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    // identityId and identityTenantId win over the env; an authority host that is neither
    // Entra's nor AZURE_AUTHORITY_HOST is ignored.
    let auth = Auth::workload(
        &cfg,
        Some("other-client"),
        Some("other-tenant"),
        Some("https://login.invalid/"),
    );
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    assert_eq!(
        standin.requests()[0].path,
        "/other-tenant/oauth2/v2.0/token"
    );
}

#[tokio::test]
async fn entra_outage_is_retried() {
    let standin = standin().await;
    standin.inject(Fault::status(503).on_token_endpoint().times(2));
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "outage")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let auth = Auth::workload(&cfg, None, None, None);
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    assert_eq!(standin.token_requests(), 3);
}

#[tokio::test]
async fn missing_environment_names_the_variable() {
    let standin = standin().await;
    let bus = ServiceBus::new(options(&standin), WorkloadIdentityEnv::default()).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let err = bus
        .active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::WorkloadIdentityNotConfigured(ref v) if v.starts_with("AZURE_CLIENT_ID")),
        "{err:?}"
    );
    let mut env = workload_env(&standin, "missing-file");
    env.federated_token_file = Some("/nonexistent/azure-identity-token".into());
    let bus = ServiceBus::new(options(&standin), env).unwrap();
    let err = bus
        .active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::FederatedTokenFile { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let standin = standin().await;
    let mut opts = options(&standin);
    // Another stand-in's CA does not vouch for this one.
    let other = AzureStandin::start().await.unwrap();
    opts.extra_root_certs_pem = vec![other.ca_pem()];
    let bus = ServiceBus::new(opts, workload_env(&standin, "untrusted")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let err = bus
        .active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
        .await
        .unwrap_err();
    assert!(matches!(err, ScalerError::Transport { .. }), "{err:?}");
    assert!(
        err.to_string().contains("invalid peer certificate"),
        "{err}"
    );
    assert_eq!(standin.token_requests(), 0);
}

#[tokio::test]
async fn a_refused_token_is_replaced_on_the_next_poll() {
    let standin = standin().await;
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "revoked")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let auth = Auth::workload(&cfg, None, None, None);
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    standin.revoke_tokens();
    let err = bus
        .active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    assert_eq!(standin.token_requests(), 2);
}

#[tokio::test]
async fn concurrent_polls_share_one_token_request() {
    let standin = standin().await;
    for i in 0..8 {
        standin.set_queue("orders", &format!("q{i}"), i);
    }
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "shared-token")).unwrap();
    let polls = (0..8).map(|i| {
        let bus = bus.clone();
        let cfg = workload_config(&standin, "orders", &format!("q{i}"));
        tokio::spawn(async move {
            let auth = Auth::workload(&cfg, None, None, None);
            bus.active_message_count(&cfg, &auth, NO_CACHE).await
        })
    });
    let counts: Vec<i64> = futures::future::join_all(polls)
        .await
        .into_iter()
        .map(|r| r.unwrap().unwrap())
        .collect();
    assert_eq!(counts, (0..8).collect::<Vec<i64>>());
    assert_eq!(standin.token_requests(), 1);
    assert_eq!(standin.service_bus_requests().len(), 8);
}

#[tokio::test]
async fn entra_down_costs_one_round_of_retries() {
    let standin = standin().await;
    standin.inject(Fault::status(503).on_token_endpoint().times(10));
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "down")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let err = bus
        .active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
        .await
        .unwrap_err();
    assert!(matches!(err, ScalerError::Token { .. }), "{err:?}");
    assert_eq!(
        standin.token_requests(),
        4,
        "1 attempt + 3 retries, not retried again outside"
    );
    assert!(standin.service_bus_requests().is_empty());
}

/// A TriggerAuthentication's `identityAuthorityHost` is a tenant's choice: the federated
/// assertion must not follow it anywhere but Entra or AZURE_AUTHORITY_HOST.
#[tokio::test]
async fn a_foreign_authority_host_never_receives_the_assertion() {
    let standin = standin().await;
    let collector = AzureStandin::start().await.unwrap();
    // Trusted and accepting any assertion: only the client's refusal keeps it from arriving.
    collector.add_client(TENANT, CLIENT);
    let mut opts = options(&standin);
    opts.extra_root_certs_pem.push(collector.ca_pem());
    let bus = ServiceBus::new(opts, workload_env(&standin, "foreign-authority")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    for foreign in [
        collector.authority_host(),
        format!("https://localhost:{}/", collector.port()),
        format!(
            "https://login.microsoftonline.com.localhost:{}/",
            collector.port()
        ),
    ] {
        let auth = Auth::workload(&cfg, None, None, Some(&foreign));
        assert_eq!(
            bus.active_message_count(&cfg, &auth, NO_CACHE)
                .await
                .unwrap(),
            4,
            "{foreign}"
        );
    }
    assert!(
        collector.requests().is_empty(),
        "{:?}",
        collector.requests()
    );
    // The process's own authority served them all, with one token.
    assert_eq!(standin.token_requests(), 1);
}

#[tokio::test]
async fn the_env_authority_host_may_be_named_in_a_trigger_authentication() {
    let standin = standin().await;
    let bus = ServiceBus::new(options(&standin), workload_env(&standin, "env-authority")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    // The same authority spelled without the trailing slash.
    let same = standin.authority_host().trim_end_matches('/').to_owned();
    let auth = Auth::workload(&cfg, None, None, Some(&same));
    assert_eq!(
        bus.active_message_count(&cfg, &auth, NO_CACHE)
            .await
            .unwrap(),
        4
    );
    assert_eq!(standin.token_requests(), 1);
}

/// Tokens of identities no longer polled are forgotten: the next poll asks Entra again.
#[tokio::test]
async fn unused_tokens_are_forgotten() {
    let standin = standin().await;
    let opts = ClientOptions {
        forget_unused_after: Duration::from_millis(300),
        ..options(&standin)
    };
    let bus = ServiceBus::new(opts, workload_env(&standin, "forget")).unwrap();
    let cfg = workload_config(&standin, "orders", "jobs");
    let auth = Auth::workload(&cfg, None, None, None);
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    assert_eq!(standin.token_requests(), 1);
    tokio::time::sleep(Duration::from_millis(450)).await;
    // Another identity's first poll prunes what went unused.
    let other = Auth::workload(&cfg, Some(CLIENT), Some("other-tenant"), None);
    let _ = bus.active_message_count(&cfg, &other, NO_CACHE).await;
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    assert_eq!(standin.token_requests(), 3);
}
