//! What the GCP scalers share (`pkg/scalers/gcp/gcp_common.go`): how a trigger authenticates,
//! and the build order of their constructors.

use super::typed::{self, Param, Parsed, E, M, STRING};
use super::{ErrorKind, MetricType, ScalerError, ScalerMetric, TriggerInput};

/// The `deprecatedAnnounce` text of every GCP scaler but storage.
pub(super) const DEPRECATED: &str =
    "This scaler is deprecated. More info -> 'https://keda.sh/blog/2025-09-15-gcp-deprecations'";

/// The credential fields every GCP metadata struct declares. Only their presence in the
/// metadata counts for authorization (below); the typed read never fails on them.
pub(super) const CREDENTIALS: &[Param] = &[
    Param::new("credentials", &[M, E], STRING).optional(),
    Param::new("credentialsFromEnvFile", &[M, E], STRING).optional(),
];

/// `GetGCPAuthorization`: pod identity `gcp`, then the `GoogleApplicationCredentials` auth
/// parameter, then the `credentialsFromEnv` / `credentialsFromEnvFile` keys. Only whether a
/// source is named matters here: a key naming an unset variable still authorizes (the
/// credentials are read at the first call).
fn authorization(input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    let named = |map: &std::collections::BTreeMap<String, String>, key: &str| {
        map.get(key).is_some_and(|v| !v.is_empty())
    };
    if input.pod_identity == Some("gcp")
        || named(input.auth_params, "GoogleApplicationCredentials")
        || named(input.metadata, "credentialsFromEnv")
        || named(input.metadata, "credentialsFromEnvFile")
    {
        return Ok(());
    }
    Err(typed::error(
        "GoogleApplicationCredentials",
        ErrorKind::Missing,
        "google application credentials not found",
    ))
}

/// The service account JSON `GetGCPAuthorization` settles on when not using pod identity,
/// with the key it came through: the auth parameter, the env variable `credentialsFromEnv`
/// names (absent counts as empty), or nothing at all for `credentialsFromEnvFile` (the file
/// path goes in another field).
pub(super) fn credentials_json<'a>(input: &TriggerInput<'a>) -> Option<(&'static str, &'a str)> {
    if input.pod_identity == Some("gcp") {
        return None;
    }
    const AUTH: &str = "GoogleApplicationCredentials";
    if let Some(v) = input.auth_params.get(AUTH).filter(|v| !v.is_empty()) {
        return Some((AUTH, v));
    }
    match input
        .metadata
        .get("credentialsFromEnv")
        .filter(|v| !v.is_empty())
    {
        Some(var) => Some((
            "credentialsFromEnv",
            input.env.get(var).map_or("", String::as_str),
        )),
        None => Some(("credentialsFromEnvFile", "")),
    }
}

/// A GCP constructor up to its client: the metric type, the typed read with `validate`
/// (the struct's `Validate()`), then the authorization.
pub(super) fn read(
    input: &TriggerInput<'_>,
    params: &'static [Param],
    validate: impl FnOnce(&Parsed) -> Result<(), ScalerError>,
) -> Result<(MetricType, Parsed), Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, params, validate)?;
    authorization(input).map_err(|e| vec![e])?;
    Ok((metric_type, parsed))
}

/// The metric of a GCP scaler: `s<index>-` + the normalized `<prefix><name>`.
pub(super) fn metric(
    input: &TriggerInput<'_>,
    metric_type: MetricType,
    prefix: &str,
    name: &str,
    target: f64,
    activation: f64,
) -> ScalerMetric {
    ScalerMetric {
        metric_name: super::metric_name(input.index, &[prefix, name].concat()),
        metric_type,
        target,
        activation,
    }
}
