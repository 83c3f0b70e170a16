//! `external` and `external-push`: a gRPC server of the user's answers for the trigger
//! (`pkg/scalers/external_scaler.go`, `externalScalerMetadata`). Every other metadata key is
//! passed to the server as is, so only the connection is checked here; the metric's name and
//! target come from the server's `GetMetricSpec`, which a manifest cannot show: the metric
//! carries the trigger type as its name and no target.
//!
//! Valid: TLS to the server with a client certificate from a TriggerAuthentication.
//! ```yaml
//! - type: external
//!   metadata:
//!     scalerAddress: my-scaler.keda:6000
//!     enableTLS: "true"
//!     queue: orders          # for the server
//!   authenticationRef:
//!     name: my-scaler-tls    # caCert, tlsClientCert, tlsClientKey
//! ```
//! Invalid: no address ("missing required parameter \"scalerAddress\" in [triggerMetadata]").
//! ```yaml
//! - type: external-push
//!   metadata:
//!     queue: orders
//! ```

use super::typed::{self, Param, A, BOOL, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["external", "external-push"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("scalerAddress", &[M], STRING),
    Param::new("enableTLS", &[M], BOOL).optional(),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("caCert", &[A], STRING).optional(),
    Param::new("tlsClientCert", &[A], STRING).optional(),
    Param::new("tlsClientKey", &[A], STRING).optional(),
];

/// `NewExternalScaler` / `NewExternalPushScaler` (both read the metadata the same way).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    typed::read(input, PARAMS, |_| Ok(()))?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, input.trigger_type),
        metric_type,
        target: 0.0,
        activation: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("external")
            .meta(&[
                ("scalerAddress", "my-scaler.keda:6000"),
                ("enableTLS", "true"),
                ("queue", "orders"),
            ])
            .auth(&[("caCert", "pem"), ("tlsClientCert", "pem"), ("tlsClientKey", "pem")]);
        assert_eq!(ok.parse().unwrap().metric_name, "s0-external");
        let bad = Trigger::new("external-push").meta(&[("queue", "orders")]);
        assert_eq!(
            bad.messages(),
            vec!["missing required parameter \"scalerAddress\" in [triggerMetadata]"]
        );
    }

    /// `testExternalScalerMetadata` row 1 passes `insecureSkipVerify`, which is the server's;
    /// the two switches KEDA reads are Go booleans.
    #[test]
    fn switches_are_booleans() {
        let t = Trigger::new("external").meta(&[
            ("scalerAddress", "myservice"),
            ("insecureSkipVerify", "maybe"),
        ]);
        assert!(t.parse().is_ok());
        let t = Trigger::new("external").meta(&[("scalerAddress", "a"), ("unsafeSsl", "yes")]);
        assert_eq!(t.messages().len(), 1);
        assert!(t.messages()[0].starts_with("unable to set param \"unsafeSsl\" value \"yes\""));
    }
}
