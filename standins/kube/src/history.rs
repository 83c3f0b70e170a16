//! The bounded event history watches replay from, and the 410 Expired rule for versions it no
//! longer covers.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::status::ApiError;
use crate::store::WatchEvent;

pub const DEFAULT_HISTORY_CAP: usize = 10_000;

pub struct History {
    events: VecDeque<Arc<WatchEvent>>,
    cap: usize,
    /// Every event after this resourceVersion is retained; a watch from an older one has missed
    /// events.
    floor: u64,
}

impl History {
    pub fn new() -> Self {
        History {
            events: VecDeque::new(),
            cap: DEFAULT_HISTORY_CAP,
            floor: 0,
        }
    }

    pub fn push(&mut self, event: Arc<WatchEvent>) {
        self.events.push_back(event);
        self.trim();
    }

    fn trim(&mut self) {
        while self.events.len() > self.cap {
            if let Some(old) = self.events.pop_front() {
                self.floor = old.rv;
            }
        }
    }

    pub fn set_cap(&mut self, cap: usize) {
        self.cap = cap.max(1);
        self.trim();
    }

    /// Forgets everything up to `current`.
    pub fn compact(&mut self, current: u64) {
        self.events.clear();
        self.floor = current;
    }

    /// 410 Expired when events after `rv` are no longer all retained.
    pub fn check(&self, rv: u64, current: u64) -> Result<(), ApiError> {
        if rv != current && rv < self.floor {
            return Err(ApiError::expired(format!(
                "too old resource version: {rv} ({})",
                self.floor
            )));
        }
        Ok(())
    }

    /// The retained events after `rv` that `keep` selects, oldest first.
    pub fn since(&self, rv: u64, keep: impl Fn(&WatchEvent) -> bool) -> Vec<Arc<WatchEvent>> {
        self.events
            .iter()
            .filter(|e| e.rv > rv && keep(e))
            .cloned()
            .collect()
    }
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}
