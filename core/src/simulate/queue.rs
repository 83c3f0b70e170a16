//! A message queue feeding one trigger, for capacity planning: arrivals, pods that each
//! handle a number of messages per second once started, and the resulting queue length,
//! message wait and pod-seconds.
//!
//! JSON (the optional `queue` object of a scenario):
//! ```json
//! {"trigger": "orders",
//!  "initialMessages": 0,
//!  "bursts": [{"t": 10, "messages": 100}],
//!  "arrivalRate": 0.5,
//!  "messagesPerPodPerSecond": 0.1,
//!  "podStartupSeconds": 0,
//!  "duration": 900}
//! ```
//! `arrivalRate` (messages per second) is a number or a series `[{"t": 0, "rate": 2}, ...]`
//! (each rate holds from its `t` until the next). The queue advances in one-second steps;
//! the trigger reads the whole messages waiting. A pod counts toward pod-seconds from the
//! moment it is requested; it drains the queue only `podStartupSeconds` later. Scale-in
//! removes the newest pods first (the unready ones, as the ReplicaSet controller does).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ArrivalRate {
    /// Messages per second, all the run.
    Constant(f64),
    /// A step function: each rate holds from its `t` until the next point's.
    Series(Vec<RatePoint>),
}

impl Default for ArrivalRate {
    fn default() -> Self {
        ArrivalRate::Constant(0.0)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RatePoint {
    /// Seconds since t=0.
    pub t: i64,
    /// Messages per second from `t` on.
    pub rate: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// Seconds since t=0.
    pub t: i64,
    /// Messages added at once.
    pub messages: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QueueModel {
    /// The trigger the queue feeds (its `name`, else `s{index}`); default: the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
    /// Messages waiting at t=0.
    #[serde(default)]
    pub initial_messages: f64,
    /// Messages added at once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bursts: Vec<Burst>,
    /// Messages arriving per second: a number, or a step function `[{"t", "rate"}]`.
    #[serde(default)]
    pub arrival_rate: ArrivalRate,
    /// What one ready pod drains, messages per second.
    pub messages_per_pod_per_second: f64,
    /// Seconds from a pod being requested to it draining the queue.
    #[serde(default)]
    pub pod_startup_seconds: i64,
    /// Simulated seconds (default: the scenario's `until`, else 900).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
}

/// What the run cost and how long messages waited.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct QueueSummary {
    /// Messages that arrived (initial ones, bursts and the arrival rate).
    pub messages_arrived: f64,
    /// Messages the pods drained.
    pub messages_processed: f64,
    /// Messages still waiting at the end.
    pub messages_left: f64,
    /// Pod-seconds used (from each pod's request to its removal).
    pub pod_seconds: f64,
    /// Mean wait of the messages drained, seconds.
    pub mean_wait_seconds: f64,
    /// Longest wait of a message drained, seconds.
    pub max_wait_seconds: f64,
    /// Most messages waiting at once.
    pub peak_queue_length: f64,
    /// Most replicas at once.
    pub peak_replicas: i64,
    /// The last time the queue became empty (and stayed so); absent if it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "i64"))]
    pub queue_empty_at: Option<i64>,
    /// The last time replicas reached 0 (and stayed so); absent if they did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "json-schema", schemars(with = "i64"))]
    pub zero_replicas_at: Option<i64>,
}

/// The queue's state as time advances.
#[derive(Clone, Debug)]
pub struct QueueSim {
    model: QueueModel,
    now: i64,
    /// FIFO of `(arrival second, messages)`.
    waiting: VecDeque<(i64, f64)>,
    length: f64,
    /// Requested pods as `(ready at, pods requested up to and including this batch)`,
    /// oldest first (so ready-at times ascend). Cumulative counts answer "how many are
    /// ready" by binary search: the queue advances second by second, and a scenario that
    /// adds one pod per HPA sync would otherwise sum tens of thousands of batches each second.
    pods: Vec<(i64, i64)>,
    /// Bursts sorted by time, and the next one to arrive.
    bursts: Vec<Burst>,
    next_burst: usize,
    /// Rate points sorted by time, the next one to apply, and the rate in force.
    rates: Vec<RatePoint>,
    next_rate: usize,
    rate: f64,
    pub summary: QueueSummary,
    wait_sum: f64,
}

const EPS: f64 = 1e-9;

impl QueueSim {
    pub fn new(model: &QueueModel) -> QueueSim {
        let mut sim = QueueSim {
            model: model.clone(),
            now: 0,
            waiting: VecDeque::new(),
            length: 0.0,
            pods: Vec::new(),
            bursts: {
                let mut b = model.bursts.clone();
                crate::sort::sort_by_key(&mut b, |b| b.t);
                b
            },
            next_burst: 0,
            rates: match &model.arrival_rate {
                ArrivalRate::Constant(_) => Vec::new(),
                ArrivalRate::Series(p) => {
                    let mut p = p.clone();
                    crate::sort::sort_by_key(&mut p, |p| p.t);
                    p
                }
            },
            next_rate: 0,
            rate: match &model.arrival_rate {
                ArrivalRate::Constant(r) => *r,
                ArrivalRate::Series(_) => 0.0,
            },
            summary: QueueSummary::default(),
            wait_sum: 0.0,
        };
        if model.initial_messages > 0.0 {
            sim.arrive(0, model.initial_messages);
        }
        sim
    }

    fn arrive(&mut self, t: i64, n: f64) {
        if n <= 0.0 || !n.is_finite() {
            return;
        }
        self.waiting.push_back((t, n));
        self.length += n;
        self.summary.messages_arrived += n;
        self.summary.peak_queue_length = self.summary.peak_queue_length.max(self.length);
    }

    fn rate_at(&mut self, t: i64) -> f64 {
        while let Some(p) = self.rates.get(self.next_rate) {
            if p.t > t {
                break;
            }
            self.rate = p.rate;
            self.next_rate += 1;
        }
        self.rate
    }

    /// Whole messages waiting, as a queue scaler reports them.
    pub fn length(&self) -> f64 {
        (self.length + EPS).floor().max(0.0)
    }

    /// Pod-seconds used so far.
    pub fn pod_seconds(&self) -> f64 {
        self.summary.pod_seconds
    }

    /// How long the oldest waiting message has waited.
    pub fn oldest_wait(&self) -> i64 {
        self.waiting
            .front()
            .map_or(0, |(t, _)| self.now.saturating_sub(*t))
    }

    pub fn ready_pods(&self) -> i64 {
        let ready = self
            .pods
            .partition_point(|(ready_at, _)| *ready_at <= self.now);
        ready
            .checked_sub(1)
            .and_then(|i| self.pods.get(i))
            .map_or(0, |(_, total)| *total)
    }

    fn requested(&self) -> i64 {
        self.pods.last().map_or(0, |(_, total)| *total)
    }

    /// Applies a replica count decided at the current time.
    pub fn set_replicas(&mut self, replicas: i64) {
        let replicas = replicas.max(0);
        let have = self.requested();
        if replicas > have {
            let ready_at = self
                .now
                .saturating_add(self.model.pod_startup_seconds.max(0));
            match self.pods.last_mut() {
                Some((at, total)) if *at == ready_at => *total = replicas,
                _ => self.pods.push((ready_at, replicas)),
            }
        } else {
            // Newest (latest ready-at) removed first: drop whole batches above the new count,
            // then trim the one it falls in.
            while self.pods.len() > 1
                && self
                    .pods
                    .get(self.pods.len() - 2)
                    .is_some_and(|(_, below)| *below >= replicas)
            {
                self.pods.pop();
            }
            match self.pods.last_mut() {
                Some((_, total)) if replicas > 0 => *total = replicas.min(*total),
                Some(_) => self.pods.clear(),
                None => {}
            }
        }
        self.summary.peak_replicas = self.summary.peak_replicas.max(replicas);
        if replicas == 0 {
            if self.summary.zero_replicas_at.is_none() {
                self.summary.zero_replicas_at = Some(self.now);
            }
        } else {
            self.summary.zero_replicas_at = None;
        }
    }

    /// Advances one second at a time up to `t`.
    pub fn advance_to(&mut self, t: i64) {
        while self.now < t {
            let s = self.now;
            let mut bursts = 0.0;
            while let Some(b) = self.bursts.get(self.next_burst) {
                if b.t > s {
                    break;
                }
                bursts += b.messages;
                self.next_burst += 1;
            }
            self.arrive(s, bursts);
            let rate = self.rate_at(s);
            self.arrive(s, rate);
            let capacity =
                self.ready_pods() as f64 * self.model.messages_per_pod_per_second.max(0.0);
            self.process(s + 1, capacity);
            self.summary.pod_seconds += self.requested() as f64;
            self.now = s + 1;
            if self.length <= EPS {
                if self.summary.queue_empty_at.is_none() && self.summary.messages_arrived > 0.0 {
                    self.summary.queue_empty_at = Some(self.now);
                }
            } else {
                self.summary.queue_empty_at = None;
            }
        }
    }

    fn process(&mut self, done_at: i64, mut capacity: f64) {
        while capacity > EPS {
            let Some(front) = self.waiting.front_mut() else {
                break;
            };
            let n = front.1.min(capacity);
            let wait = (done_at - front.0) as f64;
            self.wait_sum += wait * n;
            self.summary.max_wait_seconds = self.summary.max_wait_seconds.max(wait);
            self.summary.messages_processed += n;
            self.length -= n;
            capacity -= n;
            front.1 -= n;
            if front.1 <= EPS {
                self.waiting.pop_front();
            }
        }
        if self.length < EPS {
            self.length = 0.0;
        }
    }

    pub fn finish(&mut self) -> QueueSummary {
        let mut s = self.summary.clone();
        s.messages_left = self.length;
        s.mean_wait_seconds = if s.messages_processed > 0.0 {
            self.wait_sum / s.messages_processed
        } else {
            0.0
        };
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(rate: f64, per_pod: f64, startup: i64) -> QueueModel {
        QueueModel {
            trigger: None,
            initial_messages: 0.0,
            bursts: vec![Burst {
                t: 0,
                messages: 10.0,
            }],
            arrival_rate: ArrivalRate::Constant(rate),
            messages_per_pod_per_second: per_pod,
            pod_startup_seconds: startup,
            duration: None,
        }
    }

    #[test]
    fn pods_drain_after_start_up_and_waits_are_counted() {
        let mut q = QueueSim::new(&model(0.0, 1.0, 3));
        q.set_replicas(2);
        q.advance_to(3);
        assert_eq!(q.length(), 10.0, "pods not ready before 3 s");
        assert_eq!(q.ready_pods(), 2);
        q.advance_to(8);
        assert_eq!(q.length(), 0.0);
        let s = q.finish();
        assert_eq!(s.messages_processed, 10.0);
        assert_eq!(s.queue_empty_at, Some(8));
        assert_eq!(s.pod_seconds, 16.0);
        assert_eq!(s.max_wait_seconds, 8.0);
        assert!(
            (s.mean_wait_seconds - 6.0).abs() < 1e-9,
            "{}",
            s.mean_wait_seconds
        );
    }

    #[test]
    fn scale_in_removes_unready_pods_first_and_rates_follow_the_series() {
        let mut m = model(0.0, 1.0, 5);
        m.arrival_rate = ArrivalRate::Series(vec![
            RatePoint { t: 2, rate: 3.0 },
            RatePoint { t: 4, rate: 0.0 },
        ]);
        let mut q = QueueSim::new(&m);
        q.set_replicas(1);
        q.advance_to(5);
        q.set_replicas(4);
        q.set_replicas(2);
        assert_eq!(q.ready_pods(), 1, "the unready new pods went first");
        q.advance_to(6);
        let s = q.finish();
        assert_eq!(s.messages_arrived, 16.0);
        assert_eq!(s.peak_replicas, 4);
    }

    /// Pods per batch, kept the plain way: what the cumulative counts must agree with.
    struct Batches(Vec<(i64, i64)>);

    impl Batches {
        fn set(&mut self, now: i64, startup: i64, replicas: i64) {
            let have: i64 = self.0.iter().map(|b| b.1).sum();
            if replicas > have {
                match self.0.last_mut() {
                    Some((at, n)) if *at == now + startup => *n += replicas - have,
                    _ => self.0.push((now + startup, replicas - have)),
                }
            } else {
                let mut remove = have - replicas;
                while remove > 0 {
                    let Some((_, n)) = self.0.last_mut() else {
                        break;
                    };
                    let k = remove.min(*n);
                    *n -= k;
                    remove -= k;
                    if *n == 0 {
                        self.0.pop();
                    }
                }
            }
        }

        fn ready(&self, now: i64) -> i64 {
            self.0.iter().filter(|b| b.0 <= now).map(|b| b.1).sum()
        }
    }

    #[test]
    fn cumulative_batches_agree_with_counting_each_batch() {
        let startup = 7;
        let mut q = QueueSim::new(&model(1.0, 0.5, startup));
        let mut plain = Batches(Vec::new());
        // Ups and downs of every size, some in the same second, some crossing batches.
        let mut replicas = 0i64;
        for second in 0..400i64 {
            q.advance_to(second);
            if second % 3 == 0 {
                replicas = (replicas + (second * 37 % 11) - 4).clamp(0, 60);
                q.set_replicas(replicas);
                plain.set(second, startup, replicas);
                if second % 9 == 0 {
                    let again = (replicas * 2 + 3) % 50;
                    q.set_replicas(again);
                    plain.set(second, startup, again);
                    replicas = again;
                }
            }
            assert_eq!(q.requested(), plain.0.iter().map(|b| b.1).sum::<i64>());
            assert_eq!(q.ready_pods(), plain.ready(second), "at {second}");
        }
    }
}
