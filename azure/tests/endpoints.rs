//! Credentials leave only for allowed endpoint suffixes, and `*.localhost` is loopback only
//! when the user asks for it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{config, options, workload_config, workload_env, CLIENT, SA_TOKEN, TENANT};
use scalecore_azure::{Auth, ClientOptions, ScalerError, ServiceBus, WorkloadIdentityEnv};
use scalecore_standin_azure::AzureStandin;

async fn standin() -> AzureStandin {
    let standin = AzureStandin::start().await.unwrap();
    standin.add_client(TENANT, CLIENT);
    standin.set_federated_token(SA_TOKEN);
    standin.set_queue("orders", "jobs", 4);
    standin
}

/// The stand-in's CA and loopback resolution, but the default (public cloud) suffixes.
fn public_suffixes_only(standin: &AzureStandin) -> ClientOptions {
    ClientOptions {
        allowed_endpoint_suffixes: ClientOptions::default().allowed_endpoint_suffixes,
        ..options(standin)
    }
}

#[tokio::test]
async fn no_token_is_requested_or_sent_for_a_suffix_outside_the_list() {
    let standin = standin().await;
    let bus = ServiceBus::new(
        public_suffixes_only(&standin),
        workload_env(&standin, "suffix-refused"),
    )
    .unwrap();
    // cloud: Private with the stand-in's endpointSuffix: a tenant's choice of host.
    let cfg = workload_config(&standin, "orders", "jobs");
    let e = bus
        .active_message_count(
            &cfg,
            &Auth::workload(&cfg, None, None, None),
            Duration::ZERO,
        )
        .await
        .unwrap_err();
    match &e {
        ScalerError::EndpointNotAllowed { host, allowed } => {
            assert_eq!(host, &standin.host("orders"));
            assert!(allowed.contains("servicebus.windows.net"), "{allowed}");
        }
        other => panic!("unexpected {other:?}"),
    }
    // Neither Entra (the assertion) nor the namespace (the token) was contacted.
    assert!(standin.requests().is_empty(), "{:?}", standin.requests());
    assert_eq!(bus.stats().token_requests, 0);

    // Allowing the suffix is all it takes.
    let allowed = ServiceBus::new(options(&standin), workload_env(&standin, "suffix-ok")).unwrap();
    assert_eq!(
        allowed
            .active_message_count(
                &cfg,
                &Auth::workload(&cfg, None, None, None),
                Duration::ZERO
            )
            .await
            .unwrap(),
        4
    );
}

#[tokio::test]
async fn no_signature_is_sent_to_a_connection_string_endpoint_outside_the_list() {
    let (standin, elsewhere) = (standin().await, standin().await);
    // Trusted, resolvable and listening: only the allowlist stands in the way.
    let mut opts = options(&standin);
    opts.extra_root_certs_pem.push(elsewhere.ca_pem());
    let bus = ServiceBus::new(opts, WorkloadIdentityEnv::default()).unwrap();
    // Same suffix, another port.
    let cs = elsewhere.connection_string("orders");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let e = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, ScalerError::EndpointNotAllowed { host, .. } if host == &elsewhere.host("orders")),
        "{e:?}"
    );
    assert!(!e.to_string().contains("SharedAccessKey"), "{e}");
    assert!(elsewhere.requests().is_empty());
    // An IP literal is under no suffix either.
    let ip = cs.replace(
        &elsewhere.host("orders"),
        &format!("127.0.0.1:{}", elsewhere.port()),
    );
    let cfg = config(&[("queueName", "jobs")], Some(&ip), None);
    let e = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await
        .unwrap_err();
    assert!(matches!(e, ScalerError::EndpointNotAllowed { .. }), "{e:?}");
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn an_invalid_suffix_is_refused_at_setup() {
    let standin = standin().await;
    let opts = ClientOptions {
        allowed_endpoint_suffixes: vec![String::new()],
        ..options(&standin)
    };
    let e = ServiceBus::new(opts, WorkloadIdentityEnv::default()).unwrap_err();
    assert!(e.to_string().contains("allowed endpoint suffix"), "{e}");
}

/// By default names under `.localhost` go to the system resolver like any other: the client
/// reaches the stand-in through `<ns>.servicebus.localhost` exactly when the system resolves it.
#[tokio::test]
async fn default_options_do_not_resolve_localhost_specially() {
    let standin = standin().await;
    let opts = ClientOptions {
        resolve_localhost_to_loopback: false,
        retries: 0,
        ..options(&standin)
    };
    let bus = ServiceBus::new(opts, WorkloadIdentityEnv::default()).unwrap();
    let cs = standin.connection_string("orders");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let result = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await;
    let host = standin.host("orders");
    let name = host.rsplit_once(':').unwrap().0;
    let system_resolves = tokio::net::lookup_host((name, 0))
        .await
        .is_ok_and(|mut a| a.any(|a| a.ip().is_loopback()));
    if system_resolves {
        assert_eq!(result.unwrap(), 4);
    } else {
        assert!(
            matches!(&result, Err(ScalerError::Transport { .. })),
            "{result:?}"
        );
        assert!(standin.requests().is_empty());
    }
    assert!(!ClientOptions::default().resolve_localhost_to_loopback);
}
