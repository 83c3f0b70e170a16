//! The one reading of a (Cluster)TriggerAuthentication spec, in the JSON form the API server
//! serves (the linter converts its document tree to that form first): the host and the linter
//! hand the resolver the same [`AuthSpec`] for the same spec.

use std::fmt;

use serde_json::Value;

use super::{AuthSpec, EnvRef, PodIdentity, TargetRef};

/// Where a spec does not have the shape KEDA's CRD gives the fields the resolver reads. It
/// names a field and JSON types, never a value (a spec may hold a Vault token inline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    /// `spec.secretTargetRef[0].key`.
    pub path: String,
    pub expected: &'static str,
    pub found: &'static str,
}

impl fmt::Display for Misfit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "schema error at {}: expected {}, found {}",
            self.path, self.expected, self.found
        )
    }
}

/// A spec as the linter reads it: what does not fit KEDA's schema is left to the schema rules,
/// and read as far as it goes (an item whose parameter is not text is ignored; one whose
/// object or key is not a string has an unknown value).
pub fn auth_spec(spec: &Value) -> AuthSpec {
    read(spec).0
}

/// A spec as the host reads it: the first field that does not fit KEDA's schema makes it
/// unusable (an API server under KEDA's CRD stores no such spec).
pub fn decode_auth_spec(spec: &Value) -> Result<AuthSpec, Misfit> {
    match read(spec) {
        (spec, None) => Ok(spec),
        (_, Some(misfit)) => Err(misfit),
    }
}

/// The stores whose `secrets` name parameters filled from outside the cluster's objects.
const STORES: [&str; 4] = [
    "hashiCorpVault",
    "azureKeyVault",
    "gcpSecretManager",
    "awsSecretManager",
];

fn read(spec: &Value) -> (AuthSpec, Option<Misfit>) {
    let mut r = Reader { misfit: None };
    let mut out = AuthSpec::default();
    let Some(spec) = r.object(Some(spec), At::default()) else {
        return (out, r.misfit);
    };
    let field = At::field;
    if let Some(pi) = r.object(spec.get("podIdentity"), field("podIdentity")) {
        let at = |key| field("podIdentity").key(key);
        let identity_id = r.text(pi.get("identityId"), false, at("identityId"));
        let identity_tenant_id = r.text(pi.get("identityTenantId"), false, at("identityTenantId"));
        let identity_authority_host = r.text(
            pi.get("identityAuthorityHost"),
            false,
            at("identityAuthorityHost"),
        );
        out.pod_identity = r
            .text(pi.get("provider"), true, at("provider"))
            .map(|provider| PodIdentity {
                provider,
                identity_id,
                identity_tenant_id,
                identity_authority_host,
            });
    }
    for (refs, list) in [
        ("secretTargetRef", &mut out.secret_target_ref),
        ("configMapTargetRef", &mut out.config_map_target_ref),
    ] {
        for (at, item) in r.items(spec.get(refs), field(refs)) {
            let Some(parameter) = r.text(item.get("parameter"), true, at.key("parameter")) else {
                continue;
            };
            let name = r.string(item.get("name"), at.key("name"));
            let key = r.string(item.get("key"), at.key("key"));
            match (name, key) {
                (Some(name), Some(key)) => list.push(TargetRef {
                    parameter,
                    name: name.to_owned(),
                    key: key.to_owned(),
                }),
                _ => out.external.push(parameter),
            }
        }
    }
    for (at, item) in r.items(spec.get("env"), field("env")) {
        let Some(parameter) = r.text(item.get("parameter"), true, at.key("parameter")) else {
            continue;
        };
        out.env.push(EnvRef {
            parameter,
            name: r
                .text(item.get("name"), true, at.key("name"))
                .unwrap_or_default(),
            container_name: r.text(item.get("containerName"), false, at.key("containerName")),
        });
    }
    let mut lists = Vec::new();
    for store in STORES {
        let Some(s) = r.object(spec.get(store), field(store)) else {
            continue;
        };
        let secrets = field(store).key("secrets");
        // Required: KEDA's CRD gives a store no default list.
        if s.get("secrets").is_none_or(Value::is_null) {
            r.note(secrets, "an array", s.get("secrets"));
        }
        lists.push((s.get("secrets"), secrets));
    }
    let tokens = "boundServiceAccountToken";
    lists.push((spec.get(tokens), field(tokens)));
    for (list, at) in lists {
        for (at, item) in r.items(list, at) {
            let parameter = r.text(item.get("parameter"), true, at.key("parameter"));
            out.external.extend(parameter);
        }
    }
    // A file or an OAuth2 exchange yields parameters the spec does not list.
    let file = r.text(spec.get("filePath"), false, field("filePath"));
    let oauth2 = r.object(spec.get("oauth2"), field("oauth2"));
    out.open = file.is_some() || oauth2.is_some();
    (out, r.misfit)
}

/// A field's place, `spec[.field][.key][[index]][.key]`, spelt out only for a misfit.
#[derive(Clone, Copy, Default)]
struct At {
    field: Option<&'static str>,
    key: Option<&'static str>,
    index: Option<usize>,
    item_key: Option<&'static str>,
}

impl At {
    fn field(field: &'static str) -> At {
        At {
            field: Some(field),
            ..At::default()
        }
    }

    /// A key of this object, or of this list item.
    fn key(self, key: &'static str) -> At {
        match self.index {
            None => At {
                key: Some(key),
                ..self
            },
            Some(_) => At {
                item_key: Some(key),
                ..self
            },
        }
    }

    fn path(self) -> String {
        let mut path = String::from("spec");
        for part in [self.field, self.key].into_iter().flatten() {
            path.push('.');
            path.push_str(part);
        }
        if let Some(i) = self.index {
            path.push('[');
            path.push_str(&i.to_string());
            path.push(']');
        }
        if let Some(k) = self.item_key {
            path.push('.');
            path.push_str(k);
        }
        path
    }
}

/// Notes the first misfit.
struct Reader {
    misfit: Option<Misfit>,
}

/// A JSON type's name; `nothing` when absent.
fn type_of(v: Option<&Value>) -> &'static str {
    match v {
        None => "nothing",
        Some(Value::Null) => "null",
        Some(Value::Bool(_)) => "a boolean",
        Some(Value::Number(_)) => "a number",
        Some(Value::String(_)) => "a string",
        Some(Value::Array(_)) => "an array",
        Some(Value::Object(_)) => "an object",
    }
}

type Object = serde_json::Map<String, Value>;

impl Reader {
    fn note(&mut self, at: At, expected: &'static str, found: Option<&Value>) {
        if self.misfit.is_none() {
            self.misfit = Some(Misfit {
                path: at.path(),
                expected,
                found: type_of(found),
            });
        }
    }

    /// An object; absent or null is no object (the API server drops nulls).
    fn object<'v>(&mut self, v: Option<&'v Value>, at: At) -> Option<&'v Object> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                self.note(at, "an object", Some(other));
                None
            }
        }
    }

    /// A string field.
    fn string<'v>(&mut self, v: Option<&'v Value>, at: At) -> Option<&'v str> {
        match v {
            Some(Value::String(s)) => Some(s),
            other => {
                self.note(at, "a string", other);
                None
            }
        }
    }

    /// A string field, or a scalar taken as written (a YAML document may say `parameter: 5`,
    /// which the API server would refuse).
    fn text(&mut self, v: Option<&Value>, required: bool, at: At) -> Option<String> {
        let found = match v {
            Some(Value::String(s)) => return Some(s.clone()),
            None | Some(Value::Null) if !required => return None,
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        self.note(at, "a string", v);
        found
    }

    /// The object items of a list field (absent or null: none), each with its place.
    fn items<'v>(&mut self, v: Option<&'v Value>, at: At) -> Vec<(At, &'v Object)> {
        let list = match v {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(other) => {
                self.note(at, "an array", Some(other));
                return Vec::new();
            }
        };
        let mut objects = Vec::with_capacity(list.len());
        for (i, item) in list.iter().enumerate() {
            let at = At {
                index: Some(i),
                ..at
            };
            match item {
                Value::Object(o) => objects.push((at, o)),
                other => self.note(at, "an object", Some(other)),
            }
        }
        objects
    }
}
