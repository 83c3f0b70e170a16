//! `influxdb`: the first value a Flux (InfluxDB 2) or InfluxQL/FlightSQL (InfluxDB 3) query
//! returns (`pkg/scalers/influxdb_scaler.go`, `influxDBMetadata` and its `Validate()`).
//! Version 2 needs `organizationName`; version 3 needs `database` and `metricKey`, and names
//! the metric after the database instead of the organization. `authToken` in the trigger
//! metadata was removed in 2.20. Not modelled: the InfluxDB 3 client's own checks of the
//! server URL and token, made when KEDA creates it.
//!
//! Valid: InfluxDB 2, the token in the TriggerAuthentication.
//! ```yaml
//! - type: influxdb
//!   metadata:
//!     serverURL: http://influxdb.monitoring.svc:8086
//!     organizationName: acme
//!     query: 'from(bucket: "jobs") |> range(start: -1m) |> count()'
//!     thresholdValue: "100"
//!   authenticationRef:
//!     name: influxdb-token   # authToken
//! ```
//! Invalid: InfluxDB 3 without a database ("database is required if influxVersion is 3").
//! ```yaml
//! - type: influxdb
//!   metadata:
//!     serverURL: https://influxdb3.monitoring.svc
//!     influxVersion: "3"
//!     metricKey: pending
//!     query: SELECT pending FROM jobs ORDER BY time DESC LIMIT 1
//!     thresholdValue: "100"
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, FLOAT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["influxdb"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("authToken", &[M], STRING).optional().deprecated(
        "The 'authToken' setting from triggerMetadata is DEPRECATED and is removed in v2.20 - \
         Use 'authToken' from resolvedEnv or authParams instead",
    ),
    Param::new("authToken", &[E, A], STRING).optional(),
    Param::new("organizationName", &[M, E, A], STRING).optional(),
    Param::new("query", &[M], STRING),
    Param::new("influxVersion", &[M], STRING)
        .default("2")
        .one_of(&["2", "3"]),
    Param::new("queryType", &[M], STRING).default("InfluxQL"),
    Param::new("database", &[M, A], STRING).optional(),
    Param::new("metricKey", &[M], STRING).optional(),
    Param::new("serverURL", &[M, A], STRING),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("thresholdValue", &[M], FLOAT64).optional(),
    Param::new("activationThresholdValue", &[M], FLOAT64).optional(),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let missing = |key: &str, message: &'static str| typed::error(key, ErrorKind::Missing, message);
    match p.str("influxVersion") {
        "3" if p.str("database").is_empty() => Err(missing(
            "database",
            "database is required if influxVersion is 3",
        )),
        "3" if p.str("metricKey").is_empty() => Err(missing(
            "metricKey",
            "metricKey is required if influxVersion is 3",
        )),
        "3" if !["influxql", "flightsql"]
            .contains(&p.str("queryType").to_lowercase().as_str()) =>
        {
            Err(typed::error(
                "queryType",
                ErrorKind::Invalid,
                "query type must be 'influxql' or 'flightsql'",
            ))
        }
        "2" if p.str("organizationName").is_empty() => Err(missing(
            "organizationName",
            "organizationName is required if influxVersion is 2",
        )),
        _ => Ok(()),
    }
}

/// `NewInfluxDBScaler` up to the client: metric type, then `parseInfluxDBMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    let target = p.float("thresholdValue");
    // The linter drops this when the trigger only feeds scalingModifiers (AsMetricSource).
    if target == 0.0 {
        return Err(vec![typed::error(
            "thresholdValue",
            ErrorKind::MissingTarget,
            "no threshold value given",
        )]);
    }
    let named_after = if p.str("influxVersion") == "3" {
        p.str("database")
    } else {
        p.str("organizationName")
    };
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &["influxdb-", named_after].concat()),
        metric_type,
        target,
        activation: p.float("activationThresholdValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const V2: &[(&str, &str)] = &[
        ("serverURL", "https://influxdata.com"),
        ("organizationName", "influx_org"),
        ("query", "from(bucket: hello)"),
        ("thresholdValue", "10"),
    ];
    const V3: &[(&str, &str)] = &[
        ("serverURL", "https://influxdata.com"),
        ("influxVersion", "3"),
        ("database", "test"),
        ("metricKey", "mymetric"),
        ("query", "SELECT 1"),
        ("thresholdValue", "10"),
    ];
    const TOKEN: &[(&str, &str)] = &[("authToken", "myToken")];

    fn with(base: &[(&'static str, &'static str)], extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v: Vec<_> = base
            .iter()
            .copied()
            .filter(|(k, _)| !extra.iter().any(|(e, _)| e == k))
            .collect();
        v.extend(extra.iter().copied().filter(|(_, val)| !val.is_empty()));
        v
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("influxdb").meta(V2).auth(TOKEN);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-influxdb-influx_org", 10.0)
        );
        let bad = Trigger::new("influxdb").meta(&with(V3, &[("database", "")]));
        assert_eq!(
            bad.messages(),
            vec!["database is required if influxVersion is 3"]
        );
    }

    /// `pkg/scalers/influxdb_scaler_test.go` `testInfluxDBMetadata` and the metric names of
    /// `influxDBMetricIdentifiers` / `influxDBV3MetricIdentifiers`.
    #[test]
    fn keda_s_table() {
        let env = [("INFLUX_ORG", "influx_org"), ("INFLUX_TOKEN", "myToken")];
        let t = Trigger::new("influxdb")
            .index(1)
            .meta(&with(
                V2,
                &[
                    ("organizationName", ""),
                    ("organizationNameFromEnv", "INFLUX_ORG"),
                    ("authTokenFromEnv", "INFLUX_TOKEN"),
                ],
            ))
            .env(&env);
        assert_eq!(t.parse().unwrap().metric_name, "s1-influxdb-influx_org");
        let t = Trigger::new("influxdb").meta(&with(V2, &[("organizationName", "")]));
        assert_eq!(
            t.messages(),
            vec!["organizationName is required if influxVersion is 2"]
        );
        let t = Trigger::new("influxdb").meta(&with(V2, &[("thresholdValue", "")]));
        assert_eq!(t.messages(), vec!["no threshold value given"]);
        let t = Trigger::new("influxdb").meta(&with(V3, &[("influxVersion", "1")]));
        assert_eq!(
            t.messages(),
            vec!["parameter \"influxVersion\" value \"1\" must be one of [2 3]"]
        );
        let t = Trigger::new("influxdb").meta(&with(V3, &[("queryType", "FlightSQL")]));
        assert_eq!(t.parse().unwrap().metric_name, "s0-influxdb-test");
        let t = Trigger::new("influxdb").meta(&with(V3, &[("queryType", "Flux")]));
        assert_eq!(
            t.messages(),
            vec!["query type must be 'influxql' or 'flightsql'"]
        );
        let t = Trigger::new("influxdb").meta(&with(V2, TOKEN));
        assert_eq!(
            t.messages(),
            vec!["scaler influxdb info: The 'authToken' setting from triggerMetadata is DEPRECATED and is removed in v2.20 - Use 'authToken' from resolvedEnv or authParams instead"]
        );
    }
}
