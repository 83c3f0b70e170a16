//! `--azure`: the federated identity credentials of each identity KEDA presents, read from
//! Azure Resource Manager, against the KEDA operator's service account.

use scalecore_azure::arm::{
    Arm, ArmError, FederatedCredential, ManagedIdentity, TOKEN_EXCHANGE_AUDIENCE,
};

use super::checks::{finding, Finding, Snapshot};
use super::rules;

pub struct Lookup<'a> {
    pub arm: &'a Arm,
    pub identity_resource_ids: &'a [String],
    pub subscription: Option<&'a str>,
    pub oidc_issuer: Option<&'a str>,
}

pub async fn check(snap: &Snapshot, lookup: &Lookup<'_>) -> Result<Vec<Finding>, ArmError> {
    let presented = snap.presented();
    if presented.is_empty() {
        return Ok(Vec::new());
    }
    let mut known: Vec<ManagedIdentity> = Vec::new();
    for id in lookup.identity_resource_ids {
        known.push(lookup.arm.identity(id).await?);
    }
    if let Some(sub) = lookup.subscription {
        known.extend(lookup.arm.identities(sub).await?);
    }
    let subject = snap.subject();
    let mut out = Vec::new();
    for p in presented {
        let Some(identity) = known
            .iter()
            .find(|i| i.client_id.eq_ignore_ascii_case(&p.client_id))
        else {
            out.push(finding(
                &rules::IDENTITY_NOT_FOUND,
                p.object.clone(),
                "",
                format!(
                    "no user-assigned identity with client id {} {}",
                    p.client_id,
                    match lookup.subscription {
                        Some(s) => format!("in subscription {s}"),
                        None => "among the --identity-resource-id given".to_owned(),
                    }
                ),
            ));
            continue;
        };
        let credentials = lookup.arm.federated_credentials(&identity.id).await?;
        check_credentials(
            identity,
            &credentials,
            &subject,
            lookup.oidc_issuer,
            &mut out,
        );
    }
    Ok(out)
}

fn check_credentials(
    identity: &ManagedIdentity,
    credentials: &[FederatedCredential],
    subject: &str,
    issuer: Option<&str>,
    out: &mut Vec<Finding>,
) {
    let object = identity.id.clone();
    let matching: Vec<&FederatedCredential> = credentials
        .iter()
        .filter(|c| c.subject == subject)
        .collect();
    if matching.is_empty() {
        let others = if credentials.is_empty() {
            "it has none".to_owned()
        } else {
            format!(
                "its credentials name {}",
                credentials
                    .iter()
                    .map(|c| format!("{} ({})", c.subject, c.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.push(finding(
            &rules::FEDERATED_CREDENTIAL_MISSING,
            object,
            "federatedIdentityCredentials",
            format!(
                "identity '{}' (client id {}) has no federated credential for subject {subject}; {others}",
                identity.name, identity.client_id
            ),
        ));
        return;
    }
    // One credential that fits is enough: Entra tries each.
    let fits = |c: &&FederatedCredential| {
        issuer.is_none_or(|i| c.issuer == i)
            && c.audiences.iter().any(|a| a == TOKEN_EXCHANGE_AUDIENCE)
    };
    if matching.iter().any(fits) {
        return;
    }
    for c in matching {
        let path = format!("federatedIdentityCredentials/{}", c.name);
        if let Some(i) = issuer.filter(|i| c.issuer != *i) {
            out.push(finding(
                &rules::FEDERATED_CREDENTIAL_ISSUER,
                object.clone(),
                &format!("{path}.issuer"),
                format!(
                    "federated credential '{}' of identity '{}' names issuer {}, not the cluster's {i}",
                    c.name, identity.name, c.issuer
                ),
            ));
        }
        if !c.audiences.iter().any(|a| a == TOKEN_EXCHANGE_AUDIENCE) {
            out.push(finding(
                &rules::FEDERATED_CREDENTIAL_AUDIENCE,
                object.clone(),
                &format!("{path}.audiences"),
                format!(
                    "federated credential '{}' of identity '{}' accepts the audiences [{}], not {TOKEN_EXCHANGE_AUDIENCE}",
                    c.name,
                    identity.name,
                    c.audiences.join(", ")
                ),
            ));
        }
    }
}
