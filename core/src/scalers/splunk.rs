//! `splunk`: a field of a saved search's result (`pkg/scalers/splunk_scaler.go`,
//! `SplunkMetadata`, then `pkg/scalers/splunk/splunk.go` `NewClient`): the host must be a
//! request URI, the username is always required, and an API token excludes a password.
//!
//! Valid: token authentication from the TriggerAuthentication.
//! ```yaml
//! - type: splunk
//!   metadata:
//!     host: https://splunk.example.com:8089
//!     targetValue: "10"
//!     activationValue: "1"
//!     savedSearchName: queue-depth
//!     valueField: count
//!   authenticationRef:
//!     name: splunk-credentials   # username, apiToken
//! ```
//! Invalid: a host that is neither an absolute URL nor an absolute path ("invalid value for
//! host. Must be a valid URL such as https://localhost:8089"; Go takes `name:8089` for a
//! scheme and an opaque part, so that one passes).
//! ```yaml
//! - type: splunk
//!   metadata:
//!     host: splunk.example.com
//!     targetValue: "10"
//!     activationValue: "1"
//!     savedSearchName: queue-depth
//!     valueField: count
//!   authenticationRef:
//!     name: splunk-credentials   # username, apiToken
//! ```

use super::typed::{self, Param, A, BOOL, INT, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["splunk"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("apiToken", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
    Param::new("username", &[A], STRING),
    Param::new("host", &[M], STRING),
    Param::new("unsafeSsl", &[M], BOOL).optional(),
    Param::new("targetValue", &[M], INT),
    Param::new("activationValue", &[M], INT),
    Param::new("savedSearchName", &[M], STRING),
    Param::new("valueField", &[M], STRING),
];

/// `NewSplunkScaler` up to the first request: metric type, `parseSplunkMetadata` (typed
/// config, then the host), then the client's own checks.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    if crate::go::url::parse_request_uri(parsed.str("host")).is_err() {
        return Err(vec![typed::error(
            "host",
            ErrorKind::Invalid,
            "invalid value for host. Must be a valid URL such as https://localhost:8089",
        )]);
    }
    if !parsed.str("apiToken").is_empty() && !parsed.str("password").is_empty() {
        return Err(vec![typed::error(
            "apiToken",
            ErrorKind::Invalid,
            "API token and Password were all set. If APIToken is set, username and password \
             must not be used",
        )]);
    }
    let search = parsed.str("savedSearchName");
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("splunk-{search}")),
        metric_type,
        target: parsed.int("targetValue") as f64,
        activation: parsed.int("activationValue") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    fn meta(host: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![
            ("host", host),
            ("targetValue", "10"),
            ("activationValue", "1"),
            ("savedSearchName", "queue-depth"),
            ("valueField", "count"),
        ]
    }

    #[test]
    fn examples_in_the_doc_comment() {
        let auth = [("username", "admin"), ("apiToken", "t0ken")];
        let ok = Trigger::new("splunk")
            .meta(&meta("https://splunk.example.com:8089"))
            .auth(&auth);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target, m.activation),
            ("s0-splunk-queue-depth", 10.0, 1.0)
        );
        let bad = Trigger::new("splunk")
            .meta(&meta("splunk.example.com"))
            .auth(&auth);
        assert_eq!(
            bad.messages(),
            vec!["invalid value for host. Must be a valid URL such as https://localhost:8089"]
        );
    }

    /// `testSplunkMetadata` rows 2, 4 and 8; `SplunkMetricIdentifiers`; `NewClient`.
    #[test]
    fn keda_s_table_and_client() {
        let t = Trigger::new("splunk")
            .meta(&meta("missinghttpURIScheme:8089"))
            .auth(&[("username", "fake")]);
        assert!(t.parse().is_ok());
        let t = Trigger::new("splunk");
        assert_eq!(t.messages()[0], "missing required parameter \"username\" in [authParams]");
        let t = Trigger::new("splunk")
            .meta(&[("host", "https://localhost:8089"), ("targetValue", "1")])
            .auth(&[("username", "fake")]);
        assert_eq!(
            t.messages()[0],
            "missing required parameter \"activationValue\" in [triggerMetadata]"
        );
        let t = Trigger::new("splunk")
            .meta(&meta("https://localhost:8089"))
            .auth(&[("username", "u"), ("apiToken", "t"), ("password", "p")]);
        assert_eq!(t.messages().len(), 1);
        assert!(t.messages()[0].starts_with("API token and Password were all set"));
        let t = Trigger::new("splunk")
            .meta(&meta("https://localhost:8089"))
            .auth(&[("username", "fake")])
            .index(1);
        assert_eq!(t.parse().unwrap().metric_name, "s1-splunk-queue-depth");
    }
}
