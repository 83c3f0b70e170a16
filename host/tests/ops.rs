//! `scalecore run` as an operator runs it, against the loopback stand-ins: leadership (a
//! stalled leader that loses its Lease writes nothing more; a standby is not fooled by a
//! holder whose clock is off), the deadline of every Kubernetes call, logs that never carry an
//! object's body, and the bounds of the metrics endpoint.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::cluster::Cluster;
use common::Host;
use scalecore_standin_azure::AzureStandin;
use serde_json::{json, Value};

const SB: &str = "contoso-sb";
const LEASE: &str = "scalecore-leader";

/// The stand-ins, the Deployment `orders-worker` and the workload-identity
/// TriggerAuthentication `sb-wi`.
async fn cluster(test: &str) -> Cluster {
    let c = Cluster::new(
        &format!("ops-{test}"),
        "s0-azure-servicebus-orders",
        AzureStandin::endpoint_suffix,
    )
    .await;
    c.k8s
        .apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "sb-wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload"}}}),
        )
        .unwrap();
    c
}

impl Cluster {
    /// The ScaledObject `name` on `orders-worker`.
    fn ops_object(&self, name: &str, trigger: Value) {
        self.scaled_object_on(name, "orders-worker", trigger);
    }

    fn scaled_object_on(&self, name: &str, target: &str, trigger: Value) {
        self.scaled_object(name, target, json!({}), trigger);
    }

    fn queue_trigger(&self) -> Value {
        json!({"type": "azure-servicebus", "name": "orders",
            "metadata": {"namespace": SB, "queueName": "orders", "messageCount": "5",
                         "cloud": "Private", "endpointSuffix": self.azure.endpoint_suffix()},
            "authenticationRef": {"name": "sb-wi"}})
    }

    fn lease(&self) -> Option<Value> {
        self.k8s
            .get("coordination.k8s.io/v1", "Lease", Some("shop"), LEASE)
    }

    fn holder(&self) -> Option<String> {
        self.lease()?
            .pointer("/spec/holderIdentity")?
            .as_str()
            .map(str::to_owned)
    }

    /// Writes the Lease as another candidate holding it would.
    fn hold_lease(&self, holder: &str, renew_time: &str) {
        self.k8s
            .apply(
                json!({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": {"name": LEASE, "namespace": "shop"},
                "spec": {"holderIdentity": holder, "leaseDurationSeconds": 3,
                         "acquireTime": renew_time, "renewTime": renew_time,
                         "leaseTransitions": 1}}),
            )
            .unwrap();
    }
}

/// RFC 3339 with microseconds, `seconds_ago` in the past by this machine's clock.
fn micro_time(seconds_ago: u64) -> String {
    let now = std::time::SystemTime::now() - Duration::from_secs(seconds_ago);
    let d = now.duration_since(std::time::UNIX_EPOCH).unwrap();
    let (secs, micros) = (d.as_secs() as i64, d.subsec_micros());
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since the epoch (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PUT" | "PATCH" | "DELETE")
}

/// The leader's tick is stuck in a slow `/scale` read when its Lease renewals start failing
/// and, a Lease duration later, another candidate takes the Lease. The stalled tick would
/// have written replicas once the read returned; the ex-leader must write nothing at all after
/// the handover, and must have stopped leading before it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_leader_writes_nothing_after_losing_the_lease() {
    let c = cluster("stalled").await;
    c.azure.set_queue(SB, "orders", 0);
    c.ops_object("orders", c.queue_trigger());
    // Without list/watch on Deployments (an older manifest's RBAC) the host reads /scale at
    // every tick instead of keeping replica counts from a watch: that read is what hangs here.
    c.k8s
        .fail_next_matching(Some("GET"), "/apis/apps/v1/deployments", 403, 1_000_000);
    let host = c.host_logging(
        "info",
        &[
            "--lease-namespace",
            "shop",
            "--lease-duration",
            "3",
            "--identity",
            "host-a",
        ],
    );
    c.wait("host-a to lead and run the ScaledObject", 30, |c| {
        c.holder().as_deref() == Some("host-a") && c.status_of("orders") != Value::Null
    })
    .await;

    // The next tick's read of /scale hangs for 5 s; then the queue asks for replicas.
    c.k8s.delay_next_matching(
        Some("GET"),
        "/deployments/orders-worker/scale",
        Duration::from_secs(5),
        1000,
    );
    c.azure.set_queue(SB, "orders", 50);
    // From now on host-a cannot reach its Lease.
    c.k8s
        .fail_next_matching(None, &format!("/leases/{LEASE}"), 500, 1_000_000);

    // A standby in client-go's manner: the Lease unchanged for a whole duration, then taken.
    let mut last = c.lease().unwrap();
    let mut unchanged_since = Instant::now();
    while unchanged_since.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = c.lease().unwrap();
        if now != last {
            last = now;
            unchanged_since = Instant::now();
        }
    }
    c.hold_lease("host-b", &micro_time(0));
    c.k8s.clear_requests();
    let log_at_handover = host.log();
    assert!(
        log_at_handover.contains("lost the Lease"),
        "host-a still leads when the Lease changes hands:\n{log_at_handover}"
    );

    // Long enough for the stalled read to return and any write to follow it.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let writes: Vec<_> = c
        .k8s
        .requests()
        .into_iter()
        .filter(|r| is_write(&r.method) && !r.path.contains("/leases/"))
        .collect();
    assert!(
        writes.is_empty(),
        "the ex-leader wrote after the handover: {writes:?}"
    );
    assert_eq!(c.replicas(), 0);
    assert_eq!(c.holder().as_deref(), Some("host-b"));
    let log = host.stop();
    assert!(
        log.contains("not renewed within the renew deadline"),
        "{log}"
    );
}

/// Another candidate holds the Lease and renews it, but its `renewTime` reads 60 s in the past
/// (its clock is behind ours, or ours ahead). A standby that compared `renewTime` with its own
/// clock would take a live Lease; one that judges by the changes it observes waits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_standby_does_not_take_a_live_lease_whose_clock_is_skewed() {
    let c = cluster("skew").await;
    c.hold_lease("host-z", &micro_time(60));
    let host = c.host_logging(
        "info",
        &[
            "--lease-namespace",
            "shop",
            "--lease-duration",
            "3",
            "--identity",
            "host-b",
        ],
    );
    // host-z renews every 500 ms, each renewTime 60 s behind.
    let renewing = Instant::now();
    while renewing.elapsed() < Duration::from_secs(8) {
        c.hold_lease("host-z", &micro_time(60));
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(c.holder().as_deref(), Some("host-z"), "{}", host.log());
    }
    assert!(
        host.log().contains("waiting for the Lease"),
        "{}",
        host.log()
    );
    assert!(!host.log().contains("leading"), "{}", host.log());

    // host-z stops renewing: host-b takes over one Lease duration after the last change.
    let stopped = Instant::now();
    c.wait("host-b to take the Lease", 15, |c| {
        c.holder().as_deref() == Some("host-b")
    })
    .await;
    let waited = stopped.elapsed();
    assert!(waited >= Duration::from_millis(2500), "{waited:?}");
    assert!(waited <= Duration::from_secs(6), "{waited:?}");
    c.wait("host-b to log it", 10, |_| host.log().contains("leading"))
        .await;
}

/// A graceful stop hands the Lease over at once instead of letting it expire.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_that_stops_releases_the_lease() {
    let c = cluster("release").await;
    let lease = ["--lease-namespace", "shop", "--lease-duration", "10"];
    let mut a = c.host_logging("info", &[&lease[..], &["--identity", "host-a"]].concat());
    c.wait("host-a to lead", 20, |c| {
        c.holder().as_deref() == Some("host-a")
    })
    .await;
    let b = c.host_logging("info", &[&lease[..], &["--identity", "host-b"]].concat());
    c.wait("host-b to stand by", 20, |_| {
        b.log().contains("waiting for the Lease")
    })
    .await;
    let pid = a.child.id().to_string();
    let stopped = Instant::now();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    c.wait("host-b to take over", 20, |c| {
        c.holder().as_deref() == Some("host-b")
    })
    .await;
    // Well within the 10 s a crashed leader's Lease takes to expire.
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopped.elapsed()
    );
    let status = a.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(a.log().contains("released the Lease"), "{}", a.log());
}

/// Replica counts come from a watch of Deployments, not from a `/scale` read at every tick
/// (thousands a second in a large fleet); a scale-up is still written through `/scale`, and
/// the count the watch then delivers is what the next ticks see.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticks_read_replica_counts_from_the_watch() {
    let c = cluster("watched").await;
    c.azure.set_queue(SB, "orders", 0);
    c.ops_object("orders", c.queue_trigger());
    let host = c.host_logging("info", &["--no-leader-election"]);
    c.wait("the ScaledObject to run", 30, |c| {
        c.status_of("orders") != Value::Null
    })
    .await;
    // The watch has listed once a tick runs without a read (ticks every second).
    tokio::time::sleep(Duration::from_secs(2)).await;
    c.k8s.clear_requests();
    c.azure.set_queue(SB, "orders", 50);
    c.wait("the scale-up to 10", 40, |c| c.replicas() == 10)
        .await;
    let scale_requests = |c: &Cluster| -> Vec<String> {
        c.k8s
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/deployments/orders-worker/scale"))
            .map(|r| r.method)
            .collect()
    };
    // Each step of the scale-up (activation, then the HPA's policy steps) is a write; no
    // tick read the count.
    let scale = scale_requests(&c);
    assert!(
        !scale.is_empty() && scale.iter().all(|m| m == "PATCH"),
        "{scale:?}\n{}",
        host.log()
    );
    // At 10, later ticks (one a second) see the count they wrote and touch /scale no more.
    c.k8s.clear_requests();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(scale_requests(&c), Vec::<String>::new());
    assert_eq!(c.replicas(), 10);
}

/// A Kubernetes call that never gets an answer fails at the deadline instead of hanging the
/// ScaledObject's loop.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_kubernetes_call_fails_at_its_deadline() {
    let c = cluster("hung").await;
    c.azure.set_queue(SB, "orders", 0);
    c.ops_object("orders", c.queue_trigger());
    // Without list/watch on Deployments (an older manifest's RBAC) the host reads /scale at
    // every tick instead of keeping replica counts from a watch: that read is what hangs here.
    c.k8s
        .fail_next_matching(Some("GET"), "/apis/apps/v1/deployments", 403, 1_000_000);
    let host = c.host_logging("info", &["--no-leader-election", "--kube-api-timeout", "2"]);
    c.wait("the ScaledObject to run", 30, |c| {
        c.status_of("orders") != Value::Null
    })
    .await;
    c.k8s.delay_next_matching(
        Some("GET"),
        "/deployments/orders-worker/scale",
        Duration::from_secs(3600),
        1_000_000,
    );
    let hung = Instant::now();
    c.wait("the call to time out", 15, |_| {
        host.log()
            .contains("no answer from the API server within 2s")
    })
    .await;
    // The next tick (within 1 s) plus the 2 s deadline.
    assert!(
        hung.elapsed() < Duration::from_secs(6),
        "{:?}",
        hung.elapsed()
    );
    // And again: the loop is not stuck on the first hung call.
    tokio::time::sleep(Duration::from_secs(4)).await;
    let timeouts = host
        .log()
        .matches("no answer from the API server within 2s")
        .count();
    assert!(timeouts >= 2, "{}", host.log());
}

/// A TriggerAuthentication off KEDA's schema, and a Secret whose data is not
/// base64: the host says which object is broken, and neither their values nor a good Secret's
/// reach its log, even at trace level.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_object_body_reaches_the_log_even_at_trace() {
    let c = cluster("bodies").await;
    let conn = c.azure.connection_string(SB);
    let key = conn
        .split(';')
        .find_map(|p| p.strip_prefix("SharedAccessKey="))
        .unwrap()
        .to_owned();
    let in_malformed_ta = "Endpoint=sb://x/;SharedAccessKey=TA-FIELD-SECRET-0001";
    let beside_it = "ANNOTATED-SECRET-0002";
    let in_bad_secret = "SECRET-DATA-NOT-BASE64-0003";
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "sb", "namespace": "shop"}, "stringData": {"conn": conn}}))
        .unwrap();
    c.k8s
        .apply(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "sb-bad", "namespace": "shop"},
            "data": {"conn": format!("!! {in_bad_secret} !!")}}))
        .unwrap();
    for (name, spec, annotations) in [
        (
            "malformed",
            json!({"secretTargetRef": in_malformed_ta}),
            json!({"note": beside_it}),
        ),
        (
            "bad-secret",
            json!({"secretTargetRef": [{"parameter": "connection", "name": "sb-bad", "key": "conn"}]}),
            json!({}),
        ),
        (
            "good",
            json!({"secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}]}),
            json!({}),
        ),
    ] {
        c.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": name, "namespace": "shop", "annotations": annotations},
                "spec": spec}),
            )
            .unwrap();
    }
    c.azure.set_queue(SB, "orders", 12);
    // One target each: two ScaledObjects on one target are refused, as KEDA's webhook does.
    for (so, auth, target) in [
        ("uses-malformed", "malformed", "malformed-worker"),
        ("uses-bad-secret", "bad-secret", "bad-secret-worker"),
        ("uses-good", "good", "orders-worker"),
    ] {
        if target != "orders-worker" {
            c.k8s
                .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": target, "namespace": "shop"},
                    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": target}},
                             "template": {"metadata": {"labels": {"app": target}},
                                          "spec": {"containers": [{"name": "w", "image": "w:1"}]}}}}))
                .unwrap();
        }
        c.scaled_object_on(
            so,
            target,
            json!({"type": "azure-servicebus", "metadata": {"queueName": "orders", "messageCount": "5"},
                   "authenticationRef": {"name": auth}}),
        );
    }
    let host = c.host_logging("trace", &["--no-leader-election"]);
    c.wait("ceil(12/5) = 3 replicas", 40, |c| c.replicas() == 3)
        .await;
    // A few more polls; a failing scaler is rebuilt (its objects read again) after each.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let log = host.log();
    assert!(
        log.len() > 10_000,
        "trace logging is on: {} bytes",
        log.len()
    );
    for secret in [in_malformed_ta, beside_it, in_bad_secret, &key, &conn] {
        assert!(!log.contains(secret), "{secret:?} reached the log");
    }
    assert!(!log.contains("TA-FIELD-SECRET"));
    // What is logged instead: which object, and where it breaks.
    for broken in [
        r#"error getting TriggerAuthentication "malformed": its spec cannot be decoded (schema error at spec.secretTargetRef: expected an array, found a string)"#,
        "Secret shop/sb-bad cannot be decoded (schema error at line",
    ] {
        assert!(log.contains(broken), "{broken:?} not in the log");
    }
    drop(host);
}

fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let code = out.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    (code, out)
}

/// A client that sends its headers a byte at a time is cut off at the header timeout (5 s);
/// idle connections beyond the cap wait their turn and /healthz is answered once the idle ones
/// before it time out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_connections_are_capped_and_slow_clients_cut_off() {
    let c = cluster("loris").await;
    let host = c.host_logging("info", &["--no-leader-election"]);
    let addr = host.metrics_addr().await;

    let loris = {
        let addr = addr.clone();
        tokio::task::spawn_blocking(move || {
            let started = Instant::now();
            let mut s = TcpStream::connect(&addr).unwrap();
            s.set_read_timeout(Some(Duration::from_millis(200)))
                .unwrap();
            let mut headers = b"GET /healthz HTTP/1.1\r\nHost: x\r\n".to_vec();
            headers.extend(std::iter::repeat_n(b'a', 100));
            for byte in headers.iter().cycle().take(200) {
                if s.write_all(&[*byte]).is_err() {
                    return started.elapsed();
                }
                let mut buf = [0u8; 256];
                match s.read(&mut buf) {
                    Ok(_) => return started.elapsed(),
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut => {}
                    Err(_) => return started.elapsed(),
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            started.elapsed()
        })
    };
    let cut_off = loris.await.unwrap();
    assert!(
        cut_off >= Duration::from_secs(4) && cut_off < Duration::from_secs(9),
        "a slow client kept its connection for {cut_off:?}"
    );

    // Far more idle connections than the host serves at once.
    let idle: Vec<TcpStream> = (0..200)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    let asked = Instant::now();
    let healthz = {
        let addr = addr.clone();
        tokio::task::spawn_blocking(move || http_get(&addr, "/healthz"))
    };
    let (code, _) = healthz.await.unwrap();
    assert_eq!(code, 200);
    // The first 64 idle connections time out after 5 s; the request is next in the backlog
    // after the rest, which are accepted and time out in the same wave.
    assert!(
        asked.elapsed() < Duration::from_secs(13),
        "{:?}",
        asked.elapsed()
    );
    drop(idle);
    let (code, _) = tokio::task::spawn_blocking(move || http_get(&addr, "/healthz"))
        .await
        .unwrap();
    assert_eq!(code, 200);
    drop(host);
}

/// CPU time (user + system, in clock ticks) a process has used, from /proc.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Out of file descriptors, accept fails at once, again and again: the host backs off instead
/// of spinning a core, and serves again once descriptors free up.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_file_descriptors_the_metrics_server_backs_off() {
    let c = cluster("emfile").await;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -n 48 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_scalecore"))
        .arg("run")
        .arg("--kubeconfig")
        .arg(c.dir.join("kubeconfig"))
        .args(["--metrics-addr", "127.0.0.1:0", "--no-leader-election"])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let child = Host::spawn(&mut cmd);
    let host = child;
    let addr = host.metrics_addr().await;
    let pid = host.child.id();
    let idle: Vec<TcpStream> = (0..100)
        .map(|_| TcpStream::connect(&addr).unwrap())
        .collect();
    // The host accepts until it runs out of descriptors, then every accept fails.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = cpu_ticks(pid);
    let measured = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let used = cpu_ticks(pid) - before;
    let ticks_per_second = 100.0;
    let share = used as f64 / ticks_per_second / measured.elapsed().as_secs_f64();
    assert!(
        share < 0.3,
        "the host used {:.0}% of a core while out of file descriptors",
        share * 100.0
    );
    assert!(
        host.log().contains("cannot accept a metrics connection"),
        "{}",
        host.log()
    );
    drop(idle);
    let (code, _) = tokio::task::spawn_blocking(move || http_get(&addr, "/healthz"))
        .await
        .unwrap();
    assert_eq!(code, 200);
}
