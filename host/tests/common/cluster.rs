//! A namespace `shop` with the Deployment `orders-worker` on the Kubernetes stand-in, the
//! Azure stand-in with a workload identity federated to this host's service account token, and
//! `scalecore run` started against both as a user would start it (kubeconfig, AZURE_*
//! variables, a CA file, the allowed suffix of the service under test).

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use scalecore_standin_azure::{AzureStandin, Fault, RequestRecord};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

use super::Host;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const CLIENT_ID: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
pub const SA_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.service-account.signature";
/// The TriggerAuthentication `new` applies: `podIdentity.provider: azure-workload`.
pub const WORKLOAD_AUTH: &str = "azure-wi";

pub struct Cluster {
    pub k8s: KubeStandin,
    pub azure: AzureStandin,
    pub dir: PathBuf,
    /// `--allowed-endpoint-suffix` of the host, one flag each.
    suffixes: Vec<String>,
    /// The metric whose failures `failures` reads.
    metric: String,
}

impl Cluster {
    /// `suffix` names the stand-in's suffix of the service under test; `metric` the trigger's
    /// metric name (`s0-azure-pipelines-linux`).
    pub async fn new(
        test: &str,
        metric: &str,
        suffix: impl FnOnce(&AzureStandin) -> String,
    ) -> Cluster {
        let azure = AzureStandin::start().await.unwrap();
        let k8s = KubeStandin::start().await.unwrap();
        azure.add_client(TENANT, CLIENT_ID);
        azure.set_federated_token(SA_TOKEN);
        let dir = std::env::temp_dir().join(format!("scalecore-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        std::fs::write(dir.join("token"), SA_TOKEN).unwrap();
        std::fs::write(dir.join("ca.pem"), azure.ca_pem()).unwrap();
        let c = Cluster {
            suffixes: vec![suffix(&azure)],
            metric: metric.to_owned(),
            k8s,
            azure,
            dir,
        };
        c.deployment("orders-worker");
        c.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": WORKLOAD_AUTH, "namespace": "shop"},
                "spec": {"podIdentity": {"provider": "azure-workload"}}}),
            )
            .unwrap();
        c
    }

    pub fn deployment(&self, name: &str) {
        self.deployment_at(name, 0);
    }

    /// A Deployment `name` at `replicas`, selecting `app=name`.
    pub fn deployment_at(&self, name: &str, replicas: i64) {
        self.k8s
            .apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": "shop"},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}},
                                      "spec": {"containers": [{"name": "worker", "image": "w:1"}]}}}}))
            .unwrap();
    }

    /// The host also lets credentials go to `suffix` (a second service under test).
    pub fn also_allow(mut self, suffix: impl FnOnce(&AzureStandin) -> String) -> Cluster {
        let suffix = suffix(&self.azure);
        self.suffixes.push(suffix);
        self
    }

    /// `scalecore run` without leader election.
    pub fn host(&self) -> Host {
        self.host_with(&["--no-leader-election"])
    }

    /// `scalecore run` with `extra` flags (leader election on unless they turn it off).
    pub fn host_with(&self, extra: &[&str]) -> Host {
        self.host_logging("info", extra)
    }

    /// [`Cluster::host_with`] logging at `rust_log`.
    pub fn host_logging(&self, rust_log: &str, extra: &[&str]) -> Host {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalecore"));
        cmd.arg("run")
            .arg("--kubeconfig")
            .arg(self.dir.join("kubeconfig"))
            .arg("--azure-ca-file")
            .arg(self.dir.join("ca.pem"));
        for suffix in &self.suffixes {
            cmd.arg("--allowed-endpoint-suffix").arg(suffix);
        }
        cmd.arg("--resolve-localhost")
            .args(["--metrics-addr", "127.0.0.1:0", "--hpa-sync-period", "1"])
            .args(extra)
            .env("AZURE_CLIENT_ID", CLIENT_ID)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_FEDERATED_TOKEN_FILE", self.dir.join("token"))
            .env("AZURE_AUTHORITY_HOST", self.azure.authority_host())
            .env("RUST_LOG", rust_log);
        Host::spawn(&mut cmd)
    }

    /// A Secret `name` holding `value`, and a TriggerAuthentication `name` giving it to the
    /// trigger as `parameter`.
    pub fn secret_auth(&self, name: &str, parameter: &str, value: &str) {
        use base64::Engine;
        let data = base64::engine::general_purpose::STANDARD.encode(value);
        self.k8s
            .apply(json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "shop"},
                "data": {"value": data}}))
            .unwrap();
        self.k8s
            .apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
                "metadata": {"name": name, "namespace": "shop"},
                "spec": {"secretTargetRef": [{"parameter": parameter, "name": name, "key": "value"}]}}))
            .unwrap();
    }

    /// A ScaledObject polling every second, cooling down in 4 s, 0 to 10 replicas; `extra_spec`
    /// fields replace those.
    pub fn scaled_object(&self, name: &str, target: &str, extra_spec: Value, trigger: Value) {
        let mut spec = json!({"scaleTargetRef": {"name": target}, "pollingInterval": 1,
            "cooldownPeriod": 4, "minReplicaCount": 0, "maxReplicaCount": 10, "triggers": [trigger]});
        for (k, v) in extra_spec.as_object().unwrap() {
            spec[k] = v.clone();
        }
        self.k8s
            .apply(
                json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
                "metadata": {"name": name, "namespace": "shop"}, "spec": spec}),
            )
            .unwrap();
    }

    pub fn replicas_of(&self, target: &str) -> i64 {
        self.k8s
            .get("apps/v1", "Deployment", Some("shop"), target)
            .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
            .unwrap_or(-1)
    }

    /// `orders-worker`'s replicas.
    pub fn replicas(&self) -> i64 {
        self.replicas_of("orders-worker")
    }

    pub fn status_of(&self, name: &str) -> Value {
        self.k8s
            .get("keda.sh/v1alpha1", "ScaledObject", Some("shop"), name)
            .and_then(|o| o.get("status").cloned())
            .unwrap_or(Value::Null)
    }

    /// The ScaledObject `orders`' status.
    pub fn status(&self) -> Value {
        self.status_of("orders")
    }

    /// `numberOfFailures` of the trigger's metric on the ScaledObject `orders`.
    pub fn failures(&self) -> i64 {
        self.failures_of("orders", &self.metric)
    }

    /// `numberOfFailures` of `metric` on the ScaledObject `name`.
    pub fn failures_of(&self, name: &str, metric: &str) -> i64 {
        self.status_of(name)["health"][metric]["numberOfFailures"]
            .as_i64()
            .unwrap_or(0)
    }

    /// Waits for `cond`; how long it took.
    pub async fn wait(
        &self,
        what: &str,
        secs: u64,
        mut cond: impl FnMut(&Cluster) -> bool,
    ) -> Duration {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(secs) {
            if cond(self) {
                return start.elapsed();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "timed out waiting for {what}; replicas {}, status {}",
            self.replicas(),
            self.status()
        );
    }

    /// With `host` polling `orders` steadily at 2 replicas: a 429 with Retry-After, a 500 and
    /// an answer slower than the 3 s per-attempt timeout, each followed by the retry that
    /// succeeds (`reads`: the requests of the service under test), and no failed poll.
    pub async fn ride_out_faults(
        &self,
        host: Host,
        reads: impl Fn(&Cluster) -> Vec<RequestRecord>,
    ) {
        for (fault, what) in [
            (
                Fault::status(429).retry_after(Duration::from_secs(1)),
                [429, 200],
            ),
            (Fault::status(500), [500, 200]),
        ] {
            self.azure.clear_requests();
            self.azure.inject(fault);
            self.wait("the fault and the retry after it", 20, |c| {
                let statuses: Vec<u16> = reads(c).iter().map(|r| r.status).collect();
                statuses.windows(2).any(|w| w == what)
            })
            .await;
        }
        self.azure.clear_requests();
        self.azure.inject(Fault::delay(Duration::from_secs(4)));
        self.wait("the slow answer and the retry", 20, |c| reads(c).len() >= 2)
            .await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(self.failures(), 0, "{}", self.status());
        assert_eq!(self.replicas(), 2);
        let log = host.stop();
        assert!(!log.contains("scaler error"), "{log}");
    }

    /// Waits until the host has logged `text` at least `times` times.
    pub async fn wait_for_log(&self, host: &Host, text: &str, times: usize) {
        let start = Instant::now();
        while host.log().matches(text).count() < times {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{text:?} not logged {times} times: {}",
                host.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
