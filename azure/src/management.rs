//! The management GETs (spec §3) and how their results become KEDA's metric value.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use scalecore::scalers::servicebus::{EntityType, ServiceBusConfig};

use crate::atom::{self, Document, Entity};
use crate::auth::Auth;
use crate::coalesce::{Coalescer, Outcome};
use crate::credential::{self, Credential, Signatures, Target};
use crate::error::ScalerError;
use crate::http::{self, Failure};
use crate::identity::{TokenCache, WorkloadIdentityEnv};
use crate::secret::Secret;
use crate::stats::Counters;
use crate::{ClientOptions, API_VERSION};

/// The page size asked for when listing; a shorter page is the last.
pub const PAGE_SIZE: usize = 100;
/// 100 000 entities: beyond that a listing is refused rather than paged forever.
const MAX_PAGES: usize = 1000;

#[derive(Clone)]
enum Fetched {
    Count(i64),
    Listing(Arc<Vec<Entity>>),
}

pub struct Inner {
    client: reqwest::Client,
    options: ClientOptions,
    identity_env: WorkloadIdentityEnv,
    tokens: TokenCache,
    signatures: Signatures,
    results: Coalescer<Fetched>,
    in_flight: tokio::sync::Semaphore,
    pub stats: Counters,
}

impl Inner {
    pub fn new(
        options: ClientOptions,
        identity_env: WorkloadIdentityEnv,
    ) -> Result<Inner, ScalerError> {
        Ok(Inner {
            in_flight: tokio::sync::Semaphore::new(options.max_concurrent_requests.max(1)),
            client: crate::transport::build_client(&options)?,
            options,
            identity_env,
            tokens: TokenCache::default(),
            signatures: Signatures::default(),
            results: Coalescer::default(),
            stats: Counters::default(),
        })
    }

    pub async fn active_message_count(
        &self,
        config: &ServiceBusConfig,
        auth: &Auth,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let target = credential::target(auth, &self.identity_env)?;
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
        let verb = if config.use_regex { "list" } else { "get" };
        let key = format!(
            "{}|{}|{verb}|{}",
            target.fingerprint,
            target.host,
            url.path()
        );
        let fetch = async {
            if config.use_regex {
                self.listing(&target, url.clone(), &not_found)
                    .await
                    .map(|l| Fetched::Listing(Arc::new(l)))
            } else {
                self.entity(&target, url.clone(), expected, &not_found)
                    .await
                    .map(Fetched::Count)
            }
        };
        let (result, outcome) = self.results.get(&key, max_age, fetch).await;
        match outcome {
            Outcome::Hit => self.stats.cache_hits.fetch_add(1, Ordering::Relaxed),
            Outcome::Joined => self.stats.coalesced.fetch_add(1, Ordering::Relaxed),
            Outcome::Fetched => 0,
        };
        match result? {
            Fetched::Count(n) => Ok(n),
            Fetched::Listing(entities) => {
                let mut counts = Vec::new();
                for e in entities.iter() {
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
                Ok(config.aggregate(&counts))
            }
        }
    }

    fn url(&self, host: &str, segments: &[&str]) -> Result<reqwest::Url, ScalerError> {
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
        let body = self.get(target, &url, not_found).await?;
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

    /// All pages of a listing: `$top=100`, stopping at the first short page.
    async fn listing(
        &self,
        target: &Target,
        base: reqwest::Url,
        not_found: &str,
    ) -> Result<Vec<Entity>, ScalerError> {
        let mut all: Vec<Entity> = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut url = base.clone();
            url.set_query(Some(&format!(
                "$skip={}&$top={PAGE_SIZE}&api-version={API_VERSION}",
                all.len()
            )));
            let body = self.get(target, &url, not_found).await?;
            let entries = match atom::parse(&body)? {
                Document::Feed { entries, .. } => entries,
                Document::Entry(_) => {
                    return Err(ScalerError::Xml(
                        "expected a feed when listing, got a single entry".to_owned(),
                    ))
                }
            };
            let last = entries.len() < PAGE_SIZE;
            all.extend(entries);
            if last {
                return Ok(all);
            }
        }
        Err(ScalerError::Xml(format!(
            "listing has more than {} entities",
            MAX_PAGES * PAGE_SIZE
        )))
    }

    /// One GET with retries; returns the 200 body.
    async fn get(
        &self,
        target: &Target,
        url: &reqwest::Url,
        not_found: &str,
    ) -> Result<Vec<u8>, ScalerError> {
        let endpoint = format!("https://{}{}", target.host, url.path());
        http::with_retries(
            &self.options,
            || async {
                let authorization = self.authorization(target).await?;
                self.stats.request(&target.host, url.path());
                let request = self
                    .client
                    .get(url.clone())
                    .header("authorization", authorization.expose())
                    .header("accept", "application/atom+xml, application/xml");
                let permit = self.in_flight.acquire().await;
                let reply = http::exchange(request, &endpoint, self.options.timeout).await;
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
                            self.tokens.invalidate(identity).await;
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
                Err(Failure {
                    retry_after: http::retry_after(&reply.headers),
                    transient: error.is_transient(),
                    error,
                })
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await
    }

    async fn authorization(&self, target: &Target) -> Result<Secret, Failure> {
        match &target.credential {
            Credential::SasVerbatim(signature) => Ok(signature.clone()),
            Credential::SasKey { key_name, key } => Ok(self.signatures.get(target, key_name, key)),
            Credential::Bearer(identity) => {
                let token = self
                    .tokens
                    .token(&self.client, &self.options, identity, || {
                        self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
                    })
                    .await
                    // The token request already had its own retries.
                    .map_err(|error| Failure {
                        error,
                        retry_after: None,
                        transient: false,
                    })?;
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
