//! `apache-kafka`: consumer-group lag through the segmentio client
//! (`pkg/scalers/apache_kafka_scaler.go`, `apacheKafkaMetadata.Validate()`, then
//! `parseApacheKafkaAuthParams`: `sasl`/`tls` set in one place only, and AWS credentials for
//! MSK IAM).
//!
//! Valid: MSK IAM over TLS with the `aws` pod identity.
//! ```yaml
//! - type: apache-kafka
//!   metadata:
//!     bootstrapServers: b-1.msk.example:9098
//!     consumerGroup: billing
//!     topic: invoices
//!     sasl: aws_msk_iam
//!     tls: enable
//!     awsRegion: eu-west-1
//!   authenticationRef:
//!     name: aws-pod-identity   # podIdentity.provider: aws
//! ```
//! Invalid: SASL/PLAIN without a password ("username and password must be set when using
//! SASL/PLAINTEXT").
//! ```yaml
//! - type: apache-kafka
//!   metadata:
//!     bootstrapServers: kafka:9092
//!     consumerGroup: billing
//!     sasl: plaintext
//! ```

use super::aws::check_authorization as check_aws_authorization;
use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, INTS, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["apache-kafka"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("bootstrapServers", &[M, E], STRINGS),
    Param::new("consumerGroup", &[M, E], STRING),
    Param::new("topic", &[M, E], STRINGS).optional(),
    Param::new("partitionLimitation", &[M], INTS)
        .optional()
        .range("-"),
    Param::new("lagThreshold", &[M], INT64).default("10"),
    Param::new("activationLagThreshold", &[M], INT64).default("0"),
    Param::new("offsetResetPolicy", &[M], STRING)
        .one_of(&["earliest", "latest"])
        .default("latest"),
    Param::new("allowIdleConsumers", &[M], BOOL).optional(),
    Param::new("excludePersistentLag", &[M], BOOL).optional(),
    Param::new("scaleToZeroOnInvalidOffset", &[M], BOOL).optional(),
    Param::new("limitToPartitionsWithLag", &[M], BOOL).optional(),
    Param::new("ensureEvenDistributionOfPartitions", &[M], BOOL).optional(),
    Param::new("sasl", &[M, A], STRING)
        .one_of(&[
            "none",
            "plaintext",
            "scram_sha256",
            "scram_sha512",
            "gssapi",
            "aws_msk_iam",
        ])
        .default("none"),
    Param::new("username", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
    Param::new("awsRegion", &[M], STRING).optional(),
    Param::new("tls", &[M, A], STRING)
        .one_of(&["enable", "disable"])
        .default("disable"),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
];

fn invalid(key: &str, message: &str) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

fn absent(key: &str, message: &str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `apacheKafkaMetadata.Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.int("lagThreshold") <= 0 {
        return Err(invalid(
            "lagThreshold",
            "lagThreshold must be a positive number",
        ));
    }
    if p.int("activationLagThreshold") < 0 {
        return Err(invalid(
            "activationLagThreshold",
            "activationLagThreshold must be a positive number",
        ));
    }
    let limit = p.bool("limitToPartitionsWithLag");
    if p.bool("allowIdleConsumers") && limit {
        return Err(invalid(
            "limitToPartitionsWithLag",
            "allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously",
        ));
    }
    if p.strings("topic").is_empty() && limit {
        return Err(absent(
            "topic",
            "topic must be specified when using limitToPartitionsWithLag",
        ));
    }
    let tls = p.str("tls") == "enable";
    if tls && p.str("cert").is_empty() != p.str("key").is_empty() {
        let which = if p.str("cert").is_empty() { "cert" } else { "key" };
        return Err(absent(
            which,
            "can't set only one of cert or key when using TLS",
        ));
    }
    match p.str("sasl") {
        "plaintext" if p.str("username").is_empty() || p.str("password").is_empty() => {
            let which = if p.str("username").is_empty() {
                "username"
            } else {
                "password"
            };
            Err(absent(
                which,
                "username and password must be set when using SASL/PLAINTEXT",
            ))
        }
        "aws_msk_iam" if p.str("awsRegion").is_empty() => Err(absent(
            "awsRegion",
            "awsRegion must be set when using AWS MSK IAM",
        )),
        "aws_msk_iam" if !tls => Err(invalid(
            "tls",
            "TLS must be enabled when using AWS MSK IAM",
        )),
        _ => Ok(()),
    }
}

/// `NewApacheKafkaScaler` up to the client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    // Go compares the raw map entries with "" (no trimming) here.
    let both = |k: &str| {
        input.metadata.get(k).is_some_and(|v| !v.is_empty())
            && input.auth_params.get(k).is_some_and(|v| !v.is_empty())
    };
    for k in ["sasl", "tls"] {
        if both(k) {
            return Err(vec![invalid(
                k,
                &format!("unable to set `{k}` in both ScaledObject and TriggerAuthentication together"),
            )]);
        }
    }
    if parsed.str("sasl") == "aws_msk_iam" {
        check_aws_authorization(input).map_err(|e| vec![e])?;
    }
    let topics = parsed.strings("topic");
    let base = if topics.is_empty() {
        format!("kafka-{}-topics", parsed.str("consumerGroup"))
    } else {
        format!("kafka-{}", topics.join(","))
    };
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("lagThreshold") as f64,
        activation: parsed.int("activationLagThreshold") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("apache-kafka")
            .meta(&[
                ("bootstrapServers", "b-1.msk.example:9098"),
                ("consumerGroup", "billing"),
                ("topic", "invoices"),
                ("sasl", "aws_msk_iam"),
                ("tls", "enable"),
                ("awsRegion", "eu-west-1"),
            ])
            .pod_identity("aws");
        let m = ok.parse().unwrap();
        assert_eq!(m.metric_name, "s0-kafka-invoices");
        let bad = Trigger::new("apache-kafka").meta(&[
            ("bootstrapServers", "kafka:9092"),
            ("consumerGroup", "billing"),
            ("sasl", "plaintext"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["username and password must be set when using SASL/PLAINTEXT"]
        );
    }

    #[test]
    fn typed_ranges_and_placement() {
        let base = [("bootstrapServers", "k:9092"), ("consumerGroup", "g")];
        let with = |extra: &[(&str, &str)], auth: &[(&str, &str)]| {
            let mut m = base.to_vec();
            m.extend_from_slice(extra);
            Trigger::new("apache-kafka").meta(&m).auth(auth).messages()
        };
        assert!(with(&[("topic", "a,b"), ("partitionLimitation", "1-4,8")], &[]).is_empty());
        assert_eq!(
            with(&[("partitionLimitation", "a,b")], &[]),
            vec!["unable to set param \"partitionLimitation\" value \"a,b\": slice element 0: unable to unmarshal to field type int: invalid character 'a' looking for beginning of value"]
        );
        assert_eq!(
            with(&[("tls", "enable")], &[("tls", "enable")]),
            vec!["unable to set `tls` in both ScaledObject and TriggerAuthentication together"]
        );
        let t = Trigger::new("apache-kafka")
            .meta(&[("bootstrapServers", "k:9092"), ("consumerGroup", "g")])
            .index(2);
        assert_eq!(t.parse().unwrap().metric_name, "s2-kafka-g-topics");
    }
}
