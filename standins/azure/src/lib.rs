//! A loopback Azure for tests and `scalecore demo`: one HTTPS port that answers as Entra ID's
//! token endpoint, as the Service Bus management API of any namespace
//! (`<ns>.servicebus.localhost:<port>`; `127.0.0.1:<port>` and `localhost:<port>` mean the
//! namespace `default`) and as the Queue and Blob services of storage accounts
//! (`<account>.queue.localhost:<port>`: Get Queue Metadata, Peek Messages;
//! `<account>.blob.localhost:<port>`: List Blobs), and as Resource Manager's user-assigned
//! identities and their federated credentials (`management.localhost:<port>`). Entra answers
//! the client-credentials grant with a federated assertion or a client secret. Its certificate
//! comes from a CA made at start (`ca_pem`).

mod arm;
mod atom;
mod entra;
mod server;
mod servicebus;
mod state;
mod storage;
mod tls;

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

    /// Management requests only (not the token endpoint, not storage).
    pub fn service_bus_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| !r.path.contains("/oauth2/") && storage::account_of(&r.host).is_none())
            .collect()
    }

    pub fn token_requests(&self) -> u64 {
        self.shared.state().token_requests
    }

    pub fn clear_requests(&self) {
        self.shared.state().records.clear();
    }

    /// Stops accepting connections and closes open ones.
    pub fn shutdown(&self) {
        let stop = self.stop.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(stop) = stop {
            let _ = stop.send(());
        }
    }
}

impl Drop for AzureStandin {
    fn drop(&mut self) {
        self.shutdown();
    }
}
