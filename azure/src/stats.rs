//! Counters a host exports as metrics and the benchmark reads.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Service Bus management requests sent (attempts, retries included), keyed `host/path`.
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

impl Counters {
    pub fn request(&self, host: &str, path: &str) {
        let mut requests = self.requests.lock().unwrap_or_else(|p| p.into_inner());
        *requests.entry(format!("{host}{path}")).or_default() += 1;
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
