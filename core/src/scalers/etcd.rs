//! `etcd`: a number stored under an etcd key (`pkg/scalers/etcd_scaler.go`, `etcdMetadata`
//! and its `Validate()`): TLS (`enable`/`disable`, a certificate needs its key and the other
//! way round) and username with password, both or neither.
//!
//! Valid: three endpoints, TLS with a client certificate from the TriggerAuthentication.
//! ```yaml
//! - type: etcd
//!   metadata:
//!     endpoints: 172.0.0.1:2379,172.0.0.2:2379,172.0.0.3:2379
//!     watchKey: length
//!     value: "5.5"
//!   authenticationRef:
//!     name: etcd-tls   # tls: enable, cert, key
//! ```
//! Invalid: the watch progress interval must be positive ("watchProgressNotifyInterval must
//! be greater than 0").
//! ```yaml
//! - type: etcd
//!   metadata:
//!     endpoints: 172.0.0.1:2379
//!     watchKey: length
//!     value: "5"
//!     watchProgressNotifyInterval: "0"
//! ```

use super::typed::{self, Param, Parsed, A, E, FLOAT64, INT, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["etcd"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("endpoints", &[M], STRINGS),
    Param::new("watchKey", &[M], STRING),
    Param::new("value", &[M], FLOAT64),
    Param::new("activationValue", &[M], FLOAT64).default("0"),
    Param::new("watchProgressNotifyInterval", &[M], INT).default("600"),
    Param::new("username", &[A, E], STRING).optional(),
    Param::new("password", &[A, E], STRING).optional(),
    Param::new("tls", &[A], STRING).default("disable"),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("keyPassword", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
];

fn absent(key: &str, message: &'static str) -> ScalerError {
    typed::error(key, ErrorKind::Missing, message)
}

/// `Validate()`.
fn validate(p: &Parsed) -> Result<(), ScalerError> {
    if p.int("watchProgressNotifyInterval") <= 0 {
        return Err(typed::error(
            "watchProgressNotifyInterval",
            ErrorKind::Invalid,
            "watchProgressNotifyInterval must be greater than 0",
        ));
    }
    match p.str("tls") {
        "enable" => {
            let (cert, key) = (p.str("cert").is_empty(), p.str("key").is_empty());
            if cert && !key {
                return Err(absent("cert", "cert must be provided with key"));
            }
            if key && !cert {
                return Err(absent("key", "key must be provided with cert"));
            }
        }
        "disable" => {}
        other => {
            return Err(typed::error(
                "tls",
                ErrorKind::Invalid,
                format!("incorrect value for TLS given: {other}"),
            ))
        }
    }
    let (user, pass) = (p.str("username").is_empty(), p.str("password").is_empty());
    if user && !pass {
        return Err(absent("username", "username must be provided with password"));
    }
    if pass && !user {
        return Err(absent("password", "password must be provided with username"));
    }
    Ok(())
}

/// `NewEtcdScaler` up to the client: metric type, then `parseEtcdMetadata`.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, validate)?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("etcd-{}", parsed.str("watchKey")),
        ),
        metric_type,
        target: parsed.float("value"),
        activation: parsed.float("activationValue"),
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const VALID: [(&str, &str); 3] = [
        ("endpoints", "172.0.0.1:2379,172.0.0.2:2379,172.0.0.3:2379"),
        ("watchKey", "length"),
        ("value", "5.5"),
    ];

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("etcd").meta(&VALID).auth(&[
            ("tls", "enable"),
            ("cert", "c"),
            ("key", "k"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-etcd-length", 5.5));
        let bad = Trigger::new("etcd").meta(&[
            ("endpoints", "172.0.0.1:2379"),
            ("watchKey", "length"),
            ("value", "5"),
            ("watchProgressNotifyInterval", "0"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["watchProgressNotifyInterval must be greater than 0"]
        );
    }

    /// `parseEtcdAuthParamsTestDataset`.
    #[test]
    fn tls_and_credentials() {
        let auth = |a: &[(&str, &str)]| Trigger::new("etcd").meta(&VALID).auth(a).messages();
        assert!(auth(&[("tls", "enable"), ("ca", "c")]).is_empty());
        assert_eq!(
            auth(&[("tls", "enable"), ("key", "k")]),
            vec!["cert must be provided with key"]
        );
        assert_eq!(
            auth(&[("tls", "yes")]),
            vec!["incorrect value for TLS given: yes"]
        );
        assert!(auth(&[("username", "root"), ("password", "admin")]).is_empty());
        assert_eq!(
            auth(&[("username", "root")]),
            vec!["password must be provided with username"]
        );
    }
}
