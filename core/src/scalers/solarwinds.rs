//! `solarwinds`: a SolarWinds Observability metric aggregated over an interval
//! (`pkg/scalers/solarwinds_scaler.go`, `solarWindsMetadata`): the typed config, then the
//! host as a request URI. The API token is read from the TriggerAuthentication only.
//!
//! Valid: the average of a metric over a minute.
//! ```yaml
//! - type: solarwinds
//!   metadata:
//!     host: https://api.na-01.cloud.solarwinds.com
//!     metricName: composite.custom.queue.depth
//!     aggregation: AVG
//!     intervalS: "60"
//!     targetValue: "10"
//!   authenticationRef:
//!     name: solarwinds-token   # apiToken
//! ```
//! Invalid: an aggregation SolarWinds does not offer ("parameter \"aggregation\" value
//! \"MEAN\" must be one of [COUNT MIN MAX AVG SUM LAST]").
//! ```yaml
//! - type: solarwinds
//!   metadata:
//!     host: https://api.na-01.cloud.solarwinds.com
//!     metricName: composite.custom.queue.depth
//!     aggregation: MEAN
//!     intervalS: "60"
//!     targetValue: "10"
//! ```

use super::typed::{self, Param, A, FLOAT64, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["solarwinds"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("apiToken", &[A], STRING).optional(),
    Param::new("host", &[M], STRING),
    Param::new("targetValue", &[M], FLOAT64),
    Param::new("activationValue", &[M], FLOAT64).default("0"),
    Param::new("metricName", &[M], STRING),
    Param::new("aggregation", &[M], STRING).one_of(&["COUNT", "MIN", "MAX", "AVG", "SUM", "LAST"]),
    Param::new("intervalS", &[M], INT),
    Param::new("filter", &[M], STRING).optional(),
];

/// `NewSolarWindsScaler`: metric type, then `parseSolarWindsMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    if crate::go::url::parse_request_uri(parsed.str("host")).is_err() {
        return Err(vec![typed::error(
            "host",
            ErrorKind::Invalid,
            "invalid value for host. Must be a valid URL such as \
             'https://api.na-01.cloud.solarwinds.com'",
        )]);
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "solarwinds"),
        metric_type,
        target: parsed.float("targetValue"),
        activation: parsed.float("activationValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    fn meta(host: &'static str, aggregation: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("host", host),
            ("metricName", "composite.custom.queue.depth"),
            ("aggregation", aggregation),
            ("intervalS", "60"),
            ("targetValue", "10"),
        ]
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let host = "https://api.na-01.cloud.solarwinds.com";
        let ok = Trigger::new("solarwinds")
            .meta(&meta(host, "AVG"))
            .auth(&[("apiToken", "t0ken")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-solarwinds", 10.0));
        let bad = Trigger::new("solarwinds").meta(&meta(host, "MEAN"));
        assert_eq!(
            bad.messages(),
            vec!["parameter \"aggregation\" value \"MEAN\" must be one of [COUNT MIN MAX AVG SUM LAST]"]
        );
    }

    /// `testSolarWindsMetadata` row 3 (invalid host).
    #[test]
    fn host_must_be_a_request_uri() {
        let t = Trigger::new("solarwinds").meta(&meta("invalid-url", "AVG"));
        assert_eq!(
            t.messages(),
            vec!["invalid value for host. Must be a valid URL such as 'https://api.na-01.cloud.solarwinds.com'"]
        );
    }
}
