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

/// Hostile values in every parameter the module scalers read, one value at a time: they
/// must come back as findings, never as a panic or a runaway allocation.
#[test]
fn hostile_values_never_panic() {
    const KEYS: &[&str] = &[
        "queueName",
        "mode",
        "queueLength",
        "value",
        "activationValue",
        "host",
        "protocol",
        "vhostName",
        "useRegex",
        "pageSize",
        "timeout",
        "tls",
        "cert",
        "key",
        "username",
        "password",
        "endpointParams",
        "scopes",
        "oauthTokenURI",
        "clientID",
        "clientSecret",
        "address",
        "addresses",
        "hosts",
        "ports",
        "listName",
        "listLength",
        "databaseIndex",
        "enableTLS",
        "stream",
        "consumerGroup",
        "lagCount",
        "bootstrapServers",
        "topic",
        "partitionLimitation",
        "lagThreshold",
        "version",
        "sasl",
        "saslTokenProvider",
        "oauthExtensions",
        "awsRegion",
        "offsetResetPolicy",
    ];
    const VALUES: &[&str] = &[
        "null",
        "-",
        "--",
        "0-99999999999,1-2-3",
        "%",
        "%a\u{e9}",
        "http://h:p/%zz",
        "\u{1}x",
        ":",
        "[",
        "1e999",
        "-9223372036854775809",
        "é,é;é",
        "a=b=c",
        "=,=",
        "0-2147483647",
        "1h-1m",
        "99999999999h",
        "\u{7f}",
        " , ,",
        "true,false",
    ];
    for m in super::MODULES {
        for t in m.types {
            for k in KEYS {
                for v in VALUES {
                    let pairs = [
                        (*k, *v),
                        ("bootstrapServers", "k:9092"),
                        ("consumerGroup", "g"),
                    ];
                    let _ = Trigger::new(t).meta(&pairs).parse();
                    let _ = Trigger::new(t).auth(&pairs).parse();
                }
            }
        }
    }
}
