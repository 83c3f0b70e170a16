//! `mongodb`: how many documents of a collection match a query
//! (`pkg/scalers/mongo_scaler.go`, `mongoDBMetadata` and its `Validate()`). The connection is
//! a whole `connectionString` or built from `host`, `port` (not for `mongodb+srv`),
//! `username` and `password`; TLS, when enabled, needs a CA or a client certificate with its
//! key.
//!
//! Valid: the server in the TriggerAuthentication, found through DNS SRV records.
//! ```yaml
//! - type: mongodb
//!   metadata:
//!     query: '{"status":"pending"}'
//!     collection: jobs
//!     queryValue: "10"
//!   authenticationRef:
//!     name: mongodb-credentials   # scheme: mongodb+srv, host, dbName, username, password
//! ```
//! Invalid: a host without a port ("no port given").
//! ```yaml
//! - type: mongodb
//!   metadata:
//!     query: '{"status":"pending"}'
//!     collection: jobs
//!     queryValue: "10"
//!     dbName: work
//!     host: mongodb.db.svc
//!     username: keda
//!     passwordFromEnv: MONGODB_PASSWORD
//! ```

use super::typed::{self, Param, Parsed, A, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["mongodb"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("connectionString", &[A, M, E], STRING).optional(),
    Param::new("scheme", &[A, M], STRING).default("mongodb"),
    Param::new("host", &[A, M], STRING).optional(),
    Param::new("port", &[A, M], STRING).optional(),
    Param::new("username", &[A, M], STRING).optional(),
    Param::new("password", &[A, M, E], STRING).optional(),
    Param::new("dbName", &[A, M], STRING),
    Param::new("collection", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("queryValue", &[M], FLOAT64),
    Param::new("activationQueryValue", &[M], FLOAT64).default("0"),
    Param::new("tls", &[A], STRING)
        .one_of(&["enable", "disable"])
        .default("disable"),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
];

fn absent(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.str("connectionString").is_empty() {
        if p.str("host").is_empty() {
            return Err(absent("host", "no host given"));
        }
        if p.str("port").is_empty() && p.str("scheme") != "mongodb+srv" {
            return Err(absent("port", "no port given"));
        }
        if p.str("username").is_empty() {
            return Err(absent("username", "no username given"));
        }
        if p.str("password").is_empty() {
            return Err(absent("password", "no password given"));
        }
    }
    if p.str("tls") == "enable" {
        let (cert, key) = (p.str("cert").is_empty(), p.str("key").is_empty());
        if cert && key && p.str("ca").is_empty() {
            return Err(absent(
                "ca",
                "at least one of cert, key, or ca must be provided when TLS is enabled",
            ));
        }
        if cert != key {
            return Err(absent(
                if cert { "cert" } else { "key" },
                "both cert and key must be provided when using client certificates",
            ));
        }
    }
    Ok(())
}

/// `NewMongoDBScaler` up to the client: metric type, then `parseMongoDBMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        validate(p).map_err(|e| super::postgresql::blame_whole(input, "connectionString", e))
    })?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("mongodb-{}", parsed.str("collection")),
        ),
        metric_type,
        target: parsed.float("queryValue"),
        activation: parsed.float("activationQueryValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const BASE: [(&str, &str); 3] = [
        ("query", "{\"status\":\"pending\"}"),
        ("collection", "jobs"),
        ("queryValue", "10"),
    ];

    fn meta(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut m = BASE.to_vec();
        m.extend_from_slice(extra);
        m
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("mongodb").meta(&BASE).auth(&[
            ("scheme", "mongodb+srv"),
            ("host", "cluster0.example.net"),
            ("dbName", "work"),
            ("username", "keda"),
            ("password", "secret"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-mongodb-jobs", 10.0));
        let bad = Trigger::new("mongodb")
            .meta(&meta(&[
                ("dbName", "work"),
                ("host", "mongodb.db.svc"),
                ("username", "keda"),
                ("passwordFromEnv", "MONGODB_PASSWORD"),
            ]))
            .env(&[("MONGODB_PASSWORD", "secret")]);
        assert_eq!(bad.messages(), vec!["no port given"]);
    }

    /// `testMONGODBMetadata`, the TLS rows.
    #[test]
    fn tls_needs_a_ca_or_a_key_pair() {
        let tls = |auth: &[(&str, &str)]| {
            Trigger::new("mongodb")
                .meta(&meta(&[("dbName", "test"), ("connectionStringFromEnv", "C")]))
                .env(&[("C", "mongodb://mongodb0.example.com:27017")])
                .auth(auth)
                .messages()
        };
        assert!(tls(&[("tls", "enable"), ("ca", "c")]).is_empty());
        assert!(tls(&[("tls", "enable"), ("cert", "c"), ("key", "k")]).is_empty());
        assert_eq!(
            tls(&[("tls", "enable"), ("cert", "c")]),
            vec!["both cert and key must be provided when using client certificates"]
        );
        assert_eq!(
            tls(&[("tls", "enable")]),
            vec!["at least one of cert, key, or ca must be provided when TLS is enabled"]
        );
        assert!(tls(&[("tls", "disable")]).is_empty());
        assert_eq!(tls(&[("tls", "on")]).len(), 1);
    }
}
