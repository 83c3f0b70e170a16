//! No connection string, SAS key, signature, assertion or access token appears in any error's
//! Display or Debug output, nor in the Debug output of the public types.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{config, options, workload_config, workload_env, CLIENT, SA_TOKEN, TENANT};
use scalecore_azure::{Auth, ScalerError, Secret, ServiceBus};
use scalecore_standin_azure::{AzureStandin, Fault};

const NO_CACHE: Duration = Duration::ZERO;

fn key_of(connection_string: &str) -> String {
    connection_string
        .split(';')
        .find_map(|p| p.strip_prefix("SharedAccessKey="))
        .unwrap()
        .to_owned()
}

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!text.contains(s), "{what} leaks a secret: {text}");
    }
    assert!(
        !text.contains("standin-at-"),
        "{what} leaks an access token: {text}"
    );
    assert!(!text.contains("sig="), "{what} leaks a signature: {text}");
}

#[tokio::test]
async fn no_secret_in_any_error() {
    let standin = AzureStandin::start().await.unwrap();
    standin.add_client(TENANT, CLIENT);
    standin.set_queue("ns", "jobs", 1);
    let good = standin.connection_string("ns");
    let weak = standin.listen_only_connection_string("ns");
    let good_key = key_of(&good);
    let weak_key = key_of(&weak);
    let secrets = [
        good.as_str(),
        weak.as_str(),
        good_key.as_str(),
        weak_key.as_str(),
        SA_TOKEN,
    ];

    let mut opts = options(&standin);
    // A closed port under the stand-in's suffix, for a transport error.
    opts.allowed_endpoint_suffixes
        .push("servicebus.localhost:1".to_owned());
    let bus = ServiceBus::new(opts, workload_env(&standin, "secrets")).unwrap();
    let mut errors: Vec<ScalerError> = Vec::new();
    let poll = |cs: String| {
        let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
        let bus = bus.clone();
        async move {
            let auth = Auth::connection_string(&cfg);
            assert_clean("Auth", &format!("{auth:?}"), &[&cs]);
            bus.active_message_count(&cfg, &auth, NO_CACHE).await
        }
    };
    // Malformed strings that carry a key.
    for cs in [
        format!("Endpoint=sb://ns/;SharedAccessKey={good_key};garbage"),
        format!("SharedAccessKeyName=k;SharedAccessKey={good_key}"),
        format!(
            "Endpoint=ns.servicebus.windows.net;SharedAccessKeyName=k;SharedAccessKey={good_key}"
        ),
        format!("Endpoint=sb://ns/;SharedAccessKey={good_key}"),
    ] {
        errors.push(poll(cs).await.unwrap_err());
    }
    // Refused by the service: no Manage rights, forged key, a fixed signature that is wrong.
    errors.push(poll(weak.clone()).await.unwrap_err());
    errors.push(poll(good.replace(&good_key, &weak_key)).await.unwrap_err());
    errors.push(
        poll(format!(
            "Endpoint=sb://{}/;SharedAccessSignature=SharedAccessSignature sr=x&sig={good_key}&se=1&skn=RootManageSharedAccessKey",
            standin.host("ns")
        ))
        .await
        .unwrap_err(),
    );
    // Faults while a signature is in use.
    standin.inject(Fault::status(500).times(4));
    errors.push(poll(good.clone()).await.unwrap_err());
    standin.inject(Fault::status(403));
    errors.push(poll(good.clone()).await.unwrap_err());
    // Nothing listening.
    let closed = good.replace(&standin.port().to_string(), "1");
    errors.push(poll(closed).await.unwrap_err());

    // Workload identity: unknown client, wrong assertion, expired token refused by the service.
    let cfg = workload_config(&standin, "ns", "jobs");
    errors.push(
        bus.active_message_count(
            &cfg,
            &Auth::workload(&cfg, Some("nobody"), None, None),
            NO_CACHE,
        )
        .await
        .unwrap_err(),
    );
    standin.set_federated_token("something-else");
    errors.push(
        bus.active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
            .await
            .unwrap_err(),
    );
    standin.set_federated_token(SA_TOKEN);
    standin.set_token_lifetime(Duration::ZERO);
    errors.push(
        bus.active_message_count(&cfg, &Auth::workload(&cfg, None, None, None), NO_CACHE)
            .await
            .unwrap_err(),
    );

    assert_eq!(errors.len(), 13);
    let kinds: Vec<String> = errors
        .iter()
        .map(|e| {
            format!("{e:?}")
                .split(['(', ' '])
                .next()
                .unwrap()
                .to_owned()
        })
        .collect();
    for needed in [
        "InvalidConnectionString",
        "Unauthorized",
        "Server",
        "Forbidden",
        "Transport",
        "Token",
    ] {
        assert!(
            kinds.iter().any(|k| k == needed),
            "no {needed} error in {kinds:?}"
        );
    }
    for e in &errors {
        assert_clean("Display", &e.to_string(), &secrets);
        assert_clean("Debug", &format!("{e:?}"), &secrets);
    }
    assert_clean(
        "ServiceBus",
        &format!("{bus:?} {:?}", bus.stats()),
        &secrets,
    );
    assert_eq!(format!("{:?}", Secret::new(good.clone())), "<redacted>");
}
