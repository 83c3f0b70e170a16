//! `elasticsearch`: a number read from a search (`pkg/scalers/elasticsearch_scaler.go`,
//! `elasticsearchMetadata` and its `Validate()`). The cluster is either endpoint `addresses`
//! with `username` and `password`, or Elastic Cloud's `cloudID` with an `apiKey`; the search
//! is a stored `searchTemplateName` (with `parameters`) or an inline `query`, and
//! `valueLocation` is the GJSON path of the number in the response. Not modelled: the client's
//! own checks of the addresses and the cloud ID, made with the first request.
//!
//! Valid: a search template on a self-managed cluster.
//! ```yaml
//! - type: elasticsearch
//!   metadata:
//!     addresses: http://elasticsearch.search.svc:9200
//!     index: orders
//!     searchTemplateName: pending-orders
//!     parameters: "status:pending"
//!     valueLocation: hits.total.value
//!     targetValue: "10"
//!   authenticationRef:
//!     name: elastic-credentials   # username, password
//! ```
//! Invalid: addresses and Elastic Cloud at once ("can't provide both cloud config and
//! endpoint addresses").
//! ```yaml
//! - type: elasticsearch
//!   metadata:
//!     addresses: http://elasticsearch.search.svc:9200
//!     cloudID: my-deployment:ZXUtd2VzdC0x
//!     index: orders
//!     query: '{"query":{"match_all":{}}}'
//!     valueLocation: hits.total.value
//!     targetValue: "10"
//!   authenticationRef:
//!     name: elastic-credentials   # username, password, apiKey
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, FLOAT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["elasticsearch"],
    parse,
};

/// The connection fields `elasticsearchMetadata` and `elasticForecastMetadata` share.
pub(super) const CONNECTION: &[Param] = &[
    Param::new("addresses", &[A, M], STRINGS).optional(),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("username", &[A, M], STRING).optional(),
    Param::new("password", &[A, E, M], STRING).optional(),
    Param::new("cloudID", &[A, M], STRING).optional(),
    Param::new("apiKey", &[A, M], STRING).optional(),
];

/// The search fields `elasticsearchMetadata` and `opensearchMetadata` share, in their order.
pub(super) const SEARCH: &[Param] = &[
    Param::new("index", &[A, M], STRINGS).separator(";"),
    Param::new("searchTemplateName", &[A, M], STRING).optional(),
    Param::new("query", &[A, M], STRING).optional(),
    Param::new("parameters", &[M], STRINGS)
        .optional()
        .separator(";"),
    Param::new("valueLocation", &[A, M], STRING),
    Param::new("targetValue", &[A, M], FLOAT64),
    Param::new("activationTargetValue", &[M], FLOAT64).default("0"),
    Param::new("ignoreNullValues", &[M], BOOL).default("false"),
    Param::new("metricName", &[M], STRING).optional(),
];

const PARAMS: &[Param] = &[Param::nested(CONNECTION), Param::nested(SEARCH)];

pub(super) fn missing(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

pub(super) fn invalid(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// The first of `keys` with no value (for blaming a pair one of which is absent).
pub(super) fn absent<'k>(p: &Parsed, keys: &[&'k str]) -> &'k str {
    keys.iter()
        .copied()
        .find(|k| p.str(k).is_empty())
        .unwrap_or("")
}

/// The last two checks of both `Validate()`s: exactly one of a template and a query.
pub(super) fn validate_search(p: &Parsed) -> Result<(), ScalerError> {
    match (p.str("searchTemplateName").is_empty(), p.str("query").is_empty()) {
        (true, true) => Err(missing(
            "query",
            "either searchTemplateName or query must be provided",
        )),
        (false, false) => Err(invalid(
            "query",
            "cannot provide both searchTemplateName and query",
        )),
        _ => Ok(()),
    }
}

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let cloud = !p.str("cloudID").is_empty() || !p.str("apiKey").is_empty();
    let addresses = !p.strings("addresses").is_empty();
    let basic = !p.str("username").is_empty() || !p.str("password").is_empty();
    if cloud && (addresses || basic) {
        return Err(invalid(
            if addresses { "addresses" } else { "cloudID" },
            "can't provide both cloud config and endpoint addresses",
        ));
    }
    if !cloud && !addresses && !basic {
        return Err(missing(
            "addresses",
            "must provide either cloud config or endpoint addresses",
        ));
    }
    if cloud && (p.str("cloudID").is_empty() || p.str("apiKey").is_empty()) {
        return Err(missing(
            absent(p, &["cloudID", "apiKey"]),
            "both cloudID and apiKey must be provided when cloudID or apiKey is used",
        ));
    }
    if addresses && (p.str("username").is_empty() || p.str("password").is_empty()) {
        return Err(missing(
            absent(p, &["username", "password"]),
            "both username and password must be provided when addresses is used",
        ));
    }
    validate_search(p)
}

/// The metric both search scalers give: `<type>-<template>` or `<type>-query`.
pub(super) fn search_metric(
    input: &TriggerInput<'_>,
    p: &Parsed,
    metric_type: super::MetricType,
) -> ScalerMetric {
    let template = p.str("searchTemplateName");
    let tail = if template.is_empty() { "query" } else { template };
    ScalerMetric {
        metric_name: super::metric_name(input.index, &[input.trigger_type, "-", tail].concat()),
        metric_type,
        target: p.float("targetValue"),
        activation: p.float("activationTargetValue"),
    }
}

/// `NewElasticsearchScaler` up to the client: metric type, then `parseElasticsearchMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    Ok(search_metric(input, &p, metric_type))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const SEARCH: &[(&str, &str)] = &[
        ("index", "orders"),
        ("searchTemplateName", "pending-orders"),
        ("parameters", "status:pending"),
        ("valueLocation", "hits.total.value"),
        ("targetValue", "10"),
    ];

    fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
        let mut v = SEARCH.to_vec();
        v.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
        v.extend_from_slice(extra);
        v.retain(|(_, val)| !val.is_empty());
        v
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("elasticsearch")
            .meta(&with(&[("addresses", "http://elasticsearch.search.svc:9200")]))
            .auth(&[("username", "elastic"), ("password", "secret")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-elasticsearch-pending-orders", 10.0)
        );
        let bad = Trigger::new("elasticsearch")
            .meta(&with(&[
                ("addresses", "http://elasticsearch.search.svc:9200"),
                ("cloudID", "my-deployment:ZXUtd2VzdC0x"),
                ("searchTemplateName", ""),
                ("parameters", ""),
                ("query", "{\"query\":{\"match_all\":{}}}"),
            ]))
            .auth(&[
                ("username", "elastic"),
                ("password", "secret"),
                ("apiKey", "key"),
            ]);
        assert_eq!(
            bad.messages(),
            vec!["can't provide both cloud config and endpoint addresses"]
        );
    }

    /// `pkg/scalers/elasticsearch_scaler_test.go` `testCases`: the errors and metric names.
    #[test]
    fn keda_s_table() {
        let t = Trigger::new("elasticsearch");
        assert_eq!(
            t.messages().last().unwrap(),
            "must provide either cloud config or endpoint addresses"
        );
        let t = Trigger::new("elasticsearch")
            .meta(&with(&[("cloudID", "my-cluster:xxxxxxxxxxx")]));
        assert_eq!(
            t.messages(),
            vec!["both cloudID and apiKey must be provided when cloudID or apiKey is used"]
        );
        // Row 4: typed config's errors come first, then Validate()'s.
        let t = Trigger::new("elasticsearch")
            .meta(&[("addresses", "http://localhost:9200")])
            .auth(&[("username", "admin")]);
        let m = t.messages();
        assert!(m[0].starts_with("missing required parameter \"index\""));
        assert_eq!(
            m.last().unwrap(),
            "both username and password must be provided when addresses is used"
        );
        let t = Trigger::new("elasticsearch")
            .meta(&with(&[
                ("addresses", "http://localhost:9200"),
                ("targetValue", "AA"),
            ]))
            .auth(&[("username", "admin"), ("password", "pw")]);
        assert!(t.messages()[0].starts_with("unable to set param \"targetValue\""));
        let t = Trigger::new("elasticsearch")
            .meta(&with(&[
                ("addresses", "http://localhost:9200"),
                ("searchTemplateName", ""),
                ("passwordFromEnv", "ELASTICSEARCH_PASSWORD"),
            ]))
            .auth(&[("username", "admin")])
            .env(&[("ELASTICSEARCH_PASSWORD", "password")]);
        assert_eq!(
            t.messages(),
            vec!["either searchTemplateName or query must be provided"]
        );
        let t = Trigger::new("elasticsearch")
            .index(2)
            .meta(&with(&[
                ("addresses", "http://localhost:9200"),
                ("searchTemplateName", ""),
                ("query", "{\"match\": {\"field\": \"value\"}}"),
            ]))
            .auth(&[("username", "admin"), ("password", "password")]);
        assert_eq!(t.parse().unwrap().metric_name, "s2-elasticsearch-query");
    }
}
