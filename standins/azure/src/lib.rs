//! A loopback Azure for tests and `scalecore demo`: one HTTPS port that answers as Entra ID's
//! token endpoint, as the Service Bus management API of any namespace
//! (`<ns>.servicebus.localhost:<port>`; `127.0.0.1:<port>` and `localhost:<port>` mean the
//! namespace `default`) and as the Queue and Blob services of storage accounts
//! (`<account>.queue.localhost:<port>`: Get Queue Metadata, Peek Messages;
//! `<account>.blob.localhost:<port>`: List Blobs) and as Resource Manager
//! (`management.localhost:<port>`: Azure Monitor's Metrics - List, user-assigned identities and
//! their federated credentials) and Log Analytics (`api.loganalytics.localhost:<port>`: query)
//! and Application Insights (`api.applicationinsights.localhost:<port>`: metrics). Entra answers
//! the client-credentials grant with a federated assertion or a client secret. Its certificate
//! comes from a CA made at start (`ca_pem`). Event hubs live on the namespaces' hosts (Get Event
//! Hub, Get Partition), their checkpoints in blobs (Get Blob with `x-ms-meta-*` metadata). It also
//! serves Azure Data Explorer clusters (`<cluster>.kusto.localhost:<port>`: auth metadata, v2
//! queries) and Azure DevOps (`dev.azure.localhost:<port>/<organization>`: agent pools, job
//! requests).

mod app_insights;
mod arm;
mod atom;
mod devops;
mod entra;
mod kusto;
mod log_analytics;
mod monitor;
mod server;
mod servicebus;
mod state;
mod storage;
mod tls;

mod blob;
mod eventhub;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use state::State;

/// The key name `connection_string` uses (the policy every namespace has in Azure).
pub const ROOT_KEY_NAME: &str = "RootManageSharedAccessKey";
/// A policy without Manage rights: reads are refused with 401, as in Azure.
pub const LISTEN_KEY_NAME: &str = "ListenOnly";

/// A misbehaviour for the next `times` matching requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fault {
    /// Answer with this status (and an `<Error>` body, or Entra error JSON) instead of the real answer.
    pub status: Option<u16>,
    /// Sent as `Retry-After: <seconds>` (whole seconds) or, below one second, `retry-after-ms`.
    pub retry_after: Option<Duration>,
    /// Wait this long before answering.
    pub delay: Duration,
    /// Answer 200 but leave `CountDetails` out (KEDA's documented throttling symptom).
    pub missing_count_details: bool,
    pub times: u32,
    /// Apply to the Entra token endpoint instead of Service Bus.
    pub token_endpoint: bool,
    /// Apply only to requests whose path holds this text.
    pub path_contains: Option<String>,
    /// Answer the status alone: no body and no error code, as a proxy in front of the service
    /// may.
    pub bare: bool,
}

impl Fault {
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            times: 1,
            ..Fault::default()
        }
    }

    pub fn delay(delay: Duration) -> Fault {
        Fault {
            delay,
            times: 1,
            ..Fault::default()
        }
    }

    pub fn missing_count_details() -> Fault {
        Fault {
            missing_count_details: true,
            times: 1,
            ..Fault::default()
        }
    }

    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    pub fn retry_after(mut self, wait: Duration) -> Fault {
        self.retry_after = Some(wait);
        self
    }

    /// Only requests whose path holds `text` meet the fault.
    pub fn on_path(mut self, text: &str) -> Fault {
        self.path_contains = Some(text.to_owned());
        self
    }

    /// The status alone, without a body or an error code.
    pub fn bare(mut self) -> Fault {
        self.bare = true;
        self
    }

    pub fn on_token_endpoint(mut self) -> Fault {
        self.token_endpoint = true;
        self
    }
}

/// The credential kind a request carried; never the credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    None,
    SharedAccessSignature,
    Bearer,
    /// A bare token without the `Bearer ` prefix (what the Go SDK sends).
    RawToken,
    /// Storage's `SharedKey <account>:<signature>`.
    SharedKey,
    /// `Basic <base64(user:password)>` (Azure DevOps' personal access tokens).
    Basic,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub method: String,
    /// The Host header, port included.
    pub host: String,
    /// Path and query.
    pub path: String,
    pub auth: AuthKind,
    pub status: u16,
}

pub(crate) struct Shared {
    pub state: Mutex<State>,
    pub port: u16,
}

impl Shared {
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running stand-in; dropping it stops the server.
pub struct AzureStandin {
    shared: Arc<Shared>,
    ca_pem: Vec<u8>,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl std::fmt::Debug for AzureStandin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureStandin")
            .field("port", &self.shared.port)
            .finish_non_exhaustive()
    }
}

impl AzureStandin {
    /// Binds 127.0.0.1 on a free port and serves until `shutdown` or drop.
    pub async fn start() -> std::io::Result<AzureStandin> {
        let tls = tls::generate()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let port = listener.local_addr()?.port();
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(port);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(seed)),
            port,
        });
        let (stop, stopped) = tokio::sync::oneshot::channel();
        tokio::spawn(server::serve(listener, tls.server, shared.clone(), stopped));
        Ok(AzureStandin {
            shared,
            ca_pem: tls.ca_pem,
            stop: Mutex::new(Some(stop)),
        })
    }

    pub fn port(&self) -> u16 {
        self.shared.port
    }

    /// `https://127.0.0.1:<port>/`: set as AZURE_AUTHORITY_HOST (or identityAuthorityHost).
    pub fn authority_host(&self) -> String {
        format!("https://127.0.0.1:{}/", self.shared.port)
    }

    /// `servicebus.localhost:<port>`: the `endpointSuffix` of a trigger with `cloud: Private`.
    pub fn endpoint_suffix(&self) -> String {
        format!("servicebus.localhost:{}", self.shared.port)
    }

    /// `<namespace>.servicebus.localhost:<port>`.
    pub fn host(&self, namespace: &str) -> String {
        format!("{namespace}.{}", self.endpoint_suffix())
    }

    fn key(&self, namespace: &str, key_name: &str, manage: bool) -> String {
        let mut state = self.shared.state();
        if let Some((key, _)) = state.namespace(namespace).keys.get(key_name) {
            return key.clone();
        }
        let key = state.fresh("sas-key");
        state
            .namespace(namespace)
            .keys
            .insert(key_name.to_owned(), (key.clone(), manage));
        key
    }

    /// A connection string with Manage rights for `namespace` (made on first use).
    pub fn connection_string(&self, namespace: &str) -> String {
        let key = self.key(namespace, ROOT_KEY_NAME, true);
        format!(
            "Endpoint=sb://{}/;SharedAccessKeyName={ROOT_KEY_NAME};SharedAccessKey={key}",
            self.host(namespace)
        )
    }

    /// A connection string whose policy lacks Manage: every read answers 401.
    pub fn listen_only_connection_string(&self, namespace: &str) -> String {
        let key = self.key(namespace, LISTEN_KEY_NAME, false);
        format!(
            "Endpoint=sb://{}/;SharedAccessKeyName={LISTEN_KEY_NAME};SharedAccessKey={key}",
            self.host(namespace)
        )
    }

    /// `localhost:<port>`: the `EndpointSuffix` of a storage connection string, so the queue
    /// service is `https://<account>.queue.localhost:<port>`.
    pub fn storage_endpoint_suffix(&self) -> String {
        format!("localhost:{}", self.shared.port)
    }

    /// `queue.localhost:<port>`: a queue trigger's `endpointSuffix` with `cloud: Private`, and
    /// the suffix `--allowed-endpoint-suffix` names.
    pub fn queue_endpoint_suffix(&self) -> String {
        format!("queue.localhost:{}", self.shared.port)
    }

    /// `blob.localhost:<port>`: a blob trigger's `endpointSuffix` with `cloud: Private`.
    pub fn blob_endpoint_suffix(&self) -> String {
        format!("blob.localhost:{}", self.shared.port)
    }

    /// `https://<account>.queue.localhost:<port>`.
    pub fn queue_service_url(&self, account: &str) -> String {
        format!("https://{account}.{}", self.queue_endpoint_suffix())
    }

    /// The account's AccountKey (base64; made on first use).
    pub fn storage_account_key(&self, account: &str) -> String {
        let mut state = self.shared.state();
        if let Some(a) = state.storage.get(account).filter(|a| !a.key.is_empty()) {
            return a.key.clone();
        }
        let raw = state.fresh("account-key");
        let key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, raw);
        state.storage.entry(account.to_owned()).or_default().key = key.clone();
        key
    }

    /// `DefaultEndpointsProtocol=https;AccountName=..;AccountKey=..;EndpointSuffix=localhost:<port>`.
    pub fn storage_connection_string(&self, account: &str) -> String {
        let key = self.storage_account_key(account);
        format!(
            "DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};EndpointSuffix={}",
            self.storage_endpoint_suffix()
        )
    }

    /// `BlobEndpoint=https://<account>.blob.localhost:<port>;QueueEndpoint=https://<account>.queue.localhost:<port>;SharedAccessSignature=<account
    /// SAS>`: an account SAS for the blob and queue services with `permissions` (`rl`
    /// reads), valid until `expiry` (`2099-01-01T00:00:00Z`).
    pub fn storage_sas_connection_string(
        &self,
        account: &str,
        permissions: &str,
        expiry: &str,
    ) -> String {
        let key = self.storage_account_key(account);
        format!(
            "BlobEndpoint=https://{account}.{};QueueEndpoint={};SharedAccessSignature={}",
            self.blob_endpoint_suffix(),
            self.queue_service_url(account),
            storage::account_sas(account, &key, permissions, expiry)
        )
    }

    /// Sets a queue's messages: `visible` ones are peeked; `visible + invisible` is the
    /// approximate count (invisible ones were dequeued and not yet deleted). Creates the
    /// queue (and the account) when needed.
    pub fn set_storage_queue(&self, account: &str, queue: &str, visible: i64, invisible: i64) {
        let _ = self.storage_account_key(account);
        let mut state = self.shared.state();
        let q = state
            .storage
            .entry(account.to_owned())
            .or_default()
            .queues
            .entry(queue.to_owned())
            .or_default();
        q.visible = visible;
        q.invisible = invisible;
    }

    /// Replaces a container's blobs (creating the container and the account when needed).
    pub fn set_blobs(&self, account: &str, container: &str, names: &[&str]) {
        let _ = self.storage_account_key(account);
        self.shared
            .state()
            .storage
            .entry(account.to_owned())
            .or_default()
            .containers
            .insert(
                container.to_owned(),
                names.iter().map(|n| (*n).to_owned()).collect(),
            );
    }

    pub fn remove_container(&self, account: &str, container: &str) {
        if let Some(a) = self.shared.state().storage.get_mut(account) {
            a.containers.remove(container);
        }
    }

    /// Entries per List Blobs page (default 5000, the service's), to make listings page.
    pub fn set_blob_page_size(&self, entries: usize) {
        self.shared.state().blob_page_size = entries.max(1);
    }

    pub fn remove_storage_queue(&self, account: &str, queue: &str) {
        if let Some(a) = self.shared.state().storage.get_mut(account) {
            a.queues.remove(queue);
        }
    }

    /// Gives an application a Storage Queue data role on the account: its tokens may read.
    pub fn grant_storage_reader(&self, account: &str, client_id: &str) {
        let _ = self.storage_account_key(account);
        self.shared
            .state()
            .storage
            .entry(account.to_owned())
            .or_default()
            .readers
            .insert(client_id.to_owned());
    }

    /// Requests to storage accounts (queue and blob services) only.
    pub fn storage_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| storage::account_of(&r.host).is_some())
            .collect()
    }

    /// The CA that signed the server certificate, PEM.
    pub fn ca_pem(&self) -> Vec<u8> {
        self.ca_pem.clone()
    }

    pub fn set_queue(&self, namespace: &str, queue: &str, active: i64) {
        self.shared
            .state()
            .namespace(namespace)
            .queues
            .insert(queue.to_owned(), active);
    }

    pub fn remove_queue(&self, namespace: &str, queue: &str) {
        self.shared
            .state()
            .namespace(namespace)
            .queues
            .remove(queue);
    }

    pub fn set_subscription(&self, namespace: &str, topic: &str, subscription: &str, active: i64) {
        self.shared
            .state()
            .namespace(namespace)
            .topics
            .entry(topic.to_owned())
            .or_default()
            .insert(subscription.to_owned(), active);
    }

    pub fn remove_subscription(&self, namespace: &str, topic: &str, subscription: &str) {
        if let Some(subs) = self
            .shared
            .state()
            .namespace(namespace)
            .topics
            .get_mut(topic)
        {
            subs.remove(subscription);
        }
    }

    /// Registers an application (managed identity) in a tenant.
    pub fn add_client(&self, tenant: &str, client_id: &str) {
        self.shared
            .state()
            .clients
            .insert((tenant.to_owned(), client_id.to_owned()));
    }

    /// The service account token the test wrote to the federated token file; Entra refuses
    /// other assertions with AADSTS70021. Unset: any non-empty assertion passes.
    pub fn set_federated_token(&self, token: &str) {
        self.shared.state().federated_token = Some(token.to_owned());
    }

    /// `expires_in` of the access tokens issued from now on (default 1 h).
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.state().token_lifetime = lifetime;
    }

    /// Forgets every access token issued so far: Service Bus answers 401 to them, as to a
    /// token revoked or issued before a key rollover.
    pub fn revoke_tokens(&self) {
        self.shared.state().tokens.clear();
    }

    /// Makes every entity answer (listings included) carry `bytes` of `UserMetadata`, as a
    /// hostile or bloated namespace would.
    pub fn set_entry_padding(&self, bytes: usize) {
        self.shared.state().entry_padding = bytes;
    }

    pub fn inject(&self, fault: Fault) {
        let times = fault.times;
        self.shared.state().faults.push_back((fault, times));
    }

    /// Every request so far (token requests included), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.state().records.clone()
    }

    /// Management requests only (not the token endpoint, not storage, not Data Explorer).
    pub fn service_bus_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| {
                !r.path.contains("/oauth2/")
                    && storage::account_of(&r.host).is_none()
                    && kusto::cluster_of(&r.host).is_none()
                    && !devops::is_devops(&r.host)
            })
            .collect()
    }

    pub fn token_requests(&self) -> u64 {
        self.shared.state().token_requests
    }

    pub fn clear_requests(&self) {
        self.shared.state().records.clear();
    }

    /// `kusto.localhost:<port>`: the suffix `--allowed-endpoint-suffix` names for Data
    /// Explorer clusters (and their token resource, `https://kusto.kusto.localhost:<port>`).
    pub fn kusto_endpoint_suffix(&self) -> String {
        format!("kusto.localhost:{}", self.shared.port)
    }

    /// `https://<cluster>.kusto.localhost:<port>`: a trigger's `endpoint`.
    pub fn kusto_endpoint(&self, cluster: &str) -> String {
        format!("https://{cluster}.{}", self.kusto_endpoint_suffix())
    }

    /// Sets what `query` on `database` answers: a primary result of one column of
    /// `column_type` (`long`, `real`, `string`, ...) with one row per value (`null` allowed).
    /// Creates the cluster and database when needed.
    pub fn set_kusto_result(
        &self,
        cluster: &str,
        database: &str,
        query: &str,
        column_type: &str,
        values: Vec<serde_json::Value>,
    ) {
        self.shared
            .state()
            .kusto
            .entry(cluster.to_owned())
            .or_default()
            .databases
            .entry(database.to_owned())
            .or_default()
            .insert(
                query.to_owned(),
                kusto::KustoResult {
                    column_type: column_type.to_owned(),
                    rows: values,
                },
            );
    }

    /// `set_kusto_result` with one `long` row: what `... | count` answers.
    pub fn set_kusto_count(&self, cluster: &str, database: &str, query: &str, count: i64) {
        self.set_kusto_result(cluster, database, query, "long", vec![count.into()]);
    }

    /// Makes an application a viewer of the cluster's databases: its tokens may query.
    pub fn grant_kusto_viewer(&self, cluster: &str, client_id: &str) {
        self.shared
            .state()
            .kusto
            .entry(cluster.to_owned())
            .or_default()
            .viewers
            .insert(client_id.to_owned());
    }

    /// Requests to Data Explorer clusters only (metadata and queries).
    pub fn kusto_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| kusto::cluster_of(&r.host).is_some())
            .collect()
    }

    /// `dev.azure.localhost:<port>`: the host of every Azure DevOps organization, and the
    /// suffix `--allowed-endpoint-suffix` names for it.
    pub fn devops_endpoint_suffix(&self) -> String {
        format!("{}:{}", devops::HOST, self.shared.port)
    }

    /// `https://dev.azure.localhost:<port>/<organization>`: a trigger's `organizationURL`.
    pub fn devops_organization_url(&self, organization: &str) -> String {
        format!("https://{}/{organization}", self.devops_endpoint_suffix())
    }

    /// A personal access token the organization accepts.
    pub fn add_devops_pat(&self, organization: &str, pat: &str) {
        self.shared
            .state()
            .devops
            .entry(organization.to_owned())
            .or_default()
            .pats
            .insert(pat.to_owned());
    }

    /// Makes an application a member of the organization: its tokens may read.
    pub fn grant_devops_member(&self, organization: &str, client_id: &str) {
        self.shared
            .state()
            .devops
            .entry(organization.to_owned())
            .or_default()
            .members
            .insert(client_id.to_owned());
    }

    /// Creates (or renames) an agent pool.
    pub fn set_agent_pool(&self, organization: &str, pool_id: i64, name: &str) {
        self.shared
            .state()
            .devops
            .entry(organization.to_owned())
            .or_default()
            .pools
            .entry(pool_id)
            .or_default()
            .name = name.to_owned();
    }

    /// Replaces a pool's job requests (newest first, each as the service writes one).
    pub fn set_job_requests(&self, organization: &str, pool_id: i64, jobs: Vec<serde_json::Value>) {
        self.shared
            .state()
            .devops
            .entry(organization.to_owned())
            .or_default()
            .pools
            .entry(pool_id)
            .or_default()
            .jobs = jobs;
    }

    /// `queued` job requests waiting for an agent with `demands`, then `finished` ones.
    pub fn set_queued_jobs(
        &self,
        organization: &str,
        pool_id: i64,
        queued: usize,
        finished: usize,
        demands: &[&str],
    ) {
        let job = |n: usize, done: bool| {
            let mut j = serde_json::json!({
                "requestId": 1000 + n, "queueTime": "2026-01-01T00:00:00.000Z",
                "serviceOwner": "00025394-6065-48ca-87d9-7f5672854ef7",
                "hostId": "41a18c7d-df5e-4032-a4df-d533b56bd2de", "scopeId": "02696e26-a35b-424c-86b8-1f54e1b0b4b7",
                "planType": "Build", "planId": format!("plan-{n}"), "jobId": format!("job-{n}"),
                "demands": demands, "poolId": pool_id,
                "orchestrationId": format!("plan-{n}.build.__default"), "priority": 0,
                "data": {"ParallelismTag": "Private", "IsScheduledKey": "False"},
            });
            if done {
                j["result"] = "succeeded".into();
                j["assignTime"] = "2026-01-01T00:00:10.000Z".into();
                j["receiveTime"] = "2026-01-01T00:00:11.000Z".into();
                j["finishTime"] = "2026-01-01T00:01:00.000Z".into();
            }
            j
        };
        let jobs = (0..queued)
            .map(|n| job(n, false))
            .chain((0..finished).map(|n| job(queued + n, true)))
            .collect();
        self.set_job_requests(organization, pool_id, jobs);
    }

    /// Requests to Azure DevOps only.
    pub fn devops_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| devops::is_devops(&r.host))
            .collect()
    }

    /// Stops accepting connections and closes open ones.
    pub fn shutdown(&self) {
        let stop = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
    }

    /// An Event Hubs connection string for `hub` (Manage rights, `EntityPath` set).
    pub fn event_hub_connection_string(&self, namespace: &str, hub: &str) -> String {
        format!("{};EntityPath={hub}", self.connection_string(namespace))
    }

    /// Creates the event hub with `partitions` empty partitions (ids `0`..), or resizes it
    /// keeping the sequence numbers of those it had.
    pub fn set_event_hub(&self, namespace: &str, hub: &str, partitions: usize) {
        self.shared
            .state()
            .namespace(namespace)
            .event_hubs
            .entry(hub.to_owned())
            .or_default()
            .resize(partitions, eventhub::Partition::default());
    }

    /// Sets one partition's oldest retained and last enqueued sequence numbers (-1: empty).
    pub fn set_partition(
        &self,
        namespace: &str,
        hub: &str,
        partition: usize,
        beginning: i64,
        last_enqueued: i64,
    ) {
        let mut state = self.shared.state();
        let partitions = state
            .namespace(namespace)
            .event_hubs
            .entry(hub.to_owned())
            .or_default();
        if partitions.len() <= partition {
            partitions.resize(partition + 1, eventhub::Partition::default());
        }
        partitions[partition] = eventhub::Partition {
            beginning,
            last_enqueued,
        };
    }

    /// Appends `events` to a partition (numbered on from its last, or from its beginning).
    pub fn send_events(&self, namespace: &str, hub: &str, partition: usize, events: i64) {
        let (beginning, last) = self.partition(namespace, hub, partition).unwrap_or((0, -1));
        let last = if last < 0 {
            beginning + events - 1
        } else {
            last + events
        };
        self.set_partition(namespace, hub, partition, beginning, last);
    }

    /// A partition's (beginning, last enqueued) sequence numbers.
    pub fn partition(&self, namespace: &str, hub: &str, partition: usize) -> Option<(i64, i64)> {
        let state = self.shared.state();
        let p = state
            .namespaces
            .get(namespace)?
            .event_hubs
            .get(hub)?
            .get(partition)?;
        Some((p.beginning, p.last_enqueued))
    }

    pub fn remove_event_hub(&self, namespace: &str, hub: &str) {
        self.shared
            .state()
            .namespace(namespace)
            .event_hubs
            .remove(hub);
    }

    /// Writes a blob (creating its container and account when needed): Get Blob answers
    /// `body`, with each metadata pair as `x-ms-meta-<name>`. Checkpoint stores are made of
    /// these.
    pub fn set_blob(
        &self,
        account: &str,
        container: &str,
        name: &str,
        body: &str,
        metadata: &[(&str, &str)],
    ) {
        let _ = self.storage_account_key(account);
        let mut state = self.shared.state();
        let acct = state.storage.entry(account.to_owned()).or_default();
        acct.containers
            .entry(container.to_owned())
            .or_default()
            .insert(name.to_owned());
        acct.blob_contents.insert(
            (container.to_owned(), name.to_owned()),
            blob::BlobContent {
                body: body.to_owned(),
                metadata: metadata
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                    .collect(),
            },
        );
    }

    pub fn remove_blob(&self, account: &str, container: &str, name: &str) {
        let mut state = self.shared.state();
        if let Some(acct) = state.storage.get_mut(account) {
            if let Some(names) = acct.containers.get_mut(container) {
                names.remove(name);
            }
            acct.blob_contents
                .remove(&(container.to_owned(), name.to_owned()));
        }
    }
}

impl Drop for AzureStandin {
    fn drop(&mut self) {
        self.shutdown();
    }
}
