//! Which Service Bus hosts may receive a credential. A trigger's namespace, `endpointSuffix`
//! and connection-string `Endpoint` all come from tenants; without this check any of them could
//! point the host's Entra access token or a SAS signature at a server of their choosing.

use scalecore::scalers::azure_ad::{self, AzureCloud};

use crate::error::ScalerError;

/// A suffix that names no port allows only HTTPS's own.
const DEFAULT_PORT: u16 = 443;

/// The parsed `allowed_endpoint_suffixes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Lower-case DNS suffix without leading or trailing dot, and the one port it allows.
    suffixes: Vec<(String, u16)>,
}

/// A suffix that cannot be used (empty, not a DNS name, bad port).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("allowed endpoint suffix {suffix:?}: {reason}")]
pub struct InvalidSuffix {
    pub suffix: String,
    pub reason: &'static str,
}

fn parse_suffix(text: &str) -> Result<(String, u16), InvalidSuffix> {
    let invalid = |reason| InvalidSuffix {
        suffix: text.to_owned(),
        reason,
    };
    let trimmed = text.trim();
    let (domain, port) = match trimmed.rsplit_once(':') {
        Some((domain, port)) => (
            domain,
            port.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))?,
        ),
        None => (trimmed, DEFAULT_PORT),
    };
    let domain = domain.trim_start_matches('.').trim_end_matches('.');
    if domain.is_empty() {
        // An empty suffix would allow every host.
        return Err(invalid("empty"));
    }
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    });
    if !labels_ok || domain.len() > 253 {
        return Err(invalid("not a DNS name (letters, digits, '-' and '.')"));
    }
    Ok((domain.to_ascii_lowercase(), port))
}

impl EndpointPolicy {
    pub fn new<S: AsRef<str>>(suffixes: &[S]) -> Result<EndpointPolicy, InvalidSuffix> {
        let suffixes = suffixes
            .iter()
            .map(|s| parse_suffix(s.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EndpointPolicy { suffixes })
    }

    /// Whether `url` is HTTPS to a DNS name strictly under an allowed suffix, on its port.
    pub fn allows(&self, url: &reqwest::Url) -> bool {
        self.allows_host(url, false)
    }

    /// `check`, except that `url` on the endpoint `endpoint` gives for a cloud the core knows
    /// (public, US Government, China) passes: those come from the core's cloud table, not from
    /// a tenant. Endpoints a tenant sets (`cloud: Private`, a cluster or organization URL) must
    /// be under an allowed suffix.
    pub fn check_cloud_or_allowed(
        &self,
        url: &reqwest::Url,
        endpoint: impl Fn(&AzureCloud) -> &'static str,
    ) -> Result<(), ScalerError> {
        let named = [
            "AzurePublicCloud",
            "AzureUSGovernmentCloud",
            "AzureChinaCloud",
        ]
        .into_iter()
        .filter_map(azure_ad::named_cloud)
        .filter_map(|c| reqwest::Url::parse(endpoint(&c)).ok())
        .any(|e| e.scheme() == url.scheme() && e.host() == url.host() && e.port() == url.port());
        if named {
            return Ok(());
        }
        self.check(url)
    }

    /// `check`, also allowing a host equal to a suffix: services reached at one host for
    /// every tenant (Azure DevOps' `dev.azure.com/<organization>`).
    pub fn check_at_or_under(&self, url: &reqwest::Url) -> Result<(), ScalerError> {
        if self.allows_host(url, true) {
            return Ok(());
        }
        self.check(url)
    }

    fn allows_host(&self, url: &reqwest::Url, suffix_itself: bool) -> bool {
        if url.scheme() != "https" {
            return false;
        }
        // IP literals are never under a DNS suffix.
        let Some(domain) = url.domain() else {
            return false;
        };
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(DEFAULT_PORT);
        self.suffixes.iter().any(|(suffix, allowed_port)| {
            port == *allowed_port
                && domain.strip_suffix(suffix.as_str()).is_some_and(|rest| {
                    (rest.len() > 1 && rest.ends_with('.')) || (suffix_itself && rest.is_empty())
                })
        })
    }

    /// `Ok` when `url` may receive a credential; the error names the host, never a secret.
    pub fn check(&self, url: &reqwest::Url) -> Result<(), ScalerError> {
        if self.allows(url) {
            return Ok(());
        }
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => String::new(),
        };
        Err(ScalerError::EndpointNotAllowed {
            host,
            allowed: self.describe(),
        })
    }

    fn describe(&self) -> String {
        let list: Vec<String> = self
            .suffixes
            .iter()
            .map(|(s, p)| {
                if *p == DEFAULT_PORT {
                    s.clone()
                } else {
                    format!("{s}:{p}")
                }
            })
            .collect();
        if list.is_empty() {
            "none".to_owned()
        } else {
            list.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn label_boundary_case_and_port() {
        let p = EndpointPolicy::new(&["servicebus.windows.net", "sb.localhost:8443"]).unwrap();
        assert!(p.allows(&url("https://orders.servicebus.windows.net/q")));
        assert!(p.allows(&url("https://ORDERS.ServiceBus.Windows.NET./q")));
        assert!(p.allows(&url("https://orders.servicebus.windows.net:443/q")));
        assert!(p.allows(&url("https://a.sb.localhost:8443/q")));
        // Not at a label boundary, the suffix itself, another port, plain HTTP, an IP.
        assert!(!p.allows(&url("https://evilservicebus.windows.net/q")));
        assert!(!p.allows(&url("https://servicebus.windows.net/q")));
        assert!(!p.allows(&url("https://servicebus.windows.net.evil.example/q")));
        assert!(!p.allows(&url("https://orders.servicebus.windows.net:8443/q")));
        assert!(!p.allows(&url("https://a.sb.localhost/q")));
        assert!(!p.allows(&url("https://a.sb.localhost:9443/q")));
        assert!(!p.allows(&url("http://orders.servicebus.windows.net/q")));
        assert!(!p.allows(&url("https://127.0.0.1:8443/q")));
    }

    #[test]
    fn a_cloud_table_endpoint_needs_no_suffix_a_tenant_set_one_does() {
        let p = EndpointPolicy::new(&["contoso.example"]).unwrap();
        let arm = |u: &str| p.check_cloud_or_allowed(&url(u), |c| c.metrics_endpoint);
        for known in [
            "https://management.azure.com/subscriptions/s/metrics",
            "https://management.usgovcloudapi.net/x",
            "https://management.chinacloudapi.cn/x",
        ] {
            assert!(arm(known).is_ok(), "{known}");
        }
        assert!(arm("https://arm.contoso.example/x").is_ok());
        for refused in [
            "https://management.azure.com:8443/x",
            "http://management.azure.com/x",
            "https://management.azure.com.evil.example/x",
            "https://arm.attacker.example/x",
        ] {
            assert!(arm(refused).is_err(), "{refused}");
        }
        // Another service's cloud endpoint is not this one's.
        assert!(p
            .check_cloud_or_allowed(&url("https://management.azure.com/x"), |c| c.logs_endpoint)
            .is_err());
    }

    #[test]
    fn the_suffix_itself_only_when_asked() {
        let p = EndpointPolicy::new(&["dev.azure.com"]).unwrap();
        let org = url("https://dev.azure.com/contoso");
        assert!(p.check(&org).is_err());
        assert!(p.check_at_or_under(&org).is_ok());
        assert!(p
            .check_at_or_under(&url("https://x.dev.azure.com/contoso"))
            .is_ok());
        for refused in [
            "https://evildev.azure.com/contoso",
            "https://dev.azure.com.evil.example/contoso",
            "https://dev.azure.com:8443/contoso",
            "http://dev.azure.com/contoso",
        ] {
            assert!(p.check_at_or_under(&url(refused)).is_err(), "{refused}");
        }
    }

    #[test]
    fn refuses_suffixes_that_would_allow_too_much() {
        assert!(EndpointPolicy::new(&[""]).is_err());
        assert!(EndpointPolicy::new(&["."]).is_err());
        assert!(EndpointPolicy::new(&["a..b"]).is_err());
        assert!(EndpointPolicy::new(&["a.b:0"]).is_err());
        assert!(EndpointPolicy::new(&["a.b:x"]).is_err());
        assert!(EndpointPolicy::new(&["a/b"]).is_err());
        let leading_dot = EndpointPolicy::new(&[".servicebus.windows.net"]).unwrap();
        assert!(leading_dot.allows(&url("https://x.servicebus.windows.net/")));
    }

    #[test]
    fn refusal_names_host_and_suffixes() {
        let p = EndpointPolicy::new(&["servicebus.windows.net"]).unwrap();
        let e = p.check(&url("https://x.evil.example:8443/q")).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("x.evil.example:8443"), "{text}");
        assert!(text.contains("servicebus.windows.net"), "{text}");
    }
}
