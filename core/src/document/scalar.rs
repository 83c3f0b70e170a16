/// How a scalar was written. Kubernetes tells `messageCount: 5` (an integer, rejected where a
/// string is required) from `messageCount: "5"`, so the style is kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub style: ScalarStyle,
    /// An explicit tag such as `!!str` (as `tag:yaml.org,2002:str`), when present.
    pub tag: Option<String>,
}

/// A scalar's value after YAML type resolution.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
}

impl Resolved<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Resolved::Null => "null",
            Resolved::Bool(_) => "boolean",
            Resolved::Int(_) => "integer",
            Resolved::Float(_) => "number",
            Resolved::Str(_) => "string",
        }
    }
}

impl Scalar {
    /// Resolves the scalar the way kubectl's YAML decoder (a YAML 1.1 resolver) does, so
    /// `enabled: yes` is a boolean and `port: 0x1F` an integer, exactly as the API server sees them.
    pub fn resolve(&self) -> Resolved<'_> {
        if let Some(tag) = &self.tag {
            return resolve_tagged(tag, &self.text);
        }
        if self.style != ScalarStyle::Plain {
            return Resolved::Str(&self.text);
        }
        resolve_plain(&self.text)
    }
}

fn resolve_tagged<'a>(tag: &str, text: &'a str) -> Resolved<'a> {
    let short = tag.rsplit(':').next().unwrap_or(tag);
    match short {
        "str" | "binary" => Resolved::Str(text),
        "int" => parse_int(text).map_or(Resolved::Str(text), Resolved::Int),
        "float" => parse_float(text)
            .or_else(|| parse_int(text).map(|i| i as f64))
            .map_or(Resolved::Str(text), Resolved::Float),
        "bool" => parse_bool(text).map_or(Resolved::Str(text), Resolved::Bool),
        "null" => Resolved::Null,
        _ => resolve_plain(text),
    }
}

pub(crate) fn resolve_plain(text: &str) -> Resolved<'_> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        _ => {}
    }
    if let Some(b) = parse_bool(text) {
        return Resolved::Bool(b);
    }
    let first = text.as_bytes()[0];
    if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.') {
        if let Some(i) = parse_int(text) {
            return Resolved::Int(i);
        }
        if let Some(f) = parse_float(text) {
            return Resolved::Float(f);
        }
    }
    Resolved::Str(text)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Some(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// YAML 1.1 integers: an optional sign, then decimal, `0x` hex, `0b` binary, `0o` or
/// leading-`0` octal, with `_` separators ignored anywhere (also inside the prefix, as the
/// resolver strips them before looking at it). Reads the digits in place: most plain scalars
/// that start with a digit are integers, and this runs for every one of them.
fn parse_int(text: &str) -> Option<i64> {
    let (neg, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let mut digits = body.bytes().filter(|&b| b != b'_');
    let first = digits.clone().next()?;
    let second = digits.clone().nth(1);
    let (radix, prefix) = match (first, second) {
        (b'0', Some(b'x')) => (16, 2),
        (b'0', Some(b'b')) => (2, 2),
        (b'0', Some(b'o')) => (8, 2),
        (b'0', Some(_)) => (8, 1),
        _ => (10, 0),
    };
    for _ in 0..prefix {
        digits.next();
    }
    let mut magnitude: i128 = 0;
    let mut any = false;
    for b in digits {
        let d = char::from(b).to_digit(radix)?;
        magnitude = magnitude
            .checked_mul(i128::from(radix))?
            .checked_add(i128::from(d))?;
        any = true;
    }
    if !any {
        return None;
    }
    let value = if neg { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

fn parse_float(text: &str) -> Option<f64> {
    match text {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Some(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    // YAML floats are digits with an optional fraction and exponent; Rust's parser would
    // also take "inf" or "NaN", which YAML reads as strings.
    let body = text.trim_start_matches(['+', '-']);
    if body.is_empty() || !body.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    if !body
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-' | b'_'))
    {
        return None;
    }
    if text.contains('_') {
        return crate::decfloat::parse_f64(&text.replace('_', ""));
    }
    crate::decfloat::parse_f64(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(t: &str) -> Resolved<'_> {
        resolve_plain(t)
    }

    #[test]
    fn yaml11_resolution_as_kubectl_does() {
        assert_eq!(plain("5"), Resolved::Int(5));
        assert_eq!(plain("-12"), Resolved::Int(-12));
        assert_eq!(plain("0x1F"), Resolved::Int(31));
        assert_eq!(plain("0777"), Resolved::Int(511));
        assert_eq!(plain("1_000"), Resolved::Int(1000));
        assert_eq!(plain("2.5"), Resolved::Float(2.5));
        assert_eq!(plain("1e3"), Resolved::Float(1000.0));
        assert_eq!(plain("yes"), Resolved::Bool(true));
        assert_eq!(plain("Off"), Resolved::Bool(false));
        assert_eq!(plain("~"), Resolved::Null);
        assert_eq!(plain(""), Resolved::Null);
        assert_eq!(plain("inf"), Resolved::Str("inf"));
        assert_eq!(plain("0 7 * * 1-5"), Resolved::Str("0 7 * * 1-5"));
        assert_eq!(plain("1-5"), Resolved::Str("1-5"));
        assert_eq!(plain("99999999999999999999"), Resolved::Float(1e20));
    }

    #[test]
    fn integer_forms_and_edges() {
        assert_eq!(parse_int("0b101"), Some(5));
        assert_eq!(parse_int("0o17"), Some(15));
        assert_eq!(parse_int("0_x1_F"), Some(31));
        assert_eq!(parse_int("+0"), Some(0));
        assert_eq!(parse_int("-0x10"), Some(-16));
        assert_eq!(parse_int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_int("9223372036854775808"), None);
        assert_eq!(parse_int("1".repeat(60).as_str()), None);
        assert_eq!(parse_int("09"), None);
        assert_eq!(parse_int("0x"), None);
        assert_eq!(parse_int("_"), None);
        assert_eq!(parse_int("-"), None);
        assert_eq!(parse_int("1e3"), None);
        assert_eq!(parse_int("١٢"), None);
        assert_eq!(plain("09"), Resolved::Float(9.0));
        assert_eq!(plain("1_000.5"), Resolved::Float(1000.5));
    }

    #[test]
    fn quoted_and_tagged() {
        let s = Scalar {
            text: "5".into(),
            style: ScalarStyle::DoubleQuoted,
            tag: None,
        };
        assert_eq!(s.resolve(), Resolved::Str("5"));
        let t = Scalar {
            text: "5".into(),
            style: ScalarStyle::Plain,
            tag: Some("tag:yaml.org,2002:str".into()),
        };
        assert_eq!(t.resolve(), Resolved::Str("5"));
    }
}
