//! The codes only `scalecore doctor` reports: what a live cluster (and Azure) shows about the
//! workload-identity chain that no document shows. They sit in the rule table so that
//! `scalecore rules` and docs/rules.md explain them with every other code; the linter never
//! reports them.

use super::Rule;
use crate::{Severity, Source};

const fn doctor(
    code: &'static str,
    name: &'static str,
    severity: Severity,
    summary: &'static str,
    help: &'static str,
) -> Rule {
    Rule::walker(Source::Reference, code, name, severity, summary, help)
}

pub static OPERATOR_NOT_FOUND: Rule = doctor(
    "KEDA4601",
    "keda-operator-not-found",
    Severity::Error,
    "no Deployment keda-operator in the KEDA namespace: nothing requests the tokens azure-workload TriggerAuthentications need",
    "name KEDA's namespace with --keda-namespace (keda for the Helm chart, kube-system for AKS's KEDA add-on)",
);

pub static OPERATOR_CLIENT_ID_MISSING: Rule = doctor(
    "KEDA4602",
    "keda-operator-client-id-missing",
    Severity::Error,
    "a TriggerAuthentication without identityId relies on the KEDA operator's own client id, and the operator's ServiceAccount names none",
    "set identityId on the TriggerAuthentication, or annotate the KEDA operator's ServiceAccount with azure.workload.identity/client-id: <client id> and restart the operator (kubectl rollout restart deployment/keda-operator -n <KEDA namespace>)",
);

pub static OPERATOR_POD_NOT_LABELLED: Rule = doctor(
    "KEDA4603",
    "keda-operator-pod-not-labelled",
    Severity::Error,
    "the KEDA operator's pod lacks the label azure.workload.identity/use: \"true\": the workload-identity webhook projects no token into it",
    "label the operator's pod template (Helm: podIdentity.azureWorkload.enabled=true) and let the Deployment roll out new pods",
);

pub static OPERATOR_IDENTITY_NOT_INJECTED: Rule = doctor(
    "KEDA4604",
    "keda-operator-identity-not-injected",
    Severity::Error,
    "the KEDA operator's pod lacks what the workload-identity webhook injects (AZURE_* variables, the projected token volume): token requests fail",
    "check the azure-workload-identity webhook runs (on AKS: --enable-workload-identity) and restart the operator: the webhook changes pods only when they are created",
);

pub static OPERATOR_POD_STALE: Rule = doctor(
    "KEDA4605",
    "keda-operator-pod-predates-service-account",
    Severity::Warning,
    "the KEDA operator's pod was created before its ServiceAccount's last change: it still runs with the old client id (or none)",
    "restart the operator so the webhook injects the current settings: kubectl rollout restart deployment/keda-operator -n <KEDA namespace>",
);

pub static IDENTITY_NOT_OPERATORS: Rule = doctor(
    "KEDA4606",
    "identity-id-is-not-operators",
    Severity::Info,
    "identityId differs from the KEDA operator's client id: KEDA sends the operator's service-account token with identityId, so that identity needs its own federated credential",
    "add a federated credential for subject system:serviceaccount:<KEDA namespace>:keda-operator (issuer: the cluster's OIDC issuer, audience api://AzureADTokenExchange) to the identity identityId names; check it with scalecore doctor --azure",
);

pub static OPERATOR_NO_POD: Rule = doctor(
    "KEDA4607",
    "keda-operator-no-pod",
    Severity::Error,
    "the KEDA operator's Deployment has no pod",
    "see kubectl describe deployment/keda-operator -n <KEDA namespace> for why no pod runs",
);

pub static FEDERATED_CREDENTIAL_MISSING: Rule = doctor(
    "KEDA4611",
    "federated-credential-missing",
    Severity::Error,
    "the identity KEDA presents has no federated credential for the KEDA operator's service account: Entra ID refuses the token with AADSTS70021",
    "az identity federated-credential create --identity-name <identity> --resource-group <group> --name keda-operator --issuer <cluster OIDC issuer> --subject system:serviceaccount:<KEDA namespace>:keda-operator --audience api://AzureADTokenExchange",
);

pub static FEDERATED_CREDENTIAL_ISSUER: Rule = doctor(
    "KEDA4612",
    "federated-credential-issuer-mismatch",
    Severity::Error,
    "the federated credential for the KEDA operator's service account names another issuer than the cluster's OIDC issuer (Entra compares them exactly, trailing slash included): AADSTS70021",
    "set the credential's issuer to the cluster's OIDC issuer (az aks show --query oidcIssuerProfile.issuerUrl)",
);

pub static FEDERATED_CREDENTIAL_AUDIENCE: Rule = doctor(
    "KEDA4613",
    "federated-credential-audience-mismatch",
    Severity::Error,
    "the federated credential for the KEDA operator's service account does not accept the audience api://AzureADTokenExchange that the projected token carries: AADSTS70021",
    "set the credential's audiences to [\"api://AzureADTokenExchange\"]",
);

pub static IDENTITY_NOT_FOUND: Rule = doctor(
    "KEDA4614",
    "managed-identity-not-found",
    Severity::Error,
    "no user-assigned managed identity with the client id KEDA presents was found: Entra ID answers AADSTS700016",
    "check the client id (identityId, or the operator ServiceAccount's azure.workload.identity/client-id), or name the identity with --identity-resource-id / the right --subscription",
);

/// Every doctor-only rule, in code order.
pub static RULES: &[&Rule] = &[
    &OPERATOR_NOT_FOUND,
    &OPERATOR_CLIENT_ID_MISSING,
    &OPERATOR_POD_NOT_LABELLED,
    &OPERATOR_IDENTITY_NOT_INJECTED,
    &OPERATOR_POD_STALE,
    &IDENTITY_NOT_OPERATORS,
    &OPERATOR_NO_POD,
    &FEDERATED_CREDENTIAL_MISSING,
    &FEDERATED_CREDENTIAL_ISSUER,
    &FEDERATED_CREDENTIAL_AUDIENCE,
    &IDENTITY_NOT_FOUND,
];
