//! Rules of the `scaler` layer: what KEDA's operator finds when it builds each trigger's
//! scaler (after admission). Every trigger of a ScaledObject or ScaledJob is parsed by its
//! scaler module with the authentication parameters and env the bundle shows; what only the
//! cluster knows is never reported as missing.

mod quirks;
mod sources;

use std::collections::BTreeMap;

use crate::diagnostic::{Fix, Severity, Source};
use crate::document::{Kind, Node, Resource, Span};
use crate::rules::{Check, Ctx, Report, Rule, SAFE_FIX, SAFE_OR_UNSAFE_FIX, UNSAFE_FIX};
use crate::scalers::{self, catalog, ErrorKind, ScalerError, TriggerInput};
use crate::validate::edits;
use crate::version::KedaVersion;

use sources::{Sources, HIDDEN};

const fn scaler_rule(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
) -> Rule {
    Rule::walker(Source::Scaler, code, name, severity, summary, help)
}

pub static UNKNOWN_TYPE: Rule = Rule {
    fixes: SAFE_OR_UNSAFE_FIX,
    check: Check::Resource(check_triggers),
    ..scaler_rule(
        "KEDA2001",
        "unknown-trigger-type",
        Severity::Error,
        "no scaler exists for the trigger type",
        "use one of KEDA's trigger types (e.g. azure-servicebus, prometheus, cron, cpu)",
    )
};
pub static MISSING_PARAMETER: Rule = scaler_rule(
    "KEDA2002",
    "missing-trigger-parameter",
    Severity::Error,
    "a parameter the scaler needs is set nowhere (metadata, <name>FromEnv, authentication)",
    "set it in the trigger metadata, through <name>FromEnv, or in the referenced TriggerAuthentication",
);
pub static INVALID_PARAMETER: Rule = scaler_rule(
    "KEDA2003",
    "invalid-trigger-parameter",
    Severity::Error,
    "the scaler cannot use a metadata value (wrong number, boolean, allowed value, combination)",
    "change the value as the message says; the scaler's page in KEDA's docs lists what each parameter takes",
);
pub static REMOVED_PARAMETER: Rule = Rule {
    fixes: SAFE_FIX,
    ..scaler_rule(
        "KEDA2004",
        "removed-trigger-parameter",
        Severity::Error,
        "the parameter was removed from the scaler and now stops it from being built",
        "remove the parameter and use its replacement",
    )
};
pub static UNSUPPORTED_POD_IDENTITY: Rule = scaler_rule(
    "KEDA2005",
    "unsupported-pod-identity",
    Severity::Error,
    "the scaler does not support the authentication's pod identity provider",
    "use a supported provider (for Azure scalers: azure-workload) or no pod identity",
);
pub static METRIC_TYPE: Rule = scaler_rule(
    "KEDA2006",
    "trigger-metric-type",
    Severity::Warning,
    "metricType does not fit the trigger: admission accepts it, the scaler then fails",
    "use AverageValue or Value (cpu/memory: see KEDA2011)",
);
pub static OPERATOR_ENVIRONMENT: Rule = scaler_rule(
    "KEDA2007",
    "needs-operator-environment",
    Severity::Warning,
    "the value works only if the KEDA operator's own environment provides something",
    "set what the operator would supply explicitly on the trigger (for a private cloud: cloud: Private and endpointSuffix)",
);
pub static INEFFECTIVE_METADATA: Rule = Rule {
    fixes: UNSAFE_FIX,
    ..scaler_rule(
        "KEDA2008",
        "ineffective-trigger-metadata",
        Severity::Warning,
        "KEDA accepts the metadata but ignores it or does not do what it seems to",
        "remove it, or use the parameter KEDA actually reads (the message names it)",
    )
};
pub static DEPRECATED_PARAMETER: Rule = Rule {
    fixes: SAFE_FIX,
    ..scaler_rule(
        "KEDA2009",
        "deprecated-trigger-parameter",
        Severity::Warning,
        "the parameter is deprecated and will be removed",
        "use its replacement",
    )
};

pub static ENV_NOT_FOUND: Rule = scaler_rule(
    "KEDA2010",
    "trigger-env-not-found",
    // KEDA reads an undefined or empty variable as an absent value: the scaler is not built.
    Severity::Error,
    "<name>FromEnv names a variable the scale target's container does not define, so a value the scaler needs is missing",
    "define the variable in the container KEDA reads (envSourceContainerName or the first \
     container), or set the parameter another way",
);

pub static RESOURCE_METRIC_TYPE: Rule = scaler_rule(
    "KEDA2011",
    "resource-metric-type",
    Severity::Error,
    "cpu/memory without metricType Utilization or AverageValue: KEDA cannot build the scaler",
    "set the trigger's metricType to Utilization (value in percent of the request) or \
     AverageValue (value as a quantity per pod)",
);

pub static RULES: &[&Rule] = &[
    &UNKNOWN_TYPE,
    &MISSING_PARAMETER,
    &INVALID_PARAMETER,
    &REMOVED_PARAMETER,
    &UNSUPPORTED_POD_IDENTITY,
    &METRIC_TYPE,
    &OPERATOR_ENVIRONMENT,
    &INEFFECTIVE_METADATA,
    &DEPRECATED_PARAMETER,
    &ENV_NOT_FOUND,
    &RESOURCE_METRIC_TYPE,
];

/// One trigger being checked, with where its pieces are in the document.
struct At<'a> {
    resource: &'a Resource,
    trigger: &'a Node,
    index: usize,
    /// The input's text, for fixes that add or remove lines.
    text: &'a str,
}

impl At<'_> {
    fn path(&self, tail: &str) -> String {
        if tail.is_empty() {
            format!("spec.triggers[{}]", self.index)
        } else {
            format!("spec.triggers[{}].{tail}", self.index)
        }
    }

    /// The metadata value of `key` (or its `<key>FromEnv`), else the `metadata` key, else
    /// the trigger.
    fn param(&self, key: Option<&str>) -> (Span, String) {
        let meta = self.trigger.entry("metadata");
        if let (Some(key), Some(m)) = (key, meta) {
            for k in [key.to_owned(), format!("{key}FromEnv")] {
                if let Some(e) = m.value.entry(&k) {
                    return (e.value.span, self.path(&format!("metadata.{k}")));
                }
            }
        }
        match meta {
            Some(m) => (m.key.span, self.path("metadata")),
            None => (self.trigger.span, self.path("")),
        }
    }

    /// Renames the metadata key `from` to `to`; none when the metadata already sets `to`
    /// (or `<to>FromEnv`), which a rename would duplicate or contradict.
    fn rename_param(&self, from: &str, to: &str, safe: bool) -> Option<Fix> {
        let meta = self.trigger.get("metadata")?;
        if meta.get(to).is_some() || meta.get(&format!("{to}FromEnv")).is_some() {
            return None;
        }
        let edit = edits::rename_key(meta.entry(from)?, to)?;
        let title = format!("Rename {from} to {to}");
        Some(if safe {
            Fix::safe(title, vec![edit])
        } else {
            Fix::unsafe_(title, vec![edit])
        })
    }

    fn field(&self, key: &str) -> (Span, String) {
        match self.trigger.get(key) {
            Some(v) => (v.span, self.path(key)),
            None => (self.trigger.span, self.path("")),
        }
    }
}

fn check_triggers(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let r = ctx.resource;
    if !matches!(r.kind, Kind::ScaledObject | Kind::ScaledJob) {
        return;
    }
    let Some(triggers) = r
        .spec()
        .and_then(|s| s.get("triggers"))
        .and_then(Node::as_sequence)
    else {
        return;
    };
    for (index, trigger) in triggers.iter().enumerate() {
        let Some(trigger_type) = trigger.get("type").and_then(Node::text) else {
            continue;
        };
        if trigger_type.is_empty() || trigger.as_mapping().is_none() {
            continue;
        }
        let at = At {
            resource: r,
            trigger,
            index,
            text: ctx.text().unwrap_or(""),
        };
        check_trigger(ctx, report, &at, trigger_type);
    }
}

fn check_trigger(ctx: &Ctx<'_>, report: &mut Report<'_>, at: &At<'_>, trigger_type: &str) {
    let version = ctx.version();
    if !catalog::is_known_type(trigger_type, version)
        && !matches!(trigger_type, "azure-servicebus" | "cpu" | "memory" | "cron")
    {
        let (span, path) = at.field("type");
        // The message and the fix name the same type; finding it is the costly part.
        let near = scalers::names::suggest_type(trigger_type);
        let e = catalog::unknown_type_near(trigger_type, near);
        let fix = near.and_then(|name| type_fix(at, trigger_type, name, version));
        let d = report.emit(&UNKNOWN_TYPE, at.resource, span, path, e.message);
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
        return;
    }
    let metadata: BTreeMap<String, String> = crate::sort::map_from(
        at.trigger
            .get("metadata")
            .and_then(Node::as_mapping)
            .unwrap_or(&[])
            .iter()
            .filter_map(|e| Some((e.key_str()?.to_owned(), e.value.text()?.to_owned()))),
    );
    let mut sources = Sources::resolve(
        at.resource,
        at.trigger,
        ctx.bundle,
        &ctx.options.default_namespace,
    );
    // A value that is not a scalar is the schema layer's finding; the scaler never sees it.
    for e in at
        .trigger
        .get("metadata")
        .and_then(Node::as_mapping)
        .unwrap_or(&[])
    {
        if let (Some(k), None) = (e.key_str(), e.value.as_scalar()) {
            sources.hidden.insert(k.to_owned());
        }
    }
    let pod_identity = if sources.auth_open {
        None
    } else {
        sources.pod_identity.as_deref()
    };
    let input = TriggerInput {
        trigger_type,
        index: at.index,
        metadata: &metadata,
        auth_params: &sources.auth,
        env: &sources.env,
        pod_identity,
        metric_type: at.trigger.get("metricType").and_then(Node::text),
        namespace: at.resource.namespace_or(&ctx.options.default_namespace),
    };
    let errors = match scalers::parse_for(&input, version) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    // With scalingModifiers the scalers are built as metric sources, which need no target.
    let modifiers = at.resource.kind == Kind::ScaledObject
        && at
            .resource
            .spec()
            .and_then(|s| s.at(&["advanced", "scalingModifiers"]))
            .is_some();
    let target_param = catalog::scaler(trigger_type)
        .and_then(|s| s.params.get(s.target?))
        .map(|p| &*p.name);
    for e in errors {
        if !knowable(&e, &sources) {
            continue;
        }
        // Modules say which errors a metric source escapes; for the others, a missing
        // target parameter is taken to be one.
        let as_metric_source = e.kind == ErrorKind::MissingTarget
            || (e.kind == ErrorKind::Missing
                && scalers::module(trigger_type).is_none()
                && e.key.as_deref() == target_param);
        if modifiers && as_metric_source {
            continue;
        }
        if e.kind == ErrorKind::Missing {
            if let Some(key) = e.key.as_deref() {
                let from_env = format!("{key}FromEnv");
                if let Some(var) = metadata.get(&from_env) {
                    let (span, path) = at.param(Some(key));
                    report.emit(
                        &ENV_NOT_FOUND,
                        at.resource,
                        span,
                        path,
                        format!(
                            "{trigger_type} trigger: {from_env} names {var:?}, which the scale \
                             target's container does not define (or leaves empty), so the \
                             scaler has no {key}"
                        ),
                    );
                    continue;
                }
            }
        }
        let rule = match e.kind {
            ErrorKind::UnknownType => &UNKNOWN_TYPE,
            ErrorKind::Missing | ErrorKind::MissingTarget => &MISSING_PARAMETER,
            ErrorKind::Invalid => &INVALID_PARAMETER,
            ErrorKind::Removed => &REMOVED_PARAMETER,
            ErrorKind::PodIdentity => &UNSUPPORTED_POD_IDENTITY,
            ErrorKind::MetricType if matches!(trigger_type, "cpu" | "memory") => {
                &RESOURCE_METRIC_TYPE
            }
            ErrorKind::MetricType => &METRIC_TYPE,
            ErrorKind::OperatorEnv => &OPERATOR_ENVIRONMENT,
        };
        let (span, path) = match e.kind {
            ErrorKind::MetricType => at.field("metricType"),
            ErrorKind::PodIdentity => at.field("authenticationRef"),
            _ => at.param(e.key.as_deref()),
        };
        let mut message = format!(
            "{trigger_type} trigger: {}",
            hide_secrets(&e, &sources, &metadata)
        );
        if e.kind == ErrorKind::OperatorEnv {
            message.push_str(
                " unless the KEDA operator has AZURE_ENVIRONMENT_FILEPATH pointing at an \
                 AzureStackCloud environment file",
            );
        }
        let fix = match (e.kind, e.key.as_deref()) {
            (ErrorKind::Removed, Some(key)) => replacement_fix(at, trigger_type, key),
            _ => None,
        };
        let d = report.emit(rule, at.resource, span, path, message);
        if let (Some(d), Some(fix)) = (d, fix) {
            d.fixes.push(fix);
        }
    }
    quirks::quirks(report, at, trigger_type, &metadata, &sources, version);
}

/// A deprecated or removed parameter whose KEDA notice ends "Use '<name>' instead", where
/// that name is another metadata parameter of the same scaler: renaming the key is the whole
/// migration. Notices that name something else (the trigger's `metricType`, authentication
/// parameters, two parameters) get no fix.
fn replacement_fix(at: &At<'_>, trigger_type: &str, key: &str) -> Option<Fix> {
    if matches!(trigger_type, "cpu" | "memory") && key == "type" {
        return metric_type_fix(at);
    }
    let spec = catalog::scaler(trigger_type)?;
    let param = spec.params.iter().find(|p| &*p.name == key)?;
    let notice = param
        .removed
        .as_ref()
        .map(|(text, _)| &**text)
        .or(param.deprecated.as_deref())?;
    let (_, tail) = notice.rsplit_once(" - Use '")?;
    let (name, rest) = tail.split_once('\'')?;
    if !matches!(rest.trim_end_matches('.').trim(), "instead") || name == key {
        return None;
    }
    spec.params
        .iter()
        .find(|p| &*p.name == name && p.metadata)?;
    at.rename_param(key, name, true)
}

/// The change to `name`, the trigger type the unknown one is nearest to, when this release
/// has it: safe when the two differ only in case and punctuation (`Azure-Service-Bus`),
/// unsafe otherwise.
fn type_fix(at: &At<'_>, trigger_type: &str, name: &str, version: KedaVersion) -> Option<Fix> {
    if !catalog::is_known_type(name, version) {
        return None;
    }
    let squash = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let edit = edits::replace_string(at.trigger.get("type")?, name)?;
    let title = format!("Change the type to {name}");
    Some(if squash(name) == squash(trigger_type) {
        Fix::safe(title, vec![edit])
    } else {
        Fix::unsafe_(title, vec![edit])
    })
}

/// cpu/memory `metadata.type` (removed in 2.18) moved to the trigger's `metricType`, where
/// KEDA reads it since: the same value, so the same metric. Only without a `metricType`
/// already, and for the two values a resource metric takes.
fn metric_type_fix(at: &At<'_>) -> Option<Fix> {
    let trigger = at.trigger.as_mapping()?;
    if at.trigger.get("metricType").is_some() {
        return None;
    }
    let meta = at.trigger.get("metadata")?.as_mapping()?;
    let index = meta.iter().position(|e| e.key_str() == Some("type"))?;
    let value = meta.get(index)?.value.as_str()?;
    if !matches!(value, "Utilization" | "AverageValue") {
        return None;
    }
    let remove = edits::delete_entry(at.text, meta, index)?;
    let add = edits::insert_entry(at.text, trigger, "metricType", value)?;
    Some(Fix::safe(
        format!("Move type: {value} to the trigger's metricType"),
        vec![add, remove],
    ))
}

/// Whether the bundle shows enough to stand behind the error.
fn knowable(e: &ScalerError, s: &Sources) -> bool {
    if e.message.contains(HIDDEN) || e.message.contains("\\u{1}hidden") {
        return false;
    }
    if e.key.as_ref().is_some_and(|k| s.hidden.contains(k)) {
        return false;
    }
    if s.auth_open && matches!(e.kind, ErrorKind::Missing | ErrorKind::PodIdentity) {
        return false;
    }
    true
}

/// Replaces values that came from Secrets or env (not from the manifest's own metadata).
fn hide_secrets(e: &ScalerError, s: &Sources, metadata: &BTreeMap<String, String>) -> String {
    let mut message = e.message.clone();
    for v in s.auth.values().chain(s.env.values()) {
        let v = v.trim();
        if v.is_empty() || metadata.values().any(|m| m.trim() == v) {
            continue;
        }
        let quoted = format!("{v:?}");
        if message.contains(&quoted) {
            message = message.replace(&quoted, "\"(value hidden)\"");
        }
    }
    message
}

#[cfg(test)]
mod tests;
