//! State shared by the server and the control API: the store, injected faults, the request log,
//! and the workload controller's schedule.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::Handle;

use crate::status::ApiError;
use crate::store::{Key, Store};
use crate::workload;

/// One request as the stand-in saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    pub path: String,
    /// The raw (still percent-encoded) query string, empty when there is none.
    pub query: String,
    pub content_type: Option<String>,
    pub status: u16,
}

/// The next `remaining` requests matching the filter answer `status`.
#[derive(Debug, Clone)]
struct FailRule {
    status: u16,
    remaining: u32,
    method: Option<String>,
    path_contains: Option<String>,
}

/// The next `remaining` requests matching the filter wait `delay` before they are served.
#[derive(Debug, Clone)]
struct DelayRule {
    delay: Duration,
    remaining: u32,
    method: Option<String>,
    path_contains: String,
}

#[derive(Debug, Default)]
struct Faults {
    conflicts: u32,
    failures: Vec<FailRule>,
    delays: Vec<DelayRule>,
}

/// Bound on the request log; older records are dropped first.
const MAX_RECORDS: usize = 100_000;

pub struct Shared {
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    requests: Mutex<VecDeque<RequestRecord>>,
    ready_delay: Mutex<Duration>,
    pub bookmark_interval: Mutex<Duration>,
    pub runtime: Handle,
    pub server_address: String,
    pub external_metrics: Mutex<crate::external::ExternalMetrics>,
}

/// Locks a mutex, carrying on past poisoning: every critical section leaves the state whole.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn new(runtime: Handle, server_address: String) -> Self {
        Shared {
            store: Mutex::new(Store::new()),
            faults: Mutex::new(Faults::default()),
            requests: Mutex::new(VecDeque::new()),
            ready_delay: Mutex::new(Duration::ZERO),
            bookmark_interval: Mutex::new(Duration::from_secs(10)),
            runtime,
            server_address,
            external_metrics: Mutex::default(),
        }
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn record(&self, record: RequestRecord) {
        let mut requests = lock(&self.requests);
        if requests.len() >= MAX_RECORDS {
            requests.pop_front();
        }
        requests.push_back(record);
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.requests).iter().cloned().collect()
    }

    pub fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub fn clear_faults(&self) {
        *lock(&self.faults) = Faults::default();
    }

    pub fn conflict_next(&self, n: u32) {
        lock(&self.faults).conflicts = n;
    }

    /// Takes one injected conflict if any is pending.
    pub fn take_conflict(&self) -> bool {
        let mut faults = lock(&self.faults);
        if faults.conflicts > 0 {
            faults.conflicts -= 1;
            true
        } else {
            false
        }
    }

    pub fn fail_next(
        &self,
        status: u16,
        n: u32,
        method: Option<&str>,
        path_contains: Option<&str>,
    ) {
        lock(&self.faults).failures.push(FailRule {
            status,
            remaining: n,
            method: method.map(str::to_ascii_uppercase),
            path_contains: path_contains.map(str::to_string),
        });
    }

    /// Takes one injected failure matching this request, if any.
    pub fn take_failure(&self, method: &str, path: &str) -> Option<ApiError> {
        let mut faults = lock(&self.faults);
        let rule = faults.failures.iter_mut().find(|r| {
            r.remaining > 0
                && r.method.as_deref().is_none_or(|m| m == method)
                && r.path_contains.as_deref().is_none_or(|p| path.contains(p))
        })?;
        rule.remaining -= 1;
        let error = ApiError::from_code(rule.status);
        faults.failures.retain(|r| r.remaining > 0);
        Some(error)
    }

    pub fn delay_next(&self, method: Option<&str>, path_contains: &str, delay: Duration, n: u32) {
        lock(&self.faults).delays.push(DelayRule {
            delay,
            remaining: n,
            method: method.map(str::to_ascii_uppercase),
            path_contains: path_contains.to_string(),
        });
    }

    /// Takes one injected delay matching this request, if any.
    pub fn take_delay(&self, method: &str, path: &str) -> Option<Duration> {
        let mut faults = lock(&self.faults);
        let rule = faults.delays.iter_mut().find(|r| {
            r.remaining > 0
                && r.method.as_deref().is_none_or(|m| m == method)
                && path.contains(&r.path_contains)
        })?;
        rule.remaining -= 1;
        let delay = rule.delay;
        faults.delays.retain(|r| r.remaining > 0);
        Some(delay)
    }

    pub fn set_ready_delay(&self, delay: Duration) {
        *lock(&self.ready_delay) = delay;
    }

    /// Runs the workload controller for `key`: now, under the caller's store lock, when there is
    /// no ready delay; otherwise after the delay.
    pub fn after_workload_write(self: &std::sync::Arc<Self>, store: &mut Store, key: Key) {
        let delay = *lock(&self.ready_delay);
        if delay.is_zero() {
            if let Err(e) = workload::reconcile(store, &key) {
                tracing::warn!(error = %e, "workload controller");
            }
            return;
        }
        let shared = self.clone();
        self.runtime.spawn(async move {
            tokio::time::sleep(delay).await;
            let mut store = shared.store();
            if let Err(e) = workload::reconcile(&mut store, &key) {
                tracing::warn!(error = %e, "workload controller");
            }
        });
    }
}
