//! `gcp-cloudtasks`: the depth of a Cloud Tasks queue
//! (`pkg/scalers/gcp_cloud_tasks_scaler.go`, `gcpCloudTaskMetadata`; the authorization is
//! [`super::gcp`]'s).
//!
//! Valid: credentials from the TriggerAuthentication's `GoogleApplicationCredentials`.
//! ```yaml
//! - type: gcp-cloudtasks
//!   metadata:
//!     queueName: emails
//!     projectID: shop
//!     value: "50"
//!   authenticationRef:
//!     name: gcp-credentials   # GoogleApplicationCredentials from a Secret
//! ```
//! Invalid: a `filterDuration` that is not a whole number of minutes (Go's JSON decoding
//! into an int64: "invalid character 'm' after top-level value").
//! ```yaml
//! - type: gcp-cloudtasks
//!   metadata:
//!     queueName: emails
//!     projectID: shop
//!     filterDuration: 5m
//!     credentialsFromEnv: GOOGLE_CREDENTIALS
//! ```

use super::gcp::{self, CREDENTIALS};
use super::typed::{Param, FLOAT64, INT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["gcp-cloudtasks"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("value", &[M], FLOAT64).optional().default("100"),
    Param::new("activationValue", &[M], FLOAT64)
        .optional()
        .default("0"),
    Param::new("filterDuration", &[M], INT64).optional(),
    Param::new("queueName", &[M], STRING),
    Param::new("projectID", &[M], STRING).announce(gcp::DEPRECATED),
    Param::nested(CREDENTIALS),
];

/// `NewGcpCloudTasksScaler` up to its client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let (metric_type, p) = gcp::read(input, PARAMS, |_| Ok(()))?;
    Ok(gcp::metric(
        input,
        metric_type,
        "gcp-ct-",
        p.str("queueName"),
        p.float("value"),
        p.float("activationValue"),
    ))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("gcp-cloudtasks")
            .meta(&[("queueName", "emails"), ("projectID", "shop"), ("value", "50")])
            .auth(&[("GoogleApplicationCredentials", "{}")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-gcp-ct-emails", 50.0));
        let bad = Trigger::new("gcp-cloudtasks").meta(&[
            ("queueName", "emails"),
            ("projectID", "shop"),
            ("filterDuration", "5m"),
            ("credentialsFromEnv", "GOOGLE_CREDENTIALS"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["unable to set param \"filterDuration\" value \"5m\": unable to unmarshal to field type int64: invalid character 'm' after top-level value"]
        );
    }

    /// `gcpCloudTasksMetricIdentifiers` and the default value row of
    /// `testGcpCloudTasksMetadata`.
    #[test]
    fn metric_names_and_defaults() {
        let t = Trigger::new("gcp-cloudtasks")
            .meta(&[
                ("queueName", "myQueue"),
                ("projectID", "myProject"),
                ("credentialsFromEnv", "SAMPLE_CREDS"),
                ("activationValue", "5"),
            ])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s1-gcp-ct-myQueue", 100.0, 5.0)
        );
        // Credentials are checked after the typed read, so a missing queue is the one error.
        let t = Trigger::new("gcp-cloudtasks").meta(&[("projectID", "p")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"queueName\" in [triggerMetadata]"]
        );
    }
}
