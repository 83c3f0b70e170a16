//! `dynatrace`: a metric selector (Metrics API v2) or a DQL query (Grail) evaluated by a
//! Dynatrace environment (`pkg/scalers/dynatrace_scaler.go`, `dynatraceMetadata` and its
//! `Validate()`): exactly one of `metricSelector` and `query`, and `from` only with a
//! selector (a DQL query carries its own time range). The token is read from the
//! TriggerAuthentication only.
//!
//! Valid: a DQL query, the environment and token in the TriggerAuthentication.
//! ```yaml
//! - type: dynatrace
//!   metadata:
//!     query: fetch logs | summarize r = count()
//!     threshold: "100"
//!   authenticationRef:
//!     name: dynatrace-credentials   # host, token
//! ```
//! Invalid: a time range next to a DQL query ("'from' can't be used with query, set time
//! range in the DQL query itself").
//! ```yaml
//! - type: dynatrace
//!   metadata:
//!     query: fetch logs | summarize r = count()
//!     from: now-3d
//!     threshold: "100"
//!   authenticationRef:
//!     name: dynatrace-credentials
//! ```

use super::typed::{self, Param, Parsed, A, DURATION, FLOAT64, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["dynatrace"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("host", &[M, A], STRING),
    Param::new("token", &[A], STRING),
    Param::new("metricSelector", &[M], STRING).optional(),
    Param::new("query", &[M], STRING).optional(),
    Param::new("queryTimeoutSeconds", &[M], INT).default("10"),
    Param::new("queryPollingWait", &[M], DURATION).default("1s"),
    Param::new("queryPollingTries", &[M], INT).default("5"),
    Param::new("from", &[M], STRING).optional(),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).optional(),
];

/// `Validate()`; its defaulting of `from` for a selector changes no verdict.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let (query, selector) = (p.str("query"), p.str("metricSelector"));
    if query.is_empty() && selector.is_empty() {
        return Err(typed::error(
            "metricSelector",
            ErrorKind::Missing,
            "either 'metricSelector' or 'query' must be provided",
        ));
    }
    if !query.is_empty() && !selector.is_empty() {
        return Err(typed::error(
            "query",
            ErrorKind::Invalid,
            "'metricSelector' and 'query' are mutually exclusive; only one can be provided",
        ));
    }
    if !query.is_empty() && !p.str("from").is_empty() {
        return Err(typed::error(
            "from",
            ErrorKind::Invalid,
            "'from' can't be used with query, set time range in the DQL query itself",
        ));
    }
    Ok(())
}

/// `NewDynatraceScaler` up to the HTTP client: metric type, then `parseDynatraceMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "dynatrace"),
        metric_type,
        target: parsed.float("threshold"),
        activation: parsed.float("activationThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("host", "http://dummy:1234"), ("token", "dummy")];
    const QUERY: (&str, &str) = ("query", "fetch logs | summarize r = count()");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("dynatrace")
            .meta(&[QUERY, ("threshold", "100")])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-dynatrace", 100.0));
        let bad = Trigger::new("dynatrace")
            .meta(&[QUERY, ("from", "now-3d"), ("threshold", "100")])
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["'from' can't be used with query, set time range in the DQL query itself"]
        );
    }

    /// `testDynatraceMetadata` rows 6, 7 and 9; `dynatraceMetricIdentifiers`.
    #[test]
    fn keda_s_messages() {
        let t = Trigger::new("dynatrace")
            .meta(&[("threshold", "100")])
            .auth(AUTH);
        assert_eq!(
            t.messages(),
            vec!["either 'metricSelector' or 'query' must be provided"]
        );
        let t = Trigger::new("dynatrace")
            .meta(&[("threshold", "100"), ("metricSelector", "s"), ("query", "q")])
            .auth(AUTH);
        assert_eq!(
            t.messages(),
            vec!["'metricSelector' and 'query' are mutually exclusive; only one can be provided"]
        );
        let t = Trigger::new("dynatrace")
            .meta(&[("token", "foo"), ("threshold", "100"), ("metricSelector", "s")])
            .auth(&[("host", "http://dummy:1234")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"token\" in [authParams]"]
        );
        let t = Trigger::new("dynatrace")
            .meta(&[("threshold", "1.5"), ("activationThreshold", "0.5"), ("metricSelector", "s")])
            .auth(AUTH)
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target, m.activation), ("s1-dynatrace", 1.5, 0.5));
    }
}
