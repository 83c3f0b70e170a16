//! Field ownership for server-side apply: which field manager set which leaf field.
//!
//! Server-side-apply leader election relies on it: an apply without `force` that would change
//! a field another manager owns answers 409 Conflict. Lists are atomic (one leaf), as are scalars;
//! of `metadata`, only labels and annotations are tracked.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// A field path such as `["spec", "holderIdentity"]`.
pub type FieldPath = Vec<String>;

/// Leaf field path -> the managers that own it.
#[derive(Debug, Clone, Default)]
pub struct Ownership {
    owners: BTreeMap<FieldPath, BTreeSet<String>>,
    /// (manager, operation) -> time of its last write, served as `metadata.managedFields`.
    writes: BTreeMap<(String, &'static str), String>,
}

/// How a write claims fields.
pub enum Operation<'a> {
    /// A plain write (create, update, merge/json/strategic patch): claims what it changed.
    Update,
    /// Server-side apply of `body`: claims every leaf the body sets.
    Apply { body: &'a Value, force: bool },
}

/// Every leaf field of an object, skipping identity and server-managed metadata.
pub fn leaves(object: &Value) -> BTreeMap<FieldPath, Value> {
    let mut out = BTreeMap::new();
    if let Some(map) = object.as_object() {
        for (key, value) in map {
            match key.as_str() {
                "apiVersion" | "kind" => {}
                "metadata" => {
                    for tracked in ["labels", "annotations"] {
                        if let Some(inner) = value.get(tracked) {
                            let path = vec!["metadata".to_string(), tracked.to_string()];
                            walk(inner, path, &mut out);
                        }
                    }
                }
                _ => walk(value, vec![key.clone()], &mut out),
            }
        }
    }
    out
}

fn walk(value: &Value, path: FieldPath, out: &mut BTreeMap<FieldPath, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                let mut next = path.clone();
                next.push(key.clone());
                walk(inner, next, out);
            }
        }
        Value::Null => {}
        _ => {
            out.insert(path, value.clone());
        }
    }
}

/// `.spec.holderIdentity`, as conflict messages print a field.
pub fn display(path: &FieldPath) -> String {
    path.iter().map(|p| format!(".{p}")).collect()
}

impl Ownership {
    /// The fields an apply by `manager` of `body` would take from another manager, with that
    /// manager. Empty means no conflict.
    pub fn conflicts(
        &self,
        current: &Value,
        body: &Value,
        manager: &str,
    ) -> Vec<(FieldPath, String)> {
        let current = leaves(current);
        let mut out = Vec::new();
        for (path, value) in leaves(body) {
            let Some(existing) = current.get(&path) else {
                continue;
            };
            if *existing == value {
                continue;
            }
            if let Some(owners) = self.owners.get(&path) {
                if let Some(other) = owners.iter().find(|o| o.as_str() != manager) {
                    out.push((path, other.clone()));
                }
            }
        }
        out
    }

    /// Records a write that turned `old` into `new`.
    pub fn record(&mut self, old: &Value, new: &Value, manager: &str, operation: Operation<'_>) {
        let kind = match operation {
            Operation::Update => "Update",
            Operation::Apply { .. } => "Apply",
        };
        self.writes
            .insert((manager.to_string(), kind), crate::meta::now_rfc3339());
        let old_leaves = leaves(old);
        let new_leaves = leaves(new);
        self.owners.retain(|path, _| new_leaves.contains_key(path));
        for (path, value) in &new_leaves {
            if old_leaves.get(path) != Some(value) {
                self.owners
                    .insert(path.clone(), BTreeSet::from([manager.to_string()]));
            }
        }
        if let Operation::Apply { body, force } = operation {
            for path in leaves(body).into_keys() {
                if !new_leaves.contains_key(&path) {
                    continue;
                }
                let owners = self.owners.entry(path).or_default();
                if force {
                    owners.clear();
                }
                owners.insert(manager.to_string());
            }
        }
    }

    /// `metadata.managedFields` as the API server serves it: one entry per manager and
    /// operation with the time of its last write (without `fieldsV1`, which is optional).
    pub fn managed_fields(&self, api_version: &str) -> Value {
        Value::Array(
            self.writes
                .iter()
                .map(|((manager, operation), time)| {
                    serde_json::json!({
                        "manager": manager,
                        "operation": operation,
                        "apiVersion": api_version,
                        "time": time,
                    })
                })
                .collect(),
        )
    }

    /// The managers of one field (for tests and diagnostics).
    pub fn managers_of(&self, path: &[&str]) -> Vec<String> {
        let key: FieldPath = path.iter().map(|s| s.to_string()).collect();
        self.owners
            .get(&key)
            .map(|set| set.iter().cloned().collect())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn apply_conflicts_only_when_another_manager_owns_a_changed_value() {
        let mut own = Ownership::default();
        let empty = json!({});
        let a = json!({"spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}});
        own.record(
            &empty,
            &a,
            "mgr-a",
            Operation::Apply {
                body: &a,
                force: false,
            },
        );
        assert_eq!(own.managers_of(&["spec", "holderIdentity"]), vec!["mgr-a"]);

        let b = json!({"spec": {"holderIdentity": "b", "leaseDurationSeconds": 15}});
        let conflicts = own.conflicts(&a, &b, "mgr-b");
        assert_eq!(conflicts.len(), 1);
        assert_eq!(display(&conflicts[0].0), ".spec.holderIdentity");
        assert_eq!(conflicts[0].1, "mgr-a");
        // The same value is shared, not a conflict.
        assert!(own
            .conflicts(&a, &json!({"spec": {"leaseDurationSeconds": 15}}), "mgr-b")
            .is_empty());
        // The owner itself never conflicts.
        assert!(own.conflicts(&a, &b, "mgr-a").is_empty());

        // A plain update that removes the field drops its ownership.
        let released = json!({"spec": {"leaseDurationSeconds": 15}});
        own.record(&a, &released, "mgr-a", Operation::Update);
        assert!(own.conflicts(&released, &b, "mgr-b").is_empty());
    }

    #[test]
    fn force_takes_ownership_and_updates_claim_changes() {
        let mut own = Ownership::default();
        let a = json!({"metadata": {"name": "x", "labels": {"l": "1"}}, "spec": {"v": 1}});
        own.record(&json!({}), &a, "a", Operation::Update);
        assert_eq!(own.managers_of(&["metadata", "labels", "l"]), vec!["a"]);
        assert!(own.managers_of(&["metadata", "name"]).is_empty());
        let b = json!({"spec": {"v": 2}});
        let new = json!({"metadata": {"name": "x", "labels": {"l": "1"}}, "spec": {"v": 2}});
        own.record(
            &a,
            &new,
            "b",
            Operation::Apply {
                body: &b,
                force: true,
            },
        );
        assert_eq!(own.managers_of(&["spec", "v"]), vec!["b"]);
        let c = json!({"metadata": {"name": "x", "labels": {"l": "2"}}, "spec": {"v": 2}});
        own.record(&new, &c, "c", Operation::Update);
        assert_eq!(own.managers_of(&["metadata", "labels", "l"]), vec!["c"]);
        assert_eq!(own.managers_of(&["spec", "v"]), vec!["b"]);
    }
}
