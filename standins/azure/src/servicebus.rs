//! The Service Bus management API: auth checks, then the four GETs.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::atom::{self, Described, Kind};
use crate::server::{percent_decode, Answer};
use crate::state::State;
use crate::Shared;

const XML: &str = "application/xml; charset=utf-8";
const ENTRY: &str = "application/atom+xml;type=entry;charset=utf-8";
const FEED: &str = "application/atom+xml;type=feed;charset=utf-8";
const PAGE: usize = 100;

/// `<ns>.servicebus.localhost[:port]` -> `ns`; an address or plain `localhost` -> `default`.
pub(crate) fn namespace_of(host: &str) -> String {
    let name = host.rsplit_once(':').map_or(host, |(h, port)| {
        if port.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    let name = name.to_ascii_lowercase();
    match name.split_once('.') {
        Some((first, rest)) if !first.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty() => {
            first.to_owned()
        }
        _ => "default".to_owned(),
    }
}

fn unauthorized(detail: &str, host: &str, path: &str) -> Answer {
    Answer::new(401, XML, atom::error(401, detail, host, path))
}

/// Checks the Authorization header: a SAS made with a key of this namespace (Manage rights
/// needed, audience a prefix of the URL, not expired), or an unexpired token we issued.
pub(crate) fn check_auth(
    state: &State,
    namespace: &str,
    host: &str,
    path: &str,
    authorization: &str,
    audiences: &[&str],
) -> Result<(), Answer> {
    if authorization.is_empty() {
        return Err(unauthorized("claim is empty", host, path));
    }
    if let Some(fields) = authorization.strip_prefix("SharedAccessSignature ") {
        let mut sr = "";
        let mut sig = "";
        let mut se = "";
        let mut skn = "";
        for part in fields.split('&') {
            match part.split_once('=') {
                Some(("sr", v)) => sr = v,
                Some(("sig", v)) => sig = v,
                Some(("se", v)) => se = v,
                Some(("skn", v)) => skn = v,
                _ => {}
            }
        }
        let invalid = || {
            unauthorized(
                "InvalidSignature: The token has an invalid signature",
                host,
                path,
            )
        };
        let Some((key, manage)) = state
            .namespaces
            .get(namespace)
            .and_then(|n| n.keys.get(skn))
        else {
            return Err(invalid());
        };
        if !signature_matches(key, sr, se, sig) {
            return Err(invalid());
        }
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if se.parse::<u64>().map_or(true, |se| se <= now) {
            return Err(unauthorized(
                "ExpiredToken: The token is expired",
                host,
                path,
            ));
        }
        let audience = percent_decode(sr).to_ascii_lowercase();
        let resource = format!("https://{host}{path}").to_ascii_lowercase();
        if !resource.starts_with(&audience) {
            return Err(unauthorized(
                "InvalidAudience: The token audience does not match the resource",
                host,
                path,
            ));
        }
        if !manage {
            return Err(unauthorized(
                "Manage,EntityRead claims required for this operation",
                host,
                path,
            ));
        }
        return Ok(());
    }
    let token = authorization
        .strip_prefix("Bearer ")
        .unwrap_or(authorization);
    match state.tokens.get(token) {
        Some(t) if !audiences.contains(&t.audience.as_str()) => Err(unauthorized(
            "InvalidAudience: The token audience does not match the resource",
            host,
            path,
        )),
        Some(t) if Instant::now() < t.expires_at => Ok(()),
        Some(_) => Err(unauthorized(
            "ExpiredToken: The token is expired",
            host,
            path,
        )),
        None => Err(unauthorized(
            "InvalidSignature: The token is not valid for this resource",
            host,
            path,
        )),
    }
}

/// Whether `sig` (as sent: URL-escaped base64) is the HMAC-SHA256 of `sr\nse` under the key
/// text's UTF-8 bytes.
pub fn signature_matches(key: &str, sr: &str, se: &str, sig: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(format!("{sr}\n{se}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    percent_decode(sig) == expected
}

fn query_value(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (percent_decode(k) == name).then(|| percent_decode(v))
    })
}

pub fn get(
    shared: &Shared,
    host: &str,
    path: &str,
    query: &str,
    authorization: &str,
    missing_counts: bool,
) -> Answer {
    let namespace = namespace_of(host);
    let state = shared.state();
    if let Some(answer) = crate::eventhub::get(&state, &namespace, host, path, authorization) {
        return answer;
    }
    if let Err(refused) = check_auth(
        &state,
        &namespace,
        host,
        path,
        authorization,
        &[crate::entra::SERVICE_BUS_AUDIENCE],
    ) {
        return refused;
    }
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let empty = Default::default();
    let ns = state.namespaces.get(&namespace).unwrap_or(&empty);
    let with_counts = !missing_counts;
    let padding = state.entry_padding;
    let n = segments.len();
    let skip = query_value(query, "$skip")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let top = query_value(query, "$top")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(PAGE)
        .min(PAGE);

    // GET /$Resources/Queues
    if n == 2 && lower[0] == "$resources" && lower[1] == "queues" {
        let items: Vec<(String, Described<'_>)> = ns
            .queues
            .iter()
            .skip(skip)
            .take(top)
            .map(|(name, active)| {
                (
                    name.clone(),
                    Described {
                        kind: Kind::Queue,
                        name,
                        active: *active,
                        with_counts,
                        padding,
                    },
                )
            })
            .collect();
        return Answer::new(
            200,
            FEED,
            atom::feed(host, "$Resources/Queues", "Queues", &items),
        );
    }
    // GET /{topic}/Subscriptions
    if n >= 2 && lower[n - 1] == "subscriptions" {
        let topic = segments[..n - 1].join("/");
        let Some(subs) = ns.topics.get(&topic) else {
            return Answer::new(200, FEED, atom::not_found_feed());
        };
        let items: Vec<(String, Described<'_>)> = subs
            .iter()
            .skip(skip)
            .take(top)
            .map(|(name, active)| {
                (
                    format!("{topic}/Subscriptions/{name}"),
                    Described {
                        kind: Kind::Subscription,
                        name,
                        active: *active,
                        with_counts,
                        padding,
                    },
                )
            })
            .collect();
        return Answer::new(
            200,
            FEED,
            atom::feed(
                host,
                &format!("{topic}/Subscriptions"),
                "Subscriptions",
                &items,
            ),
        );
    }
    // GET /{topic}/Subscriptions/{subscription}
    if n >= 3 && lower[n - 2] == "subscriptions" {
        let topic = segments[..n - 2].join("/");
        let name = &segments[n - 1];
        return match ns.topics.get(&topic).and_then(|s| s.get(name)) {
            Some(active) => Answer::new(
                200,
                ENTRY,
                atom::entry(
                    host,
                    &format!("{topic}/Subscriptions/{name}"),
                    &Described {
                        kind: Kind::Subscription,
                        name,
                        active: *active,
                        with_counts,
                        padding,
                    },
                ),
            ),
            None => Answer::new(200, FEED, atom::not_found_feed()),
        };
    }
    // GET /{queue} (or a topic's own entry)
    let name = segments.join("/");
    if let Some(active) = ns.queues.get(&name) {
        return Answer::new(
            200,
            ENTRY,
            atom::entry(
                host,
                &name,
                &Described {
                    kind: Kind::Queue,
                    name: &name,
                    active: *active,
                    with_counts,
                    padding,
                },
            ),
        );
    }
    if ns.topics.contains_key(&name) {
        return Answer::new(
            200,
            ENTRY,
            atom::entry(
                host,
                &name,
                &Described {
                    kind: Kind::Topic,
                    name: &name,
                    active: 0,
                    with_counts,
                    padding,
                },
            ),
        );
    }
    Answer::new(200, FEED, atom::not_found_feed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answer_signature_verifies() {
        let sig = "8UM0iIfFCfeBSqxSdBMW8pUbhAm7mnjSUaIZTZx8V0g%3D";
        assert!(signature_matches("key", "audience", "1578099723", sig));
        assert!(!signature_matches("key", "audience", "1578099724", sig));
        assert!(!signature_matches("kex", "audience", "1578099723", sig));
    }

    #[test]
    fn namespace_from_host() {
        assert_eq!(namespace_of("orders.servicebus.localhost:8443"), "orders");
        assert_eq!(namespace_of("Orders.servicebus.localhost"), "orders");
        assert_eq!(namespace_of("127.0.0.1:8443"), "default");
        assert_eq!(namespace_of("localhost:8443"), "default");
    }
}
