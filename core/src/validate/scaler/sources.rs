//! What a trigger's scaler would read besides its metadata, as far as the bundle shows it:
//! the authentication's parameters and pod identity, and the scale target container's env.
//! Whatever lives only in the cluster (a TriggerAuthentication, Secret or workload that is
//! not in the bundle, a vault) is marked unknown, so no rule claims it is missing.

use std::collections::{BTreeMap, BTreeSet};

use crate::document::{Bundle, Kind, Node, Resource};

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
    /// Reads what `trigger` of `owner` would get.
    pub fn resolve(owner: &Resource, trigger: &Node, bundle: &Bundle, default_ns: &str) -> Self {
        let ns = owner.namespace_or(default_ns);
        let container = Container::of(owner, bundle, ns);
        let mut s = Sources::default();
        let env = container.env(bundle, ns);
        s.env = env.values;
        let env_open = env.open;

        if let Some(auth_ref) = trigger.get("authenticationRef") {
            let Some(name) = auth_ref
                .get("name")
                .and_then(|n| n.as_str().or_else(|| n.is_null().then_some("")))
            else {
                // Not a name the API server would store: nothing can be said about it.
                s.auth_open = true;
                return s;
            };
            let cluster =
                auth_ref.get("kind").and_then(Node::text) == Some("ClusterTriggerAuthentication");
            if !name.is_empty() {
                let found = bundle.named(name).find(|r| {
                    if cluster {
                        r.kind == Kind::ClusterTriggerAuthentication
                    } else {
                        r.kind == Kind::TriggerAuthentication && r.namespace_or(default_ns) == ns
                    }
                });
                match found.and_then(Resource::spec) {
                    Some(spec) => s.read_auth(spec, cluster, bundle, ns, &container),
                    None => s.auth_open = true,
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
                    None => env_open,
                };
                if hidden {
                    s.env.insert(var.to_owned(), HIDDEN.to_owned());
                    s.hidden.insert(param.to_owned());
                }
            }
        }
        s
    }

    fn read_auth(
        &mut self,
        spec: &Node,
        cluster: bool,
        bundle: &Bundle,
        ns: &str,
        container: &Container<'_>,
    ) {
        self.pod_identity = spec
            .at(&["podIdentity", "provider"])
            .and_then(Node::text)
            .map(str::to_owned);
        let items = |key: &str| spec.get(key).and_then(Node::as_sequence).unwrap_or(&[]);
        for item in items("secretTargetRef") {
            let value = if cluster {
                // Read from the KEDA namespace, which the bundle does not name.
                None
            } else {
                object_value(bundle, &Kind::Secret, ns, item, true)
            };
            self.set_auth(item, value);
        }
        for item in items("configMapTargetRef") {
            let value = if cluster {
                None
            } else {
                object_value(bundle, &Kind::Other("ConfigMap".into()), ns, item, false)
            };
            self.set_auth(item, value);
        }
        for item in items("env") {
            let var = item.get("name").and_then(Node::text).unwrap_or("");
            let env = container.env(bundle, ns);
            let value = match env.values.get(var) {
                Some(v) if v != HIDDEN => Some(Some(v.clone())),
                Some(_) => None,
                None if env.open => None,
                None => Some(None),
            };
            self.set_auth(item, value);
        }
        for store in [
            "hashiCorpVault",
            "azureKeyVault",
            "gcpSecretManager",
            "awsSecretManager",
        ] {
            for item in spec
                .at(&[store, "secrets"])
                .and_then(Node::as_sequence)
                .unwrap_or(&[])
            {
                self.set_auth(item, None);
            }
        }
        for item in items("boundServiceAccountToken") {
            self.set_auth(item, None);
        }
        // A file or an OAuth2 exchange yields parameters the manifests do not list.
        if spec.get("filePath").is_some() || spec.get("oauth2").is_some() {
            self.auth_open = true;
        }
    }

    /// `value`: `None` = exists but unseen; `Some(None)` = known to be empty/absent.
    fn set_auth(&mut self, item: &Node, value: Option<Option<String>>) {
        let Some(param) = item.get("parameter").and_then(Node::text) else {
            return;
        };
        match value {
            Some(Some(v)) => {
                self.auth.insert(param.to_owned(), v);
            }
            Some(None) => {}
            None => {
                self.auth.insert(param.to_owned(), HIDDEN.to_owned());
                self.hidden.insert(param.to_owned());
            }
        }
    }
}

/// `data[key]` (base64) or `stringData[key]` of a Secret/ConfigMap `item.name` in `ns`:
/// `None` when the object is not in the bundle, `Some(None)` when it lacks the key.
fn object_value(
    bundle: &Bundle,
    kind: &Kind,
    ns: &str,
    item: &Node,
    base64: bool,
) -> Option<Option<String>> {
    let name = item.get("name").and_then(Node::as_str)?;
    let key = item.get("key").and_then(Node::as_str)?;
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

/// The container whose env KEDA resolves for a trigger.
struct Container<'a> {
    /// `None` when the workload or container is not in the bundle.
    node: Option<&'a Node>,
}

struct Env {
    values: BTreeMap<String, String>,
    /// Variables may exist that the bundle does not show.
    open: bool,
}

impl<'a> Container<'a> {
    fn of(owner: &'a Resource, bundle: &'a Bundle, ns: &str) -> Container<'a> {
        let spec = owner.spec();
        let (pod_spec, wanted) = match owner.kind {
            // A ScaledJob carries its own pod template.
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
        let containers = pod_spec
            .and_then(|p| p.get("containers"))
            .and_then(Node::as_sequence)
            .unwrap_or(&[]);
        let node = match wanted.and_then(Node::text).filter(|n| !n.is_empty()) {
            Some(n) => containers
                .iter()
                .find(|c| c.get("name").and_then(Node::text) == Some(n)),
            None => containers.first(),
        };
        Container { node }
    }

    fn env(&self, bundle: &Bundle, ns: &str) -> Env {
        let Some(c) = self.node else {
            return Env {
                values: BTreeMap::new(),
                open: true,
            };
        };
        let mut values = BTreeMap::new();
        let mut open = false;
        for source in c.get("envFrom").and_then(Node::as_sequence).unwrap_or(&[]) {
            let prefix = source.get("prefix").and_then(Node::text).unwrap_or("");
            let (kind, node, b64) = if let Some(r) = source.get("secretRef") {
                (Kind::Secret, r, true)
            } else if let Some(r) = source.get("configMapRef") {
                (Kind::Other("ConfigMap".into()), r, false)
            } else {
                open = true;
                continue;
            };
            let name = node.get("name").and_then(Node::as_str);
            let obj = name.and_then(|name| {
                bundle
                    .named(name)
                    .find(|r| r.kind == kind && r.namespace.as_deref().unwrap_or(ns) == ns)
            });
            let Some(obj) = obj else {
                open = true;
                continue;
            };
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
                    let v = if b64 && field == "data" {
                        decode_base64(v).unwrap_or_else(|| HIDDEN.to_owned())
                    } else {
                        v.to_owned()
                    };
                    values.insert(format!("{prefix}{k}"), v);
                }
            }
        }
        for var in c.get("env").and_then(Node::as_sequence).unwrap_or(&[]) {
            let Some(name) = var.get("name").and_then(Node::text) else {
                continue;
            };
            let value = if let Some(v) = var.get("value") {
                Some(v.text().unwrap_or("").to_owned())
            } else if let Some(r) = var.at(&["valueFrom", "secretKeyRef"]) {
                object_value(bundle, &Kind::Secret, ns, r, true).map(Option::unwrap_or_default)
            } else if let Some(r) = var.at(&["valueFrom", "configMapKeyRef"]) {
                object_value(bundle, &Kind::Other("ConfigMap".into()), ns, r, false)
                    .map(Option::unwrap_or_default)
            } else if var.get("valueFrom").is_some() {
                // fieldRef / resourceFieldRef: known only in the running pod.
                None
            } else {
                Some(String::new())
            };
            values.insert(name.to_owned(), value.unwrap_or_else(|| HIDDEN.to_owned()));
        }
        Env { values, open }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_secret_data() {
        assert_eq!(decode_base64("aGVsbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_base64("aGVs\nbG8=").as_deref(), Some("hello"));
        assert_eq!(decode_base64("a*b"), None);
    }
}
