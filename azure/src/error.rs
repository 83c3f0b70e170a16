//! What a poll can fail with. Every message says what to check; none carries a secret.

use std::time::Duration;

/// The failure of one `active_message_count` call. Cloneable because one result is shared by
/// every ScaledObject that asked for the same entity in the same interval.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ScalerError {
    /// KEDA's wording: `queue <q> doesn't exist` / `subscription <s> doesn't exist in topic <t>`.
    #[error("{0}")]
    NotFound(String),
    #[error("Service Bus answered {status} Unauthorized: {detail} (check the SAS policy has Manage rights, or the identity holds a Service Bus data role on the namespace)")]
    Unauthorized { status: u16, detail: String },
    #[error("Service Bus answered 403 Forbidden: {detail} (the identity lacks a role on the namespace, e.g. Azure Service Bus Data Owner)")]
    Forbidden { detail: String },
    #[error("Service Bus throttled the request{}", retry_after_text(.retry_after))]
    Throttled { retry_after: Option<Duration> },
    #[error("Service Bus answered {status}: {detail}")]
    Server { status: u16, detail: String },
    /// Any other unexpected status (400, 409, ...).
    #[error("Service Bus answered {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("no answer from {endpoint} within {timeout_ms} ms")]
    Timeout { endpoint: String, timeout_ms: u128 },
    #[error("could not reach {endpoint}: {reason}")]
    Transport { endpoint: String, reason: String },
    #[error("response from {endpoint} is larger than {limit} bytes")]
    TooLarge { endpoint: String, limit: usize },
    /// The exact text KEDA's connection string parser gives (`key "Endpoint" must not be empty`, ...).
    #[error("invalid Service Bus connection string: {0}")]
    InvalidConnectionString(String),
    /// Entra ID refused the token request; `code` is `AADSTSnnnn` when Entra gave one.
    #[error("workload identity token request failed ({code}): {hint}")]
    Token { code: String, hint: String },
    /// KEDA's documented throttling symptom: a 200 entry without runtime counts. Never read as 0.
    #[error("invalid {entity} runtime properties: no CountDetails element")]
    MissingCountDetails { entity: String },
    /// The entry is of another kind (a topic asked for as a queue).
    #[error("{name} is a {found}, not a {expected}")]
    WrongEntityKind {
        name: String,
        expected: &'static str,
        found: String,
    },
    /// A `useRegex` listing longer than the host pages through.
    #[error("the Service Bus listing has more than {limit} entities; scalecore stops paging there (name the queue or subscription instead of useRegex)")]
    TooManyEntities { limit: usize },
    #[error("unreadable Service Bus response: {0}")]
    Xml(String),
    /// A variable the workload identity path needs is unset (names the variable).
    #[error("workload identity is not configured: {0} is not set (is the pod labelled azure.workload.identity/use: \"true\" and its service account annotated with azure.workload.identity/client-id?)")]
    WorkloadIdentityNotConfigured(String),
    /// The federated token file could not be read.
    #[error("cannot read the federated token file {path}: {reason}")]
    FederatedTokenFile { path: String, reason: String },
    /// The namespace host to call is empty or not a host name.
    #[error("invalid Service Bus namespace host {0:?}")]
    InvalidNamespace(String),
    /// The namespace host (from `namespace` + `endpointSuffix`, or a connection string's
    /// `Endpoint`) is outside the allowed endpoint suffixes: nothing was sent to it.
    #[error("Azure endpoint {host} is not under an allowed endpoint suffix ({allowed}); no credential was sent (allow its suffix with --allowed-endpoint-suffix)")]
    EndpointNotAllowed { host: String, allowed: String },
    /// Storage refused the credential (401/403, `AuthenticationFailed`,
    /// `AuthorizationPermissionMismatch`, ...): `code` is Storage's `x-ms-error-code`.
    #[error("Storage answered {status} {code}: {detail} (check the connection string's AccountKey or SharedAccessSignature, or that the identity holds the Storage Queue Data Reader role on the account)")]
    StorageUnauthorized {
        status: u16,
        code: String,
        detail: String,
    },
    /// Any other Storage failure; 408, 429 and 5xx (`ServerBusy`, ...) are retried first.
    #[error("Storage answered {status} {code}: {detail}")]
    Storage {
        status: u16,
        code: String,
        detail: String,
    },
    /// A storage connection string the client cannot use (names the key, never a value).
    #[error("invalid storage connection string: {0}")]
    InvalidStorageConnectionString(String),
    /// A 200 answer that is not what the Queue service documents.
    #[error("unreadable Storage response: {0}")]
    StorageResponse(String),
    /// The HTTP client could not be built (TLS roots, ...).
    #[error("Azure client setup failed: {0}")]
    Setup(String),
    /// A trigger's endpoint (the Data Explorer cluster, ...) is not an absolute URL.
    #[error("invalid endpoint {0}: not an https:// URL of a host")]
    InvalidEndpoint(String),
    /// A client secret's authority host (the cloud's, or `activeDirectoryEndpoint`) is neither
    /// Entra ID's nor AZURE_AUTHORITY_HOST: the secret was not sent.
    #[error("authority host {0} is neither Entra ID's nor AZURE_AUTHORITY_HOST; the client secret was not sent")]
    AuthorityNotAllowed(String),
    /// A service reached with an Entra token or a PAT (Resource Manager, Azure Monitor, Log
    /// Analytics, Application Insights, Data Explorer, Azure DevOps) refused a request; `code`
    /// is the service's own (`BadRequest_EntityNotFound`, ...) or empty. 408, 429 and 5xx are
    /// retried first.
    #[error("{service} answered {status}{}: {detail}{}", code_text(code), service_hint(service, *.status))]
    Service {
        service: &'static str,
        status: u16,
        code: String,
        detail: String,
    },
    /// A 200 answer KEDA's reading refuses (KEDA's wording where it has one).
    #[error("azure monitor: {0}")]
    MonitorResponse(String),
    /// A Log Analytics or Application Insights answer KEDA's reading refuses, in its words.
    #[error("{0}")]
    MetricRefused(String),
    /// The trigger cannot form a metrics request (endpoint, resource id, interval).
    #[error("azure monitor: {0}")]
    MonitorRequest(String),
    /// KEDA's messages for a query answer it cannot use (`query <q> has no results`, ...).
    #[error("{0}")]
    DataExplorerQuery(String),
    /// A 200 answer that is not what Data Explorer documents.
    #[error("unreadable Azure Data Explorer response: {0}")]
    DataExplorerResponse(String),
    /// KEDA's messages about the agent pool or an answer it cannot read.
    #[error("{0}")]
    Pipelines(String),
}

fn code_text(code: &str) -> String {
    if code.is_empty() {
        String::new()
    } else {
        format!(" {code}")
    }
}

/// What to check when a service refuses the caller.
fn service_hint(service: &str, status: u16) -> &'static str {
    match (service, status) {
        ("Azure Data Explorer", 401 | 403) => " (check the application or identity is a viewer of the database)",
        ("Azure DevOps", 401 | 403) => " (check the personal access token's Agent Pools (read) scope, or that the identity is a member of the organization)",
        (_, 401) => " (the token was refused: check the cloud, its endpoint and the identity's tenant)",
        ("Log Analytics", 403) => " (the identity needs the Log Analytics Reader role on the workspace)",
        ("Application Insights", 403) => " (the identity needs a reader role, e.g. Monitoring Reader, on the Application Insights resource)",
        (_, 403) => " (the identity needs the Monitoring Reader role, or Microsoft.Insights/metrics/read, on the resource)",
        _ => "",
    }
}

fn retry_after_text(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} ms)", d.as_millis()),
        None => String::new(),
    }
}

/// Errors of `ServiceBus::new`.
pub type Error = ScalerError;

impl ScalerError {
    /// Whether another attempt may succeed (408/429/500/502/503/504, timeouts, transport).
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            ScalerError::Throttled { .. }
            | ScalerError::Timeout { .. }
            | ScalerError::Transport { .. } => true,
            ScalerError::Server { status, .. } => matches!(status, 500 | 502 | 503 | 504),
            ScalerError::Status { status, .. } => *status == 408,
            ScalerError::Storage { status, .. } | ScalerError::Service { status, .. } => {
                matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
            }
            _ => false,
        }
    }
}
