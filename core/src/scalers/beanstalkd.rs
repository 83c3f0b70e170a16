//! `beanstalkd`: ready (and optionally delayed) jobs of a beanstalkd tube
//! (`pkg/scalers/beanstalkd_scaler.go`, `BeanstalkdMetadata`; nothing is checked beyond the
//! typed config before the connection).
//!
//! Valid: delayed jobs count too.
//! ```yaml
//! - type: beanstalkd
//!   metadata:
//!     server: beanstalkd:11300
//!     tube: emails
//!     value: "5"
//!     includeDelayed: "true"
//! ```
//! Invalid: a negative timeout ("duration cannot be negative: -1 milliseconds").
//! ```yaml
//! - type: beanstalkd
//!   metadata:
//!     server: beanstalkd:11300
//!     tube: emails
//!     value: "5"
//!     timeout: "-1"
//! ```

use super::typed::{self, Param, BOOL, DURATION, FLOAT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["beanstalkd"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("server", &[M], STRING),
    Param::new("tube", &[M], STRING),
    Param::new("value", &[M], FLOAT64),
    Param::new("activationValue", &[M], FLOAT64).optional(),
    Param::new("includeDelayed", &[M], BOOL).optional(),
    Param::new("timeout", &[M], DURATION).default("30"),
];

/// `NewBeanstalkdScaler` up to the dial: metric type, then the typed config.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    let tube = crate::go::url::query_escape(parsed.str("tube"));
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("beanstalkd-{tube}")),
        metric_type,
        target: parsed.float("value"),
        activation: parsed.float("activationValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const SERVER: (&str, &str) = ("server", "beanstalkd:11300");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("beanstalkd").meta(&[
            SERVER,
            ("tube", "emails"),
            ("value", "5"),
            ("includeDelayed", "true"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-beanstalkd-emails", 5.0)
        );
        let bad = Trigger::new("beanstalkd").meta(&[
            SERVER,
            ("tube", "emails"),
            ("value", "5"),
            ("timeout", "-1"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["unable to set param \"timeout\" value \"-1\": duration cannot be negative: -1 milliseconds"]
        );
    }

    /// `beanstalkdMetricIdentifiers`; the tube is query-escaped before normalizing.
    #[test]
    fn metric_names() {
        let t = Trigger::new("beanstalkd")
            .meta(&[SERVER, ("tube", "delayed"), ("value", "1")])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-beanstalkd-delayed");
        let t = Trigger::new("beanstalkd").meta(&[
            SERVER,
            ("tube", "a b/c"),
            ("value", "1.5"),
            ("activationValue", "0.5"),
        ]);
        let m = t.parse().unwrap();
        assert_eq!(m.metric_name, "s0-beanstalkd-a+b%2Fc".replace('%', "-"));
        assert_eq!((m.target, m.activation), (1.5, 0.5));
    }
}
