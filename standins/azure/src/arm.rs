//! Azure Resource Manager at `management.localhost:<port>`, read-only: Azure Monitor's
//! Metrics - List (`crate::monitor`), user-assigned managed identities (List By Subscription,
//! Get) and their federated identity credentials (List, api-version 2023-01-31), with a bearer
//! token Entra issued for the audience `https://management.localhost:<port>`.

use std::time::Instant;

use serde_json::{json, Value};

use crate::server::{percent_decode, Answer};
use crate::state::State;
use crate::{AzureStandin, RequestRecord, Shared};

const JSON: &str = "application/json; charset=utf-8";
/// The host name Resource Manager answers on (any port: the stand-in's).
pub const HOST: &str = "management.localhost";
const API_VERSION: &str = "2023-01-31";
const PROVIDER: &str = "providers/Microsoft.ManagedIdentity/userAssignedIdentities";

/// A user-assigned identity and its federated credentials.
pub struct Identity {
    pub subscription: String,
    pub resource_group: String,
    pub name: String,
    pub tenant_id: String,
    pub client_id: String,
    /// (name, issuer, subject, audiences)
    pub credentials: Vec<(String, String, String, Vec<String>)>,
}

impl Identity {
    fn id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{}/{PROVIDER}/{}",
            self.subscription, self.resource_group, self.name
        )
    }

    fn json(&self) -> Value {
        json!({
            "id": self.id(),
            "name": self.name,
            "location": "westeurope",
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "properties": {
                "tenantId": self.tenant_id,
                "principalId": format!("principal-{}", self.client_id),
                "clientId": self.client_id,
            },
        })
    }
}

pub fn is_arm(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name.eq_ignore_ascii_case(HOST)
}

/// Resource Manager's error shape.
pub fn error(status: u16, code: &str, message: &str) -> Answer {
    let body = json!({"error": {"code": code, "message": message}});
    let mut a = Answer::new(status, JSON, body.to_string());
    a.headers.push((
        "x-ms-request-id",
        "00000000-0004-0000-0000-000000000001".to_owned(),
    ));
    a
}

/// An injected fault in Resource Manager's words.
pub fn fault(status: u16) -> Answer {
    match status {
        429 => error(
            429,
            "TooManyRequests",
            "The request is being throttled as the limit has been reached for operation type - Read_ObservationWindow_00:05:00.",
        ),
        500 => error(
            500,
            "InternalServerError",
            "Encountered internal server error. Diagnostic information: timestamp '20260101T000000Z'.",
        ),
        503 => error(
            503,
            "ServiceUnavailable",
            "The service is currently unavailable.",
        ),
        401 => error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        ),
        s => error(s, "InjectedFault", "Injected fault"),
    }
}

/// The client a request's bearer token was issued to, or Resource Manager's 401.
fn authenticate(state: &State, port: u16, authorization: &str) -> Result<String, Answer> {
    let audience = format!("https://{HOST}:{port}");
    let Some(token) = authorization.strip_prefix("Bearer ") else {
        return Err(error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        ));
    };
    match state.tokens.get(token) {
        Some(t) if t.audience != audience => Err(error(
            401,
            "InvalidAuthenticationTokenAudience",
            &format!(
                "The access token has been obtained for wrong audience or resource '{}'. It should exactly match with one of the allowed audiences '{audience}/','{audience}'.",
                t.audience
            ),
        )),
        Some(t) if Instant::now() < t.expires_at => Ok(t.client_id.clone()),
        Some(_) => Err(error(
            401,
            "ExpiredAuthenticationToken",
            "The access token expiry UTC time is earlier than current UTC time.",
        )),
        None => Err(error(
            401,
            "InvalidAuthenticationToken",
            "The access token is invalid.",
        )),
    }
}

/// A GET on Resource Manager's host.
pub fn get(shared: &Shared, host: &str, path: &str, query: &str, authorization: &str) -> Answer {
    let state = shared.state();
    let client_id = match authenticate(&state, shared.port, authorization) {
        Ok(c) => c,
        Err(refused) => return refused,
    };
    let lower = path.to_ascii_lowercase();
    if let Some(resource) = lower.strip_suffix("/providers/microsoft.insights/metrics") {
        return crate::monitor::get(&state, &client_id, &percent_decode(resource), query);
    }
    if lower.contains("/providers/microsoft.managedidentity/") {
        return identities(&state, path, query);
    }
    error(
        404,
        "InvalidResourceType",
        &format!("The resource type could not be found in the namespace for host {host}."),
    )
}

/// User-assigned identities and their federated credentials.
fn identities(state: &State, path: &str, query: &str) -> Answer {
    let params = crate::server::form(query);
    match params.get("api-version").map(String::as_str) {
        None => {
            return error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        }
        Some(API_VERSION) => {}
        Some(other) => {
            let message = format!(
                "The api-version '{other}' is invalid. The supported versions are '{API_VERSION}'."
            );
            return error(400, "InvalidApiVersionParameter", &message);
        }
    }
    let path = percent_decode(path);
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let lower: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let identities = &state.arm;
    let find = |sub: &str, rg: &str, name: &str| {
        identities.iter().find(|i| {
            i.subscription.eq_ignore_ascii_case(sub)
                && i.resource_group.eq_ignore_ascii_case(rg)
                && i.name.eq_ignore_ascii_case(name)
        })
    };
    let not_found = |name: &str| {
        error(
            404,
            "ResourceNotFound",
            &format!("The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/{name}' was not found."),
        )
    };
    match (lower.as_slice(), parts.as_slice()) {
        (
            ["subscriptions", _, "providers", "microsoft.managedidentity", "userassignedidentities"],
            [_, sub, ..],
        ) => {
            let value: Vec<Value> = identities
                .iter()
                .filter(|i| i.subscription.eq_ignore_ascii_case(sub))
                .map(Identity::json)
                .collect();
            Answer::new(200, JSON, json!({ "value": value }).to_string())
        }
        (
            ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.managedidentity", "userassignedidentities", _],
            [_, sub, _, rg, _, _, _, name],
        ) => match find(sub, rg, name) {
            Some(i) => Answer::new(200, JSON, i.json().to_string()),
            None => not_found(name),
        },
        (
            ["subscriptions", _, "resourcegroups", _, "providers", "microsoft.managedidentity", "userassignedidentities", _, "federatedidentitycredentials"],
            [_, sub, _, rg, _, _, _, name, _],
        ) => match find(sub, rg, name) {
            Some(i) => {
                let value: Vec<Value> = i
                    .credentials
                    .iter()
                    .map(|(fic, issuer, subject, audiences)| {
                        json!({
                            "id": format!("{}/federatedIdentityCredentials/{fic}", i.id()),
                            "name": fic,
                            "type": "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
                            "properties": {"issuer": issuer, "subject": subject, "audiences": audiences},
                        })
                    })
                    .collect();
                Answer::new(200, JSON, json!({ "value": value }).to_string())
            }
            None => not_found(name),
        },
        _ => error(
            404,
            "InvalidResourceType",
            &format!("The resource type could not be found for path {path}."),
        ),
    }
}

impl AzureStandin {
    /// `https://management.localhost:<port>`: a trigger's `azureResourceManagerEndpoint` with
    /// `cloud: Private`, and `doctor --arm-endpoint`.
    pub fn resource_manager_endpoint(&self) -> String {
        format!("https://{HOST}:{}", self.shared.port)
    }

    /// `localhost:<port>`: the suffix `--allowed-endpoint-suffix` names for Resource Manager.
    pub fn resource_manager_suffix(&self) -> String {
        format!("localhost:{}", self.shared.port)
    }

    /// Creates a user-assigned identity (and registers its client id with Entra); returns its
    /// resource id.
    pub fn add_managed_identity(
        &self,
        subscription: &str,
        resource_group: &str,
        name: &str,
        tenant: &str,
        client_id: &str,
    ) -> String {
        self.add_client(tenant, client_id);
        let identity = Identity {
            subscription: subscription.to_owned(),
            resource_group: resource_group.to_owned(),
            name: name.to_owned(),
            tenant_id: tenant.to_owned(),
            client_id: client_id.to_owned(),
            credentials: Vec::new(),
        };
        let id = identity.id();
        self.shared.state().arm.push(identity);
        id
    }

    /// Adds a federated identity credential to the identity named `name`.
    pub fn add_federated_credential(
        &self,
        name: &str,
        credential: &str,
        issuer: &str,
        subject: &str,
        audiences: &[&str],
    ) {
        let mut state = self.shared.state();
        if let Some(i) = state.arm.iter_mut().find(|i| i.name == name) {
            i.credentials.push((
                credential.to_owned(),
                issuer.to_owned(),
                subject.to_owned(),
                audiences.iter().map(|a| (*a).to_owned()).collect(),
            ));
        }
    }

    /// Requests to Resource Manager only.
    pub fn resource_manager_requests(&self) -> Vec<RequestRecord> {
        self.requests()
            .into_iter()
            .filter(|r| is_arm(&r.host))
            .collect()
    }
}
