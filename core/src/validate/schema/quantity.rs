//! The Kubernetes quantity syntax, which the CRDs give as a `pattern` on int-or-string
//! resource fields; written by hand so the crate needs no regex engine.

/// The Kubernetes quantity grammar (the CRD's `pattern` for int-or-string quantities):
/// `[+-]` digits with an optional fraction, then nothing, a binary suffix (`Ki`..`Ei`),
/// a decimal suffix (`n u m k M G T P E`) or a decimal exponent.
pub fn is_quantity(s: &str) -> bool {
    fn number(b: &[u8]) -> Option<usize> {
        let int = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let mut i = int;
        if b.get(i) == Some(&b'.') {
            i += 1;
            let frac = b
                .get(i..)?
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if int == 0 && frac == 0 {
                return None;
            }
            i += frac;
        } else if int == 0 {
            return None;
        }
        Some(i)
    }
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let Some(n) = b.get(i..).and_then(number) else {
        return false;
    };
    i += n;
    let rest = b.get(i..).unwrap_or_default();
    match rest {
        [] => true,
        [b'K' | b'M' | b'G' | b'T' | b'P' | b'E', b'i'] => true,
        [b'n' | b'u' | b'm' | b'k' | b'M' | b'G' | b'T' | b'P' | b'E'] => true,
        [b'e' | b'E', exp @ ..] => {
            let j = usize::from(matches!(exp.first(), Some(b'+' | b'-')));
            exp.get(j..)
                .and_then(number)
                .is_some_and(|n| n + j == exp.len())
        }
        _ => false,
    }
}
