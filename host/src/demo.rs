//! `scalecore demo`: the whole loop on one machine. The loopback stand-ins of Kubernetes and
//! Azure start in-process, the seed's manifests are applied to them, a producer fills the
//! `orders` queue and a worker drains it at the pace of the ready replicas, while the real
//! host (`scalecore run`'s code, over real HTTP) scales the Deployment.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Args, ValueEnum};
use kube::config::{KubeConfigOptions, Kubeconfig};
use scalecore::validate::LintOptions;
use scalecore_standin_azure::AzureStandin;
use scalecore_standin_kube::KubeStandin;
use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::run::{self, Clock, Decision, Settings};

mod hpa;

const SEED_KEDA: &str = include_str!("../../examples/seed/keda.yaml");
const SEED_WORKLOAD: &str = include_str!("../../examples/seed/workload.yaml");
const SB_NAMESPACE: &str = "contoso-sb";
/// The storage account of the azure-queue and azure-blob demos.
const STORAGE_ACCOUNT: &str = "contosoorders";
const TENANT: &str = "00000000-0000-0000-0000-00000000beef";
const CLIENT_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The Data Explorer cluster and database of the azure-data-explorer demo, and its query.
const KUSTO_CLUSTER: &str = "contoso";
const KUSTO_DATABASE: &str = "orders";
const KUSTO_QUERY: &str = "Orders | where State == 'queued' | count";
/// The Azure DevOps organization and agent pool of the azure-pipelines demo.
const DEVOPS_ORGANIZATION: &str = "contoso";
const AGENT_POOL: &str = "orders";
const AGENT_POOL_ID: i64 = 7;
/// Stands for the projected service-account JWT a workload-identity pod gets.
const SERVICE_ACCOUNT_TOKEN: &str = "demo.service-account.token";

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DemoFormat {
    Human,
    Json,
}

/// The Azure service the demo's work items wait in; each is read through its real REST API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DemoScaler {
    /// The seed: messages in the Service Bus queue `orders`.
    #[value(name = "azure-servicebus")]
    ServiceBus,
    /// Messages in the Storage queue `orders`.
    #[value(name = "azure-queue")]
    Queue,
    /// Blobs in the Storage container `orders`, one per work item.
    #[value(name = "azure-blob")]
    Blob,
    /// Events on the event hub `orders` (10 partitions) not yet past their consumer's
    /// checkpoint in the Storage container `orders-checkpoints`.
    #[value(name = "azure-eventhub")]
    EventHub,
    /// The Service Bus namespace's `ActiveMessages` metric, read from Azure Monitor.
    #[value(name = "azure-monitor")]
    Monitor,
    /// A Log Analytics query counting the orders not yet handled.
    #[value(name = "azure-log-analytics")]
    LogAnalytics,
    /// An Application Insights custom metric: the orders queued, summed over 5 minutes.
    #[value(name = "azure-app-insights")]
    AppInsights,
    /// Rows of the `Orders` table in state `queued`, counted by a Data Explorer query.
    #[value(name = "azure-data-explorer")]
    DataExplorer,
    /// Pipeline jobs queued on the Azure DevOps agent pool `orders`.
    #[value(name = "azure-pipelines")]
    Pipelines,
}

impl DemoScaler {
    fn service(self) -> &'static str {
        match self {
            DemoScaler::ServiceBus => "Service Bus",
            DemoScaler::Queue => "Queue Storage",
            DemoScaler::Blob => "Blob Storage",
            DemoScaler::EventHub => "Event Hubs and Blob Storage",
            DemoScaler::Monitor => "Azure Monitor",
            DemoScaler::LogAnalytics => "Log Analytics",
            DemoScaler::AppInsights => "Application Insights",
            DemoScaler::DataExplorer => "Azure Data Explorer",
            DemoScaler::Pipelines => "Azure DevOps",
        }
    }
}

#[derive(Args, Clone, Debug)]
pub struct DemoArgs {
    #[arg(long, value_enum, default_value_t = DemoFormat::Human)]
    pub format: DemoFormat,
    /// The seed's trigger type: its ScaledObject reads the work items through this scaler
    /// (same target of 5 items a pod, same workload identity).
    #[arg(long, value_enum, default_value_t = DemoScaler::ServiceBus)]
    pub scaler: DemoScaler,
    /// How much faster than real time the timeline runs (10: the 5-minute cooldown takes 30 s).
    #[arg(long, default_value_t = 10.0)]
    pub speed: f64,
    /// Messages put on the queue at t=10 s.
    #[arg(long, default_value_t = 100)]
    pub messages: u32,
    /// Messages one ready pod handles per second.
    #[arg(long, default_value_t = 0.1)]
    pub rate: f64,
    /// Stop after this many timeline seconds even if the Deployment has not scaled back to 0.
    #[arg(long, default_value_t = 900)]
    pub duration: u64,
    /// At this timeline second, also print one line `{"explain": …}`: what `scalecore explain
    /// scaledobject/orders-worker -n shop --format json` says against the stand-in then.
    #[arg(long, value_name = "SECONDS")]
    pub explain_at: Option<u64>,
}

pub fn run(args: &DemoArgs) -> ExitCode {
    run::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scalecore demo: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(demo(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scalecore demo: {e}");
            ExitCode::from(2)
        }
    }
}

/// Why the demo could not run (it stops with this message).
#[derive(Debug, thiserror::Error)]
enum DemoError {
    /// A seed manifest the core refuses: the first error finding's message.
    #[error("seed manifest: {0}")]
    Seed(String),
    #[error("cannot start the Azure stand-in: {0}")]
    AzureStandin(#[source] std::io::Error),
    #[error("cannot start the Kubernetes stand-in: {0}")]
    KubeStandin(#[source] std::io::Error),
    #[error("cannot apply the seed: {0}")]
    Apply(#[from] scalecore_standin_kube::ApiError),
    #[error("cannot write the service account token under {}: {source}", .dir.display())]
    TokenFile {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    #[error("{0}")]
    Client(#[from] kube::Error),
}

/// The seed's documents as JSON objects, with the one change a private endpoint needs:
/// `cloud: Private` and the stand-in's `endpointSuffix` on the trigger; for another scaler,
/// its trigger in place of the seed's (same name, target and TriggerAuthentication).
fn seed_objects(scaler: DemoScaler, azure: &AzureStandin) -> Result<Vec<Value>, DemoError> {
    let mut out = Vec::new();
    for text in [SEED_WORKLOAD, SEED_KEDA] {
        let (bundle, diags) = scalecore::validate::load_bundle(&[text], &LintOptions::default());
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(DemoError::Seed(d.message.clone()));
        }
        // The ServiceAccount only matters to a real kubelet.
        for r in bundle
            .resources
            .iter()
            .filter(|r| r.kind.name() != "ServiceAccount")
        {
            let mut v = r.root.to_json();
            // The scenario starts at 0 replicas (the API server would default an unset count to 1).
            if r.kind.name() == "Deployment" {
                v["spec"]["replicas"] = json!(0);
            }
            if let Some(trigger) = v.pointer_mut("/spec/triggers/0") {
                let private =
                    |suffix: String| json!({"cloud": "Private", "endpointSuffix": suffix});
                let (kind, mut meta) = match scaler {
                    DemoScaler::ServiceBus => ("azure-servicebus", trigger["metadata"].clone()),
                    DemoScaler::Queue => (
                        "azure-queue",
                        json!({"accountName": STORAGE_ACCOUNT, "queueName": "orders", "queueLength": "5"}),
                    ),
                    DemoScaler::Blob => (
                        "azure-blob",
                        json!({"accountName": STORAGE_ACCOUNT, "blobContainerName": "orders", "blobCount": "5"}),
                    ),
                    DemoScaler::EventHub => (
                        "azure-eventhub",
                        json!({"eventHubNamespace": SB_NAMESPACE, "eventHubName": "orders",
                               "storageAccountName": STORAGE_ACCOUNT,
                               "blobContainer": CHECKPOINTS, "checkpointStrategy": "goSdk",
                               "unprocessedEventThreshold": "5",
                               "storageEndpointSuffix": azure.storage_endpoint_suffix()}),
                    ),
                    DemoScaler::Monitor => ("azure-monitor", monitor_metadata(azure)),
                    DemoScaler::AppInsights => (
                        "azure-app-insights",
                        json!({"applicationInsightsId": APP_INSIGHTS_APP, "tenantId": TENANT,
                            "metricId": APP_INSIGHTS_METRIC, "metricAggregationTimespan": "0:5",
                            "metricAggregationType": "sum", "targetValue": "5",
                            "cloud": "Private", "appInsightsResourceURL": azure.app_insights_url(),
                            "activeDirectoryEndpoint": azure.authority_host()}),
                    ),
                    DemoScaler::LogAnalytics => (
                        "azure-log-analytics",
                        json!({"workspaceId": LOG_WORKSPACE, "query": LOG_QUERY, "threshold": "5",
                            "cloud": "Private", "logAnalyticsResourceURL": azure.log_analytics_url()}),
                    ),
                    DemoScaler::DataExplorer => (
                        "azure-data-explorer",
                        json!({"endpoint": azure.kusto_endpoint(KUSTO_CLUSTER), "databaseName": KUSTO_DATABASE,
                               "query": KUSTO_QUERY, "threshold": "5"}),
                    ),
                    DemoScaler::Pipelines => (
                        "azure-pipelines",
                        json!({"organizationURL": azure.devops_organization_url(DEVOPS_ORGANIZATION),
                               "poolName": AGENT_POOL, "targetPipelinesQueueLength": "5"}),
                    ),
                };
                // A cluster's endpoint is a whole URL: no cloud suffix to pick.
                let suffix = match scaler {
                    DemoScaler::ServiceBus => Some(azure.endpoint_suffix()),
                    DemoScaler::Queue => Some(azure.queue_endpoint_suffix()),
                    DemoScaler::Blob => Some(azure.blob_endpoint_suffix()),
                    DemoScaler::EventHub => Some(azure.endpoint_suffix()),
                    // Their Private cloud is named by a resource URL instead.
                    DemoScaler::Monitor | DemoScaler::LogAnalytics | DemoScaler::AppInsights => {
                        None
                    }
                    DemoScaler::DataExplorer | DemoScaler::Pipelines => None,
                };
                if let (Some(meta), Some(suffix)) = (meta.as_object_mut(), suffix) {
                    if let Some(extra) = private(suffix).as_object() {
                        meta.extend(extra.clone());
                    }
                }
                trigger["type"] = json!(kind);
                trigger["metadata"] = meta;
            }
            out.push(v);
        }
    }
    Ok(out)
}

struct Timeline {
    format: DemoFormat,
    queue: Arc<Mutex<f64>>,
}

impl Timeline {
    fn print(&self, t: f64, from: i64, replicas: i64, reason: &str) {
        let queue = self.queue.lock().map(|q| q.ceil() as i64).unwrap_or(0);
        let line = match self.format {
            DemoFormat::Json => format!(
                "{}\n",
                json!({"t": (t * 10.0).round() / 10.0, "queue": queue, "replicas": replicas, "reason": reason})
            ),
            DemoFormat::Human if from != replicas => {
                format!(
                    "{t:>6.0}s  queue {queue:>4}  replicas {from:>2} -> {replicas:<2}  {reason}\n"
                )
            }
            DemoFormat::Human => {
                format!("{t:>6.0}s  queue {queue:>4}  replicas {replicas:>2}        {reason}\n")
            }
        };
        // A reader that went away (`| head`) has what it wanted; the demo still ends cleanly.
        if let Err(e) = scalecore_cli::stdout::write(&line) {
            eprintln!("scalecore demo: {e}");
        }
    }
}

async fn demo(args: &DemoArgs) -> Result<(), DemoError> {
    // Polls at 0, 30, 60 s and HPA syncs at 5, 20, 35 s: the schedule of
    // `scalecore simulate examples/seed-servicebus-queue.json`.
    let clock = Clock::aligned(args.speed, 30);
    let azure = Arc::new(
        AzureStandin::start()
            .await
            .map_err(DemoError::AzureStandin)?,
    );
    let k8s = Arc::new(KubeStandin::start().await.map_err(DemoError::KubeStandin)?);
    azure.add_client(TENANT, CLIENT_ID);
    azure.grant_storage_reader(STORAGE_ACCOUNT, CLIENT_ID);
    azure.grant_monitoring_reader(CLIENT_ID);
    azure.grant_log_analytics_reader(CLIENT_ID);
    azure.grant_app_insights_reader(CLIENT_ID);
    azure.grant_kusto_viewer(KUSTO_CLUSTER, CLIENT_ID);
    azure.grant_devops_member(DEVOPS_ORGANIZATION, CLIENT_ID);
    azure.set_agent_pool(DEVOPS_ORGANIZATION, AGENT_POOL_ID, AGENT_POOL);
    fill(&azure, args.scaler, 0);
    for obj in seed_objects(args.scaler, &azure)? {
        k8s.apply(obj)?;
    }

    // The projected service-account token a workload-identity pod would have.
    let dir = std::env::temp_dir().join(format!("scalecore-demo-{}", std::process::id()));
    let token_file = dir.join("azure-identity-token");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&token_file, SERVICE_ACCOUNT_TOKEN))
        .map_err(|source| DemoError::TokenFile {
            dir: dir.clone(),
            source,
        })?;
    azure.set_federated_token(SERVICE_ACCOUNT_TOKEN);

    let kubeconfig = Kubeconfig::from_yaml(&k8s.kubeconfig_yaml())?;
    let config =
        kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default()).await?;
    let client = kube::Client::try_from(config)?;
    let (hpa_player, metric_names) = demo_hpa(&k8s, clock)?;
    let explain_client = client.clone();
    // The seed starts with `orders` empty.
    for m in &metric_names {
        k8s.set_external_metric("shop", "orders-worker", m, 0.0);
    }

    let settings = Settings {
        namespace: None,
        dry_run: false,
        metrics_addr: None,
        leader_election: None,
        hpa_sync_period: 15,
        cluster_object_namespace: "keda".into(),
        kube_api_concurrency: 20,
        kube_api_timeout: std::time::Duration::from_secs(30),
        namespace_poll_concurrency: 8,
        identity: "scalecore-demo".into(),
        // The stand-in is a private cloud on this machine: its CA, its suffix, and *.localhost
        // on loopback.
        azure: scalecore_azure::ClientOptions {
            extra_root_certs_pem: vec![azure.ca_pem()],
            allowed_endpoint_suffixes: vec![
                azure.endpoint_suffix(),
                azure.queue_endpoint_suffix(),
                azure.blob_endpoint_suffix(),
                azure.resource_manager_suffix(),
                azure.log_analytics_suffix(),
                azure.app_insights_suffix(),
                azure.kusto_endpoint_suffix(),
                azure.devops_endpoint_suffix(),
            ],
            resolve_localhost_to_loopback: true,
            ..scalecore_azure::ClientOptions::default()
        },
        workload_identity: scalecore_azure::WorkloadIdentityEnv {
            client_id: Some(CLIENT_ID.into()),
            tenant_id: Some(TENANT.into()),
            federated_token_file: Some(token_file.clone()),
            authority_host: azure.authority_host(),
        },
        lint: LintOptions::default(),
        clock,
    };
    let (decisions, mut seen) = broadcast::channel::<Decision>(1024);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let host = tokio::spawn(run::serve(settings, client, decisions, async {
        let _ = stop_rx.await;
    }));

    let queue = Arc::new(Mutex::new(0.0_f64));
    let timeline = Timeline {
        format: args.format,
        queue: queue.clone(),
    };
    let initial = k8s
        .get("apps/v1", "Deployment", Some("shop"), "orders-worker")
        .and_then(|d| d.pointer("/spec/replicas").and_then(Value::as_i64))
        .unwrap_or(0);
    timeline.print(
        0.0,
        initial,
        initial,
        &format!(
            "start: the seed applied ({}), `orders` empty",
            args.scaler.service()
        ),
    );

    // Producer and worker, one step per timeline second.
    let sim = {
        let (queue, azure, k8s, scaler) = (queue.clone(), azure.clone(), k8s.clone(), args.scaler);
        let metric_names = metric_names.clone();
        let polling = hpa_player.polling_interval();
        let (messages, rate) = (f64::from(args.messages), args.rate);
        tokio::spawn(async move {
            let mut second = 0_u64;
            let mut produced = false;
            loop {
                tokio::time::sleep_until(tokio::time::Instant::from_std(
                    clock.instant_at(clock.now() + 1),
                ))
                .await;
                second += 1;
                let ready = k8s
                    .get("apps/v1", "Deployment", Some("shop"), "orders-worker")
                    .and_then(|d| d.pointer("/status/readyReplicas").and_then(Value::as_f64))
                    .unwrap_or(0.0);
                let depth = {
                    let Ok(mut q) = queue.lock() else { return };
                    if !produced && clock.elapsed() >= 10.0 {
                        *q += messages;
                        produced = true;
                    }
                    *q = (*q - ready * rate).max(0.0);
                    q.ceil() as i64
                };
                fill(&azure, scaler, depth);
                // What the metrics API serves the HPA: the host reads each queue once per
                // pollingInterval, so the value of the last poll.
                if clock.now().rem_euclid(polling) == 0 {
                    for m in &metric_names {
                        k8s.set_external_metric("shop", "orders-worker", m, depth as f64);
                    }
                }
                let _ = second;
            }
        })
    };

    let player = tokio::spawn(hpa_player.run(clock, explain_client.clone()));
    let start = clock.now();
    let limit = start + i64::try_from(args.duration).unwrap_or(900);
    let explain = args.explain_at.map(|at| {
        let at = start.saturating_add(i64::try_from(at).unwrap_or(i64::MAX));
        tokio::spawn(explain_at(explain_client.clone(), clock, at))
    });
    let mut drained_once = false;
    loop {
        let deadline = tokio::time::Instant::from_std(clock.instant_at(limit));
        let d = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            d = seen.recv() => d,
        };
        let Ok(d) = d else { continue };
        if d.name != "orders-worker" || d.namespace != "shop" {
            continue;
        }
        let reason = d.reason.lines().next().unwrap_or_default().to_owned();
        timeline.print(d.elapsed, d.from, d.replicas, &reason);
        if d.replicas > 0 {
            drained_once = true;
        }
        let empty = queue.lock().map(|q| *q <= 0.0).unwrap_or(false);
        if drained_once && empty && d.replicas == 0 {
            break;
        }
    }
    sim.abort();
    player.abort();
    if let Some(task) = explain {
        if task.is_finished() {
            let _ = task.await;
        } else {
            task.abort();
            eprintln!("scalecore demo: the timeline ended before --explain-at");
        }
    }
    let _ = stop_tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), host).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let DemoFormat::Human = args.format {
        let stats = azure.token_requests();
        let _ = scalecore_cli::stdout::write(&format!(
            "\ndone: {} answered over HTTPS, Entra issued {stats} token(s), Kubernetes saw every /scale write.\n\
             The same decisions, offline: scalecore simulate examples/seed-servicebus-queue.json\n",
            args.scaler.service()
        ));
    }
    Ok(())
}

/// Puts `depth` work items where the demo's scaler reads them.
fn fill(azure: &AzureStandin, scaler: DemoScaler, depth: i64) {
    match scaler {
        DemoScaler::ServiceBus => azure.set_queue(SB_NAMESPACE, "orders", depth),
        DemoScaler::Queue => azure.set_storage_queue(STORAGE_ACCOUNT, "orders", depth, 0),
        DemoScaler::Blob => {
            let names: Vec<String> = (0..depth).map(|n| format!("order-{n:04}.json")).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            azure.set_blobs(STORAGE_ACCOUNT, "orders", &names);
        }
        DemoScaler::AppInsights => {
            azure.set_app_metric(APP_INSIGHTS_APP, APP_INSIGHTS_METRIC, Some(depth as f64))
        }
        DemoScaler::LogAnalytics => azure.set_log_query_count(LOG_WORKSPACE, LOG_QUERY, depth),
        DemoScaler::Monitor => {
            azure.set_metric(&monitor_resource_id(), "ActiveMessages", depth as f64)
        }
        DemoScaler::EventHub => fill_event_hub(azure, depth),
        DemoScaler::DataExplorer => {
            azure.set_kusto_count(KUSTO_CLUSTER, KUSTO_DATABASE, KUSTO_QUERY, depth)
        }
        DemoScaler::Pipelines => azure.set_queued_jobs(
            DEVOPS_ORGANIZATION,
            AGENT_POOL_ID,
            usize::try_from(depth).unwrap_or(0),
            0,
            &[],
        ),
    }
}

/// The event hub demo's partitions (KEDA scales to at most one replica a partition).
const PARTITIONS: i64 = 10;
/// Where the demo's consumers keep their checkpoints (the Go SDK's layout: one blob a partition).
const CHECKPOINTS: &str = "orders-checkpoints";

/// Spreads `depth` unprocessed events over the partitions: a partition behind by more than
/// it holds gets new events, then its consumer's checkpoint is set `want` short of its last.
fn fill_event_hub(azure: &AzureStandin, depth: i64) {
    for p in 0..PARTITIONS {
        let index = usize::try_from(p).unwrap_or(0);
        let want = depth / PARTITIONS + i64::from(p < depth % PARTITIONS);
        let (_, last) = azure
            .partition(SB_NAMESPACE, "orders", index)
            .unwrap_or((0, -1));
        if want > last + 1 {
            azure.send_events(SB_NAMESPACE, "orders", index, want - (last + 1));
        } else if last < 0 {
            azure.set_partition(SB_NAMESPACE, "orders", index, 0, -1);
            continue;
        }
        let (_, last) = azure
            .partition(SB_NAMESPACE, "orders", index)
            .unwrap_or((0, -1));
        azure.set_blob(
            STORAGE_ACCOUNT,
            CHECKPOINTS,
            &p.to_string(),
            &json!({"partitionID": p.to_string(), "epoch": 0, "owner": "",
                    "checkpoint": {"sequenceNumber": last - want, "enqueueTime": ""},
                    "state": "", "token": ""})
            .to_string(),
            &[],
        );
    }
}

const APP_INSIGHTS_APP: &str = "00000000-0000-0000-0000-0000000a1b2c";
const APP_INSIGHTS_METRIC: &str = "customMetrics/OrdersQueued";
const LOG_WORKSPACE: &str = "00000000-0000-0000-0000-0000000010a5";
const LOG_QUERY: &str = "OrdersQueued_CL | where State == 'queued' | summarize count()";

const MONITOR_SUBSCRIPTION: &str = "00000000-0000-0000-0000-00000000c0de";

fn monitor_resource_id() -> String {
    format!("/subscriptions/{MONITOR_SUBSCRIPTION}/resourceGroups/shop/providers/Microsoft.ServiceBus/namespaces/{SB_NAMESPACE}")
}

/// The seed namespace's ActiveMessages (the Average of the last minute) through the stand-in's
/// Resource Manager, the workload identity of the seed's TriggerAuthentication.
fn monitor_metadata(azure: &AzureStandin) -> Value {
    json!({"resourceURI": format!("Microsoft.ServiceBus/namespaces/{SB_NAMESPACE}"),
        "tenantId": TENANT, "subscriptionId": MONITOR_SUBSCRIPTION, "resourceGroupName": "shop",
        "metricName": "ActiveMessages", "metricAggregationType": "Average", "targetValue": "5",
        "cloud": "Private", "azureResourceManagerEndpoint": azure.resource_manager_endpoint()})
}
/// The HPA KEDA would have made for the seed's ScaledObject, and the metric names it reads.
fn demo_hpa(
    k8s: &Arc<KubeStandin>,
    clock: Clock,
) -> Result<(hpa::HpaPlayer, Vec<String>), DemoError> {
    let so = k8s
        .get(
            "keda.sh/v1alpha1",
            "ScaledObject",
            Some("shop"),
            "orders-worker",
        )
        .and_then(|v| run::objects::scaled_object(&v, &LintOptions::default()))
        .ok_or_else(|| DemoError::Seed("the seed has no ScaledObject orders-worker".into()))?;
    let player = hpa::HpaPlayer::create(k8s.clone(), so, clock.now())?;
    let names = player.metrics().to_vec();
    Ok((player, names))
}

/// `scalecore explain`'s answer at timeline time `at`, as one JSON line.
async fn explain_at(client: kube::Client, clock: Clock, at: i64) {
    tokio::time::sleep_until(tokio::time::Instant::from_std(clock.instant_at(at))).await;
    let line = match crate::explain::explain(&client, "shop", "orders-worker", clock.now()).await {
        Ok(report) => json!({"explain": report}),
        Err(e) => json!({"explain": {"error": e.to_string()}}),
    };
    if let Err(e) = scalecore_cli::stdout::write(&format!("{line}\n")) {
        eprintln!("scalecore demo: {e}");
    }
}
