//! Which credential a trigger's requests carry, and the SAS signatures made from keys.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::connection_string::{self, SasCredential};
use crate::error::ScalerError;
use crate::identity::{self, Identity, WorkloadIdentityEnv};
use crate::recent::Recent;
use crate::sas;
use crate::secret::Secret;

/// A signature is renewed this long before its `se`.
const SAS_RENEW_MARGIN: Duration = Duration::from_secs(300);

pub enum Credential {
    SasKey { key_name: String, key: Secret },
    SasVerbatim(Secret),
    Bearer(Identity),
}

/// Where and as whom a request goes.
pub struct Target {
    pub host: String,
    pub credential: Credential,
    /// Separates cached results of different credentials (a hash, never the secret).
    pub fingerprint: String,
}

pub(crate) fn digest_hex(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub(crate) fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

/// Where to send requests and with what credential. A TriggerAuthentication's authority host
/// that may not receive the assertion is dropped (the process's own is used) and reported to
/// `on_ignored_authority`.
pub fn target(
    auth: &Auth,
    identity_env: &WorkloadIdentityEnv,
    on_ignored_authority: impl FnOnce(&str),
) -> Result<Target, ScalerError> {
    let target = match auth {
        Auth::ConnectionString(text) => {
            let parsed = connection_string::parse(text.expose())?;
            match parsed.credential {
                SasCredential::Key { key_name, key } => Target {
                    fingerprint: format!("sas:{}", digest_hex(&[&key_name, key.expose()])),
                    host: parsed.host,
                    credential: Credential::SasKey { key_name, key },
                },
                SasCredential::Signature(signature) => Target {
                    fingerprint: format!("sig:{}", digest_hex(&[signature.expose()])),
                    host: parsed.host,
                    credential: Credential::SasVerbatim(signature),
                },
            }
        }
        Auth::Workload {
            fully_qualified_namespace,
            identity_id,
            tenant_id,
            authority_host,
        } => {
            let authority_host = authority_host.as_deref().filter(|h| !h.trim().is_empty());
            let authority_host = match authority_host {
                Some(h) if !identity::authority_override_allowed(identity_env, h) => {
                    on_ignored_authority(h);
                    None
                }
                other => other,
            };
            let identity = Identity::resolve(
                identity_env,
                identity_id.as_deref(),
                tenant_id.as_deref(),
                authority_host,
            )?;
            Target {
                fingerprint: format!(
                    "wi:{}|{}|{}",
                    identity.authority, identity.tenant_id, identity.client_id
                ),
                host: fully_qualified_namespace.clone(),
                credential: Credential::Bearer(identity),
            }
        }
    };
    if !valid_host(&target.host) {
        return Err(ScalerError::InvalidNamespace(target.host));
    }
    Ok(target)
}

/// Signatures per (credential, namespace host), forgotten when unused for a while or when
/// too many connection strings are in use.
pub struct Signatures(Mutex<Recent<String, (Instant, Secret)>>);

impl Signatures {
    pub fn new(cap: usize, idle: Duration) -> Signatures {
        Signatures(Mutex::new(Recent::new(cap, idle)))
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// One signature per namespace (`sr = https://<host>/`, a prefix of every resource
    /// addressed), reused until 5 minutes before its expiry.
    pub fn get(&self, target: &Target, key_name: &str, key: &Secret) -> Secret {
        let cache_key = format!("{}|{}", target.fingerprint, target.host);
        let mut signatures = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((renew_at, value)) = signatures.get_mut(&cache_key) {
            if Instant::now() < *renew_at {
                return value.clone();
            }
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let value = sas::sign(
            &format!("https://{}/", target.host),
            key_name,
            key,
            now + sas::SIGNATURE_LIFETIME_SECS,
        );
        let renew_at =
            Instant::now() + Duration::from_secs(sas::SIGNATURE_LIFETIME_SECS) - SAS_RENEW_MARGIN;
        signatures.insert(cache_key, (renew_at, value.clone()));
        value
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn signatures_are_bounded() {
        let signatures = Signatures::new(64, Duration::from_secs(3600));
        for n in 0..1000 {
            let auth = Auth::ConnectionString(Secret::new(format!(
                "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=key-{n}"
            )));
            let t = target(&auth, &WorkloadIdentityEnv::default(), |_| {}).unwrap();
            let Credential::SasKey { key_name, key } = &t.credential else {
                panic!("not a key")
            };
            let _ = signatures.get(&t, key_name, key);
        }
        assert!(signatures.len() <= 64);
    }
}
