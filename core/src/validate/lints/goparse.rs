//! Go's `strconv` number and boolean parsing, where KEDA reads a string at runtime.

/// `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `strconv.ParseInt(s, 10, bits)`: optional sign, decimal digits, no spaces or underscores.
pub(crate) fn parse_int(s: &str, bits: u32) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i128 = s.parse().ok()?;
    let limit = 1i128.checked_shl(bits.clamp(1, 64) - 1)?;
    if v >= -limit && v < limit {
        i64::try_from(v).ok()
    } else {
        None
    }
}

/// `strconv.ParseFloat(s, 64)` acceptance: decimal and exponent forms, `inf`/`infinity`/`nan`
/// in any case, hexadecimal mantissas with a mandatory `p` exponent, underscores only after a
/// base prefix. Out-of-range values are errors in Go (±Inf with ErrRange).
pub(crate) fn parse_float(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    let lower = unsigned.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "infinity" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        "nan" if unsigned.len() == s.len() => return Some(f64::NAN),
        _ => {}
    }
    if let Some(hex) = lower.strip_prefix("0x") {
        let v = parse_hex_float(&hex.replace('_', ""))?;
        return Some(if negative { -v } else { v });
    }
    let plain = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !plain
        || !unsigned
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_digit() || b == b'.')
    {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

fn parse_hex_float(hex: &str) -> Option<f64> {
    let (mantissa, exp) = hex.split_once('p')?;
    let exp: i32 = exp.parse().ok()?;
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1f64 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    let v = v * 2f64.powi(exp);
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_as_go_reads_them() {
        for ok in [
            "1",
            "2.5",
            ".5",
            "5.",
            "1e3",
            "+1E-2",
            "-0",
            "Inf",
            "-infinity",
            "NaN",
            "0x1p4",
            "0x_1p-2",
        ] {
            assert!(parse_float(ok).is_some(), "{ok}");
        }
        assert_eq!(parse_float("0x1p4"), Some(16.0));
        for bad in [
            "", " 1", "1 ", "1_000", "abc", "0x10", "1e", "1e999", "+nan", "e5", "1.2.3",
        ] {
            assert!(parse_float(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn ints_and_bools_as_go_reads_them() {
        assert_eq!(parse_int("+7", 32), Some(7));
        assert_eq!(parse_int("2147483647", 32), Some(2147483647));
        assert_eq!(parse_int("2147483648", 32), None);
        assert_eq!(parse_int("-2147483648", 32), Some(-2147483648));
        assert_eq!(parse_int("2.5", 32), None);
        assert_eq!(parse_int("9223372036854775807", 64), Some(i64::MAX));
        assert_eq!(parse_int("9223372036854775808", 64), None);
        assert_eq!(
            parse_int("99999999999999999999999999999999999999999", 64),
            None
        );
        assert_eq!(parse_int(" 1", 32), None);
        assert_eq!(parse_bool("True"), Some(true));
        assert_eq!(parse_bool("yes"), None);
        assert_eq!(parse_bool("0"), Some(false));
    }
}
