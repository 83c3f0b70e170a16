//! Azure Service Bus runtime counts for `scalecore run`: the value KEDA's `azure-servicebus`
//! scaler reports (ActiveMessageCount of a queue or subscription, or the aggregate over regex
//! matches), read from the management (Atom) REST API with a connection string (SAS) or
//! workload identity; and KEDA's `azure-queue` and `azure-blob` values from the Queue and Blob
//! service REST APIs (Shared Key, SAS or workload identity). Results are shared between
//! ScaledObjects polling the same entity.

pub mod app_insights;
pub mod atom;
mod auth;
mod coalesce;
pub mod connection_string;
mod credential;
mod data_explorer;
mod endpoint;
mod entra;
mod error;
mod http;
mod identity;
pub mod log_analytics;
mod management;
pub mod monitor;
mod pipelines;
mod recent;
pub mod sas;
mod secret;
mod stats;
pub mod storage_blob;
pub mod storage_queue;
pub mod transport;
// `scalecore doctor --azure`: managed identities and their federated credentials.
pub mod arm;

pub mod eventhub;

use std::sync::Arc;
use std::time::Duration;

use scalecore::scalers::azure_app_insights::AppInsightsConfig;
use scalecore::scalers::azure_blob::AzureBlobConfig;
use scalecore::scalers::azure_data_explorer::DataExplorerConfig;
use scalecore::scalers::azure_log_analytics::LogAnalyticsConfig;
use scalecore::scalers::azure_monitor::AzureMonitorConfig;
use scalecore::scalers::azure_pipelines::AzurePipelinesConfig;
use scalecore::scalers::azure_queue::AzureQueueConfig;
use scalecore::scalers::servicebus::ServiceBusConfig;

use scalecore::scalers::azure_eventhub::AzureEventHubConfig;

pub use auth::{Auth, IdentityOverrides};
pub use endpoint::{EndpointPolicy, InvalidSuffix};
pub use error::{Error, ScalerError};
pub use identity::{WorkloadIdentityEnv, DEFAULT_AUTHORITY_HOST, SERVICE_BUS_SCOPE, STORAGE_SCOPE};
pub use management::ServiceBusEntity;
pub use secret::Secret;
pub use stats::Stats;

/// The management API version every request carries.
pub const API_VERSION: &str = "2021-05";

/// Network behaviour. KEDA's defaults: 3 s per attempt (KEDA_HTTP_DEFAULT_TIMEOUT), 3 retries.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Per attempt, connection and body included.
    pub timeout: Duration,
    /// Further attempts after a transient failure (408/429/500/502/503/504, timeout, transport).
    pub retries: u32,
    /// First backoff; doubled per retry. A server's Retry-After / retry-after-ms wins.
    pub retry_delay: Duration,
    /// Cap on any single wait between attempts (backoff and Retry-After alike).
    pub max_retry_delay: Duration,
    /// PEM certificates trusted besides the system store (which honours SSL_CERT_FILE / SSL_CERT_DIR).
    pub extra_root_certs_pem: Vec<Vec<u8>>,
    /// Service Bus requests in flight at once, across every namespace. Polls of many
    /// ScaledObjects land on the same tick; each request over HTTP/1.1 holds a TLS connection.
    pub max_concurrent_requests: usize,
    /// DNS suffixes a Service Bus or Storage request may go to (`servicebus.windows.net`,
    /// `queue.core.windows.net`, or `servicebus.localhost:8443` with a port). A host must end with `.<suffix>` at a
    /// label boundary (case-insensitive) and use the suffix's port (443 when it names none);
    /// anything else is refused before a token or signature is attached.
    pub allowed_endpoint_suffixes: Vec<String>,
    /// Maps `localhost` and every name under `.localhost` to 127.0.0.1 without asking DNS
    /// (RFC 6761 §6.3), for stand-ins on this machine. Off: every name goes to the system resolver.
    pub resolve_localhost_to_loopback: bool,
    /// Cached access tokens, signatures and results unused this long are dropped, so what a
    /// deleted ScaledObject (or a tenant's one-off TriggerAuthentication) used does not stay.
    /// Longer than any polling interval in use, or its tokens are requested again each poll.
    pub forget_unused_after: Duration,
}

/// The Service Bus, Queue Storage and Blob Storage suffixes of Azure's public, US Government and China
/// clouds (KEDA's cloud table without the retired German cloud).
pub const PUBLIC_CLOUD_ENDPOINT_SUFFIXES: [&str; 14] = [
    "servicebus.windows.net",
    "servicebus.usgovcloudapi.net",
    "servicebus.chinacloudapi.cn",
    "queue.core.windows.net",
    "queue.core.usgovcloudapi.net",
    "queue.core.chinacloudapi.cn",
    "blob.core.windows.net",
    "blob.core.usgovcloudapi.net",
    "blob.core.chinacloudapi.cn",
    // Azure Data Explorer clusters (and their token resource, kusto.kusto.<suffix>).
    "kusto.windows.net",
    "kusto.usgovcloudapi.net",
    "kusto.chinacloudapi.cn",
    // Azure DevOps organizations: `dev.azure.com/<org>` (the host itself is allowed for
    // these) and the older `<org>.visualstudio.com`.
    "dev.azure.com",
    "visualstudio.com",
];

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(3),
            retries: 3,
            retry_delay: Duration::from_millis(800),
            max_retry_delay: Duration::from_secs(60),
            extra_root_certs_pem: Vec::new(),
            max_concurrent_requests: 16,
            allowed_endpoint_suffixes: PUBLIC_CLOUD_ENDPOINT_SUFFIXES
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            resolve_localhost_to_loopback: false,
            forget_unused_after: Duration::from_secs(15 * 60),
        }
    }
}

/// The Service Bus client of one process. Cheap to clone; clones share connections, tokens,
/// signatures and the result cache.
#[derive(Clone)]
pub struct ServiceBus {
    inner: Arc<management::Inner>,
}

impl std::fmt::Debug for ServiceBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceBus").finish_non_exhaustive()
    }
}

impl ServiceBus {
    pub fn new(options: ClientOptions, identity: WorkloadIdentityEnv) -> Result<ServiceBus, Error> {
        Ok(ServiceBus {
            inner: Arc::new(management::Inner::new(options, identity)?),
        })
    }

    /// KEDA's GetMetricsAndActivity value for one trigger: ActiveMessageCount of the queue /
    /// subscription, or the aggregate over regex matches (all pages). A result for the same
    /// (credential, namespace host, entity or listing) fetched less than `max_age` ago, or in
    /// flight, is shared: N ScaledObjects on one queue cost one request per interval.
    pub async fn active_message_count(
        &self,
        config: &ServiceBusConfig,
        auth: &Auth,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let entity = self.inner.service_bus_entity(config, auth)?;
        self.inner
            .active_message_count(&entity, config, auth, max_age)
            .await
    }

    /// The key one trigger's results are shared under (after the credential and allowed-suffix
    /// checks), worked out once instead of at every poll.
    pub fn service_bus_entity(
        &self,
        config: &ServiceBusConfig,
        auth: &Auth,
    ) -> Result<ServiceBusEntity, ScalerError> {
        self.inner.service_bus_entity(config, auth)
    }

    /// [`ServiceBus::active_message_count`] with the entity's key from
    /// [`ServiceBus::service_bus_entity`] for the same config and auth.
    pub async fn entity_active_message_count(
        &self,
        entity: &ServiceBusEntity,
        config: &ServiceBusConfig,
        auth: &Auth,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        self.inner
            .active_message_count(entity, config, auth, max_age)
            .await
    }

    /// KEDA's azure-queue value: the queue's approximate message count, or with
    /// `queueLengthStrategy: visibleonly` the visible messages peeked when fewer than 32.
    /// Shared like `active_message_count`: one fetch per (credential, queue, strategy) per
    /// `max_age`, on the same connections, tokens and request limit.
    pub async fn queue_length(
        &self,
        config: &AzureQueueConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        self.inner.queue_length(config, overrides, max_age).await
    }

    /// KEDA's azure-blob value: the blobs under the prefix (a hierarchical listing by
    /// `blobDelimiter`), or with `globPattern` those of a flat listing whose names match, over
    /// every page. Shared like the others.
    pub async fn blob_count(
        &self,
        config: &AzureBlobConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        self.inner.blob_count(config, overrides, max_age).await
    }

    /// KEDA's azure-monitor value: the last data point of the metric's first time series for
    /// the aggregation, from Azure Resource Manager's Metrics - List. Shared like the others:
    /// one fetch per (credential, resource, metric, filter, aggregation, window) per `max_age`.
    pub async fn monitor_metric(
        &self,
        config: &AzureMonitorConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        self.inner.monitor_metric(config, overrides, max_age).await
    }

    /// KEDA's azure-log-analytics value: the first column of the query's one row, from the
    /// Log Analytics query API. Shared: one query per (credential, workspace, query) per
    /// `max_age`.
    pub async fn log_analytics_value(
        &self,
        config: &LogAnalyticsConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        self.inner
            .log_analytics_value(config, overrides, max_age)
            .await
    }

    /// KEDA's azure-app-insights value: `value[metricId][aggregation]` from the Application
    /// Insights metrics API. Shared: one request per (credential, app, metric, aggregation,
    /// filter, timespan) per `max_age`.
    pub async fn app_insights_value(
        &self,
        config: &AppInsightsConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        self.inner
            .app_insights_value(config, overrides, max_age)
            .await
    }

    /// KEDA's azure-data-explorer value: the first column of the single row of the query's
    /// first primary result (int, long or real, not negative). Shared like the others: one
    /// query per (credential, cluster, database, query) per `max_age`.
    pub async fn data_explorer_value(
        &self,
        config: &DataExplorerConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<f64, ScalerError> {
        self.inner
            .data_explorer_value(config, overrides, max_age)
            .await
    }

    /// KEDA's azure-pipelines value: the pool's queued job requests (not finished, not received
    /// by an agent) matching `parent` or `demands`. The pool is found by name or checked by ID
    /// once; each poll is one job requests read, shared like the others.
    pub async fn pipelines_queue_length(
        &self,
        config: &AzurePipelinesConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        self.inner
            .pipelines_queue_length(config, overrides, max_age)
            .await
    }

    /// Counters for metrics and benchmarks.
    pub fn stats(&self) -> Stats {
        self.inner.stats.snapshot()
    }

    /// KEDA's azure-eventhub value: the unprocessed events of the consumer group summed over
    /// the hub's partitions (each from its runtime information and its checkpoint blob),
    /// capped at one `unprocessedEventThreshold` per partition, and active when the whole sum
    /// exceeds `activationUnprocessedEventThreshold`. Shared like the others: one read of the
    /// hub, each partition and each checkpoint per (hub, group, store) per `max_age`.
    pub async fn event_hub_lag(
        &self,
        config: &AzureEventHubConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<eventhub::HubLag, ScalerError> {
        self.inner.event_hub_lag(config, overrides, max_age).await
    }
}
