//! What a trigger's scaler would read besides its metadata, as far as the bundle shows it:
//! the authentication's parameters and pod identity, and the scale target container's env,
//! resolved by the core's resolver over the bundle.
//! Whatever lives only in the cluster (a TriggerAuthentication, Secret or workload that is
//! not in the bundle, a vault) is marked unknown, so no rule claims it is missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::document::{Bundle, Kind, Node, Resource};
use crate::resolve::{self, AuthSpec, Found, Param, View};

/// A stand-in for a value that exists but cannot be seen. Errors about parameters holding
/// it are dropped.
pub const HIDDEN: &str = "\u{1}hidden";

#[derive(Default)]
pub struct Sources {
    pub auth: BTreeMap<String, String>,
    pub env: BTreeMap<String, String>,
    /// `podIdentity.provider`; `None` when there is no authentication or it sets none.
    pub pod_identity: Option<String>,
    /// The authentication could not be read: any parameter and identity may be set.
    pub auth_open: bool,
    /// Parameters (trigger parameter names) whose values cannot be seen.
    pub hidden: BTreeSet<String>,
}

impl Sources {
    /// Reads what `trigger` of `owner` would get, through the core's resolver over the bundle.
    pub fn resolve(owner: &Resource, trigger: &Node, bundle: &Bundle, default_ns: &str) -> Self {
        let ns = owner.namespace_or(default_ns);
        let (containers, wanted) = pod_containers(owner, bundle, ns);
        let mut s = Sources::default();
        let auth_ref = trigger.get("authenticationRef");
        let name = auth_ref.map(|r| {
            r.get("name")
                .and_then(|n| n.as_str().or_else(|| n.is_null().then_some("")))
        });
        // Not a name the API server would store: nothing can be said about the authentication.
        let unreadable = name == Some(None);
        let name = name.flatten();
        // Any kind but ClusterTriggerAuthentication is looked up as a TriggerAuthentication.
        const CTA: &str = "ClusterTriggerAuthentication";
        let cluster = auth_ref.and_then(|r| r.get("kind")).and_then(Node::text) == Some(CTA);
        let kind = if cluster { CTA } else { "" };
        let view = BundleView { bundle, default_ns };
        let req = resolve::Request {
            namespace: ns,
            auth_ref: name.map(|n| (kind, n)),
            containers: containers.as_deref(),
            env_source_container: wanted,
            // Read from the KEDA namespace, which the bundle does not name.
            cluster_object_namespace: None,
        };
        let r = match resolve::resolve(&view, &req) {
            Ok(r) => r,
            Err(e) => match e {},
        };
        let unseen = |p: &Param| match p {
            Param::Value(v) if v != HIDDEN => Some(v.clone()),
            _ => None,
        };
        s.env = r
            .env
            .iter()
            .map(|(k, v)| (k.clone(), unseen(v).unwrap_or_else(|| HIDDEN.to_owned())))
            .collect();
        if unreadable {
            s.auth_open = true;
            return s;
        }
        s.pod_identity = r.pod_identity.map(|p| p.provider);
        s.auth_open = r.auth_open;
        let gaps: BTreeSet<&str> = r.gaps.iter().map(|g| g.parameter.as_str()).collect();
        for (param, value) in &r.auth_params {
            match unseen(value) {
                // Known to be absent (a Secret's key, a container's variable): left unset.
                Some(_) if gaps.contains(param.as_str()) => {}
                Some(v) => {
                    s.auth.insert(param.clone(), v);
                }
                None => {
                    s.auth.insert(param.clone(), HIDDEN.to_owned());
                    s.hidden.insert(param.clone());
                }
            }
        }

        // `<name>FromEnv` naming a variable the bundle cannot show.
        if let Some(meta) = trigger.get("metadata").and_then(Node::as_mapping) {
            for e in meta {
                let (Some(key), Some(var)) = (e.key_str(), e.value.text()) else {
                    continue;
                };
                let Some(param) = key.strip_suffix("FromEnv") else {
                    continue;
                };
                let hidden = match s.env.get(var) {
                    Some(v) => v == HIDDEN,
                    None => r.env_open,
                };
                if hidden {
                    s.env.insert(var.to_owned(), HIDDEN.to_owned());
                    s.hidden.insert(param.to_owned());
                }
            }
        }
        s
    }
}

/// `data[key]` (base64) or `stringData[key]` of the Secret/ConfigMap `name` in `ns`:
/// `None` when the object is not in the bundle, `Some(None)` when it lacks the key.
fn object_value(
    bundle: &Bundle,
    kind: &Kind,
    ns: &str,
    name: &str,
    key: &str,
    base64: bool,
) -> Option<Option<String>> {
    let obj = bundle
        .named(name)
        .find(|r| &r.kind == kind && r.namespace.as_deref().unwrap_or(ns) == ns)?;
    if let Some(v) = obj.root.at(&["stringData", key]).and_then(Node::text) {
        return Some(Some(v.to_owned()));
    }
    let raw = obj.root.at(&["data", key]).and_then(Node::text);
    Some(match raw {
        None => None,
        // Not base64: the API server would not have stored it; its value is unknown.
        Some(v) if base64 => Some(decode_base64(v)?),
        Some(v) => Some(v.to_owned()),
    })
}

/// Standard base64 (Secret `data`), whitespace ignored; `None` when malformed or not UTF-8.
fn decode_base64(s: &str) -> Option<String> {
    // The API server rejects Secret data that is not padded standard base64.
    let len = s.bytes().filter(|c| !c.is_ascii_whitespace()).count();
    if len % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    String::from_utf8(out).ok()
}

/// The bundle as the resolver's view: an object that is not in it may exist in the cluster.
struct BundleView<'a> {
    bundle: &'a Bundle,
    default_ns: &'a str,
}

fn config_map() -> Kind {
    Kind::Other("ConfigMap".into())
}

impl BundleView<'_> {
    fn auth(&self, kind: Kind, ns: Option<&str>, name: &str) -> Found<AuthSpec> {
        let found = self
            .bundle
            .named(name)
            .find(|r| r.kind == kind && ns.is_none_or(|ns| r.namespace_or(self.default_ns) == ns));
        match found.and_then(Resource::spec) {
            // The host reads the same spec as served, through the same code.
            Some(spec) => Found::Value(resolve::auth_spec(&spec.to_json())),
            None => Found::Unknown,
        }
    }

    fn key(&self, kind: &Kind, ns: &str, name: &str, key: &str) -> Found<Option<String>> {
        match object_value(self.bundle, kind, ns, name, key, *kind == Kind::Secret) {
            Some(v) => Found::Value(v),
            None => Found::Unknown,
        }
    }

    /// `data` (base64 for a Secret; a value that is not becomes [`HIDDEN`]) and `stringData`.
    fn data(&self, kind: &Kind, ns: &str, name: &str) -> Found<BTreeMap<String, String>> {
        let Some(obj) = self
            .bundle
            .named(name)
            .find(|r| &r.kind == kind && r.namespace.as_deref().unwrap_or(ns) == ns)
        else {
            return Found::Unknown;
        };
        let mut values = BTreeMap::new();
        for field in ["data", "stringData"] {
            for e in obj
                .root
                .get(field)
                .and_then(Node::as_mapping)
                .unwrap_or(&[])
            {
                let (Some(k), Some(v)) = (e.key_str(), e.value.text()) else {
                    continue;
                };
                let v = if *kind == Kind::Secret && field == "data" {
                    decode_base64(v).unwrap_or_else(|| HIDDEN.to_owned())
                } else {
                    v.to_owned()
                };
                values.insert(k.to_owned(), v);
            }
        }
        Found::Value(values)
    }
}

impl View for BundleView<'_> {
    type Error = std::convert::Infallible;
    fn trigger_authentication(&self, ns: &str, name: &str) -> Result<Found<AuthSpec>, Self::Error> {
        Ok(self.auth(Kind::TriggerAuthentication, Some(ns), name))
    }
    fn cluster_trigger_authentication(&self, name: &str) -> Result<Found<AuthSpec>, Self::Error> {
        Ok(self.auth(Kind::ClusterTriggerAuthentication, None, name))
    }
    fn secret_key(
        &self,
        ns: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error> {
        Ok(self.key(&Kind::Secret, ns, name, key))
    }
    fn secret_data(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error> {
        Ok(self.data(&Kind::Secret, ns, name))
    }
    fn config_map_key(
        &self,
        ns: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error> {
        Ok(self.key(&config_map(), ns, name, key))
    }
    fn config_map_data(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error> {
        Ok(self.data(&config_map(), ns, name))
    }
}

/// The containers of the pod KEDA reads env from (a ScaledJob's own template, else the
/// Deployment/StatefulSet target when the bundle holds it), and `envSourceContainerName`.
fn pod_containers<'a>(
    owner: &'a Resource,
    bundle: &'a Bundle,
    ns: &str,
) -> (Option<Vec<resolve::Container>>, Option<&'a str>) {
    let spec = owner.spec();
    let (pod_spec, wanted) = match owner.kind {
        Kind::ScaledJob => (
            spec.and_then(|s| s.at(&["jobTargetRef", "template", "spec"])),
            spec.and_then(|s| s.get("envSourceContainerName")),
        ),
        _ => {
            let target = spec.and_then(|s| s.get("scaleTargetRef"));
            let name = target.and_then(|t| t.get("name")).and_then(Node::as_str);
            let kind = target
                .and_then(|t| t.get("kind"))
                .and_then(Node::text)
                .unwrap_or("Deployment");
            let workload = match kind {
                "Deployment" => Some(Kind::Deployment),
                "StatefulSet" => Some(Kind::StatefulSet),
                _ => None,
            };
            let found = workload.zip(name).and_then(|(k, name)| {
                bundle
                    .named(name)
                    .find(|r| r.kind == k && r.namespace.as_deref().unwrap_or(ns) == ns)
            });
            (
                found.and_then(|w| w.root.at(&["spec", "template", "spec"])),
                target.and_then(|t| t.get("envSourceContainerName")),
            )
        }
    };
    let containers = pod_spec.map(|p| {
        let list = p.get("containers").map(Node::to_json);
        resolve::containers(list.as_ref().unwrap_or(&serde_json::Value::Null))
    });
    (containers, wanted.and_then(Node::text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{EnvRef, PodIdentity, TargetRef};
    use crate::validate::{load_bundle, LintOptions};

    /// The linter's reading of a `kind` object named `a` (in namespace `shop` unless
    /// cluster-scoped) with `spec` (YAML, indented under `spec:`), and the host's of `json`,
    /// the same spec as the API server serves it.
    fn both(kind: &str, spec: &str, json: serde_json::Value) -> (AuthSpec, AuthSpec) {
        let cluster = kind == "ClusterTriggerAuthentication";
        let ns = if cluster { "" } else { "  namespace: shop\n" };
        let yaml = format!(
            "apiVersion: keda.sh/v1alpha1\nkind: {kind}\nmetadata:\n  name: a\n{ns}spec:\n{spec}"
        );
        let (bundle, _) = load_bundle(&[&yaml], &LintOptions::default());
        let view = BundleView {
            bundle: &bundle,
            default_ns: "default",
        };
        let found = if cluster {
            view.cluster_trigger_authentication("a")
        } else {
            view.trigger_authentication("shop", "a")
        };
        let Ok(Found::Value(linter)) = found else {
            panic!("not in the bundle: {found:?}")
        };
        let host = resolve::decode_auth_spec(&json).expect("KEDA's schema admits it");
        (linter, host)
    }

    #[test]
    fn linter_and_host_read_a_spec_alike() {
        let yaml = "  podIdentity:
    provider: azure-workload
    identityId: 00000000-0000-0000-0000-00000000000a
    identityTenantId: 00000000-0000-0000-0000-00000000000b
    identityAuthorityHost: https://login.microsoftonline.us/
  secretTargetRef:
  - parameter: connection
    name: sb
    key: conn
  configMapTargetRef:
  - {parameter: namespace, name: settings, key: ns}
  env:
  - parameter: queueName
    name: QUEUE
    containerName: worker
  - parameter: accountName
    name: ACCOUNT
  hashiCorpVault:
    address: https://vault:8200
    authentication: token
    secrets:
    - {parameter: password, key: pw, path: secret/data/db}
  azureKeyVault:
    vaultUri: https://v.vault.azure.net
    secrets:
    - {parameter: key, name: sb-key}
  boundServiceAccountToken:
  - {parameter: token, serviceAccountName: reader}
";
        let json = serde_json::json!({
            "podIdentity": {
                "provider": "azure-workload",
                "identityId": "00000000-0000-0000-0000-00000000000a",
                "identityTenantId": "00000000-0000-0000-0000-00000000000b",
                "identityAuthorityHost": "https://login.microsoftonline.us/",
            },
            "secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}],
            "configMapTargetRef": [{"parameter": "namespace", "name": "settings", "key": "ns"}],
            "env": [
                {"parameter": "queueName", "name": "QUEUE", "containerName": "worker"},
                {"parameter": "accountName", "name": "ACCOUNT"},
            ],
            "hashiCorpVault": {"address": "https://vault:8200", "authentication": "token",
                "secrets": [{"parameter": "password", "key": "pw", "path": "secret/data/db"}]},
            "azureKeyVault": {"vaultUri": "https://v.vault.azure.net",
                "secrets": [{"parameter": "key", "name": "sb-key"}]},
            "boundServiceAccountToken": [{"parameter": "token", "serviceAccountName": "reader"}],
        });
        let (linter, host) = both("TriggerAuthentication", yaml, json);
        let target = |parameter: &str, name: &str, key: &str| TargetRef {
            parameter: parameter.into(),
            name: name.into(),
            key: key.into(),
        };
        let expected = AuthSpec {
            pod_identity: Some(PodIdentity {
                provider: "azure-workload".into(),
                identity_id: Some("00000000-0000-0000-0000-00000000000a".into()),
                identity_tenant_id: Some("00000000-0000-0000-0000-00000000000b".into()),
                identity_authority_host: Some("https://login.microsoftonline.us/".into()),
            }),
            env: vec![
                EnvRef {
                    parameter: "queueName".into(),
                    name: "QUEUE".into(),
                    container_name: Some("worker".into()),
                },
                EnvRef {
                    parameter: "accountName".into(),
                    name: "ACCOUNT".into(),
                    container_name: None,
                },
            ],
            config_map_target_ref: vec![target("namespace", "settings", "ns")],
            secret_target_ref: vec![target("connection", "sb", "conn")],
            external: vec!["password".into(), "key".into(), "token".into()],
            open: false,
        };
        assert_eq!(host, expected);
        assert_eq!(linter, expected);
    }

    #[test]
    fn a_file_or_an_oauth2_exchange_opens_the_parameters_for_both() {
        let cta = "  filePath: /mnt/keda/auth.json
  secretTargetRef:
  - {parameter: connection, name: sb, key: conn}
";
        let (linter, host) = both(
            "ClusterTriggerAuthentication",
            cta,
            serde_json::json!({"filePath": "/mnt/keda/auth.json",
                "secretTargetRef": [{"parameter": "connection", "name": "sb", "key": "conn"}]}),
        );
        assert!(host.open && host.secret_target_ref.len() == 1, "{host:?}");
        assert_eq!(linter, host);

        let ta = "  podIdentity:
    provider: none
  oauth2:
    type: clientCredentials
    clientId: app
    tokenUrl: https://login.example.com/token
";
        let (linter, host) = both(
            "TriggerAuthentication",
            ta,
            serde_json::json!({"podIdentity": {"provider": "none"},
                "oauth2": {"type": "clientCredentials", "clientId": "app",
                           "tokenUrl": "https://login.example.com/token"}}),
        );
        assert!(host.open, "{host:?}");
        assert_eq!(host.pod_identity.as_ref().unwrap().provider, "none");
        assert_eq!(host.pod_identity.as_ref().unwrap().identity_id, None);
        assert_eq!(linter, host);
    }

    #[test]
    fn base64_decodes_secret_data() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_base64("aGVs\nbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_base64("a*b"), None);
    }
}
