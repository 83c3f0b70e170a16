//! The state the two loops share, and the HPA controller's in-memory history.

/// `{recommendation, timestamp}` kept by the HPA controller per HPA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub t: i64,
    pub replicas: i64,
}

/// `{replicaChange, timestamp, outdated}`: a write by the HPA itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleEvent {
    pub t: i64,
    pub change: i64,
    pub outdated: bool,
}

/// Controller memory, keyed by the HPA object: dropped when KEDA deletes the HPA.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HpaMemory {
    pub initialized: bool,
    pub recommendations: Vec<Recommendation>,
    pub up_events: Vec<ScaleEvent>,
    pub down_events: Vec<ScaleEvent>,
}

impl HpaMemory {
    pub fn reset(&mut self) {
        self.initialized = false;
        self.recommendations.clear();
        self.up_events.clear();
        self.down_events.clear();
    }
}

/// The `useCachedMetrics` record a poll leaves for the HPA.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CachedRecord {
    /// The metric after fallback; `None` when the poll ended in an error.
    pub value: Option<f64>,
    pub active: bool,
}

/// A condition as `(status, reason)`, e.g. `("True", "ScalerActive")`.
pub type Condition = (&'static str, &'static str);

#[derive(Clone, Debug, PartialEq)]
pub struct Conditions {
    pub ready: Condition,
    pub active: Condition,
    pub fallback: Condition,
    pub paused: Condition,
    pub scaling_active: Condition,
}

impl Default for Conditions {
    fn default() -> Self {
        Conditions {
            ready: ("True", "ScaledObjectReady"),
            active: ("False", "ScalerNotActive"),
            fallback: ("False", "NoFallbackFound"),
            paused: ("False", "ScaledObjectUnpaused"),
            scaling_active: ("True", "ValidMetricFound"),
        }
    }
}

/// Everything that carries over from one tick to the next.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The target's `spec.replicas` as last written or observed.
    pub replicas: i64,
    pub last_active_time: Option<i64>,
    pub creation_time: i64,
    /// `status.health[metric].numberOfFailures`, per trigger.
    pub failures: Vec<i64>,
    pub cache: Vec<Option<CachedRecord>>,
    pub hpa: HpaMemory,
    /// The HPA object exists (deleted while paused).
    pub hpa_exists: bool,
    /// The scale loop runs (stopped while paused).
    pub loop_running: bool,
    pub paused_replica_count: Option<i64>,
    pub original_replica_count: Option<i64>,
    pub conditions: Conditions,
    /// Result of the last poll.
    pub active: bool,
}

/// Where a simulation starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Initial {
    pub replicas: i64,
    pub last_active_time: Option<i64>,
    pub creation_time: i64,
}

impl Default for Initial {
    fn default() -> Self {
        Initial {
            replicas: 0,
            last_active_time: None,
            creation_time: -1,
        }
    }
}

impl State {
    pub fn new(init: Initial, triggers: usize) -> State {
        State {
            replicas: init.replicas,
            last_active_time: init.last_active_time,
            creation_time: init.creation_time,
            failures: vec![0; triggers],
            cache: vec![None; triggers],
            hpa: HpaMemory::default(),
            hpa_exists: true,
            loop_running: true,
            paused_replica_count: None,
            original_replica_count: Some(init.replicas),
            conditions: Conditions::default(),
            active: false,
        }
    }
}
