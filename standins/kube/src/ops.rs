//! The write verbs (create, replace, patch; server-side apply is in `ssa`) on the main resource
//! and its `/status` and `/scale` subresources, with the API server's optimistic-concurrency
//! rules, and the administrator's `apply` of the control API.

use serde_json::{json, Value};

use crate::fields::Operation;
use crate::patch::{self, PatchError, PatchKind};
use crate::registry::{self, ResourceType};
use crate::ssa;
use crate::status::ApiError;
use crate::store::{rv_of, Key, Store};
use crate::workload;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sub {
    Main,
    Status,
    Scale,
}

/// The result of a write.
pub struct Outcome {
    /// The object (or `Scale`) to answer with.
    pub object: Value,
    pub created: bool,
    /// A workload whose spec may have changed, for the controller.
    pub workload: Option<Key>,
}

pub(crate) fn rt_of(res: usize) -> Result<&'static ResourceType, ApiError> {
    registry::get(res).ok_or_else(ApiError::no_such_resource)
}

fn parse_json(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("invalid JSON in request body: {e}")))?;
    if !value.is_object() {
        return Err(ApiError::bad_request(
            "the request body must be a JSON object",
        ));
    }
    Ok(value)
}

pub(crate) fn patch_error(rt: &ResourceType, name: &str, e: PatchError) -> ApiError {
    match e {
        PatchError::Malformed(m) => ApiError::bad_request(m),
        PatchError::Unprocessable(m) => ApiError::invalid(rt, name, m),
    }
}

pub(crate) fn workload_key(rt: &ResourceType, key: &Key, sub: Sub) -> Option<Key> {
    (rt.is_workload() && sub != Sub::Status).then(|| key.clone())
}

/// The body's namespace must agree with the URL's.
pub(crate) fn check_namespace(
    rt: &ResourceType,
    namespace: &str,
    body: &Value,
) -> Result<(), ApiError> {
    match body.pointer("/metadata/namespace").and_then(Value::as_str) {
        Some(ns) if rt.namespaced && !ns.is_empty() && ns != namespace => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
        _ => Ok(()),
    }
}

/// A body's `apiVersion` and `kind`, when given, must be the resource's.
pub(crate) fn check_type(rt: &ResourceType, body: &Value) -> Result<(), ApiError> {
    let api_version = rt.api_version();
    match body.get("apiVersion").and_then(Value::as_str) {
        Some(given) if !given.is_empty() && given != api_version => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({given}) does not match the expected API version ({api_version})"
            )))
        }
        _ => {}
    }
    match body.get("kind").and_then(Value::as_str) {
        Some(given) if !given.is_empty() && given != rt.kind => {
            Err(ApiError::bad_request(format!(
                "the kind in the data ({given}) does not match the expected kind ({})",
                rt.kind
            )))
        }
        _ => Ok(()),
    }
}

pub(crate) fn check_name(name: &str, body: &Value) -> Result<(), ApiError> {
    match body.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() && n != name => Err(ApiError::bad_request(format!(
            "the name of the object ({n}) does not match the name on the URL ({name})"
        ))),
        _ => Ok(()),
    }
}

/// Object names are DNS subdomains: at most 253 lowercase alphanumerics, `-` and `.`,
/// starting and ending with an alphanumeric.
pub(crate) fn check_dns_subdomain(rt: &ResourceType, name: &str) -> Result<(), ApiError> {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let valid = !name.is_empty()
        && name.len() <= 253
        && name.chars().all(|c| alnum(c) || c == '-' || c == '.')
        && name.starts_with(alnum)
        && name.ends_with(alnum);
    if valid {
        Ok(())
    } else {
        Err(ApiError::invalid(
            rt,
            name,
            "metadata.name: Invalid value: a lowercase RFC 1123 subdomain must consist of lower case \
             alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        ))
    }
}

pub(crate) fn set_name(object: &mut Value, name: &str) {
    if let Some(map) = object.as_object_mut() {
        let meta = map.entry("metadata").or_insert(json!({}));
        if let Some(meta) = meta.as_object_mut() {
            meta.insert("name".to_string(), json!(name));
        }
    }
}

fn take_status(from: &Value, into: &mut Value) {
    if let Some(map) = into.as_object_mut() {
        match from.get("status") {
            Some(status) => map.insert("status".to_string(), status.clone()),
            None => map.remove("status"),
        };
    }
}

/// POST to a collection.
pub fn create(
    store: &mut Store,
    res: usize,
    namespace: &str,
    body: &[u8],
    manager: &str,
) -> Result<Outcome, ApiError> {
    let rt = rt_of(res)?;
    let mut object = parse_json(body)?;
    check_type(rt, &object)?;
    check_namespace(rt, namespace, &object)?;
    let name = match object.pointer("/metadata/name").and_then(Value::as_str) {
        Some(n) if !n.is_empty() => n.to_string(),
        _ => match object
            .pointer("/metadata/generateName")
            .and_then(Value::as_str)
        {
            Some(prefix) if !prefix.is_empty() => format!("{prefix}{}", store.name_suffix()),
            _ => {
                return Err(ApiError::invalid(
                    rt,
                    "",
                    "metadata.name: Required value: name or generateName is required",
                ))
            }
        },
    };
    check_dns_subdomain(rt, &name)?;
    set_name(&mut object, &name);
    if rt.status {
        if let Some(map) = object.as_object_mut() {
            map.remove("status");
        }
    }
    let object = store.insert_new(res, namespace, object, manager)?;
    let key = Key {
        res,
        namespace: namespace.to_string(),
        name,
    };
    Ok(Outcome {
        object,
        created: true,
        workload: workload_key(rt, &key, Sub::Main),
    })
}

fn current(store: &Store, key: &Key) -> Result<Value, ApiError> {
    let rt = rt_of(key.res)?;
    store
        .get(key)
        .cloned()
        .ok_or_else(|| ApiError::not_found(rt, &key.name))
}

/// 409 when `candidate` carries a resourceVersion other than the stored one.
pub(crate) fn check_rv(
    rt: &ResourceType,
    key: &Key,
    stored: &Value,
    candidate: &Value,
) -> Result<(), ApiError> {
    match rv_of(candidate) {
        Some(rv) if Some(rv) != rv_of(stored) => Err(ApiError::conflict(rt, &key.name)),
        _ => Ok(()),
    }
}

/// GET of an object or one of its subresources.
pub fn read(store: &Store, key: &Key, sub: Sub) -> Result<Value, ApiError> {
    check_sub(rt_of(key.res)?, sub)?;
    let object = current(store, key)?;
    Ok(if sub == Sub::Scale {
        workload::to_scale(&object)
    } else {
        object
    })
}

/// Builds the object to store from a written document, by subresource. `doc` is the full object
/// (main, status) or a `Scale` (scale).
pub(crate) fn next_version(
    rt: &ResourceType,
    key: &Key,
    stored: &Value,
    doc: &Value,
    sub: Sub,
) -> Result<Value, ApiError> {
    match sub {
        Sub::Main => {
            let mut new = doc.clone();
            if rt.status {
                take_status(stored, &mut new);
            }
            Ok(new)
        }
        Sub::Status => {
            let mut new = stored.clone();
            take_status(doc, &mut new);
            Ok(new)
        }
        Sub::Scale => {
            let replicas = workload::replicas_from_scale(rt, &key.name, doc)?;
            let mut new = stored.clone();
            if let Some(spec) = new.get_mut("spec").and_then(Value::as_object_mut) {
                spec.insert("replicas".to_string(), json!(replicas));
            } else if let Some(map) = new.as_object_mut() {
                map.insert("spec".to_string(), json!({"replicas": replicas}));
            }
            Ok(new)
        }
    }
}

pub(crate) fn answer(object: Value, sub: Sub) -> Value {
    if sub == Sub::Scale {
        workload::to_scale(&object)
    } else {
        object
    }
}

fn check_sub(rt: &ResourceType, sub: Sub) -> Result<(), ApiError> {
    let ok = match sub {
        Sub::Main => true,
        Sub::Status => rt.status,
        Sub::Scale => rt.scale,
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::no_such_resource())
    }
}

/// PUT of an object or subresource.
pub fn replace(
    store: &mut Store,
    key: &Key,
    sub: Sub,
    body: &[u8],
    manager: &str,
) -> Result<Outcome, ApiError> {
    let rt = rt_of(key.res)?;
    check_sub(rt, sub)?;
    let doc = parse_json(body)?;
    if sub != Sub::Scale {
        check_type(rt, &doc)?;
    }
    check_name(&key.name, &doc)?;
    check_namespace(rt, &key.namespace, &doc)?;
    let stored = current(store, key)?;
    check_rv(rt, key, &stored, &doc)?;
    let new = next_version(rt, key, &stored, &doc, sub)?;
    let object = store.commit_update(key, new, manager, Operation::Update)?;
    Ok(Outcome {
        object: answer(object, sub),
        created: false,
        workload: workload_key(rt, key, sub),
    })
}

/// PATCH of an object or subresource. `manager` is the `fieldManager` query parameter.
pub fn patch(
    store: &mut Store,
    key: &Key,
    sub: Sub,
    kind: PatchKind,
    body: &[u8],
    manager: Option<&str>,
    force: bool,
) -> Result<Outcome, ApiError> {
    let rt = rt_of(key.res)?;
    check_sub(rt, sub)?;
    if kind == PatchKind::Apply {
        return ssa::apply(store, key, sub, body, manager, force);
    }
    let manager = manager.unwrap_or("unknown");
    let stored = current(store, key)?;
    let mut doc = if sub == Sub::Scale {
        workload::to_scale(&stored)
    } else {
        stored.clone()
    };
    let base = doc.clone();
    patch::apply(&mut doc, kind, body).map_err(|e| patch_error(rt, &key.name, e))?;
    check_rv(rt, key, &base, &doc)?;
    check_name(&key.name, &doc)?;
    let new = next_version(rt, key, &stored, &doc, sub)?;
    let object = store.commit_update(key, new, manager, Operation::Update)?;
    Ok(Outcome {
        object: answer(object, sub),
        created: false,
        workload: workload_key(rt, key, sub),
    })
}

/// Creates or replaces an object as an administrator would (`kubectl apply` of a full object):
/// status is kept as given, or kept from the stored object when the new one has none.
pub fn admin_apply(store: &mut Store, mut object: Value) -> Result<Outcome, ApiError> {
    let api_version = object
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or("");
    let res = registry::by_api_version(api_version, kind).ok_or_else(|| {
        ApiError::bad_request(format!(
            "no resource {kind} in {api_version} is served by the stand-in"
        ))
    })?;
    let rt = rt_of(res)?;
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    check_dns_subdomain(rt, &name)?;
    let namespace = if rt.namespaced {
        object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default")
            .to_string()
    } else {
        String::new()
    };
    let explicit_status = object.get("status").is_some();
    let key = Key {
        res,
        namespace: namespace.clone(),
        name,
    };
    let workload = (rt.is_workload() && !explicit_status).then(|| key.clone());
    if let Some(stored) = store.get(&key).cloned() {
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        if !explicit_status {
            take_status(&stored, &mut object);
        }
        let object = store.commit_update(&key, object, "admin", Operation::Update)?;
        Ok(Outcome {
            object,
            created: false,
            workload,
        })
    } else {
        let object = store.insert_new(res, &namespace, object, "admin")?;
        Ok(Outcome {
            object,
            created: true,
            workload,
        })
    }
}
