//! `postgresql`: the number a SQL query returns (`pkg/scalers/postgresql_scaler.go`,
//! `postgreSQLMetadata` and its `Validate()`). The connection is either whole
//! (`connection` from the TriggerAuthentication or `connectionFromEnv`) or built from its
//! parts (`host`, `port`, `userName`, `dbName`, `sslmode`, and `password` unless the
//! `azure-workload` pod identity supplies an Azure Database access token instead).
//!
//! Valid: the connection from the parts, the password from the container's env.
//! ```yaml
//! - type: postgresql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs WHERE state = 'waiting'
//!     targetQueryValue: "5"
//!     host: postgres.db.svc
//!     port: "5432"
//!     userName: keda
//!     dbName: jobs
//!     sslmode: require
//!     passwordFromEnv: PG_PASSWORD
//! ```
//! Invalid: neither a connection nor a host ("no host given").
//! ```yaml
//! - type: postgresql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs
//!     targetQueryValue: "5"
//! ```

use super::typed::{self, Param, Parsed, A, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["postgresql"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("targetQueryValue", &[M], FLOAT64).optional(),
    Param::new("activationTargetQueryValue", &[M], FLOAT64).optional(),
    Param::new("connection", &[A, E], STRING).optional(),
    Param::new("query", &[M], STRING),
    Param::new("host", &[A, M], STRING).optional(),
    Param::new("port", &[A, M], STRING).optional(),
    Param::new("userName", &[A, M], STRING).optional(),
    Param::new("dbName", &[A, M], STRING).optional(),
    Param::new("sslmode", &[A, M], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
];

/// The parts `Validate()` requires without a whole connection, in its order.
const PARTS: &[(&str, &str)] = &[
    ("host", "no host given"),
    ("port", "no port given"),
    ("userName", "no userName given"),
    ("dbName", "no dbName given"),
    ("sslmode", "no sslmode given"),
];

/// `Validate()`: without a whole connection, every part but the password.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if !p.str("connection").is_empty() {
        return Ok(());
    }
    match PARTS.iter().find(|(k, _)| p.str(k).is_empty()) {
        Some((key, message)) => Err(typed::error(key, ErrorKind::Missing, *message)),
        None => Ok(()),
    }
}

/// The connection parts `Validate()` of the SQL-family scalers asks for.
const PART_KEYS: &[&str] = &["host", "port", "userName", "username", "dbName", "sslmode", "password"];

/// When the whole connection was to come through `<whole>FromEnv` and the variable is not
/// there, that is what is missing, not the first part KEDA then asks for: the error is
/// moved to `whole` so the linter names the variable.
pub(crate) fn blame_whole(input: &TriggerInput<'_>, whole: &str, mut e: ScalerError) -> ScalerError {
    let part = e.key.as_deref().is_some_and(|k| PART_KEYS.contains(&k));
    let via_env = typed::from_env_var(input, whole);
    if e.kind == ErrorKind::Missing && part && !via_env.is_empty() {
        e.key = Some(whole.to_owned());
    }
    e
}

/// `NewPostgreSQLScaler` up to the connection: metric type, then `parsePostgreSQLMetadata`
/// (a ScaledObject's trigger is not a bare metric source, so the target is required).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        validate(p).map_err(|e| blame_whole(input, "connection", e))
    })?;
    let target = parsed.float("targetQueryValue");
    if target == 0.0 {
        return Err(vec![typed::error(
            "targetQueryValue",
            ErrorKind::Missing,
            "no targetQueryValue given",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "postgresql"),
        metric_type,
        target,
        activation: parsed.float("activationTargetQueryValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const QUERY: (&str, &str) = ("query", "SELECT COUNT(*) FROM jobs");
    const TARGET: (&str, &str) = ("targetQueryValue", "5");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("postgresql")
            .meta(&[
                QUERY,
                TARGET,
                ("host", "postgres.db.svc"),
                ("port", "5432"),
                ("userName", "keda"),
                ("dbName", "jobs"),
                ("sslmode", "require"),
                ("passwordFromEnv", "PG_PASSWORD"),
            ])
            .env(&[("PG_PASSWORD", "secret")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-postgresql", 5.0));
        let bad = Trigger::new("postgresql").meta(&[QUERY, TARGET]);
        assert_eq!(bad.messages(), vec!["no host given"]);
    }

    /// `postgreSQLMetricIdentifiers` and `testPostgreSQLConnectionstring`.
    #[test]
    fn connection_sources() {
        // From env through connectionFromEnv; a `connection` in the metadata is not read.
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, TARGET, ("connectionFromEnv", "C")])
            .env(&[("C", "postgresql://test@localhost")])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-postgresql");
        let t = Trigger::new("postgresql").meta(&[
            QUERY,
            TARGET,
            ("connection", "postgresql://localhost:5432"),
        ]);
        assert_eq!(t.messages(), vec!["no host given"]);
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, TARGET])
            .auth(&[("connection", "host=db")]);
        assert!(t.messages().is_empty());
        // Parts: each is checked in turn, the password never.
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, TARGET, ("host", "h"), ("port", "1"), ("userName", "u")]);
        assert_eq!(t.messages(), vec!["no dbName given"]);
        // Azure Database through workload identity still needs the parts.
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, TARGET])
            .pod_identity("azure-workload");
        assert_eq!(t.messages(), vec!["no host given"]);
    }

    /// A connection through an env variable the container lacks: the error names it.
    #[test]
    fn missing_connection_variable_is_the_culprit() {
        let t = Trigger::new("postgresql").meta(&[QUERY, TARGET, ("connectionFromEnv", "PG_URL")]);
        let e = t.parse().unwrap_err();
        assert_eq!(e[0].key.as_deref(), Some("connection"));
        assert_eq!(e[0].message, "no host given");
        let t = Trigger::new("mssql").meta(&[
            ("query", "q"),
            ("targetValue", "1"),
            ("connectionStringFromEnv", "URL"),
        ]);
        assert_eq!(t.parse().unwrap_err()[0].key.as_deref(), Some("connectionString"));
    }

    #[test]
    fn target_is_required() {
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, ("targetQueryValue", "0")])
            .auth(&[("connection", "host=db")]);
        assert_eq!(t.messages(), vec!["no targetQueryValue given"]);
        let t = Trigger::new("postgresql")
            .meta(&[QUERY, ("targetQueryValue", "x")])
            .auth(&[("connection", "host=db")]);
        assert_eq!(t.messages().len(), 1);
    }
}
