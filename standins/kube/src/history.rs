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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::EventType;
    use serde_json::json;

    fn event(rv: u64) -> Arc<WatchEvent> {
        Arc::new(WatchEvent {
            rv,
            event_type: EventType::Modified,
            res: 0,
            namespace: String::new(),
            object: json!({}),
            previous: None,
        })
    }

    #[test]
    fn cap_and_compaction_move_the_floor() {
        let mut history = History::new();
        history.set_cap(2);
        for rv in 1..=4 {
            history.push(event(rv));
        }
        // Holds 3 and 4: resuming after 2 or later is fine, after 1 has missed 2.
        assert!(history.check(2, 4).is_ok());
        assert_eq!(history.check(1, 4).unwrap_err().code, 410);
        let rvs: Vec<u64> = history.since(2, |_| true).iter().map(|e| e.rv).collect();
        assert_eq!(rvs, vec![3, 4]);
        history.compact(4);
        assert!(history.check(4, 4).is_ok());
        assert!(history.check(3, 4).is_err());
        assert!(history.since(0, |_| true).is_empty());
    }
}
