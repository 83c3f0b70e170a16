//! `kube-lease-manager`, unmodified, elects exactly one of two candidates against the stand-in,
//! and hands over when the leader lets go. It depends on server-side apply conflicts between
//! field managers to break ties.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use kube_lease_manager::LeaseManagerBuilder;
use scalecore_standin_kube::KubeStandin;
use tokio::sync::watch::Receiver;

async fn wait_for(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn leader(rx: &Receiver<bool>) -> bool {
    *rx.borrow()
}

#[tokio::test]
async fn one_of_two_managers_leads_and_hands_over_on_release() {
    let standin = KubeStandin::start().await.unwrap();
    let client = common::client(&standin).await;
    let build = |identity: &str| {
        LeaseManagerBuilder::new(client.clone(), "scalecore-run")
            .with_identity(identity)
            .with_duration(3)
            .with_grace(1)
            .build()
    };
    let (a, b) = tokio::join!(build("pod-a"), build("pod-b"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let ((a_rx, a_task), (b_rx, b_task)) = tokio::join!(a.watch(), b.watch());

    wait_for("a leader", || leader(&a_rx) || leader(&b_rx)).await;
    // Over more than a full lease duration, never two leaders, and the Lease names the one.
    for _ in 0..20 {
        assert!(!(leader(&a_rx) && leader(&b_rx)), "two leaders at once");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (first, first_rx, first_task, second, second_rx, second_task) = if leader(&a_rx) {
        ("pod-a", a_rx, a_task, "pod-b", b_rx, b_task)
    } else {
        ("pod-b", b_rx, b_task, "pod-a", a_rx, a_task)
    };
    assert!(leader(&first_rx) && !leader(&second_rx));
    let lease = standin
        .get(
            "coordination.k8s.io/v1",
            "Lease",
            Some("default"),
            "scalecore-run",
        )
        .unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], first);
    assert_eq!(lease["spec"]["leaseDurationSeconds"], 3);
    let renewed = lease["spec"]["renewTime"].as_str().unwrap().to_string();
    assert!(renewed.contains('T'));

    // Dropping the receiver makes the leader release the lease; the other takes it.
    drop(first_rx);
    first_task.await.unwrap().unwrap();
    wait_for("hand-over", || leader(&second_rx)).await;
    let lease = standin
        .get(
            "coordination.k8s.io/v1",
            "Lease",
            Some("default"),
            "scalecore-run",
        )
        .unwrap();
    assert_eq!(lease["spec"]["holderIdentity"], second);
    drop(second_rx);
    second_task.await.unwrap().unwrap();
    let patches = standin
        .requests()
        .iter()
        .filter(|r| {
            r.method == "PATCH" && r.content_type.as_deref() == Some("application/apply-patch+yaml")
        })
        .count();
    assert!(patches >= 2, "the lock is taken with server-side apply");
}
