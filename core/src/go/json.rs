//! Go's `encoding/json`, where KEDA decodes a parameter with `json.Unmarshal`.

/// A Go numeric field type that typed config fills with `json.Unmarshal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoNum {
    Int,
    Int32,
    Int64,
    Uint,
    Uint32,
    Float64,
}

impl GoNum {
    /// The type as Go's `reflect.Type.String()` prints it in decode errors.
    pub fn go_name(self) -> &'static str {
        match self {
            GoNum::Int => "int",
            GoNum::Int32 => "int32",
            GoNum::Int64 => "int64",
            GoNum::Uint => "uint",
            GoNum::Uint32 => "uint32",
            GoNum::Float64 => "float64",
        }
    }
}

/// A decoded number, in the widest type of its kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Uint(u64),
    Float(f64),
}

/// What `json.Unmarshal` does with a JSON `null` for a field of this kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decoded {
    Value(Number),
    /// `null`: Go leaves the target untouched (a plain `json.Unmarshal(b, &x)`).
    Null,
}

/// `json.Unmarshal(text, &field)` for a numeric field, with Go's error text. The
/// surrounding JSON whitespace is allowed, as Go allows it.
pub fn unmarshal_number(s: &str, ty: GoNum) -> Result<Decoded, String> {
    let t = s.trim_matches([' ', '\t', '\n', '\r']);
    let type_err = |what: &str| {
        format!(
            "json: cannot unmarshal {what} into Go value of type {}",
            ty.go_name()
        )
    };
    match t.as_bytes().first() {
        None => return Err("unexpected end of JSON input".to_owned()),
        Some(b'n') if t == "null" => return Ok(Decoded::Null),
        Some(b't') if t == "true" => return Err(type_err("bool")),
        Some(b'f') if t == "false" => return Err(type_err("bool")),
        Some(b'"') if t.len() >= 2 && t.ends_with('"') => return Err(type_err("string")),
        Some(b'{') => return Err(type_err("object")),
        Some(b'[') => return Err(type_err("array")),
        _ => {}
    }
    let end = json_number_end(t)?;
    // Go's scanner skips whitespace after the value before it objects to what follows.
    if let Some(c) = t[end..]
        .chars()
        .find(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'))
    {
        return Err(format!(
            "invalid character {} after top-level value",
            quote_char(c)
        ));
    }
    let number_err = || type_err(&format!("number {t}"));
    let n = match ty {
        GoNum::Float64 => {
            Number::Float(crate::go::strconv::parse_float(t).map_err(|_| number_err())?)
        }
        GoNum::Int | GoNum::Int64 | GoNum::Int32 => {
            let bits = if ty == GoNum::Int32 { 32 } else { 64 };
            Number::Int(crate::go::strconv::parse_int(t, bits).ok_or_else(number_err)?)
        }
        GoNum::Uint | GoNum::Uint32 => {
            let v: u64 = if t.bytes().all(|b| b.is_ascii_digit()) {
                t.parse().map_err(|_| number_err())?
            } else {
                return Err(number_err());
            };
            if ty == GoNum::Uint32 && v > u64::from(u32::MAX) {
                return Err(number_err());
            }
            Number::Uint(v)
        }
    };
    Ok(Decoded::Value(n))
}

/// What `json.Unmarshal(text, &int64Field)` says, as Go phrases it (`null` leaves 0).
pub fn unmarshal_int64(s: &str) -> Result<i64, String> {
    match unmarshal_number(s, GoNum::Int64)? {
        Decoded::Value(Number::Int(n)) => Ok(n),
        _ => Ok(0),
    }
}

/// Length of the JSON number at the start of `t`, or the scanner's error.
fn json_number_end(t: &str) -> Result<usize, String> {
    let b = t.as_bytes();
    let at = |i: usize| b.get(i).copied();
    let bad = |i: usize, ctx: &str| -> String {
        match t.get(i..).and_then(|r| r.chars().next()) {
            Some(c) => format!("invalid character {} {ctx}", quote_char(c)),
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
fn quote_char(c: char) -> String {
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
    fn int64_matches_go() {
        assert_eq!(unmarshal_int64("-1"), Ok(-1));
        assert_eq!(unmarshal_int64("1000"), Ok(1000));
        assert_eq!(unmarshal_int64("null"), Ok(0));
        let e = |s| unmarshal_int64(s).unwrap_err();
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
    fn numbers_by_field_type() {
        let n = |s, t| unmarshal_number(s, t);
        assert_eq!(
            n("1.5", GoNum::Float64),
            Ok(Decoded::Value(Number::Float(1.5)))
        );
        assert_eq!(
            n("1e3", GoNum::Float64),
            Ok(Decoded::Value(Number::Float(1000.0)))
        );
        assert_eq!(n("null", GoNum::Int), Ok(Decoded::Null));
        assert_eq!(
            n("1 2", GoNum::Int).unwrap_err(),
            "invalid character '2' after top-level value"
        );
        assert_eq!(
            n("Inf", GoNum::Float64).unwrap_err(),
            "invalid character 'I' looking for beginning of value"
        );
        assert_eq!(
            n(".5", GoNum::Float64).unwrap_err(),
            "invalid character '.' looking for beginning of value"
        );
        assert_eq!(
            n("1e400", GoNum::Float64).unwrap_err(),
            "json: cannot unmarshal number 1e400 into Go value of type float64"
        );
        assert_eq!(
            n("-1", GoNum::Uint).unwrap_err(),
            "json: cannot unmarshal number -1 into Go value of type uint"
        );
        assert_eq!(
            n("2147483648", GoNum::Int32).unwrap_err(),
            "json: cannot unmarshal number 2147483648 into Go value of type int32"
        );
        assert_eq!(
            n("1.5", GoNum::Int).unwrap_err(),
            "json: cannot unmarshal number 1.5 into Go value of type int"
        );
        assert_eq!(
            n("4294967295", GoNum::Uint32),
            Ok(Decoded::Value(Number::Uint(4294967295)))
        );
    }
}
