//! Service Bus connection strings, parsed as the Go SDK KEDA uses does (spec §2.1).

use crate::error::ScalerError;
use crate::secret::Secret;

/// The parts of a connection string the management client needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionString {
    /// Namespace host, with a port when the Endpoint names one (`ns.servicebus.localhost:8443`).
    pub host: String,
    pub credential: SasCredential,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SasCredential {
    /// A policy key: requests are signed with it.
    Key { key_name: String, key: Secret },
    /// A ready-made `SharedAccessSignature sr=...`: sent verbatim, never renewed.
    Signature(Secret),
}

fn invalid(message: &str) -> ScalerError {
    ScalerError::InvalidConnectionString(message.to_owned())
}

/// Splits on `;`, each piece at its first `=`; keys are matched case-insensitively and not
/// trimmed; unknown keys (EntityPath, UseDevelopmentEmulator, ...) are ignored.
pub fn parse(text: &str) -> Result<ConnectionString, ScalerError> {
    let mut endpoint = "";
    let mut key_name = "";
    let mut key = "";
    let mut signature = "";
    for piece in text.split(';').filter(|p| !p.is_empty()) {
        let Some((name, value)) = piece.split_once('=') else {
            return Err(invalid(
                "failed parsing connection string due to unmatched key value separated by '='",
            ));
        };
        if name.eq_ignore_ascii_case("Endpoint") {
            endpoint = value;
        } else if name.eq_ignore_ascii_case("SharedAccessKeyName") {
            key_name = value;
        } else if name.eq_ignore_ascii_case("SharedAccessKey") {
            key = value;
        } else if name.eq_ignore_ascii_case("SharedAccessSignature") {
            signature = value;
        }
    }
    if endpoint.is_empty() {
        return Err(invalid("key \"Endpoint\" must not be empty"));
    }
    let host = endpoint_host(endpoint)?;
    if signature.is_empty() && key_name.is_empty() {
        return Err(invalid("key \"SharedAccessKeyName\" must not be empty"));
    }
    if signature.is_empty() && key.is_empty() {
        return Err(invalid(
            "key \"SharedAccessKey\" or \"SharedAccessSignature\" cannot both be empty",
        ));
    }
    let credential = if signature.is_empty() {
        SasCredential::Key {
            key_name: key_name.to_owned(),
            key: Secret::new(key),
        }
    } else {
        SasCredential::Signature(Secret::new(signature))
    };
    Ok(ConnectionString { host, credential })
}

/// `sb://ns.servicebus.windows.net/` -> `ns.servicebus.windows.net`; a bare host has no
/// scheme, so (as in Go's URL parser) it has no host either.
fn endpoint_host(endpoint: &str) -> Result<String, ScalerError> {
    let not_a_url = || {
        invalid("key \"Endpoint\" must be a URL such as sb://<namespace>.servicebus.windows.net/")
    };
    let url = reqwest::Url::parse(endpoint).map_err(|_| not_a_url())?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(not_a_url)?;
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn key_based() {
        let c = parse("Endpoint=sb://orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=abc=def=;EntityPath=q").unwrap();
        assert_eq!(c.host, "orders.servicebus.windows.net");
        match c.credential {
            SasCredential::Key { key_name, key } => {
                assert_eq!(key_name, "RootManageSharedAccessKey");
                assert_eq!(key.expose(), "abc=def=");
            }
            SasCredential::Signature(_) => panic!("expected a key"),
        }
    }

    #[test]
    fn keys_are_case_insensitive_and_port_is_kept() {
        let c = parse(
            ";endpoint=sb://a.servicebus.localhost:8443/;sharedaccesskeyname=k;SHAREDACCESSKEY=v;;",
        )
        .unwrap();
        assert_eq!(c.host, "a.servicebus.localhost:8443");
    }

    #[test]
    fn signature_is_kept_verbatim() {
        let c = parse("Endpoint=sb://a.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=k").unwrap();
        assert_eq!(
            c.credential,
            SasCredential::Signature(Secret::new("SharedAccessSignature sr=x&sig=y&se=1&skn=k"))
        );
    }

    #[test]
    fn exact_error_texts() {
        assert!(err("Endpoint=sb://a/;garbage").ends_with(
            "failed parsing connection string due to unmatched key value separated by '='"
        ));
        assert!(err("SharedAccessKeyName=k;SharedAccessKey=v")
            .ends_with("key \"Endpoint\" must not be empty"));
        assert!(
            err("Endpoint=sb://a.servicebus.windows.net/;SharedAccessKey=v")
                .ends_with("key \"SharedAccessKeyName\" must not be empty")
        );
        assert!(
            err("Endpoint=sb://a.servicebus.windows.net/;SharedAccessKeyName=k").ends_with(
                "key \"SharedAccessKey\" or \"SharedAccessSignature\" cannot both be empty"
            )
        );
        // Keys are not trimmed: " Endpoint" is an unknown key.
        assert!(
            err(" Endpoint=sb://a/;SharedAccessKeyName=k;SharedAccessKey=v")
                .ends_with("key \"Endpoint\" must not be empty")
        );
        assert!(
            err("Endpoint=a.servicebus.windows.net;SharedAccessKeyName=k;SharedAccessKey=v")
                .contains("must be a URL")
        );
    }

    #[test]
    fn errors_never_echo_the_key() {
        let e = err("Endpoint=sb://a/;SharedAccessKey=supersecretvalue;oops");
        assert!(!e.contains("supersecretvalue"));
    }
}
