//! `scalecore doctor` against the Kubernetes stand-in (and, with `--azure`, the Azure
//! stand-in's Entra ID and Resource Manager), one workload-identity mistake per case, as a
//! separate process configured only through what a user sets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use scalecore_standin_azure::{AzureStandin, Fault};
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};

const TENANT: &str = "11111111-2222-3333-4444-555555555555";
const KEDA_ID: &str = "aaaaaaaa-0000-0000-0000-00000000keda";
const OTHER_ID: &str = "bbbbbbbb-0000-0000-0000-0000000other";
/// Whoever runs `doctor --azure`: their own workload identity, with read access to the identities.
const CALLER_ID: &str = "cccccccc-0000-0000-0000-000000caller";
const SUBSCRIPTION: &str = "00000000-1111-2222-3333-444444444444";
const ISSUER: &str = "https://oidc.prod-aks.azure.com/00000000-issuer/";
const SUBJECT: &str = "system:serviceaccount:keda:keda-operator";
const AUDIENCE: &str = "api://AzureADTokenExchange";
const SA_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.doctor.signature";

struct Cluster {
    k8s: KubeStandin,
    azure: AzureStandin,
    dir: PathBuf,
}

struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }

    /// Exactly these findings `(object, code)`, and this exit status.
    fn expect(&self, code: i32, findings: &[(&str, &str)]) {
        let expected: Vec<(String, String)> = findings.iter().map(|(o, c)| pair(o, c)).collect();
        assert_eq!(self.codes(), expected, "{}{}", self.stdout, self.stderr);
        assert_eq!(self.code, code, "{}{}", self.stdout, self.stderr);
    }

    /// `(object, code)` of every finding of the JSON report.
    fn codes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for file in self.json()["files"].as_array().unwrap() {
            for d in file["diagnostics"].as_array().unwrap() {
                out.push((
                    file["path"].as_str().unwrap().to_owned(),
                    d["code"].as_str().unwrap().to_owned(),
                ));
            }
        }
        out
    }
}

fn pair(object: &str, code: &str) -> (String, String) {
    (object.to_owned(), code.to_owned())
}

impl Cluster {
    /// A setup where everything is right: a ScaledObject in `shop` whose azure-servicebus
    /// trigger uses a TriggerAuthentication with identityId KEDA_ID, KEDA's operator in `keda`
    /// with its ServiceAccount annotated with KEDA_ID and a pod the webhook has mutated.
    async fn new(test: &str) -> Cluster {
        let azure = AzureStandin::start().await.unwrap();
        let k8s = KubeStandin::start().await.unwrap();
        azure.set_federated_token(SA_TOKEN);
        azure.add_client(TENANT, CALLER_ID);
        let dir =
            std::env::temp_dir().join(format!("scalecore-doctor-{test}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubeconfig"), k8s.kubeconfig_yaml()).unwrap();
        std::fs::write(dir.join("token"), SA_TOKEN).unwrap();
        std::fs::write(dir.join("ca.pem"), azure.ca_pem()).unwrap();
        let c = Cluster { k8s, azure, dir };
        c.apply(json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "orders", "namespace": "shop"}}));
        c.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "orders-worker", "namespace": "shop"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "w"}},
                     "template": {"metadata": {"labels": {"app": "w"}},
                                  "spec": {"serviceAccountName": "orders",
                                           "containers": [{"name": "worker", "image": "w:1"}]}}}}));
        c.trigger_auth(json!({"provider": "azure-workload", "identityId": KEDA_ID}));
        c.apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "orders", "namespace": "shop"},
            "spec": {"scaleTargetRef": {"name": "orders-worker"},
                     "triggers": [{"type": "azure-servicebus",
                                   "metadata": {"namespace": "contoso", "queueName": "orders"},
                                   "authenticationRef": {"name": "wi"}}]}}),
        );
        c.operator_service_account(Some(KEDA_ID));
        c.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "keda-operator", "namespace": "keda"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "keda-operator"}},
                     "template": {"metadata": {"labels": {"app": "keda-operator", "azure.workload.identity/use": "true"}},
                                  "spec": {"serviceAccountName": "keda-operator",
                                           "containers": [{"name": "keda-operator", "image": "keda:2.20.2"}]}}}}));
        let started = c.sa_changed();
        c.operator_pod(&injected_env(KEDA_ID), true, &started);
        c
    }

    fn apply(&self, object: Value) {
        self.k8s.apply(object).unwrap();
    }

    fn trigger_auth(&self, pod_identity: Value) {
        self.apply(
            json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "wi", "namespace": "shop"},
            "spec": {"podIdentity": pod_identity}}),
        );
    }

    fn operator_service_account(&self, client_id: Option<&str>) {
        let mut sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": {"name": "keda-operator", "namespace": "keda"}});
        if let Some(id) = client_id {
            sa["metadata"]["annotations"] = json!({"azure.workload.identity/client-id": id});
        }
        self.apply(sa);
    }

    fn sa_changed(&self) -> String {
        let sa = self
            .k8s
            .get("v1", "ServiceAccount", Some("keda"), "keda-operator")
            .unwrap();
        sa["metadata"]["creationTimestamp"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// The operator's pod as the webhook leaves it: `env` in its container, the label and the
    /// projected token volume when `mutated`.
    fn operator_pod(&self, env: &Value, labelled: bool, started: &str) {
        let mut labels = json!({"app": "keda-operator"});
        if labelled {
            labels["azure.workload.identity/use"] = json!("true");
        }
        let volumes = if env.as_array().is_some_and(|e| !e.is_empty()) {
            json!([{"name": "azure-identity-token", "projected": {"sources": [
                {"serviceAccountToken": {"audience": AUDIENCE, "expirationSeconds": 3600, "path": "azure-identity-token"}}]}}])
        } else {
            json!([])
        };
        self.apply(json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "keda-operator-7d9f8-abcde", "namespace": "keda", "labels": labels},
            "spec": {"serviceAccountName": "keda-operator",
                     "containers": [{"name": "keda-operator", "image": "keda:2.20.2", "env": env}],
                     "volumes": volumes},
            "status": {"phase": "Running", "startTime": started}}));
    }

    fn doctor(&self, args: &[&str], env: &[(&str, Option<&str>)]) -> Outcome {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalecore"));
        cmd.arg("doctor")
            .arg("--kubeconfig")
            .arg(self.dir.join("kubeconfig"))
            .args(["-n", "shop"])
            .args(args)
            .env_remove("KUBECONFIG")
            .env_remove("AZURE_SUBSCRIPTION_ID")
            .env_remove("AZURE_CLIENT_SECRET")
            .env_remove("AZURE_RESOURCE_MANAGER_ENDPOINT")
            .env("AZURE_CLIENT_ID", CALLER_ID)
            .env("AZURE_TENANT_ID", TENANT)
            .env("AZURE_FEDERATED_TOKEN_FILE", self.dir.join("token"))
            .env("AZURE_AUTHORITY_HOST", self.azure.authority_host());
        for (name, value) in env {
            match value {
                Some(v) => cmd.env(name, v),
                None => cmd.env_remove(name),
            };
        }
        let out = cmd.output().unwrap();
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    async fn run(&self, args: &[&str]) -> Outcome {
        self.run_with(args, &[]).await
    }

    async fn run_with(&self, args: &[&str], env: &[(&str, Option<&str>)]) -> Outcome {
        // The stand-ins answer on this runtime while the process runs.
        tokio::task::block_in_place(|| self.doctor(args, env))
    }

    async fn json(&self) -> Outcome {
        self.run(&["--format", "json"]).await
    }

    /// `--azure` against the stand-in's Resource Manager, finding identities in SUBSCRIPTION.
    async fn azure(&self, extra: &[&str]) -> Outcome {
        let mut args = vec!["--subscription", SUBSCRIPTION];
        args.extend_from_slice(extra);
        self.azure_with(&args, &[]).await
    }

    /// `--azure` with `extra` saying where the identities are.
    async fn azure_with(&self, extra: &[&str], env: &[(&str, Option<&str>)]) -> Outcome {
        let endpoint = self.azure.resource_manager_endpoint();
        let suffix = self.azure.resource_manager_suffix();
        let ca = self.dir.join("ca.pem").display().to_string();
        let mut args = vec![
            "--format",
            "json",
            "--azure",
            "--arm-endpoint",
            &endpoint,
            "--allowed-endpoint-suffix",
            &suffix,
            "--azure-ca-file",
            &ca,
            "--resolve-localhost",
        ];
        args.extend_from_slice(extra);
        self.run_with(&args, env).await
    }

    fn identity(&self, client_id: &str) -> String {
        self.azure
            .add_managed_identity(SUBSCRIPTION, "rg-keda", "keda-id", TENANT, client_id)
    }
}

fn injected_env(client_id: &str) -> Value {
    json!([
        {"name": "AZURE_CLIENT_ID", "value": client_id},
        {"name": "AZURE_TENANT_ID", "value": TENANT},
        {"name": "AZURE_FEDERATED_TOKEN_FILE", "value": "/var/run/secrets/azure/tokens/azure-identity-token"},
        {"name": "AZURE_AUTHORITY_HOST", "value": "https://login.microsoftonline.com/"},
    ])
}

const TA: &str = "TriggerAuthentication/shop/wi";
const SA: &str = "ServiceAccount/keda/keda-operator";
const POD: &str = "Pod/keda/keda-operator-7d9f8-abcde";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clean_setup_exits_zero_in_text_and_json() {
    let c = Cluster::new("clean").await;
    let text = c.run(&[]).await;
    assert_eq!(text.code, 0, "{}{}", text.stdout, text.stderr);
    assert_eq!(
        text.stdout,
        "1 ScaledObject(s)/ScaledJob(s) checked, 1 azure-workload TriggerAuthentication(s): 0 error(s), 0 warning(s), 0 info\n"
    );
    let json = c.json().await;
    assert_eq!(json.code, 0);
    assert_eq!(
        json.json(),
        json!({"files": [], "summary": {"errors": 0, "warnings": 0}})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_identity_id_presents_the_operators_client_id() {
    let c = Cluster::new("no-identity-id").await;
    c.trigger_auth(json!({"provider": "azure-workload"}));
    let out = c.json().await;
    // A warning: the operator's own identity is presented, which may be the right one.
    out.expect(0, &[(TA, "KEDA4001")]);
    let d = &out.json()["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["path"], "spec.podIdentity");
    assert!(
        d["message"].as_str().unwrap().contains(KEDA_ID),
        "{}",
        d["message"]
    );
    assert!(d["help"].as_str().unwrap().contains("AADSTS700016"));
    let text = c.run(&[]).await;
    assert!(
        text.stdout.starts_with(&format!(
            "{TA}: warning KEDA4001: podIdentity azure-workload has no identityId"
        )),
        "{}",
        text.stdout
    );
    assert!(text
        .stdout
        .contains("\n  at: spec.podIdentity\n  fix: set identityId"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_identity_id_and_no_client_id_annotation_is_an_error() {
    let c = Cluster::new("no-annotation").await;
    c.trigger_auth(json!({"provider": "azure-workload"}));
    c.operator_service_account(None);
    let out = c.json().await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    let codes = out.codes();
    assert!(codes.contains(&pair(SA, "KEDA4602")), "{codes:?}");
    assert!(codes.contains(&pair(TA, "KEDA4001")), "{codes:?}");
    let text = c.run(&[]).await;
    assert_eq!(text.code, 1);
    assert!(
        text.stdout.contains(&format!("{SA}: error KEDA4602: {TA} relies on the KEDA operator's client id, but ServiceAccount 'keda-operator' has no annotation azure.workload.identity/client-id")),
        "{}",
        text.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotation_without_identity_id_only_matters_without_identity_id() {
    // identityId is set, so the operator's missing annotation is no error; the identity is
    // then not the operator's, which is worth knowing (it needs its own federation).
    let c = Cluster::new("annotation-unneeded").await;
    c.operator_service_account(None);
    let env: Vec<Value> = injected_env(KEDA_ID).as_array().unwrap()[1..].to_vec();
    c.operator_pod(&Value::Array(env), true, &c.sa_changed());
    let out = c.json().await;
    out.expect(0, &[(TA, "KEDA4606")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_pod_without_the_use_label() {
    let c = Cluster::new("no-label").await;
    c.operator_pod(&json!([]), false, &c.sa_changed());
    let out = c.json().await;
    out.expect(1, &[(POD, "KEDA4603")]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_pod_without_injected_env() {
    let c = Cluster::new("no-env").await;
    c.operator_pod(&json!([]), true, &c.sa_changed());
    let out = c.json().await;
    out.expect(1, &[(POD, "KEDA4604")]);
    let message = out.json()["files"][0]["diagnostics"][0]["message"].clone();
    let message = message.as_str().unwrap();
    for missing in [
        "AZURE_TENANT_ID",
        "AZURE_FEDERATED_TOKEN_FILE",
        "AZURE_AUTHORITY_HOST",
        "AZURE_CLIENT_ID",
        "projected service-account token volume",
    ] {
        assert!(message.contains(missing), "{missing}: {message}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_pod_older_than_its_service_account() {
    let c = Cluster::new("stale-pod").await;
    c.operator_pod(&injected_env(KEDA_ID), true, "2020-01-01T00:00:00Z");
    let out = c.json().await;
    out.expect(0, &[(POD, "KEDA4605")]);
    let d = &out.json()["files"][0]["diagnostics"][0];
    assert_eq!(d["path"], "status.startTime");
    assert!(d["help"]
        .as_str()
        .unwrap()
        .contains("kubectl rollout restart deployment/keda-operator"));

    // The annotation changed since the pod was created: the pod carries the old client id.
    c.operator_pod(&injected_env(OTHER_ID), true, &c.sa_changed());
    let out = c.json().await;
    assert_eq!(out.codes(), [pair(POD, "KEDA4605")]);
    let message = out.json()["files"][0]["diagnostics"][0]["message"].clone();
    assert!(
        message.as_str().unwrap().contains(&format!(
            "runs with AZURE_CLIENT_ID {OTHER_ID}, but ServiceAccount 'keda-operator' now names client id {KEDA_ID}"
        )),
        "{message}"
    );

    // The tenant annotation changed (the webhook's azure.workload.identity/tenant-id).
    c.operator_pod(&injected_env(KEDA_ID), true, &c.sa_changed());
    let mut sa = c
        .k8s
        .get("v1", "ServiceAccount", Some("keda"), "keda-operator")
        .unwrap();
    sa["metadata"]["annotations"]["azure.workload.identity/tenant-id"] =
        json!("99999999-0000-0000-0000-000000000000");
    c.apply(sa);
    let out = c.json().await;
    out.expect(0, &[(POD, "KEDA4605")]);
    assert!(out.stdout.contains("runs with AZURE_TENANT_ID 11111111-2222-3333-4444-555555555555, but ServiceAccount 'keda-operator' now names tenant id 99999999-0000-0000-0000-000000000000"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_id_other_than_the_operators() {
    let c = Cluster::new("other-id").await;
    c.trigger_auth(json!({"provider": "azure-workload", "identityId": OTHER_ID}));
    let out = c.json().await;
    out.expect(0, &[(TA, "KEDA4606")]);
    let d = &out.json()["files"][0]["diagnostics"][0];
    assert_eq!(d["severity"], "info");
    assert_eq!(
        d["message"],
        format!("identityId {OTHER_ID} is not the KEDA operator's client id {KEDA_ID}: identity {OTHER_ID} needs a federated credential for subject {SUBJECT}")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workload_identity_of_the_target() {
    // The workload's ServiceAccount names the identity used as identityId, its pods are not
    // labelled: the lint's KEDA4003 and KEDA4004, from live objects.
    let c = Cluster::new("target").await;
    c.apply(json!({"apiVersion": "v1", "kind": "ServiceAccount",
        "metadata": {"name": "orders", "namespace": "shop",
                     "annotations": {"azure.workload.identity/client-id": OTHER_ID}}}));
    c.trigger_auth(json!({"provider": "azure-workload", "identityId": OTHER_ID}));
    let out = c.json().await;
    let codes = out.codes();
    for expected in [
        pair("Deployment/shop/orders-worker", "KEDA4004"),
        pair(TA, "KEDA4003"),
        pair(TA, "KEDA4606"),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:?}");
    }
    assert_eq!(codes.len(), 3, "{codes:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_trigger_authentication_and_operator() {
    let c = Cluster::new("missing").await;
    c.k8s
        .delete(
            "keda.sh/v1alpha1",
            "TriggerAuthentication",
            Some("shop"),
            "wi",
        )
        .unwrap();
    let out = c.json().await;
    assert_eq!(out.codes(), [pair("ScaledObject/shop/orders", "KEDA3009")]);
    assert_eq!(out.code, 0, "a warning, as in lint");

    let c = Cluster::new("no-operator").await;
    c.k8s
        .delete("apps/v1", "Deployment", Some("keda"), "keda-operator")
        .unwrap();
    let out = c.json().await;
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(
        out.codes(),
        [pair("Deployment/keda/keda-operator", "KEDA4601")]
    );
    // The message names where it looked.
    let out = c.run(&["--keda-namespace", "kube-system"]).await;
    assert!(
        out.stdout.contains("namespace kube-system"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_federated_credentials() {
    let c = Cluster::new("azure").await;
    c.identity(KEDA_ID);
    // None yet: Entra would answer AADSTS70021.
    let out = c.azure(&[]).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    let id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-keda/providers/Microsoft.ManagedIdentity/userAssignedIdentities/keda-id");
    assert_eq!(out.codes(), [pair(&id, "KEDA4611")]);
    assert!(out.stdout.contains("it has none"), "{}", out.stdout);

    // The workload's subject instead of the operator's.
    c.azure.add_federated_credential(
        "keda-id",
        "orders",
        ISSUER,
        "system:serviceaccount:shop:orders",
        &[AUDIENCE],
    );
    let out = c.azure(&[]).await;
    assert_eq!(out.codes(), [pair(&id, "KEDA4611")]);
    assert!(
        out.stdout
            .contains("its credentials name system:serviceaccount:shop:orders (orders)"),
        "{}",
        out.stdout
    );

    // The operator's subject with the wrong audience.
    c.azure.add_federated_credential(
        "keda-id",
        "keda",
        ISSUER,
        SUBJECT,
        &["api://AzureADTokenExchange/"],
    );
    let out = c.azure(&[]).await;
    assert_eq!(out.code, 1);
    assert_eq!(out.codes(), [pair(&id, "KEDA4613")]);

    // A right one: subject, audience; and the issuer when it is given.
    c.azure
        .add_federated_credential("keda-id", "keda-2", ISSUER, SUBJECT, &[AUDIENCE]);
    let out = c.azure(&["--oidc-issuer", ISSUER]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.codes(), []);
    let other_issuer = ISSUER.trim_end_matches('/');
    let out = c.azure(&["--oidc-issuer", other_issuer]).await;
    assert_eq!(out.code, 1);
    let codes = out.codes();
    assert!(
        codes
            .iter()
            .all(|(_, code)| code == "KEDA4612" || code == "KEDA4613"),
        "{codes:?}"
    );
    assert!(codes.contains(&pair(&id, "KEDA4612")), "{codes:?}");

    // Every ARM request carried a bearer token, for the Resource Manager audience.
    let arm = c.azure.resource_manager_requests();
    assert!(!arm.is_empty());
    assert!(
        arm.iter()
            .all(|r| r.status == 200 && r.path.contains("api-version=2023-01-31")),
        "{arm:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_throttling_is_retried_after_its_retry_after() {
    let c = Cluster::new("azure-throttled").await;
    c.identity(KEDA_ID);
    c.azure
        .add_federated_credential("keda-id", "keda", ISSUER, SUBJECT, &[AUDIENCE]);
    c.azure.inject(Fault {
        status: Some(429),
        retry_after: Some(std::time::Duration::from_millis(200)),
        times: 1,
        ..Fault::default()
    });
    let out = c.azure(&[]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.codes(), []);
    let arm = c.azure.resource_manager_requests();
    let statuses: Vec<u16> = arm.iter().map(|r| r.status).collect();
    assert_eq!(statuses.first(), Some(&429), "{arm:?}");
    assert!(statuses[1..].iter().all(|s| *s == 200), "{arm:?}");
    // The retry reused the token: one token request for the run.
    let tokens = c
        .azure
        .requests()
        .iter()
        .filter(|r| r.path.contains("/oauth2/v2.0/token"))
        .count();
    assert_eq!(tokens, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_identity_not_found_and_endpoint_not_allowed() {
    let c = Cluster::new("azure-missing").await;
    c.identity(OTHER_ID);
    let out = c.azure(&[]).await;
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.codes(), [pair(TA, "KEDA4614")]);

    // A Resource Manager endpoint outside the allowed suffixes gets nothing, not even a
    // token request.
    c.azure.clear_requests();
    let endpoint = c.azure.resource_manager_endpoint();
    let out = c
        .run(&[
            "--azure",
            "--arm-endpoint",
            &endpoint,
            "--subscription",
            SUBSCRIPTION,
            "--resolve-localhost",
        ])
        .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("not under an allowed endpoint suffix"),
        "{}",
        out.stderr
    );
    assert!(c.azure.requests().is_empty());
    assert!(!out.stderr.contains(SA_TOKEN));

    // Nothing to find the identities by: a usage error before any request.
    c.k8s.clear_requests();
    let out = c.run(&["--azure"]).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--azure needs --subscription"),
        "{}",
        out.stderr
    );
    assert!(c.k8s.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azure_with_a_client_secret() {
    let c = Cluster::new("azure-secret").await;
    c.identity(KEDA_ID);
    c.azure
        .add_federated_credential("keda-id", "keda", ISSUER, SUBJECT, &[AUDIENCE]);
    let secret = c.azure.add_client_secret(TENANT, CALLER_ID);
    fn secret_env(s: &str) -> [(&'static str, Option<&str>); 2] {
        [
            ("AZURE_FEDERATED_TOKEN_FILE", None),
            ("AZURE_CLIENT_SECRET", Some(s)),
        ]
    }
    let out = c
        .azure_with(&["--subscription", SUBSCRIPTION], &secret_env(&secret))
        .await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.codes(), []);

    // A wrong secret: Entra's answer, without the secret.
    let out = c
        .azure_with(
            &["--subscription", SUBSCRIPTION],
            &secret_env("wrong-secret-value"),
        )
        .await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("AADSTS7000215"), "{}", out.stderr);
    assert!(!out.stderr.contains("wrong-secret-value"), "{}", out.stderr);

    // Neither a token file nor a secret.
    let out = c
        .azure_with(
            &["--subscription", SUBSCRIPTION],
            &[
                ("AZURE_FEDERATED_TOKEN_FILE", None),
                ("AZURE_CLIENT_SECRET", None),
            ],
        )
        .await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("no Azure credentials"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaled_job_and_identity_resource_id() {
    // A ScaledJob with its own TriggerAuthentication lacking identityId, and the identity
    // named by resource id instead of found in the subscription.
    let c = Cluster::new("scaledjob").await;
    c.apply(
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
        "metadata": {"name": "jobs", "namespace": "shop"},
        "spec": {"podIdentity": {"provider": "azure-workload"}}}),
    );
    c.apply(
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledJob",
        "metadata": {"name": "reports", "namespace": "shop"},
        "spec": {"jobTargetRef": {"template": {"spec": {"serviceAccountName": "orders",
                     "containers": [{"name": "r", "image": "r:1"}], "restartPolicy": "Never"}}},
                 "triggers": [{"type": "azure-queue",
                               "metadata": {"accountName": "contoso", "queueName": "reports"},
                               "authenticationRef": {"name": "jobs"}}]}}),
    );
    let id = c.identity(KEDA_ID);
    c.azure
        .add_federated_credential("keda-id", "keda", ISSUER, SUBJECT, &[AUDIENCE]);
    let out = c.azure_with(&["--identity-resource-id", &id], &[]).await;
    out.expect(0, &[("TriggerAuthentication/shop/jobs", "KEDA4001")]);
    let text = c.run(&[]).await;
    assert!(
        text.stdout.ends_with(
            "2 ScaledObject(s)/ScaledJob(s) checked, 2 azure-workload TriggerAuthentication(s): 0 error(s), 1 warning(s), 0 info\n"
        ),
        "{}",
        text.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_is_lints_report() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/schemas/report.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::draft202012::new(&schema).unwrap();
    let c = Cluster::new("schema").await;
    c.trigger_auth(json!({"provider": "azure-workload"}));
    c.operator_service_account(None);
    c.operator_pod(&json!([]), false, "2020-01-01T00:00:00Z");
    let out = c.json().await;
    assert_eq!(out.code, 1);
    let report = out.json();
    assert!(out.codes().len() >= 3, "{}", out.stdout);
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{}", out.stdout);
    assert_eq!(report["summary"]["errors"], 2, "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_api_server_exits_two() {
    let Cluster {
        k8s,
        azure: _azure,
        dir,
    } = Cluster::new("unreachable").await;
    let url = k8s.url();
    k8s.shutdown().await;
    let out = tokio::task::block_in_place(|| {
        Command::new(env!("CARGO_BIN_EXE_scalecore"))
            .args(["doctor", "--kubeconfig"])
            .arg(dir.join("kubeconfig"))
            .output()
            .unwrap()
    });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("scalecore doctor: Kubernetes API: "),
        "{stderr} ({url})"
    );
    assert!(out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_vault_identity() {
    // KEDA's operator reads the vault with the Key Vault's own podIdentity.
    let c = Cluster::new("key-vault").await;
    let vault = |pod_identity: Value| {
        json!({"apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": "wi", "namespace": "shop"},
            "spec": {"podIdentity": {"provider": "azure-workload", "identityId": KEDA_ID},
                     "azureKeyVault": {"vaultUri": "https://contoso.vault.azure.net",
                                       "podIdentity": pod_identity,
                                       "secrets": [{"parameter": "connection", "name": "sb"}]}}})
    };
    c.apply(vault(json!({"provider": "azure-workload"})));
    let out = c.json().await;
    out.expect(0, &[(TA, "KEDA4001")]);
    let d = &out.json()["files"][0]["diagnostics"][0];
    assert_eq!(d["path"], "spec.azureKeyVault.podIdentity");
    assert!(d["message"]
        .as_str()
        .unwrap()
        .starts_with("azureKeyVault.podIdentity azure-workload has no identityId"));

    c.apply(vault(
        json!({"provider": "azure-workload", "identityId": OTHER_ID}),
    ));
    let out = c.json().await;
    out.expect(0, &[(TA, "KEDA4606")]);
    assert_eq!(
        out.json()["files"][0]["diagnostics"][0]["path"],
        "spec.azureKeyVault.podIdentity.identityId"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_objects_are_read_once() {
    // 30 ScaledObjects on 30 Deployments, all with the same TriggerAuthentication and
    // ServiceAccount: each object is read once.
    let c = Cluster::new("read-once").await;
    for i in 0..30 {
        c.apply(json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": format!("w{i}"), "namespace": "shop"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": format!("w{i}")}},
                     "template": {"metadata": {"labels": {"app": format!("w{i}")}},
                                  "spec": {"serviceAccountName": "orders",
                                           "containers": [{"name": "w", "image": "w:1"}]}}}}));
        c.apply(json!({"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": format!("so{i}"), "namespace": "shop"},
            "spec": {"scaleTargetRef": {"name": format!("w{i}")},
                     "triggers": [{"type": "azure-servicebus",
                                   "metadata": {"namespace": "contoso", "queueName": format!("q{i}")},
                                   "authenticationRef": {"name": "wi"}}]}}));
    }
    c.k8s.clear_requests();
    let out = c.json().await;
    out.expect(0, &[]);
    let requests = c.k8s.requests();
    let gets = |path: &str| requests.iter().filter(|r| r.path == path).count();
    assert_eq!(
        gets("/apis/keda.sh/v1alpha1/namespaces/shop/triggerauthentications/wi"),
        1
    );
    assert_eq!(gets("/api/v1/namespaces/shop/serviceaccounts/orders"), 1);
    // 2 lists, 1 TriggerAuthentication, 31 targets, 1 ServiceAccount; the operator's
    // Deployment, ServiceAccount and pods.
    let api: Vec<_> = requests
        .iter()
        .filter(|r| r.path.starts_with("/api"))
        .filter(|r| r.path != "/api" && r.path != "/apis")
        .collect();
    assert_eq!(api.len(), 2 + 1 + 31 + 1 + 3, "{api:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotation_added_after_the_operator_pod_started() {
    // The restart pitfall as it happens: the pod started, then the ServiceAccount was
    // annotated; its managedFields say when.
    let c = Cluster::new("annotated-later").await;
    c.trigger_auth(json!({"provider": "azure-workload"}));
    c.operator_service_account(None);
    let env: Vec<Value> = injected_env(KEDA_ID).as_array().unwrap()[1..].to_vec();
    c.operator_pod(&Value::Array(env), true, &c.sa_changed());
    out_of_the_same_second().await;
    c.operator_service_account(Some(KEDA_ID));
    let sa = c
        .k8s
        .get("v1", "ServiceAccount", Some("keda"), "keda-operator")
        .unwrap();
    let changed = sa["metadata"]["managedFields"][0]["time"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(changed > c.sa_changed(), "{sa}");
    let out = c.json().await;
    out.expect(1, &[(POD, "KEDA4604"), (POD, "KEDA4605"), (TA, "KEDA4001")]);
    let stale = &out.json()["files"][0]["diagnostics"][1];
    assert_eq!(stale["path"], "status.startTime");
    assert!(
        stale["message"].as_str().unwrap().contains(&format!(
            "before ServiceAccount 'keda-operator' last changed at {changed}"
        )),
        "{stale}"
    );
}

/// The API server's times have whole seconds.
async fn out_of_the_same_second() {
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn context_picks_the_cluster() {
    // A kubeconfig whose current context is a cluster that does not answer.
    let c = Cluster::new("context").await;
    let kubeconfig = c
        .k8s
        .kubeconfig_yaml()
        .replace(
            "clusters:\n",
            "clusters:\n- name: gone\n  cluster:\n    server: http://127.0.0.1:9\n",
        )
        .replace(
            "contexts:\n",
            "contexts:\n- name: gone\n  context:\n    cluster: gone\n    user: scalecore-standin\n",
        )
        .replace(
            "current-context: scalecore-standin",
            "current-context: gone",
        );
    std::fs::write(c.dir.join("kubeconfig"), kubeconfig).unwrap();
    let out = c.run(&[]).await;
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    let out = c.run(&["--context", "scalecore-standin"]).await;
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}
