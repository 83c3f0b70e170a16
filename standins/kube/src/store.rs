//! The object store: objects by (resource, namespace, name), one global resourceVersion, the
//! change feed and history for watches, and field ownership for server-side apply.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};
use tokio::sync::broadcast;

use crate::defaults;
use crate::fields::{Operation, Ownership};
use crate::history::History;
use crate::meta;
use crate::registry::{self, ResourceType};
use crate::selector::Selector;
use crate::status::ApiError;

/// Where an object lives. Cluster-scoped objects have an empty namespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub res: usize,
    pub namespace: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as replayed to watchers.
#[derive(Debug, Clone)]
pub struct WatchEvent {
    pub rv: u64,
    pub event_type: EventType,
    pub res: usize,
    pub namespace: String,
    pub object: Value,
    /// For MODIFIED: the version before, so selector watches can turn it into ADDED/DELETED.
    pub previous: Option<Value>,
}

/// What the store broadcasts to open watch streams.
#[derive(Debug, Clone)]
pub enum Bus {
    Event(Arc<WatchEvent>),
    /// Close every open watch stream now (a fault, or shutdown).
    DropWatches,
}

/// Where a new watch starts.
pub enum WatchStart {
    /// Events to send first (replayed or synthetic ADDED), then live ones from the receiver.
    Ready {
        initial: Vec<Arc<WatchEvent>>,
        current_rv: u64,
        live: broadcast::Receiver<Bus>,
    },
    /// The requested resourceVersion is older than the retained history.
    Expired(ApiError),
}

pub struct Store {
    objects: BTreeMap<Key, Value>,
    ownership: BTreeMap<Key, Ownership>,
    rv: u64,
    history: History,
    bus: broadcast::Sender<Bus>,
    seed: u64,
    counter: u64,
}

pub fn rv_of(object: &Value) -> Option<&str> {
    object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn set_meta(object: &mut Value, field: &str, value: Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert(field.to_string(), value);
    }
}

/// The parts of an object whose change bumps `metadata.generation`.
fn generation_relevant(rt: &ResourceType, object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        map.remove("metadata");
        if rt.status {
            map.remove("status");
        }
    }
    copy
}

impl Store {
    pub fn new() -> Self {
        let (bus, _) = broadcast::channel(4096);
        let mut store = Store {
            objects: BTreeMap::new(),
            ownership: BTreeMap::new(),
            rv: 0,
            history: History::new(),
            bus,
            seed: meta::seed(),
            counter: 0,
        };
        if let Some(ns) = registry::by_api_version("v1", "Namespace") {
            for name in ["default", "kube-system"] {
                let object = json!({"metadata": {"name": name}, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}});
                let _ = store.insert_new(ns, "", object, "kube-apiserver");
            }
        }
        store
    }

    pub fn current_rv(&self) -> u64 {
        self.rv
    }

    pub fn get(&self, key: &Key) -> Option<&Value> {
        self.objects.get(key)
    }

    pub fn ownership(&self, key: &Key) -> Option<&Ownership> {
        self.ownership.get(key)
    }

    /// Objects of one resource, in one namespace or all (`None`), matching a selector.
    pub fn list(&self, res: usize, namespace: Option<&str>, selector: &Selector) -> Vec<Value> {
        self.objects
            .iter()
            .filter(|(k, _)| k.res == res && namespace.is_none_or(|ns| k.namespace == ns))
            .filter(|(_, v)| selector.matches(v))
            .map(|(_, v)| v.clone())
            .collect()
    }

    /// One page of [`Store::list`]: at most `limit` objects (all when 0) whose (namespace,
    /// name) comes after `after`, in key order, and whether more follow.
    pub fn list_page(
        &self,
        res: usize,
        namespace: Option<&str>,
        selector: &Selector,
        after: Option<(&str, &str)>,
        limit: usize,
    ) -> (Vec<Value>, bool) {
        let mut matching = self
            .objects
            .iter()
            .filter(|(k, _)| k.res == res && namespace.is_none_or(|ns| k.namespace == ns))
            .filter(|(k, _)| after.is_none_or(|a| (k.namespace.as_str(), k.name.as_str()) > a))
            .filter(|(_, v)| selector.matches(v))
            .map(|(_, v)| v);
        if limit == 0 {
            return (matching.cloned().collect(), false);
        }
        let page: Vec<Value> = matching.by_ref().take(limit).cloned().collect();
        (page, matching.next().is_some())
    }

    /// Every object of one resource, in any namespace.
    pub fn all_of(&self, res: usize) -> Vec<Value> {
        self.list(res, None, &Selector::default())
    }

    fn next_rv(&mut self) -> u64 {
        self.rv += 1;
        self.rv
    }

    /// A fresh `generateName` suffix.
    pub fn name_suffix(&mut self) -> String {
        self.counter += 1;
        meta::name_suffix(self.seed, self.counter)
    }

    fn emit(
        &mut self,
        event_type: EventType,
        key: &Key,
        object: &Value,
        rv: u64,
        previous: Option<Value>,
    ) {
        let event = Arc::new(WatchEvent {
            rv,
            event_type,
            res: key.res,
            namespace: key.namespace.clone(),
            object: object.clone(),
            previous,
        });
        self.history.push(event.clone());
        // No receivers is normal (no watch open).
        let _ = self.bus.send(Bus::Event(event));
    }

    /// Stores a new object under `name` (already checked absent), assigning server metadata.
    pub fn insert_new(
        &mut self,
        res: usize,
        namespace: &str,
        mut object: Value,
        manager: &str,
    ) -> Result<Value, ApiError> {
        let rt = registry::get(res).ok_or_else(ApiError::no_such_resource)?;
        defaults::apply(rt, &mut object);
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let key = Key {
            res,
            namespace: namespace.to_string(),
            name: name.clone(),
        };
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(rt, &name));
        }
        let rv = self.next_rv();
        self.counter += 1;
        if let Some(map) = object.as_object_mut() {
            map.insert("apiVersion".to_string(), json!(rt.api_version()));
            map.insert("kind".to_string(), json!(rt.kind));
        }
        if rt.namespaced {
            set_meta(&mut object, "namespace", json!(namespace));
        } else if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("namespace");
        }
        set_meta(
            &mut object,
            "uid",
            json!(meta::uid(self.seed, self.counter)),
        );
        set_meta(&mut object, "resourceVersion", json!(rv.to_string()));
        set_meta(&mut object, "creationTimestamp", json!(meta::now_rfc3339()));
        set_meta(&mut object, "generation", json!(1));
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("deletionTimestamp");
            meta.remove("managedFields");
        }
        let mut ownership = Ownership::default();
        ownership.record(&json!({}), &object, manager, Operation::Update);
        set_meta(
            &mut object,
            "managedFields",
            ownership.managed_fields(&rt.api_version()),
        );
        self.ownership.insert(key.clone(), ownership);
        self.objects.insert(key.clone(), object.clone());
        self.emit(EventType::Added, &key, &object, rv, None);
        Ok(object)
    }

    /// Replaces an existing object with `new`, keeping server-managed metadata. An update that
    /// changes nothing keeps the resourceVersion and emits no event, as the API server does.
    pub fn commit_update(
        &mut self,
        key: &Key,
        mut new: Value,
        manager: &str,
        operation: Operation<'_>,
    ) -> Result<Value, ApiError> {
        let rt = registry::get(key.res).ok_or_else(ApiError::no_such_resource)?;
        let old = self
            .objects
            .get(key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(rt, &key.name))?;
        defaults::apply(rt, &mut new);
        if let (Some(new_map), Some(old_map)) = (new.as_object_mut(), old.as_object()) {
            new_map.insert("apiVersion".to_string(), json!(rt.api_version()));
            new_map.insert("kind".to_string(), json!(rt.kind));
            let old_meta = old_map.get("metadata").cloned().unwrap_or(json!({}));
            let meta = new_map.entry("metadata").or_insert(json!({}));
            if let Some(meta) = meta.as_object_mut() {
                for field in [
                    "name",
                    "namespace",
                    "uid",
                    "creationTimestamp",
                    "generation",
                    "resourceVersion",
                    "deletionTimestamp",
                ] {
                    match old_meta.get(field) {
                        Some(v) => meta.insert(field.to_string(), v.clone()),
                        None => meta.remove(field),
                    };
                }
                meta.remove("managedFields");
            }
        }
        let mut old_without_fields = old.clone();
        if let Some(meta) = old_without_fields
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
        {
            meta.remove("managedFields");
        }
        if new == old_without_fields {
            return Ok(old);
        }
        if generation_relevant(rt, &new) != generation_relevant(rt, &old) {
            let generation = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            set_meta(&mut new, "generation", json!(generation.saturating_add(1)));
        }
        let terminating = new.pointer("/metadata/deletionTimestamp").is_some();
        let finalizers_empty = new
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
        if terminating && finalizers_empty {
            return self.remove(key);
        }
        let rv = self.next_rv();
        set_meta(&mut new, "resourceVersion", json!(rv.to_string()));
        let ownership = self.ownership.entry(key.clone()).or_default();
        ownership.record(&old, &new, manager, operation);
        set_meta(
            &mut new,
            "managedFields",
            ownership.managed_fields(&rt.api_version()),
        );
        self.objects.insert(key.clone(), new.clone());
        self.emit(EventType::Modified, key, &new, rv, Some(old));
        Ok(new)
    }

    /// Deletes an object, or marks it terminating while it still has finalizers.
    pub fn delete(&mut self, key: &Key) -> Result<Value, ApiError> {
        let rt = registry::get(key.res).ok_or_else(ApiError::no_such_resource)?;
        let current = self
            .objects
            .get(key)
            .ok_or_else(|| ApiError::not_found(rt, &key.name))?;
        let has_finalizers = current
            .pointer("/metadata/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty());
        if !has_finalizers {
            return self.remove(key);
        }
        if current.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(current.clone());
        }
        let previous = current.clone();
        let mut marked = current.clone();
        let rv = self.next_rv();
        set_meta(&mut marked, "deletionTimestamp", json!(meta::now_rfc3339()));
        set_meta(&mut marked, "resourceVersion", json!(rv.to_string()));
        self.objects.insert(key.clone(), marked.clone());
        self.emit(EventType::Modified, key, &marked, rv, Some(previous));
        Ok(marked)
    }

    fn remove(&mut self, key: &Key) -> Result<Value, ApiError> {
        let rt = registry::get(key.res).ok_or_else(ApiError::no_such_resource)?;
        let mut object = self
            .objects
            .remove(key)
            .ok_or_else(|| ApiError::not_found(rt, &key.name))?;
        self.ownership.remove(key);
        let rv = self.next_rv();
        set_meta(&mut object, "resourceVersion", json!(rv.to_string()));
        self.emit(EventType::Deleted, key, &object, rv, None);
        Ok(object)
    }

    /// A receiver of every change from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Bus> {
        self.bus.subscribe()
    }

    /// Forgets the event history: a watch from any older resourceVersion now gets 410 Expired.
    pub fn compact(&mut self) {
        self.history.compact(self.rv);
    }

    pub fn set_history_cap(&mut self, cap: usize) {
        self.history.set_cap(cap);
    }

    /// Closes every open watch stream.
    pub fn drop_watches(&self) {
        let _ = self.bus.send(Bus::DropWatches);
    }

    /// 410 for a LIST at an exact resourceVersion that is no longer retained.
    pub fn check_list_rv(&self, rv: u64) -> Result<(), ApiError> {
        self.history.check(rv, self.rv)
    }

    /// Starts a watch of one resource (one namespace or all). `since`: `None` or `Some(0)` means
    /// "current state first" (synthetic ADDED events); otherwise events newer than it.
    pub fn watch(&self, res: usize, namespace: Option<&str>, since: Option<u64>) -> WatchStart {
        let live = self.bus.subscribe();
        let in_scope = |ns: &str| namespace.is_none_or(|want| want == ns);
        let initial = match since {
            None | Some(0) => self
                .objects
                .iter()
                .filter(|(k, _)| k.res == res && in_scope(&k.namespace))
                .map(|(k, v)| {
                    Arc::new(WatchEvent {
                        rv: rv_of(v).and_then(|s| s.parse().ok()).unwrap_or(0),
                        event_type: EventType::Added,
                        res,
                        namespace: k.namespace.clone(),
                        object: v.clone(),
                        previous: None,
                    })
                })
                .collect(),
            Some(from) => match self.history.check(from, self.rv) {
                Err(expired) => return WatchStart::Expired(expired),
                Ok(()) => self
                    .history
                    .since(from, |e| e.res == res && in_scope(&e.namespace)),
            },
        };
        WatchStart::Ready {
            initial,
            current_rv: self.rv,
            live,
        }
    }
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}
