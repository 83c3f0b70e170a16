//! One stable sort for the whole crate (and the bindings, which end up in the same Wasm module).
//! the standard library's sort (several kilobytes each, over a dozen in the Wasm module);
//! here the merge sort itself runs on positions with a `dyn` comparison and is compiled once,
//! and only the small step that moves the elements is generic. The lists sorted here (rules,
//! diagnostics, a scenario's ticks) are short enough that the indirection costs nothing.

use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Sorts `v` by `cmp`, keeping equal elements in their order (as `slice::sort_by`).
pub fn sort_by<T>(v: &mut Vec<T>, cmp: impl Fn(&T, &T) -> Ordering) {
    let order = {
        let items: &[T] = v;
        stable_order(items.len(), &|a, b| match (items.get(a), items.get(b)) {
            (Some(x), Some(y)) => cmp(x, y),
            _ => Ordering::Equal,
        })
    };
    let mut slots: Vec<Option<T>> = v.drain(..).map(Some).collect();
    v.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

/// The map of `pairs`, as `collect()` makes it (a later equal key's value wins), built by
/// inserting: `FromIterator` for `BTreeMap` sorts with the standard library's sort, compiled
/// again for each key and value type.
pub fn map_from<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(k, v);
    }
    map
}

/// Sorts `v` by a key, stable (as `slice::sort_by_key`).
pub fn sort_by_key<T, K: Ord>(v: &mut Vec<T>, key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The positions `0..n` in sorted order: a bottom-up merge sort, stable.
fn stable_order(n: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut buf: Vec<usize> = Vec::with_capacity(n);
    let mut width = 1;
    while width < n {
        buf.clear();
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (left, right) = (order.get(start..mid), order.get(mid..end));
            let (left, right) = (left.unwrap_or_default(), right.unwrap_or_default());
            let (mut i, mut j) = (0, 0);
            while let (Some(&a), Some(&b)) = (left.get(i), right.get(j)) {
                // Take from the right only when strictly smaller: stability.
                if cmp(b, a) == Ordering::Less {
                    buf.push(b);
                    j += 1;
                } else {
                    buf.push(a);
                    i += 1;
                }
            }
            buf.extend_from_slice(left.get(i..).unwrap_or_default());
            buf.extend_from_slice(right.get(j..).unwrap_or_default());
            start = end;
        }
        std::mem::swap(&mut order, &mut buf);
        width *= 2;
    }
    order
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        // A deterministic pseudo-random sequence with many equal keys.
        let mut x: u64 = 7;
        for n in [0usize, 1, 2, 3, 5, 8, 13, 100, 1000] {
            let mut v: Vec<(u64, usize)> = (0..n)
                .map(|i| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((x >> 33) % 17, i)
                })
                .collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            sort_by_key(&mut v, |p| p.0);
            assert_eq!(v, want, "n = {n}");
        }
    }

    #[test]
    fn sorts_by_a_comparison() {
        let mut v = vec!["ccc", "a", "bb", "b", "aa"];
        sort_by(&mut v, |a, b| a.len().cmp(&b.len()).then(a.cmp(b)));
        assert_eq!(v, ["a", "b", "aa", "bb", "ccc"]);
    }
}
