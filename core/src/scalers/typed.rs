//! KEDA's typed-config rules (`scalersconfig/typed_config.go`), shared by every scaler:
//! where a parameter is looked up, how its text is cleaned, and how Go decodes it.

use super::{ErrorKind, ScalerError, TriggerInput};

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

pub use crate::gostrconv::{float as go_parse_float, parse_bool as go_parse_bool};

/// What `json.Unmarshal(text, &int64Field)` says, as Go phrases it.
pub fn go_json_int64(s: &str) -> Result<i64, String> {
    let t = s.trim_matches([' ', '\t', '\n', '\r']);
    let type_err =
        |what: &str| format!("json: cannot unmarshal {what} into Go value of type int64");
    match t.as_bytes().first() {
        None => return Err("unexpected end of JSON input".to_owned()),
        Some(b'n') if t == "null" => return Ok(0),
        Some(b't') if t == "true" => return Err(type_err("bool")),
        Some(b'f') if t == "false" => return Err(type_err("bool")),
        Some(b'"') if t.len() >= 2 && t.ends_with('"') => return Err(type_err("string")),
        Some(b'{') => return Err(type_err("object")),
        Some(b'[') => return Err(type_err("array")),
        _ => {}
    }
    let end = json_number_end(t)?;
    if let Some(c) = t[end..].chars().next() {
        return Err(format!(
            "invalid character {} after top-level value",
            go_quote_char(c)
        ));
    }
    t.parse::<i64>()
        .map_err(|_| type_err(&format!("number {t}")))
}

/// Length of the JSON number at the start of `t`, or the scanner's error.
fn json_number_end(t: &str) -> Result<usize, String> {
    let b = t.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let bad = |i: usize, ctx: &str| -> String {
        match t.get(i..).and_then(|r| r.chars().next()) {
            Some(c) => format!("invalid character {} {ctx}", go_quote_char(c)),
            None => "unexpected end of JSON input".to_owned(),
        }
    };
    let mut i = 0;
    if at(0) == Some(b'-') {
        i = 1;
        if !at(1).is_some_and(|c| c.is_ascii_digit()) {
            return Err(bad(1, "in numeric literal"));
        }
    } else if !at(0).is_some_and(|c| c.is_ascii_digit()) {
        return Err(bad(0, "looking for beginning of value"));
    }
    if at(i) == Some(b'0') {
        i += 1;
    } else {
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    if at(i) == Some(b'.') {
        i += 1;
        if !at(i).is_some_and(|c| c.is_ascii_digit()) {
            return Err(bad(i, "after decimal point in numeric literal"));
        }
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    if matches!(at(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(at(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !at(i).is_some_and(|c| c.is_ascii_digit()) {
            return Err(bad(i, "in exponent of numeric literal"));
        }
        while at(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
    }
    Ok(i)
}

/// Go's `quoteChar` in JSON syntax errors: `'x'`, with `'\''` and `'"'` special-cased.
fn go_quote_char(c: char) -> String {
    match c {
        '\'' => "'\\''".to_owned(),
        '"' => "'\"'".to_owned(),
        c => format!("{:?}", c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_int64_matches_go() {
        assert_eq!(go_json_int64("-1"), Ok(-1));
        assert_eq!(go_json_int64("1000"), Ok(1000));
        assert_eq!(go_json_int64("null"), Ok(0));
        let e = |s| go_json_int64(s).unwrap_err();
        assert_eq!(
            e("5.5"),
            "json: cannot unmarshal number 5.5 into Go value of type int64"
        );
        assert_eq!(
            e("1e3"),
            "json: cannot unmarshal number 1e3 into Go value of type int64"
        );
        assert_eq!(
            e("99999999999999999999"),
            "json: cannot unmarshal number 99999999999999999999 into Go value of type int64"
        );
        assert_eq!(
            e("+5"),
            "invalid character '+' looking for beginning of value"
        );
        assert_eq!(e("05"), "invalid character '5' after top-level value");
        assert_eq!(e("0x10"), "invalid character 'x' after top-level value");
        assert_eq!(
            e("AA"),
            "invalid character 'A' looking for beginning of value"
        );
        assert_eq!(
            e("\"5\""),
            "json: cannot unmarshal string into Go value of type int64"
        );
        assert_eq!(e("1."), "unexpected end of JSON input");
        assert_eq!(e("-x"), "invalid character 'x' in numeric literal");
    }

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
