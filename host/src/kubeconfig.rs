//! The cluster a command line reads, chosen as kubectl chooses it.

use std::path::Path;
use std::time::Duration;

use kube::config::{KubeConfigOptions, Kubeconfig};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot load the kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),
    #[error("cannot load the kubeconfig: {0}")]
    Infer(#[from] kube::config::InferConfigError),
}

/// `--kubeconfig` and `--context` as kubectl reads them; without either, the in-cluster
/// service account or $KUBECONFIG / ~/.kube/config. An API server that stops answering fails
/// the command instead of hanging it.
pub async fn load(path: Option<&Path>, context: Option<&str>) -> Result<kube::Config, ConfigError> {
    let options = KubeConfigOptions {
        context: context.map(str::to_owned),
        ..KubeConfigOptions::default()
    };
    let mut config = match path {
        Some(path) => {
            kube::Config::from_custom_kubeconfig(Kubeconfig::read_from(path)?, &options).await?
        }
        None if context.is_some() => kube::Config::from_kubeconfig(&options).await?,
        None => kube::Config::infer().await?,
    };
    config.connect_timeout = Some(Duration::from_secs(10));
    config.read_timeout = Some(Duration::from_secs(30));
    config.write_timeout = Some(Duration::from_secs(30));
    Ok(config)
}
