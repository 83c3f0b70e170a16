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

#[cfg(test)]
mod tests {
    #[test]
    fn query_escape_matches_go() {
        assert_eq!(super::query_escape("a b/c"), "a+b%2Fc");
        assert_eq!(super::query_escape("a b/+=~é"), "a+b%2F%2B%3D~%C3%A9");
    }
}
