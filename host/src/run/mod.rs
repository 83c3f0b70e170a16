//! `scalecore run`: the in-cluster host. Watches KEDA's ScaledObjects, polls Azure Service Bus,
//! and scales the targets through `/scale`, with every decision made by the core's engine.

mod authstore;
pub(crate) mod clock;
mod controller;
pub(crate) mod jobs;
mod kubeapi;
mod lease;
pub(crate) mod objects;
mod resolving;
mod resources;
mod status;
mod targets;
mod telemetry;
mod triggers;
mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::Client;
use scalecore::validate::LintOptions;
use tokio::sync::{broadcast, watch};

pub use clock::Clock;
pub use telemetry::Metrics;
pub use worker::Decision;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Args, Clone, Debug)]
pub struct RunArgs {
    /// kubeconfig to use; without it: $KUBECONFIG, ~/.kube/config, then the in-cluster
    /// service account.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Only ScaledObjects (and TriggerAuthentications) of this namespace.
    #[arg(long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Shadow mode: poll and decide, log every decision, write nothing to the cluster.
    #[arg(long)]
    pub dry_run: bool,
    /// Log lines as text or as one JSON object per line (RUST_LOG filters, default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Where /metrics, /healthz and /readyz are served (plain HTTP, no authentication: bind
    /// 127.0.0.1:PORT to keep them inside the pod, and see the NetworkPolicy in deploy/).
    #[arg(long, value_name = "ADDR", default_value = "0.0.0.0:8080")]
    pub metrics_addr: SocketAddr,
    /// Run without a Lease (only when exactly one host runs).
    #[arg(long)]
    pub no_leader_election: bool,
    /// The Lease replicas compete for.
    #[arg(long, value_name = "NAME", default_value = "scalecore-leader")]
    pub lease_name: String,
    /// Namespace of the Lease; default: $POD_NAMESPACE, else `default`.
    #[arg(long, value_name = "NS")]
    pub lease_namespace: Option<String>,
    /// Seconds a standby waits, from the last change it saw to the Lease, before it takes
    /// the Lease over. The leader renews every 2/15 of this and stops writing when it has not
    /// renewed within 2/3 of it (client-go's 15 s / 10 s / 2 s).
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub lease_duration: u64,
    /// Deadline of each Kubernetes API call (watches aside), seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub kube_api_timeout: u64,
    /// This host's name in the Lease and in Events; default: $POD_NAME, else $HOSTNAME.
    #[arg(long, value_name = "NAME")]
    pub identity: Option<String>,
    /// The HPA controller's sync period, seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 15)]
    pub hpa_sync_period: i64,
    /// Per-attempt timeout of Azure calls (KEDA_HTTP_DEFAULT_TIMEOUT), milliseconds.
    #[arg(
        long,
        value_name = "MS",
        env = "KEDA_HTTP_DEFAULT_TIMEOUT",
        default_value_t = 3000
    )]
    pub http_timeout: u64,
    /// Namespace whose Secrets ClusterTriggerAuthentications read.
    #[arg(
        long,
        value_name = "NS",
        env = "KEDA_CLUSTER_OBJECT_NAMESPACE",
        default_value = "keda"
    )]
    pub cluster_object_namespace: String,
    /// PEM file of extra CA certificates to trust for Azure endpoints (a TLS-inspecting
    /// proxy, a private cloud). $SSL_CERT_FILE is honoured too.
    #[arg(long, value_name = "PATH")]
    pub azure_ca_file: Option<PathBuf>,
    /// DNS suffix a Service Bus namespace, storage account (queue, blob), Data Explorer
    /// cluster or Azure DevOps organization may be under (repeat for several; a `:port` allows that port, otherwise only
    /// 443). The Entra access token, SAS and Shared Key signatures are sent only to hosts
    /// strictly under one of them, whatever a trigger's `endpointSuffix`, `endpoint`,
    /// `organizationURL` or a connection string's Endpoint / QueueEndpoint / BlobEndpoint says.
    /// Given at all, the list replaces the default: Azure's public, US Government and China clouds
    /// (servicebus.windows.net, servicebus.usgovcloudapi.net, servicebus.chinacloudapi.cn,
    /// queue.core.* and blob.core.* under windows.net, usgovcloudapi.net and chinacloudapi.cn,
    /// kusto.windows.net, kusto.usgovcloudapi.net, kusto.chinacloudapi.cn, and Azure DevOps'
    /// dev.azure.com (which an organization URL may name itself) and visualstudio.com).
    #[arg(long = "allowed-endpoint-suffix", value_name = "SUFFIX")]
    pub allowed_endpoint_suffixes: Vec<String>,
    /// Resolve `localhost` and every name under `.localhost` to 127.0.0.1 without asking DNS
    /// (RFC 6761), for a local stand-in such as `<ns>.servicebus.localhost`. Off: the system
    /// resolver decides.
    #[arg(long)]
    pub resolve_localhost: bool,
    /// Kubernetes API requests in flight at once (watches aside).
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub kube_api_concurrency: usize,
    /// Azure polls in flight at once per namespace (tenant), out of the process's 16: a
    /// tenant whose endpoints are slow or throttled waits on its own polls only.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub namespace_poll_concurrency: usize,
    /// Whose webhook rules decide which ScaledObjects are refused.
    #[arg(long, value_name = "X.Y.Z")]
    pub keda_version: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("cannot load the kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    /// Neither a kubeconfig nor the in-cluster service account.
    #[error("cannot load the kubeconfig: {0}")]
    InferConfig(#[from] kube::config::InferConfigError),
    #[error("cannot reach Kubernetes: {0}")]
    Client(#[from] kube::Error),
    #[error("cannot serve metrics on {addr}: {source}")]
    Metrics {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot set up the Azure client: cannot read {}: {source}", .path.display())]
    AzureCaFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot set up the Azure client: {0}")]
    Azure(#[from] scalecore_azure::Error),
    /// The same words as `lint --keda-version` (the version named, and what is expected).
    #[error("--keda-version: {0}")]
    KedaVersion(#[from] scalecore::version::VersionError),
    #[error("the Lease elector stopped")]
    ElectorStopped,
}

/// Everything `serve` needs besides the Kubernetes client.
pub struct Settings {
    pub namespace: Option<String>,
    pub dry_run: bool,
    pub metrics_addr: Option<SocketAddr>,
    pub leader_election: Option<LeaseSettings>,
    pub hpa_sync_period: i64,
    pub cluster_object_namespace: String,
    pub kube_api_concurrency: usize,
    /// Deadline of each Kubernetes API call, watches aside.
    pub kube_api_timeout: Duration,
    /// Azure polls in flight per namespace.
    pub namespace_poll_concurrency: usize,
    pub identity: String,
    pub azure: scalecore_azure::ClientOptions,
    /// AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST.
    pub workload_identity: scalecore_azure::WorkloadIdentityEnv,
    pub lint: LintOptions,
    pub clock: Clock,
}

pub struct LeaseSettings {
    pub name: String,
    pub namespace: String,
    pub duration: u64,
}

/// Installs the one TLS provider every client in the process shares.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub fn run(args: &RunArgs) -> ExitCode {
    install_tls_provider();
    init_logging(args.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scalecore: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run_async(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "scalecore run stopped");
            eprintln!("scalecore: {e}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

async fn client(kubeconfig: Option<&PathBuf>, timeout: Duration) -> Result<Client, RunError> {
    let mut config = match kubeconfig {
        Some(path) => {
            let kc = Kubeconfig::read_from(path)?;
            kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default()).await?
        }
        None => kube::Config::infer().await?,
    };
    // Each call has its own deadline (`kube_api_timeout`); these catch a connection that
    // stalls underneath. A watch may be quiet until the server ends it (kube asks for 290 s),
    // so the read timeout outlasts that, counted from the request, not from the pool.
    config.connect_timeout = Some(timeout.min(Duration::from_secs(10)));
    config.write_timeout = Some(timeout);
    config.read_timeout = Some(Duration::from_secs(300));
    config.reset_reader_on_write = true;
    Ok(Client::try_from(config)?)
}

async fn run_async(args: &RunArgs) -> Result<(), RunError> {
    let kube_api_timeout = Duration::from_secs(args.kube_api_timeout.max(1));
    let client = client(args.kubeconfig.as_ref(), kube_api_timeout).await?;
    let identity = args
        .identity
        .clone()
        .or_else(|| std::env::var("POD_NAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| format!("scalecore-{}", std::process::id()));
    let mut azure = scalecore_azure::ClientOptions {
        timeout: Duration::from_millis(args.http_timeout.max(1)),
        resolve_localhost_to_loopback: args.resolve_localhost,
        ..scalecore_azure::ClientOptions::default()
    };
    if !args.allowed_endpoint_suffixes.is_empty() {
        azure.allowed_endpoint_suffixes = args.allowed_endpoint_suffixes.clone();
    }
    if let Some(path) = &args.azure_ca_file {
        let pem = std::fs::read(path).map_err(|source| RunError::AzureCaFile {
            path: path.clone(),
            source,
        })?;
        azure.extra_root_certs_pem.push(pem);
    }
    let mut lint = LintOptions::default();
    if let Some(v) = &args.keda_version {
        lint.keda_version = v.parse()?;
    }
    let settings = Settings {
        namespace: args.namespace.clone(),
        dry_run: args.dry_run,
        metrics_addr: Some(args.metrics_addr),
        // Shadow mode writes nothing, so it needs no Lease either.
        leader_election: (!args.no_leader_election && !args.dry_run).then(|| LeaseSettings {
            name: args.lease_name.clone(),
            namespace: args
                .lease_namespace
                .clone()
                .or_else(|| std::env::var("POD_NAMESPACE").ok())
                .unwrap_or_else(|| "default".into()),
            duration: args.lease_duration.max(2),
        }),
        hpa_sync_period: args.hpa_sync_period.max(1),
        cluster_object_namespace: args.cluster_object_namespace.clone(),
        kube_api_concurrency: args.kube_api_concurrency,
        kube_api_timeout,
        namespace_poll_concurrency: args.namespace_poll_concurrency,
        identity,
        azure,
        workload_identity: scalecore_azure::WorkloadIdentityEnv::from_env(),
        lint,
        clock: Clock::new(1.0),
    };
    let (decisions, _) = broadcast::channel(1024);
    serve(settings, client, decisions, shutdown_signal()).await
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The host itself, for `scalecore run` and `scalecore demo` alike.
pub async fn serve(
    settings: Settings,
    client: Client,
    decisions: broadcast::Sender<Decision>,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), RunError> {
    let metrics = Arc::new(Metrics::new());
    if let Some(addr) = settings.metrics_addr {
        let (local, _task) = telemetry::serve(addr, metrics.clone())
            .await
            .map_err(|source| RunError::Metrics { addr, source })?;
        tracing::info!(%local, "serving /metrics, /healthz, /readyz");
    }
    let bus = scalecore_azure::ServiceBus::new(settings.azure.clone(), settings.workload_identity)?;
    let (quit_tx, quit) = watch::channel(false);
    let (gate, elector) = match &settings.leader_election {
        None => (lease::WriteGate::always_open(), None),
        Some(l) => {
            let elector = lease::Elector::new(
                client.clone(),
                &l.namespace,
                &l.name,
                &settings.identity,
                lease::Timing::from_duration(l.duration),
                settings.kube_api_timeout,
            );
            let (gate, task) = elector.start(quit.clone());
            (gate, Some(task))
        }
    };
    let kube = kubeapi::Kube::new(
        client.clone(),
        settings.cluster_object_namespace.clone(),
        Some(settings.identity.clone()),
        settings.kube_api_concurrency,
        gate.clone(),
        settings.kube_api_timeout,
    );
    let shared = Arc::new(worker::Shared {
        kube,
        bus,
        metrics: metrics.clone(),
        clock: settings.clock,
        dry_run: settings.dry_run,
        hpa_sync_period: settings.hpa_sync_period,
        decisions,
        tick_slots: tokio::sync::Semaphore::new(64),
        pods: resources::Snapshots::default(),
        targets: targets::Targets::default(),
        tenants: worker::Tenants::new(settings.namespace_poll_concurrency),
        starting: tokio::sync::Semaphore::new(32),
        lint: settings.lint.clone(),
        auths: authstore::AuthStore::default(),
    });
    let lead = lead(shared, settings.lint, settings.namespace, gate, quit);
    tokio::pin!(lead);
    tokio::select! {
        r = &mut lead => return r,
        _ = shutdown => {}
    }
    tracing::info!("shutting down");
    // The elector closes the gate before it releases the Lease; the controller stops its
    // workers without waiting for their ticks.
    quit_tx.send_replace(true);
    let r = lead.await;
    if let Some(task) = elector {
        let _ = task.await;
    }
    r
}

/// Runs the controller whenever the gate is open, until `quit`.
async fn lead(
    shared: Arc<worker::Shared>,
    lint: LintOptions,
    namespace: Option<String>,
    gate: lease::WriteGate,
    quit: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let metrics = shared.metrics.clone();
    let quitting = |mut q: watch::Receiver<bool>| async move {
        let _ = q.wait_for(|q| *q).await;
    };
    loop {
        // A standby is ready: it is what a rolling update replaces the leader with.
        metrics.set_ready();
        tokio::select! {
            open = gate.opened() => if !open {
                return Err(RunError::ElectorStopped);
            },
            _ = quitting(quit.clone()) => return Ok(()),
        }
        metrics.leader.set(1);
        let c = controller::Controller::new(shared.clone(), lint.clone(), namespace.clone());
        let stop = || {
            let gate = gate.clone();
            let quit = quit.clone();
            async move {
                tokio::select! {
                    _ = gate.closed() => {}
                    _ = quitting(quit) => {}
                }
            }
        };
        let scaled_jobs = jobs::run(shared.clone(), lint.clone(), namespace.clone(), stop());
        tokio::join!(c.run(stop()), scaled_jobs);
        metrics.leader.set(0);
        if *quit.borrow() {
            return Ok(());
        }
    }
}
