//! `selenium-grid`: pending sessions of a Selenium Grid for one browser/platform
//! (`pkg/scalers/selenium_grid_scaler.go`, `seleniumGridScalerMetadata`). The target is
//! always one session per replica; `capabilities` is only decoded when the Grid is queried.
//!
//! Valid: the Grid's URL and credentials in a TriggerAuthentication.
//! ```yaml
//! - type: selenium-grid
//!   metadata:
//!     browserName: chrome
//!     platformName: Linux
//!     nodeMaxSessions: "4"
//!   authenticationRef:
//!     name: grid   # url, username, password
//! ```
//! Invalid: an activation threshold that is not a whole number ("unable to set param
//! \"activationThreshold\" value \"AA\": …").
//! ```yaml
//! - type: selenium-grid
//!   metadata:
//!     url: http://selenium-hub:4444/graphql
//!     browserName: chrome
//!     activationThreshold: AA
//! ```

use super::typed::{self, Param, A, BOOL, E, INT64, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["selenium-grid"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("url", &[A, M], STRING),
    Param::new("authType", &[A, E], STRING).optional(),
    Param::new("username", &[A, E], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
    Param::new("accessToken", &[A, E], STRING).optional(),
    Param::new("browserName", &[M], STRING).optional(),
    Param::new("sessionBrowserName", &[M], STRING).optional(),
    Param::new("browserVersion", &[M], STRING).optional(),
    Param::new("platformName", &[M], STRING).optional(),
    Param::new("activationThreshold", &[M], INT64).optional(),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("nodeMaxSessions", &[M], INT64).default("1"),
    Param::new("enableManagedDownloads", &[M], BOOL).default("true"),
    Param::new("capabilities", &[M], STRING).optional(),
];

/// `NewSeleniumGridScaler`; the metric is named after the browser, its version and the
/// platform, each only when given.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, |_| Ok(()))?;
    let mut name = String::from("selenium-grid");
    for key in ["browserName", "browserVersion", "platformName"] {
        let part = p.str(key);
        if !part.is_empty() {
            name.push('-');
            name.push_str(part);
        }
    }
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &name),
        metric_type,
        target: 1.0,
        activation: p.int("activationThreshold") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("selenium-grid")
            .meta(&[
                ("browserName", "chrome"),
                ("platformName", "Linux"),
                ("nodeMaxSessions", "4"),
            ])
            .auth(&[
                ("url", "http://selenium-hub:4444/graphql"),
                ("username", "u"),
                ("password", "p"),
            ]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-selenium-grid-chrome-Linux", 1.0)
        );
        let bad = Trigger::new("selenium-grid").meta(&[
            ("url", "http://selenium-hub:4444/graphql"),
            ("browserName", "chrome"),
            ("activationThreshold", "AA"),
        ]);
        assert_eq!(bad.messages().len(), 1);
        assert!(bad.messages()[0].starts_with("unable to set param \"activationThreshold\" value \"AA\""));
    }

    /// `Test_parseSeleniumGridScalerMetadata` rows 0, 1 and 8 (the version joins the name,
    /// where NormalizeString turns its dot into a dash).
    #[test]
    fn url_and_metric_name() {
        let t = Trigger::new("selenium-grid").meta(&[("url", "")]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"url\" in [authParams triggerMetadata]"]
        );
        let t = Trigger::new("selenium-grid")
            .meta(&[
                ("url", "http://selenium-hub:4444/graphql"),
                ("browserName", "chrome"),
                ("browserVersion", "91.0"),
                ("activationThreshold", "10"),
            ])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.activation),
            ("s1-selenium-grid-chrome-91-0", 10.0)
        );
    }
}
