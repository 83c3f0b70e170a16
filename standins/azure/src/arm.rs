//! Azure Resource Manager at `management.localhost:<port>`, read-only, for what
//! `scalecore doctor --azure` reads: user-assigned managed identities (List By Subscription,
//! Get) and their federated identity credentials (List), api-version 2023-01-31, with a
//! bearer token Entra issued for the scope `https://management.localhost:<port>/.default`.

use std::time::Instant;

use serde_json::{json, Value};

use crate::server::{percent_decode, Answer};
use crate::{AzureStandin, Shared};

const JSON: &str = "application/json; charset=utf-8";
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

pub fn host(port: u16) -> String {
    format!("management.localhost:{port}")
}

pub fn is_arm_host(host: &str, port: u16) -> bool {
    host.eq_ignore_ascii_case(&self::host(port))
}

/// The audience of tokens Entra issues for the stand-in's Resource Manager scope.
pub fn audience_for(scope: &str, port: u16) -> Option<String> {
    let audience = format!("https://{}/", host(port));
    (scope == format!("{audience}.default")).then_some(audience)
}

/// Resource Manager's error shape.
fn error(status: u16, code: &str, message: &str) -> Answer {
    Answer::new(
        status,
        JSON,
        json!({"error": {"code": code, "message": message}}).to_string(),
    )
}

pub fn get(shared: &Shared, path: &str, query: &str, authorization: &str) -> Answer {
    let state = shared.state();
    let audience = format!("https://{}/", host(shared.port));
    let Some(token) = authorization.strip_prefix("Bearer ") else {
        return error(
            401,
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
        );
    };
    match state.tokens.get(token) {
        Some(t) if t.audience != audience => {
            return error(
                401,
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained for wrong audience or resource.",
            )
        }
        Some(t) if Instant::now() < t.expires_at => {}
        Some(_) => {
            return error(
                401,
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time is earlier than current UTC time.",
            )
        }
        None => {
            return error(
                401,
                "InvalidAuthenticationToken",
                "The access token is invalid.",
            )
        }
    }
    let version = query
        .split('&')
        .find_map(|p| p.strip_prefix("api-version="))
        .map(percent_decode);
    match version.as_deref() {
        None => {
            return error(
                400,
                "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.",
            )
        }
        Some(API_VERSION) => {}
        Some(other) => {
            return error(
                400,
                "InvalidApiVersionParameter",
                &format!(
                "The api-version '{other}' is invalid. The supported versions are '{API_VERSION}'."
            ),
            )
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
    /// `https://management.localhost:<port>/`: the Resource Manager endpoint.
    pub fn arm_endpoint(&self) -> String {
        format!("https://{}/", host(self.shared.port))
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

    /// The requests Resource Manager received.
    pub fn arm_requests(&self) -> Vec<crate::RequestRecord> {
        let host = host(self.shared.port);
        self.requests()
            .into_iter()
            .filter(|r| r.host.eq_ignore_ascii_case(&host))
            .collect()
    }
}
