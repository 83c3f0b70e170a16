//! Every trigger type KEDA knows and its parameters, from KEDA's generated
//! `scalers-schema.json`: names, required or not, defaults, allowed values, removals, and
//! which sources (metadata, `<name>FromEnv`, TriggerAuthentication) a parameter is read from.
//! The generic checks for scalers without a module of their own live here too.

use std::sync::OnceLock;

use super::typed::{self, Order};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};
use crate::version::KedaVersion;

/// KEDA's file as shipped: only read at compile time.
const SCHEMA_RAW: &[u8] = include_bytes!("../../schemas/scalers-schema.json");
/// Every parameter is typed string there, so this member says nothing.
const STRING_TYPE: &[u8] = b"\"type\":\"string\",";
const SCHEMA_LEN: usize = compact(SCHEMA_RAW, &mut []);
/// The schema without insignificant whitespace and without `"type":"string",` members,
/// computed at compile time: less than half the size in the binary (and the Wasm module).
#[allow(long_running_const_eval)]
static SCHEMA: [u8; SCHEMA_LEN] = {
    let mut out = [0u8; SCHEMA_LEN];
    compact(SCHEMA_RAW, &mut out);
    out
};

/// Copies `raw` into `out` (when it is long enough) minus whitespace outside strings and
/// `"type":"string",`; returns the compacted length.
#[allow(long_running_const_eval)]
const fn compact(raw: &[u8], out: &mut [u8]) -> usize {
    let mut i = 0;
    let mut n = 0;
    let mut in_string = false;
    while i < raw.len() {
        let c = raw[i];
        if in_string {
            if c == b'\\' && i + 1 < raw.len() {
                if n + 1 < out.len() {
                    out[n] = c;
                    out[n + 1] = raw[i + 1];
                }
                n += 2;
                i += 2;
                continue;
            }
            if c == b'"' {
                in_string = false;
            }
        } else if c == b' ' || c == b'\n' || c == b'\r' || c == b'\t' {
            i += 1;
            continue;
        } else if c == b'"' {
            // Compare against the compacted output so far: skip `"type":"string",` once
            // its whitespace is gone (`"type": "string",` in the source).
            let mut j = i;
            let mut k = 0;
            while j < raw.len() && k < STRING_TYPE.len() {
                let d = raw[j];
                if d == b' ' {
                    j += 1;
                    continue;
                }
                if d != STRING_TYPE[k] {
                    break;
                }
                j += 1;
                k += 1;
            }
            if k == STRING_TYPE.len() {
                i = j;
                continue;
            }
            in_string = true;
        }
        if n < out.len() {
            out[n] = c;
        }
        n += 1;
        i += 1;
    }
    n
}

/// How a parameter's text is decoded, as far as the schema and KEDA's code tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    /// A target or activation threshold, or a parameter with a numeric default.
    Number,
    /// A parameter whose default is `true`/`false` (a Go bool field).
    Bool,
}

#[derive(Debug)]
pub struct ParamSpec {
    pub name: Box<str>,
    /// Neither optional nor defaulted in the schema.
    pub required: bool,
    pub default: Option<Box<str>>,
    pub allowed: Box<[Box<str>]>,
    pub metadata: bool,
    pub env: bool,
    pub auth: bool,
    pub value: ValueKind,
    /// KEDA's `deprecated` text: setting the parameter is an error from `removed_in` on.
    pub removed: Option<(Box<str>, KedaVersion)>,
    /// KEDA's `deprecatedAnnounce` text: still read, slated for removal.
    pub deprecated: Option<Box<str>>,
}

impl ParamSpec {
    /// The sources in KEDA's usual order (the schema does not keep each tag's own order).
    pub fn order(&self) -> &'static [Order] {
        const M: Order = Order::TriggerMetadata;
        const E: Order = Order::ResolvedEnv;
        const A: Order = Order::AuthParams;
        match (self.metadata, self.env, self.auth) {
            (true, true, true) => &[M, E, A],
            (true, true, false) => &[M, E],
            (true, false, true) => &[M, A],
            (true, false, false) => &[M],
            (false, true, true) => &[E, A],
            (false, true, false) => &[E],
            (false, false, true) => &[A],
            (false, false, false) => &[],
        }
    }
}

#[derive(Debug)]
pub struct ScalerSpec {
    pub trigger_type: Box<str>,
    pub params: Box<[ParamSpec]>,
    /// Index of the HPA target parameter (the one with an `activation<Name>` twin).
    pub target: Option<usize>,
    pub activation: Option<usize>,
}

impl ScalerSpec {
    pub fn param(&self, name: &str) -> Option<&ParamSpec> {
        self.params.iter().find(|p| &*p.name == name)
    }
}

// KEDA's file is read with the core's own YAML/JSON reader and a hand walk of its nodes:
// serde-derived decoders for these shapes cost the Wasm module ~1.8 KB gzipped (serde_json's
// sequence, map and `Option` readers compiled again for each type), for data read once.
// As with serde's derive, keys the walk does not know are ignored, and a value of the wrong
// type anywhere leaves the whole table empty.
#[cfg_attr(test, derive(Debug, PartialEq))]
struct RawScaler {
    trigger_type: String,
    parameters: Vec<RawParam>,
}

#[cfg_attr(test, derive(Debug, PartialEq))]
#[derive(Default)]
struct RawParam {
    name: String,
    optional: bool,
    default: Option<String>,
    allowed_value: Vec<String>,
    deprecated: Option<String>,
    deprecated_announce: Option<String>,
    metadata_variable_readable: bool,
    env_variable_readable: bool,
    trigger_authentication_variable_readable: bool,
}

/// The `scalers` list of KEDA's schema file.
fn raw_scalers(text: &str) -> Option<Vec<RawScaler>> {
    use crate::document::{parse_stream, Limits, Node};
    let docs = parse_stream(text, &Limits::default());
    let [doc] = docs.as_slice() else { return None };
    if !doc.errors.is_empty() {
        return None;
    }
    let string = |n: &Node| n.as_str().map(str::to_owned);
    // `null` is `None` for an optional string, as serde reads it; nothing else may be null.
    let opt_string = |n: &Node| {
        if n.is_null() {
            Some(None)
        } else {
            string(n).map(Some)
        }
    };
    let flag = |n: &Node| n.as_bool();
    let list = |n: &Node| {
        n.as_sequence()?
            .iter()
            .map(string)
            .collect::<Option<Vec<_>>>()
    };
    let param = |n: &Node| {
        let mut p = RawParam::default();
        let mut named = false;
        for e in n.as_mapping()? {
            let v = &e.value;
            match e.key_str()? {
                "name" => {
                    p.name = string(v)?;
                    named = true;
                }
                "optional" => p.optional = flag(v)?,
                "default" => p.default = opt_string(v)?,
                "allowedValue" => p.allowed_value = list(v)?,
                "deprecated" => p.deprecated = opt_string(v)?,
                "deprecatedAnnounce" => p.deprecated_announce = opt_string(v)?,
                "metadataVariableReadable" => p.metadata_variable_readable = flag(v)?,
                "envVariableReadable" => p.env_variable_readable = flag(v)?,
                "triggerAuthenticationVariableReadable" => {
                    p.trigger_authentication_variable_readable = flag(v)?
                }
                _ => {}
            }
        }
        named.then_some(p)
    };
    let scaler = |n: &Node| {
        let parameters = match n.get("parameters") {
            Some(ps) => ps.as_sequence()?.iter().map(param).collect::<Option<_>>()?,
            None => Vec::new(),
        };
        Some(RawScaler {
            trigger_type: string(n.get("type")?)?,
            parameters,
        })
    };
    doc.root
        .as_ref()?
        .get("scalers")?
        .as_sequence()?
        .iter()
        .map(scaler)
        .collect()
}

/// Parameters the schema lists as required although KEDA reads them from an optional
/// nested block (the generator flattens nested structs): redis TLS material.
const NESTED_OPTIONAL: &[&str] = &["Cert", "cert", "key", "keyPassword", "ca"];

/// Names that hold numbers although their defaults do not say so.
const NUMERIC_NAMES: &[&str] = &[
    "threshold",
    "targetValue",
    "targetMetricValue",
    "targetQueryValue",
    "queryValue",
    "value",
    "thresholdValue",
    "lagCount",
    "queueLength",
    "messageCountTarget",
    "messageSpoolUsageTarget",
    "messageReceiveRateTarget",
];

/// Trigger types KEDA built in releases before the schema's, with the release that
/// removed them.
/// `stan` is gone from the v2.20.2 parameter list but still documented for 2.20, so it is
/// taken as known through 2.20.
const REMOVED_TYPES: &[(&str, KedaVersion)] = &[("stan", KedaVersion::new(2, 21, 0))];

fn build() -> Vec<ScalerSpec> {
    let Some(raw) = std::str::from_utf8(&SCHEMA).ok().and_then(raw_scalers) else {
        return Vec::new();
    };
    raw.into_iter().map(build_scaler).collect()
}

fn build_scaler(s: RawScaler) -> ScalerSpec {
    let params: Vec<ParamSpec> = s
        .parameters
        .into_iter()
        .map(|p| {
            let default_num = p
                .default
                .as_deref()
                .is_some_and(|d| crate::go::strconv::float(d).is_some_and(f64::is_finite));
            let default_bool = matches!(p.default.as_deref(), Some("true" | "false"));
            let value = if !p.allowed_value.is_empty() {
                ValueKind::Text
            } else if default_bool {
                ValueKind::Bool
            } else if default_num
                || NUMERIC_NAMES.contains(&p.name.as_str())
                || (p.name.starts_with("activation") && p.name.len() > "activation".len())
            {
                ValueKind::Number
            } else {
                ValueKind::Text
            };
            let removed = p.deprecated.map(|text| {
                let v = removed_in(&text).unwrap_or(KedaVersion::OLDEST);
                (text.into_boxed_str(), v)
            });
            ParamSpec {
                required: !p.optional
                    && p.default.is_none()
                    && !NESTED_OPTIONAL.contains(&p.name.as_str()),
                default: p.default.map(String::into_boxed_str),
                allowed: p
                    .allowed_value
                    .into_iter()
                    .map(String::into_boxed_str)
                    .collect(),
                metadata: p.metadata_variable_readable,
                env: p.env_variable_readable,
                auth: p.trigger_authentication_variable_readable,
                value,
                removed,
                deprecated: p.deprecated_announce.map(String::into_boxed_str),
                name: p.name.into_boxed_str(),
            }
        })
        .collect();
    let target = params.iter().position(|p| {
        p.value == ValueKind::Number
            && !p.name.starts_with("activation")
            && params.iter().any(|a| is_activation_of(&a.name, &p.name))
    });
    let activation = target.and_then(|t| {
        let name = &params.get(t)?.name;
        params.iter().position(|a| is_activation_of(&a.name, name))
    });
    ScalerSpec {
        trigger_type: s.trigger_type.into_boxed_str(),
        params: params.into_boxed_slice(),
        target,
        activation,
    }
}

/// `activationLagThreshold` is the activation twin of `lagThreshold`.
fn is_activation_of(activation: &str, target: &str) -> bool {
    let Some(rest) = activation.strip_prefix("activation") else {
        return false;
    };
    let mut a = rest.chars();
    let mut t = target.chars();
    match (a.next(), t.next()) {
        (Some(x), Some(y)) => x == y.to_ascii_uppercase() && a.as_str() == t.as_str(),
        _ => false,
    }
}

/// "... is removed in v2.18 - ..." -> 2.18.0.
fn removed_in(text: &str) -> Option<KedaVersion> {
    let at = text.find("removed in v")? + "removed in v".len();
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let mut parts = rest[..end].trim_end_matches('.').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some(KedaVersion::new(major, minor, 0))
}

/// Every scaler in the schema, parsed once.
pub fn scalers() -> &'static [ScalerSpec] {
    static TABLE: OnceLock<Vec<ScalerSpec>> = OnceLock::new();
    TABLE.get_or_init(build)
}

pub fn scaler(trigger_type: &str) -> Option<&'static ScalerSpec> {
    scalers().iter().find(|s| &*s.trigger_type == trigger_type)
}

/// Whether KEDA `version` builds a scaler for `trigger_type`.
pub fn is_known_type(trigger_type: &str, version: KedaVersion) -> bool {
    scaler(trigger_type).is_some()
        || REMOVED_TYPES
            .iter()
            .any(|(t, until)| *t == trigger_type && version < *until)
}

/// What the generic checks know of a trigger's metric.
#[derive(Clone, Debug)]
pub struct GenericConfig {
    pub metric: ScalerMetric,
}

/// The error for a type no scaler exists for.
pub fn unknown_type(trigger_type: &str) -> ScalerError {
    unknown_type_near(trigger_type, super::names::suggest_type(trigger_type))
}

/// [`unknown_type`] with the known type nearest to it already found (or none).
pub fn unknown_type_near(trigger_type: &str, near: Option<&str>) -> ScalerError {
    let mut message = format!("no scaler found for type: {trigger_type}");
    if let Some(s) = near {
        message.push_str(&format!(" (did you mean {s:?}?)"));
    }
    ScalerError {
        key: None,
        kind: ErrorKind::UnknownType,
        message,
    }
}

/// Checks a trigger against the schema: required parameters, allowed values, numbers and
/// booleans, removed parameters. `version` decides which removals apply.
pub fn check_params(
    spec: &ScalerSpec,
    input: &TriggerInput<'_>,
    version: KedaVersion,
) -> Vec<ScalerError> {
    let mut errors = Vec::new();
    for p in spec.params.iter() {
        if let Some((text, since)) = &p.removed {
            if version >= *since
                && input
                    .metadata
                    .get(&*p.name)
                    .is_some_and(|v| !v.trim().is_empty())
            {
                errors.push(ScalerError {
                    key: Some(p.name.to_string()),
                    kind: ErrorKind::Removed,
                    message: format!("parameter {:?} is deprecated: {text}", &*p.name),
                });
            }
            continue;
        }
        let order = p.order();
        let Some((value, _)) = typed::lookup(input, &p.name, order) else {
            if p.required && p.metadata && !alias_set(spec, p, input) {
                errors.push(typed::missing(&p.name, order));
            }
            continue;
        };
        if !p.allowed.is_empty() {
            let allowed: Vec<&str> = p.allowed.iter().map(|a| &**a).collect();
            if let Err(e) = typed::check_enum(&p.name, value, &allowed) {
                errors.push(e);
            }
            continue;
        }
        let bad = match p.value {
            ValueKind::Number => typed::parse_float(&p.name, value).err(),
            ValueKind::Bool => typed::parse_bool(&p.name, value).err(),
            ValueKind::Text => None,
        };
        errors.extend(bad);
    }
    errors
}

/// KEDA tags list alternative names (`name=queueName;queueNames`) that the schema shows as
/// two required parameters: one of a singular/plural pair is enough.
fn alias_set(spec: &ScalerSpec, p: &ParamSpec, input: &TriggerInput<'_>) -> bool {
    spec.params.iter().any(|q| {
        let pair = q.name.strip_suffix('s') == Some(&*p.name)
            || p.name.strip_suffix('s') == Some(&*q.name)
            || q.name.strip_suffix("es") == Some(&*p.name)
            || p.name.strip_suffix("es") == Some(&*q.name);
        pair && typed::lookup(input, &q.name, q.order()).is_some()
    })
}

/// The generic parse: known type, schema checks, and the metric from the target parameter.
pub fn parse(input: &TriggerInput<'_>) -> Result<GenericConfig, Vec<ScalerError>> {
    parse_for(input, KedaVersion::DEFAULT)
}

pub fn parse_for(
    input: &TriggerInput<'_>,
    version: KedaVersion,
) -> Result<GenericConfig, Vec<ScalerError>> {
    let Some(spec) = scaler(input.trigger_type) else {
        if is_known_type(input.trigger_type, version) {
            return Ok(GenericConfig {
                metric: generic_metric(input, None, 0.0, 0.0)?,
            });
        }
        return Err(vec![unknown_type(input.trigger_type)]);
    };
    let mut errors = Vec::new();
    let metric_type = super::external_metric_type(input);
    if let Err(e) = &metric_type {
        errors.push(e.clone());
    }
    errors.extend(check_params(spec, input, version));
    if !errors.is_empty() {
        return Err(errors);
    }
    let number = |i: Option<usize>| -> f64 {
        i.and_then(|i| spec.params.get(i))
            .and_then(|p| {
                typed::lookup(input, &p.name, p.order())
                    .map(|(v, _)| v)
                    .or(p.default.as_deref())
            })
            .and_then(crate::go::strconv::float)
            .unwrap_or(0.0)
    };
    Ok(GenericConfig {
        metric: generic_metric(
            input,
            Some(spec),
            number(spec.target),
            number(spec.activation),
        )?,
    })
}

/// The metric alone, for scalers without a module: the target and activation parameters
/// must read as numbers; other parameters do not matter.
pub fn metric(input: &TriggerInput<'_>) -> Result<ScalerMetric, ScalerError> {
    let Some(spec) = scaler(input.trigger_type) else {
        if is_known_type(input.trigger_type, KedaVersion::OLDEST) {
            return generic_metric(input, None, 0.0, 0.0).map_err(super::first);
        }
        return Err(unknown_type(input.trigger_type));
    };
    let number = |i: Option<usize>| -> Result<f64, ScalerError> {
        let Some(p) = i.and_then(|i| spec.params.get(i)) else {
            return Ok(0.0);
        };
        match typed::lookup(input, &p.name, p.order()) {
            Some((v, _)) => typed::parse_float(&p.name, v),
            None => match p.default.as_deref() {
                Some(d) => typed::parse_float(&p.name, d),
                None if p.required => Err(typed::missing(&p.name, p.order())),
                None => Ok(0.0),
            },
        }
    };
    let target = number(spec.target)?;
    let activation = number(spec.activation)?;
    generic_metric(input, Some(spec), target, activation).map_err(super::first)
}

fn generic_metric(
    input: &TriggerInput<'_>,
    _spec: Option<&ScalerSpec>,
    target: f64,
    activation: f64,
) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &super::names::metric_base(input)),
        metric_type,
        target,
        activation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compacted_schema_is_the_same_json() {
        let full: serde_json::Value = serde_json::from_slice(SCHEMA_RAW).unwrap();
        let mut full_no_type = full.clone();
        for s in full_no_type["scalers"].as_array_mut().unwrap() {
            for p in s["parameters"].as_array_mut().unwrap() {
                assert_eq!(p["type"], "string");
                p.as_object_mut().unwrap().remove("type");
            }
        }
        let compacted: serde_json::Value = serde_json::from_slice(&SCHEMA).unwrap();
        assert_eq!(compacted, full_no_type);
        assert!(SCHEMA.len() * 2 < SCHEMA_RAW.len(), "{}", SCHEMA.len());
    }

    #[test]
    fn the_walk_reads_every_field_serde_json_sees() {
        let text = std::str::from_utf8(&SCHEMA).unwrap();
        let raw = raw_scalers(text).unwrap();
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        let want = json["scalers"].as_array().unwrap();
        assert_eq!(raw.len(), want.len());
        let s = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let b = |v: &serde_json::Value| v.as_bool().unwrap_or(false);
        for (got, want) in raw.iter().zip(want) {
            assert_eq!(Some(got.trigger_type.clone()), s(&want["type"]));
            let params = want["parameters"].as_array().unwrap();
            assert_eq!(got.parameters.len(), params.len());
            for (p, w) in got.parameters.iter().zip(params) {
                let allowed: Vec<String> = w["allowedValue"]
                    .as_array()
                    .map(|a| a.iter().filter_map(s).collect())
                    .unwrap_or_default();
                let expected = RawParam {
                    name: s(&w["name"]).unwrap(),
                    optional: b(&w["optional"]),
                    default: s(&w["default"]),
                    allowed_value: allowed,
                    deprecated: s(&w["deprecated"]),
                    deprecated_announce: s(&w["deprecatedAnnounce"]),
                    metadata_variable_readable: b(&w["metadataVariableReadable"]),
                    env_variable_readable: b(&w["envVariableReadable"]),
                    trigger_authentication_variable_readable: b(
                        &w["triggerAuthenticationVariableReadable"]
                    ),
                };
                assert_eq!(p, &expected);
            }
        }
        // A value of the wrong type leaves the table empty, as serde's decoder did.
        assert!(raw_scalers(r#"{"scalers":[{"type":"x","parameters":[{"name":1}]}]}"#).is_none());
        assert!(
            raw_scalers(r#"{"scalers":[{"type":"x","parameters":[{"optional":true}]}]}"#).is_none()
        );
        let ok = raw_scalers(
            r#"{"scalers":[{"type":"x","extra":1,"parameters":[{"name":"a","default":null}]}]}"#,
        );
        assert_eq!(ok.unwrap()[0].parameters[0].default, None);
    }

    #[test]
    fn table_loads_and_pairs_targets() {
        assert!(scalers().len() >= 70);
        let prom = scaler("prometheus").unwrap();
        assert_eq!(&*prom.params[prom.target.unwrap()].name, "threshold");
        assert_eq!(
            &*prom.params[prom.activation.unwrap()].name,
            "activationThreshold"
        );
        let kafka = scaler("kafka").unwrap();
        assert_eq!(&*kafka.params[kafka.target.unwrap()].name, "lagThreshold");
        let cpu = scaler("cpu").unwrap();
        let t = cpu.param("type").unwrap();
        assert_eq!(t.removed.as_ref().unwrap().1, KedaVersion::new(2, 18, 0));
    }

    #[test]
    fn metric_names_follow_keda() {
        let run = |t: &str, pairs: &[(&str, &str)]| {
            let metadata: std::collections::BTreeMap<String, String> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            let empty = std::collections::BTreeMap::new();
            parse(&TriggerInput {
                trigger_type: t,
                index: 2,
                metadata: &metadata,
                auth_params: &empty,
                env: &empty,
                pod_identity: None,
                metric_type: None,
                namespace: "shop",
            })
            .map(|c| c.metric)
        };
        let m = run(
            "prometheus",
            &[
                ("serverAddress", "http://p:9090"),
                ("query", "up"),
                ("threshold", "7.5"),
            ],
        )
        .unwrap();
        assert_eq!(m.metric_name, "s2-prometheus");
        assert_eq!(m.target, 7.5);
        assert_eq!(m.activation, 0.0);
        let m = run(
            "kafka",
            &[
                ("bootstrapServers", "k:9092"),
                ("consumerGroup", "g"),
                ("topic", "orders.v1"),
            ],
        )
        .unwrap();
        assert_eq!(m.metric_name, "s2-kafka-orders-v1");
        assert_eq!(m.target, 10.0);
    }

    #[test]
    fn removed_types_by_version() {
        assert!(!is_known_type("stan", KedaVersion::new(2, 21, 0)));
        assert!(is_known_type("stan", KedaVersion::new(2, 16, 0)));
    }
}
