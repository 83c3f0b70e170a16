//! KEDA's typed-config rules (`scalersconfig/typed_config.go`), shared by every scaler:
//! where a parameter is looked up, how its text is cleaned, and how Go decodes it.

use super::{ErrorKind, ScalerError, TriggerInput};
use crate::go::json::unmarshal_int64 as go_json_int64;
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
