//! Entra ID's token endpoint for the client-credentials grant with a federated assertion.

use std::time::Instant;

use crate::server::{form, Answer};
use crate::state::IssuedToken;
use crate::Shared;

const JSON: &str = "application/json; charset=utf-8";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
/// Scope -> audience of the token issued for it.
const SCOPES: &[(&str, &str)] = &[
    (
        "https://servicebus.azure.net//.default",
        SERVICE_BUS_AUDIENCE,
    ),
    (
        "https://servicebus.azure.net/.default",
        SERVICE_BUS_AUDIENCE,
    ),
    (
        "https://storage.azure.com/.default",
        crate::storage::AUDIENCE,
    ),
];
pub const SERVICE_BUS_AUDIENCE: &str = "https://servicebus.azure.net";

/// Entra's error shape: `error`, `error_description` starting with the AADSTS code and ending
/// with trace ids, `error_codes`.
fn error(status: u16, error: &str, code: u32, message: &str) -> Answer {
    let body = serde_json::json!({
        "error": error,
        "error_description": format!(
            "AADSTS{code}: {message} Trace ID: 00000000-0000-0000-0000-000000000001 Correlation ID: 00000000-0000-0000-0000-000000000002 Timestamp: 2026-01-01 00:00:00Z"
        ),
        "error_codes": [code],
        "timestamp": "2026-01-01 00:00:00Z",
        "trace_id": "00000000-0000-0000-0000-000000000001",
        "correlation_id": "00000000-0000-0000-0000-000000000002",
        "error_uri": format!("https://login.microsoftonline.com/error?code={code}"),
    });
    Answer::new(status, JSON, body.to_string())
}

pub fn server_error(status: u16) -> Answer {
    error(
        status,
        "temporarily_unavailable",
        90033,
        "A transient error has occurred. Please try again.",
    )
}

/// `POST /{tenant}/oauth2/v2.0/token`.
pub fn token(shared: &Shared, path: &str, body: &[u8]) -> Answer {
    let tenant = path
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("")
        .to_owned();
    let fields = form(&String::from_utf8_lossy(body));
    let field = |name: &str| fields.get(name).map(String::as_str).unwrap_or("");
    if field("grant_type") != "client_credentials" {
        return error(
            400,
            "unsupported_grant_type",
            70003,
            "The app requested an unsupported grant type.",
        );
    }
    let secret = field("client_secret").to_owned();
    if secret.is_empty() && field("client_assertion_type") != ASSERTION_TYPE {
        return error(
            400,
            "invalid_request",
            50027,
            "The client_assertion_type is missing or not jwt-bearer.",
        );
    }
    let audience = SCOPES
        .iter()
        .find(|(scope, _)| *scope == field("scope"))
        .map(|(_, audience)| (*audience).to_owned())
        .or_else(|| crate::arm::audience_for(field("scope"), shared.port));
    let Some(audience) = audience else {
        return error(
            400,
            "invalid_scope",
            70011,
            &format!(
                "The provided value for scope {} is not valid.",
                field("scope")
            ),
        );
    };
    let client_id = field("client_id").to_owned();
    let assertion = field("client_assertion").to_owned();
    let mut state = shared.state();
    if !state.clients.contains(&(tenant.clone(), client_id.clone())) {
        return error(
            400,
            "unauthorized_client",
            700016,
            &format!(
                "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            ),
        );
    }
    if !secret.is_empty() {
        if state
            .client_secrets
            .get(&(tenant.clone(), client_id.clone()))
            != Some(&secret)
        {
            return error(
                401,
                "invalid_client",
                7000215,
                &format!("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."),
            );
        }
    } else if assertion.is_empty()
        || state
            .federated_token
            .as_ref()
            .is_some_and(|e| *e != assertion)
    {
        return error(
            400,
            "invalid_client",
            70021,
            "No matching federated identity record found for presented assertion.",
        );
    }
    let lifetime = state.token_lifetime;
    let access_token = format!("standin-at-{}", state.fresh("access-token"));
    state.tokens.insert(
        access_token.clone(),
        IssuedToken {
            expires_at: Instant::now() + lifetime,
            audience,
            client_id: client_id.clone(),
        },
    );
    let body = serde_json::json!({
        "token_type": "Bearer",
        "expires_in": lifetime.as_secs(),
        "ext_expires_in": lifetime.as_secs(),
        "access_token": access_token,
    });
    Answer::new(200, JSON, body.to_string())
}

impl crate::AzureStandin {
    /// Registers a service principal that authenticates with a client secret (the
    /// client-credentials grant with `client_secret`).
    pub fn add_client_secret(&self, tenant: &str, client_id: &str, secret: &str) {
        self.add_client(tenant, client_id);
        self.shared
            .state()
            .client_secrets
            .insert((tenant.to_owned(), client_id.to_owned()), secret.to_owned());
    }
}
