//! `aws-dynamodb-streams`: shards of a DynamoDB table's stream
//! (`pkg/scalers/aws_dynamodb_streams_scaler.go`, `parseAwsDynamoDBStreamsMetadata`): typed
//! config, then the shared AWS credentials (`aws.rs`). The stream's ARN is looked up over
//! the network afterwards.
//!
//! Valid: a table, a region and keys from the TriggerAuthentication.
//! ```yaml
//! - type: aws-dynamodb-streams
//!   metadata:
//!     tableName: orders
//!     shardCount: "2"
//!     awsRegion: eu-west-1
//!   authenticationRef:
//!     name: keda-aws   # awsAccessKeyID, awsSecretAccessKey
//! ```
//! Invalid: a key id without its secret ("awsSecretAccessKey not found").
//! ```yaml
//! - type: aws-dynamodb-streams
//!   metadata:
//!     tableName: orders
//!     awsRegion: eu-west-1
//!   authenticationRef:
//!     name: keda-aws   # awsAccessKeyID only
//! ```

use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["aws-dynamodb-streams"],
    parse,
};

pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    super::aws::shard_scaler(
        input,
        super::aws::DYNAMODB_STREAMS,
        "tableName",
        "aws-dynamodb-streams",
    )
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let meta = [("tableName", "orders"), ("shardCount", "2"), ("awsRegion", "eu-west-1")];
        let ok = Trigger::new("aws-dynamodb-streams")
            .meta(&meta)
            .auth(&[("awsAccessKeyID", "AKIA"), ("awsSecretAccessKey", "s")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-aws-dynamodb-streams-orders", 2.0));
        let bad = Trigger::new("aws-dynamodb-streams")
            .meta(&meta)
            .auth(&[("awsAccessKeyID", "AKIA")]);
        assert_eq!(bad.messages(), vec!["awsSecretAccessKey not found"]);
    }

    #[test]
    fn table_and_region_are_required() {
        let t = Trigger::new("aws-dynamodb-streams").meta(&[("awsRegion", "eu-west-1")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"tableName\" in [triggerMetadata]"]
        );
    }
}
