//! The management GETs (spec §3) and how their results become KEDA's metric value.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scalecore::scalers::servicebus::{EntityType, ServiceBusConfig};

use crate::atom::{self, Document};
use crate::auth::Auth;
use crate::coalesce::Coalescer;
use crate::credential::{self, Credential, Signatures, Target};
use crate::endpoint::EndpointPolicy;
use crate::error::ScalerError;
use crate::http::{self, Failure};
use crate::identity::{TokenCache, WorkloadIdentityEnv, SERVICE_BUS_SCOPE};
use crate::recent::Recent;
use crate::secret::Secret;
use crate::stats::Counters;
use crate::{ClientOptions, API_VERSION};

/// The page size asked for when listing; a shorter page is the last.
pub const PAGE_SIZE: usize = 100;
/// Entities a `useRegex` listing may hold across its pages (a Premium namespace with 16
/// messaging units holds 16 000 queues; a topic at most 2 000 subscriptions). Beyond, the
/// listing is refused rather than paged for ever.
pub const MAX_LISTED_ENTITIES: usize = 20_000;
/// One listing page. 100 entries of a real namespace take about 300 KB.
pub const MAX_PAGE_BYTES: usize = 2 * 1024 * 1024;
/// Distinct results kept for sharing (one per entity or listing polled).
const MAX_CACHED_RESULTS: usize = 16_384;
/// Distinct access tokens and signatures kept (one per identity or connection string).
const MAX_CACHED_CREDENTIALS: usize = 4096;
/// How much of a refused authority host a warning quotes.
const MAX_QUOTED: usize = 200;

/// What one poll of a key yields: one entity's count, or the counts of a listing's matches.
#[derive(Clone)]
enum Fetched {
    Count(i64),
    Matches(Arc<Vec<i64>>),
}

pub struct Inner {
    pub(crate) client: reqwest::Client,
    pub(crate) options: ClientOptions,
    pub(crate) endpoints: EndpointPolicy,
    pub(crate) identity_env: WorkloadIdentityEnv,
    pub(crate) tokens: TokenCache,
    signatures: Signatures,
    results: Coalescer<Fetched>,
    /// Storage queue lengths and blob counts, shared as Service Bus counts are.
    pub(crate) storage_counts: Coalescer<i64>,
    /// Event Hubs consumer-group lags per partition, shared the same way (each caller caps and
    /// activates them by its own thresholds).
    pub(crate) hub_lags: Coalescer<std::sync::Arc<[i64]>>,
    /// Azure Monitor metric values, shared the same way.
    pub(crate) metric_values: Coalescer<f64>,
    /// Authority hosts already warned about, so each is logged once while in use.
    ignored_authorities: Mutex<Recent<String, ()>>,
    pub(crate) in_flight: tokio::sync::Semaphore,
    pub stats: Counters,
    /// Azure Data Explorer query values, shared as the counts are.
    pub(crate) explorer_values: Coalescer<f64>,
    /// Each Data Explorer cluster's token resource, from its auth metadata.
    pub(crate) kusto_resources: Mutex<Recent<String, String>>,
    /// Azure DevOps agent pool IDs, found once per (credential, organization, pool).
    pub(crate) pipeline_pools: Mutex<Recent<String, i64>>,
    /// The shared-result keys triggers hold, one copy per entity: the ScaledObjects reading
    /// one queue hold the same key.
    entity_keys: Mutex<HashSet<Arc<str>>>,
}

/// The key one trigger's results are shared under, worked out once by
/// [`Inner::service_bus_entity`]: a poll only looks it up. Only the key is kept (thousands of
/// triggers hold one); a fetch, once per entity per interval, works its request out again.
pub struct ServiceBusEntity {
    key: Arc<str>,
}

impl std::fmt::Debug for ServiceBusEntity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceBusEntity").finish_non_exhaustive()
    }
}

/// What one fetch of a trigger's entity needs.
struct EntityRequest {
    target: Target,
    url: reqwest::Url,
    key: String,
    expected: EntityKind,
    not_found: String,
}

impl Inner {
    pub fn new(
        options: ClientOptions,
        identity_env: WorkloadIdentityEnv,
    ) -> Result<Inner, ScalerError> {
        let endpoints = EndpointPolicy::new(&options.allowed_endpoint_suffixes)
            .map_err(|e| ScalerError::Setup(e.to_string()))?;
        let idle = options.forget_unused_after;
        Ok(Inner {
            in_flight: tokio::sync::Semaphore::new(options.max_concurrent_requests.max(1)),
            client: crate::transport::build_client(&options)?,
            endpoints,
            options,
            identity_env,
            tokens: TokenCache::new(MAX_CACHED_CREDENTIALS, idle),
            signatures: Signatures::new(MAX_CACHED_CREDENTIALS, idle),
            results: Coalescer::new(MAX_CACHED_RESULTS, idle),
            storage_counts: Coalescer::new(MAX_CACHED_RESULTS, idle),
            metric_values: Coalescer::new(MAX_CACHED_RESULTS, idle),
            hub_lags: Coalescer::new(MAX_CACHED_RESULTS, idle),
            ignored_authorities: Mutex::new(Recent::new(MAX_CACHED_CREDENTIALS, idle)),
            stats: Counters::default(),
            explorer_values: Coalescer::new(MAX_CACHED_RESULTS, idle),
            kusto_resources: Mutex::new(Recent::new(MAX_CACHED_CREDENTIALS, idle)),
            pipeline_pools: Mutex::new(Recent::new(MAX_CACHED_RESULTS, idle)),
            entity_keys: Mutex::new(HashSet::new()),
        })
    }

    /// The one copy of `key`; copies no trigger holds any more go as the set grows.
    fn entity_key(&self, key: String) -> Arc<str> {
        let mut keys = self.entity_keys.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = keys.get(key.as_str()) {
            return k.clone();
        }
        if keys.len() >= 64 && keys.len().is_power_of_two() {
            keys.retain(|k| Arc::strong_count(k) > 1);
        }
        let k: Arc<str> = key.into();
        keys.insert(k.clone());
        k
    }

    pub(crate) fn warn_ignored_authority(&self, authority_host: &str) {
        let quoted: String = authority_host.chars().take(MAX_QUOTED).collect();
        let mut seen = self
            .ignored_authorities
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if seen.get_mut(&quoted).is_none() {
            tracing::warn!(
                identity_authority_host = ?quoted,
                "ignoring a TriggerAuthentication's identityAuthorityHost: only Entra ID's authority hosts and AZURE_AUTHORITY_HOST receive the federated token (KEDA's Service Bus scaler ignores the field too)"
            );
            seen.insert(quoted, ());
        }
    }

    /// The workload identity of a trigger: its own `identity_id`, then the
    /// TriggerAuthentication's overrides, over the AZURE_* variables; an authority host that
    /// may not receive the assertion is ignored.
    pub(crate) fn workload_identity(
        &self,
        identity_id: Option<&str>,
        overrides: &crate::auth::IdentityOverrides,
    ) -> Result<crate::identity::Identity, ScalerError> {
        let authority = overrides
            .authority_host
            .as_deref()
            .filter(|h| !h.trim().is_empty());
        let authority = match authority {
            Some(h) if !crate::identity::authority_override_allowed(&self.identity_env, h) => {
                self.warn_ignored_authority(h);
                None
            }
            other => other,
        };
        crate::identity::Identity::resolve(
            &self.identity_env,
            identity_id.or(overrides.identity_id.as_deref()),
            overrides.tenant_id.as_deref(),
            authority,
        )
    }

    /// The shared-result key of one trigger's entity; the same checks as a fetch (credential,
    /// allowed endpoint suffix), so a trigger that could never be fetched fails here.
    pub fn service_bus_entity(
        &self,
        config: &ServiceBusConfig,
        auth: &Auth,
    ) -> Result<ServiceBusEntity, ScalerError> {
        Ok(ServiceBusEntity {
            key: self.entity_key(self.entity_request(config, auth)?.key),
        })
    }

    /// The credential's target, the URL (checked against the allowed suffixes, before any
    /// token or signature exists for it) and the key its results are shared under.
    fn entity_request(
        &self,
        config: &ServiceBusConfig,
        auth: &Auth,
    ) -> Result<EntityRequest, ScalerError> {
        let target =
            credential::target(auth, &self.identity_env, |h| self.warn_ignored_authority(h))?;
        let topic = config.topic_name.as_str();
        let (segments, expected, not_found): (Vec<&str>, _, _) =
            match (config.use_regex, config.entity_type) {
                (false, EntityType::Queue) => (
                    config.queue_name.split('/').collect(),
                    EntityKind::Queue,
                    format!("queue {} doesn't exist", config.queue_name),
                ),
                (false, EntityType::Subscription) => (
                    topic
                        .split('/')
                        .chain(["Subscriptions"])
                        .chain(config.subscription_name.split('/'))
                        .collect(),
                    EntityKind::Subscription,
                    format!(
                        "subscription {} doesn't exist in topic {topic}",
                        config.subscription_name
                    ),
                ),
                (true, EntityType::Queue) => (
                    vec!["$Resources", "Queues"],
                    EntityKind::Queue,
                    "the queue listing does not exist".to_owned(),
                ),
                (true, EntityType::Subscription) => (
                    topic.split('/').chain(["Subscriptions"]).collect(),
                    EntityKind::Subscription,
                    format!("topic {topic} doesn't exist"),
                ),
            };
        let url = self.url(&target.host, &segments)?;
        self.endpoints.check(&url)?;
        // Debug-quoted parts: names and patterns may hold any separator.
        let key = if config.use_regex {
            // What a listing keeps depends on the pattern, so each pattern is its own result.
            let pattern = match config.entity_type {
                EntityType::Queue => config.queue_name.as_str(),
                EntityType::Subscription => config.subscription_name.as_str(),
            };
            format!(
                "{:?}",
                (
                    &target.fingerprint,
                    &target.host,
                    "list",
                    url.path(),
                    pattern
                )
            )
        } else {
            format!(
                "{:?}",
                (&target.fingerprint, &target.host, "get", url.path())
            )
        };
        Ok(EntityRequest {
            target,
            url,
            key,
            expected,
            not_found,
        })
    }

    pub async fn active_message_count(
        &self,
        entity: &ServiceBusEntity,
        config: &ServiceBusConfig,
        auth: &Auth,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let fetch = async {
            let EntityRequest {
                target,
                url,
                expected,
                not_found,
                ..
            } = self.entity_request(config, auth)?;
            if config.use_regex {
                self.listing(&target, url, &not_found, expected, config)
                    .await
                    .map(|m| Fetched::Matches(Arc::new(m)))
            } else {
                self.entity(&target, url, expected, &not_found)
                    .await
                    .map(Fetched::Count)
            }
        };
        let (result, outcome) = self.results.get(&entity.key, max_age, fetch).await;
        self.stats.outcome(outcome);
        match result? {
            Fetched::Count(n) => Ok(n),
            Fetched::Matches(counts) => Ok(config.aggregate(&counts)),
        }
    }

    pub(crate) fn url(&self, host: &str, segments: &[&str]) -> Result<reqwest::Url, ScalerError> {
        let mut url = reqwest::Url::parse(&format!("https://{host}/"))
            .map_err(|_| ScalerError::InvalidNamespace(host.to_owned()))?;
        url.path_segments_mut()
            .map_err(|()| ScalerError::InvalidNamespace(host.to_owned()))?
            .clear()
            .extend(segments);
        Ok(url)
    }

    async fn entity(
        &self,
        target: &Target,
        mut url: reqwest::Url,
        expected: EntityKind,
        not_found: &str,
    ) -> Result<i64, ScalerError> {
        url.set_query(Some(&format!("api-version={API_VERSION}")));
        let body = self
            .get(target, &url, not_found, http::MAX_BODY_BYTES)
            .await?;
        match atom::parse(&body)? {
            Document::Entry(entity) => {
                let found = entity.description.clone().unwrap_or_default();
                if found != expected.description() {
                    return Err(ScalerError::WrongEntityKind {
                        name: entity.title,
                        expected: expected.noun(),
                        found: describe_kind(&found),
                    });
                }
                entity
                    .active_message_count
                    .ok_or_else(|| ScalerError::MissingCountDetails {
                        entity: expected.noun().to_owned(),
                    })
            }
            Document::Feed { title, entries } => {
                if title == atom::NOT_FOUND_FEED_TITLE || entries.is_empty() {
                    Err(ScalerError::NotFound(not_found.to_owned()))
                } else {
                    Err(ScalerError::Xml(format!(
                        "expected an entry, got a feed titled {title:?}"
                    )))
                }
            }
        }
    }

    /// The counts of a listing's matching entities, page by page (`$top=100`, stopping at the
    /// first short page): each page is parsed and dropped before the next is asked for, so a
    /// poll holds one page and the matches' counts, never the whole listing.
    async fn listing(
        &self,
        target: &Target,
        base: reqwest::Url,
        not_found: &str,
        expected: EntityKind,
        config: &ServiceBusConfig,
    ) -> Result<Vec<i64>, ScalerError> {
        let mut seen = 0usize;
        let mut counts: Vec<i64> = Vec::new();
        loop {
            let mut url = base.clone();
            url.set_query(Some(&format!(
                "$skip={seen}&$top={PAGE_SIZE}&api-version={API_VERSION}"
            )));
            let body = self.get(target, &url, not_found, MAX_PAGE_BYTES).await?;
            let document = atom::parse(&body)?;
            drop(body);
            let entries = match document {
                Document::Feed { entries, .. } => entries,
                Document::Entry(_) => {
                    return Err(ScalerError::Xml(
                        "expected a feed when listing, got a single entry".to_owned(),
                    ))
                }
            };
            let on_page = entries.len();
            seen = seen.saturating_add(on_page);
            if seen > MAX_LISTED_ENTITIES {
                return Err(ScalerError::TooManyEntities {
                    limit: MAX_LISTED_ENTITIES,
                });
            }
            for e in entries {
                if e.description.as_deref() == Some(expected.description())
                    && config.matches(&e.title)
                {
                    counts.push(e.active_message_count.ok_or_else(|| {
                        ScalerError::MissingCountDetails {
                            entity: expected.noun().to_owned(),
                        }
                    })?);
                }
            }
            if on_page < PAGE_SIZE {
                return Ok(counts);
            }
        }
    }

    /// One GET with retries; returns the 200 body.
    async fn get(
        &self,
        target: &Target,
        url: &reqwest::Url,
        not_found: &str,
        max_body: usize,
    ) -> Result<Vec<u8>, ScalerError> {
        self.get_scoped(target, url, not_found, max_body, SERVICE_BUS_SCOPE)
            .await
    }

    /// As `get`, a workload identity's token asked for `scope` (Event Hubs has its own).
    pub(crate) async fn get_scoped(
        &self,
        target: &Target,
        url: &reqwest::Url,
        not_found: &str,
        max_body: usize,
        scope: &'static str,
    ) -> Result<Vec<u8>, ScalerError> {
        let endpoint = format!("https://{}{}", target.host, url.path());
        http::with_retries(
            &self.options,
            || async {
                let authorization = self.authorization(target, scope).await?;
                self.stats.request(&target.host, url.path());
                let request = self
                    .client
                    .get(url.clone())
                    .header("authorization", authorization.expose())
                    .header("accept", "application/atom+xml, application/xml");
                let permit = self.in_flight.acquire().await;
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, max_body).await;
                drop(permit);
                let reply = reply?;
                let detail = || {
                    atom::error_detail(&reply.body).unwrap_or_else(|| {
                        reqwest::StatusCode::from_u16(reply.status)
                            .ok()
                            .and_then(|s| s.canonical_reason())
                            .unwrap_or("no detail")
                            .to_owned()
                    })
                };
                let error = match reply.status {
                    200 => return Ok(reply.body),
                    401 => {
                        if let Credential::Bearer(identity) = &target.credential {
                            self.tokens.invalidate(identity, scope).await;
                        }
                        ScalerError::Unauthorized {
                            status: 401,
                            detail: detail(),
                        }
                    }
                    403 => ScalerError::Forbidden { detail: detail() },
                    404 => ScalerError::NotFound(not_found.to_owned()),
                    429 => ScalerError::Throttled {
                        retry_after: http::retry_after(&reply.headers),
                    },
                    status @ 500..=599 => ScalerError::Server {
                        status,
                        detail: detail(),
                    },
                    status => ScalerError::Status {
                        status,
                        detail: detail(),
                    },
                };
                Err(Failure::answered(error, &reply.headers))
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await
    }

    async fn authorization(&self, target: &Target, scope: &'static str) -> Result<Secret, Failure> {
        match &target.credential {
            Credential::SasVerbatim(signature) => Ok(signature.clone()),
            Credential::SasKey { key_name, key } => Ok(self.signatures.get(target, key_name, key)),
            Credential::Bearer(identity) => {
                let token = self
                    .tokens
                    .token(&self.client, &self.options, identity, scope, || {
                        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
                    })
                    .await
                    // The token request already had its own retries.
                    .map_err(Failure::no_token)?;
                Ok(Secret::new(format!("Bearer {}", token.expose())))
            }
        }
    }
}

#[derive(Clone, Copy)]
enum EntityKind {
    Queue,
    Subscription,
}

impl EntityKind {
    fn description(self) -> &'static str {
        match self {
            EntityKind::Queue => "QueueDescription",
            EntityKind::Subscription => "SubscriptionDescription",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            EntityKind::Queue => "queue",
            EntityKind::Subscription => "subscription",
        }
    }
}

/// `TopicDescription` -> `topic`.
fn describe_kind(description: &str) -> String {
    if description.is_empty() {
        return "entry without a description".to_owned();
    }
    description
        .strip_suffix("Description")
        .unwrap_or(description)
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeMap;
    use std::sync::Arc;

    use scalecore::scalers::servicebus::{self, ServiceBusConfig};
    use scalecore::scalers::TriggerInput;

    use super::Inner;
    use crate::auth::Auth;
    use crate::identity::WorkloadIdentityEnv;
    use crate::ClientOptions;

    fn queue(name: &str) -> ServiceBusConfig {
        let metadata = BTreeMap::from([("queueName".to_owned(), name.to_owned())]);
        let auth_params = BTreeMap::from([(
            "connection".to_owned(),
            "Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=listen;SharedAccessKey=c2VjcmV0".to_owned(),
        )]);
        let env = BTreeMap::new();
        servicebus::parse(&TriggerInput {
            trigger_type: "azure-servicebus",
            index: 0,
            metadata: &metadata,
            auth_params: &auth_params,
            env: &env,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        })
        .unwrap()
    }

    #[test]
    fn triggers_of_one_entity_hold_one_key() {
        let bus = Inner::new(ClientOptions::default(), WorkloadIdentityEnv::default()).unwrap();
        let entity = |name: &str| {
            let config = queue(name);
            bus.service_bus_entity(&config, &Auth::connection_string(&config))
                .unwrap()
                .key
        };
        let (a, b, other) = (entity("jobs"), entity("jobs"), entity("mail"));
        assert!(Arc::ptr_eq(&a, &b));
        assert_ne!(a, other);
        drop((a, b, other));
        // Keys no trigger holds go once the set has grown.
        for i in 0..64 {
            drop(entity(&format!("q{i}")));
        }
        let kept = bus.entity_keys.lock().unwrap().len();
        assert!(kept < 64, "{kept} keys kept");
    }
}
