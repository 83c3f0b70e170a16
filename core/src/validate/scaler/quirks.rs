//! What KEDA accepts but does not do what it seems to: the `quirk` cases of the vectors,
//! deprecations, and metadata keys no scaler reads (typos).

use std::collections::BTreeMap;

use super::sources::Sources;
use super::{At, DEPRECATED_PARAMETER, INEFFECTIVE_METADATA};
use crate::rules::{Report, Rule};
use crate::scalers::{self, catalog, ErrorKind};
use crate::version::KedaVersion;

/// Every key the azure-servicebus scaler reads (azure.md §1.1), plus the two it is known
/// to ignore, which get their own messages.
const SERVICEBUS_KEYS: &[&str] = &[
    "queueName",
    "topicName",
    "subscriptionName",
    "messageCount",
    "activationMessageCount",
    "connectionFromEnv",
    "namespace",
    "useRegex",
    "operation",
    "cloud",
    "endpointSuffix",
    "connection",
    "queueLength",
];

/// What KEDA accepts but does not do what it seems to (the `quirk` cases).
pub(super) fn quirks(
    report: &mut Report<'_>,
    at: &At<'_>,
    trigger_type: &str,
    metadata: &BTreeMap<String, String>,
    sources: &Sources,
    version: KedaVersion,
) {
    let set = |k: &str| metadata.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    unread_keys(report, at, trigger_type, metadata);
    if let Some(spec) = catalog::scaler(trigger_type) {
        // KEDA hangs a whole scaler's deprecation notice on one of its parameters.
        if let Some(text) = spec
            .params
            .iter()
            .filter_map(|p| p.deprecated.as_deref())
            .find(|t| t.contains("scaler is deprecated"))
        {
            let (span, path) = at.field("type");
            report.emit(
                &DEPRECATED_PARAMETER,
                at.resource,
                span,
                path,
                format!("{trigger_type} trigger: {text}"),
            );
        }
        let mut warn = |rule: &Rule, key: &str, message: String| {
            let (span, path) = at.param(Some(key));
            let fix = super::replacement_fix(at, trigger_type, key);
            let d = report.emit(rule, at.resource, span, path, message);
            if let (Some(d), Some(fix)) = (d, fix) {
                d.fixes.push(fix);
            }
        };
        for p in spec.params.iter() {
            if set(&p.name).is_none() {
                continue;
            }
            if let Some(text) = p
                .deprecated
                .as_deref()
                .filter(|t| !t.contains("scaler is deprecated"))
            {
                warn(
                    &DEPRECATED_PARAMETER,
                    &p.name,
                    format!("{trigger_type} trigger: {text}"),
                );
            } else if let Some((text, since)) = &p.removed {
                if version < *since {
                    warn(
                        &DEPRECATED_PARAMETER,
                        &p.name,
                        format!("{trigger_type} trigger: {text}"),
                    );
                }
            }
        }
    }
    if trigger_type != "azure-servicebus" {
        return;
    }
    if set("queueLength").is_some() {
        let (span, path) = at.param(Some("queueLength"));
        // Unsafe: the target changes from the default 5 to the value written.
        let fix = at.rename_param("queueLength", "messageCount", false);
        let d = report.emit(
            &INEFFECTIVE_METADATA,
            at.resource,
            span,
            path,
            "azure-servicebus trigger: queueLength is not read (old name); the target is \
             messageCount (default 5)",
        );
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }
    let mut warn = |rule: &Rule, key: &str, message: String| {
        let (span, path) = at.param(Some(key));
        report.emit(rule, at.resource, span, path, message);
    };
    let workload_identity = sources.pod_identity.as_deref() == Some("azure-workload");
    if set("connection").is_some() {
        warn(
            &INEFFECTIVE_METADATA,
            "connection",
            "azure-servicebus trigger: `connection` in trigger metadata is never read; put the \
             connection string in a Secret and use connectionFromEnv or a TriggerAuthentication \
             (and keep secrets out of manifests)"
                .to_owned(),
        );
    }
    if let Some(op) = set("operation").filter(|o| o.contains(',')) {
        if op
            .split(',')
            .all(|p| scalers::servicebus::OPERATIONS.contains(&p.trim()))
        {
            warn(
                &INEFFECTIVE_METADATA,
                "operation",
                format!(
                    "azure-servicebus trigger: operation {op:?} passes KEDA's check but is no \
                     single aggregation: the metric is always 0"
                ),
            );
        }
    }
    for key in ["messageCount", "activationMessageCount"] {
        let Some(n) = set(key).and_then(|v| crate::go::json::unmarshal_int64(v).ok()) else {
            continue;
        };
        if key == "messageCount" && n <= 0 {
            warn(
                &INEFFECTIVE_METADATA,
                key,
                format!(
                    "azure-servicebus trigger: messageCount ({n}) is not positive; the HPA \
                     rejects a target of 0 or less"
                ),
            );
        }
        if key == "activationMessageCount" && n < 0 {
            warn(
                &INEFFECTIVE_METADATA,
                key,
                format!(
                    "azure-servicebus trigger: activationMessageCount ({n}) is negative, so the \
                     trigger is active even with an empty entity"
                ),
            );
        }
    }
    if workload_identity {
        if let Some(ns) = set("namespace").filter(|n| n.contains('.')) {
            warn(
                &INEFFECTIVE_METADATA,
                "namespace",
                format!(
                    "azure-servicebus trigger: namespace {ns:?} looks like a host name; KEDA \
                     appends the cloud's suffix to it (write the bare namespace name)"
                ),
            );
        }
    } else if !sources.auth_open && set("cloud").is_some() {
        if let Err(e) = scalers::cloud::service_bus_suffix(metadata) {
            if e.kind == ErrorKind::Invalid {
                warn(
                    &INEFFECTIVE_METADATA,
                    "cloud",
                    format!(
                        "azure-servicebus trigger: {} (ignored: cloud is only read with \
                         workload identity)",
                        e.message
                    ),
                );
            }
        }
    }
}

/// Metadata keys the scaler never reads. For azure-servicebus every such key is reported
/// (its parameter list is complete); for the others only near-misses of a known parameter
/// (the schema can lag behind a scaler's code, so an unlisted key is not proof).
fn unread_keys(
    report: &mut Report<'_>,
    at: &At<'_>,
    trigger_type: &str,
    metadata: &BTreeMap<String, String>,
) {
    // (name, readable through `<name>FromEnv`)
    let known: Vec<(&str, bool)> = match trigger_type {
        // Only `connectionFromEnv` (listed) is read; `namespaceFromEnv` and the like are not.
        "azure-servicebus" => SERVICEBUS_KEYS.iter().map(|k| (*k, false)).collect(),
        // External scalers pass every metadata key on to their server.
        "external" | "external-push" => return,
        _ => match catalog::scaler(trigger_type) {
            Some(spec) => spec.params.iter().map(|p| (&*p.name, p.env)).collect(),
            None => return,
        },
    };
    let is_known = |k: &str| {
        known.iter().any(|(n, _)| *n == k)
            || k.strip_suffix("FromEnv")
                .is_some_and(|base| known.iter().any(|(n, env)| *n == base && *env))
    };
    for key in metadata.keys() {
        let auth_only = catalog::scaler(trigger_type)
            .filter(|_| trigger_type != "azure-servicebus")
            .and_then(|s| s.param(key))
            .is_some_and(|p| !p.metadata);
        if auth_only {
            let (span, path) = at.param(Some(key));
            report.emit(
                &INEFFECTIVE_METADATA,
                at.resource,
                span,
                path,
                format!(
                    "{trigger_type} trigger: {key:?} is not read from trigger metadata; set it \
                     in a TriggerAuthentication{}",
                    if catalog::scaler(trigger_type)
                        .and_then(|s| s.param(key))
                        .is_some_and(|p| p.env)
                    {
                        format!(" or through {key}FromEnv")
                    } else {
                        String::new()
                    }
                ),
            );
            continue;
        }
        if is_known(key) {
            continue;
        }
        if let Some(base) = key
            .strip_suffix("FromEnv")
            .filter(|b| known.iter().any(|(n, _)| n == b))
        {
            let (span, path) = at.param(Some(key));
            report.emit(
                &INEFFECTIVE_METADATA,
                at.resource,
                span,
                path,
                format!(
                    "{trigger_type} trigger: {key:?} is ignored: this scaler does not read \
                     {base} from the workload's env"
                ),
            );
            continue;
        }
        let lower = key.to_ascii_lowercase();
        // The distance is at least the length difference: most names need no comparison.
        let closest = known
            .iter()
            .filter(|(k, _)| k.len().abs_diff(key.len()) <= 2)
            .map(|(k, _)| {
                (
                    scalers::names::levenshtein(&lower, &k.to_ascii_lowercase()),
                    *k,
                )
            })
            .min();
        let near = closest.filter(|(d, _)| *d <= 2 && key.len() > 4);
        let message = match near {
            Some((_, k)) => format!(
                "{trigger_type} trigger: {key:?} is not a parameter of this scaler and is \
                 ignored; did you mean {k:?}?"
            ),
            None if trigger_type == "azure-servicebus" => format!(
                "{trigger_type} trigger: {key:?} is not a parameter of this scaler and is ignored"
            ),
            None => continue,
        };
        let (span, path) = at.param(Some(key));
        // Unsafe: the parameter starts being read, so the scaler changes.
        let fix = near.and_then(|(_, k)| at.rename_param(key, k, false));
        let d = report.emit(&INEFFECTIVE_METADATA, at.resource, span, path, message);
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }
}
