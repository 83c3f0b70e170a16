//! `aws-kinesis-stream`: open shards of a Kinesis stream
//! (`pkg/scalers/aws_kinesis_stream_scaler.go`, `parseAwsKinesisStreamMetadata`): typed
//! config, then the shared AWS credentials (`aws.rs`).
//!
//! Valid: a stream, a region and the `aws` pod identity.
//! ```yaml
//! - type: aws-kinesis-stream
//!   metadata:
//!     streamName: clicks
//!     shardCount: "4"
//!     awsRegion: eu-west-1
//!   authenticationRef:
//!     name: keda-aws   # podIdentity.provider: aws
//! ```
//! Invalid: neither a role, keys nor the operator's identity ("awsAccessKeyID not found").
//! ```yaml
//! - type: aws-kinesis-stream
//!   metadata:
//!     streamName: clicks
//!     awsRegion: eu-west-1
//! ```

use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["aws-kinesis-stream"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    super::aws::shard_scaler(input, super::aws::KINESIS, "streamName", "aws-kinesis")
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let meta = [("streamName", "clicks"), ("awsRegion", "eu-west-1")];
        let ok = Trigger::new("aws-kinesis-stream")
            .meta(&[meta[0], meta[1], ("shardCount", "4")])
            .pod_identity("aws")
            .index(2);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s2-aws-kinesis-clicks", 4.0));
        let bad = Trigger::new("aws-kinesis-stream").meta(&meta);
        assert_eq!(bad.messages(), vec!["awsAccessKeyID not found"]);
    }

    /// `testAWSKinesisMetadata`'s defaults and `awsKinesisMetricIdentifiers`.
    #[test]
    fn defaults_and_typed_errors() {
        let m = Trigger::new("aws-kinesis-stream")
            .meta(&[("streamName", "test"), ("awsRegion", "eu-west-1"), ("identityOwner", "operator")])
            .parse()
            .unwrap();
        assert_eq!((m.metric_name.as_str(), m.target, m.activation), ("s0-aws-kinesis-test", 2.0, 0.0));
        let bad = Trigger::new("aws-kinesis-stream").meta(&[
            ("streamName", "test"),
            ("awsRegion", "eu-west-1"),
            ("shardCount", "a"),
            ("identityOwner", "operator"),
        ]);
        assert_eq!(bad.messages().len(), 1);
    }
}
