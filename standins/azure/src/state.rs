//! What the stand-in knows: namespaces and their entities, SAS keys, Entra clients, issued
//! tokens, pending faults, and a record of every request.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::{Fault, RequestRecord};

#[derive(Default)]
pub struct Namespace {
    pub queues: BTreeMap<String, i64>,
    pub topics: BTreeMap<String, BTreeMap<String, i64>>,
    /// key name -> (key, may manage). Only Manage keys may read entities.
    pub keys: BTreeMap<String, (String, bool)>,
    /// Event hub -> its partitions (ids `0`, `1`, ...).
    pub event_hubs: BTreeMap<String, Vec<crate::eventhub::Partition>>,
}

pub struct IssuedToken {
    pub expires_at: Instant,
    /// The resource the scope named (`https://servicebus.azure.net`, `https://storage.azure.com`).
    pub audience: String,
    pub client_id: String,
}

#[derive(Default)]
pub struct StorageQueue {
    pub visible: i64,
    /// Dequeued, not yet deleted: counted by the approximate count, never peeked.
    pub invisible: i64,
}

#[derive(Default)]
pub struct StorageAccount {
    /// The AccountKey, base64.
    pub key: String,
    pub queues: BTreeMap<String, StorageQueue>,
    /// Container -> blob names (listed in name order, as the service does).
    pub containers: BTreeMap<String, BTreeSet<String>>,
    /// Client ids holding a Storage Queue data role on the account.
    pub readers: BTreeSet<String>,
    /// (container, blob) -> what Get Blob answers (a listed name without an entry is empty).
    pub blob_contents: BTreeMap<(String, String), crate::blob::BlobContent>,
}

pub struct State {
    pub namespaces: BTreeMap<String, Namespace>,
    pub storage: BTreeMap<String, StorageAccount>,
    /// Entries per List Blobs page when the request names no `maxresults`.
    pub blob_page_size: usize,
    pub clients: BTreeSet<(String, String)>,
    /// The service account token Entra must be shown; `None` accepts any non-empty assertion.
    pub federated_token: Option<String>,
    pub token_lifetime: Duration,
    pub tokens: HashMap<String, IssuedToken>,
    pub token_requests: u64,
    pub faults: VecDeque<(Fault, u32)>,
    pub records: Vec<RequestRecord>,
    /// Bytes of `UserMetadata` every entity answer carries.
    pub entry_padding: usize,
    /// Makes keys and tokens differ between runs and between calls.
    pub seed: u64,
    /// Resource id (lower-case) -> metric name (lower-case) -> metric, for Azure Monitor.
    pub monitor: BTreeMap<String, BTreeMap<String, crate::monitor::Metric>>,
    /// Client ids holding Monitoring Reader.
    pub monitor_readers: BTreeSet<String>,
    /// (tenant, client id) -> the service principal's client secret.
    pub client_secrets: BTreeMap<(String, String), String>,
    /// Log Analytics workspace id (lower-case) -> query text -> its result.
    pub log_workspaces: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Client ids holding Log Analytics Reader.
    pub log_readers: BTreeSet<String>,
    /// Application Insights app id (lower-case) -> metric id -> value (`None`: null).
    pub app_insights: BTreeMap<String, BTreeMap<String, Option<f64>>>,
    /// Client ids that may read Application Insights metrics.
    pub app_insights_readers: BTreeSet<String>,
    /// Data Explorer clusters by name.
    pub kusto: BTreeMap<String, crate::kusto::Cluster>,
    /// Azure DevOps organizations by name.
    pub devops: BTreeMap<String, crate::devops::Organization>,
    /// Resource Manager's user-assigned identities.
    pub arm: Vec<crate::arm::Identity>,
}

impl State {
    /// The client a request's `Authorization: Bearer` token was issued to, when this stand-in
    /// issued it for `audience` and it has not expired.
    pub fn bearer_client(&self, authorization: &str, audience: &str) -> Option<String> {
        let token = authorization.strip_prefix("Bearer ")?;
        self.tokens
            .get(token)
            .filter(|t| t.audience == audience && Instant::now() < t.expires_at)
            .map(|t| t.client_id.clone())
    }

    pub fn new(seed: u64) -> State {
        State {
            namespaces: BTreeMap::new(),
            storage: BTreeMap::new(),
            blob_page_size: 5000,
            clients: BTreeSet::new(),
            federated_token: None,
            token_lifetime: Duration::from_secs(3600),
            tokens: HashMap::new(),
            token_requests: 0,
            faults: VecDeque::new(),
            records: Vec::new(),
            entry_padding: 0,
            seed,
            monitor: BTreeMap::new(),
            monitor_readers: BTreeSet::new(),
            client_secrets: BTreeMap::new(),
            log_workspaces: BTreeMap::new(),
            log_readers: BTreeSet::new(),
            app_insights: BTreeMap::new(),
            app_insights_readers: BTreeSet::new(),
            kusto: BTreeMap::new(),
            devops: BTreeMap::new(),
            arm: Vec::new(),
        }
    }

    pub fn namespace(&mut self, name: &str) -> &mut Namespace {
        self.namespaces.entry(name.to_owned()).or_default()
    }

    /// A fresh random-looking value (hex of a hash of the seed and a counter).
    pub fn fresh(&mut self, label: &str) -> String {
        use sha2::{Digest, Sha256};
        self.seed = self.seed.wrapping_add(1);
        let digest = Sha256::digest(format!("{label}/{}", self.seed).as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The first pending fault for this kind of request, used up by one.
    pub fn take_fault(&mut self, token_endpoint: bool, path: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|(f, left)| {
            *left > 0
                && f.token_endpoint == token_endpoint
                && f.path_contains.as_deref().is_none_or(|p| path.contains(p))
        })?;
        let (fault, left) = self.faults.get_mut(index)?;
        *left -= 1;
        let fault = fault.clone();
        if *left == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }
}
