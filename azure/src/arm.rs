//! Azure Resource Manager, read-only: user-assigned managed identities and their federated
//! identity credentials (`Microsoft.ManagedIdentity`, api-version 2023-01-31), for
//! `scalecore doctor --azure`. The caller's own Azure credentials are used: the workload
//! identity variables, or AZURE_CLIENT_ID / AZURE_TENANT_ID / AZURE_CLIENT_SECRET.

use reqwest::Url;
use serde_json::Value;

use crate::error::ScalerError;
use crate::http;
use crate::identity::{Identity, WorkloadIdentityEnv};
use crate::management::Inner;
use crate::monitor::BearerTarget;
use crate::secret::Secret;
use crate::ClientOptions;

pub const API_VERSION: &str = "2023-01-31";
/// Names Resource Manager in errors.
const SERVICE: &str = "Azure Resource Manager";
/// Azure's public cloud.
pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com/";
/// The parent domains of Resource Manager in Azure's public, US Government and China clouds.
pub const PUBLIC_CLOUD_SUFFIXES: [&str; 3] = ["azure.com", "usgovcloudapi.net", "chinacloudapi.cn"];
/// The audience Entra ID issues a workload identity's exchanged token for.
pub const TOKEN_EXCHANGE_AUDIENCE: &str = "api://AzureADTokenExchange";
/// An identity holds at most 20 federated credentials; a subscription's identities fit in a
/// few pages. A nextLink chain longer than this is not followed.
const MAX_PAGES: usize = 50;

#[derive(Debug, thiserror::Error)]
pub enum ArmError {
    #[error("{0}")]
    Azure(#[from] ScalerError),
    /// Resource Manager's `{"error": {"code", "message"}}`.
    #[error("Azure Resource Manager answered {status} {code}: {message}")]
    Status {
        status: u16,
        code: String,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("no Azure credentials: set AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_FEDERATED_TOKEN_FILE (workload identity) or AZURE_CLIENT_SECRET")]
    NoCredentials,
}

/// Who the caller is to Entra ID: a workload identity (federated service-account token) or a
/// service principal with a client secret. Tokens come from the shared token cache.
#[derive(Clone, Debug)]
pub struct Credential(Identity);

impl Credential {
    /// The workload identity variables when AZURE_FEDERATED_TOKEN_FILE is set, else
    /// AZURE_CLIENT_SECRET with AZURE_CLIENT_ID and AZURE_TENANT_ID.
    pub fn from_env() -> Result<Credential, ArmError> {
        let env = WorkloadIdentityEnv::from_env();
        if env.federated_token_file.is_some() {
            return Ok(Credential(Identity::resolve(&env, None, None, None)?));
        }
        let secret = std::env::var("AZURE_CLIENT_SECRET")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .ok_or(ArmError::NoCredentials)?;
        let (Some(tenant_id), Some(client_id)) = (&env.tenant_id, &env.client_id) else {
            return Err(ArmError::NoCredentials);
        };
        Ok(Credential(Identity::client_secret(
            &env,
            tenant_id,
            client_id,
            Secret::new(secret),
            None,
        )?))
    }
}

/// A user-assigned managed identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedIdentity {
    /// `/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`
    pub id: String,
    pub name: String,
    pub client_id: String,
    pub tenant_id: String,
}

/// One federated identity credential of a user-assigned identity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FederatedCredential {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
}

/// One Resource Manager endpoint with one credential.
pub struct Arm {
    inner: Inner,
    target: BearerTarget,
}

impl std::fmt::Debug for Arm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Arm")
            .field("endpoint", &self.target.url.as_str())
            .finish_non_exhaustive()
    }
}

impl Arm {
    /// `endpoint` must be HTTPS under one of `options.allowed_endpoint_suffixes`: it receives
    /// the access token. The token is asked for the scope `<endpoint>/.default`.
    pub fn new(
        options: ClientOptions,
        endpoint: &str,
        credential: Credential,
    ) -> Result<Arm, ArmError> {
        let endpoint = Url::parse(endpoint.trim()).map_err(|e| {
            ArmError::Invalid(format!("Resource Manager endpoint {endpoint:?}: {e}"))
        })?;
        if endpoint.query().is_some() || endpoint.path() != "/" {
            return Err(ArmError::Invalid(format!(
                "Resource Manager endpoint {endpoint} must be an origin such as {DEFAULT_ENDPOINT}"
            )));
        }
        let inner = Inner::new(options, WorkloadIdentityEnv::from_env())
            .map_err(|e| ArmError::Invalid(e.to_string()))?;
        inner.endpoints.check(&endpoint)?;
        let scope = format!("{endpoint}.default");
        Ok(Arm {
            inner,
            target: BearerTarget {
                url: endpoint,
                scope,
                identity: credential.0,
                service: SERVICE,
            },
        })
    }

    /// The user-assigned identities of a subscription.
    pub async fn identities(&self, subscription: &str) -> Result<Vec<ManagedIdentity>, ArmError> {
        if subscription.is_empty()
            || !subscription
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '-')
        {
            return Err(ArmError::Invalid(format!(
                "subscription {subscription:?} is not a subscription id (a GUID)"
            )));
        }
        let path = format!(
            "/subscriptions/{subscription}/providers/Microsoft.ManagedIdentity/userAssignedIdentities"
        );
        let items = self.list(&path).await?;
        Ok(items.iter().filter_map(identity_of).collect())
    }

    /// One user-assigned identity by its resource id.
    pub async fn identity(&self, resource_id: &str) -> Result<ManagedIdentity, ArmError> {
        let path = identity_path(resource_id)?;
        let url = self.url(&path)?;
        let body = self.get(url).await?;
        identity_of(&body).ok_or_else(|| {
            ArmError::Invalid(format!("{resource_id}: the answer names no clientId"))
        })
    }

    /// The federated identity credentials of a user-assigned identity.
    pub async fn federated_credentials(
        &self,
        resource_id: &str,
    ) -> Result<Vec<FederatedCredential>, ArmError> {
        let path = format!(
            "{}/federatedIdentityCredentials",
            identity_path(resource_id)?
        );
        let items = self.list(&path).await?;
        Ok(items.iter().filter_map(credential_of).collect())
    }

    fn url(&self, path: &str) -> Result<Url, ArmError> {
        let mut url = self
            .target
            .url
            .join(path.trim_start_matches('/'))
            .map_err(|e| ArmError::Invalid(format!("{path}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("api-version", API_VERSION);
        Ok(url)
    }

    /// Every page of a list; a nextLink elsewhere than the endpoint is not followed (it would
    /// receive the token).
    async fn list(&self, path: &str) -> Result<Vec<Value>, ArmError> {
        let mut url = self.url(path)?;
        let mut items = Vec::new();
        for _ in 0..MAX_PAGES {
            let mut page = self.get(url).await?;
            if let Some(Value::Array(values)) = page.get_mut("value").map(Value::take) {
                items.extend(values);
            }
            let Some(next) = page
                .get("nextLink")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
            else {
                return Ok(items);
            };
            let next = Url::parse(next)
                .map_err(|e| ArmError::Invalid(format!("nextLink {next:?}: {e}")))?;
            if next.origin() != self.target.url.origin() {
                return Err(ArmError::Invalid(format!(
                    "Resource Manager's nextLink points to {}, not to {}; not followed",
                    next.origin().ascii_serialization(),
                    self.target.url.origin().ascii_serialization()
                )));
            }
            url = next;
        }
        Err(ArmError::Invalid(format!(
            "{path}: more than {MAX_PAGES} pages; stopped"
        )))
    }

    async fn get(&self, url: Url) -> Result<Value, ArmError> {
        let label = format!("{}{}", url.origin().ascii_serialization(), url.path());
        let reply = self
            .inner
            .bearer_send(
                &self.target,
                reqwest::Method::GET,
                url,
                None,
                http::MAX_BODY_BYTES,
            )
            .await
            .map_err(|e| match e {
                ScalerError::Service {
                    status,
                    code,
                    detail,
                    ..
                } => ArmError::Status {
                    status,
                    code,
                    message: detail,
                },
                other => ArmError::Azure(other),
            })?;
        serde_json::from_slice(&reply.body)
            .map_err(|e| ArmError::Invalid(format!("{label}: unreadable answer: {e}")))
    }
}

/// The path of a user-assigned identity's resource id, checked: a resource id comes from the
/// command line, and anything else would make the token travel to another path.
pub fn identity_path(resource_id: &str) -> Result<String, ArmError> {
    let id = resource_id.trim().trim_end_matches('/');
    let parts: Vec<&str> = id.split('/').collect();
    const SHAPE: [Option<&str>; 9] = [
        Some(""),
        Some("subscriptions"),
        None,
        Some("resourceGroups"),
        None,
        Some("providers"),
        Some("Microsoft.ManagedIdentity"),
        Some("userAssignedIdentities"),
        None,
    ];
    let shape_ok = parts.len() == SHAPE.len()
        && parts
            .iter()
            .zip(SHAPE)
            .all(|(p, want)| want.is_none_or(|w| p.eq_ignore_ascii_case(w)));
    let segments_ok = parts.iter().skip(1).all(|p| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
    });
    if shape_ok && segments_ok {
        Ok(id.to_owned())
    } else {
        Err(ArmError::Invalid(format!(
            "{resource_id:?} is not a user-assigned identity's resource id (/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>)"
        )))
    }
}

fn identity_of(v: &Value) -> Option<ManagedIdentity> {
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Some(ManagedIdentity {
        id: text("/id")?,
        name: text("/name").unwrap_or_default(),
        client_id: text("/properties/clientId")?,
        tenant_id: text("/properties/tenantId").unwrap_or_default(),
    })
}

fn credential_of(v: &Value) -> Option<FederatedCredential> {
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_owned);
    Some(FederatedCredential {
        name: text("/name").unwrap_or_default(),
        issuer: text("/properties/issuer").unwrap_or_default(),
        subject: text("/properties/subject")?,
        audiences: v
            .pointer("/properties/audiences")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ID: &str = "/subscriptions/0000-1111/resourceGroups/rg-1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/keda-id";

    #[test]
    fn identity_resource_ids_are_checked() {
        assert_eq!(identity_path(ID).unwrap(), ID);
        assert_eq!(identity_path(&format!("{ID}/")).unwrap(), ID);
        for bad in [
            "",
            "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/a",
            "/subscriptions/0000/resourceGroups/../providers/Microsoft.ManagedIdentity/userAssignedIdentities/a",
            "https://evil.example/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a",
            "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a?x=1",
            "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/a/federatedIdentityCredentials/b",
        ] {
            assert!(identity_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn documented_shapes_are_read() {
        // The examples of the REST reference (Federated Identity Credentials - List,
        // User Assigned Identities - List By Subscription).
        let fic: Value = serde_json::from_str(r#"{"id":"/subscriptions/c267c0e7-0a73-4789-9e17-d26aeb0904e5/resourcegroups/rgName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName/federatedIdentityCredentials/ficResourceName","name":"ficResourceName","type":"Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials","properties":{"issuer":"https://oidc.prod-aks.azure.com/IssuerGUID","subject":"system:serviceaccount:ns:svcaccount","audiences":["api://AzureADTokenExchange"]}}"#).unwrap();
        assert_eq!(
            credential_of(&fic).unwrap(),
            FederatedCredential {
                name: "ficResourceName".into(),
                issuer: "https://oidc.prod-aks.azure.com/IssuerGUID".into(),
                subject: "system:serviceaccount:ns:svcaccount".into(),
                audiences: vec![TOKEN_EXCHANGE_AUDIENCE.into()],
            }
        );
        let mi: Value = serde_json::from_str(r#"{"id":"/subscriptions/subid/resourcegroups/rgName/providers/Microsoft.ManagedIdentity/userAssignedIdentities/identityName","location":"eastus","name":"identityName","properties":{"clientId":"clientGUID","principalId":"identityObjectID","tenantId":"tenantGUID"},"type":"Microsoft.ManagedIdentity/userAssignedIdentities"}"#).unwrap();
        let mi = identity_of(&mi).unwrap();
        assert_eq!(
            (mi.client_id.as_str(), mi.name.as_str()),
            ("clientGUID", "identityName")
        );
    }

    #[test]
    fn endpoint_must_be_allowed() {
        let options = ClientOptions {
            allowed_endpoint_suffixes: PUBLIC_CLOUD_SUFFIXES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ..ClientOptions::default()
        };
        let cred = || {
            Credential(
                Identity::client_secret(
                    &WorkloadIdentityEnv::default(),
                    "t",
                    "c",
                    Secret::new("s"),
                    None,
                )
                .unwrap(),
            )
        };
        assert!(Arm::new(options.clone(), DEFAULT_ENDPOINT, cred()).is_ok());
        assert!(Arm::new(
            options.clone(),
            "https://management.usgovcloudapi.net",
            cred()
        )
        .is_ok());
        for refused in [
            "https://management.example.com/",
            "http://management.azure.com/",
            "https://management.azure.com.evil.example/",
            "https://management.azure.com/subscriptions/",
        ] {
            assert!(
                Arm::new(options.clone(), refused, cred()).is_err(),
                "{refused}"
            );
        }
        let debug = format!("{:?}", cred());
        assert!(!debug.contains("\"s\""), "{debug}");
    }
}
