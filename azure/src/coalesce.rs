//! One fetch per key per interval: callers that ask while a fetch is in flight wait for it,
//! callers that ask within `max_age` of its completion get its result (errors included).

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::error::ScalerError;
use crate::recent::Recent;

/// How a result was obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Fetched,
    /// Another caller's fetch, still in flight when we asked.
    Joined,
    /// A completed fetch younger than `max_age`.
    Hit,
}

type Slot<V> = Arc<tokio::sync::OnceCell<(Instant, Result<V, ScalerError>)>>;

/// Results are forgotten when unused for `idle` or beyond `cap` keys (the least recently used
/// first); a caller still waiting on a forgotten slot keeps it alive until it has its answer.
pub struct Coalescer<V> {
    slots: Mutex<Recent<String, Slot<V>>>,
}

impl<V: Clone> Coalescer<V> {
    pub fn new(cap: usize, idle: Duration) -> Coalescer<V> {
        Coalescer {
            slots: Mutex::new(Recent::new(cap, idle)),
        }
    }

    pub async fn get<F>(
        &self,
        key: &str,
        max_age: Duration,
        fetch: F,
    ) -> (Result<V, ScalerError>, Outcome)
    where
        F: Future<Output = Result<V, ScalerError>>,
    {
        let (slot, in_flight) = {
            let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
            let key = key.to_owned();
            let reusable = slots.get_mut(&key).cloned().filter(|s| match s.get() {
                None => true,
                Some((done_at, _)) => done_at.elapsed() < max_age,
            });
            match reusable {
                Some(s) => {
                    let in_flight = !s.initialized();
                    (s, in_flight)
                }
                None => {
                    let s: Slot<V> = Arc::default();
                    slots.insert(key, s.clone());
                    (s, false)
                }
            }
        };
        let ran = AtomicBool::new(false);
        let (_, result) = slot
            .get_or_init(|| {
                ran.store(true, Ordering::Relaxed);
                async {
                    let result = fetch.await;
                    (Instant::now(), result)
                }
            })
            .await;
        let outcome = if ran.load(Ordering::Relaxed) {
            Outcome::Fetched
        } else if in_flight {
            Outcome::Joined
        } else {
            Outcome::Hit
        };
        (result.clone(), outcome)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::AtomicU32;

    #[tokio::test]
    async fn concurrent_callers_share_one_fetch() {
        let c: Coalescer<i64> = Coalescer::new(16, Duration::from_secs(600));
        let fetches = AtomicU32::new(0);
        let fetch = || async {
            fetches.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok(7)
        };
        let results =
            futures::future::join_all((0..10).map(|_| c.get("k", Duration::ZERO, fetch()))).await;
        assert_eq!(fetches.load(Ordering::SeqCst), 1);
        assert!(results.iter().all(|(r, _)| *r == Ok(7)));
        assert_eq!(
            results
                .iter()
                .filter(|(_, o)| *o == Outcome::Fetched)
                .count(),
            1
        );
        // max_age zero: a later call fetches again.
        let (_, o) = c.get("k", Duration::ZERO, fetch()).await;
        assert_eq!(o, Outcome::Fetched);
        let (_, o) = c.get("k", Duration::from_secs(60), fetch()).await;
        assert_eq!(o, Outcome::Hit);
        assert_eq!(fetches.load(Ordering::SeqCst), 2);
    }
}
