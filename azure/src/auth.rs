//! How a trigger authenticates to Service Bus.

use scalecore::scalers::servicebus::ServiceBusConfig;

use crate::secret::Secret;

/// `Debug` never prints the connection string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `connection` of the trigger (authParams or `connectionFromEnv`): SAS key or signature.
    ConnectionString(Secret),
    /// `podIdentity.provider: azure-workload`. The overrides come from the TriggerAuthentication
    /// (`identityId`, `identityTenantId`, `identityAuthorityHost`) and win over AZURE_CLIENT_ID,
    /// AZURE_TENANT_ID and AZURE_AUTHORITY_HOST.
    Workload {
        /// `namespace.<suffix>`, optionally with `:port`.
        fully_qualified_namespace: String,
        identity_id: Option<String>,
        tenant_id: Option<String>,
        authority_host: Option<String>,
    },
}

impl Auth {
    /// The connection string the core resolved for the trigger.
    pub fn connection_string(config: &ServiceBusConfig) -> Auth {
        Auth::ConnectionString(Secret::new(config.connection.clone()))
    }

    /// Workload identity for the namespace the core computed (`namespace` + cloud suffix).
    pub fn workload(
        config: &ServiceBusConfig,
        identity_id: Option<&str>,
        tenant_id: Option<&str>,
        authority_host: Option<&str>,
    ) -> Auth {
        Auth::Workload {
            fully_qualified_namespace: config.fully_qualified_namespace.clone(),
            identity_id: identity_id.map(str::to_owned),
            tenant_id: tenant_id.map(str::to_owned),
            authority_host: authority_host.map(str::to_owned),
        }
    }
}

/// A TriggerAuthentication's workload identity overrides (`identityId`, `identityTenantId`,
/// `identityAuthorityHost`) for a storage trigger; each wins over its AZURE_* variable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdentityOverrides {
    pub identity_id: Option<String>,
    pub tenant_id: Option<String>,
    pub authority_host: Option<String>,
}
