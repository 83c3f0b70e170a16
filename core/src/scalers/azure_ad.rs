//! What the Azure AD scalers (monitor, log-analytics, app-insights, data-explorer, pipelines)
//! share up to their first call: the clouds of `azure.AzureClouds` with the endpoints the
//! SDK clients take from them, `ParseActiveDirectoryEndpoint`, the credential a poller builds
//! and secrets kept out of `Debug`.

use std::collections::BTreeMap;

use super::{cloud, ErrorKind, ScalerError};

pub use super::secret::Secret;

/// How the poller gets its token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `azidentity.NewClientSecretCredential(tenantId, clientId, secret, nil)`. KEDA gives
    /// the credential no cloud, so monitor, log-analytics and app-insights sign in at the
    /// public authority (or the operator's `AZURE_AUTHORITY_HOST`) whatever `cloud` says;
    /// data-explorer alone passes its `active_directory_endpoint`.
    ClientSecret {
        tenant_id: String,
        client_id: String,
        client_secret: Secret,
    },
    /// `azure-workload`: the federated token of the workload identity; `identity_id` is the
    /// TriggerAuthentication's `podIdentity.identityId` (the operator's default when absent).
    Workload { identity_id: Option<String> },
}

impl Credential {
    pub fn is_workload(&self) -> bool {
        matches!(self, Credential::Workload { .. })
    }
}

/// An `azcore/cloud.Configuration` as the azquery clients and the App Insights request use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AzureCloud {
    pub name: &'static str,
    /// `ActiveDirectoryAuthorityHost` (see [`Credential::ClientSecret`] for who uses it).
    pub authority_host: &'static str,
    /// `Services[azquery.ServiceNameMetrics]`: Azure Monitor metrics.
    pub metrics_endpoint: &'static str,
    /// `Services[azquery.ServiceNameLogs]`: Log Analytics queries (endpoint, audience).
    pub logs_endpoint: &'static str,
    pub logs_audience: &'static str,
    /// `azure.AppInsightsResourceURLInCloud`.
    pub app_insights: &'static str,
}

/// `azure.AzureClouds`, by upper-cased name.
const AZURE_CLOUDS: &[(&str, AzureCloud)] = &[
    (
        "AZUREPUBLICCLOUD",
        AzureCloud {
            name: "AzurePublicCloud",
            authority_host: "https://login.microsoftonline.com/",
            metrics_endpoint: "https://management.azure.com",
            logs_endpoint: "https://api.loganalytics.io/v1",
            logs_audience: "https://api.loganalytics.io",
            app_insights: "https://api.applicationinsights.io",
        },
    ),
    (
        "AZUREUSGOVERNMENTCLOUD",
        AzureCloud {
            name: "AzureUSGovernmentCloud",
            authority_host: "https://login.microsoftonline.us/",
            metrics_endpoint: "https://management.usgovcloudapi.net/",
            logs_endpoint: "https://api.loganalytics.us/v1",
            logs_audience: "https://api.loganalytics.us",
            app_insights: "https://api.applicationinsights.us",
        },
    ),
    (
        "AZURECHINACLOUD",
        AzureCloud {
            name: "AzureChinaCloud",
            authority_host: "https://login.chinacloudapi.cn/",
            metrics_endpoint: "https://management.chinacloudapi.cn/",
            logs_endpoint: "https://api.loganalytics.azure.cn/v1",
            logs_audience: "https://api.loganalytics.azure.cn",
            app_insights: "https://api.applicationinsights.azure.cn",
        },
    ),
];

pub const PUBLIC: AzureCloud = AZURE_CLOUDS[0].1;

/// `azure.AzureClouds[strings.ToUpper(name)]` (Go's Unicode upper-casing).
pub fn named_cloud(name: &str) -> Option<AzureCloud> {
    let upper = name.to_uppercase();
    AZURE_CLOUDS
        .iter()
        .find(|(n, _)| *n == upper)
        .map(|(_, c)| *c)
}

/// `Private` compared as `strings.EqualFold` does.
pub fn is_private(name: &str) -> bool {
    name.eq_ignore_ascii_case("Private")
}

/// "there is no cloud environment matching the name …".
pub fn no_such_cloud(name: &str) -> ScalerError {
    super::typed::error(
        "cloud",
        ErrorKind::Invalid,
        format!("there is no cloud environment matching the name {name}"),
    )
}

/// `<key> must be provided for Private cloud type`.
pub fn private_needs(key: &str) -> ScalerError {
    super::typed::error(
        key,
        ErrorKind::Missing,
        format!("{key} must be provided for Private cloud type"),
    )
}

/// `azure.ParseActiveDirectoryEndpoint` on the raw (untrimmed) metadata: the AAD endpoint of
/// the named cloud (`EnvironmentFromName`, six names), or `activeDirectoryEndpoint` for
/// `Private`.
pub fn active_directory_endpoint(
    metadata: &BTreeMap<String, String>,
) -> Result<String, ScalerError> {
    let cloud = metadata.get("cloud").map_or("", String::as_str);
    if cloud.is_empty() {
        return Ok(PUBLIC.authority_host.to_owned());
    }
    if is_private(cloud) {
        return match metadata.get("activeDirectoryEndpoint") {
            Some(v) if !v.is_empty() => Ok(v.clone()),
            _ => Err(private_needs("activeDirectoryEndpoint")),
        };
    }
    let endpoint = match cloud::environment_name(&cloud.to_uppercase()) {
        Some("AzurePublicCloud") => Some("https://login.microsoftonline.com/"),
        Some("AzureUSGovernmentCloud") => Some("https://login.microsoftonline.us/"),
        Some("AzureChinaCloud") => Some("https://login.chinacloudapi.cn/"),
        Some("AzureGermanCloud") => Some("https://login.microsoftonline.de/"),
        _ => None,
    };
    endpoint.map(str::to_owned).ok_or_else(|| {
        super::typed::error(
            "cloud",
            // AzureStackCloud is read from a file named by the operator's environment.
            if cloud.eq_ignore_ascii_case("AzureStackCloud") {
                ErrorKind::OperatorEnv
            } else {
                ErrorKind::Invalid
            },
            format!("invalid cloud environment {cloud}"),
        )
    })
}

/// `azidentity.NewClientSecretCredential` refuses a tenant that is not ASCII letters, digits,
/// `.` and `-` before any call. A value out of view is not judged.
pub fn check_tenant_id(tenant_id: &str) -> Result<(), ScalerError> {
    let valid = !tenant_id.is_empty()
        && tenant_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if valid || super::typed::unseen(tenant_id) {
        return Ok(());
    }
    Err(super::typed::error(
        "tenantId",
        ErrorKind::Invalid,
        "invalid tenantID. You can locate your tenantID by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names",
    ))
}

/// The pod identity provider as KEDA switches on it: `None` for `""` / `none`.
pub fn provider(pod_identity: Option<&str>) -> Option<&str> {
    pod_identity.filter(|p| !p.is_empty() && *p != "none")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn clouds_and_the_active_directory_endpoint() {
        assert_eq!(
            named_cloud("azureChinaCloud").unwrap().name,
            "AzureChinaCloud"
        );
        // AzureClouds has three names; EnvironmentFromName knows more.
        assert!(named_cloud("AzureCloud").is_none());
        assert!(named_cloud("azureGermanCloud").is_none());
        assert_eq!(
            active_directory_endpoint(&meta(&[("cloud", "azureGermanCloud")])).unwrap(),
            "https://login.microsoftonline.de/"
        );
        assert_eq!(
            active_directory_endpoint(&meta(&[])).unwrap(),
            "https://login.microsoftonline.com/"
        );
        let e = active_directory_endpoint(&meta(&[("cloud", "private")])).unwrap_err();
        assert_eq!(
            e.message,
            "activeDirectoryEndpoint must be provided for Private cloud type"
        );
        let e = active_directory_endpoint(&meta(&[("cloud", " AzureCloud")])).unwrap_err();
        assert_eq!(e.message, "invalid cloud environment  AzureCloud");
        let e = active_directory_endpoint(&meta(&[("cloud", "AzureStackCloud")])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OperatorEnv);
    }

    #[test]
    fn tenant_ids_the_sdk_accepts() {
        assert!(check_tenant_id("8fe57c22-02b1-4b87-8c24-ae21dea4fa6a").is_ok());
        assert!(check_tenant_id("contoso.onmicrosoft.com").is_ok());
        assert!(check_tenant_id("my tenant").is_err());
        assert!(check_tenant_id("tenant_1").is_err());
    }

    #[test]
    fn secrets_stay_out_of_debug() {
        let c = Credential::ClientSecret {
            tenant_id: "t".into(),
            client_id: "c".into(),
            client_secret: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
