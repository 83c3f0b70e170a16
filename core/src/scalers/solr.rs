//! `solr`: how many documents a Solr query finds in a collection (`pkg/scalers/solr_scaler.go`,
//! `solrMetadata`). Basic auth is required; an empty `query` means `*:*`.
//!
//! Valid: the credentials in the TriggerAuthentication.
//! ```yaml
//! - type: solr
//!   metadata:
//!     host: http://solr.search.svc:8983
//!     collection: my_core
//!     query: "status:pending"
//!     targetQueryValue: "10"
//!   authenticationRef:
//!     name: solr-credentials   # username, password
//! ```
//! Invalid: no target (`missing required parameter "targetQueryValue" in [triggerMetadata]`;
//! a target of 0 is "no targetQueryValue given" unless the trigger only feeds
//! `scalingModifiers`).
//! ```yaml
//! - type: solr
//!   metadata:
//!     host: http://solr.search.svc:8983
//!     collection: my_core
//!   authenticationRef:
//!     name: solr-credentials   # username, password
//! ```

use super::typed::{self, Param, A, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["solr"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("host", &[M], STRING),
    Param::new("collection", &[M], STRING),
    Param::new("targetQueryValue", &[M], FLOAT64),
    Param::new("activationTargetQueryValue", &[M], FLOAT64).default("0"),
    Param::new("query", &[M], STRING).optional(),
    Param::new("username", &[A, M], STRING),
    Param::new("password", &[A, M], STRING),
];

/// `NewSolrScaler`: metric type, then `parseSolrMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, |_| Ok(()))?;
    let target = p.float("targetQueryValue");
    // The linter drops this when the trigger only feeds scalingModifiers (AsMetricSource).
    if target == 0.0 {
        return Err(vec![typed::error(
            "targetQueryValue",
            ErrorKind::MissingTarget,
            "no targetQueryValue given",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "solr"),
        metric_type,
        target,
        activation: p.float("activationTargetQueryValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const AUTH: &[(&str, &str)] = &[("username", "test_username"), ("password", "test_password")];
    const HOST: (&str, &str) = ("host", "http://192.168.49.2:30217");
    const CORE: (&str, &str) = ("collection", "my_core");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("solr")
            .meta(&[
                ("host", "http://solr.search.svc:8983"),
                CORE,
                ("query", "status:pending"),
                ("targetQueryValue", "10"),
            ])
            .auth(AUTH);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-solr", 10.0));
        let bad = Trigger::new("solr")
            .meta(&[("host", "http://solr.search.svc:8983"), CORE])
            .auth(AUTH);
        assert_eq!(
            bad.messages(),
            vec!["missing required parameter \"targetQueryValue\" in [triggerMetadata]"]
        );
        let zero = Trigger::new("solr")
            .meta(&[HOST, CORE, ("targetQueryValue", "0")])
            .auth(AUTH);
        assert_eq!(zero.messages(), vec!["no targetQueryValue given"]);
    }

    /// `pkg/scalers/solr_scaler_test.go` `testSolrMetadata` and `solrMetricIdentifiers`.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("solr")
            .index(1)
            .meta(&[HOST, CORE, ("targetQueryValue", "1")])
            .auth(AUTH);
        assert_eq!(t.parse().unwrap().metric_name, "s1-solr");
        let t = Trigger::new("solr")
            .meta(&[HOST, CORE, ("targetQueryValue", "1")])
            .auth(&AUTH[1..]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"username\" in [authParams triggerMetadata]"]
        );
    }
}
