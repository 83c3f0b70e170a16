//! `gcp-storage`: the number of objects in a Cloud Storage bucket
//! (`pkg/scalers/gcp_storage_scaler.go`, `gcsMetadata` and its `Validate()`; the
//! authorization is [`super::gcp`]'s).
//!
//! Valid: objects under a prefix, with workload identity.
//! ```yaml
//! - type: gcp-storage
//!   metadata:
//!     bucketName: uploads
//!     blobPrefix: incoming/
//!     targetObjectCount: "50"
//!   authenticationRef:
//!     name: gcp-workload-identity   # podIdentity.provider: gcp
//! ```
//! Invalid: a zero target ("targetObjectCount must be a positive number").
//! ```yaml
//! - type: gcp-storage
//!   metadata:
//!     bucketName: uploads
//!     targetObjectCount: "0"
//!     credentialsFromEnv: GOOGLE_CREDENTIALS
//! ```

use super::gcp::{self, CREDENTIALS};
use super::typed::{self, Param, Parsed, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["gcp-storage"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("bucketName", &[M], STRING),
    Param::new("targetObjectCount", &[M], INT64).default("100"),
    Param::new("activationTargetObjectCount", &[M], INT64).default("0"),
    Param::new("maxBucketItemsToScan", &[M], INT64).default("1000"),
    Param::new("blobDelimiter", &[M], STRING).optional(),
    Param::new("blobPrefix", &[M], STRING).optional(),
    Param::nested(CREDENTIALS),
];

fn validate(p: &Parsed) -> Result<(), ScalerError> {
    for (key, floor) in [
        ("targetObjectCount", 1),
        ("activationTargetObjectCount", 0),
        ("maxBucketItemsToScan", 1),
    ] {
        if p.int(key) < floor {
            return Err(typed::error(
                key,
                ErrorKind::Invalid,
                [key, " must be a positive number"].concat(),
            ));
        }
    }
    Ok(())
}

/// `NewGcsScaler` up to its client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let (metric_type, p) = gcp::read(input, PARAMS, validate)?;
    Ok(gcp::metric(
        input,
        metric_type,
        "gcp-storage-",
        p.str("bucketName"),
        p.int("targetObjectCount") as f64,
        p.int("activationTargetObjectCount") as f64,
    ))
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("gcp-storage")
            .meta(&[
                ("bucketName", "uploads"),
                ("blobPrefix", "incoming/"),
                ("targetObjectCount", "50"),
            ])
            .pod_identity("gcp");
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-gcp-storage-uploads", 50.0)
        );
        let bad = Trigger::new("gcp-storage").meta(&[
            ("bucketName", "uploads"),
            ("targetObjectCount", "0"),
            ("credentialsFromEnv", "GOOGLE_CREDENTIALS"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["targetObjectCount must be a positive number"]
        );
    }

    /// `gcpGcsMetricIdentifiers` (the bucket name normalized) and the other two checks.
    #[test]
    fn metric_names_and_bounds() {
        let creds = ("credentialsFromEnv", "SAMPLE_CREDS");
        let t = Trigger::new("gcp-storage")
            .meta(&[("bucketName", "test.bucket"), creds])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s1-gcp-storage-test-bucket", 100.0)
        );
        let t = Trigger::new("gcp-storage").meta(&[
            ("bucketName", "b"),
            ("activationTargetObjectCount", "-1"),
            creds,
        ]);
        assert_eq!(
            t.messages(),
            vec!["activationTargetObjectCount must be a positive number"]
        );
        let t = Trigger::new("gcp-storage").meta(&[
            ("bucketName", "b"),
            ("maxBucketItemsToScan", "0"),
            creds,
        ]);
        assert_eq!(
            t.messages(),
            vec!["maxBucketItemsToScan must be a positive number"]
        );
    }
}
