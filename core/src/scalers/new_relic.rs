//! `new-relic`: the first numeric value of an NRQL query (`pkg/scalers/newrelic_scaler.go`,
//! `newrelicMetadata`; nothing is checked beyond the typed config: an unknown `region` falls
//! back to US in New Relic's client, and `noDataError` only matters when the query runs).
//!
//! Valid: the account and key in the TriggerAuthentication.
//! ```yaml
//! - type: new-relic
//!   metadata:
//!     nrql: SELECT average(cpuUsedCores) FROM K8sContainerSample
//!     threshold: "50"
//!   authenticationRef:
//!     name: newrelic-credentials   # account: 1234567, queryKey
//! ```
//! Invalid: the account is a number ("unable to set param \"account\" value \"ABC\": …").
//! ```yaml
//! - type: new-relic
//!   metadata:
//!     account: ABC
//!     nrql: SELECT average(cpuUsedCores) FROM K8sContainerSample
//!     threshold: "50"
//!   authenticationRef:
//!     name: newrelic-credentials
//! ```

use super::typed::{self, Param, A, BOOL, FLOAT64, INT, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["new-relic"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("account", &[A, M], INT),
    Param::new("region", &[A, M], STRING).default("US"),
    Param::new("queryKey", &[A, M], STRING),
    Param::new("noDataError", &[M], BOOL).default("false"),
    Param::new("nrql", &[M], STRING),
    Param::new("threshold", &[M], FLOAT64),
    Param::new("activationThreshold", &[M], FLOAT64).default("0"),
];

/// `NewNewRelicScaler` up to the client: metric type, then `parseNewRelicMetadata` (the
/// threshold is required even where a metric source later zeroes it).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "new-relic"),
        metric_type,
        target: parsed.float("threshold"),
        activation: parsed.float("activationThreshold"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const NRQL: (&str, &str) = ("nrql", "SELECT average(cpuUsedCores) FROM K8sContainerSample");
    const AUTH: &[(&str, &str)] = &[("account", "0"), ("queryKey", "somekey")];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("new-relic")
            .meta(&[NRQL, ("threshold", "50")])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-new-relic", 50.0));
        let bad = Trigger::new("new-relic")
            .meta(&[("account", "ABC"), NRQL, ("threshold", "50")])
            .auth(&[("queryKey", "somekey")]);
        assert_eq!(bad.messages().len(), 1);
        assert!(bad.messages()[0].starts_with("unable to set param \"account\" value \"ABC\""));
    }

    /// `testNewRelicMetadata` rows 0, 12 and 15; `newrelicMetricIdentifiers`.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("new-relic");
        assert_eq!(
            t.messages(),
            vec![
                "missing required parameter \"account\" in [authParams triggerMetadata]",
                "missing required parameter \"queryKey\" in [authParams triggerMetadata]",
                "missing required parameter \"nrql\" in [triggerMetadata]",
                "missing required parameter \"threshold\" in [triggerMetadata]",
            ]
        );
        let t = Trigger::new("new-relic")
            .meta(&[NRQL, ("threshold", "1"), ("noDataError", "invalid")])
            .auth(AUTH);
        assert_eq!(t.messages().len(), 1);
        let t = Trigger::new("new-relic")
            .meta(&[NRQL, ("threshold", "1"), ("noDataError", "0"), ("region", "mars")])
            .auth(AUTH)
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-new-relic");
    }
}
