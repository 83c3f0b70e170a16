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
    let Some(spec) = r.object(Some(spec), &|| "spec".to_owned()) else {
        return (out, r.misfit);
    };
    let field = |key: &'static str| move || format!("spec.{key}");
    if let Some(pi) = r.object(spec.get("podIdentity"), &field("podIdentity")) {
        let at = |key: &'static str| move || format!("spec.podIdentity.{key}");
        let mut optional = |key: &'static str| r.text(pi.get(key), false, &at(key));
        let identity_id = optional("identityId");
        let identity_tenant_id = optional("identityTenantId");
        let identity_authority_host = optional("identityAuthorityHost");
        out.pod_identity = r
            .text(pi.get("provider"), true, &at("provider"))
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
        r.items(spec.get(refs), &field(refs), |r, i, item| {
            let at = |k: &'static str| move || format!("spec.{refs}[{i}].{k}");
            let parameter = r.text(item.get("parameter"), true, &at("parameter"))?;
            let name = r.string(item.get("name"), &at("name"));
            let key = r.string(item.get("key"), &at("key"));
            match (name, key) {
                (Some(name), Some(key)) => list.push(TargetRef {
                    parameter,
                    name: name.to_owned(),
                    key: key.to_owned(),
                }),
                _ => out.external.push(parameter),
            }
            Some(())
        });
    }
    r.items(spec.get("env"), &field("env"), |r, i, item| {
        let at = |k: &'static str| move || format!("spec.env[{i}].{k}");
        let parameter = r.text(item.get("parameter"), true, &at("parameter"))?;
        out.env.push(EnvRef {
            parameter,
            name: r
                .text(item.get("name"), true, &at("name"))
                .unwrap_or_default(),
            container_name: r.text(item.get("containerName"), false, &at("containerName")),
        });
        Some(())
    });
    for store in STORES {
        let Some(s) = r.object(spec.get(store), &field(store)) else {
            continue;
        };
        let secrets = move || format!("spec.{store}.secrets");
        // Required: KEDA's CRD gives a store no default list.
        if s.get("secrets").is_none_or(Value::is_null) {
            r.note(&secrets, "an array", s.get("secrets"));
        }
        r.items(s.get("secrets"), &secrets, |r, i, item| {
            let at = move || format!("spec.{store}.secrets[{i}].parameter");
            out.external.push(r.text(item.get("parameter"), true, &at)?);
            Some(())
        });
    }
    let tokens = field("boundServiceAccountToken");
    r.items(
        spec.get("boundServiceAccountToken"),
        &tokens,
        |r, i, item| {
            let at = move || format!("spec.boundServiceAccountToken[{i}].parameter");
            out.external.push(r.text(item.get("parameter"), true, &at)?);
            Some(())
        },
    );
    // A file or an OAuth2 exchange yields parameters the spec does not list.
    let file = r.text(spec.get("filePath"), false, &field("filePath"));
    let oauth2 = r.object(spec.get("oauth2"), &field("oauth2"));
    out.open = file.is_some() || oauth2.is_some();
    (out, r.misfit)
}

/// Notes the first misfit; paths are only built for it.
struct Reader {
    misfit: Option<Misfit>,
}

type Path<'a> = &'a dyn Fn() -> String;

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

impl Reader {
    fn note(&mut self, path: Path<'_>, expected: &'static str, found: Option<&Value>) {
        if self.misfit.is_none() {
            self.misfit = Some(Misfit {
                path: path(),
                expected,
                found: type_of(found),
            });
        }
    }

    /// An object; absent or null is no object (the API server drops nulls).
    fn object<'v>(
        &mut self,
        v: Option<&'v Value>,
        path: Path<'_>,
    ) -> Option<&'v serde_json::Map<String, Value>> {
        match v {
            None | Some(Value::Null) => None,
            Some(Value::Object(o)) => Some(o),
            Some(other) => {
                self.note(path, "an object", Some(other));
                None
            }
        }
    }

    /// A string field.
    fn string<'v>(&mut self, v: Option<&'v Value>, path: Path<'_>) -> Option<&'v str> {
        match v {
            Some(Value::String(s)) => Some(s),
            other => {
                self.note(path, "a string", other);
                None
            }
        }
    }

    /// A string field, or a scalar taken as written (a YAML document may say `parameter: 5`,
    /// which the API server would refuse).
    fn text(&mut self, v: Option<&Value>, required: bool, path: Path<'_>) -> Option<String> {
        let found = match v {
            Some(Value::String(s)) => return Some(s.clone()),
            None | Some(Value::Null) if !required => return None,
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            _ => None,
        };
        self.note(path, "a string", v);
        found
    }

    /// Calls `each` with every object item of a list field (absent or null: none).
    fn items(
        &mut self,
        v: Option<&Value>,
        path: Path<'_>,
        mut each: impl FnMut(&mut Self, usize, &serde_json::Map<String, Value>) -> Option<()>,
    ) {
        let list = match v {
            None | Some(Value::Null) => return,
            Some(Value::Array(list)) => list,
            Some(other) => return self.note(path, "an array", Some(other)),
        };
        for (i, item) in list.iter().enumerate() {
            match item {
                Value::Object(o) => {
                    each(self, i, o);
                }
                other => self.note(&|| format!("{}[{i}]", path()), "an object", Some(other)),
            }
        }
    }
}
