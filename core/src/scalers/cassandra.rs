//! `cassandra`: the number a CQL query returns (`pkg/scalers/cassandra_scaler.go`,
//! `cassandraMetadata` and its `Validate()`). The port is the one in `clusterIPAddress`
//! (`host:port`) or else `port`; TLS needs a client certificate and its key.
//!
//! Valid: the port in the address, the password in the TriggerAuthentication.
//! ```yaml
//! - type: cassandra
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs.pending;
//!     targetQueryValue: "10"
//!     username: cassandra
//!     clusterIPAddress: cassandra.db.svc:9042
//!     keyspace: jobs
//!   authenticationRef:
//!     name: cassandra-credentials   # password
//! ```
//! Invalid: no port anywhere ("no port given").
//! ```yaml
//! - type: cassandra
//!   metadata:
//!     query: SELECT COUNT(*) FROM jobs.pending;
//!     targetQueryValue: "10"
//!     username: cassandra
//!     clusterIPAddress: cassandra.db.svc
//!     keyspace: jobs
//! ```

use super::typed::{self, Param, Parsed, A, INT, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["cassandra"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("username", &[M], STRING),
    Param::new("password", &[A], STRING),
    Param::new("tls", &[A], STRING)
        .one_of(&["enable", "disable"])
        .default("disable"),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("clusterIPAddress", &[M], STRING),
    Param::new("port", &[M], INT).optional(),
    Param::new("consistency", &[M], STRING).default("one"),
    Param::new("protocolVersion", &[M], INT).default("4"),
    Param::new("keyspace", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("targetQueryValue", &[M], INT64),
    Param::new("activationTargetQueryValue", &[M], INT64).default("0"),
];

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.str("tls") == "enable" && (p.str("cert").is_empty() || p.str("key").is_empty()) {
        return Err(typed::error(
            if p.str("cert").is_empty() { "cert" } else { "key" },
            ErrorKind::Missing,
            "both cert and key are required when TLS is enabled",
        ));
    }
    // `host:port` with a port Go's Atoi reads wins over `port`.
    let parts: Vec<&str> = p.str("clusterIPAddress").split(':').collect();
    if let [_, port] = parts[..] {
        if crate::go::strconv::parse_int(port, 64).is_some() {
            return Ok(());
        }
    }
    if p.int("port") == 0 {
        return Err(typed::error("port", ErrorKind::Missing, "no port given"));
    }
    Ok(())
}

/// `NewCassandraScaler` up to the session: metric type, then `parseCassandraMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("cassandra-{}", parsed.str("keyspace")),
        ),
        metric_type,
        target: parsed.int("targetQueryValue") as f64,
        activation: parsed.int("activationTargetQueryValue") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const BASE: [(&str, &str); 4] = [
        ("query", "SELECT COUNT(*) FROM jobs.pending;"),
        ("targetQueryValue", "10"),
        ("username", "cassandra"),
        ("keyspace", "jobs"),
    ];

    fn with(address: &'static str, extra: &[(&'static str, &'static str)]) -> Trigger {
        let mut m = BASE.to_vec();
        m.push(("clusterIPAddress", address));
        m.extend_from_slice(extra);
        Trigger::new("cassandra").meta(&m)
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = with("cassandra.db.svc:9042", &[]).auth(&[("password", "p")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-cassandra-jobs", 10.0));
        let bad = with("cassandra.db.svc", &[]).auth(&[("password", "p")]);
        assert_eq!(bad.messages(), vec!["no port given"]);
    }

    /// `testCassandraMetadata` and `tlsAuthParamsTestData`.
    #[test]
    fn ports_and_tls() {
        // `https://host` splits in two at the scheme; the port parameter then decides.
        let t = with("https://cassandra.test", &[("port", "9042")]).auth(&[("password", "p")]);
        assert!(t.messages().is_empty());
        let t = with("cassandra.test:9042", &[]).auth(&[
            ("password", "p"),
            ("tls", "enable"),
            ("key", "k"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["both cert and key are required when TLS is enabled"]
        );
        let t = with("cassandra.test:9042", &[]).auth(&[("password", "p"), ("tls", "yes")]);
        assert_eq!(t.messages().len(), 1);
        let t = with("cassandra.test:9042", &[]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"password\" in [authParams]"]
        );
    }
}
