//! `scalecore explain scaledobject/NAME`: why a workload in a live cluster has the replicas it
//! has. Reads the cluster read-only with the user's kubeconfig, replays KEDA's loop and the HPA
//! with the core's engine from that state, and says which rule holds the replicas, what happens
//! next and when, and where the cluster disagrees with the engine. `explain scaledjob/NAME`
//! does the same for a ScaledJob's Jobs (job.rs).

mod job;
mod live;
mod replay;
mod report;

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
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
    /// What to explain: `scaledobject/NAME` (also `so/NAME`) or `scaledjob/NAME` (also
    /// `sj/NAME`).
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
    /// A ScaledJob's queue length (its triggers' value): `N` for a ScaledJob with one trigger,
    /// `INDEX=N` for each trigger otherwise. Default: the value `scalecore run` last recorded.
    #[arg(long = "value", value_name = "[INDEX=]N")]
    pub values: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExplainError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Read(#[from] live::ReadError),
    #[error("the ScaledObject cannot be read as KEDA would: {0}")]
    Invalid(String),
    #[error("{0}")]
    Config(#[from] crate::kubeconfig::ConfigError),
    #[error("{0}")]
    Client(#[from] kube::Error),
}

#[derive(Debug, PartialEq, Eq)]
enum Target<'a> {
    ScaledObject(&'a str),
    ScaledJob(&'a str),
}

/// `scaledobject/NAME` or `scaledjob/NAME`.
fn target(object: &str) -> Result<Target<'_>, ExplainError> {
    let usage = || {
        ExplainError::Usage(format!(
            "expected scaledobject/NAME or scaledjob/NAME, not {object:?}"
        ))
    };
    let (kind, name) = object.split_once('/').ok_or_else(usage)?;
    if name.is_empty() {
        return Err(usage());
    }
    match kind.to_ascii_lowercase().as_str() {
        "scaledobject" | "scaledobjects" | "so" | "scaledobject.keda.sh" => {
            Ok(Target::ScaledObject(name))
        }
        "scaledjob" | "scaledjobs" | "sj" | "scaledjob.keda.sh" => Ok(Target::ScaledJob(name)),
        _ => Err(usage()),
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
    let config =
        crate::kubeconfig::load(args.kubeconfig.as_deref(), args.context.as_deref()).await?;
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    Ok((kube::Client::try_from(config)?, namespace))
}

/// The answer as text or JSON.
async fn explain_cli(args: &ExplainArgs) -> Result<String, ExplainError> {
    let target = target(&args.object)?;
    if matches!(target, Target::ScaledObject(_)) && !args.values.is_empty() {
        return Err(ExplainError::Usage(
            "--value is for a ScaledJob: a ScaledObject's values are read from the cluster".into(),
        ));
    }
    let (client, namespace) = client(args).await?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let json = matches!(args.format, ExplainFormat::Json);
    let render = |text: String, value: serde_json::Result<String>| {
        if json {
            value.unwrap_or_default() + "\n"
        } else {
            text
        }
    };
    Ok(match target {
        Target::ScaledObject(name) => {
            let r = explain(&client, &namespace, name, now).await?;
            render(r.text(), serde_json::to_string_pretty(&r))
        }
        Target::ScaledJob(name) => {
            let r = job::explain_job(&client, &namespace, name, now, &args.values).await?;
            render(r.text(), serde_json::to_string_pretty(&r))
        }
    })
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
        Ok(text) => ExitCode::from(scalecore_cli::print(&text)),
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
        assert_eq!(
            target("scaledobject/orders").unwrap(),
            Target::ScaledObject("orders")
        );
        assert_eq!(target("so/orders").unwrap(), Target::ScaledObject("orders"));
        assert_eq!(
            target("scaledjob/batch").unwrap(),
            Target::ScaledJob("batch")
        );
        assert_eq!(target("SJ/batch").unwrap(), Target::ScaledJob("batch"));
        assert!(target("orders").is_err());
        assert!(target("sj/").is_err());
        assert!(target("deployment/x").is_err());
    }
}
