//! Leader election over a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection` does
//! it, and the write gate every cluster write passes through.
//!
//! A standby never compares the Lease's `renewTime` with its own wall clock (clocks of two
//! nodes may disagree by minutes). It remembers when, by its own monotonic clock, it last saw
//! the Lease's record change, and takes the Lease only once a whole `leaseDurationSeconds` has
//! passed since then with no change. The leader renews every retry period and stops leading
//! when it has not renewed within the renew deadline, which is shorter than the Lease
//! duration: it closes the write gate before any standby may consider the Lease expired.

use std::time::Duration;

use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use kube::Client;
use tokio::sync::watch;
use tokio::time::Instant;

/// Whether this process may write to the cluster now: open while it leads (always, without
/// leader election). Every write checks it before it starts and is abandoned the moment it
/// closes, so a write still waiting on a slow API server never lands after a handover.
#[derive(Clone, Debug)]
pub struct WriteGate {
    /// `None`: no leader election, always open.
    leading: Option<watch::Receiver<bool>>,
}

impl WriteGate {
    pub fn always_open() -> WriteGate {
        WriteGate { leading: None }
    }

    pub fn is_open(&self) -> bool {
        self.leading.as_ref().is_none_or(|rx| *rx.borrow())
    }

    /// Resolves when the gate closes (never, when it is always open).
    pub async fn closed(&self) {
        let Some(rx) = &self.leading else {
            return std::future::pending().await;
        };
        let mut rx = rx.clone();
        if rx.wait_for(|open| !*open).await.is_err() {
            // The elector is gone; it closes the gate before it ends, so this is only reached
            // when the gate was already closed.
            if *rx.borrow() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Resolves when the gate opens; `false` if it never will (the elector has ended).
    pub async fn opened(&self) -> bool {
        let Some(rx) = &self.leading else {
            return true;
        };
        let mut rx = rx.clone();
        let opened = rx.wait_for(|open| *open).await.is_ok();
        opened
    }
}

/// Lease duration, renew deadline and retry period, in client-go's proportions (15 s, 10 s,
/// 2 s by default).
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    pub duration: Duration,
    pub renew_deadline: Duration,
    pub retry_period: Duration,
}

impl Timing {
    pub fn from_duration(seconds: u64) -> Timing {
        let duration = Duration::from_secs(seconds.max(2));
        Timing {
            duration,
            renew_deadline: duration * 2 / 3,
            retry_period: duration * 2 / 15,
        }
    }
}

pub struct Elector {
    api: Api<Lease>,
    name: String,
    identity: String,
    timing: Timing,
    /// Deadline of each API call (never beyond the renew deadline, which bounds renewals).
    call_timeout: Duration,
}

/// What a standby compares between two reads: any change means the holder is alive.
#[derive(Clone, Debug, PartialEq)]
struct Record {
    holder: String,
    acquire_time: Option<MicroTime>,
    renew_time: Option<MicroTime>,
    duration_seconds: Option<i32>,
    transitions: Option<i32>,
    resource_version: Option<String>,
}

impl Record {
    fn of(lease: &Lease) -> Record {
        let spec = lease.spec.clone().unwrap_or_default();
        Record {
            holder: spec.holder_identity.unwrap_or_default(),
            acquire_time: spec.acquire_time,
            renew_time: spec.renew_time,
            duration_seconds: spec.lease_duration_seconds,
            transitions: spec.lease_transitions,
            resource_version: lease.metadata.resource_version.clone(),
        }
    }
}

enum CallError {
    Conflict,
    Other(LeaseError),
}

/// Why a Lease call failed (a conflict aside, which each caller reads in its own way).
#[derive(Debug, thiserror::Error)]
enum LeaseError {
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("{}", super::kubeapi::describe(.0))]
    Api(#[source] kube::Error),
    #[error("conflict reading the Lease")]
    ConflictReading,
    #[error("the Lease keeps changing under its holder")]
    KeepsChanging,
}

/// Why this process stopped leading.
#[derive(Debug, thiserror::Error)]
enum Lost {
    #[error("{0:?} holds it now")]
    TakenBy(String),
    #[error("not renewed within the renew deadline ({0:?})")]
    NotRenewed(Duration),
}

enum Renewal {
    /// Renewed; the instant the request was sent (the Lease is ours from then on).
    Renewed(Instant),
    /// Someone else holds the Lease.
    Lost(String),
}

fn now() -> MicroTime {
    MicroTime(k8s_openapi::jiff::Timestamp::now())
}

impl Elector {
    pub fn new(
        client: Client,
        namespace: &str,
        name: &str,
        identity: &str,
        timing: Timing,
        call_timeout: Duration,
    ) -> Elector {
        Elector {
            api: Api::namespaced(client, namespace),
            name: name.to_owned(),
            identity: identity.to_owned(),
            timing,
            call_timeout: call_timeout.min(timing.renew_deadline),
        }
    }

    /// Starts electing. The gate opens while this process leads. Once `quit` turns true the
    /// gate closes, the Lease is released if held (so a standby takes over within its retry
    /// period, as client-go's ReleaseOnCancel), and the task ends.
    pub fn start(self, quit: watch::Receiver<bool>) -> (WriteGate, tokio::task::JoinHandle<()>) {
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(self.run(tx, quit));
        (WriteGate { leading: Some(rx) }, task)
    }

    async fn run(self, leading: watch::Sender<bool>, mut quit: watch::Receiver<bool>) {
        let mut observed: Option<(Record, Instant)> = None;
        loop {
            tracing::info!(lease = %self.name, "waiting for the Lease");
            let held = tokio::select! {
                held = self.acquire(&mut observed) => held,
                _ = quit.wait_for(|q| *q) => return,
            };
            let (mut lease, mut renewed) = held;
            leading.send_replace(true);
            tracing::info!(lease = %self.name, identity = %self.identity, "leading");
            let lost = tokio::select! {
                why = self.keep(&mut lease, &mut renewed) => Some(why),
                _ = quit.wait_for(|q| *q) => None,
            };
            // First of all: no write may start or finish from here on.
            leading.send_replace(false);
            match lost {
                Some(why) => {
                    tracing::warn!(lease = %self.name, %why, "lost the Lease; standing by");
                    observed = None;
                }
                None => {
                    self.release(lease).await;
                    return;
                }
            }
        }
    }

    async fn call<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, kube::Error>>,
    ) -> Result<T, CallError> {
        match tokio::time::timeout(self.call_timeout, call).await {
            Err(_) => Err(CallError::Other(LeaseError::Timeout(self.call_timeout))),
            Ok(Err(kube::Error::Api(s))) if s.code == 409 => Err(CallError::Conflict),
            Ok(Err(e)) => Err(CallError::Other(LeaseError::Api(e))),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Polls until the Lease is free or expired by observation, then takes it.
    async fn acquire(&self, observed: &mut Option<(Record, Instant)>) -> (Lease, Instant) {
        let mut failures = 0u32;
        loop {
            match self.try_acquire(observed).await {
                Ok(Some(held)) => return held,
                Ok(None) => failures = 0,
                Err(why) => {
                    failures += 1;
                    // The first failure is news; a run of them is one outage.
                    if failures == 1 {
                        tracing::warn!(lease = %self.name, %why, "cannot read or take the Lease; retrying");
                    } else {
                        tracing::debug!(lease = %self.name, %why, "cannot read or take the Lease");
                    }
                }
            }
            tokio::time::sleep(self.timing.retry_period).await;
        }
    }

    async fn try_acquire(
        &self,
        observed: &mut Option<(Record, Instant)>,
    ) -> Result<Option<(Lease, Instant)>, LeaseError> {
        let current = match self.call(self.api.get_opt(&self.name)).await {
            Ok(c) => c,
            Err(CallError::Conflict) => return Ok(None),
            Err(CallError::Other(why)) => return Err(why),
        };
        let Some(current) = current else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.name.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(self.spec(now(), 0)),
            };
            let sent = Instant::now();
            return match self
                .call(self.api.create(&PostParams::default(), &lease))
                .await
            {
                Ok(l) => Ok(Some((l, sent))),
                // Another candidate created it first.
                Err(CallError::Conflict) => Ok(None),
                Err(CallError::Other(why)) => Err(why),
            };
        };
        let record = Record::of(&current);
        let seen = Instant::now();
        let since = match observed {
            Some((r, at)) if *r == record => *at,
            _ => {
                *observed = Some((record.clone(), seen));
                seen
            }
        };
        let held_by_other = !record.holder.is_empty() && record.holder != self.identity;
        let duration = record
            .duration_seconds
            .and_then(|s| u64::try_from(s).ok())
            .map_or(self.timing.duration, |s| Duration::from_secs(s.max(1)));
        if held_by_other && seen < since + duration {
            return Ok(None);
        }
        let mut taken = current;
        let old = taken.spec.take().unwrap_or_default();
        let transitions = old.lease_transitions.unwrap_or(0);
        let spec = if record.holder == self.identity {
            // Ours already (a renewal that landed after its deadline): keep the acquire time.
            LeaseSpec {
                acquire_time: old.acquire_time.or_else(|| Some(now())),
                ..self.spec(now(), transitions)
            }
        } else {
            self.spec(now(), transitions.saturating_add(1))
        };
        taken.spec = Some(spec);
        let sent = Instant::now();
        match self
            .call(self.api.replace(&self.name, &PostParams::default(), &taken))
            .await
        {
            Ok(l) => Ok(Some((l, sent))),
            // Changed since it was read: the holder renewed, or another standby took it.
            Err(CallError::Conflict) => Ok(None),
            Err(CallError::Other(why)) => Err(why),
        }
    }

    fn spec(&self, at: MicroTime, transitions: i32) -> LeaseSpec {
        LeaseSpec {
            holder_identity: Some(self.identity.clone()),
            lease_duration_seconds: Some(
                i32::try_from(self.timing.duration.as_secs()).unwrap_or(i32::MAX),
            ),
            acquire_time: Some(at.clone()),
            renew_time: Some(at),
            lease_transitions: Some(transitions),
            ..LeaseSpec::default()
        }
    }

    /// Renews every retry period; returns why leadership ended.
    async fn keep(&self, lease: &mut Lease, renewed: &mut Instant) -> Lost {
        loop {
            let deadline = *renewed + self.timing.renew_deadline;
            let round = async {
                loop {
                    tokio::time::sleep(self.timing.retry_period).await;
                    match self.renew(lease).await {
                        Ok(Renewal::Renewed(at)) => return Ok(at),
                        Ok(Renewal::Lost(holder)) => {
                            return Err(Lost::TakenBy(holder));
                        }
                        Err(why) => {
                            tracing::warn!(lease = %self.name, %why, "cannot renew the Lease; retrying");
                        }
                    }
                }
            };
            match tokio::time::timeout_at(deadline, round).await {
                Ok(Ok(at)) => *renewed = at,
                Ok(Err(why)) => return why,
                Err(_) => return Lost::NotRenewed(self.timing.renew_deadline),
            }
        }
    }

    async fn renew(&self, lease: &mut Lease) -> Result<Renewal, LeaseError> {
        // One retry after a conflict: something other than a candidate (an administrator's
        // label, say) may have touched the Lease.
        for _ in 0..2 {
            let mut next = lease.clone();
            let old = next.spec.take().unwrap_or_default();
            next.spec = Some(LeaseSpec {
                acquire_time: old.acquire_time.clone(),
                ..self.spec(now(), old.lease_transitions.unwrap_or(0))
            });
            let sent = Instant::now();
            match self
                .call(self.api.replace(&self.name, &PostParams::default(), &next))
                .await
            {
                Ok(l) => {
                    *lease = l;
                    return Ok(Renewal::Renewed(sent));
                }
                Err(CallError::Other(why)) => return Err(why),
                Err(CallError::Conflict) => {
                    let current = match self.call(self.api.get(&self.name)).await {
                        Ok(c) => c,
                        Err(CallError::Conflict) => return Err(LeaseError::ConflictReading),
                        Err(CallError::Other(why)) => return Err(why),
                    };
                    let holder = Record::of(&current).holder;
                    if holder != self.identity {
                        return Ok(Renewal::Lost(holder));
                    }
                    *lease = current;
                }
            }
        }
        Err(LeaseError::KeepsChanging)
    }

    /// Hands the Lease over: no holder, so a standby takes it at its next look.
    async fn release(&self, mut lease: Lease) {
        let old = lease.spec.take().unwrap_or_default();
        let at = now();
        lease.spec = Some(LeaseSpec {
            holder_identity: None,
            lease_duration_seconds: Some(1),
            acquire_time: Some(at.clone()),
            renew_time: Some(at),
            lease_transitions: old.lease_transitions,
            ..LeaseSpec::default()
        });
        match self
            .call(self.api.replace(&self.name, &PostParams::default(), &lease))
            .await
        {
            Ok(_) => tracing::info!(lease = %self.name, "released the Lease"),
            Err(CallError::Conflict) => {
                tracing::info!(lease = %self.name, "the Lease changed hands before release");
            }
            Err(CallError::Other(why)) => {
                tracing::warn!(lease = %self.name, %why, "could not release the Lease; it expires on its own");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_keeps_client_go_proportions() {
        let t = Timing::from_duration(15);
        assert_eq!(t.renew_deadline, Duration::from_secs(10));
        assert_eq!(t.retry_period, Duration::from_secs(2));
        let short = Timing::from_duration(3);
        assert!(short.retry_period < short.renew_deadline);
        assert!(short.renew_deadline < short.duration);
    }

    #[test]
    fn lease_failures_read_as_the_log_has_always_said() {
        assert_eq!(
            Lost::TakenBy("host-b".into()).to_string(),
            "\"host-b\" holds it now"
        );
        assert_eq!(
            Lost::NotRenewed(Duration::from_secs(10)).to_string(),
            "not renewed within the renew deadline (10s)"
        );
        assert_eq!(
            LeaseError::Timeout(Duration::from_secs(2)).to_string(),
            "no answer within 2s"
        );
    }

    #[tokio::test]
    async fn an_always_open_gate_never_closes() {
        let g = WriteGate::always_open();
        assert!(g.is_open());
        assert!(g.opened().await);
        let closed = tokio::time::timeout(Duration::from_millis(20), g.closed()).await;
        assert!(closed.is_err());
    }

    #[tokio::test]
    async fn a_gate_follows_its_elector() {
        let (tx, rx) = watch::channel(true);
        let g = WriteGate { leading: Some(rx) };
        assert!(g.is_open());
        tx.send_replace(false);
        assert!(!g.is_open());
        tokio::time::timeout(Duration::from_millis(100), g.closed())
            .await
            .unwrap();
        drop(tx);
        assert!(!g.opened().await);
    }
}
