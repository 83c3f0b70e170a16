//! What the Azure storage scalers (`azure-queue`, `azure-blob`) and the Event Hubs checkpoint
//! store share (`pkg/scalers/azure/azure_storage.go`): how a client reaches an account, by
//! connection string or by workload identity, with the credential kept secret.

pub use super::secret::Secret;

/// How a storage client authenticates.
#[derive(Clone, Debug, PartialEq)]
pub enum StorageAuth {
    /// A storage connection string (no pod identity, or `none`).
    ConnectionString(Secret),
    /// `podIdentity.provider: azure-workload`: a token for the account; the
    /// TriggerAuthentication's `podIdentity.identityId`, if any, picks the identity.
    WorkloadIdentity { account_name: String },
}

impl StorageAuth {
    /// The service URL a client of `service` (`queue`, `blob`) uses, as the storage SDKs
    /// derive it: with a connection string, its `QueueEndpoint` / `BlobEndpoint` if given,
    /// else `<DefaultEndpointsProtocol>://<AccountName>.<service>.<EndpointSuffix>` (https,
    /// core.windows.net when absent); with workload identity `https://<account>.<suffix>`,
    /// `suffix` being the resolved `endpointSuffix`. `None` when the connection string
    /// names no account.
    pub fn service_url(&self, service: &str, suffix: &str) -> Option<String> {
        match self {
            StorageAuth::WorkloadIdentity { account_name } => {
                Some(format!("https://{account_name}.{suffix}"))
            }
            StorageAuth::ConnectionString(c) => {
                let mut explicit = String::with_capacity(service.len() + 8);
                explicit.extend(service.chars().take(1).flat_map(char::to_uppercase));
                explicit.push_str(service.get(1..).unwrap_or(""));
                explicit.push_str("Endpoint");
                if let Some(url) = c.part(&explicit) {
                    return Some(url.trim_end_matches('/').to_owned());
                }
                let account = c.part("AccountName").filter(|a| !a.is_empty())?;
                let protocol = c.part("DefaultEndpointsProtocol").unwrap_or("https");
                let suffix = c.part("EndpointSuffix").unwrap_or("core.windows.net");
                Some(format!("{protocol}://{account}.{service}.{suffix}"))
            }
        }
    }
}

/// Runs `f` on a trigger built from pairs: the typed configs are tested through it.
#[cfg(test)]
pub(crate) fn with_input<R>(
    trigger_type: &str,
    meta: &[(&str, &str)],
    env: &[(&str, &str)],
    pod_identity: Option<&str>,
    f: impl FnOnce(&super::TriggerInput<'_>) -> R,
) -> R {
    let map = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    let (metadata, env, auth_params) = (map(meta), map(env), map(&[]));
    f(&super::TriggerInput {
        trigger_type,
        index: 0,
        metadata: &metadata,
        auth_params: &auth_params,
        env: &env,
        pod_identity,
        metric_type: None,
        namespace: "default",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_stay_hidden_and_give_their_endpoints() {
        let conn = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0;\
                    EndpointSuffix=core.chinacloudapi.cn";
        let auth = StorageAuth::ConnectionString(Secret::new(conn));
        assert!(!format!("{auth:?}").contains("c2VjcmV0"));
        assert_eq!(
            auth.service_url("queue", "ignored").as_deref(),
            Some("https://acct.queue.core.chinacloudapi.cn")
        );
        let explicit = StorageAuth::ConnectionString(Secret::new(
            "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;SharedAccessSignature=sv=1",
        ));
        assert_eq!(
            explicit.service_url("blob", "").as_deref(),
            Some("http://127.0.0.1:10000/devstoreaccount1")
        );
        assert_eq!(explicit.service_url("queue", ""), None);
        let wi = StorageAuth::WorkloadIdentity {
            account_name: "acct".to_owned(),
        };
        assert_eq!(
            wi.service_url("blob", "blob.core.windows.net").as_deref(),
            Some("https://acct.blob.core.windows.net")
        );
    }
}
