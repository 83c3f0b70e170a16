//! `couchdb`: how many documents a Mango query selects (`pkg/scalers/couchdb_scaler.go`,
//! `couchDBMetadata` and its `Validate()`). The connection is a whole `connectionString` or
//! built from `host`, `port`, `username`, `password` and `dbName`. The metric name carries
//! KEDA's spelling `coucdb-<dbName>`.
//!
//! Valid: the server in the TriggerAuthentication.
//! ```yaml
//! - type: couchdb
//!   metadata:
//!     query: '{ "selector": { "feet": { "$gt": 0 } }, "fields": ["_id", "feet"] }'
//!     queryValue: "1"
//!   authenticationRef:
//!     name: couchdb-credentials   # host, port, username, password, dbName
//! ```
//! Invalid: no target ("no queryValue given").
//! ```yaml
//! - type: couchdb
//!   metadata:
//!     query: '{ "selector": { "feet": { "$gt": 0 } } }'
//!     dbName: animals
//!     connectionStringFromEnv: COUCHDB_URL
//! ```

use super::typed::{self, Param, Parsed, A, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["couchdb"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("connectionString", &[A, M, E], STRING).optional(),
    Param::new("host", &[A, M], STRING).optional(),
    Param::new("port", &[A, M], STRING).optional(),
    Param::new("username", &[A, M], STRING).optional(),
    Param::new("password", &[A, M, E], STRING).optional(),
    Param::new("dbName", &[A, M], STRING).optional(),
    Param::new("query", &[M], STRING).optional(),
    Param::new("queryValue", &[M], INT64).optional(),
    Param::new("activationQueryValue", &[M], INT64).default("0"),
];

/// The parts `Validate()` requires without a whole connection string, in its order.
const PARTS: &[(&str, &str)] = &[
    ("host", "no host given"),
    ("port", "no port given"),
    ("username", "no username given"),
    ("password", "no password given"),
    ("dbName", "no dbName given"),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if !p.str("connectionString").is_empty() {
        return Ok(());
    }
    match PARTS.iter().find(|(k, _)| p.str(k).is_empty()) {
        Some((key, message)) => Err(typed::error(key, ErrorKind::Missing, *message)),
        None => Ok(()),
    }
}

/// `NewCouchDBScaler` up to the client: metric type, then `parseCouchDBMetadata` (a
/// ScaledObject's trigger is not a bare metric source, so the target is required).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        validate(p).map_err(|e| super::postgresql::blame_whole(input, "connectionString", e))
    })?;
    let target = parsed.int("queryValue");
    if target == 0 {
        return Err(vec![typed::error(
            "queryValue",
            ErrorKind::Missing,
            "no queryValue given",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("coucdb-{}", parsed.str("dbName")),
        ),
        metric_type,
        target: target as f64,
        activation: parsed.int("activationQueryValue") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const QUERY: (&str, &str) = ("query", "{ \"selector\": { \"feet\": { \"$gt\": 0 } } }");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("couchdb")
            .meta(&[QUERY, ("queryValue", "1")])
            .auth(&[
                ("host", "couchdb.db.svc"),
                ("port", "5984"),
                ("username", "admin"),
                ("password", "secret"),
                ("dbName", "animals"),
            ]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-coucdb-animals", 1.0));
        let bad = Trigger::new("couchdb")
            .meta(&[
                QUERY,
                ("dbName", "animals"),
                ("connectionStringFromEnv", "COUCHDB_URL"),
            ])
            .env(&[("COUCHDB_URL", "http://admin:pw@localhost:5984/")]);
        assert_eq!(bad.messages(), vec!["no queryValue given"]);
    }

    /// `testCOUCHDBMetadata`.
    #[test]
    fn parts_in_keda_s_order() {
        let t = Trigger::new("couchdb").meta(&[("queryValue", "1"), ("host", "h"), ("port", "1")]);
        assert_eq!(t.messages(), vec!["no username given"]);
        let t = Trigger::new("couchdb")
            .meta(&[("queryValue", "1"), ("activationQueryValue", "a")])
            .auth(&[("connectionString", "http://localhost:5984/")]);
        assert_eq!(t.messages().len(), 1);
    }
}
