//! Azure clouds: how KEDA turns `cloud` / `endpointSuffix` metadata into host suffixes
//! (`pkg/scalers/azure/azure_cloud_environment.go`, `cloud_config.go`, `azure_storage.go`).

use std::collections::BTreeMap;

use super::{ErrorKind, ScalerError};

/// The clouds `EnvironmentFromName` knows, by upper-cased name, with their Service Bus and
/// storage suffixes.
const CLOUDS: &[(&str, &str, &str)] = &[
    ("AZURECLOUD", "servicebus.windows.net", "core.windows.net"),
    (
        "AZUREPUBLICCLOUD",
        "servicebus.windows.net",
        "core.windows.net",
    ),
    (
        "AZURECHINACLOUD",
        "servicebus.chinacloudapi.cn",
        "core.chinacloudapi.cn",
    ),
    (
        "AZUREUSGOVERNMENT",
        "servicebus.usgovcloudapi.net",
        "core.usgovcloudapi.net",
    ),
    (
        "AZUREUSGOVERNMENTCLOUD",
        "servicebus.usgovcloudapi.net",
        "core.usgovcloudapi.net",
    ),
    (
        "AZUREGERMANCLOUD",
        "servicebus.cloudapi.de",
        "core.cloudapi.de",
    ),
];

/// Which suffix a named cloud resolves to.
#[derive(Clone, Copy)]
pub enum Service {
    ServiceBus,
    /// `queue.` / `blob.` + the storage suffix; `""` for the bare storage suffix.
    Storage(&'static str),
}

/// `ParseEnvironmentProperty(metadata, "endpointSuffix", ...)`: the raw (untrimmed) `cloud`
/// value picks a suffix; `Private` takes `endpointSuffix` verbatim.
pub fn suffix(
    metadata: &BTreeMap<String, String>,
    service: Service,
) -> Result<String, ScalerError> {
    property(metadata, "endpointSuffix", service)
}

/// `ParseEnvironmentProperty(metadata, key, ...)`: as [`suffix`], with `Private` reading
/// `key` (the Event Hubs checkpoint store reads `storageEndpointSuffix`).
pub fn property(
    metadata: &BTreeMap<String, String>,
    key: &str,
    service: Service,
) -> Result<String, ScalerError> {
    let cloud = metadata.get("cloud").map_or("", String::as_str);
    if cloud.is_empty() {
        return Ok(named_suffix("AZUREPUBLICCLOUD", service).unwrap_or_default());
    }
    if cloud.eq_ignore_ascii_case("Private") {
        return match metadata.get(key).map(String::as_str) {
            Some(s) if !s.is_empty() => Ok(s.to_owned()),
            _ => Err(ScalerError {
                key: Some(key.to_owned()),
                kind: ErrorKind::Missing,
                message: format!("{key} must be provided for Private cloud type"),
            }),
        };
    }
    let upper = cloud.to_ascii_uppercase();
    if let Some(s) = named_suffix(&upper, service) {
        return Ok(s);
    }
    Err(ScalerError {
        key: Some("cloud".to_owned()),
        // AzureStackCloud reads a file named by the operator's own environment: whether
        // it resolves cannot be known from the manifests.
        kind: if upper == "AZURESTACKCLOUD" {
            ErrorKind::OperatorEnv
        } else {
            ErrorKind::Invalid
        },
        message: format!("invalid cloud environment {cloud}"),
    })
}

fn named_suffix(upper: &str, service: Service) -> Option<String> {
    let (_, sb, storage) = CLOUDS.iter().find(|(n, _, _)| *n == upper)?;
    Some(match service {
        Service::ServiceBus => (*sb).to_owned(),
        Service::Storage("") => (*storage).to_owned(),
        Service::Storage(prefix) => format!("{prefix}.{storage}"),
    })
}

/// `EnvironmentFromName(cloud).Name`: the canonical name of a named cloud (any case), `None`
/// for names KEDA does not know (AzureStackCloud, read from a file, included).
pub fn environment_name(cloud: &str) -> Option<&'static str> {
    Some(match cloud.to_ascii_uppercase().as_str() {
        "AZURECLOUD" | "AZUREPUBLICCLOUD" => "AzurePublicCloud",
        "AZURECHINACLOUD" => "AzureChinaCloud",
        "AZUREUSGOVERNMENT" | "AZUREUSGOVERNMENTCLOUD" => "AzureUSGovernmentCloud",
        "AZUREGERMANCLOUD" => "AzureGermanCloud",
        _ => return None,
    })
}

/// The Service Bus host suffix for workload identity.
pub fn service_bus_suffix(metadata: &BTreeMap<String, String>) -> Result<String, ScalerError> {
    suffix(metadata, Service::ServiceBus)
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
    fn resolves_named_and_private_clouds() {
        assert_eq!(
            service_bus_suffix(&meta(&[])).unwrap(),
            "servicebus.windows.net"
        );
        assert_eq!(
            service_bus_suffix(&meta(&[("cloud", "azureusgovernment")])).unwrap(),
            "servicebus.usgovcloudapi.net"
        );
        assert_eq!(
            suffix(
                &meta(&[("cloud", "AzureChinaCloud")]),
                Service::Storage("queue")
            )
            .unwrap(),
            "queue.core.chinacloudapi.cn"
        );
        assert_eq!(
            service_bus_suffix(&meta(&[
                ("cloud", "PRIVATE"),
                ("endpointSuffix", "sb.local")
            ]))
            .unwrap(),
            "sb.local"
        );
        let e = service_bus_suffix(&meta(&[("cloud", "Private")])).unwrap_err();
        assert_eq!(
            e.message,
            "endpointSuffix must be provided for Private cloud type"
        );
        // `cloud` is not trimmed.
        let e = service_bus_suffix(&meta(&[("cloud", " AzureCloud")])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Invalid);
        let e = service_bus_suffix(&meta(&[("cloud", "AzureStackCloud")])).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OperatorEnv);
    }
}
