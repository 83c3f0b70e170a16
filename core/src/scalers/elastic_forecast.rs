//! `elastic-forecast`: the value an Elasticsearch machine-learning job forecasts `lookAhead`
//! from now (`pkg/scalers/elastic_forecast_scaler.go`, `elasticForecastMetadata` and its
//! `Validate()`). The cluster is reached as for `elasticsearch` (addresses with basic auth,
//! or `cloudID` with `apiKey`), with this scaler's own wording for the checks.
//!
//! Valid: a forecast 15 minutes ahead.
//! ```yaml
//! - type: elastic-forecast
//!   metadata:
//!     addresses: http://elasticsearch.search.svc:9200
//!     jobID: requests-per-minute
//!     lookAhead: 15m
//!     targetValue: "500"
//!   authenticationRef:
//!     name: elastic-credentials   # username, password
//! ```
//! Invalid: credentials with nowhere to use them ("username and password provided but no
//! addresses specified").
//! ```yaml
//! - type: elastic-forecast
//!   metadata:
//!     jobID: requests-per-minute
//!     targetValue: "500"
//!   authenticationRef:
//!     name: elastic-credentials   # username, password
//! ```

use super::elasticsearch::{absent, invalid, missing, CONNECTION};
use super::typed::{self, Param, Parsed, DURATION, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["elastic-forecast"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::nested(CONNECTION),
    Param::new("jobID", &[M], STRING),
    Param::new("lookAhead", &[M], DURATION).default("10m"),
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("index", &[M], STRING).default("*"),
    Param::new("partitionFieldValue", &[M], STRING).optional(),
    Param::new("byFieldValue", &[M], STRING).optional(),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let (cloud_id, api_key) = (!p.str("cloudID").is_empty(), !p.str("apiKey").is_empty());
    let cloud = cloud_id || api_key;
    let addresses = !p.strings("addresses").is_empty();
    let basic = absent(p, &["username", "password"]);
    if cloud && addresses {
        return Err(invalid(
            "addresses",
            "cannot provide both cloud config (cloudID/apiKey) and endpoint addresses",
        ));
    }
    if cloud_id != api_key {
        return Err(missing(
            absent(p, &["cloudID", "apiKey"]),
            "cloudID and apiKey must both be provided together",
        ));
    }
    let any_basic = !p.str("username").is_empty() || !p.str("password").is_empty();
    if !addresses && any_basic {
        return Err(missing(
            "addresses",
            "username and password provided but no addresses specified",
        ));
    }
    if !cloud && !addresses {
        return Err(missing(
            "addresses",
            "must provide either cloud config (cloudID + apiKey) or endpoint addresses",
        ));
    }
    if addresses && !basic.is_empty() {
        return Err(missing(
            basic,
            "username and password must both be provided when addresses is used",
        ));
    }
    if p.duration("lookAhead") <= 0 {
        return Err(invalid("lookAhead", "lookAhead must be positive"));
    }
    if p.float("targetValue") <= 0.0 {
        let kind = if p.is_set("targetValue") {
            ErrorKind::Invalid
        } else {
            ErrorKind::Missing
        };
        return Err(typed::error(
            "targetValue",
            kind,
            "targetValue must be greater than 0",
        ));
    }
    Ok(())
}

/// `NewElasticForecastScaler` up to the client: metric type, then
/// `parseElasticForecastMetadata`; the metric is named after the job.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &["elastic-forecast-", p.str("jobID")].concat()),
        metric_type,
        target: p.float("targetValue"),
        activation: p.float("activationTargetValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const JOB: &[(&str, &str)] = &[
        ("addresses", "http://localhost:9200"),
        ("jobID", "my-job"),
        ("targetValue", "10"),
    ];
    const BASIC: &[(&str, &str)] = &[("username", "admin"), ("password", "secret")];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("elastic-forecast")
            .meta(&[
                ("addresses", "http://elasticsearch.search.svc:9200"),
                ("jobID", "requests-per-minute"),
                ("lookAhead", "15m"),
                ("targetValue", "500"),
            ])
            .auth(BASIC);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-elastic-forecast-requests-per-minute", 500.0)
        );
        let bad = Trigger::new("elastic-forecast")
            .meta(&[("jobID", "requests-per-minute"), ("targetValue", "500")])
            .auth(BASIC);
        assert_eq!(
            bad.messages(),
            vec!["username and password provided but no addresses specified"]
        );
    }

    /// `pkg/scalers/elastic_forecast_scaler_test.go` `elasticForecastTestCases`.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("elastic-forecast")
            .meta(&JOB[1..])
            .auth(&[("cloudID", "my-cluster:xxxxxxxxxxx")]);
        assert_eq!(
            t.messages(),
            vec!["cloudID and apiKey must both be provided together"]
        );
        let t = Trigger::new("elastic-forecast")
            .meta(JOB)
            .auth(&[("cloudID", "my-cluster:xxxxxxxxxxx"), ("apiKey", "x")]);
        assert_eq!(
            t.messages(),
            vec!["cannot provide both cloud config (cloudID/apiKey) and endpoint addresses"]
        );
        let t = Trigger::new("elastic-forecast")
            .meta(JOB)
            .auth(&[("password", "secret")]);
        assert_eq!(
            t.messages(),
            vec!["username and password must both be provided when addresses is used"]
        );
        let t = Trigger::new("elastic-forecast")
            .meta(&[JOB[0], ("jobID", ""), JOB[2]])
            .auth(BASIC);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"jobID\" in [triggerMetadata]"]
        );
        let t = Trigger::new("elastic-forecast")
            .meta(&[JOB[0], JOB[1], ("targetValue", "-1"), ("lookAhead", "0s")])
            .auth(BASIC);
        assert_eq!(t.messages(), vec!["lookAhead must be positive"]);
        let t = Trigger::new("elastic-forecast")
            .meta(&[JOB[0], JOB[1], ("targetValue", "0")])
            .auth(BASIC);
        assert_eq!(t.messages(), vec!["targetValue must be greater than 0"]);
        let t = Trigger::new("elastic-forecast")
            .meta(&[JOB[1], JOB[2], ("lookAhead", "-5m")])
            .auth(&[("cloudID", "c"), ("apiKey", "k")]);
        assert_eq!(
            t.messages(),
            vec![
                "unable to set param \"lookAhead\" value \"-5m\": duration cannot be negative: \"-5m\"",
                // Validate() still runs, on the zero duration the failed field left.
                "lookAhead must be positive",
            ]
        );
    }
}
