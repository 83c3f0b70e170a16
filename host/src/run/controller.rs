//! Watches ScaledObjects and (Cluster)TriggerAuthentications and keeps one worker per
//! ScaledObject: started on create, restarted when the spec changes (a new generation) or when
//! it wins or loses its target to another ScaledObject, told about annotation changes, stopped
//! on delete.
//!
//! Objects are read through the core (the webhook rules included) off the controller task,
//! each within [`LINT_TIMEOUT`]: one costly object never delays the others' start.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::{Stream, StreamExt};
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use scalecore::document::Kind;
use scalecore::validate::LintOptions;
use serde_json::Value;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinHandle;

use super::authstore::AuthKind;
use super::kubeapi::keda;
use super::objects::{self, ScaledObject, TargetRef};
use super::worker::{self, Shared, Signal, Stop};

type Key = (String, String);

/// A ScaledObject whose reading takes longer is refused (KEDA's webhook answers in
/// milliseconds; a formula that takes seconds is an attack or a mistake).
const LINT_TIMEOUT: Duration = Duration::from_secs(2);

/// Readings running at once, counted until they finish (a timed-out one included), so that
/// runaway readings cannot take every thread of the blocking pool.
const LINT_THREADS: usize = 8;

/// What one ScaledObject claims alone in its namespace: its workload (namespace,
/// `group/version.kind`, name) and its HPA (namespace, [`HPA_CLAIM`], HPA name). Shared
/// text: the claims index holds the same strings as the object's entry.
type Target = (Arc<str>, Arc<str>, Arc<str>);

/// (creationTimestamp, name) of a ScaledObject claiming a target.
type Claimant = (Arc<str>, Arc<str>);

/// The middle part of an HPA claim; a `group/version.kind` always holds a `.`.
const HPA_CLAIM: &str = "hpa";

/// KEDA's webhook refuses a second ScaledObject with the same HPA name from 2.16 on.
const HPA_NAME_CHECK_SINCE: scalecore::KedaVersion = scalecore::KedaVersion::new(2, 16, 0);

/// What the controller knows of every watched ScaledObject, valid or not: enough to decide
/// which one owns a target, as KEDA's webhook decides at admission.
struct Known {
    /// The ScaledObject's name, as its claims list it.
    name: Arc<str>,
    target: Target,
    hpa: Target,
    /// creationTimestamp (RFC 3339, UTC, so text order is time order), then the name.
    created: Arc<str>,
    generation: i64,
    /// Refused on its own (lint errors, or its reading timed out): owns nothing.
    refused: bool,
}

struct Running {
    generation: i64,
    /// The linted object (None: refused because reading it timed out).
    so: Option<Arc<ScaledObject>>,
    /// The ScaledObject owning the target when this one is refused for it.
    conflict: Option<String>,
    control: watch::Sender<Signal>,
    task: JoinHandle<()>,
}

struct Linted {
    key: Key,
    seq: u64,
    uid: String,
    /// `Err`: the reading did not finish within [`LINT_TIMEOUT`] (or failed).
    result: Result<Option<ScaledObject>, Unreadable>,
}

/// A ScaledObject the host could not read: refused until it changes.
#[derive(Debug, thiserror::Error)]
enum Unreadable {
    /// The reading thread ended without an answer.
    #[error("the ScaledObject could not be read")]
    Failed(#[source] tokio::task::JoinError),
    #[error(
        "checking the ScaledObject did not finish within {}s (scalingModifiers.formula too costly?)",
        .0.as_secs()
    )]
    TimedOut(Duration),
}

pub struct Controller {
    shared: Arc<Shared>,
    lint: LintOptions,
    namespace: Option<String>,
    known: BTreeMap<Key, Known>,
    /// Target -> its ScaledObjects by (creationTimestamp, name).
    by_target: BTreeMap<Target, Claimants>,
    workers: BTreeMap<Key, Running>,
    /// Readings in flight (sequence, generation): the latest one per object counts.
    linting: BTreeMap<Key, (u64, i64)>,
    seq: u64,
    lint_threads: Arc<Semaphore>,
    linted_tx: mpsc::Sender<Linted>,
    linted_rx: mpsc::Receiver<Linted>,
    refresh: u64,
    /// Objects seen since the watcher began a (re)list; the rest were deleted meanwhile.
    relisting: Option<BTreeSet<Key>>,
}

enum Change {
    ScaledObject(Box<Event<DynamicObject>>),
    Authentication,
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn key_of(obj: &DynamicObject) -> Key {
    (
        obj.metadata.namespace.clone().unwrap_or_default(),
        obj.metadata.name.clone().unwrap_or_default(),
    )
}

/// The HPA a ScaledObject makes: `horizontalPodAutoscalerConfig.name`, else `keda-hpa-NAME`.
fn hpa_of(namespace: &Arc<str>, so: &str, data: &Value) -> Target {
    static CLAIM: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| HPA_CLAIM.into());
    let name = text(data, "/spec/advanced/horizontalPodAutoscalerConfig/name")
        .filter(|s| !s.is_empty())
        .map_or_else(|| format!("keda-hpa-{so}").into(), Arc::from);
    (namespace.clone(), CLAIM.clone(), name)
}

/// The ScaledObjects claiming one target, ordered by (creationTimestamp, name), the first
/// owning it. Nearly always one: a sorted `Vec` holds it in 32 bytes where a `BTreeSet`
/// allocates a whole node (~540 bytes), twice per ScaledObject (workload and HPA).
#[derive(Default)]
struct Claimants(Vec<Claimant>);

impl Claimants {
    fn insert(&mut self, claimant: Claimant) {
        if let Err(at) = self.0.binary_search(&claimant) {
            // Room for exactly one more: a first push would make room for four.
            self.0.reserve_exact(1);
            self.0.insert(at, claimant);
        }
    }

    fn remove(&mut self, claimant: &Claimant) {
        if let Ok(at) = self.0.binary_search(claimant) {
            self.0.remove(at);
        }
    }

    fn first(&self) -> Option<&Claimant> {
        self.0.first()
    }

    fn iter(&self) -> impl Iterator<Item = &Claimant> {
        self.0.iter()
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Known {
    fn claims(&self) -> [Target; 2] {
        [self.target.clone(), self.hpa.clone()]
    }
}

/// The target as KEDA resolves it (apps/v1 Deployment by default).
fn target_of(namespace: &Arc<str>, data: &Value) -> Target {
    let field = |k: &str| {
        text(data, &format!("/spec/scaleTargetRef/{k}"))
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let target = TargetRef {
        api_version: field("apiVersion").unwrap_or_else(|| "apps/v1".into()),
        kind: field("kind").unwrap_or_else(|| "Deployment".into()),
        name: field("name").unwrap_or_default(),
        env_source_container_name: None,
    };
    (
        namespace.clone(),
        worker::gvk_string(&target).into(),
        target.name.into(),
    )
}

impl Controller {
    pub fn new(shared: Arc<Shared>, lint: LintOptions, namespace: Option<String>) -> Controller {
        let (linted_tx, linted_rx) = mpsc::channel(64);
        Controller {
            shared,
            lint,
            namespace,
            known: BTreeMap::new(),
            by_target: BTreeMap::new(),
            workers: BTreeMap::new(),
            linting: BTreeMap::new(),
            seq: 0,
            lint_threads: Arc::new(Semaphore::new(LINT_THREADS)),
            linted_tx,
            linted_rx,
            refresh: 0,
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
        let sos = watcher::watcher(self.api(&keda(Kind::ScaledObject)), cfg.clone())
            .default_backoff()
            .filter_map(|e| async move {
                e.map_err(|e| tracing::warn!(error = %e, "ScaledObject watch failed; retrying"))
                    .ok()
            })
            .map(|e| Change::ScaledObject(Box::new(e)));
        // The watched objects are what workers resolve triggers from; a change restarts them.
        let store = |kind| {
            let shared = self.shared.clone();
            move |e: Result<Event<DynamicObject>, watcher::Error>| {
                let changed = match e {
                    Ok(e) => shared.auths.apply(kind, &e),
                    Err(e) => {
                        tracing::warn!(error = %e, ?kind, "authentication watch failed; retrying");
                        false
                    }
                };
                futures::future::ready(changed.then_some(Change::Authentication))
            }
        };
        let tas = watcher::watcher(self.api(&keda(Kind::TriggerAuthentication)), cfg.clone())
            .default_backoff()
            .filter_map(store(AuthKind::TriggerAuthentication));
        let ctas = watcher::watcher(
            Api::all_with(
                self.shared.kube.client().clone(),
                &keda(Kind::ClusterTriggerAuthentication),
            ),
            cfg,
        )
        .default_backoff()
        .filter_map(store(AuthKind::ClusterTriggerAuthentication));
        let auth = futures::stream::select(tas, ctas);
        futures::stream::select(sos, auth)
    }

    /// Runs until `stop` resolves; then stops every worker without touching the targets.
    pub async fn run(mut self, stop: impl std::future::Future<Output = ()>) {
        let mut changes = Box::pin(self.changes());
        let targets = {
            let (shared, namespace) = (self.shared.clone(), self.namespace.clone());
            tokio::spawn(async move {
                let client = shared.kube.client().clone();
                shared.targets.watch(client, namespace).await;
            })
        };
        tokio::pin!(stop);
        loop {
            tokio::select! {
                _ = &mut stop => break,
                change = changes.next() => match change {
                    Some(Change::ScaledObject(e)) => self.on_scaled_object(*e),
                    Some(Change::Authentication) => self.refresh_all(),
                    None => break,
                },
                Some(linted) = self.linted_rx.recv() => self.on_linted(linted),
            }
            self.shared
                .metrics
                .scaled_objects
                .set(self.workers.len() as i64);
        }
        // Aborted, not awaited: a tick stuck in a slow call must not hold up a handover (its
        // writes are refused by the write gate already).
        for (_, w) in std::mem::take(&mut self.workers) {
            w.control.send_modify(|s| s.stop = Some(Stop::Shutdown));
            w.task.abort();
        }
        targets.abort();
        self.shared.targets.clear();
        self.shared.metrics.scaled_objects.set(0);
    }

    fn on_scaled_object(&mut self, event: Event<DynamicObject>) {
        match event {
            Event::Init => self.relisting = Some(BTreeSet::new()),
            Event::InitApply(obj) => {
                let key = key_of(&obj);
                if let Some(seen) = &mut self.relisting {
                    seen.insert(key);
                }
                self.apply(obj);
            }
            Event::InitDone => {
                if let Some(seen) = self.relisting.take() {
                    let gone: Vec<Key> = self
                        .known
                        .keys()
                        .filter(|k| !seen.contains(*k))
                        .cloned()
                        .collect();
                    for k in gone {
                        self.delete(&k);
                    }
                }
                self.shared.metrics.set_ready();
            }
            Event::Apply(obj) => self.apply(obj),
            Event::Delete(obj) => self.delete(&key_of(&obj)),
        }
    }

    fn apply(&mut self, obj: DynamicObject) {
        let key = key_of(&obj);
        if key.1.is_empty() {
            return;
        }
        let generation = obj.metadata.generation.unwrap_or(0);
        let created = obj
            .metadata
            .creation_timestamp
            .as_ref()
            .map_or_else(|| "".into(), |t| t.0.to_string().into());
        let (namespace, name): (Arc<str>, Arc<str>) =
            (key.0.as_str().into(), key.1.as_str().into());
        let target = target_of(&namespace, &obj.data);
        let hpa = hpa_of(&namespace, &name, &obj.data);
        let mut claims = vec![target.clone(), hpa.clone()];
        if let Some(k) = self.known.get(&key) {
            claims.extend(k.claims());
        }
        let refused = self
            .known
            .get(&key)
            .filter(|k| k.generation == generation)
            .is_some_and(|k| k.refused);
        self.remember(
            key.clone(),
            Known {
                name,
                target,
                hpa,
                created,
                generation,
                refused,
            },
        );
        if let Some(w) = self.workers.get(&key) {
            if w.generation == generation && !w.task.is_finished() {
                let annotations: BTreeMap<String, String> =
                    obj.metadata.annotations.clone().unwrap_or_default();
                w.control.send_if_modified(|s| {
                    let changed = s.annotations != annotations;
                    s.annotations = annotations;
                    changed
                });
                self.settle(&claims);
                return;
            }
        }
        // Status writes come back as events of the same generation: one reading per generation.
        if self.linting.get(&key).map(|l| l.1) != Some(generation) {
            self.lint(key, generation, obj);
        }
        self.settle(&claims);
    }

    fn remember(&mut self, key: Key, known: Known) {
        if let Some(old) = self.known.remove(&key) {
            self.unindex(&old);
        }
        if !known.refused {
            for claim in known.claims() {
                self.by_target
                    .entry(claim)
                    .or_default()
                    .insert((known.created.clone(), known.name.clone()));
            }
        }
        self.known.insert(key, known);
    }

    fn unindex(&mut self, known: &Known) {
        for claim in known.claims() {
            if let Some(set) = self.by_target.get_mut(&claim) {
                set.remove(&(known.created.clone(), known.name.clone()));
                if set.is_empty() {
                    self.by_target.remove(&claim);
                }
            }
        }
    }

    /// Reads the object through the core on the blocking pool, within [`LINT_TIMEOUT`].
    fn lint(&mut self, key: Key, generation: i64, mut obj: DynamicObject) {
        // Readings wait for a thread; at start-up every object waits at once, and the server's
        // field bookkeeping is most of an object's size and none of its meaning.
        obj.metadata.managed_fields = None;
        self.seq += 1;
        let seq = self.seq;
        self.linting.insert(key.clone(), (seq, generation));
        let uid = obj.metadata.uid.clone().unwrap_or_default();
        let tx = self.linted_tx.clone();
        let options = self.lint.clone();
        let threads = self.lint_threads.clone();
        tokio::spawn(async move {
            let Ok(permit) = threads.acquire_owned().await else {
                return;
            };
            let job = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                let value = serde_json::to_value(&obj).ok()?;
                objects::scaled_object(&value, &options)
            });
            let result = match tokio::time::timeout(LINT_TIMEOUT, job).await {
                Ok(Ok(so)) => Ok(so),
                Ok(Err(e)) => Err(Unreadable::Failed(e)),
                Err(_) => Err(Unreadable::TimedOut(LINT_TIMEOUT)),
            };
            let _ = tx
                .send(Linted {
                    key,
                    seq,
                    uid,
                    result,
                })
                .await;
        });
    }

    fn on_linted(&mut self, linted: Linted) {
        if self.linting.get(&linted.key).map(|l| l.0) != Some(linted.seq) {
            return;
        }
        self.linting.remove(&linted.key);
        let key = linted.key;
        let Some(known) = self.known.get(&key) else {
            return;
        };
        let claims = known.claims();
        let generation = known.generation;
        let refused = match &linted.result {
            Ok(Some(so)) => !so.rejected.is_empty(),
            Ok(None) => return,
            Err(_) => true,
        };
        if refused {
            if let Some(mut k) = self.known.remove(&key) {
                self.unindex(&k);
                k.refused = true;
                self.known.insert(key.clone(), k);
            }
        }
        self.stop(&key, Stop::Shutdown);
        match linted.result {
            Ok(Some(so)) => {
                tracing::info!(namespace = %key.0, name = %key.1, generation, "running ScaledObject");
                self.spawn(key, Arc::new(so));
            }
            Ok(None) => {}
            Err(unreadable) => {
                let signal = Signal {
                    refresh: self.refresh,
                    ..Signal::default()
                };
                let (tx, rx) = watch::channel(signal);
                let task = tokio::spawn(worker::refuse(
                    self.shared.clone(),
                    key.0.clone(),
                    key.1.clone(),
                    linted.uid,
                    unreadable.to_string(),
                    rx,
                ));
                self.workers.insert(
                    key,
                    Running {
                        generation,
                        so: None,
                        conflict: None,
                        control: tx,
                        task,
                    },
                );
            }
        }
        self.settle(&claims);
    }

    fn spawn(&mut self, key: Key, so: Arc<ScaledObject>) {
        let conflict = self.conflict(&key);
        let signal = Signal {
            annotations: so.spec.annotations.clone(),
            refresh: self.refresh,
            stop: None,
        };
        let (tx, rx) = watch::channel(signal);
        let task = tokio::spawn(worker::run(
            self.shared.clone(),
            so.clone(),
            conflict.clone(),
            rx,
        ));
        self.workers.insert(
            key,
            Running {
                generation: so.generation,
                so: Some(so),
                conflict,
                control: tx,
                task,
            },
        );
    }

    /// The earlier ScaledObject (by creationTimestamp, then name) holding `claim`, unless
    /// it is `key` itself.
    fn owner(&self, key: &Key, known: &Known, claim: &Target) -> Option<&str> {
        let (owner_created, owner) = self.by_target.get(claim)?.first()?;
        (**owner != *key.1 || *owner_created != known.created).then_some(&**owner)
    }

    /// KEDA3003 and KEDA3004: the target, or the HPA name, is already managed by an earlier
    /// ScaledObject, as KEDA's webhook would have refused this one.
    fn conflict(&self, key: &Key) -> Option<String> {
        let known = self.known.get(key)?;
        if known.refused {
            return None;
        }
        if let Some(owner) = self.owner(key, known, &known.target) {
            return Some(format!(
                "the workload '{}' of type '{}' is already managed by the ScaledObject '{owner}'",
                known.target.2, known.target.1
            ));
        }
        if self.lint.keda_version < HPA_NAME_CHECK_SINCE {
            return None;
        }
        let owner = self.owner(key, known, &known.hpa)?;
        Some(format!(
            "the HPA '{}' is already managed by the ScaledObject '{owner}'",
            known.hpa.2
        ))
    }

    /// Restarts the workers of the claims whose ownership changed.
    fn settle(&mut self, claims: &[Target]) {
        let mut keys: BTreeSet<Key> = BTreeSet::new();
        for t in claims {
            if let Some(set) = self.by_target.get(t) {
                keys.extend(
                    set.iter()
                        .map(|(_, name)| (t.0.to_string(), name.to_string())),
                );
            }
        }
        for key in keys {
            let conflict = self.conflict(&key);
            let restart = match self.workers.get(&key) {
                Some(w) if w.conflict != conflict => w.so.clone(),
                _ => None,
            };
            if let Some(so) = restart {
                tracing::info!(namespace = %key.0, name = %key.1, refused = conflict.is_some(), "target ownership changed");
                self.stop(&key, Stop::Shutdown);
                self.spawn(key, so);
            }
        }
    }

    fn delete(&mut self, key: &Key) {
        self.linting.remove(key);
        let claims = match self.known.remove(key) {
            Some(known) => {
                self.unindex(&known);
                known.claims().to_vec()
            }
            None => Vec::new(),
        };
        self.stop(key, Stop::Deleted);
        self.settle(&claims);
    }

    fn stop(&mut self, key: &Key, how: Stop) {
        if let Some(w) = self.workers.remove(key) {
            tracing::info!(namespace = %key.0, name = %key.1, "stopping ScaledObject");
            w.control.send_modify(|s| s.stop = Some(how));
        }
    }

    fn refresh_all(&mut self) {
        self.refresh += 1;
        for w in self.workers.values() {
            w.control.send_modify(|s| s.refresh += 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Claimants;

    fn claimant(created: &str, name: &str) -> super::Claimant {
        (created.into(), name.into())
    }

    #[test]
    fn the_earliest_claimant_owns_and_each_counts_once() {
        let mut c = Claimants::default();
        c.insert(claimant("2024-01-02T00:00:00Z", "b"));
        c.insert(claimant("2024-01-01T00:00:00Z", "z"));
        c.insert(claimant("2024-01-02T00:00:00Z", "a"));
        c.insert(claimant("2024-01-02T00:00:00Z", "b"));
        let names: Vec<&str> = c.iter().map(|(_, n)| &**n).collect();
        assert_eq!(names, ["z", "a", "b"]);
        c.remove(&claimant("2024-01-01T00:00:00Z", "z"));
        assert_eq!(c.first(), Some(&claimant("2024-01-02T00:00:00Z", "a")));
        c.remove(&claimant("2024-01-01T00:00:00Z", "a"));
        assert_eq!(
            c.iter().count(),
            2,
            "a claimant is removed only by its own key"
        );
        c.remove(&claimant("2024-01-02T00:00:00Z", "a"));
        c.remove(&claimant("2024-01-02T00:00:00Z", "b"));
        assert!(c.is_empty());
    }
}
