//! `aws-dynamodb`: item count of a DynamoDB query (`pkg/scalers/aws_dynamodb_scaler.go`,
//! `parseAwsDynamoDBMetadata`: typed config, the two JSON expression maps, the target, then
//! the shared AWS credentials of `aws.rs`).
//!
//! Valid: the query's names and values as JSON, the operator's own AWS identity.
//! ```yaml
//! - type: aws-dynamodb
//!   metadata:
//!     tableName: orders
//!     awsRegion: eu-west-1
//!     keyConditionExpression: "#s = :s"
//!     expressionAttributeNames: '{"#s": "status"}'
//!     expressionAttributeValues: '{":s": {"S": "pending"}}'
//!     targetValue: "10"
//!     identityOwner: operator
//! ```
//! Invalid: a number attribute written as a JSON number ("error parsing
//! expressionAttributeValues: invalid expressionAttributeValues"; DynamoDB wants `"N": "5"`).
//! ```yaml
//! - type: aws-dynamodb
//!   metadata:
//!     tableName: orders
//!     awsRegion: eu-west-1
//!     keyConditionExpression: "#n = :n"
//!     expressionAttributeNames: '{"#n": "count"}'
//!     expressionAttributeValues: '{":n": {"N": 5}}'
//!     targetValue: "10"
//!     identityOwner: operator
//! ```

use serde_json::Value;

use super::typed::{self, Param, A, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["aws-dynamodb"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("tableName", &[M], STRING),
    Param::new("awsRegion", &[M, A], STRING),
    Param::new("awsEndpoint", &[M], STRING).optional(),
    Param::new("keyConditionExpression", &[M], STRING),
    Param::new("indexName", &[M], STRING).optional(),
    Param::new("targetValue", &[M], INT64).optional().default("-1"),
    Param::new("activationTargetValue", &[M], INT64).default("0"),
    Param::new("filterExpression", &[M], STRING).optional(),
    Param::new("identityOwner", &[M], STRING).optional(),
    Param::new("expressionAttributeNames", &[M], STRING),
    Param::new("expressionAttributeValues", &[M], STRING),
];

const INVALID_VALUES: &str = "invalid expressionAttributeValues";

/// `json2Map`: extended JSON (bson) decoded into a map of strings; it must not be empty.
/// The bson decoder's own explanation is not reproduced after KEDA's sentence.
fn check_names(text: &str) -> Result<(), &'static str> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) if m.values().all(Value::is_string) => {
            if m.is_empty() {
                Err("empty map")
            } else {
                Ok(())
            }
        }
        _ => Err("invalid expressionAttributeNames"),
    }
}

/// `json2DynamoMap`: `json.Unmarshal` into a map, then each value as an attribute value.
fn check_values(text: &str) -> Result<(), String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => m.values().try_for_each(attribute_value),
        Ok(Value::Null) => Ok(()),
        Ok(_) => Err("json: cannot unmarshal into Go value of type map[string]interface {}".into()),
        // Go's scanner words a syntax error its own way; this is serde's.
        Err(e) => Err(e.to_string()),
    }
}

/// `attributeValueFromInterface`: `{"<type>": value}`. Go reads the first key of its
/// (unordered) map; with several keys the result depends on that order, so only a map whose
/// every entry fails is called invalid. A value of the wrong Go type makes KEDA's type
/// assertion panic: no scaler either.
fn attribute_value(v: &Value) -> Result<(), String> {
    let Value::Object(m) = v else {
        return Err("unsupported data type for attribute value".into());
    };
    let mut first_error = None;
    for (data_type, val) in m {
        let verdict = match (data_type.as_str(), val) {
            ("S" | "B", Value::String(_)) | ("BOOL", Value::Bool(_)) | ("NULL", _) => Ok(()),
            ("N", Value::String(_)) => Ok(()),
            ("N", _) => Err(INVALID_VALUES.to_owned()),
            ("L", Value::Array(items)) => items.iter().try_for_each(attribute_value),
            ("M", Value::Object(fields)) => fields.values().try_for_each(attribute_value),
            ("S" | "B" | "BOOL" | "L" | "M", _) => Err(INVALID_VALUES.to_owned()),
            (other, _) => Err(format!(
                "unsupported data type for attribute value: {other}"
            )),
        };
        match verdict {
            Ok(()) => return Ok(()),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// `NewAwsDynamoDBScaler` up to the client.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    let invalid = |key: &str, message: String| {
        vec![typed::error(key, ErrorKind::Invalid, message)]
    };
    if let Err(e) = check_names(parsed.str("expressionAttributeNames")) {
        return Err(invalid(
            "expressionAttributeNames",
            format!("error parsing expressionAttributeNames: {e}"),
        ));
    }
    if let Err(e) = check_values(parsed.str("expressionAttributeValues")) {
        return Err(invalid(
            "expressionAttributeValues",
            format!("error parsing expressionAttributeValues: {e}"),
        ));
    }
    // With scaling modifiers KEDA takes 0 instead (a metric source needs no target).
    if parsed.int("targetValue") == -1 {
        return Err(vec![typed::error(
            "targetValue",
            ErrorKind::MissingTarget,
            "no targetValue given",
        )]);
    }
    super::aws::check_authorization(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("aws-dynamodb-{}", parsed.str("tableName")),
        ),
        metric_type,
        target: parsed.int("targetValue") as f64,
        activation: parsed.int("activationTargetValue") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    fn query(names: &str, values: &str) -> Trigger {
        Trigger::new("aws-dynamodb").meta(&[
            ("tableName", "orders"),
            ("awsRegion", "eu-west-1"),
            ("keyConditionExpression", "#s = :s"),
            ("expressionAttributeNames", names),
            ("expressionAttributeValues", values),
            ("targetValue", "10"),
            ("identityOwner", "operator"),
        ])
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let m = query(r##"{"#s": "status"}"##, r#"{":s": {"S": "pending"}}"#)
            .index(1)
            .parse()
            .unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-aws-dynamodb-orders", 10.0));
        assert_eq!(
            query(r##"{"#n": "count"}"##, r#"{":n": {"N": 5}}"#).messages(),
            vec!["error parsing expressionAttributeValues: invalid expressionAttributeValues"]
        );
    }

    #[test]
    fn expression_maps_in_keda_s_words() {
        let values = r#"{":y": {"N": "1994"}}"#;
        assert_eq!(
            query("{}", values).messages(),
            vec!["error parsing expressionAttributeNames: empty map"]
        );
        assert_eq!(
            query(r#"{ "malformed" }"#, values).messages(),
            vec!["error parsing expressionAttributeNames: invalid expressionAttributeNames"]
        );
        assert_eq!(
            query(r##"{"#y": 1}"##, values).messages(),
            vec!["error parsing expressionAttributeNames: invalid expressionAttributeNames"]
        );
        let names = r##"{"#y": "year"}"##;
        assert_eq!(
            query(names, r#"{":y": {"X": "1"}}"#).messages(),
            vec!["error parsing expressionAttributeValues: unsupported data type for attribute value: X"]
        );
        assert_eq!(
            query(names, r#"{":y": "1"}"#).messages(),
            vec!["error parsing expressionAttributeValues: unsupported data type for attribute value"]
        );
        let nested = r#"{":l": {"L": [{"S": "a"}, {"M": {"k": {"BOOL": true}}}]}, ":z": {"NULL": true}}"#;
        assert!(query(names, nested).messages().is_empty());
        assert!(query(names, r#"{":l": {"L": [{"N": 1}]}}"#).parse().is_err());
        assert!(query(names, "null").messages().is_empty());
    }

    #[test]
    fn target_then_credentials() {
        let t = Trigger::new("aws-dynamodb").meta(&[
            ("tableName", "t"),
            ("awsRegion", "eu-west-1"),
            ("keyConditionExpression", "#y = :y"),
            ("expressionAttributeNames", r##"{"#y": "year"}"##),
            ("expressionAttributeValues", r#"{":y": {"N": "1994"}}"#),
        ]);
        assert_eq!(t.messages(), vec!["no targetValue given"]);
        let t = query(r##"{"#y": "year"}"##, r#"{":y": {"N": "1994"}}"#);
        let mut meta: Vec<(&str, &str)> = vec![
            ("tableName", "t"),
            ("awsRegion", "eu-west-1"),
            ("keyConditionExpression", "#y = :y"),
            ("expressionAttributeNames", r##"{"#y": "year"}"##),
            ("expressionAttributeValues", r#"{":y": {"N": "1994"}}"#),
            ("targetValue", "3"),
        ];
        assert!(t.messages().is_empty());
        let t = Trigger::new("aws-dynamodb").meta(&meta);
        assert_eq!(t.messages(), vec!["awsAccessKeyID not found"]);
        meta.push(("targetValue", "x"));
        assert!(!Trigger::new("aws-dynamodb").meta(&meta).messages().is_empty());
    }

    /// `config.AsMetricSource`: under scalingModifiers a missing targetValue is taken as 0.
    #[test]
    fn a_metric_source_needs_no_target_value() {
        let doc = |advanced: &str| {
            format!(
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  \
                 scaleTargetRef:\n    name: a\n{advanced}  triggers:\n  - type: aws-dynamodb\n    \
                 name: rows\n    metadata:\n      tableName: t\n      awsRegion: eu-west-1\n      \
                 identityOwner: operator\n      keyConditionExpression: \"#y = :y\"\n      \
                 expressionAttributeNames: '{{\"#y\": \"year\"}}'\n      \
                 expressionAttributeValues: '{{\":y\": {{\"N\": \"1994\"}}}}'\n"
            )
        };
        let errors = |text: &str| -> Vec<String> {
            crate::lint(text, &crate::LintOptions::default())
                .into_iter()
                .filter(|d| d.code.starts_with("KEDA2") && d.severity == crate::Severity::Error)
                .map(|d| d.message)
                .collect()
        };
        assert_eq!(errors(&doc("")), vec!["aws-dynamodb trigger: no targetValue given"]);
        let modifiers = "  advanced:\n    scalingModifiers:\n      formula: rows\n      target: \"2\"\n";
        assert_eq!(errors(&doc(modifiers)), Vec::<String>::new());
    }
}
