//! A map that forgets: entries unused for `idle` are dropped, and the count is capped (the
//! least recently used go first). Keys come from tenants' TriggerAuthentications and
//! connection strings, so nothing keyed by them may grow for ever; what a deleted
//! ScaledObject used goes once it has been idle long enough.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

pub struct Recent<K, V> {
    entries: HashMap<K, (Instant, V)>,
    cap: usize,
    idle: Duration,
    pruned_at: Instant,
}

impl<K: Eq + Hash + Clone, V> Recent<K, V> {
    pub fn new(cap: usize, idle: Duration) -> Recent<K, V> {
        Recent {
            entries: HashMap::new(),
            cap: cap.max(1),
            idle,
            pruned_at: Instant::now(),
        }
    }

    /// The entry for `key` (made by `make` when absent), marked as used now.
    pub fn get_or_insert_with(&mut self, key: &K, make: impl FnOnce() -> V) -> &mut V {
        let now = Instant::now();
        if !self.entries.contains_key(key) {
            self.prune(now, 1);
        }
        let entry = self
            .entries
            .entry(key.clone())
            .or_insert_with(|| (now, make()));
        entry.0 = now;
        &mut entry.1
    }

    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let entry = self.entries.get_mut(key)?;
        entry.0 = Instant::now();
        Some(&mut entry.1)
    }

    pub fn insert(&mut self, key: K, value: V) {
        let now = Instant::now();
        if !self.entries.contains_key(&key) {
            self.prune(now, 1);
        }
        self.entries.insert(key, (now, value));
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Drops idle entries now and then, and makes room for `incoming` more. Eviction goes down
    /// to three quarters of the cap so that a stream of new keys costs one sort per quarter.
    fn prune(&mut self, now: Instant, incoming: usize) {
        let idle = self.idle;
        if now.saturating_duration_since(self.pruned_at) >= idle / 2 {
            self.entries
                .retain(|_, (used, _)| now.saturating_duration_since(*used) < idle);
            self.pruned_at = now;
        }
        if self.entries.len() + incoming <= self.cap {
            return;
        }
        self.entries
            .retain(|_, (used, _)| now.saturating_duration_since(*used) < idle);
        let keep = (self.cap - self.cap / 4).saturating_sub(incoming);
        if self.entries.len() > keep {
            let mut by_use: Vec<(Instant, K)> = self
                .entries
                .iter()
                .map(|(k, (used, _))| (*used, k.clone()))
                .collect();
            by_use.sort_unstable_by_key(|(used, _)| *used);
            let excess = self.entries.len() - keep;
            for (_, key) in by_use.into_iter().take(excess) {
                self.entries.remove(&key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn count_is_capped_and_recent_entries_stay() {
        let mut r: Recent<u32, u32> = Recent::new(100, Duration::from_secs(3600));
        r.insert(0, 0);
        for i in 1..10_000u32 {
            // Key 0 stays in use; it must survive every eviction.
            assert!(r.get_mut(&0).is_some(), "evicted at {i}");
            r.insert(i, i);
            assert!(r.len() <= 100, "{} entries", r.len());
        }
        assert!(r.get_mut(&9_999).is_some());
        assert!(r.get_mut(&1).is_none());
    }

    #[test]
    fn idle_entries_expire() {
        let mut r: Recent<&str, u32> = Recent::new(100, Duration::from_millis(40));
        r.insert("old", 1);
        std::thread::sleep(Duration::from_millis(60));
        r.insert("new", 2);
        assert!(r.get_mut(&"old").is_none());
        assert_eq!(r.len(), 1);
        assert_eq!(*r.get_or_insert_with(&"new", || 9), 2);
    }
}
