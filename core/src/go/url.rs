//! Go's `net/url`, where KEDA or an Azure SDK escapes a name.

/// `url.QueryEscape`: unreserved bytes stay, a space becomes `+`, every other byte `%XX`
/// (upper-case hex).
pub fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            b => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
        }
    }
    out
}

/// `url.QueryUnescape`: `%XX` to the byte, `+` to a space; a bad escape is Go's
/// `invalid URL escape "%zz"`.
pub fn query_unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| char::from(c).to_digit(16);
                match (
                    b.get(i + 1).and_then(|c| hex(*c)),
                    b.get(i + 2).and_then(|c| hex(*c)),
                ) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                        i += 3;
                    }
                    _ => {
                        let bad = String::from_utf8_lossy(&b[i..b.len().min(i + 3)]);
                        return Err(format!("invalid URL escape {bad:?}"));
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// `url.ParseQuery`: `&`-separated `key=value` pairs, values grouped by key in first-seen
/// order. Go keeps going after a bad pair and returns the first error with what it read.
pub fn parse_query(query: &str) -> (Vec<(String, Vec<String>)>, Option<String>) {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut err = None;
    for pair in query.split('&') {
        if pair.contains(';') {
            err = Some("invalid semicolon separator in query".to_owned());
            continue;
        }
        if pair.is_empty() {
            continue;
        }
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = match (query_unescape(k), query_unescape(v)) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(e), _) | (_, Err(e)) => {
                err.get_or_insert(e);
                continue;
            }
        };
        match out.iter_mut().find(|(key, _)| *key == k) {
            Some((_, vs)) => vs.push(v),
            None => out.push((k, vec![v])),
        }
    }
    (out, err)
}

/// The scheme `url.Parse` finds (lower-cased), or Go's error as `url.Parse` words it
/// (`parse "raw": why`). Covers what decides a verdict: control characters, the scheme
/// grammar, a colon in a scheme-less first segment, the port after the host, `%` escapes.
pub fn parse_scheme(raw: &str) -> Result<String, String> {
    let fail = |why: &str| Err(format!("parse {raw:?}: {why}"));
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return fail("net/url: invalid control character in URL");
    }
    let url = raw.split('#').next().unwrap_or(raw);
    let mut scheme = "";
    let mut rest = url;
    for (i, c) in url.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return fail("missing protocol scheme"),
            ':' => {
                scheme = &url[..i];
                rest = &url[i + 1..];
                break;
            }
            _ => break,
        }
    }
    let rest = rest.split('?').next().unwrap_or(rest);
    if scheme.is_empty() {
        let first = rest.split('/').next().unwrap_or("");
        if !rest.starts_with('/') && first.contains(':') {
            return fail("first path segment in URL cannot contain colon");
        }
    }
    if !rest.starts_with('/') && !scheme.is_empty() {
        return Ok(scheme.to_ascii_lowercase());
    }
    let (authority, path) = match rest.strip_prefix("//") {
        Some(after) => after.split_at(after.find('/').unwrap_or(after.len())),
        None => ("", rest),
    };
    let host = authority.rsplit('@').next().unwrap_or(authority);
    if !host.starts_with('[') {
        if let Some(i) = host.rfind(':') {
            let port = &host[i..];
            if !port[1..].bytes().all(|b| b.is_ascii_digit()) {
                return fail(&format!("invalid port {port:?} after host"));
            }
        }
    }
    for part in [host, path] {
        if let Some(i) = bad_escape(part) {
            // Go quotes up to three bytes; whole characters here, never half of one.
            let bad: String = part.get(i..).unwrap_or("").chars().take(3).collect();
            return fail(&format!("invalid URL escape {bad:?}"));
        }
    }
    Ok(scheme.to_ascii_lowercase())
}

/// Index of the first `%` not followed by two hex digits.
fn bad_escape(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    (0..b.len()).find(|&i| {
        b[i] == b'%'
            && !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_scheme_matches_go() {
        let s = super::parse_scheme;
        assert_eq!(s("amqp://user:pw@host:5672/vh").as_deref(), Ok("amqp"));
        assert_eq!(s("HTTP://").as_deref(), Ok("http"));
        assert_eq!(s("something://").as_deref(), Ok("something"));
        assert_eq!(s("localhost").as_deref(), Ok(""));
        assert_eq!(s("").as_deref(), Ok(""));
        assert_eq!(s("host:5672").as_deref(), Ok("host"));
        assert_eq!(
            s("://x").unwrap_err(),
            "parse \"://x\": missing protocol scheme"
        );
        assert_eq!(
            s("http://h:port/").unwrap_err(),
            "parse \"http://h:port/\": invalid port \":port\" after host"
        );
        assert!(s("http://h/%aé%").is_err());
        assert!(s("http://h/%é").is_err());
        assert_eq!(
            s("1host:5672").unwrap_err(),
            "parse \"1host:5672\": first path segment in URL cannot contain colon"
        );
    }

    #[test]
    fn parse_query_matches_go() {
        let (q, e) = super::parse_query("key1=value1&key2=value2&key1=value3&a+b=%41");
        assert_eq!(e, None);
        assert_eq!(
            q,
            vec![
                (
                    "key1".to_owned(),
                    vec!["value1".to_owned(), "value3".to_owned()]
                ),
                ("key2".to_owned(), vec!["value2".to_owned()]),
                ("a b".to_owned(), vec!["A".to_owned()]),
            ]
        );
        let (q, e) = super::parse_query("a=1;b=2&c=%zz&d=4");
        assert_eq!(e.as_deref(), Some("invalid semicolon separator in query"));
        assert_eq!(q.len(), 1);
        assert_eq!(
            super::query_unescape("x%4"),
            Err("invalid URL escape \"%4\"".to_owned())
        );
    }

    #[test]
    fn query_escape_matches_go() {
        assert_eq!(super::query_escape("a b/c"), "a+b%2Fc");
        assert_eq!(super::query_escape("a b/+=~é"), "a+b%2F%2B%3D~%C3%A9");
    }
}
