//! Entra ID's error answers (`error`, `error_description: "AADSTSnnnn: ..."`, `error_codes`)
//! turned into what to check (spec §2.3).

use crate::error::ScalerError;
use crate::identity::Identity;

/// The error for a refused token request; `transient` when it was a retried 408/429/5xx.
pub fn error(status: u16, body: &[u8], identity: &Identity, transient: bool) -> ScalerError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let description = json
        .get("error_description")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    // Entra appends trace/correlation ids and a timestamp on new lines or after "Trace ID:".
    let description = description
        .split(['\r', '\n'])
        .next()
        .unwrap_or("")
        .split(" Trace ID:")
        .next()
        .unwrap_or("")
        .trim();
    let code = json
        .get("error_codes")
        .and_then(|v| v.as_array())
        .and_then(|a| a.first())
        .and_then(|v| v.as_u64())
        .map(|n| format!("AADSTS{n}"))
        .or_else(|| {
            description
                .split(':')
                .next()
                .filter(|c| c.starts_with("AADSTS"))
                .map(str::to_owned)
        })
        .or_else(|| {
            json.get("error")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| format!("HTTP {status}"));
    let advice = match code.as_str() {
        "AADSTS700016" => format!(
            "client id {} was not found in tenant {}: check identityId / AZURE_CLIENT_ID, identityTenantId / AZURE_TENANT_ID, and the authority host for the cloud; the managed identity may have been deleted",
            identity.client_id, identity.tenant_id
        ),
        "AADSTS70021" => format!(
            "no federated credential on client id {} matches this pod's service account token (issuer, subject system:serviceaccount:<namespace>:<name>, audience api://AzureADTokenExchange): federate the identity with the service account that runs scalecore",
            identity.client_id
        ),
        "AADSTS90061" => "Entra ID could not fetch the cluster's OIDC issuer metadata: check the cluster's OIDC issuer URL is public and the federated credential's issuer (including its trailing /)".to_owned(),
        "AADSTS7000215" => format!(
            "the client secret of client id {} is wrong or expired: check activeDirectoryClientPassword",
            identity.client_id
        ),
        "AADSTS700024" => "the service account token is outside its validity window: the projected token file is stale or the node clock is wrong".to_owned(),
        _ if transient => format!("Entra ID answered {status}; retried without success"),
        _ => format!("Entra ID refused the token request ({status})"),
    };
    let hint = if description.is_empty() {
        advice
    } else {
        format!("{advice} (Entra ID: {description})")
    };
    ScalerError::Token { code, hint }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::identity::WorkloadIdentityEnv;

    #[test]
    fn entra_700016_is_explained() {
        let body = br#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'abc' was not found in the directory 'contoso'. Trace ID: 1 Correlation ID: 2 Timestamp: 2026-01-01 00:00:00Z","error_codes":[700016]}"#;
        let i = Identity::resolve(
            &WorkloadIdentityEnv {
                federated_token_file: Some("/t".into()),
                ..WorkloadIdentityEnv::default()
            },
            Some("abc"),
            Some("contoso"),
            None,
        )
        .unwrap();
        match error(400, body, &i, false) {
            ScalerError::Token { code, hint } => {
                assert_eq!(code, "AADSTS700016");
                assert!(
                    hint.contains("client id abc was not found in tenant contoso"),
                    "{hint}"
                );
                assert!(!hint.contains("Trace ID"), "{hint}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
