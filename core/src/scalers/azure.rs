//! The other Azure scalers (azure.md §4): log-analytics, monitor, app-insights,
//! data-explorer, pipelines. Each is described by a row: the metric name,
//! the target and activation parameters, and what each pod identity requires.

use super::cloud;
use super::typed::{self, Order};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

const M: Order = Order::TriggerMetadata;
const E: Order = Order::ResolvedEnv;
const A: Order = Order::AuthParams;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Num {
    /// int64 decoded with encoding/json.
    Int,
    /// float64 via strconv.ParseFloat.
    Float,
}

/// How `cloud` is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clouds {
    /// Not read by this scaler's parser.
    Ignored,
    /// Only the three `AzureClouds` names or `Private` (which needs `private_key`).
    Named { private_key: &'static str },
}

struct Row {
    trigger_type: &'static str,
    /// Metric name is `<trigger_type>-<value of name_key or name_default>`.
    name_key: &'static str,
    name_default: &'static str,
    target: (&'static str, Option<&'static str>, Num),
    activation: &'static str,
    /// Required whatever the identity: (name, order).
    required: &'static [(&'static str, &'static [Order])],
    /// Required without pod identity (connection strings, client secrets).
    without_identity: &'static [(&'static str, &'static [Order])],
    /// Required with `azure-workload`.
    with_workload_identity: &'static [(&'static str, &'static [Order])],
    enums: &'static [(&'static str, &'static [&'static str])],
    clouds: Clouds,
}

const ROWS: &[Row] = &[
    Row {
        trigger_type: "azure-log-analytics",
        name_key: "workspaceId",
        name_default: "",
        target: ("threshold", None, Num::Float),
        activation: "activationThreshold",
        required: &[("workspaceId", &[A, M, E]), ("query", &[M])],
        without_identity: &[
            ("tenantId", &[A, M, E]),
            ("clientId", &[A, M, E]),
            ("clientSecret", &[A, M, E]),
        ],
        with_workload_identity: &[],
        enums: &[],
        clouds: Clouds::Named {
            private_key: "logAnalyticsResourceURL",
        },
    },
    Row {
        trigger_type: "azure-monitor",
        name_key: "metricName",
        name_default: "",
        target: ("targetValue", None, Num::Float),
        activation: "activationTargetValue",
        required: &[
            ("resourceURI", &[M]),
            ("tenantId", &[M, E, A]),
            ("subscriptionId", &[M, E, A]),
            ("resourceGroupName", &[M, E, A]),
            ("metricName", &[M]),
            ("metricAggregationType", &[M]),
        ],
        without_identity: &[
            ("activeDirectoryClientId", &[M, E, A]),
            ("activeDirectoryClientPassword", &[M, E, A]),
        ],
        with_workload_identity: &[],
        enums: &[(
            "metricAggregationType",
            &["Average", "Count", "Maximum", "Minimum", "None", "Total"],
        )],
        clouds: Clouds::Named {
            private_key: "azureResourceManagerEndpoint",
        },
    },
    Row {
        trigger_type: "azure-app-insights",
        name_key: "metricId",
        name_default: "",
        target: ("targetValue", None, Num::Float),
        activation: "activationTargetValue",
        required: &[
            ("metricId", &[M]),
            ("metricAggregationTimespan", &[M]),
            ("metricAggregationType", &[M]),
            ("applicationInsightsId", &[M, A, E]),
            ("tenantId", &[M, A, E]),
        ],
        without_identity: &[
            ("activeDirectoryClientId", &[M, A, E]),
            ("activeDirectoryClientPassword", &[A, E]),
        ],
        with_workload_identity: &[],
        enums: &[],
        clouds: Clouds::Named {
            private_key: "appInsightsResourceURL",
        },
    },
    Row {
        trigger_type: "azure-data-explorer",
        name_key: "databaseName",
        name_default: "",
        target: ("threshold", None, Num::Float),
        activation: "activationThreshold",
        required: &[("databaseName", &[M]), ("endpoint", &[M]), ("query", &[M])],
        without_identity: &[
            ("tenantId", &[M, A, E]),
            ("clientId", &[M, A, E]),
            ("clientSecret", &[A]),
        ],
        with_workload_identity: &[],
        enums: &[],
        clouds: Clouds::Ignored,
    },
    Row {
        trigger_type: "azure-pipelines",
        name_key: "poolID",
        name_default: "",
        target: ("targetPipelinesQueueLength", Some("1"), Num::Int),
        activation: "activationTargetPipelinesQueueLength",
        required: &[("organizationURL", &[E, A, M])],
        without_identity: &[("personalAccessToken", &[A, E])],
        with_workload_identity: &[],
        enums: &[],
        clouds: Clouds::Ignored,
    },
];

pub fn handles(trigger_type: &str) -> bool {
    ROWS.iter().any(|r| r.trigger_type == trigger_type)
}

#[derive(Clone, Debug)]
pub struct AzureConfig {
    pub metric: ScalerMetric,
}

/// The metric alone: name, target, activation; credentials are not needed for it.
pub fn metric(input: &TriggerInput<'_>) -> Result<ScalerMetric, ScalerError> {
    let Some(row) = ROWS.iter().find(|r| r.trigger_type == input.trigger_type) else {
        return Err(super::catalog::unknown_type(input.trigger_type));
    };
    let metric_type = super::external_metric_type(input)?;
    let get = |name: &str| typed::lookup(input, name, &[M]).map(|(v, _)| v);
    let (target_key, target_default, num) = row.target;
    let number = |key: &str, default: Option<&str>| -> Result<Option<f64>, ScalerError> {
        let Some(v) = get(key).or(default) else {
            return Ok(None);
        };
        match num {
            Num::Int => typed::parse_int64(key, v).map(|n| Some(n as f64)),
            Num::Float => typed::parse_float(key, v).map(Some),
        }
    };
    let target =
        number(target_key, target_default)?.ok_or_else(|| typed::missing(target_key, &[M]))?;
    let activation = number(row.activation, Some("0"))?.unwrap_or(0.0);
    let name = get(row.name_key)
        .or_else(|| {
            (row.trigger_type == "azure-pipelines")
                .then(|| get("poolName"))
                .flatten()
        })
        .unwrap_or(row.name_default);
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("{}-{name}", row.trigger_type)),
        metric_type,
        target,
        activation,
    })
}

pub fn parse(input: &TriggerInput<'_>) -> Result<AzureConfig, Vec<ScalerError>> {
    let Some(row) = ROWS.iter().find(|r| r.trigger_type == input.trigger_type) else {
        return Err(vec![super::catalog::unknown_type(input.trigger_type)]);
    };
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let get = |name: &str, order: &[Order]| typed::lookup(input, name, order).map(|(v, _)| v);

    for (name, order) in row.required {
        if get(name, order).is_none() {
            errors.push(typed::missing(name, order));
        }
    }
    let identity = input.pod_identity.unwrap_or("");
    let by_identity = match identity {
        "" | "none" => row.without_identity,
        "azure-workload" => row.with_workload_identity,
        other => {
            errors.push(ScalerError {
                key: None,
                kind: ErrorKind::PodIdentity,
                message: format!(
                    "pod identity {other} not supported for {}",
                    row.trigger_type
                ),
            });
            &[]
        }
    };
    for (name, order) in by_identity {
        if get(name, order).is_none() {
            errors.push(typed::missing(name, order));
        }
    }
    if row.trigger_type == "azure-pipelines"
        && get("poolName", &[M]).is_none()
        && get("poolID", &[M]).is_none()
    {
        errors.push(ScalerError {
            key: Some("poolName".to_owned()),
            kind: ErrorKind::Missing,
            message: "no poolName or poolID given".to_owned(),
        });
    }
    for (name, allowed) in row.enums {
        if let Some(v) = get(name, &[M]) {
            if let Err(e) = typed::check_enum(name, v, allowed) {
                errors.push(e);
            }
        }
    }

    let (target_key, target_default, num) = row.target;
    let number = |key: &str, default: Option<&str>, errors: &mut Vec<ScalerError>| -> Option<f64> {
        let v = get(key, &[M]).or(default)?;
        let parsed = match num {
            Num::Int => typed::parse_int64(key, v).map(|n| n as f64),
            Num::Float => typed::parse_float(key, v),
        };
        parsed.map_err(|e| errors.push(e)).ok()
    };
    let target = match number(target_key, target_default, &mut errors) {
        Some(t) => t,
        None => {
            if get(target_key, &[M]).is_none() {
                errors.push(typed::missing(target_key, &[M]));
            }
            0.0
        }
    };
    let activation = number(row.activation, Some("0"), &mut errors).unwrap_or(0.0);
    if matches!(row.trigger_type, "azure-monitor" | "azure-app-insights")
        && target == 0.0
        && errors.is_empty()
    {
        errors.push(ScalerError {
            key: Some(target_key.to_owned()),
            kind: ErrorKind::Invalid,
            message: format!("{target_key} must not be 0"),
        });
    }

    match row.clouds {
        Clouds::Ignored => {}
        Clouds::Named { private_key } => {
            if let Some(c) = get("cloud", &[M]) {
                let upper = c.to_ascii_uppercase();
                if upper == "PRIVATE" {
                    if get(private_key, &[M]).is_none() {
                        errors.push(ScalerError {
                            key: Some(private_key.to_owned()),
                            kind: ErrorKind::Missing,
                            message: format!(
                                "{private_key} must be provided for Private cloud type"
                            ),
                        });
                    }
                } else if !cloud::NAMED_CLOUDS.contains(&upper.as_str()) {
                    errors.push(ScalerError {
                        key: Some("cloud".to_owned()),
                        kind: ErrorKind::Invalid,
                        message: format!(
                            "invalid value for cloud: {c}; use AzurePublicCloud, \
                             AzureUSGovernmentCloud, AzureChinaCloud or Private"
                        ),
                    });
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = get(row.name_key, &[M])
        .or_else(|| {
            (row.trigger_type == "azure-pipelines")
                .then(|| get("poolName", &[M]))
                .flatten()
        })
        .unwrap_or(row.name_default);
    Ok(AzureConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(input.index, &format!("{}-{name}", row.trigger_type)),
            metric_type,
            target,
            activation,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn run(
        t: &str,
        meta: &[(&str, &str)],
        auth: &[(&str, &str)],
        identity: Option<&str>,
    ) -> Result<AzureConfig, Vec<ScalerError>> {
        let (metadata, auth_params, env) = (map(meta), map(auth), BTreeMap::new());
        parse(&TriggerInput {
            trigger_type: t,
            index: 1,
            metadata: &metadata,
            auth_params: &auth_params,
            env: &env,
            pod_identity: identity,
            metric_type: None,
            namespace: "default",
        })
    }

    #[test]
    fn monitor_rules() {
        let e = run(
            "azure-monitor",
            &[("targetValue", "abc")],
            &[],
            Some("azure-workload"),
        )
        .unwrap_err();
        assert!(e
            .iter()
            .any(|x| x.key.as_deref() == Some("targetValue") && x.kind == ErrorKind::Invalid));
    }
}
