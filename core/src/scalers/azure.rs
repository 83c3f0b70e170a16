//! The other Azure scalers (azure.md §4): queue, blob, eventhub. Each is described by a row: the metric name,
//! the target and activation parameters, and what each pod identity requires.

use super::cloud::{self, Service};
use super::typed::{self, Order};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

const M: Order = Order::TriggerMetadata;
const E: Order = Order::ResolvedEnv;
const A: Order = Order::AuthParams;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Num {
    /// int64 decoded with encoding/json.
    Int,
}

/// How `cloud` is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Clouds {
    /// Not read by this scaler's parser.
    Ignored,
    /// Storage scalers: always resolved, any named cloud.
    Storage(&'static str),
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
        trigger_type: "azure-queue",
        name_key: "queueName",
        name_default: "",
        target: ("queueLength", Some("5"), Num::Int),
        activation: "activationQueueLength",
        required: &[("queueName", &[M])],
        without_identity: &[("connection", &[A, M, E])],
        with_workload_identity: &[("accountName", &[M])],
        enums: &[("queueLengthStrategy", &["all", "visibleonly"])],
        clouds: Clouds::Storage("queue"),
    },
    Row {
        trigger_type: "azure-blob",
        name_key: "blobContainerName",
        name_default: "",
        target: ("blobCount", Some("5"), Num::Int),
        activation: "activationBlobCount",
        required: &[("blobContainerName", &[M])],
        without_identity: &[("connection", &[A, E, M])],
        with_workload_identity: &[("accountName", &[M])],
        enums: &[],
        clouds: Clouds::Storage("blob"),
    },
    Row {
        trigger_type: "azure-eventhub",
        name_key: "consumerGroup",
        name_default: "$Default",
        target: ("unprocessedEventThreshold", Some("64"), Num::Int),
        activation: "activationUnprocessedEventThreshold",
        required: &[],
        without_identity: &[("storageConnection", &[A, E]), ("connection", &[A, E])],
        with_workload_identity: &[("eventHubNamespace", &[M, E]), ("eventHubName", &[M, E])],
        // An unknown checkpointStrategy falls back to the default checkpointer.
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
        }
    };
    let target =
        number(target_key, target_default)?.ok_or_else(|| typed::missing(target_key, &[M]))?;
    let activation = number(row.activation, Some("0"))?.unwrap_or(0.0);
    let name = get(row.name_key).unwrap_or(row.name_default);
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
        // azure-blob also reads `connectionFromEnv` literally from metadata, so a variable
        // that does not resolve still yields a (useless) connection string.
        let blob_literal = row.trigger_type == "azure-blob"
            && *name == "connection"
            && get("connectionFromEnv", &[M]).is_some();
        if get(name, order).is_none() && !blob_literal {
            errors.push(typed::missing(name, order));
        }
    }
    if row.trigger_type == "azure-eventhub"
        && identity == "azure-workload"
        && get("storageAccountName", &[M]).is_none()
        && get("storageConnection", &[A, E]).is_none()
    {
        errors.push(typed::missing("storageAccountName", &[M]));
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
    if row.trigger_type == "azure-eventhub" && target <= 0.0 && errors.is_empty() {
        errors.push(ScalerError {
            key: Some(target_key.to_owned()),
            kind: ErrorKind::Invalid,
            message: format!("{target_key} must be greater than 0"),
        });
    }
    match row.clouds {
        Clouds::Ignored => {}
        Clouds::Storage(prefix) => {
            if let Err(e) = cloud::suffix(input.metadata, Service::Storage(prefix)) {
                errors.push(e);
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let name = get(row.name_key, &[M]).unwrap_or(row.name_default);
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
    fn queue_metric_and_requirements() {
        let c = run(
            "azure-queue",
            &[("queueName", "jobs"), ("queueLength", "7")],
            &[("connection", "x")],
            None,
        )
        .unwrap();
        assert_eq!(c.metric.metric_name, "s1-azure-queue-jobs");
        assert_eq!(c.metric.target, 7.0);
        let e = run("azure-queue", &[("queueName", "jobs")], &[], None).unwrap_err();
        assert_eq!(e[0].kind, ErrorKind::Missing);
        assert_eq!(e[0].key.as_deref(), Some("connection"));
        // Storage scalers resolve the cloud even with a connection string.
        let e = run(
            "azure-queue",
            &[("queueName", "jobs"), ("cloud", "Nowhere")],
            &[("connection", "x")],
            None,
        )
        .unwrap_err();
        assert_eq!(e[0].message, "invalid cloud environment Nowhere");
        let wi = run(
            "azure-queue",
            &[("queueName", "jobs"), ("accountName", "acct")],
            &[],
            Some("azure-workload"),
        );
        assert!(wi.is_ok());
    }

    #[test]
    fn eventhub_rules() {
        let e = run(
            "azure-eventhub",
            &[("unprocessedEventThreshold", "0")],
            &[("connection", "c"), ("storageConnection", "s")],
            None,
        )
        .unwrap_err();
        assert_eq!(
            e[0].message,
            "unprocessedEventThreshold must be greater than 0"
        );
        let ok = run(
            "azure-eventhub",
            &[],
            &[("connection", "c"), ("storageConnection", "s")],
            None,
        )
        .unwrap();
        assert_eq!(ok.metric.metric_name, "s1-azure-eventhub-$Default");
        assert_eq!(ok.metric.target, 64.0);
    }
}
