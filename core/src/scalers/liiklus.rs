//! `liiklus`: consumer-group lag of a Liiklus topic over gRPC
//! (`pkg/scalers/liiklus_scaler.go`, `liiklusMetadata`; nothing is checked beyond the typed
//! config before the client is made).
//!
//! Valid: the default lag threshold (10).
//! ```yaml
//! - type: liiklus
//!   metadata:
//!     address: liiklus:6565
//!     topic: orders
//!     group: billing
//! ```
//! Invalid: `groupVersion` is an unsigned 32-bit number ("unable to set param
//! \"groupVersion\" value \"-1\": unable to unmarshal to field type uint32: json: cannot
//! unmarshal number -1 into Go value of type uint32").
//! ```yaml
//! - type: liiklus
//!   metadata:
//!     address: liiklus:6565
//!     topic: orders
//!     group: billing
//!     groupVersion: "-1"
//! ```

use super::typed::{self, Param, INT64, M, STRING, UINT32};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["liiklus"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("lagThreshold", &[M], INT64).default("10"),
    Param::new("activationLagThreshold", &[M], INT64).default("0"),
    Param::new("address", &[M], STRING),
    Param::new("topic", &[M], STRING),
    Param::new("group", &[M], STRING),
    Param::new("groupVersion", &[M], UINT32).default("0"),
];

/// `NewLiiklusScaler` up to the gRPC client: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("liiklus-{}", parsed.str("topic")),
        ),
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
        let ok = Trigger::new("liiklus").meta(&[
            ("address", "liiklus:6565"),
            ("topic", "orders"),
            ("group", "billing"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s0-liiklus-orders", 10.0, 0.0)
        );
        let bad = Trigger::new("liiklus").meta(&[
            ("address", "liiklus:6565"),
            ("topic", "orders"),
            ("group", "billing"),
            ("groupVersion", "-1"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["unable to set param \"groupVersion\" value \"-1\": unable to unmarshal to field type uint32: json: cannot unmarshal number -1 into Go value of type uint32"]
        );
    }

    /// `parseLiiklusMetadataTestDataset`'s expected errors, word for word.
    #[test]
    fn keda_s_expected_errors() {
        let msgs = |meta: &[(&str, &str)]| Trigger::new("liiklus").meta(meta).messages();
        assert_eq!(
            msgs(&[]),
            vec![
                "missing required parameter \"address\" in [triggerMetadata]",
                "missing required parameter \"topic\" in [triggerMetadata]",
                "missing required parameter \"group\" in [triggerMetadata]"
            ]
        );
        assert_eq!(
            msgs(&[("topic", "foo"), ("address", "using-mock")]),
            vec!["missing required parameter \"group\" in [triggerMetadata]"]
        );
        assert_eq!(
            msgs(&[("topic", "foo"), ("address", "using-mock"), ("group", "mygroup"), ("activationLagThreshold", "invalid")]),
            vec!["unable to set param \"activationLagThreshold\" value \"invalid\": unable to unmarshal to field type int64: invalid character 'i' looking for beginning of value"]
        );
        let t = Trigger::new("liiklus")
            .meta(&[
                ("topic", "foo"),
                ("address", "using-mock"),
                ("group", "mygroup"),
                ("lagThreshold", "20"),
            ])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-liiklus-foo", 20.0));
    }
}
