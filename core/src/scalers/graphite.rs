//! `graphite`: the latest datapoint of a Graphite render query
//! (`pkg/scalers/graphite_scaler.go`, `graphiteMetadata` and its `Validate()`): server,
//! query and time window are required; `authMode` may only be `basic`, which needs a
//! username from the TriggerAuthentication.
//!
//! Valid: basic authentication.
//! ```yaml
//! - type: graphite
//!   metadata:
//!     serverAddress: http://graphite.monitoring:81
//!     query: stats.counters.http.hello-world.request.count.count
//!     queryTime: -30Seconds
//!     threshold: "100"
//!     authMode: basic
//!   authenticationRef:
//!     name: graphite-basic   # username, password
//! ```
//! Invalid: basic authentication without a username ("username is required when authMode
//! is 'basic'").
//! ```yaml
//! - type: graphite
//!   metadata:
//!     serverAddress: http://graphite.monitoring:81
//!     query: stats.counters.http.hello-world.request.count.count
//!     queryTime: -30Seconds
//!     authMode: basic
//! ```

use super::typed::{self, Param, Parsed, A, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["graphite"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("serverAddress", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("threshold", &[M], FLOAT64).default("100"),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
    Param::new("queryTime", &[M], STRING),
    Param::new("authMode", &[M], STRING).one_of(&["basic"]).optional(),
    Param::new("username", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
];

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.str("authMode") == "basic" && p.str("username").is_empty() {
        return Err(typed::error(
            "username",
            ErrorKind::Missing,
            "username is required when authMode is 'basic'",
        ));
    }
    Ok(())
}

/// `NewGraphiteScaler` up to the HTTP client: metric type, then `parseGraphiteMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "graphite"),
        metric_type,
        target: parsed.float("threshold"),
        activation: parsed.float("activationThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    fn meta(auth_mode: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("serverAddress", "http://graphite.monitoring:81"),
            ("query", "stats.counters.http.hello-world.request.count.count"),
            ("queryTime", "-30Seconds"),
            ("authMode", auth_mode),
        ]
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let mut ok = meta("basic");
        ok.push(("threshold", "100"));
        let m = Trigger::new("graphite")
            .meta(&ok)
            .auth(&[("username", "user"), ("password", "pass")])
            .parse()
            .unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-graphite", 100.0));
        let bad = Trigger::new("graphite").meta(&meta("basic"));
        assert_eq!(
            bad.messages(),
            vec!["username is required when authMode is 'basic'"]
        );
    }

    /// `testGraphiteAuthMetadata` row 2; `graphiteMetricIdentifiers`; the default threshold.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("graphite")
            .meta(&meta("tls"))
            .auth(&[("username", "user")]);
        assert_eq!(
            t.messages(),
            vec!["parameter \"authMode\" value \"tls\" must be one of [basic]"]
        );
        let m = Trigger::new("graphite")
            .meta(&meta(""))
            .index(1)
            .parse()
            .unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-graphite", 100.0));
    }
}
