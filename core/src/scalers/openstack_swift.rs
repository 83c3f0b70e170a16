//! `openstack-swift`: objects in a Swift container (`pkg/scalers/openstack_swift_scaler.go`,
//! `openstackSwiftMetadata` and its `Validate()`; the Keystone login comes after).
//!
//! Valid: application credentials through a TriggerAuthentication.
//! ```yaml
//! - type: openstack-swift
//!   metadata:
//!     containerName: uploads
//!     objectPrefix: incoming/
//!     objectCount: "5"
//!   authenticationRef:
//!     name: openstack   # authURL, appCredentialID, appCredentialSecret
//! ```
//! Invalid: a user without a project ("projectID must be specified when using userID").
//! ```yaml
//! - type: openstack-swift
//!   metadata:
//!     containerName: uploads
//!   authenticationRef:
//!     name: openstack   # authURL, userID, password
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, INT, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["openstack-swift"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("swiftURL", &[M], STRING).optional(),
    Param::new("containerName", &[M], STRING),
    Param::new("objectCount", &[M], INT64).default("2"),
    Param::new("activationObjectCount", &[M], INT64).default("0"),
    Param::new("objectPrefix", &[M], STRING).optional(),
    Param::new("objectDelimiter", &[M], STRING).optional(),
    Param::new("objectLimit", &[M], STRING).optional(),
    Param::new("timeout", &[M], INT).default("30"),
    Param::new("onlyFiles", &[M], BOOL).optional(),
    Param::new("userID", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
    Param::new("projectID", &[A], STRING).optional(),
    Param::new("authURL", &[A], STRING),
    Param::new("appCredentialID", &[A], STRING).optional(),
    Param::new("appCredentialSecret", &[A], STRING).optional(),
    Param::new("regionName", &[A], STRING).optional(),
];

/// `Validate()`: a complete password login or a complete application credential.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    let need = |key: &str, message: &str| {
        if p.str(key).is_empty() {
            Err(typed::error(key, ErrorKind::Missing, message))
        } else {
            Ok(())
        }
    };
    if !p.str("userID").is_empty() {
        need("password", "password must be specified when using userID")?;
        return need("projectID", "projectID must be specified when using userID");
    }
    if !p.str("appCredentialID").is_empty() {
        return need(
            "appCredentialSecret",
            "appCredentialSecret must be specified when using appCredentialID",
        );
    }
    Err(typed::error(
        "userID",
        ErrorKind::Missing,
        "either userID or appCredentialID must be specified",
    ))
}

/// `NewOpenstackSwiftScaler` up to the Keystone login.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    let base = match (parsed.str("containerName"), parsed.str("objectPrefix")) {
        (container, "") => format!("openstack-swift-{container}"),
        (container, prefix) => format!("openstack-swift-{container}-{prefix}"),
    };
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &base),
        metric_type,
        target: parsed.int("objectCount") as f64,
        activation: parsed.int("activationObjectCount") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const URL: (&str, &str) = ("authURL", "http://keystone:5000/v3/");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("openstack-swift")
            .meta(&[
                ("containerName", "uploads"),
                ("objectPrefix", "incoming/"),
                ("objectCount", "5"),
            ])
            .auth(&[URL, ("appCredentialID", "id"), ("appCredentialSecret", "s")]);
        let m = ok.parse().unwrap();
        assert_eq!(
            (m.metric_name.as_str(), m.target),
            ("s0-openstack-swift-uploads-incoming-", 5.0)
        );
        let bad = Trigger::new("openstack-swift")
            .meta(&[("containerName", "uploads")])
            .auth(&[URL, ("userID", "u"), ("password", "p")]);
        assert_eq!(
            bad.messages(),
            vec!["projectID must be specified when using userID"]
        );
    }

    #[test]
    fn validate_in_keda_s_words() {
        let msgs = |auth: &[(&str, &str)]| {
            Trigger::new("openstack-swift")
                .meta(&[("containerName", "c")])
                .auth(auth)
                .messages()
        };
        assert_eq!(
            msgs(&[URL, ("password", "p")]),
            vec!["either userID or appCredentialID must be specified"]
        );
        assert_eq!(
            msgs(&[URL, ("appCredentialID", "id")]),
            vec!["appCredentialSecret must be specified when using appCredentialID"]
        );
        assert_eq!(
            msgs(&[("userID", "u"), ("password", "p"), ("projectID", "x")]),
            vec!["missing required parameter \"authURL\" in [authParams]"]
        );
    }
}
