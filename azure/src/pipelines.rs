//! Azure DevOps for `azure-pipelines` (KEDA's `GetAzurePipelinesQueueLength`): the agent pool
//! is found by name (`GET <org>/_apis/distributedtask/pools?poolName=..`) or checked by ID
//! (`?poolID=..`) once, then each poll reads the pool's job requests
//! (`pools/<id>/jobrequests`, `$top=jobsToFetch`, or `completedRequestCount=0`, or neither
//! with `parent`) and counts the queued ones as KEDA does: not finished, not received by an
//! agent, and matching `parent` (a matched agent's name) or `demands`. Authorized by a
//! personal access token (Basic, empty user) or a workload identity token for Azure DevOps.

use std::sync::atomic::Ordering;
use std::time::Duration;

use base64::Engine;
use scalecore::scalers::azure_pipelines::{AzurePipelinesConfig, PipelinesAuth, DEVOPS_SCOPE};
use serde::Deserialize;

use crate::auth::IdentityOverrides;
use crate::credential::digest_hex;
use crate::error::ScalerError;
use crate::http::{self, Failure, Reply};
use crate::identity::Identity;
use crate::management::Inner;
use crate::secret::Secret;

/// A job requests answer: 250 requests of a few KiB each; the `parent` form has no `$top`, so
/// a busy pool answers with more. Beyond this the poll fails rather than read on.
pub const MAX_JOB_REQUESTS_BYTES: usize = 16 * 1024 * 1024;

enum Proof {
    /// `Authorization: Basic base64(":" + pat)`.
    Basic(Secret),
    Bearer(Identity),
}

struct Caller {
    proof: Proof,
    /// Separates cached results of different credentials (a hash, never the secret).
    fingerprint: String,
}

/// The parts of a job request KEDA reads.
#[derive(Debug, Deserialize)]
struct JobRequest {
    #[serde(default)]
    result: Option<String>,
    #[serde(default, rename = "receiveTime")]
    receive_time: Option<String>,
    #[serde(default)]
    demands: Option<Vec<String>>,
    #[serde(default, rename = "matchedAgents")]
    matched_agents: Option<Vec<Agent>>,
}

#[derive(Debug, Deserialize)]
struct Agent {
    #[serde(default)]
    name: String,
}

#[derive(Debug, Deserialize)]
struct Pool {
    #[serde(default)]
    id: i64,
}

#[derive(Debug, Deserialize)]
struct Pools {
    #[serde(default)]
    value: Vec<Pool>,
}

impl Inner {
    /// KEDA's azure-pipelines value, shared by every caller asking for the same (credential,
    /// organization, pool, filters) within `max_age`.
    pub async fn pipelines_queue_length(
        &self,
        config: &AzurePipelinesConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let organization = config.organization_url.as_str();
        let base = reqwest::Url::parse(&format!("{organization}/_apis/distributedtask/pools"))
            .ok()
            .filter(|u| u.host_str().is_some())
            .ok_or_else(|| ScalerError::InvalidEndpoint(http::quote(organization)))?;
        // Before anything is sent there, credential or not.
        self.endpoints.check_at_or_under(&base)?;
        let caller = self.pipelines_caller(&config.auth, overrides)?;
        let key = format!(
            "{:?}",
            (
                &caller.fingerprint,
                "pipelines",
                organization,
                &config.pool_name,
                config.pool_id,
                config.jobs_to_fetch,
                config.fetch_unfinished_jobs_only,
                &config.parent,
                &config.demands,
                config.require_all_demands,
                config.require_all_demands_and_ignore_others,
                config.case_insensitive_demands_processing,
            )
        );
        let fetch = async {
            let pool_id = self.pool_id(&caller, organization, config).await?;
            let mut url = reqwest::Url::parse(&format!(
                "{organization}/_apis/distributedtask/pools/{pool_id}/jobrequests"
            ))
            .map_err(|_| ScalerError::InvalidEndpoint(http::quote(organization)))?;
            if config.fetch_unfinished_jobs_only {
                url.set_query(Some("completedRequestCount=0"));
            } else if config.parent.is_empty() {
                url.set_query(Some(&format!("$top={}", config.jobs_to_fetch)));
            }
            let reply = self
                .devops_get(&caller, url, MAX_JOB_REQUESTS_BYTES)
                .await?;
            queue_length(&reply.body, config).map_err(|e| not_json(&reply, "job requests", &e))
        };
        let (result, outcome) = self.storage_counts.get(&key, max_age, fetch).await;
        self.stats.outcome(outcome);
        result
    }

    fn pipelines_caller(
        &self,
        auth: &PipelinesAuth,
        overrides: &IdentityOverrides,
    ) -> Result<Caller, ScalerError> {
        Ok(match auth {
            PipelinesAuth::PersonalAccessToken(pat) => {
                let pat = pat.expose();
                let pat = pat.strip_suffix('\n').unwrap_or(pat);
                let basic = base64::engine::general_purpose::STANDARD.encode(format!(":{pat}"));
                Caller {
                    fingerprint: format!("pat:{}", digest_hex(&[pat])),
                    proof: Proof::Basic(Secret::new(format!("Basic {basic}"))),
                }
            }
            PipelinesAuth::Workload { identity_id } => {
                let identity = self.workload_identity(identity_id.as_deref(), overrides)?;
                Caller {
                    fingerprint: identity.fingerprint(),
                    proof: Proof::Bearer(identity),
                }
            }
        })
    }

    /// `getPoolIDFromName` / `validatePoolID`, remembered while in use once they succeed (KEDA
    /// does this once, when it builds the scaler).
    async fn pool_id(
        &self,
        caller: &Caller,
        organization: &str,
        config: &AzurePipelinesConfig,
    ) -> Result<i64, ScalerError> {
        let cache_key = format!(
            "{:?}",
            (
                &caller.fingerprint,
                organization,
                &config.pool_name,
                config.pool_id
            )
        );
        if let Some(id) = self
            .pipeline_pools
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(&cache_key)
        {
            return Ok(*id);
        }
        let pools = format!("{organization}/_apis/distributedtask/pools");
        let invalid = || ScalerError::InvalidEndpoint(http::quote(organization));
        let id = match &config.pool_name {
            Some(name) => {
                let mut url = reqwest::Url::parse(&pools).map_err(|_| invalid())?;
                url.query_pairs_mut().append_pair("poolName", name);
                let reply = self.devops_get(caller, url, http::MAX_BODY_BYTES).await?;
                let found: Pools = json(&reply, "agent pools")?;
                match found.value.as_slice() {
                    [] => {
                        return Err(ScalerError::Pipelines(format!(
                            "agent pool with name `{name}` not found"
                        )))
                    }
                    [one] => one.id,
                    many => {
                        return Err(ScalerError::Pipelines(format!(
                            "found {} agent pool with name `{name}`",
                            many.len()
                        )))
                    }
                }
            }
            None => {
                let url = reqwest::Url::parse(&format!("{pools}?poolID={}", config.pool_id))
                    .map_err(|_| invalid())?;
                let reply = self
                    .devops_get(caller, url, http::MAX_BODY_BYTES)
                    .await
                    .map_err(|e| {
                        ScalerError::Pipelines(format!(
                            "agent pool with id `{}` not found: {e}",
                            config.pool_id
                        ))
                    })?;
                let _: serde_json::Map<String, serde_json::Value> = json(&reply, "agent pools")?;
                config.pool_id
            }
        };
        self.pipeline_pools
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cache_key, id);
        Ok(id)
    }

    /// One GET with retries; a 2xx reply (KEDA accepts any).
    async fn devops_get(
        &self,
        caller: &Caller,
        url: reqwest::Url,
        max_body: usize,
    ) -> Result<Reply, ScalerError> {
        let host = http::host_port(&url);
        let endpoint = http::endpoint_name(&url);
        http::with_retries(
            &self.options,
            || async {
                let authorization = match &caller.proof {
                    Proof::Basic(basic) => basic.clone(),
                    Proof::Bearer(identity) => {
                        let token = self
                            .tokens
                            .token(&self.client, &self.options, identity, DEVOPS_SCOPE, || {
                                self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
                            })
                            .await
                            .map_err(Failure::no_token)?;
                        Secret::new(format!("Bearer {}", token.expose()))
                    }
                };
                self.stats.request(&host, url.path());
                let request = self
                    .client
                    .get(url.clone())
                    .header("authorization", authorization.expose())
                    .header("accept", "application/json");
                let permit = self.in_flight.acquire().await;
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, max_body).await;
                drop(permit);
                let reply = reply?;
                if (200..300).contains(&reply.status) {
                    return Ok(reply);
                }
                if let (401, Proof::Bearer(identity)) = (reply.status, &caller.proof) {
                    self.tokens.invalidate(identity, DEVOPS_SCOPE).await;
                }
                let error = ScalerError::Service {
                    service: "Azure DevOps",
                    status: reply.status,
                    code: String::new(),
                    detail: detail(&reply),
                };
                Err(Failure::answered(error, &reply.headers))
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await
    }
}

/// Azure DevOps' error `message` (`{"$id", "message", "typeKey", ...}`), first line.
fn detail(reply: &Reply) -> String {
    let json: serde_json::Value = serde_json::from_slice(&reply.body).unwrap_or_default();
    http::detail(json["message"].as_str(), reply.status)
}

/// A 2xx body as JSON.
fn json<T: serde::de::DeserializeOwned>(reply: &Reply, what: &str) -> Result<T, ScalerError> {
    serde_json::from_slice(&reply.body).map_err(|e| not_json(reply, what, &e))
}

/// Azure DevOps answers a request it could not authenticate with `203 Non-Authoritative
/// Information` and its HTML sign-in page.
fn not_json(reply: &Reply, what: &str, e: &serde_json::Error) -> ScalerError {
    let hint = if reply.status == 203 {
        " (203 is Azure DevOps' sign-in page: the personal access token or identity was not accepted)"
    } else {
        ""
    };
    ScalerError::Pipelines(format!(
        "Azure DevOps answered {} with {what} that are not JSON of the expected shape: {}{hint}",
        reply.status,
        http::cut(&e.to_string())
    ))
}

/// `time.Time.IsZero` of a `receiveTime` as Go decodes it (absent or null: zero).
fn received(receive_time: Option<&str>) -> bool {
    receive_time.is_some_and(|t| !t.starts_with("0001-01-01T00:00:00"))
}

/// `stripAgentVFromArray`.
fn without_agent_version<'a>(demands: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    demands
        .filter(|d| !d.starts_with("Agent.Version"))
        .collect()
}

/// `getCanAgentDemandFulfilJob`.
fn demands_fulfilled(job: &JobRequest, config: &AzurePipelinesConfig) -> bool {
    let in_job = without_agent_version(job.demands.iter().flatten().map(String::as_str));
    let in_scaler = without_agent_version(config.demands.split(','));
    let mut count = 0usize;
    for j in &in_job {
        for s in &in_scaler {
            let matched = if config.case_insensitive_demands_processing {
                // strings.EqualFold: Unicode simple folding; lower-casing both agrees for
                // the ASCII names demands use.
                j.to_lowercase() == s.to_lowercase()
            } else {
                j == s
            };
            if matched {
                count += 1;
            }
        }
    }
    if config.require_all_demands {
        count == in_job.len() && count == in_scaler.len()
    } else if config.require_all_demands_and_ignore_others {
        count == in_scaler.len()
    } else {
        count == in_job.len()
    }
}

/// `getCanAgentParentFulfilJob`.
fn parent_fulfilled(job: &JobRequest, parent: &str) -> bool {
    job.matched_agents
        .iter()
        .flatten()
        .any(|agent| agent.name == parent)
}

/// `stripDeadJobs`, then the parent or demands rule.
fn counts(job: &JobRequest, config: &AzurePipelinesConfig) -> bool {
    if job.result.is_some() || received(job.receive_time.as_deref()) {
        false
    } else if config.parent.is_empty() && config.demands.is_empty() {
        true
    } else if config.parent.is_empty() {
        demands_fulfilled(job, config)
    } else {
        parent_fulfilled(job, &config.parent)
    }
}

/// KEDA's count over `{"count": .., "value": [job requests]}`, one job request in memory at a
/// time: a long answer costs its bytes, not a structure per element.
fn queue_length(body: &[u8], config: &AzurePipelinesConfig) -> Result<i64, serde_json::Error> {
    use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

    struct Answer<'a>(&'a AzurePipelinesConfig);
    struct Jobs<'a>(&'a AzurePipelinesConfig);

    impl<'de> Visitor<'de> for Answer<'_> {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a job requests object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<i64, A::Error> {
            let mut count = 0;
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == "value" {
                    count = map.next_value_seed(Jobs(self.0))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok(count)
        }
    }

    impl<'de> DeserializeSeed<'de> for Jobs<'_> {
        type Value = i64;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<i64, D::Error> {
            d.deserialize_seq(self)
        }
    }

    impl<'de> Visitor<'de> for Jobs<'_> {
        type Value = i64;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of job requests")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<i64, A::Error> {
            let mut count = 0;
            while let Some(job) = seq.next_element::<JobRequest>()? {
                if counts(&job, self.0) {
                    count += 1;
                }
            }
            Ok(count)
        }
    }

    let mut de = serde_json::Deserializer::from_slice(body);
    let count = serde::Deserializer::deserialize_map(&mut de, Answer(config))?;
    de.end()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use scalecore::scalers::ScalerMetric;

    const JOBS: &str =
        include_str!("../../tests/azure-samples/devops-jobrequests.keda-testdata.json");
    const FINISHED: &str =
        include_str!("../../tests/azure-samples/devops-jobrequest-finished.keda-testdata.json");
    const RECEIVED: &str =
        include_str!("../../tests/azure-samples/devops-jobrequest-received.keda-testdata.json");

    fn config() -> AzurePipelinesConfig {
        AzurePipelinesConfig {
            metric: ScalerMetric {
                metric_name: "s0-azure-pipelines-1".into(),
                metric_type: scalecore::scalers::MetricType::AverageValue,
                target: 1.0,
                activation: 0.0,
            },
            organization_url: "https://dev.azure.com/FOO".into(),
            organization_name: "FOO".into(),
            auth: PipelinesAuth::PersonalAccessToken(scalecore::scalers::azure_ad::Secret::new(
                "pat",
            )),
            parent: String::new(),
            demands: String::new(),
            pool_name: None,
            pool_id: 44,
            jobs_to_fetch: 250,
            fetch_unfinished_jobs_only: false,
            require_all_demands: false,
            require_all_demands_and_ignore_others: false,
            case_insensitive_demands_processing: false,
        }
    }

    fn count(body: &str, change: impl FnOnce(&mut AzurePipelinesConfig)) -> i64 {
        let mut c = config();
        change(&mut c);
        queue_length(body.as_bytes(), &c).unwrap()
    }

    /// The known answers of KEDA's `azure_pipelines_scaler_test.go` on its own fixtures.
    #[test]
    fn keda_counts_on_its_fixtures() {
        assert_eq!(count(JOBS, |_| {}), 2);
        // TestAzurePipelinesMatchedAgent: the parent template is a matched agent of one job.
        assert_eq!(
            count(JOBS, |c| c.parent = "dotnet60-keda-template".into()),
            1
        );
        // TestAzurePipelinesMatchedDemandAgent and its neighbours.
        assert_eq!(count(JOBS, |c| c.demands = "dotnet60,java,cmake".into()), 1);
        assert_eq!(count(JOBS, |c| c.demands = "dotnet60,java".into()), 0);
        assert_eq!(
            count(JOBS, |c| c.demands = "testDemand,iamnotademand".into()),
            0
        );
        assert_eq!(
            count(JOBS, |c| {
                c.demands = "dotnet60,java,cmake,someOther".into();
                c.require_all_demands = true;
            }),
            0
        );
        assert_eq!(
            count(JOBS, |c| {
                c.demands = "dotnet60,java".into();
                c.require_all_demands_and_ignore_others = true;
            }),
            1
        );
        // TestAzurePipelinesNotMatchedPartialRequiredTriggerDemands.
        assert_eq!(
            count(JOBS, |c| {
                c.demands = "kubectl,someOtherDemand".into();
                c.require_all_demands = true;
            }),
            0
        );
        // Case: sensitive by default, folded when asked.
        assert_eq!(
            count(JOBS, |c| {
                c.demands = "KUBECTL".into();
                c.require_all_demands = true;
            }),
            0
        );
        assert_eq!(
            count(JOBS, |c| {
                c.demands = "KUBECTL".into();
                c.require_all_demands = true;
                c.case_insensitive_demands_processing = true;
            }),
            1
        );
    }

    /// `stripDeadJobs`: finished and received jobs are not queued.
    #[test]
    fn finished_and_received_jobs_are_not_counted() {
        let body = format!(r#"{{"count":2,"value":[{FINISHED},{RECEIVED}]}}"#);
        assert_eq!(count(&body, |_| {}), 0);
        let queued = r#"{"requestId":1,"queueTime":"2022-09-28T11:19:49.89Z","demands":["Agent.Version -gtVersion 2.182.1"],"receiveTime":"0001-01-01T00:00:00"}"#;
        let body = format!(r#"{{"count":2,"value":[{queued},{RECEIVED}]}}"#);
        assert_eq!(count(&body, |_| {}), 1);
    }

    #[test]
    fn answers_that_are_not_job_requests_are_errors() {
        for body in [
            "<html>sign in</html>",
            r#"{"value": [{"result": 1}]}"#,
            r#"{"value": {}}"#,
            r#"{"value": []} trailing"#,
        ] {
            assert!(queue_length(body.as_bytes(), &config()).is_err(), "{body}");
        }
        assert_eq!(queue_length(br#"{"count": 0}"#, &config()).unwrap(), 0);
    }
}
