//! The CRD schemas of the four KEDA kinds, as a compact node table loaded once.
//!
//! `core/schemas/compiled/crds.json` holds every `openAPIV3Schema` (KEDA v2.20.2, with the
//! release patches applied) reduced to what the API server validates. Identical subschemas
//! are stored once, so the 650 KB ScaledJob CRD (a whole batch/v1 JobSpec) costs little.
//! Nodes carry "gates": the KEDA release from which a field or a constraint exists, so older
//! releases are checked against the CRD they shipped.

use std::sync::OnceLock;

use crate::document::{parse_stream, Entry, Kind, Limits, Node, ParsedDocument};
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

pub const FORMAT: u32 = 1;
pub const KINDS: [&str; 4] = [
    "ScaledObject",
    "ScaledJob",
    "TriggerAuthentication",
    "ClusterTriggerAuthentication",
];

// The file is read with the core's own YAML/JSON reader (JSON is YAML), walking the node
// tree by hand: serde-derived decoders for these shapes were about 15 KB of the Wasm module
// (serde_json's map and sequence readers compiled once more for each), for data read once.
// Keys are short to keep the embedded file small; an unknown key is an error, so a file from
// another compiler version is refused rather than half-read.

fn entries(n: &Node) -> Result<&[Entry], String> {
    n.as_mapping()
        .ok_or_else(|| "expected an object".to_owned())
}

fn key(e: &Entry) -> Result<&str, String> {
    e.key_str()
        .ok_or_else(|| "expected a string key".to_owned())
}

fn string(n: &Node) -> Result<&str, String> {
    n.as_str().ok_or_else(|| "expected a string".to_owned())
}

fn strings(n: &Node) -> Result<Box<[Box<str>]>, String> {
    n.as_sequence()
        .ok_or_else(|| "expected an array".to_owned())?
        .iter()
        .map(|s| string(s).map(Box::from))
        .collect()
}

fn uint(n: &Node) -> Result<u64, String> {
    n.as_i64()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| "expected a non-negative integer".to_owned())
}

fn number(n: &Node) -> Result<f64, String> {
    n.as_f64().ok_or_else(|| "expected a number".to_owned())
}

fn flag(n: &Node) -> Result<bool, String> {
    n.as_bool().ok_or_else(|| "expected a boolean".to_owned())
}

fn version(n: &Node) -> Result<KedaVersion, String> {
    string(n)?.parse::<KedaVersion>().map_err(|e| e.to_string())
}

fn unknown(k: &str) -> String {
    format!("unknown key {k:?}")
}

fn gates(n: &Node) -> Result<Gates, String> {
    let mut g = Gates::default();
    for e in entries(n)? {
        let v = &e.value;
        match key(e)? {
            "since" => g.since = Some(version(v)?),
            "min" => g.minimum = Some(version(v)?),
            "max" => g.maximum = Some(version(v)?),
            "minL" => g.min_length = Some(version(v)?),
            "minI" => g.min_items = Some(version(v)?),
            "e" => g.enumeration = Some(version(v)?),
            "ev" => {
                let mut values = Vec::new();
                for e in entries(v)? {
                    let range = e.value.as_sequence().unwrap_or_default();
                    let since = version(range.first().ok_or("empty value gate")?)?;
                    let until = range.get(1).map(version).transpose()?;
                    values.push(ValueGate {
                        value: key(e)?.into(),
                        since,
                        until,
                    });
                }
                g.values = values.into_boxed_slice();
            }
            k => return Err(unknown(k)),
        }
    }
    Ok(g)
}

fn node(n: &Node, count: u32) -> Result<SchemaNode, String> {
    let check = |v: &Node| match uint(v)? {
        i if i < u64::from(count) => Ok(i as u32),
        i => Err(format!("node index {i} out of range")),
    };
    let mut out = SchemaNode {
        ty: Ty::Any,
        properties: Box::default(),
        required: Box::default(),
        items: None,
        additional: None,
        enumeration: Box::default(),
        minimum: None,
        maximum: None,
        min_length: None,
        min_items: None,
        preserve_unknown: false,
        int_or_string: false,
        quantity: false,
        has_default: false,
        nullable: false,
        list_type: ListType::Atomic,
        list_keys: Box::default(),
        gates: None,
        int_bits: None,
    };
    for e in entries(n)? {
        let v = &e.value;
        match key(e)? {
            "t" => out.ty = Ty::parse(Some(string(v)?))?,
            "p" => {
                let mut properties = Vec::new();
                for p in entries(v)? {
                    properties.push((Box::from(key(p)?), check(&p.value)?));
                }
                crate::sort::sort_by(&mut properties, |a, b| by_length(&a.0, &b.0));
                out.properties = properties.into_boxed_slice();
            }
            "r" => out.required = strings(v)?,
            "i" => out.items = Some(check(v)?),
            "a" => out.additional = Some(check(v)?),
            "e" => out.enumeration = strings(v)?,
            "min" => out.minimum = Some(number(v)?),
            "max" => out.maximum = Some(number(v)?),
            "minL" => out.min_length = Some(uint(v)?),
            "minI" => out.min_items = Some(uint(v)?),
            "pu" => out.preserve_unknown = flag(v)?,
            "ios" => out.int_or_string = flag(v)?,
            "q" => out.quantity = flag(v)?,
            "d" => out.has_default = flag(v)?,
            "n" => out.nullable = flag(v)?,
            "lt" => {
                out.list_type = match string(v)? {
                    "atomic" => ListType::Atomic,
                    "map" => ListType::Map,
                    "set" => ListType::Set,
                    other => return Err(format!("unknown list type {other:?}")),
                }
            }
            "lk" => out.list_keys = strings(v)?,
            "g" => out.gates = Some(Box::new(gates(v)?)),
            "b" => out.int_bits = Some(u8::try_from(uint(v)?).map_err(|e| e.to_string())?),
            k => return Err(unknown(k)),
        }
    }
    Ok(out)
}

pub fn parse(text: &str) -> Result<Schemas, String> {
    let docs = parse_stream(text, &Limits::default());
    let root = match docs.as_slice() {
        [ParsedDocument {
            root: Some(root),
            errors,
            ..
        }] if errors.is_empty() => root,
        _ => return Err("compiled schema: not one JSON document".to_owned()),
    };
    let (mut format, mut roots_node, mut nodes_node) = (None, None, None);
    for e in entries(root)? {
        match key(e)? {
            "format" => format = Some(uint(&e.value)?),
            "source" => {
                string(&e.value)?;
            }
            "roots" => roots_node = Some(&e.value),
            "nodes" => nodes_node = Some(&e.value),
            k => return Err(unknown(k)),
        }
    }
    if format != Some(u64::from(FORMAT)) {
        return Err(format!("compiled schema: not format {FORMAT}"));
    }
    let raw_nodes = nodes_node
        .and_then(Node::as_sequence)
        .ok_or("compiled schema: no nodes")?;
    let count = raw_nodes.len() as u32;
    let mut roots = [0u32; 4];
    let roots_node = roots_node.ok_or("compiled schema: no roots")?;
    for (slot, kind) in roots.iter_mut().zip(KINDS) {
        let i = uint(roots_node.get(kind).ok_or(format!("no root for {kind}"))?)?;
        if i >= u64::from(count) {
            return Err(format!("node index {i} out of range"));
        }
        *slot = i as u32;
    }
    let nodes = raw_nodes
        .iter()
        .map(|n| node(n, count))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Schemas { nodes, roots })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_embedded_schemas_read_whole() {
        let s = parse(COMPILED).unwrap();
        assert!(s.nodes.len() > 200);
        let so = s.node(s.root(&Kind::ScaledObject).unwrap()).unwrap();
        assert_eq!(so.ty, Ty::Object);
        let spec = s.node(so.property("spec").unwrap()).unwrap();
        assert!(spec.required.iter().any(|r| &**r == "scaleTargetRef"));
        assert!(s.nodes.iter().any(|n| n.gates.is_some()));
        assert!(s.nodes.iter().any(|n| n.int_bits == Some(32)));
    }

    #[test]
    fn unknown_keys_bad_indexes_and_other_formats_are_refused() {
        let file = |node: &str, format: u32| {
            format!(
                r#"{{"format":{format},"source":"t","roots":{{"ScaledObject":0,"ScaledJob":0,"TriggerAuthentication":0,"ClusterTriggerAuthentication":0}},"nodes":[{node}]}}"#
            )
        };
        let ok = parse(&file(r#"{"t":"object","p":{"b":0,"aa":0},"g":{"since":"2.8.0","ev":{"x":["2.1.0","2.3.0"]}}}"#, FORMAT)).unwrap();
        let n = &ok.nodes[0];
        assert_eq!(
            n.properties.iter().map(|(k, _)| &**k).collect::<Vec<_>>(),
            ["b", "aa"]
        );
        let gate = n.value_gate("x").unwrap();
        assert_eq!(
            (gate.since.to_string(), gate.until.map(|u| u.to_string())),
            ("2.1.0".into(), Some("2.3.0".into()))
        );
        assert!(parse(&file(r#"{"t":"object","zz":1}"#, FORMAT)).is_err());
        assert!(parse(&file(r#"{"i":1}"#, FORMAT)).is_err());
        assert!(parse(&file(r#"{"t":"tuple"}"#, FORMAT)).is_err());
        assert!(parse(&file("{}", FORMAT + 1)).is_err());
        assert!(parse("[1").is_err());
    }
}
