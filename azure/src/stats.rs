//! Counters a host exports as metrics and the benchmark reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Service Bus management requests sent (attempts, retries included), keyed `host/path`;
    /// beyond `MAX_REQUEST_KEYS` distinct keys, under `(other)`.
    pub requests: BTreeMap<String, u64>,
    /// Requests sent to the Entra ID token endpoint (attempts).
    pub token_requests: u64,
    /// Calls answered from a result younger than `max_age`.
    pub cache_hits: u64,
    /// Calls that waited for another caller's request in flight.
    pub coalesced: u64,
    /// Attempts repeated after a transient failure.
    pub retries: u64,
}

impl Stats {
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }
}

#[derive(Default)]
pub(crate) struct Counters {
    requests: Mutex<BTreeMap<String, u64>>,
    pub token_requests: AtomicU64,
    pub cache_hits: AtomicU64,
    pub coalesced: AtomicU64,
    pub retries: AtomicU64,
}

/// Distinct `host/path` keys counted one by one; requests to any further ones are counted
/// under `OTHER_KEY`. Hosts and paths come from tenants' triggers.
pub const MAX_REQUEST_KEYS: usize = 1024;
pub const OTHER_KEY: &str = "(other)";

impl Counters {
    pub fn request(&self, host: &str, path: &str) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        let key = format!("{host}{path}");
        if let Some(n) = requests.get_mut(&key) {
            *n += 1;
        } else if requests.len() < MAX_REQUEST_KEYS {
            requests.insert(key, 1);
        } else {
            *requests.entry(OTHER_KEY.to_owned()).or_default() += 1;
        }
    }

    /// Counts a shared result: a cache hit or a joined fetch (a fetch counts its requests).
    pub fn outcome(&self, outcome: crate::coalesce::Outcome) {
        use crate::coalesce::Outcome;
        match outcome {
            Outcome::Hit => self.cache_hits.fetch_add(1, Ordering::Relaxed),
            Outcome::Joined => self.coalesced.fetch_add(1, Ordering::Relaxed),
            Outcome::Fetched => 0,
        };
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self
                .requests
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
            token_requests: self.token_requests.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            coalesced: self.coalesced.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_keys_are_capped_and_nothing_is_lost() {
        let c = Counters::default();
        for n in 0..5000 {
            c.request(&format!("ns{n}.servicebus.windows.net"), "/q");
        }
        let s = c.snapshot();
        assert!(s.requests.len() <= MAX_REQUEST_KEYS + 1);
        assert_eq!(s.total_requests(), 5000);
        assert!(s.requests.get(OTHER_KEY).is_some_and(|n| *n > 0));
    }
}
