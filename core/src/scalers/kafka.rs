//! `kafka`: consumer-group lag (`pkg/scalers/kafka_scaler.go`, `kafkaMetadata.Validate()` with
//! its TLS and SASL checks: plaintext, SCRAM, OAUTHBEARER with a bearer or AWS MSK IAM token
//! provider, GSSAPI; then the Kafka version and, for MSK IAM, the AWS credentials).
//!
//! Valid: SASL/PLAIN with both credentials in the TriggerAuthentication.
//! ```yaml
//! - type: kafka
//!   metadata:
//!     bootstrapServers: kafka:9092
//!     consumerGroup: billing
//!     topic: invoices
//!     sasl: plaintext
//!   authenticationRef:
//!     name: kafka-credentials   # username, password
//! ```
//! Invalid: `limitToPartitionsWithLag` without a topic ("topic must be specified when using
//! limitToPartitionsWithLag").
//! ```yaml
//! - type: kafka
//!   metadata:
//!     bootstrapServers: kafka:9092
//!     consumerGroup: billing
//!     limitToPartitionsWithLag: "true"
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["kafka"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("bootstrapServers", &[M, E], STRINGS),
    Param::new("consumerGroup", &[M, E], STRING),
    Param::new("topic", &[M, E], STRING).optional(),
    Param::new("partitionLimitation", &[M], STRING).optional(),
    Param::new("lagThreshold", &[M], INT64).default("10"),
    Param::new("activationLagThreshold", &[M], INT64).default("0"),
    Param::new("offsetResetPolicy", &[M], STRING)
        .default("latest")
        .one_of(&["latest", "earliest"]),
    Param::new("allowIdleConsumers", &[M], BOOL).default("false"),
    Param::new("excludePersistentLag", &[M], BOOL).default("false"),
    Param::new("scaleToZeroOnInvalidOffset", &[M], BOOL).default("false"),
    Param::new("limitToPartitionsWithLag", &[M], BOOL).default("false"),
    Param::new("ensureEvenDistributionOfPartitions", &[M], BOOL).default("false"),
    Param::new("version", &[M], STRING).optional(),
    Param::new("tls", &[M, A], STRING)
        .default("disable")
        .one_of(&["enable", "disable"]),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("sasl", &[M, A], STRING).optional().one_of(&[
        "none",
        "plaintext",
        "scram_sha256",
        "scram_sha512",
        "oauthbearer",
        "gssapi",
    ]),
    Param::new("username", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
    Param::new("saslTokenProvider", &[M, A], STRING)
        .optional()
        .one_of(&["bearer", "aws_msk_iam"]),
    Param::new("scopes", &[A], STRING).optional(),
    Param::new("oauthTokenEndpointUri", &[A], STRING).optional(),
    Param::new("oauthExtensions", &[A], STRING).optional(),
    Param::new("keytab", &[A], STRING).optional(),
    Param::new("realm", &[A], STRING).optional(),
    Param::new("kerberosConfig", &[A], STRING).optional(),
    Param::new("kerberosServiceName", &[A], STRING).optional(),
    Param::new("kerberosDisableFAST", &[A], BOOL).default("false"),
    Param::new("awsRegion", &[M], STRING).optional(),
];

fn invalid(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Invalid, message)
}

/// Something needed is absent: dropped by the linter when the authentication is not in view.
fn absent(key: &str, message: impl Into<String>) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `kafkaMetadata.Validate()`. Returns whether SASL is OAUTHBEARER with the MSK IAM token
/// provider (AWS credentials are read afterwards).
fn validate(p: &Parsed) -> Result<bool, ScalerError> {
    if p.int("lagThreshold") <= 0 {
        return Err(invalid(
            "lagThreshold",
            "\"lagThreshold\" must be positive number",
        ));
    }
    if p.int("activationLagThreshold") < 0 {
        return Err(invalid(
            "activationLagThreshold",
            "\"activationLagThreshold\" must be a non-negative number",
        ));
    }
    let limitation = p.str("partitionLimitation");
    if !limitation.is_empty() {
        check_partition_limitation(limitation)?;
    }
    let topic = p.str("topic");
    let (idle, limit, even) = (
        p.bool("allowIdleConsumers"),
        p.bool("limitToPartitionsWithLag"),
        p.bool("ensureEvenDistributionOfPartitions"),
    );
    if idle && limit {
        return Err(invalid(
            "limitToPartitionsWithLag",
            "allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously",
        ));
    }
    if topic.is_empty() && limit {
        return Err(absent(
            "topic",
            "topic must be specified when using limitToPartitionsWithLag",
        ));
    }
    if limit && even {
        return Err(invalid(
            "ensureEvenDistributionOfPartitions",
            "limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set simultaneously",
        ));
    }
    if topic.is_empty() && even {
        return Err(absent(
            "topic",
            "topic must be specified when using ensureEvenDistributionOfPartitions",
        ));
    }
    let tls = p.str("tls") == "enable";
    if tls {
        let (cert, key) = (p.str("cert"), p.str("key"));
        if !cert.is_empty() && key.is_empty() {
            return Err(absent("key", "key must be provided with cert"));
        }
        if !key.is_empty() && cert.is_empty() {
            return Err(absent("cert", "cert must be provided with key"));
        }
    }
    let (user, pass) = (p.str("username"), p.str("password"));
    match p.str("sasl") {
        "" | "none" => Ok(false),
        "plaintext" | "scram_sha256" | "scram_sha512" => {
            need(user, "username")?;
            need(pass, "password")?;
            Ok(false)
        }
        "oauthbearer" => oauth(p, tls).map_err(|e| ScalerError {
            message: format!(
                "error parsing OAuth token provider configuration: {}",
                e.message
            ),
            ..e
        }),
        "gssapi" => {
            need(user, "username")?;
            if pass.is_empty() == p.str("keytab").is_empty() {
                let message = "exactly one of 'password' or 'keytab' must be provided for GSSAPI authentication";
                return Err(if pass.is_empty() {
                    absent("password", message)
                } else {
                    invalid("keytab", message)
                });
            }
            if p.str("realm").is_empty() {
                return Err(absent("realm", "no realm given"));
            }
            if p.str("kerberosConfig").is_empty() {
                return Err(absent(
                    "kerberosConfig",
                    "no Kerberos configuration file (kerberosConfig) given",
                ));
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// `no username given` and the like.
fn need(value: &str, name: &str) -> Result<(), ScalerError> {
    if value.is_empty() {
        return Err(absent(name, format!("no {name} given")));
    }
    Ok(())
}

/// `parseOAuthParams`.
fn oauth(p: &Parsed, tls: bool) -> Result<bool, ScalerError> {
    match p.str("saslTokenProvider") {
        "" | "bearer" => {
            need(p.str("username"), "username")?;
            need(p.str("password"), "password")?;
            if p.str("oauthTokenEndpointUri").is_empty() {
                return Err(absent(
                    "oauthTokenEndpointUri",
                    "no oauth token endpoint uri given",
                ));
            }
            let extensions = p.str("oauthExtensions");
            if !extensions.is_empty() && extensions.split(',').any(|e| e.split('=').count() != 2)
            {
                return Err(invalid(
                    "oauthExtensions",
                    "invalid OAuthBearer extension, must be of format key=value",
                ));
            }
            Ok(false)
        }
        _ => {
            if !tls {
                return Err(invalid(
                    "tls",
                    "TLS is required for AWS MSK authentication",
                ));
            }
            if p.str("awsRegion").is_empty() {
                return Err(absent("awsRegion", "no awsRegion given"));
            }
            Ok(true)
        }
    }
}

/// `parsePartitionLimitation`: comma-separated int32 partitions or `start-end` ranges (only
/// checked here: the ranges are not expanded).
fn check_partition_limitation(text: &str) -> Result<(), ScalerError> {
    let int32 = |s: &str| crate::go::strconv::parse_int(s.trim(), 32).is_some();
    for part in text.split(',') {
        let part = part.trim();
        if part.contains('-') {
            let bounds: Vec<&str> = part.split('-').collect();
            if bounds.len() != 2 {
                return Err(invalid(
                    "partitionLimitation",
                    format!("invalid partition limitation range: {part}"),
                ));
            }
            if !bounds.iter().all(|b| int32(b)) {
                return Err(invalid(
                    "partitionLimitation",
                    format!("invalid partition limitation: {part}"),
                ));
            }
        } else if !int32(part) {
            return Err(invalid(
                "partitionLimitation",
                format!("invalid partition limitation: {part}"),
            ));
        }
    }
    Ok(())
}

/// sarama's `ParseKafkaVersion`: `0.a.b.c` or `a.b.c`, at least five characters.
fn check_version(v: &str) -> Result<(), ScalerError> {
    let numbers = |s: &str, n: usize| {
        let parts: Vec<&str> = s.split('.').collect();
        parts.len() == n
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 19)
    };
    let ok = v.len() >= 5
        && match v.strip_prefix("0.") {
            Some(rest) => numbers(rest, 3),
            None => numbers(v, 3),
        };
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "version",
            format!("error parsing kafka version: invalid version `{v}`"),
        ))
    }
}

/// `NewKafkaScaler` up to the connection: metric type, typed config and `Validate()`, the
/// Kafka version, then the AWS credentials for MSK IAM.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let mut msk_iam = false;
    let parsed = typed::read(input, PARAMS, |p| {
        msk_iam = validate(p)?;
        Ok(())
    })?;
    let version = parsed.str("version");
    if !version.is_empty() {
        check_version(version).map_err(|e| vec![e])?;
    }
    if msk_iam {
        super::aws::check_authorization(input).map_err(|e| vec![e])?;
    }
    let base = match parsed.str("topic") {
        "" => format!("kafka-{}-topics", parsed.str("consumerGroup")),
        topic => format!("kafka-{topic}"),
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

    const SERVERS: (&str, &str) = ("bootstrapServers", "kafka:9092");
    const GROUP: (&str, &str) = ("consumerGroup", "billing");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("kafka")
            .meta(&[SERVERS, GROUP, ("topic", "invoices"), ("sasl", "plaintext")])
            .auth(&[("username", "u"), ("password", "p")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-kafka-invoices", 10.0));
        let bad =
            Trigger::new("kafka").meta(&[SERVERS, GROUP, ("limitToPartitionsWithLag", "true")]);
        assert_eq!(
            bad.messages(),
            vec!["topic must be specified when using limitToPartitionsWithLag"]
        );
    }

    #[test]
    fn sasl_modes_in_keda_s_words() {
        let msgs = |meta: &[(&str, &str)], auth: &[(&str, &str)]| {
            let mut m = vec![SERVERS, GROUP];
            m.extend_from_slice(meta);
            Trigger::new("kafka").meta(&m).auth(auth).messages()
        };
        assert_eq!(
            msgs(&[("sasl", "oauthbearer")], &[("username", "u"), ("password", "p")]),
            vec!["error parsing OAuth token provider configuration: no oauth token endpoint uri given"]
        );
        assert_eq!(
            msgs(
                &[("sasl", "oauthbearer"), ("saslTokenProvider", "aws_msk_iam"), ("tls", "enable"), ("awsRegion", "eu-west-1")],
                &[]
            ),
            vec!["awsAccessKeyID not found"]
        );
        assert!(msgs(
            &[("sasl", "oauthbearer"), ("saslTokenProvider", "aws_msk_iam"), ("tls", "enable"), ("awsRegion", "eu-west-1")],
            &[("awsRoleArn", "arn:aws:iam::1:role/r")]
        )
        .is_empty());
        assert_eq!(
            msgs(&[("sasl", "gssapi")], &[("username", "u"), ("password", "p"), ("keytab", "k")]),
            vec!["exactly one of 'password' or 'keytab' must be provided for GSSAPI authentication"]
        );
        assert_eq!(
            msgs(&[("version", "1.2.3.4")], &[]),
            vec!["error parsing kafka version: invalid version `1.2.3.4`"]
        );
        assert!(msgs(&[("version", "0.10.2.1")], &[]).is_empty());
        assert_eq!(
            msgs(&[("topic", "t"), ("partitionLimitation", "1-2-3")], &[]),
            vec!["invalid partition limitation range: 1-2-3"]
        );
        // A huge range is only checked, never expanded.
        assert!(msgs(&[("topic", "t"), ("partitionLimitation", "0-2147483647")], &[]).is_empty());
    }
}
