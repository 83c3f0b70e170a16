//! KEDA's typed-config reader (`pkg/scalers/scalersconfig/typed_config.go`), shared by every
//! scaler: where a parameter is looked up, how its text is cleaned, how Go decodes it into
//! the field's type, and the errors KEDA gives.
//!
//! # Declaring a scaler's parameters
//! A scaler lists its fields as a `const` table of [`Param`]s, one per `keda:"…"` tag of its
//! Go config struct, in the struct's field order (KEDA reads and reports in that order):
//!
//! ```
//! use scalecore::scalers::typed::{Param, A, E, M, INT64, STRING, STRINGS};
//! const PARAMS: &[Param] = &[
//!     // `keda:"name=bootstrapServers, order=triggerMetadata;resolvedEnv"` on a []string
//!     Param::new("bootstrapServers", &[M, E], STRINGS),
//!     // `keda:"name=lagThreshold, order=triggerMetadata, default=10"` on an int64
//!     Param::new("lagThreshold", &[M], INT64).default("10"),
//!     // `keda:"name=sasl, order=triggerMetadata;authParams, optional, enum=none;plaintext"`
//!     Param::new("sasl", &[M, A], STRING).optional().one_of(&["none", "plaintext"]),
//! ];
//! ```
//!
//! The tag's parts map to builder calls: `name=a;b` is the first argument as written,
//! `order=` the second (`M` triggerMetadata, `E` resolvedEnv, `A` authParams), the Go type
//! the third ([`GoType`]; constants [`STRING`], [`INT`], [`INT64`], [`UINT32`], [`FLOAT64`],
//! [`FLOAT64_PTR`], [`BOOL`], [`DURATION`], [`STRINGS`], [`INTS`], [`STRING_MAP`],
//! [`URL_VALUES`]), then
//! [`Param::optional`], [`Param::default`], [`Param::one_of`] (`enum=`),
//! [`Param::exclusive`] (`exclusiveSet=`), [`Param::range`], [`Param::separator`],
//! [`Param::deprecated`], [`Param::announce`] (`deprecatedAnnounce=`). A nested or embedded
//! struct (`keda:""` / `keda:"optional"`) is [`Param::nested`] with its own table; `optional`
//! on it makes every field inside optional.
//!
//! # Reading
//! [`read`] runs KEDA's `TypedConfig`: every field in order (lookup, `deprecated`, default,
//! missing, `enum`, `exclusiveSet`, decoding), then the scaler's `Validate()` (the closure),
//! and returns the typed values ([`Parsed`], with Go's zero value for what was not set) or
//! every error, each carrying the parameter it is about (KEDA joins them with newlines, see
//! [`join`]). Checks a scaler's parse function runs after `TypedConfig` succeeds belong in
//! the scaler, after `read` returns `Ok`.
//!
//! What the reader does not model: `*url.URL` fields (no KEDA scaler declares one),
//! `map[string][]string`, and the optional unexpected-parameter events
//! (`KEDA_CHECK_UNEXPECTED_SCALERS_PARAMS`).

use super::{ErrorKind, ScalerError, TriggerInput};
use crate::go::json::{unmarshal_int64 as go_json_int64, unmarshal_number, Decoded, GoNum, Number};
use crate::go::strconv::{float as go_parse_float, parse_bool as go_parse_bool};

/// One place a parameter can come from, in the order a scaler's tag lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// `metadata[name]`.
    TriggerMetadata,
    /// `env[metadata[name + "FromEnv"]]`: the variable name is taken raw, untrimmed.
    ResolvedEnv,
    /// `authParams[name]`.
    AuthParams,
}

impl Order {
    pub fn as_str(self) -> &'static str {
        match self {
            Order::TriggerMetadata => "triggerMetadata",
            Order::ResolvedEnv => "resolvedEnv",
            Order::AuthParams => "authParams",
        }
    }
}

/// Where a value was found, so a diagnostic can point at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found<'a> {
    Metadata,
    /// Through `<name>FromEnv`; carries the env variable name.
    Env(&'a str),
    Auth,
}

/// Looks `name` up in `order`: the first non-blank value wins, TrimSpace'd (an empty result
/// counts as absent and falls through to the next source).
pub fn lookup<'a>(
    input: &TriggerInput<'a>,
    name: &str,
    order: &[Order],
) -> Option<(&'a str, Found<'a>)> {
    order.iter().find_map(|o| {
        let (raw, found) = match o {
            Order::TriggerMetadata => (input.metadata.get(name)?, Found::Metadata),
            Order::AuthParams => (input.auth_params.get(name)?, Found::Auth),
            Order::ResolvedEnv => {
                let var = from_env_var(input, name);
                (input.env.get(var)?, Found::Env(var))
            }
        };
        let v = go_trim_space(raw);
        (!v.is_empty()).then_some((v, found))
    })
}

/// The env variable a `<name>FromEnv` key names (`""` when the key is absent, as in Go).
pub fn from_env_var<'a>(input: &TriggerInput<'a>, name: &str) -> &'a str {
    let mut key = String::with_capacity(name.len() + 7);
    key.push_str(name);
    key.push_str("FromEnv");
    input.metadata.get(&key).map_or("", String::as_str)
}

/// Go's `strings.TrimSpace` (Unicode White_Space, which Rust's `trim` also uses).
pub fn go_trim_space(s: &str) -> &str {
    s.trim()
}

/// `[triggerMetadata resolvedEnv]`, as Go prints the order list in "missing" errors.
pub fn orders_text(order: &[Order]) -> String {
    let names: Vec<&str> = order.iter().map(|o| o.as_str()).collect();
    format!("[{}]", names.join(" "))
}

/// The "missing required parameter" error of typed config.
pub fn missing(name: &str, order: &[Order]) -> ScalerError {
    ScalerError {
        key: Some(name.to_owned()),
        kind: ErrorKind::Missing,
        message: format!(
            "missing required parameter {:?} in {}",
            name,
            orders_text(order)
        ),
    }
}

/// The error for a value Go could not store in its field.
pub fn set_error(name: &str, value: &str, why: &str) -> ScalerError {
    ScalerError {
        key: Some(name.to_owned()),
        kind: ErrorKind::Invalid,
        message: format!("unable to set param {name:?} value {value:?}: {why}"),
    }
}

/// An int64 field: typed config decodes the text with `encoding/json`.
pub fn parse_int64(name: &str, value: &str) -> Result<i64, ScalerError> {
    go_json_int64(value).map_err(|e| {
        set_error(
            name,
            value,
            &format!("unable to unmarshal to field type int64: {e}"),
        )
    })
}

/// A bool field: Go `strconv.ParseBool`.
pub fn parse_bool(name: &str, value: &str) -> Result<bool, ScalerError> {
    go_parse_bool(value).ok_or_else(|| {
        set_error(
            name,
            value,
            &format!(
                "unable to parse boolean value {value:?}: strconv.ParseBool: parsing {value:?}: invalid syntax"
            ),
        )
    })
}

/// A float64 field: Go `strconv.ParseFloat(v, 64)`.
pub fn parse_float(name: &str, value: &str) -> Result<f64, ScalerError> {
    go_parse_float(value).ok_or_else(|| {
        set_error(
            name,
            value,
            &format!(
                "unable to parse float value {value:?}: strconv.ParseFloat: parsing {value:?}: invalid syntax"
            ),
        )
    })
}

/// An `enum=` tag: the value is split on `,`, each piece trimmed, and every piece must be
/// one of `allowed` (exact case). `sum,max` therefore passes and is kept verbatim.
pub fn check_enum(name: &str, value: &str, allowed: &[&str]) -> Result<(), ScalerError> {
    if value.split(',').all(|p| allowed.contains(&p.trim())) {
        return Ok(());
    }
    Err(ScalerError {
        key: Some(name.to_owned()),
        kind: ErrorKind::Invalid,
        message: format!(
            "parameter {name:?} value {value:?} must be one of [{}]",
            allowed.join(" ")
        ),
    })
}

/// `triggerMetadata` in a [`Param`]'s order.
pub const M: Order = Order::TriggerMetadata;
/// `resolvedEnv` (through `<name>FromEnv`) in a [`Param`]'s order.
pub const E: Order = Order::ResolvedEnv;
/// `authParams` in a [`Param`]'s order.
pub const A: Order = Order::AuthParams;

/// A Go scalar a field (or a list or map element) is decoded into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scalar {
    /// `string` and string-based types (`offsetResetPolicy`): assigned as is.
    Str,
    /// A number, decoded with `encoding/json`.
    Num(GoNum),
    /// A pointer to a number (`*float64`): as [`Scalar::Num`], except that JSON `null` leaves
    /// the pointer nil (the field reads as not set) instead of failing.
    NumPtr(GoNum),
    /// `strconv.ParseBool`.
    Bool,
    /// `time.Duration`: `time.ParseDuration`, else an integer of milliseconds; never negative.
    Duration,
}

/// The Go type of a field.
#[derive(Clone, Copy, Debug)]
pub enum GoType {
    One(Scalar),
    /// A slice: the text split on the separator (`,` unless set), each piece trimmed.
    List(Scalar),
    /// `map[string]T`: `key=value` pieces split on the separator.
    Map(Scalar),
    /// `url.Values`: `url.ParseQuery`.
    Query,
    /// A nested or embedded struct with its own fields.
    Nested(&'static [Param]),
}

pub const STRING: GoType = GoType::One(Scalar::Str);
pub const INT: GoType = GoType::One(Scalar::Num(GoNum::Int));
pub const INT64: GoType = GoType::One(Scalar::Num(GoNum::Int64));
pub const UINT32: GoType = GoType::One(Scalar::Num(GoNum::Uint32));
pub const FLOAT64: GoType = GoType::One(Scalar::Num(GoNum::Float64));
pub const FLOAT64_PTR: GoType = GoType::One(Scalar::NumPtr(GoNum::Float64));
pub const BOOL: GoType = GoType::One(Scalar::Bool);
pub const DURATION: GoType = GoType::One(Scalar::Duration);
pub const STRINGS: GoType = GoType::List(Scalar::Str);
pub const INTS: GoType = GoType::List(Scalar::Num(GoNum::Int));
pub const STRING_MAP: GoType = GoType::Map(Scalar::Str);
pub const URL_VALUES: GoType = GoType::Query;

/// One `keda:"…"` tag and its field's type. Build it in a `const` with the methods below.
#[derive(Clone, Copy, Debug)]
pub struct Param {
    /// `name=`: alternatives separated by `;`, tried in turn for each source; `""` for a
    /// nested struct.
    pub name: &'static str,
    pub order: &'static [Order],
    pub ty: GoType,
    pub optional: bool,
    pub default: &'static str,
    pub one_of: &'static [&'static str],
    pub exclusive: &'static [&'static str],
    /// `range=`: the separator of `start<sep>end` elements of an int list (`""`: no ranges).
    pub range: &'static str,
    /// `separator=` of lists, maps, `enum` and `exclusiveSet` (`""`: `,`).
    pub separator: &'static str,
    pub deprecated: &'static str,
    pub announce: &'static str,
}

impl Param {
    pub const fn new(name: &'static str, order: &'static [Order], ty: GoType) -> Self {
        Param {
            name,
            order,
            ty,
            optional: false,
            default: "",
            one_of: &[],
            exclusive: &[],
            range: "",
            separator: "",
            deprecated: "",
            announce: "",
        }
    }
    /// A nested or embedded struct field (`keda:""`).
    pub const fn nested(fields: &'static [Param]) -> Self {
        Param::new("", &[], GoType::Nested(fields))
    }
    pub const fn optional(mut self) -> Self {
        self.optional = true;
        self
    }
    pub const fn default(mut self, value: &'static str) -> Self {
        self.default = value;
        self
    }
    /// `enum=a;b`.
    pub const fn one_of(mut self, values: &'static [&'static str]) -> Self {
        self.one_of = values;
        self
    }
    /// `exclusiveSet=a;b`: at most one of these may appear in the value.
    pub const fn exclusive(mut self, values: &'static [&'static str]) -> Self {
        self.exclusive = values;
        self
    }
    /// `range` (separator `-`) or `range=..`.
    pub const fn range(mut self, separator: &'static str) -> Self {
        self.range = separator;
        self
    }
    pub const fn separator(mut self, separator: &'static str) -> Self {
        self.separator = separator;
        self
    }
    /// `deprecated=text`: setting the parameter is an error.
    pub const fn deprecated(mut self, text: &'static str) -> Self {
        self.deprecated = text;
        self
    }
    /// `deprecatedAnnounce=text`: still read; KEDA records an event.
    pub const fn announce(mut self, text: &'static str) -> Self {
        self.announce = text;
        self
    }

    /// `Params.Name()`: the alternatives joined with `,`, as errors print them.
    fn display_name(&self) -> String {
        self.name.replace(';', ",")
    }

    fn first_name(&self) -> &'static str {
        self.name.split(';').next().unwrap_or(self.name)
    }
}

/// A decoded value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Int(i64),
    Uint(u64),
    Float(f64),
    Bool(bool),
    /// Nanoseconds.
    Duration(i64),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
    Query(Vec<(String, Vec<String>)>),
    /// A nil pointer (`null` into a `*float64`): the field stays unset.
    Nil,
}

#[derive(Clone, Debug)]
struct Entry {
    name: &'static str,
    value: Value,
    /// Found in a source (not the tag's default).
    set: bool,
}

/// The typed values of one trigger, by declared name (`"address;addresses"` as declared).
/// The accessors give Go's zero value for a field that was not set, as KEDA's struct has.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    entries: Vec<Entry>,
    /// `deprecatedAnnounce` parameters that were set, with KEDA's event text.
    pub announced: Vec<(&'static str, String)>,
}

impl Parsed {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.value)
    }
    /// Whether the value came from a source rather than the default.
    pub fn is_set(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name && e.set)
    }
    pub fn str(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Value::Str(s)) => s,
            _ => "",
        }
    }
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            Some(Value::Int(n)) => *n,
            Some(Value::Uint(n)) => i64::try_from(*n).unwrap_or(i64::MAX),
            _ => 0,
        }
    }
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            Some(Value::Float(f)) => *f,
            Some(Value::Int(n)) => *n as f64,
            _ => 0.0,
        }
    }
    pub fn bool(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Bool(true)))
    }
    /// Nanoseconds.
    pub fn duration(&self, name: &str) -> i64 {
        match self.get(name) {
            Some(Value::Duration(d)) => *d,
            _ => 0,
        }
    }
    pub fn strings(&self, name: &str) -> Vec<&str> {
        match self.get(name) {
            Some(Value::List(v)) => v
                .iter()
                .filter_map(|x| match x {
                    Value::Str(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
    pub fn ints(&self, name: &str) -> Vec<i64> {
        match self.get(name) {
            Some(Value::List(v)) => v
                .iter()
                .filter_map(|x| match x {
                    Value::Int(n) => Some(*n),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Ranges (`1-100000000`) are expanded by KEDA without limit; here a list keeps at most this
/// many elements from ranges, so hostile input cannot exhaust memory.
const MAX_RANGE_ELEMENTS: usize = 10_000;

/// Whether a value stands for one the caller could not see (the linter passes values held in
/// Secrets or env it cannot read as text starting with U+0001). A check that depends on the
/// content of such a value, not just its presence, must not conclude from it.
pub fn unseen(value: &str) -> bool {
    value.starts_with('\u{1}')
}

/// KEDA's `TypedConfig` over `params`, then `validate` (the config's `Validate()`, given the
/// values read so far even when some fields failed, as in Go). `Err` holds every error in
/// KEDA's order.
pub fn read(
    input: &TriggerInput<'_>,
    params: &'static [Param],
    validate: impl FnOnce(&Parsed) -> Result<(), ScalerError>,
) -> Result<Parsed, Vec<ScalerError>> {
    let mut parsed = Parsed::default();
    let mut errors = Vec::new();
    if let Err(abort) = read_fields(input, params, false, &mut parsed, &mut errors) {
        return Err(vec![abort]);
    }
    if let Err(e) = validate(&parsed) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(parsed)
    } else {
        Err(errors)
    }
}

/// KEDA's message for errors it joined (`errors.Join`: one per line).
pub fn join(errors: &[ScalerError]) -> String {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    messages.join("\n")
}

/// An error about `name`, of the given kind, with KEDA's text.
pub fn error(name: &str, kind: ErrorKind, message: impl Into<String>) -> ScalerError {
    ScalerError {
        key: (!name.is_empty()).then(|| name.to_owned()),
        kind,
        message: message.into(),
    }
}

/// Fields of one struct level; `Err` is a panic KEDA recovers from, which ends the parse.
fn read_fields(
    input: &TriggerInput<'_>,
    params: &'static [Param],
    parent_optional: bool,
    parsed: &mut Parsed,
    errors: &mut Vec<ScalerError>,
) -> Result<(), ScalerError> {
    for p in params {
        let optional = p.optional || parent_optional;
        if let GoType::Nested(fields) = p.ty {
            // A nested struct always "exists"; its fields are read with the parent's optional.
            read_fields(input, fields, optional, parsed, errors)?;
            continue;
        }
        let found = lookup_names(input, p);
        let key = found.map_or(p.first_name(), |(_, n)| n);
        if found.is_some() && !p.deprecated.is_empty() {
            errors.push(error(
                key,
                ErrorKind::Removed,
                format!("scaler {} info: {}", input.trigger_type, p.deprecated),
            ));
            continue;
        }
        if found.is_some() && !p.announce.is_empty() {
            parsed.announced.push((
                p.name,
                format!("scaler {} info: {}", input.trigger_type, p.announce),
            ));
        }
        let (value, set) = match found {
            Some((v, _)) => (v, true),
            None if !p.default.is_empty() => (p.default, false),
            None if optional || !p.deprecated.is_empty() => continue,
            None => {
                errors.push(missing_param(p));
                continue;
            }
        };
        if !p.one_of.is_empty() {
            let bad = split(value, p.separator).any(|s| !p.one_of.contains(&go_trim_space(s)));
            if bad {
                errors.push(error(
                    key,
                    ErrorKind::Invalid,
                    format!(
                        "parameter {:?} value {value:?} must be one of [{}]",
                        p.display_name(),
                        p.one_of.join(" ")
                    ),
                ));
                continue;
            }
        }
        if !p.exclusive.is_empty() {
            let count = split(value, p.separator)
                .filter(|s| p.exclusive.contains(&go_trim_space(s)))
                .count();
            if count > 1 {
                errors.push(error(
                    key,
                    ErrorKind::Invalid,
                    format!(
                        "parameter {:?} value {value:?} must contain only one of [{}]",
                        p.display_name(),
                        p.exclusive.join(" ")
                    ),
                ));
                continue;
            }
        }
        match decode(p, value) {
            Ok(Value::Nil) => {}
            Ok(v) => parsed.entries.push(Entry {
                name: p.name,
                value: v,
                set,
            }),
            Err(Failure::Error(why)) => errors.push(error(
                key,
                ErrorKind::Invalid,
                format!(
                    "unable to set param {:?} value {value:?}: {why}",
                    p.display_name()
                ),
            )),
            Err(Failure::Panic) => {
                return Err(error(
                    key,
                    ErrorKind::Invalid,
                    "failed to parse typed config *reflect.ValueError resulted in panic",
                ))
            }
        }
    }
    Ok(())
}

/// `configParamValue`: each source in order, each name in turn; the first non-blank value,
/// trimmed, with the name it was found under.
fn lookup_names<'a>(input: &TriggerInput<'a>, p: &Param) -> Option<(&'a str, &'static str)> {
    p.order.iter().find_map(|o| {
        p.name
            .split(';')
            .find_map(|n| lookup(input, n, std::slice::from_ref(o)).map(|(v, _)| (v, n)))
    })
}

fn missing_param(p: &Param) -> ScalerError {
    let message = if p.order.is_empty() {
        format!(
            "missing required parameter {:?}, no 'order' tag, provide any from [authParams resolvedEnv triggerMetadata]",
            p.display_name()
        )
    } else {
        format!(
            "missing required parameter {:?} in {}",
            p.display_name(),
            orders_text(p.order)
        )
    };
    error(p.first_name(), ErrorKind::Missing, message)
}

fn split<'v>(value: &'v str, separator: &'static str) -> std::str::Split<'v, &'static str> {
    value.split(if separator.is_empty() { "," } else { separator })
}

enum Failure {
    Error(String),
    /// `json.Unmarshal` of `null` into a non-pointer field: KEDA's reflection panics.
    Panic,
}

fn decode(p: &Param, value: &str) -> Result<Value, Failure> {
    match p.ty {
        GoType::One(s) => decode_scalar(s, value),
        GoType::List(s) => {
            let mut out = Vec::new();
            for (i, piece) in split(value, p.separator).enumerate() {
                let piece = go_trim_space(piece);
                let numeric = matches!(s, Scalar::Num(_) | Scalar::NumPtr(_));
                if numeric && !p.range.is_empty() && piece.contains(p.range) {
                    expand_range(s, piece, p.range, &mut out)
                        .map_err(|f| prefix(f, &format!("slice element {i}: ")))?;
                } else {
                    out.push(
                        decode_scalar(s, piece)
                            .map_err(|f| prefix(f, &format!("slice element {i}: ")))?,
                    );
                }
            }
            Ok(Value::List(out))
        }
        GoType::Map(s) => {
            let mut out: Vec<(String, Value)> = Vec::new();
            for piece in split(value, p.separator) {
                let piece = go_trim_space(piece);
                let kv: Vec<&str> = piece.split('=').collect();
                let [k, v] = kv.as_slice() else {
                    return Err(Failure::Error(format!(
                        "expected format key=value, got {piece:?}"
                    )));
                };
                let (k, v) = (go_trim_space(k), go_trim_space(v));
                let v = decode_scalar(s, v)
                    .map_err(|f| prefix(f, &format!("map key {k:?}, value {v:?}: ")))?;
                match out.iter_mut().find(|(key, _)| key == k) {
                    Some(slot) => slot.1 = v,
                    None => out.push((k.to_owned(), v)),
                }
            }
            Ok(Value::Map(out))
        }
        GoType::Query => match crate::go::url::parse_query(value) {
            (_, Some(e)) => Err(Failure::Error(format!(
                "expected url.Values, unable to parse query {value:?}: {e}"
            ))),
            (q, None) => Ok(Value::Query(q)),
        },
        GoType::Nested(_) => Ok(Value::List(Vec::new())),
    }
}

fn prefix(f: Failure, text: &str) -> Failure {
    match f {
        Failure::Error(e) => Failure::Error(format!("{text}{e}")),
        Failure::Panic => Failure::Panic,
    }
}

fn decode_scalar(s: Scalar, value: &str) -> Result<Value, Failure> {
    match s {
        Scalar::Str => Ok(Value::Str(value.to_owned())),
        Scalar::Bool => go_parse_bool(value).map(Value::Bool).ok_or_else(|| {
            Failure::Error(format!(
                "unable to parse boolean value {value:?}: strconv.ParseBool: parsing {value:?}: invalid syntax"
            ))
        }),
        Scalar::Duration => {
            if let Some(ns) = crate::go::time::parse_duration(value) {
                if ns < 0 {
                    return Err(Failure::Error(format!(
                        "duration cannot be negative: {value:?}"
                    )));
                }
                return Ok(Value::Duration(ns));
            }
            let Some(ms) = crate::go::strconv::parse_int(value, 64) else {
                return Err(Failure::Error(format!(
                    "unable to parse duration value {value:?}: must be either a duration string (e.g. '30s', '5m') or a number of milliseconds"
                )));
            };
            if ms < 0 {
                return Err(Failure::Error(format!(
                    "duration cannot be negative: {ms} milliseconds"
                )));
            }
            Ok(Value::Duration(ms.wrapping_mul(1_000_000)))
        }
        Scalar::Num(ty) => match unmarshal_number(value, ty) {
            Ok(Decoded::Value(Number::Int(n))) => Ok(Value::Int(n)),
            Ok(Decoded::Value(Number::Uint(n))) => Ok(Value::Uint(n)),
            Ok(Decoded::Value(Number::Float(f))) => Ok(Value::Float(f)),
            Ok(Decoded::Null) => Err(Failure::Panic),
            Err(e) => Err(Failure::Error(format!(
                "unable to unmarshal to field type {}: {e}",
                ty.go_name()
            ))),
        },
        Scalar::NumPtr(ty) => match decode_scalar(Scalar::Num(ty), value) {
            Err(Failure::Panic) => Ok(Value::Nil),
            Err(Failure::Error(e)) => Err(Failure::Error(e.replacen(
                "field type ",
                "field type *",
                1,
            ))),
            ok => ok,
        },
    }
}

/// `setConfigValueRange`: `start<sep>end`, both JSON numbers, every integer in between.
fn expand_range(s: Scalar, piece: &str, sep: &str, out: &mut Vec<Value>) -> Result<(), Failure> {
    let parts: Vec<&str> = piece.split(sep).collect();
    let [start, end] = parts.as_slice() else {
        return Err(Failure::Error(format!(
            "expected format start{sep}end, got {piece:?}"
        )));
    };
    let ty = match s {
        Scalar::Num(t) | Scalar::NumPtr(t) => t,
        _ => GoNum::Int,
    };
    let bound = |text: &str, which: &str| -> Result<i64, Failure> {
        match unmarshal_number(text, ty) {
            Ok(Decoded::Value(Number::Int(n))) => Ok(n),
            Ok(Decoded::Value(Number::Uint(n))) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
            Ok(Decoded::Value(Number::Float(f))) => Ok(f as i64),
            Ok(Decoded::Null) => Err(Failure::Panic),
            Err(e) => Err(Failure::Error(format!(
                "unable to parse {which} value {text:?}: {e}"
            ))),
        }
    };
    let (a, b) = (bound(start, "start")?, bound(end, "end")?);
    let mut i = a;
    // The cap is on the whole list, so many small ranges cannot add up either.
    while i <= b && out.len() < MAX_RANGE_ELEMENTS {
        out.push(Value::Int(i));
        match i.checked_add(1) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_and_float_match_go() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(go_parse_bool(t), Some(true));
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(go_parse_bool(f), Some(false));
        }
        for bad in ["yes", "tRUE", "", "2"] {
            assert_eq!(go_parse_bool(bad), None);
        }
        assert_eq!(go_parse_float("1e3"), Some(1000.0));
        assert_eq!(go_parse_float("-2.5"), Some(-2.5));
        assert_eq!(go_parse_float(".5"), Some(0.5));
        assert_eq!(go_parse_float("0x1p-2"), Some(0.25));
        assert!(go_parse_float("Inf").is_some_and(f64::is_infinite));
        assert!(go_parse_float("nan").is_some_and(f64::is_nan));
        assert_eq!(go_parse_float("5m"), None);
        assert_eq!(go_parse_float("100Mi"), None);
        assert_eq!(go_parse_float(""), None);
        assert_eq!(go_parse_float("1e400"), None);
    }

    #[test]
    fn enum_splits_on_commas() {
        let ops = ["sum", "max", "avg"];
        assert!(check_enum("operation", "sum,max", &ops).is_ok());
        assert!(check_enum("operation", " max ", &ops).is_ok());
        let e = check_enum("operation", "SUM", &ops).unwrap_err();
        assert_eq!(
            e.message,
            "parameter \"operation\" value \"SUM\" must be one of [sum max avg]"
        );
    }
}

/// `pkg/scalers/scalersconfig/typed_config_test.go` (KEDA v2.20.2), one test per Go test
/// function, each naming it.
#[cfg(test)]
mod reader_tests {
    use super::*;
    use std::collections::BTreeMap;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    struct Sources {
        metadata: BTreeMap<String, String>,
        auth: BTreeMap<String, String>,
        env: BTreeMap<String, String>,
    }

    impl Sources {
        fn new(m: &[(&str, &str)], a: &[(&str, &str)], e: &[(&str, &str)]) -> Self {
            Sources {
                metadata: map(m),
                auth: map(a),
                env: map(e),
            }
        }
        fn input(&self) -> TriggerInput<'_> {
            TriggerInput {
                trigger_type: "testScaler",
                index: 0,
                metadata: &self.metadata,
                auth_params: &self.auth,
                env: &self.env,
                pod_identity: None,
                metric_type: None,
                namespace: "default",
            }
        }
        fn read(&self, params: &'static [Param]) -> Result<Parsed, Vec<ScalerError>> {
            read(&self.input(), params, |_| Ok(()))
        }
        fn err(&self, params: &'static [Param]) -> String {
            join(&self.read(params).unwrap_err())
        }
    }

    #[test]
    fn test_basic_typed_config() {
        let s = Sources::new(
            &[
                ("stringVal", "value1"),
                ("intVal", "1"),
                ("boolValFromEnv", "boolVal"),
                ("floatValFromEnv", "floatVal"),
            ],
            &[("auth", "authValue")],
            &[("boolVal", "true"), ("floatVal", "1.1")],
        );
        const P: &[Param] = &[
            Param::new("stringVal", &[M], STRING),
            Param::new("intVal", &[M], INT),
            Param::new("boolVal", &[E], BOOL),
            Param::new("floatVal", &[E], FLOAT64),
            Param::new("auth", &[A], STRING),
        ];
        let p = s.read(P).unwrap();
        assert_eq!(p.str("stringVal"), "value1");
        assert_eq!(p.int("intVal"), 1);
        assert!(p.bool("boolVal"));
        assert_eq!(p.float("floatVal"), 1.1);
        assert_eq!(p.str("auth"), "authValue");
    }

    #[test]
    fn test_parsing_order() {
        let s = Sources::new(
            &[
                ("stringVal", "value1"),
                ("intVal", "1"),
                ("intValFromEnv", "intVal"),
                ("floatVal", "1.1"),
                ("floatValFromEnv", "floatVal"),
            ],
            &[],
            &[
                ("stringVal", "value2"),
                ("intVal", "2"),
                ("floatVal", "2.2"),
            ],
        );
        const P: &[Param] = &[
            Param::new("stringVal", &[E, M], STRING),
            Param::new("intVal", &[M, E], INT),
            Param::new("floatVal", &[E, M], FLOAT64),
        ];
        let p = s.read(P).unwrap();
        // No stringValFromEnv: the env lookup uses the name "" and finds nothing.
        assert_eq!(p.str("stringVal"), "value1");
        assert_eq!(p.int("intVal"), 1);
        assert_eq!(p.float("floatVal"), 2.2);
    }

    #[test]
    fn test_optional() {
        let s = Sources::new(&[("stringVal", "value1")], &[], &[]);
        const P: &[Param] = &[
            Param::new("stringVal", &[M], STRING),
            Param::new("intVal", &[M], INT).optional(),
        ];
        let p = s.read(P).unwrap();
        assert_eq!(p.str("stringVal"), "value1");
        assert_eq!(p.int("intVal"), 0);
        assert!(p.get("intVal").is_none());
    }

    #[test]
    fn test_missing() {
        const P: &[Param] = &[Param::new("stringVal", &[M], STRING)];
        let s = Sources::new(&[], &[], &[]);
        let e = s.read(P).unwrap_err();
        assert_eq!(
            e[0].message,
            "missing required parameter \"stringVal\" in [triggerMetadata]"
        );
        assert_eq!(
            (e[0].key.as_deref(), e[0].kind),
            (Some("stringVal"), ErrorKind::Missing)
        );
    }

    #[test]
    fn test_deprecated_announce() {
        let s = Sources::new(&[("oldParam", "value1")], &[], &[]);
        const P: &[Param] = &[Param::new("oldParam", &[M], STRING).announce(
            "This parameter is deprecated and will be removed in - Use newParam instead",
        )];
        let p = s.read(P).unwrap();
        assert_eq!(p.str("oldParam"), "value1");
        assert_eq!(
            p.announced,
            vec![(
                "oldParam",
                "scaler testScaler info: This parameter is deprecated and will be removed in - Use newParam instead"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn test_deprecated() {
        let s = Sources::new(&[("oldParam", "value1")], &[], &[]);
        const P: &[Param] = &[Param::new("oldParam", &[M], STRING)
            .deprecated("This parameter is deprecated and is removed - Use newParam instead")];
        let e = s.read(P).unwrap_err();
        assert_eq!(
            e[0].message,
            "scaler testScaler info: This parameter is deprecated and is removed - Use newParam instead"
        );
        assert_eq!(e[0].kind, ErrorKind::Removed);
        // Not set: a deprecated parameter is never missing.
        assert!(Sources::new(&[], &[], &[]).read(P).is_ok());
    }

    #[test]
    fn test_default_value() {
        let s = Sources::new(&[("stringVal", "value1")], &[], &[]);
        const P: &[Param] = &[
            Param::new("boolVal", &[M], BOOL).optional().default("true"),
            Param::new("stringVal", &[M], STRING)
                .optional()
                .default("d"),
            Param::new("stringVal2", &[M], STRING)
                .optional()
                .default("d"),
        ];
        let p = s.read(P).unwrap();
        assert!(p.bool("boolVal"));
        assert_eq!(p.str("stringVal"), "value1");
        assert_eq!(p.str("stringVal2"), "d");
        assert!(p.is_set("stringVal") && !p.is_set("stringVal2"));
    }

    #[test]
    fn test_map() {
        let s = Sources::new(&[("mapVal", "key1=1,key2=2")], &[], &[]);
        const P: &[Param] = &[Param::new(
            "mapVal",
            &[M],
            GoType::Map(Scalar::Num(GoNum::Int)),
        )];
        let p = s.read(P).unwrap();
        assert_eq!(
            p.get("mapVal"),
            Some(&Value::Map(vec![
                ("key1".to_owned(), Value::Int(1)),
                ("key2".to_owned(), Value::Int(2))
            ]))
        );
        let bad = Sources::new(&[("mapVal", "key1=1,key2")], &[], &[]);
        assert_eq!(
            bad.err(P),
            "unable to set param \"mapVal\" value \"key1=1,key2\": expected format key=value, got \"key2\""
        );
    }

    #[test]
    fn test_slice() {
        let s = Sources::new(
            &[
                ("sliceVal", "1,2,3"),
                ("sliceValWithSpaces", "1, 2, 3"),
                ("sliceValWithOtherSeparator", "1;2;3"),
            ],
            &[],
            &[],
        );
        const P: &[Param] = &[
            Param::new("sliceVal", &[M], INTS),
            Param::new("sliceValWithSpaces", &[M], INTS),
            Param::new("sliceValWithOtherSeparator", &[M], INTS).separator(";"),
        ];
        let p = s.read(P).unwrap();
        for n in [
            "sliceVal",
            "sliceValWithSpaces",
            "sliceValWithOtherSeparator",
        ] {
            assert_eq!(p.ints(n), vec![1, 2, 3], "{n}");
        }
        let bad = Sources::new(&[("sliceVal", "1,x")], &[], &[]);
        assert_eq!(
            bad.err(&P[..1]),
            "unable to set param \"sliceVal\" value \"1,x\": slice element 1: unable to unmarshal to field type int: invalid character 'x' looking for beginning of value"
        );
    }

    #[test]
    fn test_enum() {
        const P: &[Param] = &[
            Param::new("enumVal", &[M], STRING).one_of(&["value1", "value2"]),
            Param::new("enumSlice", &[M], STRINGS)
                .one_of(&["value1", "value2"])
                .optional(),
        ];
        let s = Sources::new(
            &[("enumVal", "value1"), ("enumSlice", "value1, value2")],
            &[],
            &[],
        );
        let p = s.read(P).unwrap();
        assert_eq!(p.str("enumVal"), "value1");
        assert_eq!(p.strings("enumSlice"), vec!["value1", "value2"]);
        let s2 = Sources::new(&[("enumVal", "value3")], &[], &[]);
        assert_eq!(
            s2.err(P),
            "parameter \"enumVal\" value \"value3\" must be one of [value1 value2]"
        );
    }

    #[test]
    fn test_exclusive() {
        const P: &[Param] = &[Param::new("intVal", &[M], INTS).exclusive(&["1", "4", "5"])];
        assert!(Sources::new(&[("intVal", "1,2,3")], &[], &[])
            .read(P)
            .is_ok());
        assert_eq!(
            Sources::new(&[("intVal", "1,4")], &[], &[]).err(P),
            "parameter \"intVal\" value \"1,4\" must contain only one of [1 4 5]"
        );
    }

    #[test]
    fn test_url_values() {
        let s = Sources::new(
            &[],
            &[("endpointParams", "key1=value1&key2=value2&key1=value3")],
            &[],
        );
        const P: &[Param] = &[Param::new("endpointParams", &[A], URL_VALUES)];
        let p = s.read(P).unwrap();
        let Some(Value::Query(q)) = p.get("endpointParams") else {
            panic!("not a query");
        };
        assert_eq!(q.len(), 2);
        assert_eq!(
            q[0],
            (
                "key1".to_owned(),
                vec!["value1".to_owned(), "value3".to_owned()]
            )
        );
        assert_eq!(q[1], ("key2".to_owned(), vec!["value2".to_owned()]));
    }

    const BASIC_AUTH: &[Param] = &[
        Param::new("username", &[A], STRING),
        Param::new("password", &[A], STRING),
    ];

    /// TestNestedStruct, TestEmbeddedStruct and TestNestedPointer: the same fields through
    /// a named, an anonymous and a pointer struct.
    #[test]
    fn test_nested_struct_embedded_struct_nested_pointer() {
        let s = Sources::new(&[], &[("username", "user"), ("password", "pass")], &[]);
        const P: &[Param] = &[Param::nested(BASIC_AUTH)];
        let p = s.read(P).unwrap();
        assert_eq!((p.str("username"), p.str("password")), ("user", "pass"));
        let e = Sources::new(&[], &[("username", "user")], &[]).err(P);
        assert_eq!(e, "missing required parameter \"password\" in [authParams]");
    }

    #[test]
    fn test_nested_optional() {
        let s = Sources::new(&[], &[("username", "user")], &[]);
        const INNER: &[Param] = &[
            Param::new("username", &[A], STRING),
            Param::new("password", &[A], STRING).optional(),
            Param::new("optional", &[A], STRING),
        ];
        const P: &[Param] = &[Param::nested(INNER).optional()];
        let p = s.read(P).unwrap();
        assert_eq!(p.str("username"), "user");
        assert_eq!(p.str("password"), "");
        assert_eq!(p.str("optional"), "");
    }

    #[test]
    fn test_no_parsing_order() {
        let s = Sources::new(&[("strVal", "value1"), ("defaultVal", "value2")], &[], &[]);
        const MISSING: &[Param] =
            &[Param::new("strVal", &[], STRING).one_of(&["value1", "value2"])];
        assert_eq!(
            s.err(MISSING),
            "missing required parameter \"strVal\", no 'order' tag, provide any from [authParams resolvedEnv triggerMetadata]"
        );
        const DEFAULT: &[Param] = &[Param::new("defaultVal", &[], STRING).default("dv")];
        assert_eq!(s.read(DEFAULT).unwrap().str("defaultVal"), "dv");
        const DEFAULT2: &[Param] = &[Param::new("defaultVal2", &[], STRING).default("dv")];
        assert_eq!(s.read(DEFAULT2).unwrap().str("defaultVal2"), "dv");
    }

    #[test]
    fn test_range() {
        let s = Sources::new(
            &[
                ("range", "5-10"),
                ("multiRange", "5-10, 15-20"),
                ("dottedRange", "2..7"),
                ("wrongRange", "5..3"),
            ],
            &[],
            &[],
        );
        const P: &[Param] = &[
            Param::new("range", &[M], INTS).range("-"),
            Param::new("multiRange", &[M], INTS).range("-"),
            Param::new("dottedRange", &[M], INTS).range(".."),
            Param::new("wrongRange", &[M], INTS).range(".."),
        ];
        let p = s.read(P).unwrap();
        assert_eq!(p.ints("range"), vec![5, 6, 7, 8, 9, 10]);
        assert_eq!(
            p.ints("multiRange"),
            vec![5, 6, 7, 8, 9, 10, 15, 16, 17, 18, 19, 20]
        );
        assert_eq!(p.ints("dottedRange"), vec![2, 3, 4, 5, 6, 7]);
        assert!(p.ints("wrongRange").is_empty());
        // Beyond the Go test: three parts, a bad bound, and a huge range kept bounded.
        let bad = Sources::new(&[("range", "1-2-3")], &[], &[]);
        assert_eq!(
            bad.err(&P[..1]),
            "unable to set param \"range\" value \"1-2-3\": slice element 0: expected format start-end, got \"1-2-3\""
        );
        let bad = Sources::new(&[("range", "a-3")], &[], &[]);
        assert_eq!(
            bad.err(&P[..1]),
            "unable to set param \"range\" value \"a-3\": slice element 0: unable to parse start value \"a\": invalid character 'a' looking for beginning of value"
        );
        let huge = Sources::new(&[("range", "0-9223372036854775807")], &[], &[]);
        assert_eq!(huge.read(&P[..1]).unwrap().ints("range").len(), 10_000);
        let many = "0-9999,".repeat(50) + "1";
        let many = Sources::new(&[("range", many.as_str())], &[], &[]);
        assert_eq!(many.read(&P[..1]).unwrap().ints("range").len(), 10_001);
    }

    #[test]
    fn test_multi_name() {
        const P: &[Param] = &[Param::new("property1;property2", &[M], STRING)];
        let s = Sources::new(&[("property1", "aaa")], &[], &[]);
        assert_eq!(s.read(P).unwrap().str("property1;property2"), "aaa");
        let s2 = Sources::new(&[("property2", "bbb")], &[], &[]);
        assert_eq!(s2.read(P).unwrap().str("property1;property2"), "bbb");
        assert_eq!(
            Sources::new(&[], &[], &[]).err(P),
            "missing required parameter \"property1,property2\" in [triggerMetadata]"
        );
    }

    #[test]
    fn test_duration_parsing() {
        let s = Sources::new(
            &[
                ("timeoutNumeric", "1000"),
                ("timeoutDuration", "30s"),
                ("timeoutZero", "0"),
            ],
            &[],
            &[],
        );
        const P: &[Param] = &[
            Param::new("timeoutNumeric", &[M], DURATION),
            Param::new("timeoutDuration", &[M], DURATION),
            Param::new("timeoutZero", &[M], DURATION),
        ];
        let p = s.read(P).unwrap();
        assert_eq!(p.duration("timeoutNumeric"), 1_000_000_000);
        assert_eq!(p.duration("timeoutDuration"), 30_000_000_000);
        assert_eq!(p.duration("timeoutZero"), 0);
        let neg = Sources::new(
            &[("timeoutNumeric", "-5s"), ("timeoutDuration", "-5")],
            &[],
            &[],
        );
        assert_eq!(
            neg.err(&P[..2]),
            "unable to set param \"timeoutNumeric\" value \"-5s\": duration cannot be negative: \"-5s\"\n\
             unable to set param \"timeoutDuration\" value \"-5\": duration cannot be negative: -5 milliseconds"
        );
        let bad = Sources::new(&[("timeoutNumeric", "5 s")], &[], &[]);
        assert_eq!(
            bad.err(&P[..1]),
            "unable to set param \"timeoutNumeric\" value \"5 s\": unable to parse duration value \"5 s\": must be either a duration string (e.g. '30s', '5m') or a number of milliseconds"
        );
    }

    /// Not a Go test: behaviours of typed_config.go the Go tests do not cover.
    #[test]
    fn from_env_naming_nothing_is_missing_and_null_panics() {
        const P: &[Param] = &[
            Param::new("host", &[M, E], STRING),
            Param::new("count", &[M], INT64).default("5"),
        ];
        // hostFromEnv names an undefined (or blank) variable: the value is missing.
        for env in [&[][..], &[("HOST", "  ")][..]] {
            let s = Sources::new(&[("hostFromEnv", "HOST")], &[], env);
            assert_eq!(
                s.err(P),
                "missing required parameter \"host\" in [triggerMetadata resolvedEnv]"
            );
        }
        // JSON null into a non-pointer field: reflection panics and KEDA's recover turns it
        // into the only error (other fields' errors are lost).
        let s = Sources::new(&[("count", "null")], &[], &[]);
        assert_eq!(
            s.err(P),
            "failed to parse typed config *reflect.ValueError resulted in panic"
        );
        // `*float64`: null is a nil pointer, not a panic; errors name the pointer type.
        const PTR: &[Param] = &[Param::new("valueIfNull", &[M], FLOAT64_PTR).optional()];
        let s = Sources::new(&[("valueIfNull", "null")], &[], &[]);
        assert!(s.read(PTR).unwrap().get("valueIfNull").is_none());
        let s = Sources::new(&[("valueIfNull", "x")], &[], &[]);
        assert_eq!(
            s.err(PTR),
            "unable to set param \"valueIfNull\" value \"x\": unable to unmarshal to field type *float64: invalid character 'x' looking for beginning of value"
        );
        let s = Sources::new(&[("valueIfNull", "1.5")], &[], &[]);
        assert_eq!(s.read(PTR).unwrap().float("valueIfNull"), 1.5);
        // Values are trimmed; the enum check runs on the default too.
        let s = Sources::new(&[("host", "  h  "), ("count", " 7 ")], &[], &[]);
        let p = s.read(P).unwrap();
        assert_eq!((p.str("host"), p.int("count")), ("h", 7));
        const BAD_DEFAULT: &[Param] = &[Param::new("mode", &[M], STRING)
            .default("Unknown")
            .one_of(&["QueueLength"])];
        assert_eq!(
            Sources::new(&[], &[], &[]).err(BAD_DEFAULT),
            "parameter \"mode\" value \"Unknown\" must be one of [QueueLength]"
        );
        // Validate() runs with what was read, even after a field failed; errors are joined.
        const V: &[Param] = &[Param::new("a", &[M], INT), Param::new("b", &[M], INT)];
        let s = Sources::new(&[("a", "x"), ("b", "2")], &[], &[]);
        let e = read(&s.input(), V, |p| {
            assert_eq!(p.int("b"), 2);
            Err(error("b", ErrorKind::Invalid, "b is wrong"))
        })
        .unwrap_err();
        assert_eq!(
            join(&e),
            "unable to set param \"a\" value \"x\": unable to unmarshal to field type int: invalid character 'x' looking for beginning of value\nb is wrong"
        );
    }
}
