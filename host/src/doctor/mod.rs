//! `scalecore doctor`: whether Azure workload identity can work for the ScaledObjects and
//! ScaledJobs of a live cluster, read-only through the user's kubeconfig, and (`--azure`)
//! whether the identities KEDA presents are federated with KEDA's operator.

mod checks;
mod cluster;
mod federation;
mod rules;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, ValueEnum};
use kube::Client;
use scalecore::Severity;
use serde_json::json;

use checks::Finding;

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Args, Clone, Debug)]
pub struct DoctorArgs {
    /// The ScaledObjects and ScaledJobs of this namespace; default: the context's namespace.
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Those of every namespace.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,
    /// kubeconfig to use; without it: $KUBECONFIG, ~/.kube/config, then the in-cluster
    /// service account.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use.
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Where KEDA's operator runs; default: keda, then kube-system (AKS's KEDA add-on).
    #[arg(long, value_name = "NS")]
    pub keda_namespace: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also read the federated identity credentials of the identities KEDA presents from
    /// Azure Resource Manager, with the Azure credentials of the environment (workload
    /// identity variables, or AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET).
    #[arg(long)]
    pub azure: bool,
    /// Find identities by client id among the subscription's user-assigned identities.
    #[arg(long, value_name = "ID", env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription: Option<String>,
    /// A user-assigned identity's resource id (repeat for several).
    #[arg(long = "identity-resource-id", value_name = "ID")]
    pub identity_resource_ids: Vec<String>,
    /// The cluster's OIDC issuer URL; given, each federated credential's issuer must equal it.
    #[arg(long, value_name = "URL")]
    pub oidc_issuer: Option<String>,
    /// Azure Resource Manager (another cloud's: https://management.usgovcloudapi.net/,
    /// https://management.chinacloudapi.cn/). It receives the access token, so it must be
    /// under an allowed endpoint suffix.
    #[arg(long, value_name = "URL", env = "AZURE_RESOURCE_MANAGER_ENDPOINT", default_value = scalecore_azure::arm::DEFAULT_ENDPOINT)]
    pub arm_endpoint: String,
    /// DNS suffix Resource Manager may be under (repeat for several; `:port` allows that
    /// port). Given at all, the list replaces the default: azure.com, usgovcloudapi.net,
    /// chinacloudapi.cn.
    #[arg(long = "allowed-endpoint-suffix", value_name = "SUFFIX")]
    pub allowed_endpoint_suffixes: Vec<String>,
    /// PEM file of extra CA certificates to trust for Azure endpoints.
    #[arg(long, value_name = "PATH")]
    pub azure_ca_file: Option<PathBuf>,
    /// Resolve `localhost` and names under `.localhost` to 127.0.0.1 without asking DNS.
    #[arg(long)]
    pub resolve_localhost: bool,
}

#[derive(Debug, thiserror::Error)]
enum DoctorError {
    #[error("{0}")]
    Config(#[from] crate::kubeconfig::ConfigError),
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    #[error("Azure: {0}")]
    Arm(#[from] scalecore_azure::arm::ArmError),
    #[error("{0}")]
    Usage(String),
}

pub fn run(args: &DoctorArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("scalecore doctor: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(doctor(args)) {
        Ok((findings, checked)) => {
            let text = match args.format {
                Format::Json => json_report(&findings),
                Format::Text => text_report(&findings, checked),
            };
            let printed = scalecore_cli::print(&text);
            if printed != 0 {
                return ExitCode::from(printed);
            }
            let failed = findings
                .iter()
                .any(|f| f.diagnostic.severity == Severity::Error);
            ExitCode::from(u8::from(failed))
        }
        Err(e) => {
            eprintln!("scalecore doctor: {e}");
            ExitCode::from(2)
        }
    }
}

async fn client(args: &DoctorArgs) -> Result<(Client, String), DoctorError> {
    let config =
        crate::kubeconfig::load(args.kubeconfig.as_deref(), args.context.as_deref()).await?;
    let namespace = config.default_namespace.clone();
    Ok((Client::try_from(config)?, namespace))
}

/// The findings, and what was looked at.
async fn doctor(args: &DoctorArgs) -> Result<(Vec<Finding>, Checked), DoctorError> {
    if args.azure && args.subscription.is_none() && args.identity_resource_ids.is_empty() {
        return Err(DoctorError::Usage(
            "--azure needs --subscription (or AZURE_SUBSCRIPTION_ID) or --identity-resource-id to find the identities".to_owned(),
        ));
    }
    let (client, context_namespace) = client(args).await?;
    let namespace = if args.all_namespaces {
        None
    } else {
        Some(args.namespace.clone().unwrap_or(context_namespace))
    };
    let keda_namespaces = match &args.keda_namespace {
        Some(ns) => vec![ns.clone()],
        None => vec!["keda".to_owned(), "kube-system".to_owned()],
    };
    let snapshot = cluster::read(&client, namespace.as_deref(), &keda_namespaces).await?;
    let mut findings = checks::check(&snapshot);
    if args.azure {
        let arm = arm(args)?;
        let lookup = federation::Lookup {
            arm: &arm,
            identity_resource_ids: &args.identity_resource_ids,
            subscription: args.subscription.as_deref(),
            oidc_issuer: args.oidc_issuer.as_deref(),
        };
        findings.extend(federation::check(&snapshot, &lookup).await?);
        checks::sort(&mut findings);
    }
    let checked = Checked {
        scaled: snapshot.scaled.len(),
        azure_auths: snapshot.azure_auths().len(),
    };
    Ok((findings, checked))
}

fn arm(args: &DoctorArgs) -> Result<scalecore_azure::arm::Arm, DoctorError> {
    let mut options = scalecore_azure::ClientOptions {
        resolve_localhost_to_loopback: args.resolve_localhost,
        timeout: Duration::from_secs(30),
        ..scalecore_azure::ClientOptions::default()
    };
    options.allowed_endpoint_suffixes = if args.allowed_endpoint_suffixes.is_empty() {
        scalecore_azure::arm::PUBLIC_CLOUD_SUFFIXES
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        args.allowed_endpoint_suffixes.clone()
    };
    if let Some(path) = &args.azure_ca_file {
        let pem = std::fs::read(path)
            .map_err(|e| DoctorError::Usage(format!("cannot read {}: {e}", path.display())))?;
        options.extra_root_certs_pem.push(pem);
    }
    let credential = scalecore_azure::arm::Credential::from_env()?;
    Ok(scalecore_azure::arm::Arm::new(
        options,
        &args.arm_endpoint,
        credential,
    )?)
}

/// lint's report shape: one entry per object (`Kind/namespace/name`, or an identity's
/// resource id) with its findings, and the counts.
fn json_report(findings: &[Finding]) -> String {
    let mut files: Vec<(String, Vec<&scalecore::Diagnostic>)> = Vec::new();
    for f in findings {
        match files.iter_mut().find(|(path, _)| *path == f.object) {
            Some((_, ds)) => ds.push(&f.diagnostic),
            None => files.push((f.object.clone(), vec![&f.diagnostic])),
        }
    }
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    let report = json!({
        "files": files
            .iter()
            .map(|(path, ds)| json!({"path": path, "diagnostics": ds}))
            .collect::<Vec<_>>(),
        "summary": {"errors": count(Severity::Error), "warnings": count(Severity::Warning)},
    });
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// What was looked at, for the last line of the text report.
struct Checked {
    scaled: usize,
    azure_auths: usize,
}

fn text_report(findings: &[Finding], checked: Checked) -> String {
    let mut out = String::new();
    for f in findings {
        let d = &f.diagnostic;
        out.push_str(&format!(
            "{}: {} {}: {}\n",
            f.object,
            d.severity.as_str(),
            d.code,
            d.message
        ));
        if !d.path.is_empty() {
            out.push_str(&format!("  at: {}\n", d.path));
        }
        if let Some(help) = &d.help {
            out.push_str(&format!("  fix: {help}\n"));
        }
    }
    let count = |s: Severity| {
        findings
            .iter()
            .filter(|f| f.diagnostic.severity == s)
            .count()
    };
    out.push_str(&format!(
        "{} ScaledObject(s)/ScaledJob(s) checked, {} azure-workload TriggerAuthentication(s): {} error(s), {} warning(s), {} info\n",
        checked.scaled,
        checked.azure_auths,
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}
