//! `azure-eventhub`: the unprocessed events of a consumer group, read from the hub and from
//! the checkpoints its consumers keep in blob storage (`pkg/scalers/azure_eventhub_scaler.go`,
//! `eventHubMetadata`, `parseAzureEventHubMetadata`; `pkg/scalers/azure/azure_eventhub.go`
//! `EventHubInfo` and the checkpointers of `azure_eventhub_checkpoint.go`). Without pod
//! identity both the hub and the storage take connection strings; with `azure-workload` the
//! hub is named by `eventHubNamespace` and `eventHubName`, the storage by
//! `storageAccountName` or still a connection string. `cloud` always resolves the Service
//! Bus endpoint suffix, so `Private` needs `endpointSuffix` whatever the identity.
//!
//! Valid: both connection strings in the container's env.
//! ```yaml
//! - type: azure-eventhub
//!   metadata:
//!     consumerGroup: scalers
//!     unprocessedEventThreshold: "64"
//!     connectionFromEnv: EVENTHUB_CONNECTION      # …;EntityPath=telemetry
//!     storageConnectionFromEnv: STORAGE_CONNECTION
//! ```
//! Invalid: workload identity without the hub's namespace ("no event hub namespace string
//! given").
//! ```yaml
//! - type: azure-eventhub
//!   metadata:
//!     eventHubName: telemetry
//!     storageAccountName: checkpoints
//!   authenticationRef:
//!     name: workload-identity   # podIdentity.provider: azure-workload
//! ```

use super::azure_storage::{Secret, StorageAuth};
use super::cloud::{self, Service};
use super::typed::{self, Param, Parsed, A, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-eventhub"],
    parse,
};

const THRESHOLD: &str = "unprocessedEventThreshold";

/// `azure.EventHubInfo`, an optional embedded struct: every field optional.
const EVENT_HUB_INFO: &[Param] = &[
    Param::new("connection", &[A, E], STRING),
    Param::new("consumerGroup", &[M], STRING).default("$Default"),
    Param::new("storageConnection", &[A, E], STRING),
    Param::new("storageAccountName", &[M], STRING),
    Param::new("blobContainer", &[M], STRING),
    Param::new("eventHubNamespace", &[M, E], STRING),
    Param::new("eventHubName", &[M, E], STRING),
    Param::new("checkpointStrategy", &[M], STRING),
];

const PARAMS: &[Param] = &[
    Param::new(THRESHOLD, &[M], INT64).default("64"),
    Param::new("activationUnprocessedEventThreshold", &[M], INT64).default("0"),
    Param::new("stalePartitionInfoThreshold", &[M], INT64).default("10000"),
    Param::nested(EVENT_HUB_INFO).optional(),
];

/// Where a consumer group's checkpoints are kept, by `checkpointStrategy` (`newCheckpointer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checkpoint {
    /// `azureFunction`, or no `blobContainer`: container `azure-webjobs-eventhub`, blob
    /// `<namespace>/<hub>/<consumer group>/<partition>`, JSON body.
    AzureFunction,
    /// `blobMetadata`: blob `<namespace>/<hub>/<group, lower-cased>/checkpoint/<partition>`,
    /// the sequence number in the blob's metadata.
    BlobMetadata,
    /// `goSdk`: blob `<partition>`, JSON body.
    GoSdk,
    /// `dapr`: blob `dapr-<hub>-<group>-<partition>`, JSON body.
    Dapr,
    /// Any other value with a `blobContainer`: blob `<group>/<partition>`, JSON body.
    Default,
}

/// The hub the scaler reads partitions from.
#[derive(Clone, Debug, PartialEq)]
pub enum HubAuth {
    /// The hub's connection string, `;EntityPath=<eventHubName>` appended when it had none.
    ConnectionString(Secret),
    /// Workload identity on `<eventHubNamespace>.<Service Bus suffix>` (the
    /// TriggerAuthentication's `podIdentity.identityId`, if any, picks the identity; the
    /// checkpoint store uses the same). A connection string
    /// given as well is not used to connect, but its `Endpoint` and `EntityPath` still name
    /// the checkpoint blobs (`getHubAndNamespace` prefers it).
    WorkloadIdentity {
        namespace: String,
        connection: Option<Secret>,
    },
}

/// What the scaler polls with.
#[derive(Clone, Debug, PartialEq)]
pub struct AzureEventHubConfig {
    pub hub: HubAuth,
    /// `eventHubName` as given (a connection string's `EntityPath` names the hub otherwise).
    pub event_hub_name: String,
    pub consumer_group: String,
    /// The Service Bus host suffix of `cloud` (`servicebus.windows.net` by default).
    pub service_bus_suffix: String,
    pub checkpoint: Checkpoint,
    /// The container the checkpoints are read from (`azure-webjobs-eventhub` for
    /// [`Checkpoint::AzureFunction`]).
    pub blob_container: String,
    /// The checkpoint store: a storage connection string unless workload identity is used
    /// with `storageAccountName`.
    pub storage: StorageAuth,
    /// `blob.<storage suffix>` (`storageEndpointSuffix` for `Private`), with workload
    /// identity and a storage account.
    pub blob_storage_endpoint: String,
    /// A partition whose computed lag exceeds `i64::MAX - this` is taken as stale (lag 0).
    pub stale_partition_info_threshold: i64,
    pub metric: ScalerMetric,
}

impl AzureEventHubConfig {
    /// The fully qualified namespace and hub name (`getHubAndNamespace`); `None` when a
    /// connection string lacks its `Endpoint` or `EntityPath`.
    pub fn hub_and_namespace(&self) -> Option<(String, String)> {
        match &self.hub {
            HubAuth::WorkloadIdentity {
                namespace,
                connection: None,
            } => Some((
                format!("{namespace}.{}", self.service_bus_suffix),
                self.event_hub_name.clone(),
            )),
            HubAuth::WorkloadIdentity {
                connection: Some(c),
                ..
            }
            | HubAuth::ConnectionString(c) => {
                let endpoint = c.expose().split(';').find(|p| p.starts_with("Endpoint"))?;
                let namespace = endpoint.split_once('=')?.1;
                let namespace = namespace.strip_prefix("sb://").unwrap_or(namespace);
                let namespace = namespace.strip_suffix('/').unwrap_or(namespace);
                let path = c.expose().split(';').find(|p| p.starts_with("EntityPath"))?;
                let hub = path.split_once('=')?.1;
                (!namespace.is_empty() && !hub.is_empty())
                    .then(|| (namespace.to_owned(), hub.to_owned()))
            }
        }
    }
}

impl AzureEventHubConfig {
    /// `calculateUnprocessedEvents`: the events after a partition's checkpoint. The sequence
    /// numbers wrap at `i64::MAX` (a checkpoint ahead of the partition counts the way
    /// round); a lag within `stalePartitionInfoThreshold` of `i64::MAX` means the partition
    /// info is stale, and counts 0. A partition whose last enqueued number is -1 is empty.
    pub fn unprocessed_events(&self, last_enqueued: i64, checkpoint: i64) -> i64 {
        if last_enqueued == -1 {
            return 0;
        }
        let count = if last_enqueued >= checkpoint {
            last_enqueued.wrapping_sub(checkpoint)
        } else {
            (i64::MAX.wrapping_sub(checkpoint)).wrapping_add(last_enqueued)
        };
        if count > i64::MAX.wrapping_sub(self.stale_partition_info_threshold) {
            0
        } else {
            count
        }
    }

    /// The metric value and activity for the unprocessed events of every partition
    /// (`GetMetricsAndActivity`): their sum (`i64::MAX` when it overflows), capped at
    /// `partitions × unprocessedEventThreshold` so as not to scale beyond one replica per
    /// partition; active when the sum exceeds `activationUnprocessedEventThreshold`.
    pub fn lag(&self, per_partition: &[i64]) -> (i64, bool) {
        let mut total = per_partition.iter().fold(0i64, |a, c| a.wrapping_add(*c));
        if total < 0 {
            total = i64::MAX;
        }
        let threshold = (self.metric.target as i64).max(1);
        let partitions = i64::try_from(per_partition.len()).unwrap_or(i64::MAX);
        let lag = if total / threshold > partitions {
            partitions.wrapping_mul(threshold)
        } else {
            total
        };
        (lag, total > self.metric.activation as i64)
    }
}

/// `GetUnprocessedEventCountWithoutCheckpoint`: a partition no checkpoint blob exists for
/// counts all it holds (one event when both numbers are 0, none when they are equal
/// otherwise).
pub fn unprocessed_without_checkpoint(beginning: i64, last_enqueued: i64) -> i64 {
    if (beginning == 0 && last_enqueued == 0) || beginning != last_enqueued {
        last_enqueued.wrapping_sub(beginning).wrapping_add(1)
    } else {
        0
    }
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input).map(|c| c.metric)
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.int(THRESHOLD) <= 0 {
        return Err(typed::error(
            THRESHOLD,
            ErrorKind::Invalid,
            "\"unprocessedEventThreshold\" must be a positive number",
        ));
    }
    Ok(())
}

fn missing(key: &str, message: &'static str) -> Vec<ScalerError> {
    vec![typed::error(key, ErrorKind::Missing, message)]
}

/// `NewAzureEventHubScaler` up to the clients: metric type, typed config and `Validate()`,
/// the Service Bus suffix, what the pod identity requires, then the hub client's identity
/// check.
pub fn config(input: &TriggerInput<'_>) -> Result<AzureEventHubConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let service_bus_suffix =
        cloud::suffix(input.metadata, Service::ServiceBus).map_err(|e| vec![e])?;
    let storage_connection = p.str("storageConnection");
    let account = p.str("storageAccountName");
    let event_hub_name = p.str("eventHubName").to_owned();
    let mut blob_storage_endpoint = String::new();
    let (hub, storage) = match input.pod_identity.unwrap_or("") {
        "" | "none" => {
            if storage_connection.is_empty() {
                return Err(missing(
                    "storageConnection",
                    "no storage connection string given",
                ));
            }
            let connection = p.str("connection");
            if connection.is_empty() {
                return Err(missing("connection", "no event hub connection string given"));
            }
            let mut connection = connection.to_owned();
            // A value out of view cannot be read for its EntityPath.
            if !connection.contains("EntityPath") && !typed::unseen(&connection) {
                if event_hub_name.is_empty() {
                    return Err(missing(
                        "eventHubName",
                        "connection string does not contain event hub name, and parameter \
                         eventHubName not provided",
                    ));
                }
                connection.push_str(";EntityPath=");
                connection.push_str(&event_hub_name);
            }
            (
                HubAuth::ConnectionString(Secret::new(&connection)),
                StorageAuth::ConnectionString(Secret::new(storage_connection)),
            )
        }
        "azure-workload" => {
            let storage = if account.is_empty() {
                if storage_connection.is_empty() {
                    return Err(missing(
                        "storageAccountName",
                        "no storage connection string or storage account name for pod \
                         identity based authentication given",
                    ));
                }
                StorageAuth::ConnectionString(Secret::new(storage_connection))
            } else {
                let suffix =
                    cloud::property(input.metadata, "storageEndpointSuffix", Service::Storage(""))
                        .map_err(|e| vec![e])?;
                blob_storage_endpoint = format!("blob.{suffix}");
                StorageAuth::WorkloadIdentity {
                    account_name: account.to_owned(),
                }
            };
            let namespace = p.str("eventHubNamespace");
            if namespace.is_empty() {
                return Err(missing(
                    "eventHubNamespace",
                    "no event hub namespace string given",
                ));
            }
            if event_hub_name.is_empty() {
                return Err(missing("eventHubName", "no event hub name string given"));
            }
            let connection = p.str("connection");
            let hub = HubAuth::WorkloadIdentity {
                namespace: namespace.to_owned(),
                connection: (!connection.is_empty()).then(|| Secret::new(connection)),
            };
            (hub, storage)
        }
        other => {
            return Err(vec![typed::error(
                "",
                ErrorKind::PodIdentity,
                format!("event hub does not support pod identity {other}"),
            )])
        }
    };
    let strategy = p.str("checkpointStrategy");
    let container = p.str("blobContainer");
    let checkpoint = match strategy {
        "goSdk" => Checkpoint::GoSdk,
        "dapr" => Checkpoint::Dapr,
        "blobMetadata" => Checkpoint::BlobMetadata,
        _ if strategy == "azureFunction" || container.is_empty() => Checkpoint::AzureFunction,
        _ => Checkpoint::Default,
    };
    let blob_container = match checkpoint {
        Checkpoint::AzureFunction => "azure-webjobs-eventhub",
        _ => container,
    };
    let consumer_group = p.str("consumerGroup").to_owned();
    Ok(AzureEventHubConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(
                input.index,
                &format!("azure-eventhub-{consumer_group}"),
            ),
            metric_type,
            target: p.int(THRESHOLD) as f64,
            activation: p.int("activationUnprocessedEventThreshold") as f64,
        },
        hub,
        event_hub_name,
        consumer_group,
        service_bus_suffix,
        checkpoint,
        blob_container: blob_container.to_owned(),
        storage,
        blob_storage_endpoint,
        stale_partition_info_threshold: p.int("stalePartitionInfoThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    const HUB: &str = "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;\
                       SharedAccessKey=a2V5;EntityPath=telemetry";
    const ENV: &[(&str, &str)] = &[("EVENTHUB_CONNECTION", HUB), ("STORAGE_CONNECTION", "s")];

    fn config_of(
        meta: &[(&str, &str)],
        env: &[(&str, &str)],
        identity: Option<&str>,
    ) -> Result<AzureEventHubConfig, Vec<ScalerError>> {
        crate::scalers::azure_storage::with_input("azure-eventhub", meta, env, identity, config)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let meta = [
            ("consumerGroup", "scalers"),
            ("unprocessedEventThreshold", "64"),
            ("connectionFromEnv", "EVENTHUB_CONNECTION"),
            ("storageConnectionFromEnv", "STORAGE_CONNECTION"),
        ];
        let m = Trigger::new("azure-eventhub").meta(&meta).env(ENV).parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-azure-eventhub-scalers", 64.0));
        let c = config_of(&meta, ENV, None).unwrap();
        assert_eq!(
            c.hub_and_namespace(),
            Some(("ns.servicebus.windows.net".to_owned(), "telemetry".to_owned()))
        );
        assert_eq!(
            (c.checkpoint, c.blob_container.as_str()),
            (Checkpoint::AzureFunction, "azure-webjobs-eventhub")
        );
        assert!(!format!("{c:?}").contains("a2V5"));
        let bad = Trigger::new("azure-eventhub")
            .meta(&[("eventHubName", "telemetry"), ("storageAccountName", "checkpoints")])
            .pod_identity("azure-workload");
        assert_eq!(bad.messages(), vec!["no event hub namespace string given"]);
    }

    /// `parseEventHubMetadataDataset`: the threshold, EntityPath and checkpoint strategies.
    #[test]
    fn connection_strings() {
        let base = [
            ("connectionFromEnv", "EVENTHUB_CONNECTION"),
            ("storageConnectionFromEnv", "STORAGE_CONNECTION"),
        ];
        let with = |extra: &[(&'static str, &'static str)], env: &[(&str, &str)]| {
            let mut meta = base.to_vec();
            meta.extend_from_slice(extra);
            config_of(&meta, env, None)
        };
        for t in ["0", "-1"] {
            let e = with(&[(THRESHOLD, t)], ENV).unwrap_err();
            assert_eq!(
                e[0].message,
                "\"unprocessedEventThreshold\" must be a positive number"
            );
        }
        let no_path = [
            ("EVENTHUB_CONNECTION", "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKey=k"),
            ("STORAGE_CONNECTION", "s"),
        ];
        let e = with(&[], &no_path).unwrap_err();
        assert_eq!(e[0].key.as_deref(), Some("eventHubName"));
        let c = with(&[("eventHubName", "hub")], &no_path).unwrap();
        assert_eq!(c.hub_and_namespace().unwrap().1, "hub");
        let c = with(&[("blobContainer", "cp"), ("checkpointStrategy", "dapr")], ENV).unwrap();
        assert_eq!((c.checkpoint, c.blob_container.as_str()), (Checkpoint::Dapr, "cp"));
        let c = with(&[("blobContainer", "cp"), ("checkpointStrategy", "other")], ENV).unwrap();
        assert_eq!(c.checkpoint, Checkpoint::Default);
        let e = with(&[("cloud", "Private")], ENV).unwrap_err();
        assert_eq!(
            e[0].message,
            "endpointSuffix must be provided for Private cloud type"
        );
    }

    /// `parseEventHubMetadataDatasetWithPodIdentity`.
    #[test]
    fn workload_identity() {
        let wi = |meta: &[(&str, &str)]| config_of(meta, ENV, Some("azure-workload"));
        let hub = [("eventHubNamespace", "ns"), ("eventHubName", "telemetry")];
        let mut meta = hub.to_vec();
        meta.push(("storageAccountName", "acct"));
        let c = wi(&meta).unwrap();
        assert_eq!(c.blob_storage_endpoint, "blob.core.windows.net");
        assert_eq!(
            c.hub_and_namespace(),
            Some(("ns.servicebus.windows.net".to_owned(), "telemetry".to_owned()))
        );
        meta.extend_from_slice(&[("cloud", "private"), ("endpointSuffix", "sb.local")]);
        let e = wi(&meta).unwrap_err();
        assert_eq!(
            e[0].message,
            "storageEndpointSuffix must be provided for Private cloud type"
        );
        meta.push(("storageEndpointSuffix", "st.local"));
        let c = wi(&meta).unwrap();
        assert_eq!(
            (c.blob_storage_endpoint.as_str(), c.service_bus_suffix.as_str()),
            ("blob.st.local", "sb.local")
        );
        let e = wi(&hub).unwrap_err();
        assert_eq!(e[0].key.as_deref(), Some("storageAccountName"));
        let e = config_of(&hub, ENV, Some("aws")).unwrap_err();
        assert_eq!(e[0].message, "event hub does not support pod identity aws");
    }

    /// `eventHubMetricIdentifiers`.
    #[test]
    fn metric_names() {
        let meta = [
            ("storageConnectionFromEnv", "STORAGE_CONNECTION"),
            ("consumerGroup", "testEventHubConsumerGroup"),
            ("connectionFromEnv", "EVENTHUB_CONNECTION"),
            ("unprocessedEventThreshold", "15"),
        ];
        for index in [0, 1] {
            let t = Trigger::new("azure-eventhub").meta(&meta).env(ENV).index(index);
            assert_eq!(
                t.parse().unwrap().metric_name,
                format!("s{index}-azure-eventhub-testEventHubConsumerGroup")
            );
        }
    }


    /// `calculateUnprocessedEventsDataset` (stale threshold 10000), the
    /// `TestGetUnprocessedEventCountWithoutCheckpoint*` and `TestGetATotalLagOf*` tests.
    #[test]
    fn lag_arithmetic() {
        let meta = [
            ("connectionFromEnv", "EVENTHUB_CONNECTION"),
            ("storageConnectionFromEnv", "STORAGE_CONNECTION"),
            (THRESHOLD, "10"),
        ];
        let c = config_of(&meta, ENV, None).unwrap();
        for (checkpoint, last, want) in [
            (5, 10, 5),
            (4611686018427387903, 4611686018427387905, 2),
            (4611686018427387900, 4611686018427387905, 5),
            (4000000000000200000, 4000000000000000000, 9223372036854575807),
            (0, 2, 2),
            (15, 10, 0),
            (4611686018427387910, 4611686018427387905, 0),
            (5, 9223372036854775797, 0),
            (9223372036854775797, 5, 15),
        ] {
            assert_eq!(c.unprocessed_events(last, checkpoint), want, "{checkpoint} {last}");
        }
        assert_eq!(c.unprocessed_events(-1, 3), 0);
        assert_eq!(unprocessed_without_checkpoint(0, 0), 1);
        assert_eq!(unprocessed_without_checkpoint(255, 255), 0);
        assert_eq!(unprocessed_without_checkpoint(0, 1), 2);
        assert_eq!(c.lag(&[50, 50]), (20, true));
        let mut twenty = vec![0; 20];
        twenty[0] = 100;
        assert_eq!(c.lag(&twenty), (100, true));
        assert_eq!(c.lag(&[i64::MAX, 20]), (20, true));
        assert_eq!(c.lag(&[]), (0, false));
    }

}
