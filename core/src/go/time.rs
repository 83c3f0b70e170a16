//! Go's `time.ParseDuration`, where KEDA reads a `time.Duration` parameter.

/// `time.ParseDuration`: a signed sequence of decimal numbers, each with a unit (`ns`, `us`,
/// `µs`, `μs`, `ms`, `s`, `m`, `h`), or `0`; nanoseconds. `None` where Go returns an error
/// (including overflow beyond int64 nanoseconds).
pub fn parse_duration(s: &str) -> Option<i64> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    // Go accumulates in uint64 and allows exactly 1<<63 only when negative.
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(after) = rest.strip_prefix('.') {
            let n = after.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after[..n];
            rest = &after[n..];
            if int_part.is_empty() && frac_part.is_empty() {
                return None;
            }
        } else if int_part.is_empty() {
            return None;
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        let whole: u64 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        if whole > (1u64 << 63) / unit {
            return None;
        }
        let mut v = whole * unit;
        if !frac_part.is_empty() {
            // Go keeps the fraction's leading digits that fit and scales once.
            let mut f: u64 = 0;
            let mut scale: f64 = 1.0;
            for d in frac_part.bytes() {
                if f > (1u64 << 63) / 10 {
                    break;
                }
                f = f * 10 + u64::from(d - b'0');
                scale *= 10.0;
            }
            v = v.checked_add((f as f64 * (unit as f64 / scale)) as u64)?;
            if v > 1u64 << 63 {
                return None;
            }
        }
        total = total.checked_add(v)?;
        if total > 1u64 << 63 {
            return None;
        }
    }
    if neg {
        Some(0i64.wrapping_sub_unsigned(total))
    } else if total > i64::MAX as u64 {
        None
    } else {
        i64::try_from(total).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration as d;

    #[test]
    fn durations_as_go_reads_them() {
        assert_eq!(d("30s"), Some(30_000_000_000));
        assert_eq!(d("1h30m"), Some(5_400_000_000_000));
        assert_eq!(d("1.5s"), Some(1_500_000_000));
        assert_eq!(d(".5s"), Some(500_000_000));
        assert_eq!(d("-2ms"), Some(-2_000_000));
        assert_eq!(d("0"), Some(0));
        assert_eq!(d("+0"), Some(0));
        assert_eq!(d("10µs"), Some(10_000));
        assert_eq!(d("2562047h"), Some(2_562_047 * 3_600_000_000_000));
        for bad in [
            "", "1000", "s", "1x", ".s", "1h-1m", " 1s", "3000000h", "1..5s",
        ] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }
}
