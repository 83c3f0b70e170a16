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

/// What `url.ParseRequestURI` gives a scaler that takes a URL apart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestUri {
    pub host: String,
    /// Unescaped.
    pub path: String,
    /// The path as written when Go's own escaping of `path` would differ; else empty.
    pub raw_path: String,
}

/// `url.ParseRequestURI`: an absolute URI or an absolute path; no fragment is split off.
/// Errors are worded as Go's (`parse "raw": why`).
pub fn parse_request_uri(raw: &str) -> Result<RequestUri, String> {
    let wrap = |why: &str| format!("parse {raw:?}: {why}");
    let fail = |why: &str| Err(wrap(why));
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return fail("net/url: invalid control character in URL");
    }
    if raw.is_empty() {
        return fail("empty url");
    }
    if raw == "*" {
        return Ok(RequestUri {
            path: "*".to_owned(),
            ..RequestUri::default()
        });
    }
    let (mut scheme, mut rest) = ("", raw);
    for (i, b) in raw.bytes().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return fail("missing protocol scheme"),
            b':' => {
                (scheme, rest) = (&raw[..i], &raw[i + 1..]);
                break;
            }
            _ => break,
        }
    }
    rest = match rest.strip_suffix('?') {
        Some(r) if !r.contains('?') => r,
        _ => rest.split('?').next().unwrap_or(rest),
    };
    let mut out = RequestUri::default();
    if !rest.starts_with('/') {
        if scheme.is_empty() {
            return fail("invalid URI for request");
        }
        return Ok(out);
    }
    if !scheme.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            rest = path;
            let (user, host) = match authority.rfind('@') {
                Some(i) => (Some(&authority[..i]), &authority[i + 1..]),
                None => (None, authority),
            };
            out.host = parse_host(host).map_err(|e| wrap(&e))?;
            if let Some(user) = user {
                let ok = |c: char| c.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(c);
                if !user.chars().all(ok) {
                    return fail("net/url: invalid userinfo");
                }
                if let Some(i) = bad_escape(user) {
                    return fail(&escape_error(user, i));
                }
            }
        }
    }
    if let Some(i) = bad_escape(rest) {
        return fail(&escape_error(rest, i));
    }
    out.path = query_unescape(&rest.replace('+', "%2B")).unwrap_or_default();
    if escape_path(&out.path) != rest {
        out.raw_path = rest.to_owned();
    }
    Ok(out)
}

/// `parseHost`: the port after the last colon must be digits; a host escape must be `%25`
/// or at least `%80`; and only some ASCII may appear.
fn parse_host(host: &str) -> Result<String, String> {
    let port = match host.strip_prefix('[') {
        Some(_) => match host.rfind(']') {
            Some(i) => &host[i + 1..],
            None => return Err("missing ']' in host".to_owned()),
        },
        None => host.rfind(':').map_or("", |i| &host[i..]),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !port.is_empty() && port.strip_prefix(':').is_none_or(|p| !digits(p)) {
        return Err(format!("invalid port {port:?} after host"));
    }
    if let Some(i) = bad_escape(host) {
        return Err(escape_error(host, i));
    }
    let b = host.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'%' && b[i + 1] < b'8' && !host[i..].starts_with("%25") {
            return Err(format!("invalid URL escape {:?}", &host[i..i + 3]));
        }
        let allowed =
            c >= 0x80 || c.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"%".contains(&c);
        if !allowed {
            return Err(format!(
                "invalid character {:?} in host name",
                char::from(c).to_string()
            ));
        }
    }
    query_unescape(&host.replace('+', "%2B"))
}

fn escape_error(s: &str, i: usize) -> String {
    let bad: String = s.get(i..).unwrap_or("").chars().take(3).collect();
    format!("invalid URL escape {bad:?}")
}

/// Go's `escape(path, encodePath)`.
fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~$&+,/:;=@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn parse_request_uri_matches_go() {
        let p = super::parse_request_uri;
        let u = p("http://user:pw@localhost:8161/a/b:c=\"d\",e/X").unwrap();
        assert_eq!(u.host, "localhost:8161");
        assert_eq!(u.path, "/a/b:c=\"d\",e/X");
        assert_eq!(u.raw_path, u.path);
        let u = p("https://h/p:%41?x=1").unwrap();
        assert_eq!((u.path.as_str(), u.raw_path.as_str()), ("/p:A", "/p:%41"));
        assert_eq!(p("https://h/plain").unwrap().raw_path, "");
        assert_eq!(
            p("testInvalidURL.com").unwrap_err(),
            "parse \"testInvalidURL.com\": invalid URI for request"
        );
        assert_eq!(p("").unwrap_err(), "parse \"\": empty url");
        assert_eq!(
            p("http://h:x/").unwrap_err(),
            "parse \"http://h:x/\": invalid port \":x\" after host"
        );
        assert_eq!(
            p("http://h h/").unwrap_err(),
            "parse \"http://h h/\": invalid character \" \" in host name"
        );
        assert_eq!(
            p("http://a b@h/").unwrap_err(),
            "parse \"http://a b@h/\": net/url: invalid userinfo"
        );
        assert_eq!(
            p("/x/%zz").unwrap_err(),
            "parse \"/x/%zz\": invalid URL escape \"%zz\""
        );
        assert!(p("mailto:x").is_ok());
        assert!(p("http://[::1/").is_err());
        for raw in [
            "%",
            "http://%",
            "http://h%4",
            "http://%é/",
            "http://h/%é",
            "//",
            "http://",
            "a:",
            "http://[",
            "http://]:",
            "http://@",
            "http://é@h/é",
            "/%25%2",
            "?",
            "http://h?/x",
            "http://h:/",
            "*",
        ] {
            let _ = p(raw);
        }
    }

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
