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

/// `url.ParseQuery`'s verdict: the pairs in order, or the first error Go keeps (it goes on
/// reading after an error and reports the first one).
pub fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut err: Option<String> = None;
    for key in query.split('&') {
        if key.contains(';') {
            err = Some("invalid semicolon separator in query".to_owned());
            continue;
        }
        if key.is_empty() {
            continue;
        }
        let (k, v) = key.split_once('=').unwrap_or((key, ""));
        match (query_unescape(k), query_unescape(v)) {
            (Ok(k), Ok(v)) => out.push((k, v)),
            (Err(e), _) | (_, Err(e)) => {
                err.get_or_insert(e);
            }
        }
    }
    match err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// `url.QueryUnescape`: `+` is a space, `%XX` a byte; a bad escape is an `EscapeError`
/// quoting at most three bytes from the `%`.
pub fn query_unescape(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = |c: u8| char::from(c).to_digit(16);
                match (
                    b.get(i + 1).copied().and_then(hex),
                    b.get(i + 2).copied().and_then(hex),
                ) {
                    (Some(h), Some(l)) => {
                        out.push(u8::try_from(h * 16 + l).unwrap_or(0));
                        i += 3;
                    }
                    _ => {
                        let end = (i + 3).min(b.len());
                        let bad = String::from_utf8_lossy(&b[i..end]);
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

#[cfg(test)]
mod tests {
    #[test]
    fn query_escape_matches_go() {
        assert_eq!(super::query_escape("a b/c"), "a+b%2Fc");
        assert_eq!(super::query_escape("a b/+=~é"), "a+b%2F%2B%3D~%C3%A9");
    }

    #[test]
    fn parse_query_matches_go() {
        let ok = super::parse_query("audience=api&x=a+b%2F&&flag").unwrap();
        assert_eq!(
            ok,
            [("audience", "api"), ("x", "a b/"), ("flag", "")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(
            super::parse_query("a=%zz&b=%4").unwrap_err(),
            "invalid URL escape \"%zz\""
        );
        assert_eq!(
            super::parse_query("b=%4").unwrap_err(),
            "invalid URL escape \"%4\""
        );
        assert_eq!(
            super::parse_query("a=1;b=2&c=%").unwrap_err(),
            "invalid semicolon separator in query"
        );
    }
}
