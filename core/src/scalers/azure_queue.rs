//! `azure-queue`: the approximate message count of a storage queue
//! (`pkg/scalers/azure_queue_scaler.go`, `azureQueueMetadata` and `parseAzureQueueMetadata`).
//! The account is reached with a connection string, or with workload identity and
//! `accountName`; `cloud` / `endpointSuffix` pick the queue endpoint suffix either way.
//!
//! Valid: the connection string in the container's env.
//! ```yaml
//! - type: azure-queue
//!   metadata:
//!     queueName: orders
//!     queueLength: "10"
//!     connectionFromEnv: STORAGE_CONNECTION
//! ```
//! Invalid: workload identity without the account ("no accountName given").
//! ```yaml
//! - type: azure-queue
//!   metadata:
//!     queueName: orders
//!   authenticationRef:
//!     name: workload-identity   # podIdentity.provider: azure-workload
//! ```

use super::azure_storage::{Secret, StorageAuth};
use super::cloud::{self, Service};
use super::typed::{self, Param, A, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-queue"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("activationQueueLength", &[M], INT64).default("0"),
    Param::new("queueName", &[M], STRING),
    Param::new("queueLength", &[M], INT64).default("5"),
    Param::new("connection", &[A, M, E], STRING).optional(),
    Param::new("accountName", &[M], STRING).optional(),
    Param::new("endpointSuffix", &[M], STRING).optional(),
    Param::new("queueLengthStrategy", &[M], STRING)
        .one_of(&["all", "visibleonly"])
        .default("all"),
];

/// What the scaler polls with: the queue, how it is counted, how the account is reached.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureQueueConfig {
    pub queue_name: String,
    /// `queueLengthStrategy: visibleonly`: peek up to 32 messages first and count those when
    /// fewer; otherwise (and from 32 on) the approximate count of the queue's properties.
    pub visible_only: bool,
    pub auth: StorageAuth,
    /// `queue.<storage suffix of cloud>`, or `endpointSuffix` as written for `Private`.
    pub endpoint_suffix: String,
    pub metric: ScalerMetric,
}

impl AzureQueueConfig {
    /// The queue's URL (`None` for a connection string naming no account).
    pub fn queue_url(&self) -> Option<String> {
        let service = self.auth.service_url("queue", &self.endpoint_suffix)?;
        Some(format!("{service}/{}", self.queue_name))
    }
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input).map(|c| c.metric)
}

/// `NewAzureQueueScaler` up to the client: metric type, typed config, endpoint suffix, then
/// what the pod identity requires.
pub fn config(input: &TriggerInput<'_>) -> Result<AzureQueueConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, |_| Ok(()))?;
    let endpoint_suffix =
        cloud::suffix(input.metadata, Service::Storage("queue")).map_err(|e| vec![e])?;
    let auth = match input.pod_identity.unwrap_or("") {
        "" | "none" => match p.str("connection") {
            "" => return Err(vec![missing("connection", "no connection setting given")]),
            c => StorageAuth::ConnectionString(Secret::new(c)),
        },
        "azure-workload" => match p.str("accountName") {
            "" => return Err(vec![missing("accountName", "no accountName given")]),
            a => StorageAuth::WorkloadIdentity {
                account_name: a.to_owned(),
            },
        },
        other => {
            return Err(vec![typed::error(
                "",
                ErrorKind::PodIdentity,
                format!("pod identity {other} not supported for azure storage queues"),
            )])
        }
    };
    let queue_name = p.str("queueName").to_owned();
    Ok(AzureQueueConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(input.index, &format!("azure-queue-{queue_name}")),
            metric_type,
            target: p.int("queueLength") as f64,
            activation: p.int("activationQueueLength") as f64,
        },
        visible_only: p.str("queueLengthStrategy").eq_ignore_ascii_case("visibleonly"),
        queue_name,
        auth,
        endpoint_suffix,
    })
}

fn missing(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    fn config_of(
        meta: &[(&str, &str)],
        env: &[(&str, &str)],
        identity: Option<&str>,
    ) -> Result<AzureQueueConfig, Vec<ScalerError>> {
        crate::scalers::azure_storage::with_input("azure-queue", meta, env, identity, config)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let conn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5";
        let meta = [
            ("queueName", "orders"),
            ("queueLength", "10"),
            ("connectionFromEnv", "STORAGE_CONNECTION"),
        ];
        let ok = Trigger::new("azure-queue")
            .meta(&meta)
            .env(&[("STORAGE_CONNECTION", conn)]);
        assert!(ok.messages().is_empty());
        let c = config_of(&meta, &[("STORAGE_CONNECTION", conn)], None).unwrap();
        assert_eq!(
            (c.metric.metric_name.as_str(), c.metric.target),
            ("s0-azure-queue-orders", 10.0)
        );
        assert_eq!(
            c.queue_url().as_deref(),
            Some("https://acct.queue.core.windows.net/orders")
        );
        assert!(!format!("{c:?}").contains("a2V5"));
        let bad = Trigger::new("azure-queue")
            .meta(&[("queueName", "orders")])
            .pod_identity("azure-workload");
        assert_eq!(bad.messages(), vec!["no accountName given"]);
    }

    /// `testAzQueueMetadata`: the workload identity rows and the cloud.
    #[test]
    fn workload_identity_and_clouds() {
        let meta = |extra: &[(&'static str, &'static str)]| {
            let mut meta = vec![("accountName", "acct"), ("queueName", "q")];
            meta.extend_from_slice(extra);
            meta
        };
        let wi = |extra: &[(&'static str, &'static str)]| {
            Trigger::new("azure-queue")
                .meta(&meta(extra))
                .pod_identity("azure-workload")
        };
        let wi_config = |extra: &[(&'static str, &'static str)]| {
            config_of(&meta(extra), &[], Some("azure-workload"))
        };
        let c = wi_config(&[("cloud", "AzureChinaCloud"), ("queueLengthStrategy", "visibleonly")]);
        let c = c.unwrap();
        assert_eq!(c.endpoint_suffix, "queue.core.chinacloudapi.cn");
        assert!(c.visible_only);
        assert_eq!(
            c.queue_url().as_deref(),
            Some("https://acct.queue.core.chinacloudapi.cn/q")
        );
        let private = wi_config(&[("cloud", "Private"), ("endpointSuffix", "queue.local")]);
        assert_eq!(private.unwrap().endpoint_suffix, "queue.local");
        assert_eq!(
            wi(&[("cloud", "Private")]).messages(),
            vec!["endpointSuffix must be provided for Private cloud type"]
        );
        assert_eq!(
            wi(&[("cloud", "InvalidCloud")]).messages(),
            vec!["invalid cloud environment InvalidCloud"]
        );
        assert_eq!(
            wi(&[("queueLengthStrategy", "some")]).messages().len(),
            1
        );
        let aws = Trigger::new("azure-queue")
            .meta(&[("queueName", "q")])
            .pod_identity("aws");
        assert_eq!(
            aws.messages(),
            vec!["pod identity aws not supported for azure storage queues"]
        );
    }

    /// `azQueueMetricIdentifiers`.
    #[test]
    fn metric_names() {
        let by_connection = Trigger::new("azure-queue")
            .meta(&[
                ("connectionFromEnv", "CONNECTION"),
                ("queueName", "sample"),
                ("queueLength", "5"),
            ])
            .env(&[("CONNECTION", "SAMPLE")]);
        let by_identity = Trigger::new("azure-queue")
            .meta(&[("accountName", "sample_acc"), ("queueName", "sample_queue")])
            .pod_identity("azure-workload")
            .index(1);
        let name = |t: Trigger| t.parse().unwrap().metric_name;
        assert_eq!(name(by_connection), "s0-azure-queue-sample");
        assert_eq!(name(by_identity), "s1-azure-queue-sample_queue");
    }

}
