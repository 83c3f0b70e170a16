//! `redis`, `redis-cluster`, `redis-sentinel`: the length of a list, set, sorted set or
//! hash (`pkg/scalers/redis_scaler.go`, `redisMetadata` with its embedded
//! `redisConnectionInfo`, and `Validate()`). The connection declarations and checks here are
//! shared with `redis-streams`.
//!
//! Valid: hosts and ports pair up into addresses.
//! ```yaml
//! - type: redis-cluster
//!   metadata:
//!     listName: jobs
//!     hosts: redis-0, redis-1
//!     ports: "6379, 6379"
//! ```
//! Invalid: three hosts, two ports ("not enough hosts or ports given. number of hosts
//! should be equal to the number of ports").
//! ```yaml
//! - type: redis-cluster
//!   metadata:
//!     listName: jobs
//!     hosts: a, b, c
//!     ports: "1, 2"
//! ```

use super::typed::{self, Param, Parsed, A, BOOL, E, INT, INT64, M, STRING, STRINGS};
use super::{ErrorKind, Module, ScalerError, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["redis", "redis-cluster", "redis-sentinel"],
    parse,
};

/// `redisConnectionInfo`, embedded with `keda:"optional"` by the list and stream scalers.
pub(crate) const CONNECTION: &[Param] = &[
    Param::new("address;addresses", &[M, A, E], STRINGS),
    Param::new("username", &[M, E, A], STRING),
    Param::new("password", &[M, E, A], STRING),
    Param::new("sentinelUsername", &[M, A, E], STRING),
    Param::new("sentinelPassword", &[M, A, E], STRING),
    Param::new("sentinelMaster", &[M, A, E], STRING),
    Param::new("host;hosts", &[M, E, A], STRINGS),
    Param::new("port;ports", &[M, E, A], STRINGS),
    Param::new("unsafeSsl", &[M], BOOL).default("false"),
    Param::new("Cert;cert", &[A], STRING),
    Param::new("key", &[A], STRING),
    Param::new("keyPassword", &[A], STRING),
    Param::new("ca", &[A], STRING),
];

const PARAMS: &[Param] = &[
    Param::new("listLength", &[M], INT64).default("5"),
    Param::new("activationListLength", &[M], INT64).optional(),
    Param::new("listName", &[M], STRING),
    Param::new("databaseIndex", &[M], INT).optional(),
    Param::new("enableTLS", &[M], STRING).optional(),
    Param::new("tls", &[A], STRING).optional(),
    Param::nested(CONNECTION).optional(),
];

/// `validateRedisAddress`: hosts and ports pair up (`net.JoinHostPort`) after any
/// addresses; at least one, and the first not empty. An absence is of kind `Missing` so the
/// linter stays quiet when the authentication is out of view.
pub(crate) fn validate_address(p: &Parsed) -> Result<(), ScalerError> {
    let (hosts, ports) = (p.strings("host;hosts"), p.strings("port;ports"));
    let addresses = p.strings("address;addresses");
    let paired = !hosts.is_empty() && !ports.is_empty();
    // A list read from a value out of view may hold any number of entries.
    let countable = !hosts.iter().chain(&ports).any(|v| typed::unseen(v));
    if paired && countable && hosts.len() != ports.len() {
        return Err(typed::error(
            "hosts",
            ErrorKind::Invalid,
            "not enough hosts or ports given. number of hosts should be equal to the number of ports",
        ));
    }
    let first = addresses
        .first()
        .copied()
        .or_else(|| paired.then(|| hosts.first().copied()).flatten());
    // A joined host:port is never empty (it holds at least the colon).
    let first_empty = match addresses.first() {
        Some(a) => a.is_empty(),
        None => first.is_none(),
    };
    if first_empty {
        return Err(typed::error(
            "address",
            ErrorKind::Missing,
            "no addresses or hosts given. address should be a comma separated list of host:port or set the host/port values",
        ));
    }
    Ok(())
}

/// `SetEnableTLS`: `enableTLS` (a Go bool) in the metadata or `tls` (enable/disable) in the
/// authentication, not both.
pub(crate) fn validate_tls(p: &Parsed) -> Result<(), ScalerError> {
    let (meta, auth) = (p.str("enableTLS"), p.str("tls"));
    if !meta.is_empty() && !auth.is_empty() {
        return Err(typed::error(
            "enableTLS",
            ErrorKind::Invalid,
            "unable to set `tls` in both ScaledObject and TriggerAuthentication together",
        ));
    }
    if !meta.is_empty() && crate::go::strconv::parse_bool(meta).is_none() {
        return Err(typed::error(
            "enableTLS",
            ErrorKind::Invalid,
            format!(
                "EnableTLS parsing error strconv.ParseBool: parsing {meta:?}: invalid syntax"
            ),
        ));
    }
    if !auth.is_empty() && auth != "enable" && auth != "disable" {
        return Err(typed::error(
            "tls",
            ErrorKind::Invalid,
            format!("error incorrect TLS value given, got {auth}"),
        ));
    }
    Ok(())
}

/// `NewRedisScaler` up to the connection.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |p| {
        validate_address(p)?;
        validate_tls(p)
    })?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(
            input.index,
            &format!("redis-{}", parsed.str("listName")),
        ),
        metric_type,
        target: parsed.int("listLength") as f64,
        activation: parsed.int("activationListLength") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("redis-cluster").meta(&[
            ("listName", "jobs"),
            ("hosts", "redis-0, redis-1"),
            ("ports", "6379, 6379"),
        ]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-redis-jobs", 5.0));
        let bad = Trigger::new("redis-cluster").meta(&[
            ("listName", "jobs"),
            ("hosts", "a, b, c"),
            ("ports", "1, 2"),
        ]);
        assert_eq!(
            bad.messages(),
            vec!["not enough hosts or ports given. number of hosts should be equal to the number of ports"]
        );
    }

    #[test]
    fn addresses_and_tls() {
        // Hosts without ports give no address.
        let t = Trigger::new("redis").auth(&[("host", "localhost")]).meta(&[("listName", "l")]);
        assert_eq!(
            t.messages(),
            vec!["no addresses or hosts given. address should be a comma separated list of host:port or set the host/port values"]
        );
        let t = Trigger::new("redis")
            .meta(&[("listName", "l"), ("enableTLS", "true")])
            .auth(&[("address", "localhost:6379"), ("tls", "disable")]);
        assert_eq!(
            t.messages(),
            vec!["unable to set `tls` in both ScaledObject and TriggerAuthentication together"]
        );
        // Hosts from a value out of view: their count is unknown, so no mismatch is claimed.
        let t = Trigger::new("redis-cluster")
            .meta(&[("listName", "l"), ("hostsFromEnv", "H"), ("ports", "1, 2")])
            .env(&[("H", "\u{1}hidden")]);
        assert!(t.messages().is_empty());
        let t = Trigger::new("redis").meta(&[("listName", "l"), ("address", ","), ("enableTLS", "yes")]);
        assert_eq!(t.messages().len(), 1);
        let t = Trigger::new("redis").meta(&[
            ("listName", "l"),
            ("address", "a:1"),
            ("enableTLS", "yes"),
        ]);
        assert_eq!(
            t.messages(),
            vec!["EnableTLS parsing error strconv.ParseBool: parsing \"yes\": invalid syntax"]
        );
    }
}
