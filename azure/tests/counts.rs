//! Counts read over real HTTPS from the stand-in with a connection string (SAS).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{client, config};
use scalecore_azure::{Auth, ScalerError};
use scalecore_standin_azure::{AuthKind, AzureStandin, Fault};

const NO_CACHE: Duration = Duration::ZERO;

#[tokio::test]
async fn queue_active_message_count() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("orders", "jobs", 7);
    let cs = standin.connection_string("orders");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let bus = client(&standin);
    let n = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 7);
    let reqs = standin.service_bus_requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].host, standin.host("orders"));
    assert_eq!(reqs[0].path, "/jobs?api-version=2021-05");
    assert_eq!(reqs[0].auth, AuthKind::SharedAccessSignature);
    assert_eq!(reqs[0].status, 200);
    // The count changes between polls.
    standin.set_queue("orders", "jobs", 0);
    let n = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn subscription_active_message_count() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_subscription("events", "orders", "billing", 12);
    standin.set_subscription("events", "orders", "audit", 99);
    let cs = standin.connection_string("events");
    let cfg = config(
        &[("topicName", "orders"), ("subscriptionName", "billing")],
        Some(&cs),
        None,
    );
    let n = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 12);
    assert_eq!(
        standin.service_bus_requests()[0].path,
        "/orders/Subscriptions/billing?api-version=2021-05"
    );
}

#[tokio::test]
async fn regex_over_250_queues_pages_and_aggregates() {
    let standin = AzureStandin::start().await.unwrap();
    for i in 0..250 {
        standin.set_queue("big", &format!("work-{i:03}"), i);
    }
    standin.set_queue("big", "other", 1000);
    standin.set_queue("big", "xwork-001", 1000); // whole-name match: not counted
    let cs = standin.connection_string("big");
    let bus = client(&standin);
    let mut answers = Vec::new();
    for operation in ["sum", "max", "avg"] {
        let cfg = config(
            &[
                ("queueName", "work-.*"),
                ("useRegex", "true"),
                ("operation", operation),
            ],
            Some(&cs),
            None,
        );
        answers.push(
            bus.active_message_count(
                &cfg,
                &Auth::connection_string(&cfg),
                Duration::from_secs(30),
            )
            .await
            .unwrap(),
        );
    }
    // sum 0..250 = 31125; max 249; avg 31125/250 = 124 (integer division).
    assert_eq!(answers, vec![31125, 249, 124]);
    let paths: Vec<String> = standin
        .service_bus_requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    // 252 queues: pages of 100, 100, 52; the short page ends it. One listing serves all three.
    assert_eq!(
        paths,
        vec![
            "/$Resources/Queues?$skip=0&$top=100&api-version=2021-05",
            "/$Resources/Queues?$skip=100&$top=100&api-version=2021-05",
            "/$Resources/Queues?$skip=200&$top=100&api-version=2021-05",
        ]
    );
    assert_eq!(bus.stats().cache_hits, 2);
}

#[tokio::test]
async fn regex_over_subscriptions() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_subscription("ev", "orders", "eu-1", 4);
    standin.set_subscription("ev", "orders", "eu-2", 6);
    standin.set_subscription("ev", "orders", "us-1", 50);
    let cs = standin.connection_string("ev");
    let cfg = config(
        &[
            ("topicName", "orders"),
            ("subscriptionName", "eu-.*"),
            ("useRegex", "true"),
            ("operation", "max"),
        ],
        Some(&cs),
        None,
    );
    let bus = client(&standin);
    let n = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 6);
    // No match and a missing topic both give 0, as in KEDA.
    let none = config(
        &[
            ("topicName", "nothing"),
            ("subscriptionName", ".*"),
            ("useRegex", "true"),
        ],
        Some(&cs),
        None,
    );
    let n = bus
        .active_message_count(&none, &Auth::connection_string(&none), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 0);
}

#[tokio::test]
async fn not_found_as_keda_words_it() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "present", 1);
    standin.set_subscription("ns", "orders", "billing", 1);
    let cs = standin.connection_string("ns");
    let bus = client(&standin);
    let queue = config(&[("queueName", "missing")], Some(&cs), None);
    let err = bus
        .active_message_count(&queue, &Auth::connection_string(&queue), NO_CACHE)
        .await
        .unwrap_err();
    assert_eq!(
        err,
        ScalerError::NotFound("queue missing doesn't exist".to_owned())
    );
    let sub = config(
        &[("topicName", "orders"), ("subscriptionName", "gone")],
        Some(&cs),
        None,
    );
    let err = bus
        .active_message_count(&sub, &Auth::connection_string(&sub), NO_CACHE)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "subscription gone doesn't exist in topic orders"
    );
    // A real 404 means the same, and is not retried.
    standin.clear_requests();
    standin.inject(Fault::status(404));
    let present = config(&[("queueName", "present")], Some(&cs), None);
    let err = bus
        .active_message_count(&present, &Auth::connection_string(&present), NO_CACHE)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "queue present doesn't exist");
    assert_eq!(standin.service_bus_requests().len(), 1);
    // Removing a queue makes it not found.
    standin.remove_queue("ns", "present");
    assert!(matches!(
        bus.active_message_count(&present, &Auth::connection_string(&present), NO_CACHE)
            .await,
        Err(ScalerError::NotFound(_))
    ));
}

#[tokio::test]
async fn unauthorized_carries_the_service_detail() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 1);
    let cs = standin.listen_only_connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    match &err {
        ScalerError::Unauthorized { status, detail } => {
            assert_eq!(*status, 401);
            assert!(
                detail.starts_with(
                    "Manage,EntityRead claims required for this operation. TrackingId:"
                ),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("Manage rights"), "{err}");
    assert_eq!(
        standin.service_bus_requests().len(),
        1,
        "401 is not retried"
    );
    // A key that does not verify is refused too.
    let forged = standin
        .connection_string("ns")
        .replace("SharedAccessKey=", "SharedAccessKey=x");
    let cfg = config(&[("queueName", "jobs")], Some(&forged), None);
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::Unauthorized { ref detail, .. } if detail.starts_with("InvalidSignature")),
        "{err:?}"
    );
}

#[tokio::test]
async fn throttled_then_success_honours_retry_after() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 5);
    standin.inject(Fault::status(429).retry_after(Duration::from_secs(1)));
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let bus = client(&standin);
    let started = Instant::now();
    let n = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 5);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    let statuses: Vec<u16> = standin
        .service_bus_requests()
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![429, 200]);
    assert_eq!(bus.stats().retries, 1);
}

#[tokio::test]
async fn retry_after_ms_is_honoured() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 5);
    standin.inject(Fault::status(503).retry_after(Duration::from_millis(300)));
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let started = Instant::now();
    let n = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 5);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn server_errors_give_up_after_the_retries() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 5);
    standin.inject(Fault::status(500).times(4));
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let bus = client(&standin);
    let err = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(
        standin.service_bus_requests().len(),
        4,
        "1 attempt + 3 retries"
    );
    // The fault is used up: the next poll succeeds.
    assert_eq!(
        bus.active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
            .await
            .unwrap(),
        5
    );
}

#[tokio::test]
async fn slow_answer_times_out() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 5);
    standin.inject(Fault::delay(Duration::from_millis(1500)));
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let mut options = common::options(&standin);
    options.timeout = Duration::from_millis(300);
    options.retries = 0;
    let bus = scalecore_azure::ServiceBus::new(options, Default::default()).unwrap();
    let started = Instant::now();
    let err = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ScalerError::Timeout {
                timeout_ms: 300,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_millis(1200));
    assert!(err.to_string().contains("within 300 ms"), "{err}");
}

#[tokio::test]
async fn missing_count_details_is_an_error_not_zero() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 5);
    standin.inject(Fault::missing_count_details());
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid queue runtime properties: no CountDetails element"
    );
}

#[tokio::test]
async fn a_topic_asked_for_as_a_queue_is_an_error() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_subscription("ns", "orders", "billing", 3);
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "orders")], Some(&cs), None);
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "orders is a topic, not a queue");
}

#[tokio::test]
async fn ten_concurrent_polls_of_one_queue_cost_one_request() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 9);
    // Slow enough that all ten overlap.
    standin.inject(Fault::delay(Duration::from_millis(200)));
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let auth = Auth::connection_string(&cfg);
    let bus = client(&standin);
    let calls = (0..10).map(|_| {
        let bus = bus.clone();
        let cfg = cfg.clone();
        let auth = auth.clone();
        tokio::spawn(async move { bus.active_message_count(&cfg, &auth, NO_CACHE).await })
    });
    for r in futures::future::join_all(calls).await {
        assert_eq!(r.unwrap().unwrap(), 9);
    }
    assert_eq!(standin.service_bus_requests().len(), 1);
    let stats = bus.stats();
    assert_eq!(stats.coalesced, 9);
    assert_eq!(stats.total_requests(), 1);
    assert_eq!(
        stats.requests.get(&format!("{}/jobs", standin.host("ns"))),
        Some(&1)
    );
    // Within max_age the result is reused; with max_age zero it is fetched again.
    bus.active_message_count(&cfg, &auth, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(standin.service_bus_requests().len(), 1);
    bus.active_message_count(&cfg, &auth, NO_CACHE)
        .await
        .unwrap();
    assert_eq!(standin.service_bus_requests().len(), 2);
}

#[tokio::test]
async fn different_credentials_do_not_share_results() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 9);
    let good = standin.connection_string("ns");
    let weak = standin.listen_only_connection_string("ns");
    let bus = client(&standin);
    let cfg = config(&[("queueName", "jobs")], Some(&good), None);
    assert_eq!(
        bus.active_message_count(
            &cfg,
            &Auth::connection_string(&cfg),
            Duration::from_secs(60)
        )
        .await
        .unwrap(),
        9
    );
    let cfg = config(&[("queueName", "jobs")], Some(&weak), None);
    assert!(bus
        .active_message_count(
            &cfg,
            &Auth::connection_string(&cfg),
            Duration::from_secs(60)
        )
        .await
        .is_err());
}

#[tokio::test]
async fn regex_match_without_count_details_is_an_error() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "work-1", 1);
    standin.inject(Fault::missing_count_details());
    let cs = standin.connection_string("ns");
    let cfg = config(
        &[("queueName", "work-.*"), ("useRegex", "true")],
        Some(&cs),
        None,
    );
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ScalerError::MissingCountDetails { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_fixed_signature_is_sent_verbatim() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 2);
    // A signature made elsewhere (here: by the client's signer, as a user would paste it).
    let cs = standin.connection_string("ns");
    let key = cs
        .split(';')
        .find_map(|p| p.strip_prefix("SharedAccessKey="))
        .unwrap();
    let se = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    let signature = scalecore_azure::sas::sign(
        &format!("https://{}/", standin.host("ns")),
        "RootManageSharedAccessKey",
        &scalecore_azure::Secret::new(key),
        se,
    );
    let fixed = format!(
        "Endpoint=sb://{}/;SharedAccessSignature={}",
        standin.host("ns"),
        signature.expose()
    );
    let cfg = config(&[("queueName", "jobs")], Some(&fixed), None);
    let n = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn after_shutdown_the_namespace_is_unreachable() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "jobs", 2);
    let cs = standin.connection_string("ns");
    let cfg = config(&[("queueName", "jobs")], Some(&cs), None);
    let bus = client(&standin);
    assert_eq!(
        bus.active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
            .await
            .unwrap(),
        2
    );
    standin.shutdown();
    tokio::time::sleep(Duration::from_millis(50)).await;
    // A fresh client: no pooled connection to reuse.
    let err = client(&standin)
        .active_message_count(&cfg, &Auth::connection_string(&cfg), NO_CACHE)
        .await
        .unwrap_err();
    assert!(matches!(err, ScalerError::Transport { .. }), "{err:?}");
}

/// A listing is read page by page and only the matches' counts are kept, so what one poll may
/// hold is one page: a page beyond the cap is refused, not buffered.
#[tokio::test]
async fn an_oversized_listing_page_is_refused() {
    let standin = AzureStandin::start().await.unwrap();
    for i in 0..100 {
        standin.set_queue("bloat", &format!("work-{i:03}"), 1);
    }
    // 100 entries of 30 KB: a 3 MB page, under the 8 MiB a single answer may take.
    standin.set_entry_padding(30 * 1024);
    let cs = standin.connection_string("bloat");
    let bus = client(&standin);
    let cfg = config(
        &[("queueName", "work-.*"), ("useRegex", "true")],
        Some(&cs),
        None,
    );
    let e = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await
        .unwrap_err();
    match &e {
        ScalerError::TooLarge { limit, .. } => assert_eq!(*limit, 2 * 1024 * 1024),
        other => panic!("unexpected {other:?}"),
    }
    // Entities of ordinary size still page through with padding of a real namespace's size.
    standin.set_entry_padding(1024);
    assert_eq!(
        bus.active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
            .await
            .unwrap(),
        100
    );
}

#[tokio::test]
async fn a_listing_longer_than_the_cap_stops_paging() {
    let standin = AzureStandin::start().await.unwrap();
    for i in 0..20_150 {
        standin.set_queue("huge", &format!("q{i:05}"), 1);
    }
    let cs = standin.connection_string("huge");
    let bus = client(&standin);
    let cfg = config(
        &[("queueName", "q.*"), ("useRegex", "true")],
        Some(&cs),
        None,
    );
    let e = bus
        .active_message_count(&cfg, &Auth::connection_string(&cfg), Duration::ZERO)
        .await
        .unwrap_err();
    assert_eq!(e, ScalerError::TooManyEntities { limit: 20_000 });
    assert!(e.to_string().contains("more than 20000 entities"), "{e}");
    // 200 full pages hold the 20 000 allowed; the 201st goes over and ends the poll.
    assert_eq!(standin.service_bus_requests().len(), 201);
}

#[tokio::test]
async fn listings_with_different_patterns_are_separate_results() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "eu-1", 3);
    standin.set_queue("ns", "eu-2", 4);
    standin.set_queue("ns", "us-1", 10);
    let cs = standin.connection_string("ns");
    let bus = client(&standin);
    let mut got = Vec::new();
    for pattern in ["eu-.*", "us-.*", ".*"] {
        let cfg = config(
            &[("queueName", pattern), ("useRegex", "true")],
            Some(&cs),
            None,
        );
        got.push(
            bus.active_message_count(
                &cfg,
                &Auth::connection_string(&cfg),
                Duration::from_secs(60),
            )
            .await
            .unwrap(),
        );
    }
    assert_eq!(got, vec![7, 10, 17]);
}
