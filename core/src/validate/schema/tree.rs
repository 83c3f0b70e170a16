//! The CRD schemas of the four KEDA kinds, as a compact node table loaded once.
//!
//! `core/schemas/compiled/crds.json` holds every `openAPIV3Schema` (KEDA v2.20.2, with the
//! release patches applied) reduced to what the API server validates. Identical subschemas
//! are stored once, so the 650 KB ScaledJob CRD (a whole batch/v1 JobSpec) costs little.
//! Nodes carry "gates": the KEDA release from which a field or a constraint exists, so older
//! releases are checked against the CRD they shipped.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::document::Kind;
use crate::version::KedaVersion;

const COMPILED: &str = include_str!("../../../schemas/compiled/crds.json");

/// A Kubernetes JSON type of a schema node (`Any` when the schema names none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Any,
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
}

impl Ty {
    fn parse(s: Option<&str>) -> Result<Ty, String> {
        Ok(match s {
            None => Ty::Any,
            Some("object") => Ty::Object,
            Some("array") => Ty::Array,
            Some("string") => Ty::String,
            Some("integer") => Ty::Integer,
            Some("number") => Ty::Number,
            Some("boolean") => Ty::Boolean,
            Some(other) => return Err(format!("unknown schema type {other:?}")),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "any value",
            Ty::Object => "object",
            Ty::Array => "array",
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
        }
    }
}

/// `x-kubernetes-list-type`: `map` and `set` lists must not repeat an item (or an item key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListType {
    Atomic,
    Map,
    Set,
}

/// From which release (and until which) a value of an enum is accepted.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueGate {
    pub value: Box<str>,
    pub since: KedaVersion,
    pub until: Option<KedaVersion>,
}

/// Releases from which a field and its constraints exist.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Gates {
    pub since: Option<KedaVersion>,
    pub minimum: Option<KedaVersion>,
    pub maximum: Option<KedaVersion>,
    pub min_length: Option<KedaVersion>,
    pub min_items: Option<KedaVersion>,
    pub enumeration: Option<KedaVersion>,
    pub values: Box<[ValueGate]>,
}

fn by_length(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn from(gate: Option<KedaVersion>, v: KedaVersion) -> bool {
    gate.is_none_or(|g| v >= g)
}

#[derive(Clone, Debug, PartialEq)]
pub struct SchemaNode {
    pub ty: Ty,
    /// Sorted by name length, then name, for binary search (most probes then stop at a
    /// length comparison instead of comparing bytes).
    pub properties: Box<[(Box<str>, u32)]>,
    pub required: Box<[Box<str>]>,
    pub items: Option<u32>,
    pub additional: Option<u32>,
    pub enumeration: Box<[Box<str>]>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<u64>,
    pub min_items: Option<u64>,
    pub preserve_unknown: bool,
    pub int_or_string: bool,
    /// Strings must match the Kubernetes quantity pattern (`500m`, `1Gi`, `0.1`).
    pub quantity: bool,
    pub has_default: bool,
    pub nullable: bool,
    pub list_type: ListType,
    pub list_keys: Box<[Box<str>]>,
    pub gates: Option<Box<Gates>>,
    /// `format: int32` / `int64`: the width of the Go integer KEDA decodes the value into.
    pub int_bits: Option<u8>,
}

impl SchemaNode {
    pub fn property(&self, key: &str) -> Option<u32> {
        self.properties
            .binary_search_by(|(k, _)| by_length(k, key))
            .ok()
            .and_then(|i| self.properties.get(i))
            .map(|(_, n)| *n)
    }

    pub fn exists_in(&self, v: KedaVersion) -> bool {
        self.gates.as_ref().is_none_or(|g| from(g.since, v))
    }

    pub fn since(&self) -> Option<KedaVersion> {
        self.gates.as_ref().and_then(|g| g.since)
    }

    pub fn minimum_in(&self, v: KedaVersion) -> Option<f64> {
        self.minimum
            .filter(|_| self.gates.as_ref().is_none_or(|g| from(g.minimum, v)))
    }

    pub fn maximum_in(&self, v: KedaVersion) -> Option<f64> {
        self.maximum
            .filter(|_| self.gates.as_ref().is_none_or(|g| from(g.maximum, v)))
    }

    pub fn min_length_in(&self, v: KedaVersion) -> Option<u64> {
        self.min_length
            .filter(|_| self.gates.as_ref().is_none_or(|g| from(g.min_length, v)))
    }

    pub fn min_items_in(&self, v: KedaVersion) -> Option<u64> {
        self.min_items
            .filter(|_| self.gates.as_ref().is_none_or(|g| from(g.min_items, v)))
    }

    /// Whether the enum constrains values in release `v`.
    pub fn enum_applies(&self, v: KedaVersion) -> bool {
        !self.enumeration.is_empty() && self.gates.as_ref().is_none_or(|g| from(g.enumeration, v))
    }

    /// Whether `value` is one of the enum's values in release `v`.
    pub fn enum_allows(&self, value: &str, v: KedaVersion) -> bool {
        self.enumeration.iter().any(|e| &**e == value) && self.value_in(value, v)
    }

    /// The enum's values in release `v`, in schema order.
    pub fn enum_values(&self, v: KedaVersion) -> impl Iterator<Item = &str> {
        self.enumeration
            .iter()
            .map(|e| &**e)
            .filter(move |e| self.value_in(e, v))
    }

    /// When a value the enum lacks in `v` is accepted (or was), for the message.
    pub fn value_gate(&self, value: &str) -> Option<&ValueGate> {
        self.gates
            .as_ref()?
            .values
            .iter()
            .find(|g| &*g.value == value)
    }

    fn value_in(&self, value: &str, v: KedaVersion) -> bool {
        self.value_gate(value)
            .is_none_or(|g| v >= g.since && g.until.is_none_or(|u| v < u))
    }
}

/// The node table and the root node of each KEDA kind.
#[derive(Debug)]
pub struct Schemas {
    pub nodes: Vec<SchemaNode>,
    roots: [u32; 4],
}

impl Schemas {
    pub fn node(&self, i: u32) -> Option<&SchemaNode> {
        self.nodes.get(i as usize)
    }

    pub fn root(&self, kind: &Kind) -> Option<u32> {
        let i = match kind {
            Kind::ScaledObject => 0,
            Kind::ScaledJob => 1,
            Kind::TriggerAuthentication => 2,
            Kind::ClusterTriggerAuthentication => 3,
            _ => return None,
        };
        self.roots.get(i).copied()
    }
}

/// The schemas, parsed on first use. `None` only if the embedded data is broken, which a
/// unit test rules out.
pub fn schemas() -> Option<&'static Schemas> {
    static CELL: OnceLock<Option<Schemas>> = OnceLock::new();
    CELL.get_or_init(|| parse(COMPILED).ok()).as_ref()
}

// The on-disk shape; short keys keep the embedded file small.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    format: u32,
    #[allow(dead_code)]
    source: String,
    roots: BTreeMap<String, u32>,
    nodes: Vec<RawNode>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNode {
    #[serde(default)]
    t: Option<String>,
    #[serde(default)]
    p: BTreeMap<String, u32>,
    #[serde(default)]
    r: Vec<String>,
    #[serde(default)]
    i: Option<u32>,
    #[serde(default)]
    a: Option<u32>,
    #[serde(default)]
    e: Vec<String>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default, rename = "minL")]
    min_l: Option<u64>,
    #[serde(default, rename = "minI")]
    min_i: Option<u64>,
    #[serde(default)]
    pu: bool,
    #[serde(default)]
    ios: bool,
    #[serde(default)]
    q: bool,
    #[serde(default)]
    d: bool,
    #[serde(default)]
    n: bool,
    #[serde(default)]
    lt: Option<String>,
    #[serde(default)]
    lk: Vec<String>,
    #[serde(default)]
    g: Option<RawGates>,
    #[serde(default)]
    b: Option<u8>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawGates {
    #[serde(default)]
    since: Option<String>,
    #[serde(default)]
    min: Option<String>,
    #[serde(default)]
    max: Option<String>,
    #[serde(default, rename = "minL")]
    min_l: Option<String>,
    #[serde(default, rename = "minI")]
    min_i: Option<String>,
    #[serde(default)]
    e: Option<String>,
    #[serde(default)]
    ev: BTreeMap<String, Vec<String>>,
}

pub const FORMAT: u32 = 1;
pub const KINDS: [&str; 4] = [
    "ScaledObject",
    "ScaledJob",
    "TriggerAuthentication",
    "ClusterTriggerAuthentication",
];

fn version(s: &Option<String>) -> Result<Option<KedaVersion>, String> {
    s.as_deref()
        .map(|v| v.parse::<KedaVersion>().map_err(|e| e.to_string()))
        .transpose()
}

fn boxed(v: Vec<String>) -> Box<[Box<str>]> {
    v.into_iter().map(String::into_boxed_str).collect()
}

pub fn parse(text: &str) -> Result<Schemas, String> {
    let raw: RawFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if raw.format != FORMAT {
        return Err(format!(
            "compiled schema format {} (expected {FORMAT})",
            raw.format
        ));
    }
    let count = raw.nodes.len() as u32;
    let check = |i: u32| {
        if i < count {
            Ok(i)
        } else {
            Err(format!("node index {i} out of range"))
        }
    };
    let mut roots = [0u32; 4];
    for (slot, kind) in roots.iter_mut().zip(KINDS) {
        *slot = check(*raw.roots.get(kind).ok_or(format!("no root for {kind}"))?)?;
    }
    let mut nodes = Vec::with_capacity(raw.nodes.len());
    for n in raw.nodes {
        let gates = match n.g {
            None => None,
            Some(g) => {
                let mut values = Vec::new();
                for (value, range) in g.ev {
                    let mut it = range.iter();
                    let since = it
                        .next()
                        .ok_or("empty value gate")?
                        .parse::<KedaVersion>()
                        .map_err(|e| e.to_string())?;
                    let until = version(&it.next().cloned())?;
                    values.push(ValueGate {
                        value: value.into_boxed_str(),
                        since,
                        until,
                    });
                }
                Some(Box::new(Gates {
                    since: version(&g.since)?,
                    minimum: version(&g.min)?,
                    maximum: version(&g.max)?,
                    min_length: version(&g.min_l)?,
                    min_items: version(&g.min_i)?,
                    enumeration: version(&g.e)?,
                    values: values.into_boxed_slice(),
                }))
            }
        };
        let list_type = match n.lt.as_deref() {
            None | Some("atomic") => ListType::Atomic,
            Some("map") => ListType::Map,
            Some("set") => ListType::Set,
            Some(other) => return Err(format!("unknown list type {other:?}")),
        };
        let mut properties = Vec::with_capacity(n.p.len());
        for (k, v) in n.p {
            properties.push((k.into_boxed_str(), check(v)?));
        }
        crate::sort::sort_by(&mut properties, |a, b| by_length(&a.0, &b.0));
        nodes.push(SchemaNode {
            ty: Ty::parse(n.t.as_deref())?,
            properties: properties.into_boxed_slice(),
            required: boxed(n.r),
            items: n.i.map(check).transpose()?,
            additional: n.a.map(check).transpose()?,
            enumeration: boxed(n.e),
            minimum: n.min,
            maximum: n.max,
            min_length: n.min_l,
            min_items: n.min_i,
            preserve_unknown: n.pu,
            int_or_string: n.ios,
            quantity: n.q,
            has_default: n.d,
            nullable: n.n,
            list_type,
            list_keys: boxed(n.lk),
            gates,
            int_bits: n.b,
        });
    }
    Ok(Schemas { nodes, roots })
}
