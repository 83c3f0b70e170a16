//! Go's `strconv.ParseFloat(s, 64)`, which KEDA uses for `scalingModifiers.target`: decimal
//! and hexadecimal (`0x1p4`) floats, `inf`/`infinity`/`nan` in any case, underscores only after
//! a base prefix, no surrounding spaces, and an error (not infinity) on overflow.

/// Why a text is not a Go float, worded as `strconv` words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GoFloatError {
    Syntax,
    Range,
}

impl GoFloatError {
    pub fn describe(self, text: &str) -> String {
        let what = match self {
            GoFloatError::Syntax => "invalid syntax",
            GoFloatError::Range => "value out of range",
        };
        format!("strconv.ParseFloat: parsing {text:?}: {what}")
    }
}

pub fn parse_go_float(s: &str) -> Result<f64, GoFloatError> {
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

fn decimal(body: &str) -> Result<f64, GoFloatError> {
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
        return Err(GoFloatError::Syntax);
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
            return Err(GoFloatError::Syntax);
        }
    }
    if i != b.len() {
        return Err(GoFloatError::Syntax);
    }
    let v: f64 = body.parse().map_err(|_| GoFloatError::Syntax)?;
    if v.is_infinite() {
        return Err(GoFloatError::Range);
    }
    Ok(v)
}

/// Hex mantissa (digits, optional point) and a mandatory binary exponent `p±N`; underscores
/// may separate digits (the base prefix makes them legal).
fn hex(body: &str) -> Result<f64, GoFloatError> {
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
                return Err(GoFloatError::Syntax);
            }
            last_was_underscore = true;
            prev_underscore_ok = false;
        } else if c == b'.' && !seen_point {
            if last_was_underscore {
                return Err(GoFloatError::Syntax);
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
        return Err(GoFloatError::Syntax);
    }
    if i >= b.len() || !(b[i] == b'p' || b[i] == b'P') {
        return Err(GoFloatError::Syntax);
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
        return Err(GoFloatError::Syntax);
    }
    let exp = if exp_neg { -exp } else { exp } - 4 * frac_digits;
    let v = mantissa * 2f64.powi(exp.clamp(-100_000, 100_000) as i32);
    if v.is_infinite() {
        return Err(GoFloatError::Range);
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_float_semantics() {
        assert_eq!(parse_go_float("2"), Ok(2.0));
        assert_eq!(parse_go_float("1e3"), Ok(1000.0));
        assert_eq!(parse_go_float(".5"), Ok(0.5));
        assert_eq!(parse_go_float("1."), Ok(1.0));
        assert_eq!(parse_go_float("1.e2"), Ok(100.0));
        assert_eq!(parse_go_float("+.5E-1"), Ok(0.05));
        assert_eq!(parse_go_float("-0x.8p1"), Ok(-1.0));
        assert_eq!(parse_go_float("-0.25"), Ok(-0.25));
        assert_eq!(parse_go_float("0x1p4"), Ok(16.0));
        assert_eq!(parse_go_float("0x1.8p1"), Ok(3.0));
        assert_eq!(parse_go_float("0x_1p4"), Ok(16.0));
        assert_eq!(parse_go_float("Inf"), Ok(f64::INFINITY));
        assert_eq!(parse_go_float("-infinity"), Ok(f64::NEG_INFINITY));
        assert!(parse_go_float("NaN").is_ok_and(f64::is_nan));
        assert_eq!(parse_go_float("+nan"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("infin"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("1_000"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float(" 2"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("2 "), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("0x10"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("two"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float(""), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("."), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("1e"), Err(GoFloatError::Syntax));
        assert_eq!(parse_go_float("1e400"), Err(GoFloatError::Range));
        assert_eq!(parse_go_float("1e-400"), Ok(0.0));
        assert_eq!(
            GoFloatError::Syntax.describe("two"),
            "strconv.ParseFloat: parsing \"two\": invalid syntax"
        );
    }
}
