//! AWS credentials as every AWS scaler (and Kafka's MSK IAM) reads them:
//! `pkg/scalers/aws/aws_common.go`, `GetAwsAuthorization`.
//!
//! - Pod identity `aws`: the role comes from the TriggerAuthentication (or the operator's
//!   own identity); nothing else is read, so nothing can be missing.
//! - Otherwise `identityOwner` decides: `operator` (or any value other than empty and
//!   `pod`) uses the operator's credentials. Empty or `pod` needs, in this order, an
//!   `awsRoleArn` auth param, an `awsAccessKeyID`/`awsAccessKeyId` auth param with an
//!   `awsSecretAccessKey` one, or `awsAccessKeyID` (metadata, or `awsAccessKeyIDFromEnv`)
//!   with `awsSecretAccessKeyFromEnv`.
//! - Pod identity `aws-eks` (deprecated): the resolver fills `awsRoleArn` from the
//!   workload's ServiceAccount annotation `eks.amazonaws.com/role-arn`, which a bundle
//!   does not show, so the credentials are not judged.

use std::collections::BTreeMap;

use super::typed::{self, Param, A, INT64, M, STRING};
use super::{ErrorKind, ScalerError, ScalerMetric, TriggerInput};

/// The fields `aws-kinesis-stream` and `aws-dynamodb-streams` share after their stream or
/// table name.
macro_rules! shard_params {
    ($name:literal) => {
        &[
            Param::new("shardCount", &[M], INT64).default("2"),
            Param::new("activationShardCount", &[M], INT64).default("0"),
            Param::new($name, &[M], STRING),
            Param::new("awsRegion", &[M, A], STRING),
            Param::new("awsEndpoint", &[M], STRING).optional(),
            Param::new("identityOwner", &[M], STRING).optional(),
        ]
    };
}
pub(super) const KINESIS: &[Param] = shard_params!("streamName");
pub(super) const DYNAMODB_STREAMS: &[Param] = shard_params!("tableName");

/// A shard-count scaler up to its client: metric type, typed config, credentials; the
/// metric is `<prefix>-<name>` with the shard count as target.
pub(super) fn shard_scaler(
    input: &TriggerInput<'_>,
    params: &'static [Param],
    name: &str,
    prefix: &str,
) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, params, |_| Ok(()))?;
    check_authorization(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("{prefix}-{}", parsed.str(name))),
        metric_type,
        target: parsed.int("shardCount") as f64,
        activation: parsed.int("activationShardCount") as f64,
    })
}

fn absent(key: &str, message: &str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `GetAwsAuthorization`'s refusals (`awsAccessKeyID not found`, `awsSecretAccessKey not
/// found`). It reads the maps raw (untrimmed), as Go does.
pub(crate) fn check_authorization(input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    if matches!(input.pod_identity, Some("aws" | "aws-eks")) {
        return Ok(());
    }
    let raw =
        |m: &BTreeMap<String, String>, k: &str| m.get(k).map_or("", String::as_str).to_owned();
    let meta = |k: &str| raw(input.metadata, k);
    let auth = |k: &str| raw(input.auth_params, k);
    if !matches!(meta("identityOwner").as_str(), "" | "pod") {
        return Ok(());
    }
    if !auth("awsRoleArn").is_empty() {
        return Ok(());
    }
    let no_secret = || absent("awsSecretAccessKey", "awsSecretAccessKey not found");
    if !auth("awsAccessKeyID").is_empty() || !auth("awsAccessKeyId").is_empty() {
        return if auth("awsSecretAccessKey").is_empty() {
            Err(no_secret())
        } else {
            Ok(())
        };
    }
    let from_env = |k: &str| match meta(k) {
        var if var.is_empty() => String::new(),
        var => raw(input.env, &var),
    };
    let key_id = match meta("awsAccessKeyID") {
        id if !id.is_empty() => id,
        _ => from_env("awsAccessKeyIDFromEnv"),
    };
    if key_id.is_empty() {
        return Err(absent("awsAccessKeyID", "awsAccessKeyID not found"));
    }
    if from_env("awsSecretAccessKeyFromEnv").is_empty() {
        return Err(no_secret());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(
        meta: &[(&str, &str)],
        auth: &[(&str, &str)],
        env: &[(&str, &str)],
        identity: Option<&str>,
    ) -> Result<(), String> {
        let map = |p: &[(&str, &str)]| -> BTreeMap<String, String> {
            p.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let (m, a, e) = (map(meta), map(auth), map(env));
        check_authorization(&TriggerInput {
            trigger_type: "aws-sqs-queue",
            index: 0,
            metadata: &m,
            auth_params: &a,
            env: &e,
            pod_identity: identity,
            metric_type: None,
            namespace: "default",
        })
        .map_err(|e| e.message)
    }

    #[test]
    fn each_credential_path_of_get_aws_authorization() {
        let none: &[(&str, &str)] = &[];
        assert_eq!(
            check(none, none, none, None).unwrap_err(),
            "awsAccessKeyID not found"
        );
        assert!(check(none, none, none, Some("aws")).is_ok());
        assert!(check(none, none, none, Some("aws-eks")).is_ok());
        // Another provider does not stand in for credentials.
        assert!(check(none, none, none, Some("azure-workload")).is_err());
        assert!(check(&[("identityOwner", "operator")], none, none, None).is_ok());
        assert!(check(none, &[("awsRoleArn", "arn:aws:iam::1:role/r")], none, None).is_ok());
        assert_eq!(
            check(none, &[("awsAccessKeyId", "AKIA")], none, None).unwrap_err(),
            "awsSecretAccessKey not found"
        );
        assert!(check(
            none,
            &[("awsAccessKeyID", "AKIA"), ("awsSecretAccessKey", "s")],
            none,
            None
        )
        .is_ok());
        let from_env = [
            ("awsAccessKeyIDFromEnv", "ID"),
            ("awsSecretAccessKeyFromEnv", "SECRET"),
        ];
        assert!(check(&from_env, none, &[("ID", "AKIA"), ("SECRET", "s")], None).is_ok());
        assert_eq!(
            check(&from_env, none, &[("ID", "AKIA")], None).unwrap_err(),
            "awsSecretAccessKey not found"
        );
        // The metadata key id needs its secret from the env: there is no metadata secret.
        assert_eq!(
            check(
                &[("awsAccessKeyID", "AKIA"), ("awsSecretAccessKey", "s")],
                none,
                none,
                None
            )
            .unwrap_err(),
            "awsSecretAccessKey not found"
        );
    }

    /// Hostile values in the parameters of the AWS, Huawei and OpenStack modules, in the
    /// metadata, the auth params and the env: findings, never a panic.
    #[test]
    fn hostile_values_never_panic() {
        use crate::scalers::testing::Trigger;
        const TYPES: &[&str] = &[
            "aws-sqs-queue",
            "aws-dynamodb",
            "aws-dynamodb-streams",
            "aws-kinesis-stream",
            "aws-cloudwatch",
            "huawei-cloudeye",
            "openstack-metric",
            "openstack-swift",
        ];
        const KEYS: &[&str] = &[
            "queueURL",
            "queueLength",
            "awsRegion",
            "identityOwner",
            "awsAccessKeyID",
            "awsAccessKeyIDFromEnv",
            "awsSecretAccessKeyFromEnv",
            "expressionAttributeNames",
            "expressionAttributeValues",
            "targetValue",
            "shardCount",
            "dimensionName",
            "metricUnit",
            "metricStatPeriod",
            "metricCollectionTime",
            "metricFilter",
            "granularity",
            "authURL",
            "objectCount",
        ];
        const VALUES: &[&str] = &[
            "",
            "-9223372036854775808",
            "9223372036854775807",
            "http://h:p/%zz",
            "//a/b/c",
            "*",
            "\u{1}",
            "{\":v\": {\"L\": [{\"M\": {\"x\": {\"N\": 1}}}]}}",
            "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "{\"a\": 1}",
            ";;;",
            "1e999",
            "%",
        ];
        for t in TYPES {
            for k in KEYS {
                for v in VALUES {
                    let pairs = [
                        (*k, *v),
                        ("awsRegion", "eu-west-1"),
                        ("metricStatPeriod", "60"),
                    ];
                    let _ = Trigger::new(t).meta(&pairs).parse();
                    let _ = Trigger::new(t).auth(&pairs).parse();
                    let _ = Trigger::new(t)
                        .meta(&[("awsAccessKeyIDFromEnv", *v), ("queueURLFromEnv", "Q")])
                        .env(&[(*v, *v), ("Q", *v)])
                        .parse();
                }
            }
        }
    }
}
