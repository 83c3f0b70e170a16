//! `loki`: the result of a LogQL query (`pkg/scalers/loki_scaler.go`).
//!
//! KEDA reads the metric type, then the typed config: the fields below, then the embedded
//! shared authentication block. Its `Validate()` is promoted onto the scaler's config and
//! runs twice (KEDA's message repeats the line); it is reported once here.
//!
//! Valid:
//! ```yaml
//! - type: loki
//!   metadata:
//!     serverAddress: http://loki.monitoring:3100
//!     query: sum(rate({app="orders"} |= "error" [1m]))
//!     threshold: "0.7"
//! ```
//! Invalid (`threshold` is required, and bearer auth needs a token from the authentication):
//! ```yaml
//! - type: loki
//!   metadata:
//!     serverAddress: http://loki.monitoring:3100
//!     query: sum(rate({app="orders"}[1m]))
//!     authModes: bearer
//! ```

use super::authentication;
use super::typed::{self, Param, BOOL, FLOAT64, M, STRING};
use super::{ScalerError, ScalerMetric, TriggerInput};

/// `lokiMetadata`'s tags before its embedded `authentication.Config`, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("serverAddress", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
    Param::new("tenantName", &[M], STRING).optional(),
    Param::new("ignoreNullValues", &[M], BOOL).default("true"),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
];

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["loki"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let own = typed::read(input, PARAMS, |_| Ok(()));
    let auth = authentication::parse(input);
    match (own, auth) {
        (Ok(own), Ok(_)) => Ok(ScalerMetric {
            metric_name: super::metric_name(input.index, "loki"),
            metric_type,
            target: own.float("threshold"),
            activation: own.float("activationThreshold"),
        }),
        (own, auth) => {
            let mut errors = own.err().unwrap_or_default();
            errors.extend(auth.err().unwrap_or_default());
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    fn run(meta: &[(&str, &str)], auth: &[(&str, &str)]) -> Result<ScalerMetric, Vec<String>> {
        Trigger::new("loki")
            .meta(meta)
            .auth(auth)
            .parse()
            .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const QUERY: (&str, &str) = (
        "query",
        "sum(rate({filename=\"/var/log/syslog\"}[1m])) by (level)",
    );
    const SERVER: (&str, &str) = ("serverAddress", "http://localhost:3100");

    /// `pkg/scalers/loki_scaler_test.go`, tables `testLokiMetadata` and
    /// `testLokiAuthMetadata`.
    #[test]
    fn keda_tables() {
        let ok = [SERVER, ("threshold", "1"), QUERY];
        let rows: &[(&[(&str, &str)], bool)] = &[
            (&[], true),
            (&ok, false),
            (
                &[
                    SERVER,
                    ("threshold", "1"),
                    QUERY,
                    ("ignoreNullValues", "false"),
                ],
                false,
            ),
            (
                &[
                    SERVER,
                    ("threshold", "1"),
                    QUERY,
                    ("activationThreshold", "50"),
                ],
                false,
            ),
            (&[("serverAddress", ""), ("threshold", "1"), QUERY], true),
            (&[SERVER, QUERY], true),
            (&[SERVER, ("threshold", "one"), QUERY], true),
            (
                &[
                    SERVER,
                    ("threshold", "1"),
                    ("activationThreshold", "one"),
                    QUERY,
                ],
                true,
            ),
            (&[SERVER, ("threshold", "1"), ("query", "")], true),
            (
                &[
                    SERVER,
                    ("threshold", "1"),
                    QUERY,
                    ("ignoreNullValues", "xxxx"),
                ],
                true,
            ),
            (
                &[SERVER, ("threshold", "1"), QUERY, ("unsafeSsl", "true")],
                false,
            ),
        ];
        for (i, (meta, refused)) in rows.iter().enumerate() {
            let got = run(meta, &[]);
            assert_eq!(got.is_err(), *refused, "testLokiMetadata row {i}: {got:?}");
        }
        let bearer = [SERVER, ("threshold", "1"), QUERY, ("authModes", "bearer")];
        let basic = [SERVER, ("threshold", "1"), QUERY, ("authModes", "basic")];
        assert!(run(&bearer, &[("bearerToken", "dummy-token")]).is_ok());
        assert_eq!(
            run(&bearer, &[]).unwrap_err(),
            ["bearer token=<empty> is required when bearer auth is enabled"]
        );
        assert!(run(&basic, &[("username", "user"), ("password", "pass")]).is_ok());
        assert!(run(&basic, &[]).is_err());
        let m = run(&ok, &[]).unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-loki", 1.0));
    }
}
