//! `azure-app-insights`: an Application Insights metric (`pkg/scalers/azure_app_insights_scaler.go`,
//! `azureAppInsightsMetadata` and its `Validate()`, then the target, the cloud's resource URL,
//! `ParseActiveDirectoryEndpoint` and the pod identity).
//!
//! Valid: the application and the service principal in the TriggerAuthentication.
//! ```yaml
//! - type: azure-app-insights
//!   metadata:
//!     metricAggregationTimespan: "0:1"
//!     metricAggregationType: avg
//!     metricId: customMetrics/example-metric
//!     targetValue: "1.5"
//!   authenticationRef:
//!     name: app-insights-trigger-auth   # applicationInsightsId, tenantId, activeDirectoryClientId, activeDirectoryClientPassword
//! ```
//! Invalid: the timespan is `hh:mm` ("metricAggregationTimespan not in the correct format.
//! Should be hh:mm").
//! ```yaml
//! - type: azure-app-insights
//!   metadata:
//!     metricAggregationTimespan: "00:01:00"
//!     metricAggregationType: avg
//!     metricId: customMetrics/example-metric
//!     targetValue: "1.5"
//!   authenticationRef:
//!     name: app-insights-trigger-auth
//! ```

use super::azure_ad::{self, Credential, Secret};
use super::typed::{self, Param, Parsed, A, BOOL, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-app-insights"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("targetValue", &[M], FLOAT64).optional(),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("metricId", &[M], STRING),
    Param::new("metricAggregationTimespan", &[M], STRING),
    Param::new("metricAggregationType", &[M], STRING),
    Param::new("metricFilter", &[M], STRING).optional(),
    Param::new("ignoreNullValues", &[M], BOOL).default("false"),
    Param::new("cloud", &[M], STRING).optional(),
    Param::new("appInsightsResourceURL", &[M], STRING).optional(),
    Param::new("applicationInsightsId", &[M, A, E], STRING),
    Param::new("tenantId", &[M, A, E], STRING),
    Param::new("activeDirectoryClientId", &[M, A, E], STRING).optional(),
    Param::new("activeDirectoryClientPassword", &[A, E], STRING).optional(),
];

/// What a poller needs for `GET {resource}/v1/apps/{id}/metrics/{metricId}`.
#[derive(Clone, Debug)]
pub struct AppInsightsConfig {
    pub metric: ScalerMetric,
    pub application_insights_id: String,
    pub metric_id: String,
    /// `hh:mm` as written.
    pub aggregation_timespan: String,
    /// The aggregation asked for and read back from the response (`avg`, `max`, …).
    pub aggregation_type: String,
    pub filter: Option<String>,
    pub ignore_null_values: bool,
    /// The cloud's Application Insights API, or `appInsightsResourceURL` for `Private`.
    pub resource_url: String,
    pub active_directory_endpoint: String,
    pub credential: Credential,
}

impl AppInsightsConfig {
    /// `toISO8601`: the `timespan` query value (`PT01H02M`), `None` where KEDA fails the poll.
    pub fn timespan(&self) -> Option<String> {
        let (h, m) = self.aggregation_timespan.split_once(':')?;
        let (h, m) = (go_atoi(h)?, go_atoi(m)?);
        Some(format!("PT{h:02}H{m:02}M"))
    }
}

/// `strconv.Atoi`: an optional sign and ASCII digits.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.str("metricAggregationTimespan").split(':').count() != 2 {
        return Err(typed::error(
            "metricAggregationTimespan",
            ErrorKind::Invalid,
            "metricAggregationTimespan not in the correct format. Should be hh:mm",
        ));
    }
    Ok(())
}

/// `NewAzureAppInsightsScaler` up to its credential; `identity_id` is the
/// TriggerAuthentication's `podIdentity.identityId`, if any.
pub fn config(
    input: &TriggerInput<'_>,
    identity_id: Option<&str>,
) -> Result<AppInsightsConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let one = |e: ScalerError| vec![e];
    // The linter drops this when the trigger only feeds scalingModifiers (AsMetricSource).
    if p.float("targetValue") == 0.0 {
        return Err(one(typed::error(
            "targetValue",
            ErrorKind::MissingTarget,
            "no targetValue given",
        )));
    }
    let cloud = p.str("cloud");
    let resource_url = if cloud.is_empty() {
        azure_ad::PUBLIC.app_insights.to_owned()
    } else if azure_ad::is_private(cloud) {
        match p.str("appInsightsResourceURL") {
            "" => return Err(one(azure_ad::private_needs("appInsightsResourceURL"))),
            url => url.to_owned(),
        }
    } else {
        azure_ad::named_cloud(cloud)
            .ok_or_else(|| one(azure_ad::no_such_cloud(cloud)))?
            .app_insights
            .to_owned()
    };
    let active_directory_endpoint =
        azure_ad::active_directory_endpoint(input.metadata).map_err(one)?;
    let credential = match azure_ad::provider(input.pod_identity) {
        None => {
            for (key, message) in [
                ("activeDirectoryClientId", "no activeDirectoryClientId given"),
                (
                    "activeDirectoryClientPassword",
                    "no activeDirectoryClientPassword given",
                ),
            ] {
                if p.str(key).is_empty() {
                    return Err(one(typed::error(key, ErrorKind::Missing, message)));
                }
            }
            // NewClientSecretCredential, before any call.
            azure_ad::check_tenant_id(p.str("tenantId")).map_err(|e| vec![e])?;
            Credential::ClientSecret {
                tenant_id: p.str("tenantId").to_owned(),
                client_id: p.str("activeDirectoryClientId").to_owned(),
                client_secret: Secret::new(p.str("activeDirectoryClientPassword")),
            }
        }
        Some("azure-workload") => Credential::Workload {
            identity_id: identity_id.map(str::to_owned),
        },
        Some(other) => {
            return Err(one(typed::error(
                "",
                ErrorKind::PodIdentity,
                format!("azure Monitor doesn't support pod identity {other}"),
            )))
        }
    };
    Ok(AppInsightsConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(
                input.index,
                &format!("azure-app-insights-{}", p.str("metricId")),
            ),
            metric_type,
            target: p.float("targetValue"),
            activation: p.float("activationTargetValue"),
        },
        application_insights_id: p.str("applicationInsightsId").to_owned(),
        metric_id: p.str("metricId").to_owned(),
        aggregation_timespan: p.str("metricAggregationTimespan").to_owned(),
        aggregation_type: p.str("metricAggregationType").to_owned(),
        filter: Some(p.str("metricFilter").to_owned()).filter(|f| !f.is_empty()),
        ignore_null_values: p.bool("ignoreNullValues"),
        resource_url,
        active_directory_endpoint,
        credential,
    })
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input, None).map(|c| c.metric)
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const META: &[(&str, &str)] = &[
        ("metricAggregationTimespan", "0:1"),
        ("metricAggregationType", "avg"),
        ("metricId", "customMetrics/example-metric"),
        ("targetValue", "1.5"),
    ];
    const AUTH: &[(&str, &str)] = &[
        ("applicationInsightsId", "app"),
        ("tenantId", "tenant"),
        ("activeDirectoryClientId", "id"),
        ("activeDirectoryClientPassword", "pw"),
    ];

    fn meta(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut m: Vec<_> = META
            .iter()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .copied()
            .collect();
        m.extend_from_slice(extra);
        m
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("azure-app-insights")
            .meta(META)
            .auth(AUTH)
            .parse()
            .unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-azure-app-insights-customMetrics-example-metric", 1.5)
        );
        let bad = Trigger::new("azure-app-insights")
            .meta(&meta(&[("metricAggregationTimespan", "00:01:00")]))
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            ["metricAggregationTimespan not in the correct format. Should be hh:mm"]
        );
    }

    /// `azureAppInsightsScalerData`: clouds, then the AAD endpoint, then the identity.
    #[test]
    fn clouds_endpoint_and_identity() {
        let run = |extra: &[(&'static str, &'static str)]| {
            Trigger::new("azure-app-insights")
                .meta(&meta(extra))
                .auth(AUTH)
                .messages()
        };
        assert_eq!(
            run(&[("cloud", "private"), ("activeDirectoryEndpoint", "ad")]),
            ["appInsightsResourceURL must be provided for Private cloud type"]
        );
        assert_eq!(
            run(&[("cloud", "private"), ("appInsightsResourceURL", "u")]),
            ["activeDirectoryEndpoint must be provided for Private cloud type"]
        );
        assert_eq!(
            run(&[("cloud", "azureGermanCloud")]),
            ["there is no cloud environment matching the name azureGermanCloud"]
        );
        assert!(run(&[("cloud", "azureChinaCloud")]).is_empty());
        assert_eq!(run(&[("targetValue", "0")]), ["no targetValue given"]);
        let t = Trigger::new("azure-app-insights")
            .meta(META)
            .auth(&AUTH[..3]);
        assert_eq!(t.messages(), ["no activeDirectoryClientPassword given"]);
        // The password is never read from the trigger metadata.
        let mut m = meta(&[]);
        m.push(("activeDirectoryClientPassword", "pw"));
        let t = Trigger::new("azure-app-insights").meta(&m).auth(&AUTH[..3]);
        assert_eq!(t.messages(), ["no activeDirectoryClientPassword given"]);
        let t = Trigger::new("azure-app-insights")
            .meta(META)
            .auth(&AUTH[..2])
            .pod_identity("notAzure");
        assert_eq!(
            t.messages(),
            ["azure Monitor doesn't support pod identity notAzure"]
        );
    }

    #[test]
    fn config_for_a_poller() {
        let pairs: Vec<_> = meta(&[("cloud", "AzureUSGovernmentCloud"), ("metricFilter", "f")])
            .into_iter()
            .chain(AUTH.iter().copied())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let (meta, empty) = (pairs.into_iter().collect(), Default::default());
        let input = crate::scalers::TriggerInput {
            trigger_type: "azure-app-insights",
            index: 0,
            metadata: &meta,
            auth_params: &empty,
            env: &empty,
            pod_identity: Some("azure-workload"),
            metric_type: None,
            namespace: "default",
        };
        let c = super::config(&input, Some("wi")).unwrap();
        assert_eq!(c.resource_url, "https://api.applicationinsights.us");
        assert_eq!(c.active_directory_endpoint, "https://login.microsoftonline.us/");
        assert_eq!(c.timespan().as_deref(), Some("PT00H01M"));
        assert_eq!(c.filter.as_deref(), Some("f"));
        assert_eq!(
            c.credential,
            super::Credential::Workload {
                identity_id: Some("wi".to_owned())
            }
        );
    }
}
