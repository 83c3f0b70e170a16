//! The external secret stores a TriggerAuthentication may read parameters from.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::AuthPodIdentity;

/// One key of a Secret.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ValueFromSecret {
    pub value_from: ValueFrom,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ValueFrom {
    pub secret_key_ref: SecretKeyRef,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
pub struct SecretKeyRef {
    pub name: String,
    pub key: String,
}

/// Parameters read from HashiCorp Vault.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct HashiCorpVault {
    pub address: String,
    pub authentication: VaultAuthentication,
    #[schemars(length(min = 1))]
    pub secrets: Vec<VaultSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The Vault role (kubernetes authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The auth mount path (kubernetes authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<VaultCredential>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum VaultAuthentication {
    Token,
    Kubernetes,
}

/// A Vault token, or the service account whose token logs in.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VaultCredential {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// A path to a projected service account token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_account_name: Option<String>,
}

/// Parameter `parameter` is field `key` of the Vault secret at `path`.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VaultSecret {
    pub parameter: String,
    pub path: String,
    pub key: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_: Option<VaultSecretType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pki_data: Option<VaultPkiData>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaultSecretType {
    /// Unset: KV version 2.
    #[serde(rename = "")]
    Unset,
    #[serde(rename = "secretV2")]
    SecretV2,
    #[serde(rename = "secret")]
    Secret,
    #[serde(rename = "pki")]
    Pki,
}

/// The certificate request of a `pki` secret.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct VaultPkiData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alt_names: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_sans: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri_sans: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_sans: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// Parameters read from Azure Key Vault.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureKeyVault {
    pub vault_uri: String,
    #[schemars(length(min = 1))]
    pub secrets: Vec<AzureKeyVaultSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<AzureKeyVaultCredentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity: Option<AuthPodIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud: Option<AzureKeyVaultCloudInfo>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureKeyVaultSecret {
    pub parameter: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A service principal: client id, tenant, and the Secret holding its client secret.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureKeyVaultCredentials {
    pub client_id: String,
    pub tenant_id: String,
    pub client_secret: ValueFromSecret,
}

/// Which Azure cloud the vault lives in; `Private` needs both endpoints.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AzureKeyVaultCloudInfo {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(
        rename = "keyVaultResourceURL",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub key_vault_resource_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_directory_endpoint: Option<String>,
}

/// Parameters read from AWS Secrets Manager.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsSecretManager {
    #[schemars(length(min = 1))]
    pub secrets: Vec<AwsSecretManagerSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<AwsSecretManagerCredentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity: Option<AuthPodIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsSecretManagerSecret {
    pub parameter: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_stage: Option<String>,
    /// A key inside a JSON-valued secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AwsSecretManagerCredentials {
    pub access_key: ValueFromSecret,
    pub access_secret_key: ValueFromSecret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<ValueFromSecret>,
}

/// Parameters read from GCP Secret Manager.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpSecretManager {
    #[schemars(length(min = 1))]
    pub secrets: Vec<GcpSecretManagerSecret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<GcpCredentials>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity: Option<AuthPodIdentity>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpSecretManagerSecret {
    pub parameter: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// The Secret holding a GCP service account key (JSON).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct GcpCredentials {
    pub client_secret: ValueFromSecret,
}

/// An OAuth2 client-credentials token handed to the scaler as a bearer token.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct OAuth2 {
    #[serde(rename = "type")]
    #[schemars(extend("default" = "clientCredentials"))]
    pub type_: OAuth2GrantType,
    pub client_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<ValueFromSecret>,
    pub token_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// Extra form parameters of the token request.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "super::nulls::optional_string_map"
    )]
    pub token_url_params: Option<BTreeMap<String, String>>,
}

#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum OAuth2GrantType {
    ClientCredentials,
}
