//! `forgejo-runner`: jobs waiting for a Forgejo Actions runner with the given labels
//! (`pkg/scalers/forgejo_runner_scaler.go`, `forgejoRunnerMetadata`). The target is always
//! one job per replica.
//!
//! Valid: a repository's jobs, the token from a TriggerAuthentication.
//! ```yaml
//! - type: forgejo-runner
//!   metadata:
//!     address: https://code.forgejo.org/
//!     labels: docker
//!     owner: octo
//!     repo: app
//!   authenticationRef:
//!     name: forgejo-token   # token
//! ```
//! Invalid: no labels ("missing required parameter \"labels\" in [triggerMetadata]").
//! ```yaml
//! - type: forgejo-runner
//!   metadata:
//!     address: https://code.forgejo.org
//!   authenticationRef:
//!     name: forgejo-token   # token
//! ```

use super::typed::{self, Param, A, BOOL, E, M, STRING};
use super::{Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["forgejo-runner"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("token", &[A, E], STRING),
    Param::new("address", &[M], STRING),
    Param::new("labels", &[M], STRING),
    Param::new("global", &[M], BOOL).optional(),
    Param::new("owner", &[M], STRING).optional(),
    Param::new("org", &[M], STRING).optional(),
    Param::new("repo", &[M], STRING).optional(),
];

/// `NewForgejoRunnerScaler`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    typed::read(input, PARAMS, |_| Ok(()))?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, "forgejo"),
        metric_type,
        target: 1.0,
        activation: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("forgejo-runner")
            .meta(&[
                ("address", "https://code.forgejo.org/"),
                ("labels", "docker"),
                ("owner", "octo"),
                ("repo", "app"),
            ])
            .auth(&[("token", "t")])
            .index(2);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s2-forgejo", 1.0));
        let bad = Trigger::new("forgejo-runner")
            .meta(&[("address", "https://code.forgejo.org")])
            .auth(&[("token", "t")]);
        assert_eq!(
            bad.messages(),
            vec!["missing required parameter \"labels\" in [triggerMetadata]"]
        );
    }

    /// `testForgejoRunnerMetadata` row 1: a token in the metadata is not read.
    #[test]
    fn the_token_is_never_metadata() {
        let t = Trigger::new("forgejo-runner").meta(&[
            ("address", "https://code.forgejo.org"),
            ("labels", "l"),
            ("token", "in-the-open"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["missing required parameter \"token\" in [authParams resolvedEnv]"]
        );
    }
}
