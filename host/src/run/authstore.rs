//! The (Cluster)TriggerAuthentications the controller's watches deliver, kept read by the core
//! so that workers resolve triggers from them instead of reading them again from the API
//! server.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use kube::api::DynamicObject;
use kube::runtime::watcher::Event;
use scalecore::resolve::{self, AuthSpec};
use serde_json::Value;
use tokio::sync::watch;

/// Which watch an event came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    TriggerAuthentication,
    ClusterTriggerAuthentication,
}

impl AuthKind {
    fn bit(self) -> u8 {
        match self {
            AuthKind::TriggerAuthentication => 1,
            AuthKind::ClusterTriggerAuthentication => 2,
        }
    }
}

/// A watched object's spec: as the core's resolver reads it (by the reading the linter uses
/// too), and as served, which KEDA's webhook rules check whole.
pub struct Watched {
    pub auth: AuthSpec,
    pub spec: Value,
}

/// The served spec stays out: it may hold a Vault token inline.
impl fmt::Debug for Watched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Watched").field("auth", &self.auth).finish()
    }
}

/// A watched object, or where its spec does not fit KEDA's schema (an API server under KEDA's
/// CRD stores no such spec). The description names a field and JSON types, never a value.
type Entry = Result<Arc<Watched>, Arc<str>>;

/// (namespace, name); the namespace is empty for a ClusterTriggerAuthentication.
type Key = (String, String);

#[derive(Default)]
struct Maps {
    live: HashMap<(u8, Key), Entry>,
    /// A (re)list in progress, per kind: swapped in whole when it completes, so a deletion
    /// missed while the watch was down disappears.
    relisting: HashMap<u8, HashMap<Key, Entry>>,
}

/// Shared by the controller (which writes it from its watches) and the workers.
pub struct AuthStore {
    maps: RwLock<Maps>,
    /// Kinds listed at least once (a bit per [`AuthKind`]).
    synced: watch::Sender<u8>,
    /// Counts the changes [`AuthStore::apply`] reported, for loops that only need to know.
    changes: watch::Sender<u64>,
}

/// What the store holds under a name.
#[derive(Debug)]
pub enum Lookup {
    Found(Arc<Watched>),
    /// The object exists but its spec does not decode: where (no value).
    Undecodable(Arc<str>),
    NotFound,
}

/// Longest a worker waits for the first list of the watches before trusting the store as it
/// is (a watch the RBAC forbids never lists; its triggers then fail as not found).
const SYNC_WAIT: Duration = Duration::from_secs(30);

impl Default for AuthStore {
    fn default() -> Self {
        AuthStore {
            maps: RwLock::default(),
            synced: watch::Sender::new(0),
            changes: watch::Sender::new(0),
        }
    }
}

fn key_of(kind: AuthKind, obj: &DynamicObject) -> Option<Key> {
    let name = obj.metadata.name.clone()?;
    let ns = match kind {
        AuthKind::TriggerAuthentication => obj.metadata.namespace.clone().unwrap_or_default(),
        AuthKind::ClusterTriggerAuthentication => String::new(),
    };
    Some((ns, name))
}

fn entry(obj: &DynamicObject) -> Entry {
    let spec = obj.data.get("spec").cloned().unwrap_or_default();
    match resolve::decode_auth_spec(&spec) {
        Ok(auth) => Ok(Arc::new(Watched { auth, spec })),
        Err(misfit) => Err(misfit.to_string().into()),
    }
}

impl AuthStore {
    /// Applies one watch event. True when the objects may have changed for running workers
    /// (an object applied or deleted, or a re-list completed after the first one).
    pub fn apply(&self, kind: AuthKind, event: &Event<DynamicObject>) -> bool {
        let changed = self.store(kind, event);
        if changed {
            self.changes.send_modify(|n| *n = n.wrapping_add(1));
        }
        changed
    }

    /// Told of every change [`AuthStore::apply`] reports.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.changes.subscribe()
    }

    fn store(&self, kind: AuthKind, event: &Event<DynamicObject>) -> bool {
        let bit = kind.bit();
        let mut maps = self.maps.write().unwrap_or_else(|e| e.into_inner());
        match event {
            Event::Init => {
                maps.relisting.insert(bit, HashMap::new());
                false
            }
            Event::InitApply(obj) => {
                if let (Some(key), Some(list)) = (key_of(kind, obj), maps.relisting.get_mut(&bit)) {
                    list.insert(key, entry(obj));
                }
                false
            }
            Event::InitDone => {
                let list = maps.relisting.remove(&bit).unwrap_or_default();
                maps.live.retain(|(b, _), _| *b != bit);
                maps.live
                    .extend(list.into_iter().map(|(key, e)| ((bit, key), e)));
                drop(maps);
                let mut first = false;
                self.synced.send_modify(|s| {
                    first = *s & bit == 0;
                    *s |= bit;
                });
                !first
            }
            Event::Apply(obj) => {
                if let Some(key) = key_of(kind, obj) {
                    maps.live.insert((bit, key), entry(obj));
                }
                true
            }
            Event::Delete(obj) => {
                if let Some(key) = key_of(kind, obj) {
                    maps.live.remove(&(bit, key));
                }
                true
            }
        }
    }

    /// Waits (at most [`SYNC_WAIT`]) until both watches listed once.
    pub async fn synced(&self) {
        let mut rx = self.synced.subscribe();
        let _ = tokio::time::timeout(SYNC_WAIT, rx.wait_for(|s| *s == 3)).await;
    }

    pub fn get(&self, kind: AuthKind, namespace: &str, name: &str) -> Lookup {
        let ns = match kind {
            AuthKind::TriggerAuthentication => namespace,
            AuthKind::ClusterTriggerAuthentication => "",
        };
        let maps = self.maps.read().unwrap_or_else(|e| e.into_inner());
        match maps
            .live
            .get(&(kind.bit(), (ns.to_owned(), name.to_owned())))
        {
            Some(Ok(spec)) => Lookup::Found(spec.clone()),
            Some(Err(at)) => Lookup::Undecodable(at.clone()),
            None => Lookup::NotFound,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ta(ns: &str, name: &str, param: &str) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "keda.sh/v1alpha1", "kind": "TriggerAuthentication",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"secretTargetRef": [{"parameter": param, "name": "s", "key": "k"}]},
        }))
        .unwrap()
    }

    fn param(store: &AuthStore, ns: &str, name: &str) -> Option<String> {
        match store.get(AuthKind::TriggerAuthentication, ns, name) {
            Lookup::Found(w) => Some(w.auth.secret_target_ref.first()?.parameter.clone()),
            _ => None,
        }
    }

    #[test]
    fn a_relist_replaces_the_objects_and_drops_what_was_deleted_meanwhile() {
        let store = AuthStore::default();
        let kind = AuthKind::TriggerAuthentication;
        assert!(!store.apply(kind, &Event::Init));
        store.apply(kind, &Event::InitApply(ta("shop", "a", "one")));
        store.apply(kind, &Event::InitApply(ta("shop", "b", "one")));
        // Not visible before the list completes.
        assert_eq!(param(&store, "shop", "a"), None);
        assert!(
            !store.apply(kind, &Event::InitDone),
            "the first list changes nothing"
        );
        assert_eq!(param(&store, "shop", "a").as_deref(), Some("one"));
        assert!(store.apply(kind, &Event::Apply(ta("shop", "a", "two"))));
        assert_eq!(param(&store, "shop", "a").as_deref(), Some("two"));
        // Same name, other namespace: not the same object.
        assert_eq!(param(&store, "other", "a"), None);
        store.apply(kind, &Event::Init);
        store.apply(kind, &Event::InitApply(ta("shop", "a", "three")));
        assert!(store.apply(kind, &Event::InitDone));
        assert_eq!(param(&store, "shop", "a").as_deref(), Some("three"));
        assert_eq!(param(&store, "shop", "b"), None);
        assert!(store.apply(kind, &Event::Delete(ta("shop", "a", "three"))));
        assert!(matches!(store.get(kind, "shop", "a"), Lookup::NotFound));
    }

    #[test]
    fn a_spec_that_does_not_decode_is_held_as_such() {
        let store = AuthStore::default();
        let mut bad = ta("shop", "a", "p");
        bad.data["spec"]["secretTargetRef"] = json!("not a list");
        store.apply(AuthKind::TriggerAuthentication, &Event::Apply(bad));
        match store.get(AuthKind::TriggerAuthentication, "shop", "a") {
            // Where it breaks, not the value ("not a list").
            Lookup::Undecodable(at) => assert_eq!(
                &*at,
                "schema error at spec.secretTargetRef: expected an array, found a string"
            ),
            other => panic!("{other:?}"),
        }
    }
}
