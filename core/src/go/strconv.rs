//! Go's `strconv` parsing, where KEDA's Go code reads a string: `ParseBool`, `ParseInt` and
//! `ParseFloat(s, 64)`. One implementation for every layer, since KEDA's verdicts hinge on
//! Go's exact grammar (hex floats, `inf`/`nan` spellings, no spaces, no underscores without
//! a base prefix, out-of-range as an error).

/// `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// `strconv.ParseInt(s, 10, bits)`: optional sign, decimal digits, no spaces or underscores.
pub fn parse_int(s: &str, bits: u32) -> Option<i64> {
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

/// Why a text is not a Go float, worded as `strconv` words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FloatError {
    Syntax,
    Range,
}

impl FloatError {
    pub fn describe(self, text: &str) -> String {
        let what = match self {
            FloatError::Syntax => "invalid syntax",
            FloatError::Range => "value out of range",
        };
        format!("strconv.ParseFloat: parsing {text:?}: {what}")
    }
}

/// `strconv.ParseFloat(s, 64)`.
pub fn parse_float(s: &str) -> Result<f64, FloatError> {
    if let Some(v) = special(s) {
        return Ok(v);
    }
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        hex(&body[2..])?
    } else {
        decimal(body)?
    };
    Ok(if neg { -magnitude } else { magnitude })
}

/// `inf`, `infinity` (with an optional sign) and `nan` (without one), any letter case.
fn special(s: &str) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'-' => (-1.0, &s[1..]),
        b'+' => (1.0, &s[1..]),
        _ => (1.0, s),
    };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(sign * f64::INFINITY);
    }
    (body.len() == s.len() && body.eq_ignore_ascii_case("nan")).then_some(f64::NAN)
}

fn decimal(body: &str) -> Result<f64, FloatError> {
    let b = body.as_bytes();
    let mut i = 0;
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return Err(FloatError::Syntax);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return Err(FloatError::Syntax);
        }
    }
    if i != b.len() {
        return Err(FloatError::Syntax);
    }
    let v = crate::decfloat::parse_f64(body).ok_or(FloatError::Syntax)?;
    if v.is_infinite() {
        return Err(FloatError::Range);
    }
    Ok(v)
}

/// Hex mantissa (digits, optional point) and a mandatory binary exponent `p±N`; underscores
/// may separate digits (the base prefix makes them legal).
fn hex(body: &str) -> Result<f64, FloatError> {
    let b = body.as_bytes();
    let mut i = 0;
    let mut mantissa = 0.0f64;
    let mut digits = 0;
    let mut frac_digits = 0i64;
    let mut seen_point = false;
    // After the prefix or a digit an underscore is fine; it must then be followed by a digit.
    let mut prev_underscore_ok = true;
    let mut last_was_underscore = false;
    while i < b.len() {
        let c = b[i];
        if c == b'_' {
            if !prev_underscore_ok {
                return Err(FloatError::Syntax);
            }
            last_was_underscore = true;
            prev_underscore_ok = false;
        } else if c == b'.' && !seen_point {
            if last_was_underscore {
                return Err(FloatError::Syntax);
            }
            seen_point = true;
            prev_underscore_ok = false;
        } else if let Some(d) = (c as char).to_digit(16) {
            mantissa = mantissa * 16.0 + f64::from(d);
            digits += 1;
            if seen_point {
                frac_digits += 1;
            }
            last_was_underscore = false;
            prev_underscore_ok = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 || last_was_underscore {
        return Err(FloatError::Syntax);
    }
    if i >= b.len() || !(b[i] == b'p' || b[i] == b'P') {
        return Err(FloatError::Syntax);
    }
    i += 1;
    let mut exp_neg = false;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        exp_neg = b[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut exp: i64 = 0;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        if b[i] != b'_' {
            exp = (exp * 10 + i64::from(b[i] - b'0')).min(100_000);
        }
        i += 1;
    }
    if i == start || i != b.len() || b[i - 1] == b'_' || b[start] == b'_' {
        return Err(FloatError::Syntax);
    }
    let exp = if exp_neg { -exp } else { exp } - 4 * frac_digits;
    let v = mantissa * 2f64.powi(exp.clamp(-100_000, 100_000) as i32);
    if v.is_infinite() {
        return Err(FloatError::Range);
    }
    Ok(v)
}

/// `strconv.ParseFloat(s, 64)` as an option, for callers that need no error kind.
pub fn float(s: &str) -> Option<f64> {
    parse_float(s).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_float_semantics() {
        assert_eq!(parse_float("2"), Ok(2.0));
        assert_eq!(parse_float("1e3"), Ok(1000.0));
        assert_eq!(parse_float(".5"), Ok(0.5));
        assert_eq!(parse_float("1."), Ok(1.0));
        assert_eq!(parse_float("1.e2"), Ok(100.0));
        assert_eq!(parse_float("+.5E-1"), Ok(0.05));
        assert_eq!(parse_float("-0x.8p1"), Ok(-1.0));
        assert_eq!(parse_float("-0.25"), Ok(-0.25));
        assert_eq!(parse_float("0x1p4"), Ok(16.0));
        assert_eq!(parse_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_float("0x_1p4"), Ok(16.0));
        assert_eq!(parse_float("Inf"), Ok(f64::INFINITY));
        assert_eq!(parse_float("-infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_float("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_float("+nan"), Err(FloatError::Syntax));
        assert_eq!(parse_float("infin"), Err(FloatError::Syntax));
        assert_eq!(parse_float("1_000"), Err(FloatError::Syntax));
        assert_eq!(parse_float(" 2"), Err(FloatError::Syntax));
        assert_eq!(parse_float("2 "), Err(FloatError::Syntax));
        assert_eq!(parse_float("0x10"), Err(FloatError::Syntax));
        assert_eq!(parse_float("two"), Err(FloatError::Syntax));
        assert_eq!(parse_float(""), Err(FloatError::Syntax));
        assert_eq!(parse_float("."), Err(FloatError::Syntax));
        assert_eq!(parse_float("1e"), Err(FloatError::Syntax));
        assert_eq!(parse_float("1e400"), Err(FloatError::Range));
        assert_eq!(parse_float("1e-400"), Ok(0.0));
        assert_eq!(
            FloatError::Syntax.describe("two"),
            "strconv.ParseFloat: parsing \"two\": invalid syntax"
        );
    }

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
            assert!(float(ok).is_some(), "{ok}");
        }
        assert_eq!(float("0x1p4"), Some(16.0));
        for bad in [
            "", " 1", "1 ", "1_000", "abc", "0x10", "1e", "1e999", "+nan", "e5", "1.2.3",
        ] {
            assert!(float(bad).is_none(), "{bad}");
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
