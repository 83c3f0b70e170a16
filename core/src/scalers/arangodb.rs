//! `arangodb`: the result of an AQL query (`pkg/scalers/arangodb_scaler.go`).
//!
//! KEDA reads the metric type, then the typed config in field order (`endpoints`, the shared
//! authentication block, then the rest), then requires a non-zero `queryValue` unless the
//! trigger only feeds `scalingModifiers`.
//!
//! Valid:
//! ```yaml
//! - type: arangodb
//!   metadata:
//!     endpoints: https://arangodb.db:8529
//!     dbName: shop
//!     collection: orders
//!     query: 'FOR o IN orders FILTER o.state == "new" COLLECT WITH COUNT INTO n RETURN {value: n}'
//!     queryValue: "5"
//! ```
//! Invalid (`collection` missing, `connectionLimit` not an integer):
//! ```yaml
//! - type: arangodb
//!   metadata:
//!     endpoints: https://arangodb.db:8529
//!     dbName: shop
//!     query: 'RETURN {value: 1}'
//!     queryValue: "5"
//!     connectionLimit: many
//! ```

use super::authentication;
use super::typed::{self, Param, A, BOOL, FLOAT64, INT64, M, STRING};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

/// `arangoDBMetadata`'s first field, before its `ArangoDBAuth` block.
const ENDPOINTS: &[Param] = &[Param::new("endpoints", &[A, M], STRING)];

/// The fields after the authentication block, in field order.
pub const PARAMS: &[Param] = &[
    Param::new("dbName", &[M, A], STRING),
    Param::new("collection", &[M], STRING),
    Param::new("query", &[M], STRING),
    Param::new("queryValue", &[M], FLOAT64).default("0"),
    Param::new("activationQueryValue", &[M], FLOAT64).default("0"),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("connectionLimit", &[M], INT64).optional(),
];

/// This scaler in the registry.
pub static MODULE: super::Module = super::Module {
    types: &["arangodb"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let endpoints = typed::read(input, ENDPOINTS, |_| Ok(()));
    let auth = authentication::parse(input);
    let own = typed::read(input, PARAMS, |_| Ok(()));
    let own = match (endpoints, auth, own) {
        (Ok(_), Ok(_), Ok(own)) => own,
        (e, a, o) => {
            let mut errors = e.err().unwrap_or_default();
            errors.extend(a.err().unwrap_or_default());
            errors.extend(o.err().unwrap_or_default());
            return Err(errors);
        }
    };
    let target = own.float("queryValue");
    // The linter drops this when the trigger only feeds scalingModifiers (AsMetricSource).
    if target == 0.0 {
        return Err(vec![typed::error(
            "queryValue",
            ErrorKind::MissingTarget,
            "no QueryValue given",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "arangodb"),
        metric_type,
        target,
        activation: own.float("activationQueryValue"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scalers::testing::Trigger;

    fn run(meta: &[(&str, &str)], auth: &[(&str, &str)]) -> Result<ScalerMetric, Vec<String>> {
        Trigger::new("arangodb")
            .meta(meta)
            .auth(auth)
            .parse()
            .map_err(|e| e.into_iter().map(|e| e.message).collect())
    }

    const OK: [(&str, &str); 5] = [
        ("endpoints", "https://localhost:8529"),
        ("dbName", "db"),
        ("collection", "col"),
        ("query", "FOR d IN col RETURN d"),
        ("queryValue", "1"),
    ];

    #[test]
    fn checks_and_order() {
        assert!(run(&OK, &[]).is_ok());
        assert_eq!(
            run(&OK[1..], &[("authModes", "basic")]).unwrap_err(),
            [
                "missing required parameter \"endpoints\" in [authParams triggerMetadata]",
                "username=<empty> is required when basic auth is enabled"
            ]
        );
        assert_eq!(run(&OK[..4], &[]).unwrap_err(), ["no QueryValue given"]);
        // endpoints and dbName may come from the authentication.
        assert!(run(
            &OK[2..],
            &[("endpoints", "https://a:8529"), ("dbName", "db")]
        )
        .is_ok());
    }
}
