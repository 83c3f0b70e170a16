//! `mssql`: the number a SQL query returns (`pkg/scalers/mssql_scaler.go`, `mssqlMetadata`
//! and its `Validate()`). The connection is a whole `connectionString` (from the
//! TriggerAuthentication or `connectionStringFromEnv`) or built from `host` with optional
//! `port`, `database`, `username` and `password`; the `azure-workload` pod identity signs
//! in to Azure SQL with an access token, and no other pod identity is supported.
//!
//! Valid: the server in the metadata, the password from the container's env.
//! ```yaml
//! - type: mssql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs
//!     targetValue: "5"
//!     host: example.database.windows.net
//!     port: "1433"
//!     database: AdventureWorks
//!     username: keda
//!     passwordFromEnv: MSSQL_PASSWORD
//! ```
//! Invalid: no server to connect to ("must provide either connectionstring or host").
//! ```yaml
//! - type: mssql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs
//!     targetValue: "5"
//!     database: AdventureWorks
//! ```

use super::typed::{self, Param, A, E, FLOAT64, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["mssql"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("connectionString", &[A, E], STRING).optional(),
    Param::new("username", &[A, M], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
    Param::new("host", &[A, M], STRING).optional(),
    Param::new("port", &[A, M], INT).optional(),
    Param::new("database", &[A, M], STRING).optional(),
    Param::new("query", &[M], STRING),
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
];

/// `NewMSSQLScaler` up to the connection: metric type, then `parseMSSQLMetadata` (typed
/// config with `Validate()`, the target, the pod identity).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        if p.str("connectionString").is_empty() && p.str("host").is_empty() {
            let e = typed::error(
                "host",
                ErrorKind::Missing,
                "must provide either connectionstring or host",
            );
            return Err(super::postgresql::blame_whole(input, "connectionString", e));
        }
        Ok(())
    })?;
    let target = parsed.float("targetValue");
    if target == 0.0 {
        return Err(vec![typed::error(
            "targetValue",
            ErrorKind::Missing,
            "no targetValue given",
        )]);
    }
    match input.pod_identity {
        None | Some("" | "none" | "azure-workload") => {}
        Some(other) => {
            return Err(vec![typed::error(
                "",
                ErrorKind::PodIdentity,
                format!("pod identity {other} is not supported for mssql scaler"),
            )])
        }
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "mssql"),
        metric_type,
        target,
        activation: parsed.float("activationTargetValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const QUERY: (&str, &str) = ("query", "SELECT COUNT(*) FROM jobs");
    const TARGET: (&str, &str) = ("targetValue", "5");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("mssql")
            .meta(&[
                QUERY,
                TARGET,
                ("host", "example.database.windows.net"),
                ("port", "1433"),
                ("database", "AdventureWorks"),
                ("username", "keda"),
                ("passwordFromEnv", "MSSQL_PASSWORD"),
            ])
            .env(&[("MSSQL_PASSWORD", "secret")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-mssql", 5.0));
        let bad = Trigger::new("mssql").meta(&[QUERY, TARGET, ("database", "AdventureWorks")]);
        assert_eq!(
            bad.messages(),
            vec!["must provide either connectionstring or host"]
        );
    }

    /// `testMSSQLMetadata`: its expected errors, word for word.
    #[test]
    fn errors_are_keda_s_words() {
        let t = Trigger::new("mssql")
            .meta(&[TARGET])
            .auth(&[("connectionString", "sqlserver://localhost")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"query\" in [triggerMetadata]"]
        );
        let t = Trigger::new("mssql")
            .meta(&[QUERY])
            .auth(&[("connectionString", "sqlserver://localhost")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"targetValue\" in [triggerMetadata]"]
        );
        let t = Trigger::new("mssql")
            .meta(&[QUERY, TARGET, ("host", "h")])
            .pod_identity("gcp");
        assert_eq!(
            t.messages(),
            vec!["pod identity gcp is not supported for mssql scaler"]
        );
        let t = Trigger::new("mssql")
            .meta(&[QUERY, TARGET, ("host", "h")])
            .pod_identity("azure-workload");
        assert!(t.messages().is_empty());
        let t = Trigger::new("mssql").meta(&[QUERY, TARGET, ("host", "h"), ("port", "x")]);
        assert_eq!(t.messages().len(), 1);
    }
}
