//! TriggerAuthentication / ClusterTriggerAuthentication webhook rules (`validateSpec`): pod
//! identity consistency and the oauth2 block.

use super::{parent_span, rule, str_field, v, walker_rule};
use crate::diagnostic::Severity;
use crate::document::{Kind, Node};
use crate::rules::{Ctx, Report, Rule};

pub static IDENTITY_ID_EMPTY: Rule = rule(
    "KEDA1031",
    "identity-id-empty",
    Severity::Error,
    "podIdentity.identityId is set to an empty string",
    "remove identityId to use the default identity, or give the client id",
    v(12, 0),
    None,
    check_pod_identity,
);

pub static AUTHORITY_HOST_WITHOUT_TENANT: Rule = walker_rule(
    "KEDA1032",
    "authority-host-without-tenant-id",
    "podIdentity.identityAuthorityHost is set but identityTenantId is missing or empty",
    "set identityTenantId together with identityAuthorityHost",
    v(14, 0),
);

pub static TENANT_ID_EMPTY: Rule = walker_rule(
    "KEDA1033",
    "identity-tenant-id-empty",
    "podIdentity.identityTenantId is set to an empty string",
    "remove identityTenantId or give the tenant id",
    v(14, 0),
);

pub static ROLE_ARN_WITH_WORKLOAD_OWNER: Rule = walker_rule(
    "KEDA1034",
    "role-arn-with-workload-identity-owner",
    "podIdentity.roleArn is set while identityOwner is workload",
    "remove roleArn (the workload's service account role is used) or set identityOwner: keda",
    v(13, 0),
);

pub static EXTERNAL_ID_WITHOUT_ROLE_ARN: Rule = walker_rule(
    "KEDA1035",
    "external-id-requires-role-arn",
    "podIdentity.externalID is set without roleArn",
    "set roleArn, the role the external ID is presented to",
    v(20, 0),
);

pub static OAUTH2_INCOMPLETE: Rule = rule(
    "KEDA1036",
    "oauth2-incomplete",
    Severity::Error,
    "oauth2 is configured without clientId or tokenUrl (or with a type other than clientCredentials)",
    "set oauth2.clientId and oauth2.tokenUrl",
    v(20, 0),
    None,
    check_oauth2,
);

pub static OAUTH2_TOKEN_URL_INVALID: Rule = walker_rule(
    "KEDA1037",
    "oauth2-token-url-invalid",
    "oauth2.tokenUrl is not a valid http or https URL",
    "use an absolute http:// or https:// URL with a host",
    v(20, 0),
);

fn auth_spec<'a>(ctx: &Ctx<'a>) -> Option<&'a Node> {
    matches!(
        ctx.resource.kind,
        Kind::TriggerAuthentication | Kind::ClusterTriggerAuthentication
    )
    .then(|| ctx.resource.spec())
    .flatten()
}

/// A pointer field of Go: `Some` when given as a string (even empty), `None` when absent/null.
fn opt_str<'a>(parent: &'a Node, key: &str) -> Option<(&'a str, &'a Node)> {
    let node = parent.get(key)?;
    node.as_str().map(|s| (s, node))
}

/// Providers whose pod identity rules exist; any other provider makes the webhook accept the
/// spec at once, without looking at oauth2 (a quirk KEDA has).
fn is_azure_workload(ctx: &Ctx<'_>, provider: &str) -> bool {
    provider == "azure-workload" || (provider == "azure" && ctx.version() < v(15, 0))
}

fn check_pod_identity(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = auth_spec(ctx) else {
        return;
    };
    let Some(pi) = spec.get("podIdentity").filter(|p| p.as_mapping().is_some()) else {
        return;
    };
    let provider = str_field(pi, "provider");
    let r = ctx.resource;
    if is_azure_workload(ctx, provider) {
        if let Some(("", node)) = opt_str(pi, "identityId") {
            report.emit(
                &IDENTITY_ID_EMPTY,
                r,
                node.span,
                "spec.podIdentity.identityId",
                "identityId of podIdentity must not be empty; if it is set, it has to be different from \"\"",
            );
        }
        let host = opt_str(pi, "identityAuthorityHost").map_or("", |(s, _)| s);
        let tenant = opt_str(pi, "identityTenantId");
        if !host.is_empty() {
            if tenant.is_none_or(|(t, _)| t.is_empty()) {
                let span = tenant.map_or_else(
                    || parent_span(r, &["spec", "podIdentity", "identityAuthorityHost"]),
                    |(_, n)| n.span,
                );
                report.emit(
                    &AUTHORITY_HOST_WITHOUT_TENANT,
                    r,
                    span,
                    "spec.podIdentity.identityTenantId",
                    format!(
                        "identityTenantId of podIdentity must be set and not empty when identityAuthorityHost ({host:?}) is set"
                    ),
                );
            }
        } else if let Some(("", node)) = tenant {
            report.emit(
                &TENANT_ID_EMPTY,
                r,
                node.span,
                "spec.podIdentity.identityTenantId",
                "identityTenantId of podIdentity must not be empty; if it is set, it has to be different from \"\"",
            );
        }
    } else if provider == "aws" {
        let role = opt_str(pi, "roleArn").map_or("", |(s, _)| s);
        if !role.is_empty() && str_field(pi, "identityOwner") == "workload" {
            let span = pi.get("roleArn").map_or(pi.span, |n| n.span);
            report.emit(
                &ROLE_ARN_WITH_WORKLOAD_OWNER,
                r,
                span,
                "spec.podIdentity.roleArn",
                "roleArn of podIdentity can't be set when identityOwner is workload (KEDA isn't the identity owner)",
            );
        }
        if let Some((ext, node)) = opt_str(pi, "externalID") {
            if !ext.is_empty() && role.is_empty() {
                report.emit(
                    &EXTERNAL_ID_WITHOUT_ROLE_ARN,
                    r,
                    node.span,
                    "spec.podIdentity.externalID",
                    "externalID of podIdentity requires roleArn to be set",
                );
            }
        }
    }
}

fn check_oauth2(ctx: &Ctx<'_>, report: &mut Report<'_>) {
    let Some(spec) = auth_spec(ctx) else {
        return;
    };
    if let Some(pi) = spec.get("podIdentity").filter(|p| p.as_mapping().is_some()) {
        let provider = str_field(pi, "provider");
        if !is_azure_workload(ctx, provider) && provider != "aws" {
            return;
        }
    }
    let Some(oauth2) = spec.get("oauth2").filter(|o| o.as_mapping().is_some()) else {
        return;
    };
    let r = ctx.resource;
    let whole = parent_span(r, &["spec", "oauth2"]);
    // The CRD defaults type to clientCredentials and allows nothing else.
    if let Some(node) = oauth2.get("type").filter(|n| !n.is_null()) {
        let ty = node.as_str().unwrap_or("");
        if ty != "clientCredentials" {
            report.emit(
                &OAUTH2_INCOMPLETE,
                r,
                node.span,
                "spec.oauth2.type",
                format!("oauth2.type must be 'clientCredentials', got {ty:?}"),
            );
        }
    }
    for (key, what) in [("clientId", "clientId"), ("tokenUrl", "tokenUrl")] {
        if str_field(oauth2, key).is_empty() {
            let span = oauth2.get(key).map_or(whole, |n| n.span);
            report.emit(
                &OAUTH2_INCOMPLETE,
                r,
                span,
                format!("spec.oauth2.{key}"),
                format!("oauth2.{what} is required when oauth2 is configured"),
            );
        }
    }
    let url = str_field(oauth2, "tokenUrl");
    if !url.is_empty() && !is_http_url(url) {
        let span = oauth2.get("tokenUrl").map_or(whole, |n| n.span);
        report.emit(
            &OAUTH2_TOKEN_URL_INVALID,
            r,
            span,
            "spec.oauth2.tokenUrl",
            // The URL itself is not repeated: it may carry credentials (user:password@host).
            "oauth2.tokenUrl must be a valid http or https URL with a host",
        );
    }
}

/// Go's `url.Parse` followed by KEDA's test: no parse error, scheme http/https (Go lowers
/// the scheme), non-empty host.
pub(crate) fn is_http_url(raw: &str) -> bool {
    if raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    let (rest, fragment) = raw.split_once('#').unwrap_or((raw, ""));
    if !valid_escapes(fragment) {
        return false;
    }
    let Some((scheme, rest)) = rest.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
        return false;
    }
    let rest = rest.split_once('?').map_or(rest, |(p, _)| p);
    let Some(after) = rest.strip_prefix("//") else {
        return false;
    };
    if after.starts_with('/') {
        return false;
    }
    let (authority, path) = match after.find('/') {
        Some(i) => (&after[..i], &after[i..]),
        None => (after, ""),
    };
    if !valid_escapes(path) {
        return false;
    }
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    valid_host(host)
}

fn valid_escapes(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let ok = b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

fn valid_host(host: &str) -> bool {
    if host.is_empty() {
        return false;
    }
    let (name, port) = if let Some(inner) = host.strip_prefix('[') {
        let Some((ip, tail)) = inner.split_once(']') else {
            return false;
        };
        if ip.is_empty() {
            return false;
        }
        if !tail.is_empty() && !tail.starts_with(':') {
            return false;
        }
        (None, tail)
    } else {
        match host.rfind(':') {
            Some(i) => (Some(&host[..i]), &host[i..]),
            None => (Some(host), ""),
        }
    };
    if !port.is_empty() && !port[1..].bytes().all(|c| c.is_ascii_digit()) {
        return false;
    }
    match name {
        // Go's host-mode escaping: these ASCII characters may stand unescaped in a host.
        Some(n) => n.bytes().all(|c| {
            c >= 0x80 || c.is_ascii_alphanumeric() || b"-_.~!$&'()*+,;=:[]<>\"".contains(&c)
        }),
        None => true,
    }
}
