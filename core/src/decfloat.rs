//! Decimal text to `f64`, correctly rounded (to nearest, ties to even) and with the grammar of
//! Rust's `f64::from_str`, without the standard library's parser: that parser links a 20 KB
//! table of powers of five, the largest item of the Wasm module that gzip cannot shrink.
//! Short inputs take the exact fast path (an integer below 2^53 times or divided by an exact
//! power of ten is one correctly rounded operation); the rest is done with big integers.

/// Significant digits kept; further non-zero digits only mark the value as a little larger,
/// which is all that rounding needs (Go's strconv keeps 800 too).
const MAX_DIGITS: usize = 800;

/// `s` as `f64::from_str` reads it: an optional sign, then `inf`, `infinity` or `nan` (any
/// case), or digits with an optional point and an optional exponent. No spaces, no `_`.
pub fn parse_f64(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, s.get(1..)?),
        b'+' => (false, s.get(1..)?),
        _ => (false, s),
    };
    let magnitude = if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        number(body.as_bytes())?
    };
    Some(if neg { -magnitude } else { magnitude })
}

fn number(b: &[u8]) -> Option<f64> {
    let mut digits: Vec<u8> = Vec::new();
    let mut exp: i64 = 0;
    let mut seen = 0usize;
    let mut dropped_nonzero = false;
    let mut i = 0;
    let mut point = false;
    while let Some(&c) = b.get(i) {
        match c {
            b'0'..=b'9' => {
                seen += 1;
                if point {
                    exp -= 1;
                }
                let d = c - b'0';
                if digits.is_empty() && d == 0 {
                    // A leading zero carries no digit.
                } else if digits.len() < MAX_DIGITS {
                    digits.push(d);
                } else {
                    exp += 1;
                    dropped_nonzero |= d != 0;
                }
            }
            b'.' if !point => point = true,
            _ => break,
        }
        i += 1;
    }
    if seen == 0 {
        return None;
    }
    if let Some(b'e' | b'E') = b.get(i) {
        i += 1;
        let neg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        let mut e: i64 = 0;
        while let Some(c @ b'0'..=b'9') = b.get(i) {
            e = (e * 10 + i64::from(c - b'0')).min(1_000_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        exp += if neg { -e } else { e };
    }
    if i != b.len() {
        return None;
    }
    if dropped_nonzero {
        digits.push(1);
        exp -= 1;
    }
    while digits.last() == Some(&0) {
        digits.pop();
        exp += 1;
    }
    if digits.is_empty() {
        return Some(0.0);
    }
    let n = digits.len() as i64;
    // value = digits * 10^exp, and 10^(n+exp-1) <= value < 10^(n+exp).
    if n + exp > 310 {
        return Some(f64::INFINITY);
    }
    if n + exp < -324 {
        return Some(0.0);
    }
    if n <= 15 && (-22..=22).contains(&exp) {
        let m = digits.iter().fold(0u64, |a, &d| a * 10 + u64::from(d)) as f64;
        let p = (0..exp.unsigned_abs()).fold(1.0f64, |a, _| a * 10.0);
        return Some(if exp < 0 { m / p } else { m * p });
    }
    Some(slow(&digits, exp))
}

/// Correct rounding with big integers: q = floor(num * 2^s / den) with 55 to 57 bits, the
/// remainder as a sticky bit, then rounding to the precision the exponent leaves.
fn slow(digits: &[u8], exp: i64) -> f64 {
    let mut num = vec![0u32];
    for &d in digits {
        mul_add(&mut num, 10, u32::from(d));
    }
    let mut den = vec![1u32];
    for _ in 0..exp.unsigned_abs() {
        mul_add(if exp < 0 { &mut den } else { &mut num }, 10, 0);
    }
    let s = 56 - (bit_len(&num) as i64 - bit_len(&den) as i64);
    if s > 0 {
        num = shl(&num, s.unsigned_abs());
    } else {
        den = shl(&den, s.unsigned_abs());
    }
    let mut q: u64 = 0;
    let span = bit_len(&num).saturating_sub(bit_len(&den));
    for i in (0..=span).rev() {
        let t = shl(&den, i);
        if cmp(&num, &t) != std::cmp::Ordering::Less {
            sub(&mut num, &t);
            q |= 1u64 << i;
        }
    }
    let sticky = num.iter().any(|&l| l != 0);
    let bits = 64 - i64::from(q.leading_zeros());
    let top = bits - 1 - s; // value in [2^top, 2^(top+1))
    if top > 1023 {
        return f64::INFINITY;
    }
    let precision = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if precision < 0 {
        return 0.0;
    }
    let drop = bits - precision; // >= 2, as bits >= 55
    let mut mant = q >> drop;
    let rem = q & ((1u64 << drop) - 1);
    let half = 1u64 << (drop - 1);
    if rem > half || (rem == half && (sticky || mant & 1 == 1)) {
        mant += 1;
    }
    scale(mant as f64, drop - s)
}

/// `x * 2^k` for an `x` of at most 54 bits whose product is representable (or overflows).
fn scale(x: f64, k: i64) -> f64 {
    let pow2 = |k: i64| f64::from_bits(((k.clamp(-1022, 1023) + 1023) as u64) << 52);
    if k < -1022 {
        x * pow2(k + 600) * pow2(-600)
    } else if k > 1023 {
        x * pow2(k - 600) * pow2(600)
    } else {
        x * pow2(k)
    }
}

fn mul_add(v: &mut Vec<u32>, m: u32, add: u32) {
    let mut carry = u64::from(add);
    for limb in v.iter_mut() {
        let t = u64::from(*limb) * u64::from(m) + carry;
        *limb = t as u32;
        carry = t >> 32;
    }
    if carry > 0 {
        v.push(carry as u32);
    }
}

fn bit_len(v: &[u32]) -> u64 {
    match v.iter().rposition(|&l| l != 0) {
        Some(i) => i as u64 * 32 + 32 - u64::from(v.get(i).map_or(0, |l| l.leading_zeros())),
        None => 0,
    }
}

fn shl(v: &[u32], bits: u64) -> Vec<u32> {
    let (limbs, rest) = ((bits / 32) as usize, (bits % 32) as u32);
    let mut out = vec![0u32; limbs];
    let mut carry = 0u32;
    for &l in v {
        out.push(if rest == 0 { l } else { (l << rest) | carry });
        carry = if rest == 0 { 0 } else { l >> (32 - rest) };
    }
    out.push(carry);
    out
}

fn cmp(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    let len = a.len().max(b.len());
    for i in (0..len).rev() {
        let (x, y) = (
            a.get(i).copied().unwrap_or(0),
            b.get(i).copied().unwrap_or(0),
        );
        if x != y {
            return x.cmp(&y);
        }
    }
    std::cmp::Ordering::Equal
}

/// `a -= b`, for `a >= b`.
fn sub(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0i64;
    for (i, limb) in a.iter_mut().enumerate() {
        let t = i64::from(*limb) - i64::from(b.get(i).copied().unwrap_or(0)) - borrow;
        *limb = t.rem_euclid(1 << 32) as u32;
        borrow = i64::from(t < 0);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn same(s: &str) {
        let want: Option<f64> = s.parse().ok();
        let got = parse_f64(s);
        assert_eq!(
            got.map(f64::to_bits),
            want.map(f64::to_bits),
            "{s}: got {got:?}, std {want:?}"
        );
    }

    #[test]
    fn grammar_of_from_str() {
        for s in [
            "",
            ".",
            "+",
            "-",
            "e5",
            "1e",
            "1e+",
            "1e-",
            "1_0",
            " 1",
            "1 ",
            "0x10",
            "1.2.3",
            "..1",
            "1..",
            "inf",
            "-Infinity",
            "+INF",
            "nan",
            "-NaN",
            "infinit",
            "in",
            "1.",
            ".5",
            "-.5e1",
            "+0",
            "-0",
            "0.000",
            "00012",
            "1E3",
            "1e+03",
            "5.e-1",
            "abc",
            "1f",
            "١",
        ] {
            same(s);
        }
    }

    #[test]
    fn edges_round_like_std() {
        for s in [
            "0.1",
            "0.3",
            "123456.789",
            "9007199254740993",
            "9007199254740993.0000000001",
            "9007199254740995",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "2.2250738585072014e-308",
            "2.2250738585072011e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1e-400",
            "1e400",
            "1e23",
            "8.98846567431158e307",
            "3.0e-5",
            "1000000000000000000000000000000",
            "0.0000000000000000000000000000001",
            "123456789012345678901234567890e-20",
            "4503599627370496.5",
            "4503599627370497.5",
        ] {
            same(s);
        }
        let long = format!("0.{}1", "0".repeat(900));
        same(&long);
        let many = format!("1.{}", "3".repeat(1200));
        same(&many);
        let tie = format!("9007199254740993{}", "0".repeat(850));
        same(&tie);
        let above = format!("9007199254740993{}1", "0".repeat(850));
        same(&above);
    }

    #[test]
    fn random_inputs_round_like_std() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let len = 1 + (next() % 25) as usize;
            let digits: String = (0..len)
                .map(|_| char::from(b'0' + (next() % 10) as u8))
                .collect();
            let exp = (next() % 700) as i64 - 350;
            let point = (next() % (len as u64 + 1)) as usize;
            let s = format!("{}.{}e{exp}", &digits[..point], &digits[point..]);
            same(&s);
        }
    }
}
