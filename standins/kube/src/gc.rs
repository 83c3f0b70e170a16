//! The garbage collector's share of a DELETE: with `propagationPolicy: Background` or
//! `Foreground`, the objects whose `ownerReferences` name the deleted object are deleted too
//! (their own dependents after them); with `Orphan` they stay. Without a policy the API
//! server's default applies: Background, except for a batch/v1 Job, whose default is still to
//! orphan its pods (which is why KEDA sends Background when it deletes a Job).

use serde_json::Value;

use crate::registry::{self, RESOURCES};
use crate::selector::Selector;
use crate::status::ApiError;
use crate::store::{Key, Store};

/// How far a chain of owners is followed (Job -> Pod is one step).
const MAX_DEPTH: usize = 8;

/// Whether deleting an object of `res` with these DeleteOptions deletes its dependents.
pub fn cascades(res: usize, options: &Value) -> bool {
    if options.get("orphanDependents").and_then(Value::as_bool) == Some(true) {
        return false;
    }
    match options.get("propagationPolicy").and_then(Value::as_str) {
        Some("Orphan") => false,
        Some(_) => true,
        None => registry::get(res).is_none_or(|rt| !(rt.group == "batch" && rt.kind == "Job")),
    }
}

/// Deletes the dependents of the object with `uid` in `namespace` ("" for cluster-scoped
/// owners: their dependents may be anywhere), depth first.
pub fn delete_dependents(
    store: &mut Store,
    namespace: &str,
    uid: &str,
    depth: usize,
) -> Result<(), ApiError> {
    if uid.is_empty() || depth >= MAX_DEPTH {
        return Ok(());
    }
    let mut dependents = Vec::new();
    for (res, rt) in RESOURCES.iter().enumerate() {
        let scope = (rt.namespaced && !namespace.is_empty()).then_some(namespace);
        for object in store.list(res, scope, &Selector::default()) {
            let owned = object
                .pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|refs| {
                    refs.iter()
                        .any(|r| r.get("uid").and_then(Value::as_str) == Some(uid))
                });
            if !owned {
                continue;
            }
            let text = |p: &str| {
                object
                    .pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned()
            };
            dependents.push((
                Key {
                    res,
                    namespace: text("/metadata/namespace"),
                    name: text("/metadata/name"),
                },
                text("/metadata/uid"),
            ));
        }
    }
    for (key, child) in dependents {
        let child_ns = key.namespace.clone();
        // Gone already (a dependent of two deleted owners) is not an error.
        if store.get(&key).is_some() {
            store.delete(&key)?;
        }
        delete_dependents(store, &child_ns, &child, depth + 1)?;
    }
    Ok(())
}
