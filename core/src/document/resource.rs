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
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Bundle {
    pub resources: Vec<Resource>,
}

impl Bundle {
    pub fn of_kind<'a>(&'a self, kind: &'a Kind) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| &r.kind == kind)
    }
}
