//! From a ScaledObject's triggers to scalers that can be polled: authentication resolved as
//! KEDA's resolver does (TriggerAuthentication, the target container's env, podIdentity),
//! metadata parsed by the core, values fetched through the Azure client.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use scalecore::decide::Reading;
use scalecore::diagnostic::Source;
use scalecore::model::Trigger;
use scalecore::scalers::azure_app_insights::{self, AppInsightsConfig};
use scalecore::scalers::azure_blob::{self, AzureBlobConfig};
use scalecore::scalers::azure_data_explorer::{self, DataExplorerConfig};
use scalecore::scalers::azure_eventhub::{self, AzureEventHubConfig};
use scalecore::scalers::azure_log_analytics::{self, LogAnalyticsConfig};
use scalecore::scalers::azure_monitor::{self, AzureMonitorConfig};
use scalecore::scalers::azure_pipelines::{self, AzurePipelinesConfig};
use scalecore::scalers::azure_queue::{self, AzureQueueConfig};
use scalecore::scalers::cpu_memory::{self, ResourceConfig};
use scalecore::scalers::servicebus::{self, ServiceBusConfig};
use scalecore::scalers::TriggerInput;
use scalecore::validate::{self, LintOptions};
use scalecore_azure::{Auth, IdentityOverrides, ScalerError, ServiceBus, ServiceBusEntity};
use serde_json::Value;

use scalecore::resolve::{self, Container, Param, PodIdentity, ResolveError};

use super::authstore::{AuthKind, AuthStore, Lookup};
use super::kubeapi::{Kube, KubeError};
use super::objects::ScaledObject;
use super::resolving::{self, Fetched};
use super::resources::ResourceError;

/// One trigger, ready to poll.
pub enum Scaler {
    ServiceBus {
        config: Box<ServiceBusConfig>,
        auth: Auth,
        /// Credential, URL and shared-result key, worked out at the first poll (the scaler is
        /// built again after an error, and so is this).
        prepared: OnceLock<Box<Result<ServiceBusEntity, ScalerError>>>,
    },
    /// `azure-queue`: the account and credential are in the config the core parsed; a
    /// workload identity's overrides come from the TriggerAuthentication.
    AzureQueue {
        config: Box<AzureQueueConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-blob`, as `AzureQueue`.
    AzureBlob {
        config: Box<AzureBlobConfig>,
        overrides: IdentityOverrides,
    },
    /// `cpu`/`memory`: an HPA Resource metric over the pods `selector` (the target's
    /// `spec.selector`) picks; the worker reads it from the resource metrics API at each HPA
    /// sync (the KEDA loop ignores it).
    Resource {
        config: Box<ResourceConfig>,
        selector: Arc<kube::core::Selector>,
    },
    /// The trigger cannot be polled: every poll is an error, with this reason (shared by
    /// those polls: the Kubernetes errors inside are not cloneable).
    Broken(Arc<TriggerError>),
    /// `azure-eventhub`: the hub, the checkpoint store and their credentials are in the
    /// config the core parsed; a workload identity's overrides come from the
    /// TriggerAuthentication (for both, as KEDA uses one identity).
    AzureEventHub {
        config: Box<AzureEventHubConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-monitor`: a metric of a resource through Resource Manager.
    AzureMonitor {
        config: Box<AzureMonitorConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-log-analytics`: a query's one value through the Log Analytics API.
    AzureLogAnalytics {
        config: Box<LogAnalyticsConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-app-insights`: an Application Insights metric's aggregate.
    AzureAppInsights {
        config: Box<AppInsightsConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-data-explorer`: the cluster, query and credential (client secret or workload
    /// identity) are in the config the core parsed; a workload identity's overrides come from
    /// the TriggerAuthentication.
    AzureDataExplorer {
        config: Box<DataExplorerConfig>,
        overrides: IdentityOverrides,
    },
    /// `azure-pipelines`: the organization, pool and personal access token are in the config
    /// the core parsed; a workload identity's overrides come from the TriggerAuthentication.
    AzurePipelines {
        config: Box<AzurePipelinesConfig>,
        overrides: IdentityOverrides,
    },
}

/// The trigger types `run` polls through the Azure client (cpu and memory read the HPA's
/// Resource metrics instead); the NotPolled message lists them.
pub const POLLED_TYPES: &[&str] = &[
    "azure-servicebus",
    "azure-queue",
    "azure-blob",
    "azure-eventhub",
    "azure-monitor",
    "azure-log-analytics",
    "azure-app-insights",
    "azure-data-explorer",
    "azure-pipelines",
];

/// Why a trigger cannot be polled at all. No message carries a value read from a Secret, a
/// TriggerAuthentication or an env var: only names and where they failed.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    #[error("trigger type {trigger_type:?} is not polled by scalecore run ({}, cpu and memory are)", POLLED_TYPES.join(", "))]
    NotPolled { trigger_type: String },
    /// A cpu/memory trigger needs the target's pods, found by its `spec.selector`.
    #[error("the target {target} has no usable spec.selector to find its pods{}", .why.as_deref().map(|w| format!(": {w}")).unwrap_or_default())]
    NoSelector { target: String, why: Option<String> },
    /// The core's parser refused the metadata: KEDA's messages, joined, after KEDA's prefix
    /// for the scaler (`azure service bus`, `azure queue`).
    #[error("error parsing {scaler} metadata: {}", .messages.join("; "))]
    Metadata {
        scaler: &'static str,
        messages: Vec<String>,
    },
    /// The trigger's (Cluster)TriggerAuthentication is not among the watched ones, or its
    /// spec does not decode.
    #[error("error getting {kind} {name:?}: {why}")]
    Authentication {
        kind: String,
        name: String,
        why: String,
    },
    /// A `secretTargetRef` (or `configMapTargetRef`) of the (Cluster)TriggerAuthentication
    /// could not be read.
    #[error("{kind} {name:?}: parameter {parameter:?}: {source}")]
    Secret {
        kind: String,
        name: String,
        parameter: String,
        source: Arc<KubeError>,
    },
}

/// Why one poll gave no value.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Broken(Arc<TriggerError>),
    #[error(transparent)]
    ServiceBus(#[from] scalecore_azure::ScalerError),
    #[error(transparent)]
    Resource(#[from] ResourceError),
}

/// A (Cluster)TriggerAuthentication KEDA's webhook would refuse: the ScaledObject using it is
/// refused, and nothing is polled with it (its podIdentity or endpoints were never vetted).
/// Schema findings are named by code and path only: a value in the spec may be a credential.
#[derive(Debug, thiserror::Error)]
pub enum AuthRefusal {
    #[error("the {kind} '{name}' is refused by KEDA's webhook rules: {code}: {message} ({path})")]
    Webhook {
        kind: String,
        name: String,
        code: String,
        message: String,
        path: String,
    },
    #[error(
        "the {kind} '{name}' is refused by KEDA's webhook rules: {code}: does not match the CRD schema ({path})"
    )]
    Schema {
        kind: String,
        name: String,
        code: String,
        path: String,
    },
    #[error("checking the {kind} '{name}' did not finish within {}s", .limit.as_secs())]
    CheckTimedOut {
        kind: String,
        name: String,
        limit: Duration,
    },
}

impl Scaler {
    fn broken(why: TriggerError) -> Scaler {
        Scaler::Broken(Arc::new(why))
    }

    pub fn problem(&self) -> Option<&TriggerError> {
        match self {
            Scaler::Broken(why) => Some(why),
            Scaler::ServiceBus { .. }
            | Scaler::AzureQueue { .. }
            | Scaler::AzureBlob { .. }
            | Scaler::Resource { .. }
            | Scaler::AzureEventHub { .. }
            | Scaler::AzureMonitor { .. }
            | Scaler::AzureLogAnalytics { .. }
            | Scaler::AzureAppInsights { .. } => None,
            Scaler::AzureDataExplorer { .. } | Scaler::AzurePipelines { .. } => None,
        }
    }

    /// A cpu/memory trigger's metric and the pods it is read from.
    pub fn resource(&self) -> Option<(&ResourceConfig, &kube::core::Selector)> {
        match self {
            Scaler::Resource { config, selector } => Some((config, selector)),
            _ => None,
        }
    }

    /// One poll: the reading, or why there is none (never with a secret in it). A cpu/memory
    /// trigger reads nothing here: its value comes from the pods at each HPA sync.
    pub async fn poll(&self, bus: &ServiceBus, max_age: Duration) -> Result<Reading, PollError> {
        let count = |n: i64| Reading::Value(n as f64);
        Ok(match self {
            Scaler::Broken(why) => return Err(PollError::Broken(why.clone())),
            Scaler::Resource { .. } => Reading::Value(0.0),
            Scaler::ServiceBus {
                config,
                auth,
                prepared,
            } => {
                let entity = prepared
                    .get_or_init(|| Box::new(bus.service_bus_entity(config, auth)))
                    .as_ref()
                    .as_ref()
                    .map_err(ScalerError::clone)?;
                count(
                    bus.entity_active_message_count(entity, config, auth, max_age)
                        .await?,
                )
            }
            Scaler::AzureQueue { config, overrides } => {
                count(bus.queue_length(config, overrides, max_age).await?)
            }
            Scaler::AzureBlob { config, overrides } => {
                count(bus.blob_count(config, overrides, max_age).await?)
            }
            // Active on the whole lag, while the metric is capped per partition.
            Scaler::AzureEventHub { config, overrides } => {
                let lag = bus.event_hub_lag(config, overrides, max_age).await?;
                Reading::Reported {
                    value: lag.value as f64,
                    active: lag.active,
                }
            }
            Scaler::AzureMonitor { config, overrides } => {
                Reading::Value(bus.monitor_metric(config, overrides, max_age).await?)
            }
            Scaler::AzureLogAnalytics { config, overrides } => {
                Reading::Value(bus.log_analytics_value(config, overrides, max_age).await?)
            }
            Scaler::AzureAppInsights { config, overrides } => {
                Reading::Value(bus.app_insights_value(config, overrides, max_age).await?)
            }
            Scaler::AzureDataExplorer { config, overrides } => {
                Reading::Value(bus.data_explorer_value(config, overrides, max_age).await?)
            }
            Scaler::AzurePipelines { config, overrides } => count(
                bus.pipelines_queue_length(config, overrides, max_age)
                    .await?,
            ),
        })
    }
}

/// What KEDA's resolver hands a scaler (values the host could not read left out).
struct Resolved {
    auth_params: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    pod_identity: Option<PodIdentity>,
}

/// A (Cluster)TriggerAuthentication whose check takes longer is refused.
const AUTH_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a trigger's authentication cannot be used.
enum AuthError {
    /// Not found, a Secret missing: the scaler fails, as KEDA's would.
    Broken(TriggerError),
    /// A (Cluster)TriggerAuthentication KEDA's webhook refuses: the ScaledObject is refused.
    Refused(AuthRefusal),
}

/// Builds every trigger's scaler. Resolution failures become [`Scaler::Broken`] so the
/// ScaledObject still runs (and falls back) exactly as KEDA's loop would with a failing scaler.
/// `Err` names a TriggerAuthentication KEDA's webhook would have refused: nothing is polled
/// with it (its podIdentity or endpoints were never vetted).
pub async fn build(
    kube: &Kube,
    auths: &AuthStore,
    so: &ScaledObject,
    lint: &LintOptions,
) -> Result<Vec<Scaler>, AuthRefusal> {
    let workload = kube.workload(&so.namespace, &so.target).await.ok();
    build_from(kube, auths, so, workload, lint).await
}

/// [`build`] for a workload already at hand (a ScaledJob's `jobTargetRef`, whose pod template
/// is inline): its containers give the env, its `spec.selector` the pods.
pub async fn build_from(
    kube: &Kube,
    auths: &AuthStore,
    so: &ScaledObject,
    workload: Option<Value>,
    lint: &LintOptions,
) -> Result<Vec<Scaler>, AuthRefusal> {
    // Only the containers and the selector are read; the rest of the object (managedFields,
    // status) is not kept across the Secret reads below.
    let mut selector = None;
    let containers = workload.map(|mut w| {
        selector = w.pointer_mut("/spec/selector").map(Value::take);
        let list = w.pointer("/spec/template/spec/containers");
        resolve::containers(list.unwrap_or(&Value::Null))
    });
    let selector = pod_selector(selector);
    // Secrets and ConfigMaps read once for all the triggers.
    let mut fetched = Fetched::default();
    let mut out = Vec::with_capacity(so.spec.triggers.len());
    for trigger in &so.spec.triggers {
        if matches!(trigger.trigger_type.as_str(), "cpu" | "memory") {
            out.push(resource_scaler(so, trigger, &selector));
            continue;
        }
        let target = Target {
            so,
            containers: containers.as_deref(),
        };
        let scaler = match resolve_auth(kube, auths, &target, trigger, &mut fetched, lint).await {
            Ok(resolved) => scaler(so, trigger, &resolved),
            Err(AuthError::Broken(why)) => Scaler::broken(why),
            Err(AuthError::Refused(why)) => return Err(why),
        };
        out.push(scaler);
    }
    Ok(out)
}

/// The target's `spec.selector` as a label selector; the error says why there is none.
fn pod_selector(selector: Option<Value>) -> Result<Arc<kube::core::Selector>, Option<String>> {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    let selector: LabelSelector = serde_json::from_value(selector.ok_or(None)?)
        .map_err(|e| Some(format!("not a label selector ({e})")))?;
    let selector = kube::core::Selector::try_from(selector).map_err(|e| Some(e.to_string()))?;
    if selector.selects_all() {
        // The API server refuses an empty Deployment selector; the HPA would scale on every
        // pod of the namespace.
        return Err(Some("it selects every pod".to_owned()));
    }
    Ok(Arc::new(selector))
}

/// cpu/memory metadata parsed by the core (as `metricType` and `value` are read by KEDA).
fn resource_scaler(
    so: &ScaledObject,
    trigger: &Trigger,
    selector: &Result<Arc<kube::core::Selector>, Option<String>>,
) -> Scaler {
    let (empty, no_env) = (BTreeMap::new(), BTreeMap::new());
    let input = TriggerInput {
        trigger_type: &trigger.trigger_type,
        index: trigger.index,
        metadata: &trigger.metadata,
        auth_params: &empty,
        env: &no_env,
        pod_identity: None,
        metric_type: trigger.metric_type.as_deref(),
        namespace: &so.namespace,
    };
    let config = match cpu_memory::parse(&input) {
        Ok(config) => config,
        Err(errors) => {
            return Scaler::broken(TriggerError::Metadata {
                scaler: "resource",
                messages: errors.into_iter().map(|e| e.message).collect(),
            })
        }
    };
    match selector {
        Ok(selector) => Scaler::Resource {
            config: Box::new(config),
            selector: selector.clone(),
        },
        Err(why) => Scaler::broken(TriggerError::NoSelector {
            target: format!("{} {}/{}", so.target.kind, so.namespace, so.target.name),
            why: why.clone(),
        }),
    }
}

/// KEDA's webhook verdict on a (Cluster)TriggerAuthentication, through the core's rules.
fn auth_refusal(
    kind: &str,
    name: &str,
    namespace: &str,
    spec: &Value,
    options: &LintOptions,
) -> Option<AuthRefusal> {
    let mut metadata = serde_json::json!({ "name": name });
    if kind == "TriggerAuthentication" {
        metadata["namespace"] = Value::from(namespace);
    }
    let doc = serde_json::json!({
        "apiVersion": "keda.sh/v1alpha1", "kind": kind, "metadata": metadata,
        "spec": spec.clone(),
    });
    let found = validate::lint(&doc.to_string(), options)
        .into_iter()
        .find(|d| d.is_error() && matches!(d.source, Source::Schema | Source::Webhook))?;
    let (kind, name) = (kind.to_owned(), name.to_owned());
    Some(match found.source {
        Source::Webhook => AuthRefusal::Webhook {
            kind,
            name,
            code: found.code,
            message: found.message,
            path: found.path,
        },
        _ => AuthRefusal::Schema {
            kind,
            name,
            code: found.code,
            path: found.path,
        },
    })
}

fn scaler(so: &ScaledObject, trigger: &Trigger, resolved: &Resolved) -> Scaler {
    if !POLLED_TYPES.contains(&trigger.trigger_type.as_str()) {
        return Scaler::broken(TriggerError::NotPolled {
            trigger_type: trigger.trigger_type.clone(),
        });
    }
    let provider = resolved.pod_identity.as_ref().map(|p| p.provider.as_str());
    let input = TriggerInput {
        trigger_type: &trigger.trigger_type,
        index: trigger.index,
        metadata: &trigger.metadata,
        auth_params: &resolved.auth_params,
        env: &resolved.env,
        pod_identity: provider,
        metric_type: trigger.metric_type.as_deref(),
        namespace: &so.namespace,
    };
    let workload_identity = |p: &&PodIdentity| p.is_azure_workload();
    let overrides = || match resolved.pod_identity.as_ref().filter(workload_identity) {
        Some(p) => IdentityOverrides {
            identity_id: p.identity_id.clone(),
            tenant_id: p.identity_tenant_id.clone(),
            authority_host: p.identity_authority_host.clone(),
        },
        _ => IdentityOverrides::default(),
    };
    let refused = |scaler, errors: Vec<scalecore::scalers::ScalerError>| {
        Scaler::broken(TriggerError::Metadata {
            scaler,
            messages: errors.into_iter().map(|e| e.message).collect(),
        })
    };
    match trigger.trigger_type.as_str() {
        "azure-queue" => {
            return match azure_queue::config(&input) {
                Err(errors) => refused("azure queue", errors),
                Ok(config) => Scaler::AzureQueue {
                    config: Box::new(config),
                    overrides: overrides(),
                },
            }
        }
        "azure-blob" => {
            return match azure_blob::config(&input) {
                Err(errors) => refused("azure blob", errors),
                Ok(config) => Scaler::AzureBlob {
                    config: Box::new(config),
                    overrides: overrides(),
                },
            }
        }
        "azure-eventhub" => {
            return match azure_eventhub::config(&input) {
                Err(errors) => refused("azure eventhub", errors),
                Ok(config) => Scaler::AzureEventHub {
                    config: Box::new(config),
                    overrides: overrides(),
                },
            }
        }
        "azure-monitor" => {
            let overrides = overrides();
            return match azure_monitor::config(&input, overrides.identity_id.as_deref()) {
                Err(errors) => refused("azure monitor", errors),
                Ok(config) => Scaler::AzureMonitor {
                    config: Box::new(config),
                    overrides,
                },
            };
        }
        "azure-log-analytics" => {
            let overrides = overrides();
            return match azure_log_analytics::config(&input, overrides.identity_id.as_deref()) {
                Err(errors) => refused("azure loganalytics", errors),
                Ok(config) => Scaler::AzureLogAnalytics {
                    config: Box::new(config),
                    overrides,
                },
            };
        }
        "azure-app-insights" => {
            let overrides = overrides();
            return match azure_app_insights::config(&input, overrides.identity_id.as_deref()) {
                Err(errors) => refused("azure app insights", errors),
                Ok(config) => Scaler::AzureAppInsights {
                    config: Box::new(config),
                    overrides,
                },
            };
        }
        "azure-data-explorer" => {
            let overrides = overrides();
            return match azure_data_explorer::config(&input, overrides.identity_id.as_deref()) {
                Err(errors) => refused("azure data explorer", errors),
                Ok(config) => Scaler::AzureDataExplorer {
                    config: Box::new(config),
                    overrides,
                },
            };
        }
        "azure-pipelines" => {
            let overrides = overrides();
            return match azure_pipelines::config(&input, overrides.identity_id.as_deref()) {
                Err(errors) => refused("azure pipelines", errors),
                Ok(config) => Scaler::AzurePipelines {
                    config: Box::new(config),
                    overrides,
                },
            };
        }
        _ => {}
    }
    match servicebus::parse(&input) {
        Err(errors) => Scaler::broken(TriggerError::Metadata {
            scaler: "azure service bus",
            messages: errors.into_iter().map(|e| e.message).collect(),
        }),
        Ok(config) => {
            let auth = match resolved.pod_identity.as_ref().filter(workload_identity) {
                Some(p) => Auth::workload(
                    &config,
                    p.identity_id.as_deref(),
                    p.identity_tenant_id.as_deref(),
                    p.identity_authority_host.as_deref(),
                ),
                _ => Auth::connection_string(&config),
            };
            Scaler::ServiceBus {
                config: Box::new(config),
                auth,
                prepared: OnceLock::new(),
            }
        }
    }
}

/// The ScaledObject whose triggers are resolved, and its target's containers (`None` when the
/// target could not be read).
struct Target<'a> {
    so: &'a ScaledObject,
    containers: Option<&'a [Container]>,
}

/// Resolves through the core's resolver: the (Cluster)TriggerAuthentication from the watched
/// store (never read again from the API server), checked by KEDA's webhook rules first.
async fn resolve_auth(
    kube: &Kube,
    auths: &AuthStore,
    target: &Target<'_>,
    trigger: &Trigger,
    fetched: &mut Fetched,
    lint: &LintOptions,
) -> Result<Resolved, AuthError> {
    let so = target.so;
    let auth_ref = trigger
        .authentication_ref
        .as_ref()
        .filter(|r| !r.name.is_empty());
    let mut auth = None;
    let mut kind = "TriggerAuthentication";
    if let Some(r) = auth_ref {
        let store_kind = if r.kind == "ClusterTriggerAuthentication" {
            kind = "ClusterTriggerAuthentication";
            AuthKind::ClusterTriggerAuthentication
        } else {
            AuthKind::TriggerAuthentication
        };
        let broken = |why: String| {
            AuthError::Broken(TriggerError::Authentication {
                kind: kind.to_owned(),
                name: r.name.clone(),
                why,
            })
        };
        auths.synced().await;
        let watched = match auths.get(store_kind, &so.namespace, &r.name) {
            Lookup::Found(watched) => watched,
            Lookup::NotFound if store_kind == AuthKind::TriggerAuthentication => {
                return Err(broken(format!("not found in namespace {}", so.namespace)))
            }
            Lookup::NotFound => return Err(broken("not found".to_owned())),
            Lookup::Undecodable(at) => {
                return Err(broken(format!("its spec cannot be decoded ({at})")))
            }
        };
        // Checked on the blocking pool within a bound, as ScaledObjects are: an object of a
        // megabyte is the tenant's to write, not the runtime's threads' to parse.
        let check = {
            let (kind, name, namespace) = (kind.to_owned(), r.name.clone(), so.namespace.clone());
            let (watched, options) = (watched.clone(), lint.clone());
            tokio::task::spawn_blocking(move || {
                auth_refusal(&kind, &name, &namespace, &watched.spec, &options)
            })
        };
        let verdict = match tokio::time::timeout(AUTH_CHECK_TIMEOUT, check).await {
            Ok(Ok(verdict)) => verdict,
            _ => Some(AuthRefusal::CheckTimedOut {
                kind: kind.to_owned(),
                name: r.name.clone(),
                limit: AUTH_CHECK_TIMEOUT,
            }),
        };
        if let Some(why) = verdict {
            return Err(AuthError::Refused(why));
        }
        auth = Some(watched);
    }
    let req = resolve::Request {
        namespace: &so.namespace,
        auth_ref: auth_ref.map(|r| (kind, r.name.as_str())),
        containers: target.containers,
        env_source_container: so.target.env_source_container_name.as_deref(),
        cluster_object_namespace: Some(kube.cluster_object_namespace()),
    };
    let name = || auth_ref.map(|r| r.name.clone()).unwrap_or_default();
    let secret = |parameter: String, source: Arc<KubeError>| {
        AuthError::Broken(TriggerError::Secret {
            kind: kind.to_owned(),
            name: name(),
            parameter,
            source,
        })
    };
    let resolved = resolving::resolve(kube, fetched, auth.as_ref().map(|w| &w.auth), &req)
        .await
        .map_err(|e| match e {
            ResolveError::Target {
                parameter, error, ..
            } => secret(parameter, error),
            // The view answers authentications from the store, which does not fail.
            ResolveError::Authentication(error) => secret(String::new(), error),
        })?;
    // KEDA hands the scaler "" for a Secret's missing key, and the scaler then fails with a
    // message that does not say why: the host says which key is missing instead.
    if let Some(g) = resolved.gaps.iter().find(|g| g.kind == "Secret") {
        let missing = KubeError::NoSuchKey {
            namespace: g.namespace.clone(),
            name: g.name.clone(),
            key: g.key.clone(),
        };
        return Err(secret(g.parameter.clone(), Arc::new(missing)));
    }
    let known = |m: BTreeMap<String, Param>| {
        m.into_iter()
            .filter_map(|(k, v)| match v {
                Param::Value(v) => Some((k, v)),
                Param::Unknown => None,
            })
            .collect()
    };
    Ok(Resolved {
        auth_params: known(resolved.auth_params),
        env: known(resolved.env),
        pod_identity: resolved.pod_identity,
    })
}

/// Polls every trigger concurrently; one Reading per trigger, in trigger order.
pub async fn poll_all(
    scalers: &[Scaler],
    bus: &ServiceBus,
    max_age: Duration,
) -> Vec<(Reading, Option<PollError>)> {
    let polls = scalers.iter().map(|s| s.poll(bus, max_age));
    futures::future::join_all(polls)
        .await
        .into_iter()
        .map(|r| match r {
            Ok(r) => (r, None),
            Err(e) => (Reading::Error, Some(e)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    fn missing_key() -> KubeError {
        KubeError::NoSuchKey {
            namespace: "shop".into(),
            name: "sb".into(),
            key: "conn".into(),
        }
    }

    /// The words are the ones the host has always logged and written to status: operators
    /// and the end-to-end tests read them.
    #[test]
    fn messages_name_the_object_and_the_cause() {
        let secret = TriggerError::Secret {
            kind: "TriggerAuthentication".into(),
            name: "sb".into(),
            parameter: "connection".into(),
            source: Arc::new(missing_key()),
        };
        assert_eq!(
            secret.to_string(),
            r#"TriggerAuthentication "sb": parameter "connection": Secret shop/sb has no key "conn""#
        );
        assert_eq!(
            secret.source().map(ToString::to_string).as_deref(),
            Some(r#"Secret shop/sb has no key "conn""#)
        );
        let metadata = TriggerError::Metadata {
            scaler: "azure service bus",
            messages: vec!["no queueName given".into(), "bad messageCount".into()],
        };
        assert_eq!(
            metadata.to_string(),
            "error parsing azure service bus metadata: no queueName given; bad messageCount"
        );
        let other = TriggerError::NotPolled {
            trigger_type: "kafka".into(),
        };
        assert_eq!(
            PollError::Broken(Arc::new(other)).to_string(),
            r#"trigger type "kafka" is not polled by scalecore run (azure-servicebus, azure-queue, azure-blob, azure-eventhub, azure-monitor, azure-log-analytics, azure-app-insights, azure-data-explorer, azure-pipelines, cpu and memory are)"#
        );
    }

    #[test]
    fn refusals_say_which_rule_and_where_never_the_value() {
        let schema = AuthRefusal::Schema {
            kind: "ClusterTriggerAuthentication".into(),
            name: "sb".into(),
            code: "KEDA0101".into(),
            path: "spec.secretTargetRef[0]".into(),
        };
        assert_eq!(
            schema.to_string(),
            "the ClusterTriggerAuthentication 'sb' is refused by KEDA's webhook rules: \
             KEDA0101: does not match the CRD schema (spec.secretTargetRef[0])"
        );
        let slow = AuthRefusal::CheckTimedOut {
            kind: "TriggerAuthentication".into(),
            name: "sb".into(),
            limit: AUTH_CHECK_TIMEOUT,
        };
        assert_eq!(
            slow.to_string(),
            "checking the TriggerAuthentication 'sb' did not finish within 2s"
        );
    }
}
