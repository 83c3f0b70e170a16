//! Azure Service Bus runtime counts for `scalecore run`.
//! (Interface placeholder: the client lands with the Azure work.)

use std::time::Duration;

use scalecore::scalers::servicebus::ServiceBusConfig;

#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub retries: u32,
    pub extra_root_certs_pem: Vec<Vec<u8>>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(3),
            retries: 3,
            extra_root_certs_pem: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct WorkloadIdentityEnv;

impl WorkloadIdentityEnv {
    pub fn from_env() -> Self {
        WorkloadIdentityEnv
    }
}

#[derive(Clone, Debug)]
pub enum Auth {
    ConnectionString(String),
    Workload {
        fully_qualified_namespace: String,
        identity_id: Option<String>,
        tenant_id: Option<String>,
        authority_host: Option<String>,
    },
}

impl Auth {
    pub fn connection_string(config: &ServiceBusConfig) -> Auth {
        Auth::ConnectionString(config.connection.clone())
    }
}

#[derive(Debug, thiserror::Error)]
#[error("not implemented")]
pub struct ScalerError;

#[derive(Clone, Debug)]
pub struct ServiceBus;

impl ServiceBus {
    pub fn new(_: ClientOptions, _: WorkloadIdentityEnv) -> Result<ServiceBus, ScalerError> {
        Ok(ServiceBus)
    }

    pub async fn active_message_count(
        &self,
        _: &ServiceBusConfig,
        _: &Auth,
        _: Duration,
    ) -> Result<i64, ScalerError> {
        Err(ScalerError)
    }
}
