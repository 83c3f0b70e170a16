//! `azure-pipelines`: queued jobs of an Azure DevOps agent pool
//! (`pkg/scalers/azure_pipelines_scaler.go`: the two exclusions on the raw metadata,
//! `azurePipelinesMetadata` and its `Validate()`, `getAuthMethod`, then the pool).
//!
//! The pool is looked up on the service (`poolName`) or checked there (`poolID`): that first
//! call decides whether the pool exists, and with `poolName` also the ID in KEDA's metric
//! name, so here a pool given by name is named by `poolName` in the metric.
//!
//! Valid: the organization and a personal access token from the workload's env.
//! ```yaml
//! - type: azure-pipelines
//!   metadata:
//!     poolID: "1"
//!     organizationURLFromEnv: AZP_URL
//!     personalAccessTokenFromEnv: AZP_TOKEN
//! ```
//! Invalid: `jobsToFetch` and `parent` together ("cannot specify both jobsToFetch and parent
//! at the same time").
//! ```yaml
//! - type: azure-pipelines
//!   metadata:
//!     poolID: "1"
//!     parent: example-keda-template
//!     jobsToFetch: "42"
//!     organizationURLFromEnv: AZP_URL
//!     personalAccessTokenFromEnv: AZP_TOKEN
//! ```

use super::azure_ad::{self, Secret};
use super::typed::{self, Param, Parsed, A, BOOL, E, INT, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-pipelines"],
    parse,
};

/// The token scope of Azure DevOps for workload identity.
pub const DEVOPS_SCOPE: &str = "499b84ac-1321-427f-aa17-267ca6975798/.default";

const PARAMS: &[Param] = &[
    Param::new("organizationURL", &[E, A, M], STRING),
    Param::new("personalAccessToken", &[A, E], STRING).optional(),
    Param::new("parent", &[M], STRING).optional(),
    Param::new("demands", &[M], STRING).optional(),
    Param::new("poolName", &[M], STRING).optional(),
    Param::new("poolID", &[M], INT).optional(),
    Param::new("targetPipelinesQueueLength", &[M], INT64).default("1"),
    Param::new("activationTargetPipelinesQueueLength", &[M], INT64).default("0"),
    Param::new("jobsToFetch", &[M], INT64).default("250"),
    Param::new("fetchUnfinishedJobsOnly", &[M], BOOL).default("false"),
    Param::new("requireAllDemands", &[M], BOOL).default("false"),
    Param::new("requireAllDemandsAndIgnoreOthers", &[M], BOOL).default("false"),
    Param::new("caseInsensitiveDemandsProcessing", &[M], BOOL).default("false"),
];

/// How requests to Azure DevOps are authenticated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PipelinesAuth {
    /// Basic auth with an empty user.
    PersonalAccessToken(Secret),
    /// A token for [`DEVOPS_SCOPE`] from the workload identity.
    Workload { identity_id: Option<String> },
}

/// What a poller needs to count the pool's jobs.
#[derive(Clone, Debug)]
pub struct AzurePipelinesConfig {
    pub metric: ScalerMetric,
    pub organization_url: String,
    /// The last path segment of the organization URL.
    pub organization_name: String,
    pub auth: PipelinesAuth,
    pub parent: String,
    pub demands: String,
    /// When set, the pool ID is looked up by this name first (and `pool_id` ignored).
    pub pool_name: Option<String>,
    pub pool_id: i64,
    pub jobs_to_fetch: i64,
    pub fetch_unfinished_jobs_only: bool,
    pub require_all_demands: bool,
    pub require_all_demands_and_ignore_others: bool,
    pub case_insensitive_demands_processing: bool,
}

fn organization_name(url: &str) -> &str {
    url.rfind('/').map_or(url, |i| &url[i + 1..])
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let url = p.str("organizationURL");
    if !typed::unseen(url) && organization_name(url).is_empty() {
        // Also said of an absent URL (then about something missing, maybe out of view).
        let kind = if url.is_empty() {
            ErrorKind::Missing
        } else {
            ErrorKind::Invalid
        };
        return Err(typed::error(
            "organizationURL",
            kind,
            "failed to extract organization name from organizationURL",
        ));
    }
    Ok(())
}

/// `parseAzurePipelinesMetadata` up to the pool lookup; `identity_id` is the
/// TriggerAuthentication's `podIdentity.identityId`, if any.
pub fn config(
    input: &TriggerInput<'_>,
    identity_id: Option<&str>,
) -> Result<AzurePipelinesConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let one = |key, kind, message: String| vec![typed::error(key, kind, message)];
    // Compared untrimmed, before the typed config.
    let given = |k: &str| input.metadata.get(k).is_some_and(|v| !v.is_empty());
    for other in ["fetchUnfinishedJobsOnly", "parent"] {
        if given("jobsToFetch") && given(other) {
            return Err(one(
                other,
                ErrorKind::Invalid,
                format!("cannot specify both jobsToFetch and {other} at the same time"),
            ));
        }
    }
    let p = typed::read(input, PARAMS, validate)?;
    let auth = match (p.str("personalAccessToken"), azure_ad::provider(input.pod_identity)) {
        (pat, _) if !pat.is_empty() => PipelinesAuth::PersonalAccessToken(Secret::new(pat)),
        (_, None) => {
            return Err(one(
                "personalAccessToken",
                ErrorKind::Missing,
                "no personalAccessToken given or PodIdentity provider configured".to_owned(),
            ))
        }
        (_, Some("azure-workload")) => PipelinesAuth::Workload {
            identity_id: identity_id.map(str::to_owned),
        },
        (_, Some(other)) => {
            return Err(one(
                "",
                ErrorKind::PodIdentity,
                format!("pod identity {other} not supported for azure pipelines"),
            ))
        }
    };
    let pool_name = p.str("poolName");
    let pool_id = p.int("poolID");
    if pool_name.is_empty() && pool_id == 0 {
        // A poolID of 0 is given but unusable; otherwise nothing names the pool.
        let kind = if p.is_set("poolID") {
            ErrorKind::Invalid
        } else {
            ErrorKind::Missing
        };
        return Err(one(
            "poolID",
            kind,
            "no poolName or poolID given".to_owned(),
        ));
    }
    let pool = if pool_name.is_empty() {
        pool_id.to_string()
    } else {
        pool_name.to_owned()
    };
    let url = p.str("organizationURL");
    Ok(AzurePipelinesConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(input.index, &format!("azure-pipelines-{pool}")),
            metric_type,
            target: p.int("targetPipelinesQueueLength") as f64,
            activation: p.int("activationTargetPipelinesQueueLength") as f64,
        },
        organization_url: url.to_owned(),
        organization_name: organization_name(url).to_owned(),
        auth,
        parent: p.str("parent").to_owned(),
        demands: p.str("demands").to_owned(),
        pool_name: Some(pool_name.to_owned()).filter(|n| !n.is_empty()),
        pool_id,
        jobs_to_fetch: p.int("jobsToFetch"),
        fetch_unfinished_jobs_only: p.bool("fetchUnfinishedJobsOnly"),
        require_all_demands: p.bool("requireAllDemands"),
        require_all_demands_and_ignore_others: p.bool("requireAllDemandsAndIgnoreOthers"),
        case_insensitive_demands_processing: p.bool("caseInsensitiveDemandsProcessing"),
    })
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input, None).map(|c| c.metric)
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const FROM_ENV: &[(&str, &str)] = &[
        ("organizationURLFromEnv", "AZP_URL"),
        ("personalAccessTokenFromEnv", "AZP_TOKEN"),
    ];
    const ENV: &[(&str, &str)] = &[
        ("AZP_URL", "https://dev.azure.com/sample"),
        ("AZP_TOKEN", "sample"),
    ];

    fn meta(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut m = FROM_ENV.to_vec();
        m.extend_from_slice(extra);
        m
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("azure-pipelines")
            .meta(&meta(&[("poolID", "1")]))
            .env(ENV)
            .index(1)
            .parse()
            .unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-azure-pipelines-1", 1.0));
        let bad = Trigger::new("azure-pipelines")
            .meta(&meta(&[
                ("poolID", "1"),
                ("parent", "example-keda-template"),
                ("jobsToFetch", "42"),
            ]))
            .env(ENV);
        assert_eq!(
            bad.messages(),
            ["cannot specify both jobsToFetch and parent at the same time"]
        );
    }

    /// `testAzurePipelinesMetadata`.
    #[test]
    fn authentication_and_pool() {
        let t = Trigger::new("azure-pipelines")
            .meta(&[("organizationURLFromEnv", "AZP_URL"), ("poolID", "1")])
            .env(ENV);
        assert_eq!(
            t.messages(),
            ["no personalAccessToken given or PodIdentity provider configured"]
        );
        let t = Trigger::new("azure-pipelines")
            .meta(&[("organizationURLFromEnv", "AZP_URL"), ("poolID", "1")])
            .env(ENV)
            .pod_identity("azure-workload");
        assert!(t.parse().is_ok());
        let t = Trigger::new("azure-pipelines")
            .meta(&meta(&[("poolID", "")]))
            .env(ENV);
        assert_eq!(t.messages(), ["no poolName or poolID given"]);
        let t = Trigger::new("azure-pipelines")
            .meta(&meta(&[("poolName", "sample pool")]))
            .env(&[("AZP_URL", "https://dev.azure.com/"), ("AZP_TOKEN", "t")]);
        assert_eq!(
            t.messages(),
            ["failed to extract organization name from organizationURL"]
        );
        let t = Trigger::new("azure-pipelines")
            .meta(&meta(&[
                ("poolID", "1"),
                ("parent", "p"),
                ("fetchUnfinishedJobsOnly", "true"),
            ]))
            .env(ENV);
        assert!(t.parse().is_ok());
    }

    #[test]
    fn config_for_a_poller() {
        let pairs: Vec<_> = meta(&[("poolName", "sample pool"), ("demands", "java")])
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let env = ENV
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let (meta, empty) = (pairs.into_iter().collect(), Default::default());
        let input = crate::scalers::TriggerInput {
            trigger_type: "azure-pipelines",
            index: 0,
            metadata: &meta,
            auth_params: &empty,
            env: &env,
            pod_identity: None,
            metric_type: None,
            namespace: "default",
        };
        let c = super::config(&input, None).unwrap();
        assert_eq!(c.organization_name, "sample");
        assert_eq!(c.pool_name.as_deref(), Some("sample pool"));
        assert_eq!(c.jobs_to_fetch, 250);
        assert_eq!(c.metric.metric_name, "s0-azure-pipelines-sample pool");
        assert!(!format!("{c:?}").contains("\"sample\")"));
        let super::PipelinesAuth::PersonalAccessToken(pat) = &c.auth else {
            panic!("{:?}", c.auth)
        };
        assert_eq!(pat.expose(), "sample");
    }
}
