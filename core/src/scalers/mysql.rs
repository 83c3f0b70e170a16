//! `mysql`: the number a SQL query returns (`pkg/scalers/mysql_scaler.go`, `mySQLMetadata`;
//! it has no `Validate()`). The connection is a DSN (`connectionString` from the
//! TriggerAuthentication or `connectionStringFromEnv`) or built from `host`, `port`,
//! `dbName`, `username` and `password`; the metric is named after the database (the DSN's
//! last `/` segment when a DSN is given).
//!
//! Valid: the parts in the metadata, the password from the container's env.
//! ```yaml
//! - type: mysql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs
//!     queryValue: "10"
//!     host: mysql.db.svc
//!     port: "3306"
//!     dbName: jobs
//!     username: keda
//!     passwordFromEnv: MYSQL_PASSWORD
//! ```
//! Invalid: an activation that is not a number (`activationQueryValue` "AA" cannot be
//! stored in a float64).
//! ```yaml
//! - type: mysql
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs
//!     queryValue: "10"
//!     activationQueryValue: AA
//!     connectionStringFromEnv: MYSQL_DSN
//! ```

use super::typed::{self, Param, A, E, FLOAT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["mysql"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("connectionString", &[A, E], STRING).optional(),
    Param::new("username", &[M, A, E], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
    Param::new("host", &[M, A], STRING).optional(),
    Param::new("port", &[M, A], STRING).optional(),
    Param::new("dbName", &[M, A], STRING).optional(),
    Param::new("query", &[M], STRING),
    Param::new("queryValue", &[M], FLOAT64),
    Param::new("activationQueryValue", &[M], FLOAT64).default("0"),
    Param::new("metricName", &[M], STRING).optional(),
];

/// `NewMySQLScaler` up to the connection: metric type, then `parseMySQLMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    let db = match parsed.str("connectionString") {
        "" => parsed.str("dbName"),
        dsn => dsn.rsplit('/').next().unwrap_or(dsn),
    };
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("mysql-{db}")),
        metric_type,
        target: parsed.float("queryValue"),
        activation: parsed.float("activationQueryValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const QUERY: (&str, &str) = ("query", "SELECT COUNT(*) FROM jobs");
    const VALUE: (&str, &str) = ("queryValue", "10");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("mysql")
            .meta(&[
                QUERY,
                VALUE,
                ("host", "mysql.db.svc"),
                ("port", "3306"),
                ("dbName", "jobs"),
                ("username", "keda"),
                ("passwordFromEnv", "MYSQL_PASSWORD"),
            ])
            .env(&[("MYSQL_PASSWORD", "secret")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-mysql-jobs", 10.0));
        let bad = Trigger::new("mysql")
            .meta(&[
                QUERY,
                VALUE,
                ("activationQueryValue", "AA"),
                ("connectionStringFromEnv", "MYSQL_DSN"),
            ])
            .env(&[("MYSQL_DSN", "user@tcp(db:3306)/jobs")]);
        assert_eq!(bad.messages().len(), 1);
    }

    /// `mySQLMetricIdentifiers`: the database of a DSN is its last path segment.
    #[test]
    fn metric_names() {
        let t = Trigger::new("mysql")
            .meta(&[QUERY, VALUE, ("connectionStringFromEnv", "DSN")])
            .env(&[("DSN", "user@tcp(http://my.mysql.dev:3306)/stats_db")]);
        assert_eq!(t.parse().unwrap().metric_name, "s0-mysql-stats_db");
        let t = Trigger::new("mysql")
            .meta(&[QUERY, VALUE, ("dbName", "test_dbname")])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-mysql-test_dbname");
        let t = Trigger::new("mysql").meta(&[VALUE]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"query\" in [triggerMetadata]"]
        );
    }
}
