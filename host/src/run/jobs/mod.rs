//! ScaledJobs in `scalecore run`: one loop per ScaledJob, as KEDA's ScaledJob controller and
//! executor run it. Every pollingInterval the triggers are polled through the ScaledObject
//! trigger code, the ScaledJob's Jobs counted (running: not finished; pending: no pod started
//! yet), the core's ScaledJob engine decides how many Jobs to create for the scaling
//! strategy, finished Jobs beyond the history limits are deleted oldest first, and the
//! conditions (Ready, Active, Paused) and Events are written as KEDA writes them.

mod api;
pub(crate) mod object;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ObjectReference;
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use scalecore::decide::scaledjob::ScaledJobEngine;
use scalecore::decide::Reading;
use scalecore::validate::LintOptions;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::clock::rfc3339;
use super::status as kedastatus;
use super::telemetry::{trigger_labels, SCALED_JOB};
use super::triggers::{self, Scaler};
use super::worker::{grid, Shared};
use object::{JobView, ScaledJob};

/// A ScaledJob whose reading takes longer is refused, as a ScaledObject is.
const READ_TIMEOUT: Duration = Duration::from_secs(2);

const PAUSED_ANNOTATION: &str = "autoscaling.keda.sh/paused";

type Key = (String, String);

/// What the controller tells a running loop: the latest annotations (pause), whether the
/// authentications changed, and whether to stop.
#[derive(Clone, Debug, Default)]
struct Signal {
    annotations: BTreeMap<String, String>,
    refresh: u64,
    stop: bool,
}

struct Running {
    generation: i64,
    control: watch::Sender<Signal>,
    task: JoinHandle<()>,
}

/// `NeedToBePausedByAnnotation`: present and not a false `strconv.ParseBool` value.
pub(crate) fn paused(annotations: &BTreeMap<String, String>) -> bool {
    annotations
        .get(PAUSED_ANNOTATION)
        .is_some_and(|v| !matches!(v.as_str(), "0" | "f" | "F" | "false" | "FALSE" | "False"))
}

fn reference(namespace: &str, name: &str, uid: &str) -> ObjectReference {
    ObjectReference {
        api_version: Some("keda.sh/v1alpha1".into()),
        kind: Some("ScaledJob".into()),
        namespace: Some(namespace.to_owned()),
        name: Some(name.to_owned()),
        uid: (!uid.is_empty()).then(|| uid.to_owned()),
        ..ObjectReference::default()
    }
}

/// `ScaledJobCheckFailed`: Ready=False with the reason, Active unknown, and a warning Event;
/// with `triggers`, the types the controller had written before it failed.
async fn check_failed(
    shared: &Shared,
    key: (&str, &str, &str),
    paused: bool,
    why: String,
    triggers: Option<&[scalecore::model::Trigger]>,
) {
    let (namespace, name, uid) = key;
    tracing::warn!(%namespace, %name, %why, "ScaledJob refused");
    if shared.dry_run {
        return;
    }
    let mut status = json!({"conditions": [
        condition("Ready", "False", "ScaledJobCheckFailed", &why),
        condition("Active", "Unknown", "UnknownState", "ScaledJob check failed"),
        condition("Fallback", "Unknown", "", ""),
        condition("Paused", if paused { "True" } else { "False" }, "", ""),
    ]});
    if let Some(triggers) = triggers {
        kedastatus::set_types(&mut status, triggers);
    }
    if let Err(e) = api::apply_status(&shared.kube, namespace, name, status).await {
        tracing::warn!(%namespace, %name, error = %e, "could not write status");
    }
    let r = reference(namespace, name, uid);
    shared
        .kube
        .event(&r, true, "ScaledJobCheckFailed", why)
        .await;
}

fn condition(kind: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message})
}

/// Watches ScaledJobs until `stop`; one loop per ScaledJob, restarted on a new generation or
/// an authentication change, told of annotation changes, stopped on delete.
pub async fn run(
    shared: Arc<Shared>,
    lint: LintOptions,
    namespace: Option<String>,
    stop: impl std::future::Future<Output = ()>,
) {
    let client = shared.kube.client().clone();
    let api = |ar: &kube::api::ApiResource| match &namespace {
        Some(ns) => Api::<DynamicObject>::namespaced_with(client.clone(), ns, ar),
        None => Api::all_with(client.clone(), ar),
    };
    let cfg = watcher::Config::default();
    let sjs = watcher::watcher(api(&api::scaled_jobs()), cfg.clone())
        .default_backoff()
        .filter_map(|e| async move {
            e.map_err(|e| tracing::warn!(error = %e, "ScaledJob watch failed; retrying"))
                .ok()
        })
        .map(Some);
    // The ScaledObject controller's watches keep the (Cluster)TriggerAuthentications; a change
    // there rebuilds every ScaledJob's scalers too.
    let auth = futures::stream::unfold(shared.auths.changes(), |mut rx| async move {
        rx.changed().await.ok().map(|()| (None, rx))
    });
    let mut changes = Box::pin(futures::stream::select(sjs, auth));
    let mut loops: BTreeMap<Key, Running> = BTreeMap::new();
    let mut relisting: Option<BTreeSet<Key>> = None;
    let mut refresh = 0u64;
    tokio::pin!(stop);
    loop {
        let event = tokio::select! {
            _ = &mut stop => break,
            e = changes.next() => match e { Some(e) => e, None => break },
        };
        let Some(event) = event else {
            refresh += 1;
            for r in loops.values() {
                r.control.send_modify(|s| s.refresh = refresh);
            }
            continue;
        };
        let obj = match event {
            Event::Init => {
                relisting = Some(BTreeSet::new());
                continue;
            }
            Event::InitDone => {
                if let Some(seen) = relisting.take() {
                    loops.retain(|k, r| {
                        let keep = seen.contains(k);
                        if !keep {
                            r.control.send_modify(|s| s.stop = true);
                        }
                        keep
                    });
                }
                continue;
            }
            Event::Delete(obj) => {
                let key = key_of(&obj);
                if let Some(r) = loops.remove(&key) {
                    tracing::info!(namespace = %key.0, name = %key.1, "stopping ScaledJob");
                    r.control.send_modify(|s| s.stop = true);
                }
                continue;
            }
            Event::Apply(obj) | Event::InitApply(obj) => obj,
        };
        let key = key_of(&obj);
        if key.1.is_empty() {
            continue;
        }
        if let Some(seen) = &mut relisting {
            seen.insert(key.clone());
        }
        let generation = obj.metadata.generation.unwrap_or(0);
        let annotations: BTreeMap<String, String> =
            obj.metadata.annotations.clone().unwrap_or_default();
        if let Some(r) = loops.get(&key) {
            if r.generation == generation && !r.task.is_finished() {
                r.control.send_if_modified(|s| {
                    let changed = s.annotations != annotations;
                    s.annotations = annotations;
                    changed
                });
                continue;
            }
            r.control.send_modify(|s| s.stop = true);
        }
        let (tx, rx) = watch::channel(Signal {
            annotations,
            refresh,
            stop: false,
        });
        let task = tokio::spawn(scaled_job_loop(shared.clone(), lint.clone(), obj, rx));
        loops.insert(
            key,
            Running {
                generation,
                control: tx,
                task,
            },
        );
    }
    // As the ScaledObject workers: stopped, their writes refused by the gate already.
    for (_, r) in loops {
        r.control.send_modify(|s| s.stop = true);
        r.task.abort();
    }
}

fn key_of(obj: &DynamicObject) -> Key {
    (
        obj.metadata.namespace.clone().unwrap_or_default(),
        obj.metadata.name.clone().unwrap_or_default(),
    )
}

/// Reads the object through the core on the blocking pool, within [`READ_TIMEOUT`].
async fn read(obj: DynamicObject, lint: LintOptions) -> Result<Option<ScaledJob>, String> {
    let job = tokio::task::spawn_blocking(move || {
        let value = serde_json::to_value(&obj).ok()?;
        object::scaled_job(&value, &lint)
    });
    match tokio::time::timeout(READ_TIMEOUT, job).await {
        Ok(Ok(j)) => Ok(j),
        Ok(Err(e)) => Err(format!("reading the ScaledJob failed: {e}")),
        Err(_) => Err(format!(
            "reading the ScaledJob did not finish within {}s",
            READ_TIMEOUT.as_secs()
        )),
    }
}

/// One ScaledJob's life for one generation.
async fn scaled_job_loop(
    shared: Arc<Shared>,
    lint: LintOptions,
    mut obj: DynamicObject,
    mut control: watch::Receiver<Signal>,
) {
    obj.metadata.managed_fields = None;
    let name = obj.metadata.name.clone().unwrap_or_default();
    let namespace = obj.metadata.namespace.clone().unwrap_or_default();
    let uid = obj.metadata.uid.clone().unwrap_or_default();
    // The conditions as written last, so a restart sends no Event for a state already told.
    let is_true = |kind: &str| {
        obj.data
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|c| c["type"] == kind && c["status"] == "True")
    };
    let (status_paused, was_active) = (is_true("Paused"), is_true("Active"));
    let job = match read(obj, lint.clone()).await {
        Ok(Some(j)) => j,
        Ok(None) => return,
        Err(why) => {
            let key = (namespace.as_str(), name.as_str(), uid.as_str());
            check_failed(&shared, key, status_paused, why, None).await;
            let _ = control.wait_for(|s| s.stop).await;
            return;
        }
    };
    // `GetMetricSpecForScaling`'s external metric names; cpu/memory have none and KEDA's
    // ScaledJob loop skips them.
    let metric_names = scalecore::decide::Plan::new(&job.triggers.spec)
        .triggers
        .into_iter()
        .map(|t| (!t.resource).then_some(t.metric_name))
        .collect();
    let mut l = Loop {
        engine: ScaledJobEngine::new(&job.spec),
        shared,
        job,
        scalers: Vec::new(),
        rebuild: true,
        paused: status_paused,
        active: was_active,
        last_status: None,
        seen: control.borrow().clone(),
        lint,
        metric_names,
        activity: None,
    };
    l.run(&mut control).await;
    let triggers = l.metric_names.len();
    l.shared
        .metrics
        .forget_triggers(&l.job.namespace, &l.job.name, SCALED_JOB, triggers);
}

struct Loop {
    shared: Arc<Shared>,
    job: ScaledJob,
    engine: ScaledJobEngine,
    scalers: Vec<Scaler>,
    rebuild: bool,
    /// The Paused condition as last written (or read at start).
    paused: bool,
    /// The Active condition as last written (or read at start).
    active: bool,
    last_status: Option<String>,
    seen: Signal,
    lint: LintOptions,
    /// Per trigger, its external metric name; `None` for cpu/memory.
    metric_names: Vec<Option<String>>,
    /// Per trigger, active at the last poll (`status.triggersActivity`); `None` before it.
    activity: Option<Box<[bool]>>,
}

impl Loop {
    async fn run(&mut self, control: &mut watch::Receiver<Signal>) {
        if let Some(why) = self.job.rejected.clone() {
            self.refuse(&why, false).await;
            let _ = control.wait_for(|s| s.stop).await;
            return;
        }
        tracing::info!(namespace = %self.job.namespace, name = %self.job.name,
            generation = self.job.generation, "running ScaledJob");
        self.rollout().await;
        let clock = self.shared.clock;
        let polling = self.job.spec.polling_interval.max(1);
        let mut next = grid(clock.now(), polling, 0);
        loop {
            if self.pause_changed().await {
                continue;
            }
            let wake = tokio::time::Instant::from_std(clock.instant_at(next));
            let sleep = async {
                if self.paused {
                    // KEDA stops the scale loop of a paused ScaledJob: nothing is polled.
                    std::future::pending::<()>().await;
                } else {
                    tokio::time::sleep_until(wake).await;
                }
            };
            tokio::select! {
                _ = sleep => {}
                changed = control.changed() => {
                    let signal = match changed {
                        Ok(()) => control.borrow_and_update().clone(),
                        Err(_) => return,
                    };
                    if signal.stop {
                        return;
                    }
                    if signal.refresh != self.seen.refresh {
                        self.rebuild = true;
                    }
                    self.seen = signal;
                    continue;
                }
            }
            let t = next;
            next = grid(clock.now().max(next + 1), polling, 0);
            if self.rebuild {
                match self.build().await {
                    Ok(()) => self.rebuild = false,
                    Err(why) => {
                        self.refuse(&why, true).await;
                        // Until the object or an authentication changes.
                        let seen = self.seen.refresh;
                        let r = control.wait_for(|s| s.stop || s.refresh != seen).await;
                        match r {
                            Ok(s) if !s.stop => {
                                self.seen = s.clone();
                                continue;
                            }
                            _ => return,
                        }
                    }
                }
            }
            Box::pin(self.tick(t, polling)).await;
        }
    }

    async fn build(&mut self) -> Result<(), String> {
        let shared = self.shared.clone();
        let _turn = shared.starting.acquire().await;
        let workload = self.job.workload();
        let scalers = triggers::build_from(
            &shared.kube,
            &shared.auths,
            &self.job.triggers,
            Some(workload),
            &self.lint,
        )
        .await
        .map_err(|refused| refused.to_string())?;
        for (i, s) in scalers.iter().enumerate() {
            if let Some(why) = s.problem() {
                tracing::warn!(namespace = %self.job.namespace, name = %self.job.name, trigger = i, %why, "trigger cannot be polled");
            }
        }
        self.scalers = scalers;
        Ok(())
    }

    /// Ready=False and a warning Event, as the controller reports a failed check. `typed`:
    /// the scalers could not be built, after the controller wrote the trigger types (a
    /// ScaledJob its webhook or checks refuse never gets that far).
    async fn refuse(&mut self, why: &str, typed: bool) {
        let j = &self.job;
        let key = (j.namespace.as_str(), j.name.as_str(), j.uid.as_str());
        let triggers = typed.then_some(self.job.triggers.spec.triggers.as_slice());
        check_failed(&self.shared, key, self.paused, why.to_owned(), triggers).await;
        // The next status written is the full one again.
        self.last_status = None;
    }

    /// `checkIfPaused`: the Paused condition and its Event when the annotation changes.
    /// True when it changed.
    async fn pause_changed(&mut self) -> bool {
        // The engine reads the pause from the annotations too; they change within a generation.
        self.engine
            .spec
            .annotations
            .clone_from(&self.seen.annotations);
        let want = paused(&self.seen.annotations);
        if want == self.paused {
            return false;
        }
        self.paused = want;
        let (reason, message) = if want {
            ("ScaledJobPaused", "ScaledJob is paused")
        } else {
            ("ScaledJobUnpaused", "ScaledJob is unpaused")
        };
        tracing::info!(namespace = %self.job.namespace, name = %self.job.name, paused = want, "ScaledJob pause changed");
        // The Paused condition follows `self.paused`.
        let status = self.status(None);
        self.write_status(status).await;
        self.event(false, reason, message.to_owned()).await;
        true
    }

    /// Deletes the Jobs of earlier generations unless the rollout is gradual
    /// (`deletePreviousVersionScaleJobs`).
    async fn rollout(&mut self) {
        if self.job.gradual_rollout || self.shared.dry_run {
            return;
        }
        let (ns, name) = (&self.job.namespace, &self.job.name);
        let Ok(jobs) = api::list_jobs(&self.shared.kube, ns, name).await else {
            return;
        };
        let generation = self.job.generation.to_string();
        let old: Vec<JobView> = jobs
            .iter()
            .map(JobView::from_value)
            .filter(|j| j.generation.as_deref() != Some(generation.as_str()))
            .collect();
        if old.is_empty() {
            return;
        }
        self.event(
            false,
            "ScaledJobRolloutCleanupStarted",
            format!(
                "Deleting {} jobs owned by the previous version of the scaledJob",
                old.len()
            ),
        )
        .await;
        for j in &old {
            if let Err(e) =
                api::delete_job(&self.shared.kube, ns, &j.name, self.job.foreground_rollout).await
            {
                self.event(
                    true,
                    "ScaledJobRolloutCleanupFailed",
                    format!("Failed to delete job {}: {e}", j.name),
                )
                .await;
                return;
            }
        }
        self.event(
            false,
            "ScaledJobRolloutCleanupCompleted",
            format!(
                "Deleted {} jobs owned by the previous version of the scaledJob",
                old.len()
            ),
        )
        .await;
    }

    /// Running and pending Jobs (`getRunningJobCount`, `getPendingJobCount`) and all Jobs.
    async fn count(&self) -> Option<(i64, i64, Vec<JobView>)> {
        let kube = &self.shared.kube;
        let (ns, name) = (&self.job.namespace, &self.job.name);
        let jobs = match api::list_jobs(kube, ns, name).await {
            Ok(j) => j,
            Err(e) => {
                // KEDA counts 0 then, and may create a Job per message again; the host waits
                // for the next interval instead.
                tracing::warn!(namespace = %ns, name = %name, error = %e, "cannot list the ScaledJob's Jobs");
                return None;
            }
        };
        let views: Vec<JobView> = jobs.iter().map(JobView::from_value).collect();
        let unfinished: Vec<&JobView> = views.iter().filter(|j| j.finished.is_none()).collect();
        let running = unfinished.len() as i64;
        let mut pending = 0;
        if running > 0 {
            // No pod list: every unfinished Job counts as pending (KEDA's answer when its list
            // fails).
            let pods = api::list_pods(kube, ns, name).await.unwrap_or_default();
            let conditions = &self.job.spec.scaling_strategy.pending_pod_conditions;
            for j in &unfinished {
                let of_job: Vec<&Value> = pods
                    .iter()
                    .filter(|p| object::pod_job(p) == Some(j.name.as_str()))
                    .collect();
                if !object::started(&of_job, conditions) {
                    pending += 1;
                }
            }
        }
        Some((running, pending, views))
    }

    async fn tick(&mut self, t: i64, polling: i64) {
        let shared = self.shared.clone();
        let max_age = shared
            .clock
            .real(Duration::from_secs(polling.unsigned_abs()) / 3);
        let polled = {
            let tenant = shared.tenants.cap(&self.job.namespace);
            let _turn = tenant.acquire().await;
            Box::pin(triggers::poll_all(&self.scalers, &shared.bus, max_age)).await
        };
        for (i, (_, error)) in polled.iter().enumerate() {
            if let Some(e) = error {
                // KEDA rebuilds a scaler after an error; so does the host.
                self.rebuild = true;
                tracing::warn!(namespace = %self.job.namespace, name = %self.job.name, trigger = i, error = %e, "scaler error");
            }
        }
        let readings: Vec<Reading> = polled.iter().map(|(r, _)| *r).collect();
        self.record_readings(&readings);
        let counted = {
            let _slot = shared.tick_slots.acquire().await;
            Box::pin(self.count()).await
        };
        let Some((running, pending, views)) = counted else {
            return;
        };
        let d = self.engine.poll(t, &readings, running, pending);
        let reason = self.engine.explain();
        tracing::info!(namespace = %self.job.namespace, name = %self.job.name, running, pending,
            active = d.is_active, create = d.jobs_created, dry_run = shared.dry_run, %reason, "ScaledJob poll");
        if shared.dry_run {
            return;
        }
        let _slot = shared.tick_slots.acquire().await;
        if d.is_active && d.jobs_created > 0 {
            Box::pin(self.create(d.jobs_created, &readings)).await;
        }
        if d.is_active != self.active {
            let (reason, message) = if d.is_active {
                (
                    "ScaledJobActive",
                    "Scaling is performed because triggers are active",
                )
            } else {
                (
                    "ScaledJobInactive",
                    "Scaling is not performed because triggers are not active",
                )
            };
            self.event(false, reason, message.to_owned()).await;
        }
        self.active = d.is_active;
        let status = self.status(Some(d.error));
        self.write_status(status).await;
        Box::pin(self.clean_up(&views)).await;
    }

    /// The conditions as they stand; with `error`, Ready as `RequestJobScale` sets it.
    fn conditions(&self, error: Option<bool>) -> Value {
        let ready = match error {
            Some(true) if self.active => condition(
                "Ready",
                "Unknown",
                "PartialTriggerError",
                "Some triggers defined in ScaledJob are not working correctly",
            ),
            Some(true) => condition(
                "Ready",
                "False",
                "TriggerError",
                "Triggers defined in ScaledJob are not working correctly",
            ),
            _ => condition(
                "Ready",
                "True",
                "ScaledJobReady",
                "ScaledJob is defined correctly and is ready for scaling",
            ),
        };
        let active = if self.active {
            condition(
                "Active",
                "True",
                "ScalerActive",
                "Scaling is performed because triggers are active",
            )
        } else {
            condition(
                "Active",
                "False",
                "ScalerNotActive",
                "Scaling is not performed because triggers are not active",
            )
        };
        let paused = if self.paused {
            condition("Paused", "True", "ScaledJobPaused", "ScaledJob is paused")
        } else {
            condition(
                "Paused",
                "False",
                "ScaledJobUnpaused",
                "ScaledJob is unpaused",
            )
        };
        json!({"conditions": [ready, active, condition("Fallback", "Unknown", "", ""), paused]})
    }

    /// The series and activity of one poll, as `getScaledJobMetrics` records them: a value
    /// for every trigger read, an error count for every one that failed, and each trigger
    /// active as its scaler reports (its value above its activation, for most).
    fn record_readings(&mut self, readings: &[Reading]) {
        let (ns, name) = (&self.job.namespace, &self.job.name);
        let metrics = &self.shared.metrics;
        let targets = self.engine.targets();
        let mut activity = vec![false; self.metric_names.len()];
        for (i, reading) in readings.iter().enumerate() {
            if self.metric_names.get(i).is_none_or(Option::is_none) {
                continue;
            }
            let labels = trigger_labels(ns, name, SCALED_JOB, i);
            match reading.value() {
                Some(v) => {
                    metrics.metric_value.get_or_create(&labels).set(v);
                    let activation = targets.get(i).copied().flatten().map(|(_, a)| a);
                    if let (Some(slot), Some(active)) = (
                        activity.get_mut(i),
                        activation.and_then(|a| reading.active(a)),
                    ) {
                        *slot = active;
                    }
                }
                None => {
                    metrics.scaler_errors.get_or_create(&labels).inc();
                }
            }
        }
        self.activity = Some(activity.into_boxed_slice());
    }

    /// The whole status the host owns: conditions, `lastActiveTime`, the trigger and
    /// authentication types the controller writes, and the last poll's `triggersActivity`.
    /// Every write carries all of it (a server-side apply drops what it leaves out).
    fn status(&self, error: Option<bool>) -> Value {
        let mut status = self.conditions(error);
        if let Some(t) = self.engine.last_active_time {
            status["lastActiveTime"] = json!(rfc3339(t));
        }
        let triggers = &self.job.triggers.spec.triggers;
        kedastatus::set_types(&mut status, triggers);
        if let Some(activity) = &self.activity {
            let named = self
                .metric_names
                .iter()
                .zip(activity.iter())
                .filter_map(|(n, a)| Some((n.as_deref()?, *a)));
            if let Some(a) = kedastatus::triggers_activity(named) {
                status["triggersActivity"] = a;
            }
        }
        status
    }

    /// `createJobs`: n Jobs, an Event for the batch, a warning for each that failed. The
    /// batch's Event also carries the trigger values it was decided on: KEDA serves no metric
    /// for a ScaledJob, so this is what `explain` can replay from.
    async fn create(&mut self, n: i64, readings: &[Reading]) {
        let body = self.job.job();
        let (kube, ns) = (&self.shared.kube, self.job.namespace.clone());
        let mut failed = 0;
        for _ in 0..n {
            if let Err(e) = api::create_job(kube, &ns, &body).await {
                failed += 1;
                tracing::error!(namespace = %ns, name = %self.job.name, error = %e, "could not create a Job");
                self.event(
                    true,
                    "KEDAJobCreateFailed",
                    format!("Failed to create job {}-: {e}", self.job.name),
                )
                .await;
            }
        }
        tracing::info!(namespace = %ns, name = %self.job.name, created = n - failed, "created Jobs");
        self.event(false, "KEDAJobsCreated", object::created_note(n, readings))
            .await;
    }

    /// `cleanUp`: finished Jobs beyond the history limits, oldest first.
    async fn clean_up(&self, views: &[JobView]) {
        let doomed = object::beyond_history(
            views,
            self.job.successful_history_limit,
            self.job.failed_history_limit,
        );
        for j in doomed {
            match api::delete_job(&self.shared.kube, &self.job.namespace, &j.name, false).await {
                Ok(()) => tracing::info!(namespace = %self.job.namespace, name = %self.job.name,
                    job = %j.name, "removed a Job beyond the history limit"),
                Err(e) => {
                    tracing::warn!(namespace = %self.job.namespace, name = %self.job.name,
                        job = %j.name, error = %e, "cannot remove a finished Job");
                    return;
                }
            }
        }
    }

    async fn write_status(&mut self, status: Value) {
        if self.shared.dry_run {
            return;
        }
        let text = status.to_string();
        if self.last_status.as_deref() == Some(text.as_str()) {
            return;
        }
        match api::apply_status(
            &self.shared.kube,
            &self.job.namespace,
            &self.job.name,
            status,
        )
        .await
        {
            Ok(()) => self.last_status = Some(text),
            Err(e) => {
                tracing::warn!(namespace = %self.job.namespace, name = %self.job.name, error = %e, "could not write status")
            }
        }
    }

    async fn event(&self, warning: bool, reason: &str, note: String) {
        if self.shared.dry_run {
            return;
        }
        self.shared
            .kube
            .event(
                &reference(&self.job.namespace, &self.job.name, &self.job.uid),
                warning,
                reason,
                note,
            )
            .await;
    }
}
