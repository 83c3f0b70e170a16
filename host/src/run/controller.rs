//! Watches ScaledObjects and (Cluster)TriggerAuthentications and keeps one worker per
//! ScaledObject: started on create, restarted when the spec changes (a new generation),
//! told about annotation changes, stopped on delete.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use futures::{Stream, StreamExt};
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use scalecore::validate::LintOptions;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::kubeapi::keda;
use super::objects;
use super::worker::{self, Control, Shared};
use crate::crd::{ClusterTriggerAuthentication, ScaledObject, TriggerAuthentication};

type Key = (String, String);

struct Running {
    generation: i64,
    annotations: BTreeMap<String, String>,
    control: mpsc::UnboundedSender<Control>,
    task: JoinHandle<()>,
}

pub struct Controller {
    shared: Arc<Shared>,
    lint: LintOptions,
    namespace: Option<String>,
    workers: BTreeMap<Key, Running>,
    /// Objects seen since the watcher began a (re)list; the rest were deleted meanwhile.
    relisting: Option<BTreeSet<Key>>,
}

enum Change {
    ScaledObject(Box<Event<DynamicObject>>),
    Authentication,
}

impl Controller {
    pub fn new(shared: Arc<Shared>, lint: LintOptions, namespace: Option<String>) -> Controller {
        Controller {
            shared,
            lint,
            namespace,
            workers: BTreeMap::new(),
            relisting: None,
        }
    }

    fn api(&self, ar: &kube::api::ApiResource) -> Api<DynamicObject> {
        let client = self.shared.kube.client().clone();
        match &self.namespace {
            Some(ns) => Api::namespaced_with(client, ns, ar),
            None => Api::all_with(client, ar),
        }
    }

    fn changes(&self) -> impl Stream<Item = Change> + Send + 'static {
        let cfg = watcher::Config::default();
        let sos = watcher::watcher(self.api(&keda::<ScaledObject>()), cfg.clone())
            .default_backoff()
            .filter_map(|e| async move {
                e.map_err(|e| tracing::warn!(error = %e, "ScaledObject watch failed; retrying"))
                    .ok()
            })
            .map(|e| Change::ScaledObject(Box::new(e)));
        let tas = watcher::watcher(self.api(&keda::<TriggerAuthentication>()), cfg.clone())
            .default_backoff();
        let ctas = watcher::watcher(
            Api::all_with(
                self.shared.kube.client().clone(),
                &keda::<ClusterTriggerAuthentication>(),
            ),
            cfg,
        )
        .default_backoff();
        let auth = futures::stream::select(tas, ctas).filter_map(|e| async move {
            match e {
                Ok(Event::Apply(_) | Event::Delete(_)) => Some(Change::Authentication),
                _ => None,
            }
        });
        futures::stream::select(sos, auth)
    }

    /// Runs until `stop` resolves; then stops every worker without touching the targets.
    pub async fn run(mut self, stop: impl std::future::Future<Output = ()>) {
        let mut changes = Box::pin(self.changes());
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                change = changes.next() => match change {
                    Some(Change::ScaledObject(e)) => self.on_scaled_object(*e),
                    Some(Change::Authentication) => self.refresh_all(),
                    None => break,
                },
            }
        }
        // Aborted, not awaited: a tick stuck in a slow call must not hold up a handover (its
        // writes are refused by the write gate already).
        for (_, w) in std::mem::take(&mut self.workers) {
            w.task.abort();
        }
        self.shared.metrics.scaled_objects.set(0);
    }

    fn on_scaled_object(&mut self, event: Event<DynamicObject>) {
        match event {
            Event::Init => self.relisting = Some(BTreeSet::new()),
            Event::InitApply(obj) => {
                if let Some(key) = self.apply(&obj) {
                    if let Some(seen) = &mut self.relisting {
                        seen.insert(key);
                    }
                }
            }
            Event::InitDone => {
                if let Some(seen) = self.relisting.take() {
                    let gone: Vec<Key> = self
                        .workers
                        .keys()
                        .filter(|k| !seen.contains(*k))
                        .cloned()
                        .collect();
                    for k in gone {
                        self.stop(&k, Control::Deleted);
                    }
                }
                self.shared.metrics.set_ready();
            }
            Event::Apply(obj) => {
                self.apply(&obj);
            }
            Event::Delete(obj) => {
                let key = (
                    obj.metadata.namespace.clone().unwrap_or_default(),
                    obj.metadata.name.clone().unwrap_or_default(),
                );
                self.stop(&key, Control::Deleted);
            }
        }
        self.shared
            .metrics
            .scaled_objects
            .set(self.workers.len() as i64);
    }

    fn apply(&mut self, obj: &DynamicObject) -> Option<Key> {
        let value = serde_json::to_value(obj).ok()?;
        let so = objects::scaled_object(&value, &self.lint)?;
        let key = (so.namespace.clone(), so.name.clone());
        if let Some(w) = self.workers.get_mut(&key) {
            if w.generation == so.generation && !w.task.is_finished() {
                if w.annotations != so.spec.annotations {
                    w.annotations = so.spec.annotations.clone();
                    let _ = w.control.send(Control::Update(Box::new(so)));
                }
                return Some(key);
            }
            self.stop(&key, Control::Shutdown);
        }
        tracing::info!(namespace = %key.0, name = %key.1, generation = so.generation, "running ScaledObject");
        let (tx, rx) = mpsc::unbounded_channel();
        let running = Running {
            generation: so.generation,
            annotations: so.spec.annotations.clone(),
            control: tx,
            task: tokio::spawn(worker::run(self.shared.clone(), so, rx)),
        };
        self.workers.insert(key.clone(), running);
        Some(key)
    }

    fn stop(&mut self, key: &Key, how: Control) {
        if let Some(w) = self.workers.remove(key) {
            tracing::info!(namespace = %key.0, name = %key.1, "stopping ScaledObject");
            let _ = w.control.send(how);
        }
    }

    fn refresh_all(&mut self) {
        for w in self.workers.values() {
            let _ = w.control.send(Control::Refresh);
        }
    }
}
