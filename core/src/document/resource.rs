use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::node::Node;

/// The kinds scalecore understands. KEDA's own four are validated; the others are read so
/// cross-document rules can see the workloads, HPAs and identities a bundle holds.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    ScaledObject,
    ScaledJob,
    TriggerAuthentication,
    ClusterTriggerAuthentication,
    Deployment,
    StatefulSet,
    HorizontalPodAutoscaler,
    ServiceAccount,
    Secret,
    LimitRange,
    /// Any other kind, by name.
    Other(String),
}

pub const KEDA_API_VERSION: &str = "keda.sh/v1alpha1";

impl Kind {
    pub fn from_name(kind: &str) -> Kind {
        match kind {
            "ScaledObject" => Kind::ScaledObject,
            "ScaledJob" => Kind::ScaledJob,
            "TriggerAuthentication" => Kind::TriggerAuthentication,
            "ClusterTriggerAuthentication" => Kind::ClusterTriggerAuthentication,
            "Deployment" => Kind::Deployment,
            "StatefulSet" => Kind::StatefulSet,
            "HorizontalPodAutoscaler" => Kind::HorizontalPodAutoscaler,
            "ServiceAccount" => Kind::ServiceAccount,
            "Secret" => Kind::Secret,
            "LimitRange" => Kind::LimitRange,
            other => Kind::Other(other.to_owned()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Kind::ScaledObject => "ScaledObject",
            Kind::ScaledJob => "ScaledJob",
            Kind::TriggerAuthentication => "TriggerAuthentication",
            Kind::ClusterTriggerAuthentication => "ClusterTriggerAuthentication",
            Kind::Deployment => "Deployment",
            Kind::StatefulSet => "StatefulSet",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::ServiceAccount => "ServiceAccount",
            Kind::Secret => "Secret",
            Kind::LimitRange => "LimitRange",
            Kind::Other(k) => k,
        }
    }

    /// One of the four `keda.sh` kinds this crate validates.
    pub fn is_keda(&self) -> bool {
        matches!(
            self,
            Kind::ScaledObject
                | Kind::ScaledJob
                | Kind::TriggerAuthentication
                | Kind::ClusterTriggerAuthentication
        )
    }

    pub fn is_namespaced(&self) -> bool {
        !matches!(self, Kind::ClusterTriggerAuthentication)
    }
}

/// One Kubernetes object of a bundle.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Which input (file) it came from, in the order the inputs were given.
    pub file: usize,
    /// Position of its document in that input (0-based).
    pub document: usize,
    pub kind: Kind,
    pub api_version: String,
    pub name: Option<String>,
    /// `metadata.namespace`; objects without one live in the namespace the tool is told
    /// (`default` unless said otherwise), as `kubectl apply` would place them.
    pub namespace: Option<String>,
    pub root: Node,
}

impl Resource {
    /// Reads the identifying fields of a document's root; `None` when it is not a mapping.
    pub fn from_root(file: usize, document: usize, root: Node) -> Option<Resource> {
        root.as_mapping()?;
        let kind = Kind::from_name(root.get("kind").and_then(Node::as_str).unwrap_or(""));
        let api_version = root
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_owned();
        let meta = root.get("metadata");
        let field = |k: &str| {
            meta.and_then(|m| m.get(k))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        Some(Resource {
            file,
            document,
            kind,
            api_version,
            name: field("name"),
            namespace: field("namespace"),
            root,
        })
    }

    /// True for the `keda.sh/v1alpha1` kinds (a ScaledObject of another API group is not KEDA's).
    pub fn is_keda(&self) -> bool {
        self.kind.is_keda() && self.api_version == KEDA_API_VERSION
    }

    pub fn namespace_or<'a>(&'a self, default: &'a str) -> &'a str {
        self.namespace.as_deref().unwrap_or(default)
    }

    pub fn spec(&self) -> Option<&Node> {
        self.root.get("spec")
    }

    /// `metadata.annotations[key]` as text.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.root
            .at(&["metadata", "annotations", key])
            .and_then(Node::text)
    }
}

/// Every object of the inputs linted together; cross-document rules look across it.
///
/// Lookups by name go through an index built on first use, and rules can keep their own
/// per-bundle indexes with [`Bundle::memo`], so a bundle of thousands of objects is judged
/// in linear time.
#[derive(Default)]
pub struct Bundle {
    pub resources: Vec<Resource>,
    names: OnceLock<HashMap<String, Vec<usize>>>,
    memos: Mutex<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>,
}

impl Bundle {
    pub fn new(resources: Vec<Resource>) -> Self {
        Bundle {
            resources,
            ..Bundle::default()
        }
    }

    /// Adds a resource (and forgets indexes built so far).
    pub fn push(&mut self, r: Resource) {
        self.resources.push(r);
        self.names = OnceLock::new();
        if let Ok(m) = self.memos.get_mut() {
            m.clear();
        }
    }

    pub fn of_kind<'a>(&'a self, kind: &'a Kind) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| &r.kind == kind)
    }

    /// Every resource whose `metadata.name` is `name`, in input order.
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        let index = self.names.get_or_init(|| {
            let mut m: HashMap<String, Vec<usize>> = HashMap::with_capacity(self.resources.len());
            for (i, r) in self.resources.iter().enumerate() {
                if let Some(n) = &r.name {
                    m.entry(n.clone()).or_default().push(i);
                }
            }
            m
        });
        index
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|&i| self.resources.get(i))
    }

    /// A value computed once per bundle and type (an index a rule needs for every object).
    pub fn memo<T: Any + Send + Sync>(&self, build: impl FnOnce(&Bundle) -> T) -> Arc<T> {
        let id = TypeId::of::<T>();
        let cached = self.memos.lock().ok().and_then(|m| {
            m.iter()
                .find(|(t, _)| *t == id)
                .and_then(|(_, v)| Arc::clone(v).downcast::<T>().ok())
        });
        if let Some(v) = cached {
            return v;
        }
        let value = Arc::new(build(self));
        if let Ok(mut m) = self.memos.lock() {
            m.push((id, value.clone() as Arc<dyn Any + Send + Sync>));
        }
        value
    }
}

impl Clone for Bundle {
    fn clone(&self) -> Self {
        Bundle::new(self.resources.clone())
    }
}

impl PartialEq for Bundle {
    fn eq(&self, other: &Self) -> bool {
        self.resources == other.resources
    }
}

impl std::fmt::Debug for Bundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bundle")
            .field("resources", &self.resources)
            .finish_non_exhaustive()
    }
}
