//! Server-side apply (`application/apply-patch+yaml`): create when absent, merge otherwise, and
//! refuse (409) to change fields another field manager owns unless `force=true`.

use serde_json::{json, Value};

use crate::fields::{display, Operation};
use crate::ops::{
    answer, check_dns_subdomain, check_name, check_namespace, check_rv, check_type, next_version,
    patch_error, rt_of, set_name, workload_key, Outcome, Sub,
};
use crate::patch::{self, PatchKind};
use crate::registry::ResourceType;
use crate::status::ApiError;
use crate::store::{Key, Store};
use crate::workload;

/// What a server-side apply body claims: on the main resource everything but status (when
/// status is a subresource), on `/status` only status.
fn apply_scope(rt: &ResourceType, body: &Value, sub: Sub) -> Value {
    match sub {
        Sub::Status => match body.get("status") {
            Some(status) => json!({ "status": status }),
            None => json!({}),
        },
        Sub::Main if rt.status => {
            let mut scoped = body.clone();
            if let Some(map) = scoped.as_object_mut() {
                map.remove("status");
            }
            scoped
        }
        _ => body.clone(),
    }
}

pub fn apply(
    store: &mut Store,
    key: &Key,
    sub: Sub,
    body: &[u8],
    manager: Option<&str>,
    force: bool,
) -> Result<Outcome, ApiError> {
    let rt = rt_of(key.res)?;
    let Some(manager) = manager.filter(|m| !m.is_empty()) else {
        return Err(ApiError::new(
            422,
            "Invalid",
            "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
        ));
    };
    let body =
        patch::parse_object(body, PatchKind::Apply).map_err(|e| patch_error(rt, &key.name, e))?;
    for field in ["apiVersion", "kind"] {
        if body
            .get(field)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(ApiError::bad_request(format!(
                "Object '{field}' is missing in apply request body"
            )));
        }
    }
    if sub != Sub::Scale {
        check_type(rt, &body)?;
    }
    check_name(&key.name, &body)?;
    check_namespace(rt, &key.namespace, &body)?;
    let Some(stored) = store.get(key).cloned() else {
        if sub != Sub::Main {
            return Err(ApiError::not_found(rt, &key.name));
        }
        let mut object = apply_scope(rt, &body, sub);
        check_dns_subdomain(rt, &key.name)?;
        set_name(&mut object, &key.name);
        let object = store.insert_new(key.res, &key.namespace, object, manager)?;
        return Ok(Outcome {
            object,
            created: true,
            workload: workload_key(rt, key, sub),
        });
    };
    if sub == Sub::Scale {
        let mut doc = workload::to_scale(&stored);
        check_rv(rt, key, &doc, &body)?;
        patch::merge(&mut doc, &body);
        let new = next_version(rt, key, &stored, &doc, sub)?;
        let object = store.commit_update(key, new, manager, Operation::Update)?;
        return Ok(Outcome {
            object: answer(object, sub),
            created: false,
            workload: workload_key(rt, key, sub),
        });
    }
    check_rv(rt, key, &stored, &body)?;
    let scoped = apply_scope(rt, &body, sub);
    if !force {
        let conflicts = store
            .ownership(key)
            .map(|o| o.conflicts(&stored, &scoped, manager))
            .unwrap_or_default();
        if !conflicts.is_empty() {
            let list: Vec<String> = conflicts
                .iter()
                .map(|(path, other)| format!("conflict with \"{other}\": {}", display(path)))
                .collect();
            let noun = if list.len() == 1 {
                "conflict"
            } else {
                "conflicts"
            };
            return Err(ApiError::new(
                409,
                "Conflict",
                format!(
                    "Apply failed with {} {noun}: {}",
                    list.len(),
                    list.join(", ")
                ),
            ));
        }
    }
    let mut doc = stored.clone();
    patch::merge(&mut doc, &scoped);
    let new = next_version(rt, key, &stored, &doc, sub)?;
    let object = store.commit_update(
        key,
        new,
        manager,
        Operation::Apply {
            body: &scoped,
            force,
        },
    )?;
    Ok(Outcome {
        object: answer(object, sub),
        created: false,
        workload: workload_key(rt, key, sub),
    })
}
