//! `github-runner`: queued GitHub Actions jobs for self-hosted runners
//! (`pkg/scalers/github_runner_scaler.go`, `githubRunnerMetadata` and its `Validate()`).
//!
//! Valid: an organization's runners, authenticated as a GitHub App.
//! ```yaml
//! - type: github-runner
//!   metadata:
//!     owner: octo-org
//!     runnerScope: org
//!     labels: linux,x64
//!     applicationID: "1234"
//!     installationID: "5678"
//!   authenticationRef:
//!     name: github-app   # appKey: the App's private key
//! ```
//! Invalid: an App without its installation ("no installationID given").
//! ```yaml
//! - type: github-runner
//!   metadata:
//!     owner: octo-org
//!     runnerScope: org
//!     applicationID: "1234"
//!   authenticationRef:
//!     name: github-app   # appKey
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["github-runner"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("githubApiURL", &[M, E], STRING).default("https://api.github.com"),
    Param::new("owner", &[M, E], STRING),
    Param::new("runnerScope", &[M, E], STRING).one_of(&["org", "ent", "repo"]),
    Param::new("personalAccessToken", &[A], STRING).optional(),
    Param::new("repos", &[M, E], STRINGS).optional(),
    Param::new("labels", &[M, E], STRINGS).optional(),
    Param::new("noDefaultLabels", &[M, E], BOOL).default("false"),
    Param::new("enableEtags", &[M, E], BOOL).default("false"),
    Param::new("matchUnlabeledJobsWithUnlabeledRunners", &[M, E], BOOL).default("false"),
    Param::new("targetWorkflowQueueLength", &[M, E], INT64).default("1"),
    Param::new("applicationID", &[M, E], INT64).optional(),
    Param::new("installationID", &[M, E], INT64).optional(),
    Param::new("appKey", &[A], STRING).optional(),
];

/// `Validate()` and `validateGitHubApp`: every finding is something not given, which may
/// live in a TriggerAuthentication or an env out of view.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let absent = |key, message| Err(typed::error(key, ErrorKind::Missing, message));
    let (app, installation, key) = (
        p.int("applicationID"),
        p.int("installationID"),
        p.str("appKey"),
    );
    if key.is_empty() && p.str("personalAccessToken").is_empty() {
        return absent("personalAccessToken", "no personalAccessToken or appKey given");
    }
    if app != 0 || installation != 0 || !key.is_empty() {
        if app == 0 {
            return absent("applicationID", "no applicationID given");
        }
        if installation == 0 {
            return absent("installationID", "no installationID given");
        }
        if key.is_empty() {
            return absent("appKey", "no appKey given");
        }
    }
    Ok(())
}

/// `NewGitHubRunnerScaler` up to the App client (the private key is not parsed here).
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let p = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &["github-runner-", p.str("owner")].concat()),
        metric_type,
        target: p.int("targetWorkflowQueueLength") as f64,
        activation: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const ORG: [(&str, &str); 2] = [("owner", "octo-org"), ("runnerScope", "org")];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("github-runner")
            .meta(&[
                ORG[0],
                ORG[1],
                ("labels", "linux,x64"),
                ("applicationID", "1234"),
                ("installationID", "5678"),
            ])
            .auth(&[("appKey", "-----BEGIN RSA PRIVATE KEY-----")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-github-runner-octo-org", 1.0)
        );
        let bad = Trigger::new("github-runner")
            .meta(&[ORG[0], ORG[1], ("applicationID", "1234")])
            .auth(&[("appKey", "k")]);
        assert_eq!(bad.messages(), vec!["no installationID given"]);
    }

    /// `testGitHubRunnerMetadata` rows 0 and 32 (KEDA's joined messages, line by line), and
    /// `githubRunnerMetricIdentifiers`.
    #[test]
    fn errors_and_metric_names() {
        let t = Trigger::new("github-runner").auth(&[("personalAccessToken", "sample")]);
        assert_eq!(
            t.messages(),
            vec![
                "missing required parameter \"owner\" in [triggerMetadata resolvedEnv]",
                "missing required parameter \"runnerScope\" in [triggerMetadata resolvedEnv]"
            ]
        );
        let t = Trigger::new("github-runner")
            .meta(&[ORG[0], ORG[1], ("applicationID", "id"), ("installationID", "1")])
            .auth(&[("personalAccessToken", "sample")]);
        assert_eq!(
            t.messages(),
            vec![
                "unable to set param \"applicationID\" value \"id\": unable to unmarshal to field type int64: invalid character 'i' looking for beginning of value",
                "no applicationID given"
            ]
        );
        let t = Trigger::new("github-runner")
            .meta(&[("owner", "ownername"), ("runnerScope", "repo"), ("targetWorkflowQueueLength", "3")])
            .auth(&[("personalAccessToken", "sample")])
            .index(1);
        let m = t.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s1-github-runner-ownername", 3.0));
        let t = Trigger::new("github-runner").meta(&[ORG[0], ORG[1]]);
        assert_eq!(t.messages(), vec!["no personalAccessToken or appKey given"]);
    }
}
