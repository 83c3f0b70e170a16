//! A trigger built in a test, read the way the operator reads it.

use std::collections::BTreeMap;

use super::{ScalerError, ScalerMetric, TriggerInput};

pub struct Trigger {
    trigger_type: &'static str,
    index: usize,
    metadata: BTreeMap<String, String>,
    auth: BTreeMap<String, String>,
    env: BTreeMap<String, String>,
    pod_identity: Option<&'static str>,
    metric_type: Option<&'static str>,
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

impl Trigger {
    pub fn new(trigger_type: &'static str) -> Self {
        Trigger {
            trigger_type,
            index: 0,
            metadata: BTreeMap::new(),
            auth: BTreeMap::new(),
            env: BTreeMap::new(),
            pod_identity: None,
            metric_type: None,
        }
    }
    pub fn meta(mut self, pairs: &[(&str, &str)]) -> Self {
        self.metadata = map(pairs);
        self
    }
    pub fn auth(mut self, pairs: &[(&str, &str)]) -> Self {
        self.auth = map(pairs);
        self
    }
    pub fn env(mut self, pairs: &[(&str, &str)]) -> Self {
        self.env = map(pairs);
        self
    }
    pub fn index(mut self, index: usize) -> Self {
        self.index = index;
        self
    }
    pub fn pod_identity(mut self, provider: &'static str) -> Self {
        self.pod_identity = Some(provider);
        self
    }
    pub fn metric_type(mut self, metric_type: &'static str) -> Self {
        self.metric_type = Some(metric_type);
        self
    }
    pub fn parse(&self) -> Result<ScalerMetric, Vec<ScalerError>> {
        super::parse(&TriggerInput {
            trigger_type: self.trigger_type,
            index: self.index,
            metadata: &self.metadata,
            auth_params: &self.auth,
            env: &self.env,
            pod_identity: self.pod_identity,
            metric_type: self.metric_type,
            namespace: "default",
        })
        .map(|p| p.metric())
    }
    /// The error messages, in KEDA's order (empty when the trigger builds).
    pub fn messages(&self) -> Vec<String> {
        self.parse()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.message)
            .collect()
    }
}
