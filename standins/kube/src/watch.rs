//! WATCH responses: a chunked stream of JSON lines `{"type": ..., "object": ...}`.

use std::time::Duration;

use bytes::Bytes;
use serde_json::{json, Value};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use crate::registry;
use crate::selector::Selector;
use crate::store::{Bus, EventType, WatchEvent, WatchStart};

/// Longest watch the stand-in keeps open, whatever `timeoutSeconds` asks for.
const MAX_WATCH: Duration = Duration::from_secs(3600);
/// Without `timeoutSeconds` the API server picks a random 30-60 minutes; a fixed value will do.
const DEFAULT_WATCH: Duration = Duration::from_secs(1800);

/// The parameters of one watch request.
pub struct WatchRequest {
    pub res: usize,
    pub namespace: Option<String>,
    pub selector: Selector,
    /// The resourceVersion the client asked to start after (0 or none: from current state).
    pub since: Option<u64>,
    pub timeout: Option<Duration>,
    pub bookmarks: bool,
    /// `sendInitialEvents=true`: a BOOKMARK marks the end of the synthetic ADDED events.
    pub send_initial_events: bool,
    pub bookmark_interval: Duration,
}

fn line(event_type: &str, object: &Value) -> Bytes {
    let mut bytes =
        serde_json::to_vec(&json!({"type": event_type, "object": object})).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

fn bookmark(res: usize, rv: u64, initial_events_end: bool) -> Bytes {
    let (api_version, kind) = registry::get(res)
        .map(|r| (r.api_version(), r.kind))
        .unwrap_or_default();
    let mut metadata = json!({"resourceVersion": rv.to_string()});
    if initial_events_end {
        metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
    }
    line(
        "BOOKMARK",
        &json!({"kind": kind, "apiVersion": api_version, "metadata": metadata}),
    )
}

/// The line a watch sends for an event, if any. A label-selector watch sees an object that
/// starts matching as ADDED and one that stops matching as DELETED, as the API server does.
fn render(request: &WatchRequest, event: &WatchEvent) -> Option<Bytes> {
    if event.res != request.res
        || request
            .namespace
            .as_ref()
            .is_some_and(|ns| *ns != event.namespace)
    {
        return None;
    }
    let now = request.selector.matches(&event.object);
    let before = event.previous.as_ref().map(|p| request.selector.matches(p));
    let event_type = match (event.event_type, before, now) {
        (EventType::Modified, Some(false), true) => "ADDED",
        (EventType::Modified, Some(true), false) => "DELETED",
        (_, _, false) => return None,
        (t, _, true) => t.as_str(),
    };
    Some(line(event_type, &event.object))
}

/// Spawns the task that feeds one watch stream; the receiver becomes the response body.
pub fn spawn(request: WatchRequest, start: WatchStart) -> mpsc::Receiver<Bytes> {
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let (initial, current_rv, live) = match start {
            WatchStart::Expired(error) => {
                let _ = tx.send(line("ERROR", &error.to_status())).await;
                return;
            }
            WatchStart::Ready {
                initial,
                current_rv,
                live,
            } => (initial, current_rv, live),
        };
        run(request, initial, current_rv, live, tx).await;
    });
    rx
}

async fn run(
    request: WatchRequest,
    initial: Vec<std::sync::Arc<WatchEvent>>,
    current_rv: u64,
    mut live: broadcast::Receiver<Bus>,
    tx: mpsc::Sender<Bytes>,
) {
    let timeout = request.timeout.unwrap_or(DEFAULT_WATCH).min(MAX_WATCH);
    let deadline = Instant::now() + timeout;
    // Live events at or below this were already covered by the initial events.
    let threshold = current_rv.max(request.since.unwrap_or(0));
    let mut progress = threshold;
    for bytes in initial.iter().filter_map(|e| render(&request, e)) {
        if tx.send(bytes).await.is_err() {
            return;
        }
    }
    if request.send_initial_events
        && tx
            .send(bookmark(request.res, current_rv, true))
            .await
            .is_err()
    {
        return;
    }
    let mut ticker = tokio::time::interval_at(
        Instant::now() + request.bookmark_interval,
        request.bookmark_interval,
    );
    loop {
        tokio::select! {
            received = live.recv() => match received {
                Ok(Bus::Event(event)) => {
                    if event.rv <= threshold {
                        continue;
                    }
                    progress = progress.max(event.rv);
                    if let Some(bytes) = render(&request, &event) {
                        if tx.send(bytes).await.is_err() {
                            return;
                        }
                    }
                }
                // Dropped, lagged too far behind, or shutting down: end the stream; the client
                // re-watches from the last resourceVersion it saw.
                Ok(Bus::DropWatches) | Err(_) => return,
            },
            _ = ticker.tick(), if request.bookmarks => {
                if tx.send(bookmark(request.res, progress, false)).await.is_err() {
                    return;
                }
            }
            _ = tokio::time::sleep_until(deadline) => return,
            _ = tx.closed() => return,
        }
    }
}
