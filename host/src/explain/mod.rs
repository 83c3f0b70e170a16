//! `scalecore explain scaledobject/NAME`: why a workload in a live cluster has the replicas it
//! has. Reads the cluster read-only with the user's kubeconfig, replays KEDA's loop and the HPA
//! with the core's engine from that state, and says which rule holds the replicas, what happens
//! next and when, and where the cluster disagrees with the engine.

mod live;
mod replay;
mod report;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use kube::config::{KubeConfigOptions, Kubeconfig};
use scalecore::validate::LintOptions;

#[cfg(feature = "demo")]
pub use live::{external_metric, Served};
pub use report::Report;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExplainFormat {
    Text,
    Json,
}

#[derive(Args, Clone, Debug)]
pub struct ExplainArgs {
    /// What to explain: `scaledobject/NAME` (also `so/NAME`). `scaledjob/NAME` is not
    /// supported yet.
    pub object: String,
    /// The object's namespace (default: the kubeconfig context's, else `default`).
    #[arg(short = 'n', long)]
    pub namespace: Option<String>,
    /// The kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster).
    #[arg(long)]
    pub kubeconfig: Option<std::path::PathBuf>,
    /// The kubeconfig context to use (default: the current one).
    #[arg(long)]
    pub context: Option<String>,
    #[arg(long, value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Read(#[from] live::ReadError),
    #[error("the ScaledObject cannot be read as KEDA would: {0}")]
    Invalid(String),
    #[error("kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    #[error("{0}")]
    Infer(#[from] kube::config::InferConfigError),
    #[error("{0}")]
    Client(#[from] kube::Error),
}

/// `scaledobject/NAME` -> NAME.
fn scaled_object_name(object: &str) -> Result<&str, ExplainError> {
    let (kind, name) = object.split_once('/').ok_or_else(|| {
        ExplainError::Usage(format!("expected scaledobject/NAME, not {object:?}"))
    })?;
    let kind = kind.to_ascii_lowercase();
    match kind.as_str() {
        "scaledobject" | "scaledobjects" | "so" | "scaledobject.keda.sh" if !name.is_empty() => {
            Ok(name)
        }
        "scaledjob" | "scaledjobs" | "sj" | "scaledjob.keda.sh" => Err(ExplainError::Usage(
            "explaining a ScaledJob is not supported yet: the engine replays ScaledJobs in \
             `simulate` only, not from a live cluster's Jobs"
                .into(),
        )),
        _ => Err(ExplainError::Usage(format!(
            "expected scaledobject/NAME, not {object:?}"
        ))),
    }
}

/// Explains ScaledObject `namespace/name` as the cluster behind `client` shows it at `now`
/// (Unix seconds).
pub async fn explain(
    client: &kube::Client,
    namespace: &str,
    name: &str,
    now: i64,
) -> Result<Report, ExplainError> {
    let obj = live::read_scaled_object(client, namespace, name).await?;
    let so = crate::run::objects::scaled_object(&obj, &LintOptions::default())
        .ok_or_else(|| ExplainError::Invalid("it has no name".into()))?;
    if let Some(d) = so.rejected.first() {
        return Err(ExplainError::Invalid(format!("{} {}", d.code, d.message)));
    }
    let metrics: Vec<String> = scalecore::decide::Plan::new(&so.spec)
        .triggers
        .iter()
        .filter(|t| !t.resource)
        .map(|t| t.metric_name.clone())
        .collect();
    let live = live::read(
        client,
        namespace,
        obj,
        &so.spec.hpa_name(),
        &so.target,
        &metrics,
    )
    .await;
    Ok(replay::replay(&so, &live, now))
}

async fn client(args: &ExplainArgs) -> Result<(kube::Client, String), ExplainError> {
    let options = KubeConfigOptions {
        context: args.context.clone(),
        ..KubeConfigOptions::default()
    };
    let config = match &args.kubeconfig {
        Some(path) => {
            let kubeconfig = Kubeconfig::read_from(path)?;
            kube::Config::from_custom_kubeconfig(kubeconfig, &options).await?
        }
        None if args.context.is_some() => kube::Config::from_kubeconfig(&options).await?,
        None => kube::Config::infer().await?,
    };
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    Ok((kube::Client::try_from(config)?, namespace))
}

async fn explain_cli(args: &ExplainArgs) -> Result<Report, ExplainError> {
    let name = scaled_object_name(&args.object)?.to_owned();
    let (client, namespace) = client(args).await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    explain(&client, &namespace, &name, now).await
}

pub fn run(args: &ExplainArgs) -> ExitCode {
    crate::run::install_tls_provider();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scalecore explain: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(explain_cli(args)) {
        Ok(report) => {
            let text = match args.format {
                ExplainFormat::Text => report.text(),
                ExplainFormat::Json => {
                    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
                }
            };
            ExitCode::from(scalecore_cli::print(&text))
        }
        Err(e) => {
            eprintln!("scalecore explain: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_names() {
        assert_eq!(scaled_object_name("scaledobject/orders").unwrap(), "orders");
        assert_eq!(scaled_object_name("so/orders").unwrap(), "orders");
        let e = scaled_object_name("scaledjob/batch")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not supported yet"), "{e}");
        assert!(scaled_object_name("orders").is_err());
        assert!(scaled_object_name("deployment/x").is_err());
    }
}
