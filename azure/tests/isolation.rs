//! A request waiting out a Retry-After holds nothing other requests need: the process-wide
//! cap on requests in flight counts requests on the wire, not requests asleep.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::{Duration, Instant};

use common::{config, options};
use scalecore_azure::{Auth, ClientOptions, ServiceBus, WorkloadIdentityEnv};
use scalecore_standin_azure::{AzureStandin, Fault};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retry_wait_holds_no_request_permit() {
    let standin = AzureStandin::start().await.unwrap();
    standin.set_queue("ns", "throttled", 1);
    standin.set_queue("ns", "healthy", 2);
    // The first request is told to come back in 3 s.
    standin.inject(Fault::status(503).retry_after(Duration::from_secs(3)));
    let bus = ServiceBus::new(
        ClientOptions {
            max_concurrent_requests: 1,
            ..options(&standin)
        },
        WorkloadIdentityEnv::default(),
    )
    .unwrap();
    let cs = standin.connection_string("ns");
    let throttled = config(&[("queueName", "throttled")], Some(&cs), None);
    let healthy = config(&[("queueName", "healthy")], Some(&cs), None);
    let waiting = {
        let bus = bus.clone();
        tokio::spawn(async move {
            bus.active_message_count(
                &throttled,
                &Auth::connection_string(&throttled),
                Duration::ZERO,
            )
            .await
        })
    };
    let start = Instant::now();
    while standin.service_bus_requests().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let asked = Instant::now();
    let n = bus
        .active_message_count(&healthy, &Auth::connection_string(&healthy), Duration::ZERO)
        .await
        .unwrap();
    assert_eq!(n, 2);
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "{:?}",
        asked.elapsed()
    );
    assert_eq!(waiting.await.unwrap().unwrap(), 1);
}
