//! What a trigger's scaler receives besides its metadata, as KEDA's resolver computes it
//! (`pkg/scaling/resolver/scale_resolvers.go`, v2.20.2: `resolveAuthRef`, `resolveEnv`,
//! `ResolveContainerEnv`): the authentication parameters of its (Cluster)TriggerAuthentication,
//! the pod identity, and the environment of one container of the scaled pod.
//!
//! The objects come from a [`View`]: the linter's holds the files of a bundle (where an object
//! that is not there may still exist in the cluster, hence [`Found::Unknown`]), the host's holds
//! what its watches and reads delivered. The view is synchronous so that the core stays pure;
//! a caller that must fetch first asks [`needs`] which Secrets and ConfigMaps a resolution reads.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod spec;
pub use spec::{auth_spec, decode_auth_spec, Misfit};

/// What a view knows of one object or value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found<T> {
    Value(T),
    /// Known not to exist.
    Absent,
    /// May exist; the view cannot show it.
    Unknown,
}

/// A `secretTargetRef` / `configMapTargetRef` item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetRef {
    pub parameter: String,
    pub name: String,
    pub key: String,
}

/// An `env` item of a TriggerAuthentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRef {
    pub parameter: String,
    pub name: String,
    /// `None` or empty: the container KEDA reads for the trigger's own env.
    pub container_name: Option<String>,
}

/// `podIdentity.provider` of Azure's workload identity, the one the Azure scalers take.
pub const AZURE_WORKLOAD: &str = "azure-workload";

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PodIdentity {
    pub provider: String,
    pub identity_id: Option<String>,
    pub identity_tenant_id: Option<String>,
    pub identity_authority_host: Option<String>,
}

impl PodIdentity {
    pub fn is_azure_workload(&self) -> bool {
        self.provider == AZURE_WORKLOAD
    }
}

/// The parts of a (Cluster)TriggerAuthentication spec the resolver reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthSpec {
    pub pod_identity: Option<PodIdentity>,
    pub env: Vec<EnvRef>,
    pub config_map_target_ref: Vec<TargetRef>,
    pub secret_target_ref: Vec<TargetRef>,
    /// Parameters filled from outside the cluster's objects (vaults, bound service account
    /// tokens): they exist, their values are unknown here.
    pub external: Vec<String>,
    /// `filePath` or `oauth2`: parameters the spec does not list.
    pub open: bool,
}

/// Where a container variable's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvSource {
    Value(String),
    SecretKey {
        name: String,
        key: String,
        optional: bool,
    },
    ConfigMapKey {
        name: String,
        key: String,
        optional: bool,
    },
    /// `fieldRef`, `resourceFieldRef`: known only in the running pod; KEDA skips it.
    Pod,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub source: EnvSource,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvFromSource {
    Secret {
        name: String,
        optional: bool,
    },
    ConfigMap {
        name: String,
        optional: bool,
    },
    /// A source the view cannot name: any variable may come from it.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFrom {
    pub prefix: String,
    pub source: EnvFromSource,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Container {
    pub name: String,
    pub env_from: Vec<EnvFrom>,
    pub env: Vec<EnvVar>,
}

/// The objects a resolution reads. `Err` is the view's own failure (an API error); a view over
/// files never fails.
pub trait View {
    type Error;
    fn trigger_authentication(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Found<AuthSpec>, Self::Error>;
    fn cluster_trigger_authentication(&self, name: &str) -> Result<Found<AuthSpec>, Self::Error>;
    /// `Value(None)`: the Secret exists without `key`.
    fn secret_key(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error>;
    fn secret_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error>;
    fn config_map_key(
        &self,
        namespace: &str,
        name: &str,
        key: &str,
    ) -> Result<Found<Option<String>>, Self::Error>;
    fn config_map_data(
        &self,
        namespace: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, Self::Error>;
}

/// One trigger to resolve.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The namespace of the ScaledObject/ScaledJob.
    pub namespace: &'a str,
    /// `authenticationRef`: kind (empty means TriggerAuthentication) and name.
    pub auth_ref: Option<(&'a str, &'a str)>,
    /// The containers of the scaled pod template (the target's, or a ScaledJob's own);
    /// `None` when the view does not hold it.
    pub containers: Option<&'a [Container]>,
    /// `envSourceContainerName`.
    pub env_source_container: Option<&'a str>,
    /// Where a ClusterTriggerAuthentication's Secrets and ConfigMaps live (KEDA's
    /// `KEDA_CLUSTER_OBJECT_NAMESPACE`); `None` when unknown (a bundle does not say).
    pub cluster_object_namespace: Option<&'a str>,
}

/// A resolved value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    Value(String),
    /// Exists, but the view cannot show its value.
    Unknown,
}

/// How the authenticationRef resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authentication {
    /// No authenticationRef, or an empty name.
    None,
    Found,
    /// Known not to exist: KEDA logs it and the scaler gets no parameters.
    NotFound,
    /// The view cannot show it: any parameter and identity may be set.
    Unknown,
    /// A kind that is neither TriggerAuthentication nor ClusterTriggerAuthentication.
    BadKind,
}

/// A parameter whose source lacks it (a Secret or ConfigMap, or its key, for a targetRef; the
/// container, or its variable `key`, for an env item): KEDA hands the scaler an empty string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub parameter: String,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub key: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub authentication: Authentication,
    /// The kind looked up and the namespace its Secrets/ConfigMaps were read from.
    pub auth_kind: &'static str,
    pub auth_params: BTreeMap<String, Param>,
    pub pod_identity: Option<PodIdentity>,
    /// Parameters may be set that the view cannot list.
    pub auth_open: bool,
    /// Parameters resolved to "" because their source lacks them.
    pub gaps: Vec<Gap>,
    /// The env-source container's variables (for `...FromEnv`).
    pub env: BTreeMap<String, Param>,
    /// The container may define variables the view cannot show.
    pub env_open: bool,
}

/// A view's failure while reading one object.
#[derive(Debug)]
pub enum ResolveError<E> {
    Authentication(E),
    /// A targetRef (`kind` Secret or ConfigMap) of the authentication could not be read.
    Target {
        parameter: String,
        kind: &'static str,
        error: E,
    },
}

const TA: &str = "TriggerAuthentication";
const CTA: &str = "ClusterTriggerAuthentication";

/// Resolves one trigger as KEDA's resolver does. Reads of the container env that fail are
/// taken as unknown values (a pod would not start without them; KEDA's scaler gets nothing).
pub fn resolve<V: View>(view: &V, req: &Request<'_>) -> Result<Resolved, ResolveError<V::Error>> {
    let mut out = Resolved {
        authentication: Authentication::None,
        auth_kind: TA,
        auth_params: BTreeMap::new(),
        pod_identity: None,
        auth_open: false,
        gaps: Vec::new(),
        env: BTreeMap::new(),
        env_open: true,
    };
    let default_env = container_env(view, req, req.env_source_container);
    if let Some(env) = &default_env {
        out.env = env.values.clone();
        out.env_open = env.open;
    }
    let Some((kind, name)) = req.auth_ref.filter(|(_, n)| !n.is_empty()) else {
        return Ok(out);
    };
    let (found, objects_ns) = match kind {
        "" | TA => (
            view.trigger_authentication(req.namespace, name),
            Some(req.namespace),
        ),
        CTA => {
            out.auth_kind = CTA;
            (
                view.cluster_trigger_authentication(name),
                req.cluster_object_namespace,
            )
        }
        _ => {
            out.authentication = Authentication::BadKind;
            return Ok(out);
        }
    };
    let spec = match found.map_err(ResolveError::Authentication)? {
        Found::Value(spec) => spec,
        Found::Absent => {
            out.authentication = Authentication::NotFound;
            return Ok(out);
        }
        Found::Unknown => {
            out.authentication = Authentication::Unknown;
            out.auth_open = true;
            return Ok(out);
        }
    };
    out.authentication = Authentication::Found;
    out.pod_identity = spec.pod_identity.clone();
    // KEDA's order: env, then configMapTargetRef, then secretTargetRef (a later source wins).
    for e in &spec.env {
        let own = e.container_name.as_deref().filter(|c| !c.is_empty());
        let env = match own {
            None => default_env.clone(),
            Some(c) => container_env(view, req, Some(c)),
        };
        let value = match env {
            Some(env) => match env.values.get(&e.name) {
                Some(v) => Some(v.clone()),
                None if env.open => Some(Param::Unknown),
                None => None,
            },
            // The pod is not in the view.
            None if req.containers.is_none() => Some(Param::Unknown),
            // KEDA: the env cannot be resolved (no such container), the parameter is "".
            None => None,
        };
        let value = value.unwrap_or_else(|| {
            out.gaps.push(Gap {
                parameter: e.parameter.clone(),
                kind: "Container",
                namespace: req.namespace.to_owned(),
                name: own.unwrap_or_default().to_owned(),
                key: e.name.clone(),
            });
            Param::Value(String::new())
        });
        out.auth_params.insert(e.parameter.clone(), value);
    }
    let targets = [
        ("ConfigMap", &spec.config_map_target_ref),
        ("Secret", &spec.secret_target_ref),
    ];
    for (kind, refs) in targets {
        for r in refs {
            let Some(ns) = objects_ns else {
                out.auth_params.insert(r.parameter.clone(), Param::Unknown);
                continue;
            };
            let read = if kind == "Secret" {
                view.secret_key(ns, &r.name, &r.key)
            } else {
                view.config_map_key(ns, &r.name, &r.key)
            };
            let value = match read.map_err(|error| ResolveError::Target {
                parameter: r.parameter.clone(),
                kind,
                error,
            })? {
                Found::Value(Some(v)) => Param::Value(v),
                Found::Value(None) | Found::Absent => {
                    out.gaps.push(Gap {
                        parameter: r.parameter.clone(),
                        kind,
                        namespace: ns.to_owned(),
                        name: r.name.clone(),
                        key: r.key.clone(),
                    });
                    Param::Value(String::new())
                }
                Found::Unknown => Param::Unknown,
            };
            out.auth_params.insert(r.parameter.clone(), value);
        }
    }
    for p in &spec.external {
        out.auth_params.insert(p.clone(), Param::Unknown);
    }
    out.auth_open |= spec.open;
    Ok(out)
}

/// A container's resolved environment.
#[derive(Debug, Clone)]
struct Env {
    values: BTreeMap<String, Param>,
    open: bool,
}

/// `ResolveContainerEnv`: the named container (the first when unnamed); `None` when the pod
/// or the container is not there, or a required source is absent (KEDA fails the whole env).
fn container_env<V: View>(view: &V, req: &Request<'_>, name: Option<&str>) -> Option<Env> {
    let containers = req.containers?;
    let c = match name.filter(|n| !n.is_empty()) {
        Some(n) => containers.iter().find(|c| c.name == n)?,
        None => containers.first()?,
    };
    let ns = req.namespace;
    let mut env = Env {
        values: BTreeMap::new(),
        open: false,
    };
    for from in &c.env_from {
        let (data, optional) = match &from.source {
            EnvFromSource::Secret { name, optional } => (view.secret_data(ns, name), *optional),
            EnvFromSource::ConfigMap { name, optional } => {
                (view.config_map_data(ns, name), *optional)
            }
            EnvFromSource::Other => {
                env.open = true;
                continue;
            }
        };
        match data {
            Ok(Found::Value(map)) => {
                for (k, v) in map {
                    env.values
                        .insert(format!("{}{k}", from.prefix), Param::Value(v));
                }
            }
            Ok(Found::Absent) if optional => {}
            Ok(Found::Absent) => return None,
            Ok(Found::Unknown) | Err(_) => env.open = true,
        }
    }
    for var in &c.env {
        let read = |r: Result<Found<Option<String>>, V::Error>, optional: bool| match r {
            Ok(Found::Value(v)) => Some(Some(Param::Value(v.unwrap_or_default()))),
            Ok(Found::Absent) if optional => Some(None),
            Ok(Found::Absent) => None,
            Ok(Found::Unknown) | Err(_) => Some(Some(Param::Unknown)),
        };
        let value = match &var.source {
            EnvSource::Value(v) => Param::Value(expand(v, &env.values)),
            EnvSource::SecretKey {
                name,
                key,
                optional,
            } => match read(view.secret_key(ns, name, key), *optional)? {
                Some(p) => p,
                None => continue,
            },
            EnvSource::ConfigMapKey {
                name,
                key,
                optional,
            } => match read(view.config_map_key(ns, name, key), *optional)? {
                Some(p) => p,
                None => continue,
            },
            EnvSource::Pod => Param::Unknown,
        };
        env.values.insert(var.name.clone(), value);
    }
    Some(env)
}

/// `resolveEnvValue`: `$(VAR)` is replaced by an earlier variable's value, `$$` escapes `$`,
/// a reference to an unknown variable stays as written.
fn expand(value: &str, env: &BTreeMap<String, Param>) -> String {
    let b = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut checkpoint = 0;
    let mut cursor = 0;
    while cursor < b.len() {
        if b[cursor] == b'$' && cursor + 3 < b.len() {
            out.push_str(&value[checkpoint..cursor]);
            let mut length = 1;
            match b[cursor + 1] {
                b'$' => out.push('$'),
                b'(' => match value[cursor + 2..].find(')') {
                    Some(end) => {
                        let key = &value[cursor + 2..cursor + 2 + end];
                        match env.get(key) {
                            Some(Param::Value(v)) => out.push_str(v),
                            _ => {
                                out.push_str("$(");
                                out.push_str(key);
                                out.push(')');
                            }
                        }
                        length = end + 2;
                    }
                    None => out.push_str("$("),
                },
                _ => {
                    // The next byte may start a multi-byte character: copy it whole.
                    let ch = value[cursor + 1..].chars().next().unwrap_or('$');
                    out.push('$');
                    out.push(ch);
                    length = ch.len_utf8();
                }
            }
            cursor += length;
            checkpoint = cursor + 1;
        }
        cursor += 1;
    }
    out.push_str(&value[checkpoint.min(b.len())..]);
    out
}

/// The containers of a pod spec's `containers` list, in its JSON form (as the API server
/// serves it, or as kubectl converts a manifest).
pub fn containers(list: &Value) -> Vec<Container> {
    // A scalar that is not a string is taken as written (the linter reads YAML as kubectl
    // converts it; the API server only stores strings here).
    let text = |v: &Value, k: &str| match v.get(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let optional = |v: &Value| v.get("optional").and_then(Value::as_bool) == Some(true);
    let key_ref = |r: &Value| Some((text(r, "name")?, text(r, "key")?, optional(r)));
    let items = |v: &Value, k: &str| {
        v.get(k)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let Some(list) = list.as_array() else {
        return Vec::new();
    };
    list.iter()
        .map(|c| Container {
            name: text(c, "name").unwrap_or_default(),
            env_from: items(c, "envFrom")
                .iter()
                .map(|f| EnvFrom {
                    prefix: text(f, "prefix").unwrap_or_default(),
                    source: if let Some(r) = f.get("secretRef") {
                        text(r, "name").map(|name| EnvFromSource::Secret {
                            name,
                            optional: optional(r),
                        })
                    } else if let Some(r) = f.get("configMapRef") {
                        text(r, "name").map(|name| EnvFromSource::ConfigMap {
                            name,
                            optional: optional(r),
                        })
                    } else {
                        None
                    }
                    .unwrap_or(EnvFromSource::Other),
                })
                .collect(),
            env: items(c, "env")
                .iter()
                .filter_map(|e| {
                    let name = text(e, "name")?;
                    let from = e.get("valueFrom");
                    let source = match (text(e, "value"), from) {
                        (Some(v), _) => EnvSource::Value(v),
                        (None, None) => EnvSource::Value(String::new()),
                        (None, Some(from)) => {
                            if let Some(r) = from.get("secretKeyRef") {
                                key_ref(r).map_or(EnvSource::Pod, |(name, key, optional)| {
                                    EnvSource::SecretKey {
                                        name,
                                        key,
                                        optional,
                                    }
                                })
                            } else if let Some(r) = from.get("configMapKeyRef") {
                                key_ref(r).map_or(EnvSource::Pod, |(name, key, optional)| {
                                    EnvSource::ConfigMapKey {
                                        name,
                                        key,
                                        optional,
                                    }
                                })
                            } else {
                                EnvSource::Pod
                            }
                        }
                    };
                    Some(EnvVar { name, source })
                })
                .collect(),
        })
        .collect()
}

/// A Secret or ConfigMap a resolution reads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Need {
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
}

/// Which Secrets and ConfigMaps [`resolve`] reads through `view` for `req`, so that a caller
/// can fetch exactly those (by name) before resolving. Authentications come from `view`.
pub fn needs<V: View>(view: &V, req: &Request<'_>) -> Result<BTreeSet<Need>, V::Error> {
    let recorder = Recorder {
        inner: view,
        seen: RefCell::new(BTreeSet::new()),
    };
    match resolve(&recorder, req) {
        Ok(_) => Ok(recorder.seen.into_inner()),
        Err(ResolveError::Authentication(e)) | Err(ResolveError::Target { error: e, .. }) => Err(e),
    }
}

/// Answers every Secret/ConfigMap read with "unknown" and notes it.
struct Recorder<'v, V> {
    inner: &'v V,
    seen: RefCell<BTreeSet<Need>>,
}

impl<V> Recorder<'_, V> {
    fn note<T>(&self, kind: &'static str, namespace: &str, name: &str) -> Found<T> {
        self.seen.borrow_mut().insert(Need {
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        });
        Found::Unknown
    }
}

impl<V: View> View for Recorder<'_, V> {
    type Error = V::Error;
    fn trigger_authentication(&self, ns: &str, name: &str) -> Result<Found<AuthSpec>, V::Error> {
        self.inner.trigger_authentication(ns, name)
    }
    fn cluster_trigger_authentication(&self, name: &str) -> Result<Found<AuthSpec>, V::Error> {
        self.inner.cluster_trigger_authentication(name)
    }
    fn secret_key(&self, ns: &str, name: &str, _: &str) -> Result<Found<Option<String>>, V::Error> {
        Ok(self.note("Secret", ns, name))
    }
    fn secret_data(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, V::Error> {
        Ok(self.note("Secret", ns, name))
    }
    fn config_map_key(
        &self,
        ns: &str,
        name: &str,
        _: &str,
    ) -> Result<Found<Option<String>>, V::Error> {
        Ok(self.note("ConfigMap", ns, name))
    }
    fn config_map_data(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, V::Error> {
        Ok(self.note("ConfigMap", ns, name))
    }
}

#[cfg(test)]
mod tests;
