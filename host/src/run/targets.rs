//! The replica counts of the Deployments and StatefulSets that ScaledObjects scale, as a watch
//! keeps them.
//!
//! Reading `/scale` at every KEDA poll and every HPA sync costs one API request per
//! ScaledObject per tick: at 10,000 ScaledObjects, thousands a second, for numbers that rarely
//! change. KEDA reads these two kinds from its informer cache; the host does the same, keeping
//! only the two counts of each object, not the object. Any other kind, a watch that has not
//! finished its first list (no RBAC to list, say), or a target the watch has not seen yet is
//! read through `/scale` as before.

use std::collections::HashMap;
use std::sync::Mutex;

use futures::StreamExt;
use kube::api::{Api, ApiResource, GroupVersionKind};
use kube::core::Object;
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use kube::Client;
use serde::Deserialize;

use super::kubeapi::ScaleView;
use super::objects::TargetRef;

/// `spec.replicas` and `status.replicas`: all a watched object is decoded into besides its
/// metadata.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Replicas {
    #[serde(default)]
    replicas: Option<i32>,
}

type Counted = Object<Replicas, Replicas>;

/// The kinds watched, in the order of [`Targets::kinds`].
const KINDS: [&str; 2] = ["Deployment", "StatefulSet"];

type Key = (String, String);

#[derive(Default)]
struct Cache {
    /// True once the first list finished: from then on an absent key is a target the watch
    /// has not seen (just created, or gone), and a present one is current.
    listed: bool,
    /// What a (re)list has delivered so far; swapped in when it is done, so objects deleted
    /// while the watch was down go.
    relisting: Option<HashMap<Key, ScaleView>>,
    views: HashMap<Key, ScaleView>,
}

/// One cache per kind of [`KINDS`], shared by every worker.
#[derive(Default)]
pub struct Targets {
    kinds: [Mutex<Cache>; 2],
}

fn view(obj: &Counted) -> Option<(Key, ScaleView)> {
    let key = (obj.metadata.namespace.clone()?, obj.metadata.name.clone()?);
    let spec = obj.spec.replicas.map_or(0, i64::from);
    let status = obj
        .status
        .as_ref()
        .and_then(|s| s.replicas)
        .map_or(0, i64::from);
    Some((
        key,
        ScaleView {
            spec_replicas: spec,
            status_replicas: status,
        },
    ))
}

impl Targets {
    fn cache(&self, target: &TargetRef) -> Option<&Mutex<Cache>> {
        if target.api_version != "apps/v1" {
            return None;
        }
        let i = KINDS.iter().position(|k| *k == target.kind)?;
        self.kinds.get(i)
    }

    /// The target's counts, when the watch knows them.
    pub fn get(&self, namespace: &str, target: &TargetRef) -> Option<ScaleView> {
        let cache = self
            .cache(target)?
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if !cache.listed {
            return None;
        }
        // The key is built only for kinds that are watched; a lookup by borrowed pair
        // would need a second map type for a saving of two short allocations.
        cache
            .views
            .get(&(namespace.to_owned(), target.name.clone()))
            .copied()
    }

    /// After a write through `/scale`: the next tick must not see the old count if it runs
    /// before the watch delivers the change.
    pub fn wrote(&self, namespace: &str, target: &TargetRef, replicas: i64) {
        if let Some(cache) = self.cache(target) {
            let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(v) = cache
                .views
                .get_mut(&(namespace.to_owned(), target.name.clone()))
            {
                v.spec_replicas = replicas;
            }
        }
    }

    /// Forgets everything (a new leadership term watches anew).
    pub fn clear(&self) {
        for cache in &self.kinds {
            *cache.lock().unwrap_or_else(|p| p.into_inner()) = Cache::default();
        }
    }

    fn on_event(&self, kind: usize, event: Event<Counted>) {
        let Some(cache) = self.kinds.get(kind) else {
            return;
        };
        let mut cache = cache.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Event::Init => cache.relisting = Some(HashMap::new()),
            Event::InitApply(obj) => {
                if let (Some((key, v)), Some(fresh)) = (view(&obj), cache.relisting.as_mut()) {
                    fresh.insert(key, v);
                }
            }
            Event::InitDone => {
                if let Some(fresh) = cache.relisting.take() {
                    cache.views = fresh;
                }
                cache.listed = true;
            }
            Event::Apply(obj) => {
                if let Some((key, v)) = view(&obj) {
                    cache.views.insert(key, v);
                }
            }
            Event::Delete(obj) => {
                if let Some((key, _)) = view(&obj) {
                    cache.views.remove(&key);
                }
            }
        }
    }

    /// Watches both kinds (in `namespace`, or everywhere) until dropped.
    pub async fn watch(&self, client: Client, namespace: Option<String>) {
        let streams = KINDS.iter().enumerate().map(|(i, kind)| {
            let ar = ApiResource::from_gvk(&GroupVersionKind::gvk("apps", "v1", kind));
            let api: Api<Counted> = match &namespace {
                Some(ns) => Api::namespaced_with(client.clone(), ns, &ar),
                None => Api::all_with(client.clone(), &ar),
            };
            watcher::watcher(api, watcher::Config::default())
                .default_backoff()
                .map(move |e| (i, e))
        });
        let mut events = futures::stream::select_all(streams.map(Box::pin));
        while let Some((kind, event)) = events.next().await {
            match event {
                Ok(event) => self.on_event(kind, event),
                // Until the first list succeeds, `/scale` serves the workers.
                Err(e) => {
                    tracing::debug!(kind = KINDS[kind], error = %e, "target watch failed; retrying")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(ns: &str, name: &str, spec: i32, status: i32) -> Counted {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"namespace": ns, "name": name},
            "spec": {"replicas": spec, "template": {"spec": {"containers": []}}},
            "status": {"replicas": status, "readyReplicas": status}
        }))
        .unwrap()
    }

    fn target(kind: &str, name: &str) -> TargetRef {
        TargetRef {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: name.into(),
            env_source_container_name: None,
        }
    }

    #[test]
    fn counts_serve_only_after_the_first_list_and_relists_drop_the_deleted() {
        let t = Targets::default();
        let web = target("Deployment", "web");
        t.on_event(0, Event::Init);
        t.on_event(0, Event::InitApply(obj("a", "web", 3, 2)));
        t.on_event(0, Event::InitApply(obj("a", "old", 1, 1)));
        assert_eq!(t.get("a", &web), None, "not listed yet");
        t.on_event(0, Event::InitDone);
        let v = t.get("a", &web).unwrap();
        assert_eq!((v.spec_replicas, v.status_replicas), (3, 2));
        // Another kind, another group, or another namespace is not served from this cache.
        assert_eq!(t.get("a", &target("StatefulSet", "web")), None);
        let mut rollout = target("Rollout", "web");
        rollout.api_version = "argoproj.io/v1alpha1".into();
        assert_eq!(t.get("a", &rollout), None);
        assert_eq!(t.get("b", &web), None);

        t.wrote("a", &web, 7);
        assert_eq!(t.get("a", &web).unwrap().spec_replicas, 7);
        t.on_event(0, Event::Apply(obj("a", "web", 7, 7)));
        assert_eq!(t.get("a", &web).unwrap().status_replicas, 7);

        // A relist after the watch was down: "old" was deleted meanwhile.
        t.on_event(0, Event::Init);
        t.on_event(0, Event::InitApply(obj("a", "web", 7, 7)));
        assert!(
            t.get("a", &target("Deployment", "old")).is_some(),
            "served until the relist is done"
        );
        t.on_event(0, Event::InitDone);
        assert_eq!(t.get("a", &target("Deployment", "old")), None);
        t.on_event(0, Event::Delete(obj("a", "web", 7, 7)));
        assert_eq!(t.get("a", &web), None);
        t.clear();
        t.on_event(0, Event::Apply(obj("a", "web", 1, 1)));
        assert_eq!(t.get("a", &web), None, "a new term waits for its own list");
    }
}
