//! `azure-data-explorer`: a Kusto query on an Azure Data Explorer cluster
//! (`pkg/scalers/azure_data_explorer_scaler.go`, `azureDataExplorerMetadata`, then
//! `ParseActiveDirectoryEndpoint` and `parseAzureDataExplorerAuthParams`).
//!
//! Valid: workload identity, nothing else to authenticate.
//! ```yaml
//! - type: azure-data-explorer
//!   metadata:
//!     endpoint: https://keda.eastus.kusto.windows.net
//!     databaseName: kedadb
//!     query: print x = 4
//!     threshold: "10.5"
//!   authenticationRef:
//!     name: azure-data-explorer-trigger-auth   # podIdentity.provider: azure-workload
//! ```
//! Invalid: the client secret is read from the TriggerAuthentication only ("error parsing
//! metadata. Details: clientSecret was not found in metadata. Check your ScaledObject
//! configuration").
//! ```yaml
//! - type: azure-data-explorer
//!   metadata:
//!     endpoint: https://keda.eastus.kusto.windows.net
//!     databaseName: kedadb
//!     query: print x = 4
//!     threshold: "10.5"
//!     tenantId: 8fe57c22-02b1-4b87-8c24-ae21dea4fa6a
//!     clientId: eebdbbab-cf74-4791-a5c6-1ef5d90b1fa8
//!     clientSecret: not-read-from-here
//! ```

use super::azure_ad::{self, Credential, Secret};
use super::typed::{self, Param, A, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["azure-data-explorer"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("databaseName", &[M], STRING),
    Param::new("endpoint", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
    Param::new("tenantId", &[M, A, E], STRING).optional(),
    Param::new("clientId", &[M, A, E], STRING).optional(),
    Param::new("clientSecret", &[A], STRING).optional(),
];

/// What a poller needs to run the query (`azkustodata.Client.Query`).
#[derive(Clone, Debug)]
pub struct DataExplorerConfig {
    pub metric: ScalerMetric,
    pub database_name: String,
    /// The cluster URL.
    pub endpoint: String,
    pub query: String,
    /// The AAD authority host for a client secret.
    pub active_directory_endpoint: String,
    pub credential: Credential,
}

/// `parseAzureDataExplorerMetadata`; `identity_id` is the TriggerAuthentication's
/// `podIdentity.identityId`, if any.
pub fn config(
    input: &TriggerInput<'_>,
    identity_id: Option<&str>,
) -> Result<DataExplorerConfig, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, |_| Ok(()))?;
    let one = |e: ScalerError| vec![e];
    let active_directory_endpoint =
        azure_ad::active_directory_endpoint(input.metadata).map_err(one)?;
    let credential = match azure_ad::provider(input.pod_identity) {
        Some("azure-workload") => Credential::Workload {
            identity_id: identity_id.map(str::to_owned),
        },
        None => {
            for (key, message) in [
                ("tenantId", "missing required parameter tenantId"),
                ("clientId", "missing required parameter clientId"),
                (
                    "clientSecret",
                    "error parsing metadata. Details: clientSecret was not found in metadata. Check your ScaledObject configuration",
                ),
            ] {
                if p.str(key).is_empty() {
                    return Err(one(typed::error(key, ErrorKind::Missing, message)));
                }
            }
            Credential::ClientSecret {
                tenant_id: p.str("tenantId").to_owned(),
                client_id: p.str("clientId").to_owned(),
                client_secret: Secret::new(p.str("clientSecret")),
            }
        }
        Some(_) => {
            return Err(one(typed::error(
                "",
                ErrorKind::PodIdentity,
                "error parsing auth params",
            )))
        }
    };
    Ok(DataExplorerConfig {
        metric: ScalerMetric {
            metric_name: super::metric_name(
                input.index,
                &format!("azure-data-explorer-{}", p.str("databaseName")),
            ),
            metric_type,
            target: p.float("threshold"),
            activation: p.float("activationThreshold"),
        },
        database_name: p.str("databaseName").to_owned(),
        endpoint: p.str("endpoint").to_owned(),
        query: p.str("query").to_owned(),
        active_directory_endpoint,
        credential,
    })
}

fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    config(input, None).map(|c| c.metric)
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const META: &[(&str, &str)] = &[
        ("endpoint", "https://keda.eastus.kusto.windows.net"),
        ("databaseName", "kedadb"),
        ("query", "print x = 4"),
        ("threshold", "10.5"),
    ];
    const SP: &[(&str, &str)] = &[
        ("tenantId", "8fe57c22-02b1-4b87-8c24-ae21dea4fa6a"),
        ("clientId", "eebdbbab-cf74-4791-a5c6-1ef5d90b1fa8"),
    ];

    #[test]
    fn examples_in_the_doc_comment() {
        let m = Trigger::new("azure-data-explorer")
            .meta(META)
            .pod_identity("azure-workload")
            .parse()
            .unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-azure-data-explorer-kedadb", 10.5)
        );
        let mut meta = META.to_vec();
        meta.extend_from_slice(SP);
        meta.push(("clientSecret", "not-read-from-here"));
        assert_eq!(
            Trigger::new("azure-data-explorer").meta(&meta).messages(),
            ["error parsing metadata. Details: clientSecret was not found in metadata. Check your ScaledObject configuration"]
        );
    }

    /// `testDataExplorerMetadataWithClientAndSecret`.
    #[test]
    fn credentials_clouds_and_identity() {
        let t = Trigger::new("azure-data-explorer")
            .meta(META)
            .auth(&[("clientSecret", "s")]);
        assert_eq!(t.messages(), ["missing required parameter tenantId"]);
        let mut meta = META.to_vec();
        meta.extend_from_slice(SP);
        let ok = Trigger::new("azure-data-explorer")
            .meta(&meta)
            .auth(&[("clientSecret", "s")]);
        assert!(ok.parse().is_ok());
        meta.push(("cloud", "private"));
        let t = Trigger::new("azure-data-explorer")
            .meta(&meta)
            .auth(&[("clientSecret", "s")]);
        assert_eq!(
            t.messages(),
            ["activeDirectoryEndpoint must be provided for Private cloud type"]
        );
        let t = Trigger::new("azure-data-explorer")
            .meta(META)
            .pod_identity("aws");
        assert_eq!(t.messages(), ["error parsing auth params"]);
    }
}
