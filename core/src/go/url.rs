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

#[cfg(test)]
mod tests {
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
