//! Go's `encoding/json`, where KEDA decodes a parameter with `json.Unmarshal`.

/// What `json.Unmarshal(text, &int64Field)` says, as Go phrases it.
pub fn unmarshal_int64(s: &str) -> Result<i64, String> {
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
            quote_char(c)
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
}
