//! Workload identity (spec §2.3): the projected service-account token is exchanged at Entra ID
//! for a Service Bus access token; both are cached.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::entra;
use crate::error::ScalerError;
use crate::http::{self, Failure};
use crate::recent::Recent;
use crate::secret::Secret;
use crate::ClientOptions;

pub const DEFAULT_AUTHORITY_HOST: &str = "https://login.microsoftonline.com/";
/// The Go Service Bus SDK's literal (double slash); Entra accepts it.
pub const SERVICE_BUS_SCOPE: &str = "https://servicebus.azure.net//.default";
/// The storage SDKs' scope (queues, blobs).
pub const STORAGE_SCOPE: &str = "https://storage.azure.com/.default";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Kubernetes rotates the projected token at 80% of its (>= 1 h) lifetime; azidentity
/// re-reads the file at most this often.
const ASSERTION_REREAD: Duration = Duration::from_secs(600);
const MAX_ASSERTION_BYTES: u64 = 64 * 1024;
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// What the azure-workload-identity webhook injects into the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkloadIdentityEnv {
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    pub federated_token_file: Option<PathBuf>,
    pub authority_host: String,
}

impl Default for WorkloadIdentityEnv {
    fn default() -> Self {
        WorkloadIdentityEnv {
            client_id: None,
            tenant_id: None,
            federated_token_file: None,
            authority_host: DEFAULT_AUTHORITY_HOST.to_owned(),
        }
    }
}

impl WorkloadIdentityEnv {
    /// Reads AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and
    /// AZURE_AUTHORITY_HOST (default `https://login.microsoftonline.com/`). Empty counts as unset.
    pub fn from_env() -> WorkloadIdentityEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        WorkloadIdentityEnv {
            client_id: var("AZURE_CLIENT_ID"),
            tenant_id: var("AZURE_TENANT_ID"),
            federated_token_file: var("AZURE_FEDERATED_TOKEN_FILE").map(PathBuf::from),
            authority_host: var("AZURE_AUTHORITY_HOST")
                .unwrap_or_else(|| DEFAULT_AUTHORITY_HOST.to_owned()),
        }
    }
}

/// Scheme, host, port and path of an authority URL, for comparing spellings of one authority.
fn authority_key(text: &str) -> Option<(String, u16, String)> {
    let url = reqwest::Url::parse(text.trim()).ok()?;
    if url.scheme() != "https" || url.query().is_some() || url.fragment().is_some() {
        return None;
    }
    Some((
        url.host_str()?.trim_end_matches('.').to_ascii_lowercase(),
        url.port_or_known_default()?,
        url.path().trim_end_matches('/').to_owned(),
    ))
}

/// Whether a TriggerAuthentication's `identityAuthorityHost` may receive the federated
/// assertion: only Entra's own authority hosts, or the one the process was given in
/// AZURE_AUTHORITY_HOST. Anyone who may write a TriggerAuthentication could otherwise collect
/// the assertion and exchange it at Entra for this host's identities.
pub fn authority_override_allowed(env: &WorkloadIdentityEnv, authority_host: &str) -> bool {
    let Some(key) = authority_key(authority_host) else {
        return false;
    };
    // The core's list of Entra's hosts, the one its lint (KEDA4019) warns by.
    scalecore::validate::lints::ENTRA_AUTHORITY_HOSTS
        .iter()
        .map(|host| format!("https://{host}/"))
        .chain([env.authority_host.clone()])
        .any(|allowed| authority_key(&allowed).as_ref() == Some(&key))
}

/// The identity a token request is made for, after the TriggerAuthentication's overrides.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Identity {
    /// Ends with `/`.
    pub authority: String,
    pub tenant_id: String,
    pub client_id: String,
    pub federated_token_file: PathBuf,
}

impl Identity {
    /// `identity_id` overrides AZURE_CLIENT_ID, `tenant_id` AZURE_TENANT_ID and `authority_host`
    /// AZURE_AUTHORITY_HOST (KEDA documents this override; its Service Bus path ignores it).
    /// Callers pass `authority_host` only when `authority_override_allowed` says so.
    pub fn resolve(
        env: &WorkloadIdentityEnv,
        identity_id: Option<&str>,
        tenant_id: Option<&str>,
        authority_host: Option<&str>,
    ) -> Result<Identity, ScalerError> {
        let pick = |over: Option<&str>, env: &Option<String>| {
            over.filter(|v| !v.is_empty())
                .map(str::to_owned)
                .or_else(|| env.clone())
        };
        let client_id = pick(identity_id, &env.client_id).ok_or_else(|| {
            ScalerError::WorkloadIdentityNotConfigured(
                "AZURE_CLIENT_ID (or identityId in the TriggerAuthentication)".to_owned(),
            )
        })?;
        let tenant_id = pick(tenant_id, &env.tenant_id).ok_or_else(|| {
            ScalerError::WorkloadIdentityNotConfigured(
                "AZURE_TENANT_ID (or identityTenantId in the TriggerAuthentication)".to_owned(),
            )
        })?;
        let federated_token_file = env.federated_token_file.clone().ok_or_else(|| {
            ScalerError::WorkloadIdentityNotConfigured("AZURE_FEDERATED_TOKEN_FILE".to_owned())
        })?;
        let mut authority = authority_host
            .filter(|v| !v.is_empty())
            .unwrap_or(&env.authority_host)
            .to_owned();
        if !authority.ends_with('/') {
            authority.push('/');
        }
        // The assertion is a credential: it only travels over TLS.
        if !authority.to_ascii_lowercase().starts_with("https://") {
            return Err(ScalerError::Token {
                code: "invalid authority".to_owned(),
                hint: format!("authority host {authority:?} must be an https:// URL"),
            });
        }
        if tenant_id.is_empty()
            || !tenant_id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        {
            return Err(ScalerError::Token {
                code: "invalid tenant".to_owned(),
                hint: format!("tenant id {tenant_id:?} is not a GUID or a domain name"),
            });
        }
        Ok(Identity {
            authority,
            tenant_id,
            client_id,
            federated_token_file,
        })
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}{}/oauth2/v2.0/token", self.authority, self.tenant_id)
    }
}

pub(crate) struct CachedToken {
    pub(crate) access_token: Secret,
    refresh_at: Instant,
    expires_at: Instant,
}

type TokenSlot = Arc<tokio::sync::Mutex<Option<CachedToken>>>;

type TokenKey = (String, String, String, &'static str);

/// Access tokens per (authority, tenant, client id, scope), forgotten when unused for a while or
/// when too many tenants' identities are in use; federated assertions per file (one: the
/// process's AZURE_FEDERATED_TOKEN_FILE).
pub struct TokenCache {
    tokens: Mutex<Recent<TokenKey, TokenSlot>>,
    assertions: Mutex<HashMap<PathBuf, (Instant, Secret)>>,
}

impl TokenCache {
    pub fn new(cap: usize, idle: Duration) -> TokenCache {
        TokenCache {
            tokens: Mutex::new(Recent::new(cap, idle)),
            assertions: Mutex::new(HashMap::new()),
        }
    }

    fn slot(&self, identity: &Identity, scope: &'static str) -> TokenSlot {
        let key = (
            identity.authority.clone(),
            identity.tenant_id.clone(),
            identity.client_id.clone(),
            scope,
        );
        let mut tokens = self.tokens.lock().unwrap_or_else(|p| p.into_inner());
        tokens.get_or_insert_with(&key, TokenSlot::default).clone()
    }

    #[cfg(test)]
    fn cached_identities(&self) -> usize {
        self.tokens.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Forgets the token (the service refused it); the next call asks Entra again.
    pub async fn invalidate(&self, identity: &Identity, scope: &'static str) {
        *self.slot(identity, scope).lock().await = None;
    }

    /// A valid access token: the cached one until its refresh point; one request to Entra at a
    /// time per identity. If a refresh fails while the old token is still valid, the old one
    /// is used.
    pub async fn token(
        &self,
        client: &reqwest::Client,
        options: &ClientOptions,
        identity: &Identity,
        scope: &'static str,
        on_request: impl Fn(),
    ) -> Result<Secret, ScalerError> {
        let slot = self.slot(identity, scope);
        let mut cached = slot.lock().await;
        let now = Instant::now();
        if let Some(t) = cached.as_ref().filter(|t| now < t.refresh_at) {
            return Ok(t.access_token.clone());
        }
        let assertion = self.assertion(&identity.federated_token_file)?;
        let proof = assertion_proof(&assertion);
        match request_token(client, options, identity, scope, &proof, &on_request).await {
            Ok(fresh) => {
                let token = fresh.access_token.clone();
                *cached = Some(fresh);
                Ok(token)
            }
            Err(e) => {
                // A stale or wrong assertion is re-read from the file next time.
                self.assertions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&identity.federated_token_file);
                match cached.as_ref().filter(|t| Instant::now() < t.expires_at) {
                    Some(still_valid) => {
                        tracing::warn!(error = %e, "token refresh failed; using the current token until it expires");
                        Ok(still_valid.access_token.clone())
                    }
                    None => Err(e),
                }
            }
        }
    }

    fn assertion(&self, path: &PathBuf) -> Result<Secret, ScalerError> {
        let mut assertions = self.assertions.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((read_at, value)) = assertions.get(path) {
            if read_at.elapsed() < ASSERTION_REREAD {
                return Ok(value.clone());
            }
        }
        let value = read_assertion(path)?;
        assertions.insert(path.clone(), (Instant::now(), value.clone()));
        Ok(value)
    }
}

/// The projected service-account token, from AZURE_FEDERATED_TOKEN_FILE.
pub(crate) fn read_assertion(path: &std::path::Path) -> Result<Secret, ScalerError> {
    let fail = |reason: String| ScalerError::FederatedTokenFile {
        path: path.display().to_string(),
        reason,
    };
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_ASSERTION_BYTES).read_to_string(&mut text))
        .map_err(|e| fail(e.to_string()))?;
    let value = Secret::new(text.trim());
    if value.is_empty() {
        return Err(fail("the file is empty".to_owned()));
    }
    Ok(value)
}

/// The form fields that prove a client by a federated assertion.
pub(crate) fn assertion_proof(assertion: &Secret) -> Secret {
    Secret::new(format!(
        "client_assertion={}&client_assertion_type={}",
        form_encode(assertion.expose()),
        form_encode(ASSERTION_TYPE),
    ))
}

/// `application/x-www-form-urlencoded` value encoding.
fn form_encode(text: &str) -> String {
    crate::sas::query_escape(text)
}

/// The client-credentials grant at Entra ID; `proof` holds the form fields that prove the
/// client (`assertion_proof`, or `client_secret=…`).
pub(crate) async fn request_token(
    client: &reqwest::Client,
    options: &ClientOptions,
    identity: &Identity,
    scope: &str,
    proof: &Secret,
    on_request: &impl Fn(),
) -> Result<CachedToken, ScalerError> {
    let endpoint = identity.token_endpoint();
    let body = format!(
        "{}&client_id={}&grant_type=client_credentials&scope={}",
        proof.expose(),
        form_encode(&identity.client_id),
        form_encode(scope),
    );
    let reply = http::with_retries(
        options,
        || {
            on_request();
            let request = client
                .post(&endpoint)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(body.clone());
            async {
                let reply =
                    http::exchange(request, &endpoint, options.timeout, http::MAX_BODY_BYTES)
                        .await?;
                match reply.status {
                    200 => Ok(reply),
                    408 | 429 | 500 | 502 | 503 | 504 => Err(Failure {
                        retry_after: http::retry_after(&reply.headers),
                        transient: true,
                        error: entra::error(reply.status, &reply.body, identity, true),
                    }),
                    status => Err(entra::error(status, &reply.body, identity, false).into()),
                }
            }
        },
        || {},
    )
    .await?;
    parse_token(&reply.body)
}

fn parse_token(body: &[u8]) -> Result<CachedToken, ScalerError> {
    let bad = |what: &str| ScalerError::Token {
        code: "invalid response".to_owned(),
        hint: format!("Entra ID answered 200 without {what}"),
    };
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|_| bad("a JSON body"))?;
    let seconds = |key: &str| match json.get(key) {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    let access_token = json
        .get("access_token")
        .and_then(|v| v.as_str())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| bad("access_token"))?;
    let expires_in = Duration::from_secs(seconds("expires_in").ok_or_else(|| bad("expires_in"))?);
    // Refresh ~5 min before expiry, or at Entra's refresh_in; a short-lived token at half-life.
    let refresh_in = match seconds("refresh_in") {
        Some(r) => Duration::from_secs(r).min(expires_in),
        None if expires_in > REFRESH_MARGIN * 2 => expires_in - REFRESH_MARGIN,
        None => expires_in / 2,
    };
    let now = Instant::now();
    Ok(CachedToken {
        access_token: Secret::new(access_token),
        refresh_at: now + refresh_in,
        expires_at: now + expires_in,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn env() -> WorkloadIdentityEnv {
        WorkloadIdentityEnv {
            client_id: Some("env-client".to_owned()),
            tenant_id: Some("env-tenant".to_owned()),
            federated_token_file: Some(PathBuf::from(
                "/var/run/secrets/azure/tokens/azure-identity-token",
            )),
            authority_host: "https://login.example/".to_owned(),
        }
    }

    #[test]
    fn overrides_win_over_env() {
        let i = Identity::resolve(
            &env(),
            Some("id"),
            Some("tenant"),
            Some("https://a.example"),
        )
        .unwrap();
        assert_eq!(i.client_id, "id");
        assert_eq!(i.tenant_id, "tenant");
        assert_eq!(
            i.token_endpoint(),
            "https://a.example/tenant/oauth2/v2.0/token"
        );
        let j = Identity::resolve(&env(), None, None, None).unwrap();
        assert_eq!(
            j.token_endpoint(),
            "https://login.example/env-tenant/oauth2/v2.0/token"
        );
        assert_eq!(j.client_id, "env-client");
    }

    #[test]
    fn only_entra_or_the_env_authority_may_override() {
        let e = env();
        for ok in [
            "https://login.microsoftonline.com/",
            "https://LOGIN.microsoftonline.com",
            "https://login.microsoftonline.com:443/",
            "https://login.microsoftonline.us/",
            "https://login.chinacloudapi.cn/",
            "https://login.example/",
            "https://login.example",
        ] {
            assert!(authority_override_allowed(&e, ok), "{ok}");
        }
        for refused in [
            "https://attacker.example/",
            "https://login.microsoftonline.com.attacker.example/",
            "https://login.microsoftonline.com:8443/",
            "https://login.microsoftonline.com/elsewhere/",
            "https://login.microsoftonline.com/?x=1",
            "http://login.microsoftonline.com/",
            "https://127.0.0.1:8443/",
            "not a url",
            "",
        ] {
            assert!(!authority_override_allowed(&e, refused), "{refused}");
        }
    }

    #[test]
    fn authority_must_be_https() {
        let e = Identity::resolve(&env(), None, None, Some("http://login.example/")).unwrap_err();
        assert!(e.to_string().contains("must be an https:// URL"), "{e}");
    }

    #[test]
    fn missing_env_names_the_variable() {
        let e =
            Identity::resolve(&WorkloadIdentityEnv::default(), None, Some("t"), None).unwrap_err();
        assert!(e.to_string().contains("AZURE_CLIENT_ID"), "{e}");
        let mut partial = env();
        partial.federated_token_file = None;
        let e = Identity::resolve(&partial, None, None, None).unwrap_err();
        assert!(e.to_string().contains("AZURE_FEDERATED_TOKEN_FILE"), "{e}");
    }

    #[test]
    fn token_slots_are_bounded() {
        let cache = TokenCache::new(50, Duration::from_secs(3600));
        for n in 0..1000 {
            let i = Identity::resolve(&env(), None, Some(&format!("tenant-{n}")), None).unwrap();
            let _ = cache.slot(&i, SERVICE_BUS_SCOPE);
        }
        assert!(cache.cached_identities() <= 50);
    }

    #[test]
    fn token_refresh_point() {
        let t = parse_token(br#"{"token_type":"Bearer","expires_in":3599,"access_token":"x"}"#)
            .unwrap();
        let left = t.refresh_at.saturating_duration_since(Instant::now());
        assert!(left > Duration::from_secs(3290) && left <= Duration::from_secs(3299));
        let short = parse_token(br#"{"expires_in":"10","access_token":"x"}"#).unwrap();
        assert!(
            short.refresh_at.saturating_duration_since(Instant::now()) <= Duration::from_secs(5)
        );
        assert!(parse_token(br#"{"expires_in":10}"#).is_err());
    }
}
