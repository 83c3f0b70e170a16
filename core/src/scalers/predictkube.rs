//! `predictkube`: Dysnix PredictKube's forecast over a Prometheus query
//! (`pkg/scalers/predictkube_scaler.go`).
//!
//! KEDA reads the metric type, then the typed config (`prometheusAddress`, the shared
//! authentication block for Prometheus, the rest) and its `Validate()`: the address must be
//! a URL, the three windows durations in `go-str2duration`'s syntax (Go's plus `d` and `w`),
//! and `apiKey` a JWT. A zero `threshold` is refused unless the trigger only feeds
//! `scalingModifiers`. Building the scaler then contacts Prometheus and PredictKube, which
//! only the cluster can tell.
//!
//! Valid: the `apiKey` (a JWT) in a TriggerAuthentication.
//! ```yaml
//! - type: predictkube
//!   metadata:
//!     predictHorizon: 2h
//!     historyTimeWindow: 7d
//!     prometheusAddress: http://prometheus.monitoring:9090
//!     query: sum(irate(http_requests_total{pod=~"shop-.*"}[2m]))
//!     queryStep: 2m
//!     threshold: "2000"
//!   authenticationRef:
//!     name: predictkube-key   # apiKey: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrZWRhIn0.c2lnbmF0dXJl
//! ```
//! Invalid (`2 hours` is not a duration):
//! ```yaml
//! - type: predictkube
//!   metadata:
//!     predictHorizon: 2 hours
//!     historyTimeWindow: 7d
//!     prometheusAddress: http://prometheus.monitoring:9090
//!     query: up
//!     queryStep: 2m
//!     threshold: "2000"
//! ```

use super::authentication;
use super::typed::{self, Param, Parsed, A, FLOAT64, M, STRING};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

const ADDRESS: &[Param] = &[Param::new("prometheusAddress", &[M], STRING)];

/// The fields after the `PrometheusAuth` block, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("query", &[M], STRING),
    Param::new("predictHorizon", &[M], STRING),
    Param::new("queryStep", &[M], STRING),
    Param::new("historyTimeWindow", &[M], STRING),
    Param::new("apiKey", &[A], STRING),
    Param::new("threshold", &[M], FLOAT64).optional(),
    Param::new("activationThreshold", &[M], FLOAT64).optional(),
];

/// `predictKubeMetadata.Validate()`, over the address read separately and the rest.
fn validate(address: &str, p: &Parsed) -> Result<(), ScalerError> {
    let invalid = |key: &str, message: String| Err(typed::error(key, ErrorKind::Invalid, message));
    if !is_url(address) {
        return invalid("prometheusAddress", "invalid prometheusAddress".to_owned());
    }
    for key in ["predictHorizon", "queryStep", "historyTimeWindow"] {
        if let Err(e) = str2duration(p.str(key)) {
            return invalid(key, format!("{key} parsing error {e}"));
        }
    }
    let api_key = p.str("apiKey");
    if api_key.is_empty() {
        // KEDA says this of an absent key too; as an absence it waits on what is in view.
        return Err(typed::error("apiKey", ErrorKind::Missing, "invalid apiKey"));
    }
    if !typed::unseen(api_key) && !is_jwt(api_key) {
        return invalid("apiKey", "invalid apiKey".to_owned());
    }
    Ok(())
}

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["predictkube"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let address = typed::read(input, ADDRESS, |_| Ok(()));
    let auth = authentication::parse(input);
    let address_text = address
        .as_ref()
        .map_or(String::new(), |a| a.str("prometheusAddress").to_owned());
    let own = typed::read(input, PARAMS, |p| validate(&address_text, p));
    let own = match (address, auth, own) {
        (Ok(_), Ok(_), Ok(own)) => own,
        (a, b, c) => {
            let mut errors = a.err().unwrap_or_default();
            errors.extend(b.err().unwrap_or_default());
            errors.extend(c.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let target = own.float("threshold");
    if target == 0.0 {
        return Err(vec![typed::error(
            "threshold",
            ErrorKind::MissingTarget,
            "no threshold given",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "predictkube"),
        metric_type,
        target,
        activation: own.float("activationThreshold"),
    })
}

/// go-playground/validator's `url` rule: lower-cased, `file:` URLs pass; otherwise Go's
/// `url.Parse` must succeed with a scheme and a host, fragment or opaque part.
fn is_url(s: &str) -> bool {
    let s = s.to_lowercase();
    if s.is_empty() {
        return false;
    }
    if s.starts_with("file:") {
        return true;
    }
    if s.bytes().any(|c| c < 0x20 || c == 0x7f) || !escapes_ok(&s) {
        return false;
    }
    let (rest, fragment) = s.split_once('#').unwrap_or((&s, ""));
    let Some(colon) = rest.find(':') else {
        return false;
    };
    let scheme = &rest[..colon];
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    if !scheme_ok {
        // A colon before any scheme-like text: Go reads no scheme (or fails).
        return false;
    }
    let after = &rest[colon + 1..];
    let after = after.split_once('?').map_or(after, |(a, _)| a);
    if let Some(authority) = after.strip_prefix("//") {
        let authority = authority.split_once('/').map_or(authority, |(a, _)| a);
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if !port_ok(host) {
            return false;
        }
        return !host.is_empty() || !fragment.is_empty();
    }
    // `scheme:opaque` (not starting with `/`), or a fragment.
    (!after.is_empty() && !after.starts_with('/')) || !fragment.is_empty()
}

/// `%` must start two hex digits.
fn escapes_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, c)| {
        *c != b'%'
            || (b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

/// Go's `url.Parse` refuses a port that is not all digits (`host:abc`).
fn port_ok(host: &str) -> bool {
    let after_ipv6 = match host.rfind(']') {
        Some(i) => &host[i + 1..],
        None => host,
    };
    match after_ipv6.rfind(':') {
        Some(i) => after_ipv6[i + 1..].bytes().all(|c| c.is_ascii_digit()),
        None => true,
    }
}

/// The validator's `jwt` rule: `^[A-Za-z0-9-_]+\.[A-Za-z0-9-_]+\.[A-Za-z0-9-_]*$`.
fn is_jwt(s: &str) -> bool {
    let part = |p: &str| {
        p.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
    };
    let parts: Vec<&str> = s.split('.').collect();
    matches!(parts.as_slice(), [a, b, c] if !a.is_empty() && !b.is_empty() && part(a) && part(b) && part(c))
}

/// `str2duration.ParseDuration`: Go's `time.ParseDuration` with `d` (24h) and `w` (7d)
/// units, and its error wording.
fn str2duration(orig: &str) -> Result<(), String> {
    let invalid = || format!("time: invalid duration {orig:?}");
    let mut s = orig.strip_prefix(['-', '+']).unwrap_or(orig);
    let negative = orig.starts_with('-');
    if s == "0" {
        return Ok(());
    }
    if s.is_empty() {
        return Err(invalid());
    }
    const LIMIT: u128 = 1 << 63;
    let mut total: u128 = 0;
    while !s.is_empty() {
        if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        if let Some(after) = s.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after[..n];
            s = &after[n..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if unit_len == 0 {
            return Err(format!("time: missing unit in duration {orig:?}"));
        }
        let unit: u128 = match &s[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "w" => 604_800_000_000_000,
            u => return Err(format!("time: unknown unit {u:?} in duration {orig:?}")),
        };
        s = &s[unit_len..];
        // Go refuses an integer part beyond 1<<63 before scaling, then the scaled sum.
        let v: u128 = match int_part.trim_start_matches('0') {
            "" => 0,
            digits if digits.len() > 20 => return Err(invalid()),
            digits => digits.parse().map_err(|_| invalid())?,
        };
        if v > LIMIT {
            return Err(invalid());
        }
        let mut part = v.saturating_mul(unit);
        if !frac_part.is_empty() {
            let digits = &frac_part[..frac_part.len().min(30)];
            let scale = 10u128.saturating_pow(u32::try_from(digits.len()).unwrap_or(30));
            let f: u128 = digits.parse().unwrap_or(0);
            part = part.saturating_add(f.saturating_mul(unit) / scale.max(1));
        }
        total = total.saturating_add(part);
        if total > LIMIT {
            return Err(invalid());
        }
    }
    if total == LIMIT && !negative {
        return Err(invalid());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    fn run(meta: &[(&str, &str)], auth: &[(&str, &str)]) -> Result<ScalerMetric, Vec<String>> {
        Trigger::new("predictkube")
            .meta(meta)
            .auth(auth)
            .parse()
            .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    /// `testAPIKey` of `pkg/scalers/predictkube_scaler_test.go` (a test token).
    const KEY: (&str, &str) = ("apiKey", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJ0ZXN0IENyZWF0ZUNsaWVudCIsImV4cCI6MTY0NjkxNzI3Nywic3ViIjoiODM4NjY5ODAtM2UzNS0xMWVjLTlmMjQtYWNkZTQ4MDAxMTIyIn0.5QEuO6_ysdk2abGvk3Xp7Q25M4H4pIFXeqP2E7n9rKI");

    fn meta<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut m = vec![
            ("predictHorizon", "2h"),
            ("historyTimeWindow", "7d"),
            ("prometheusAddress", "http://localhost:9090"),
            ("queryStep", "2m"),
            ("threshold", "2000"),
            ("query", "up"),
        ];
        for (k, v) in changes {
            match m.iter_mut().find(|(key, _)| key == k) {
                Some(slot) => slot.1 = v,
                None => m.push((k, v)),
            }
        }
        m
    }

    /// `testPredictKubeMetadata`, rows 0-4.
    #[test]
    fn keda_table() {
        assert!(run(&meta(&[]), &[KEY]).is_ok());
        assert_eq!(
            run(&meta(&[("prometheusAddress", "")]), &[KEY]).unwrap_err(),
            [
                "missing required parameter \"prometheusAddress\" in [triggerMetadata]",
                "invalid prometheusAddress"
            ]
        );
        assert!(run(&meta(&[("threshold", "one")]), &[KEY]).is_err());
        assert!(run(
            &meta(&[("threshold", "1"), ("activationThreshold", "one")]),
            &[KEY]
        )
        .is_err());
        assert!(run(&meta(&[("threshold", "one"), ("query", "")]), &[KEY]).is_err());
    }

    #[test]
    fn validate_rules() {
        assert_eq!(
            run(&meta(&[("predictHorizon", "2 hours")]), &[KEY]).unwrap_err(),
            ["predictHorizon parsing error time: unknown unit \" hours\" in duration \"2 hours\""]
        );
        assert_eq!(
            run(&meta(&[]), &[("apiKey", "not-a-jwt")]).unwrap_err(),
            ["invalid apiKey"]
        );
        assert_eq!(
            run(&meta(&[("threshold", "0")]), &[KEY]).unwrap_err(),
            ["no threshold given"]
        );
        assert_eq!(str2duration("1w2d3h4m5.5s"), Ok(()));
        assert_eq!(str2duration("-1.5d"), Ok(()));
        assert_eq!(
            str2duration("5"),
            Err("time: missing unit in duration \"5\"".to_owned())
        );
        assert!(str2duration("").is_err());
        assert!(str2duration(".h").is_err());
        assert!(str2duration("15250w").is_ok());
        assert!(str2duration("15250w2d").is_err());
        for ok in [
            "http://localhost:9090",
            "https://p.example/api",
            "localhost:9090",
            "HTTP://A",
        ] {
            assert!(is_url(ok), "{ok}");
        }
        for bad in [
            "",
            "localhost",
            "http://",
            "http://h:port",
            "/relative",
            "http://a/%zz",
        ] {
            assert!(!is_url(bad), "{bad}");
        }
        assert!(is_jwt("a.b."));
        assert!(!is_jwt("a..c"));
    }
}
