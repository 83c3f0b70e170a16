use super::scalar::{Resolved, Scalar};

/// A position in the source text. `line` is 1-based; `column` is 1-based and counts Unicode
/// scalar values; `offset` is the byte offset into the whole stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub offset: u32,
    pub line: u32,
    pub column: u32,
}

/// A half-open source range `[start, end)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    pub fn new(start: Pos, end: Pos) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// One node of a YAML (or JSON) document with the source range it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    /// Entries keep document order; duplicate keys are reported by the parser and kept, so
    /// a rule sees what the API server would see (the last one wins in `get`).
    Mapping(Vec<Entry>),
    Sequence(Vec<Node>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Entry {
    /// The key as text (keys are scalars in every Kubernetes document).
    pub fn key_str(&self) -> Option<&str> {
        self.key.as_scalar().map(|s| s.text.as_str())
    }

    /// The span of `key: value`.
    pub fn span(&self) -> Span {
        self.key.span.to(self.value.span)
    }
}

impl Node {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.value {
            Value::Scalar(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<&[Entry]> {
        match &self.value {
            Value::Mapping(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_sequence(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Sequence(s) => Some(s),
            _ => None,
        }
    }

    /// The entry for `key`; with duplicate keys the last one, as the API server decodes it.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_mapping()?
            .iter()
            .rev()
            .find(|e| e.key_str() == Some(key))
    }

    /// The value under `key`, when this node is a mapping holding it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// Follows a chain of mapping keys.
    pub fn at(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// The YAML-resolved value of a scalar node (`Resolved::Str` for quoted scalars).
    pub fn resolved(&self) -> Option<Resolved<'_>> {
        self.as_scalar().map(Scalar::resolve)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.resolved(), Some(Resolved::Null))
    }

    /// A string value: a scalar that YAML resolves to a string.
    pub fn as_str(&self) -> Option<&str> {
        match self.resolved()? {
            Resolved::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Scalar text whatever its YAML type (`5`, `"5"` and `true` all give their text).
    pub fn text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.resolved()? {
            Resolved::Int(i) => Some(i),
            Resolved::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.resolved()? {
            Resolved::Int(i) => Some(i as f64),
            Resolved::Float(f) => Some(f),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.resolved()? {
            Resolved::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The JSON type name Kubernetes would see for this node.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Mapping(_) => "object",
            Value::Sequence(_) => "array",
            Value::Scalar(s) => s.resolve().type_name(),
        }
    }

    /// Whether `self` and `other` convert to the same JSON (`a.to_json() == b.to_json()`),
    /// compared in place: building two `serde_json::Value` trees only to compare them linked
    /// serde_json's map and number code into the Wasm module for two checks.
    pub fn same_json(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::Mapping(a), Value::Mapping(b)) => {
                let (a, b) = (json_object(a), json_object(b));
                a.len() == b.len()
                    && a.iter()
                        .zip(&b)
                        .all(|((ka, va), (kb, vb))| ka == kb && va.same_json(vb))
            }
            (Value::Sequence(a), Value::Sequence(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_json(y))
            }
            (Value::Scalar(a), Value::Scalar(b)) => same_json_scalar(a.resolve(), b.resolve()),
            _ => false,
        }
    }

    /// Converts to JSON the way kubectl converts YAML before sending it.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Mapping(m) => {
                // Inserted one by one, as `collect()` would (a later equal key wins), without
                // the standard sort that `collect()` into a map compiles in.
                let mut o = serde_json::Map::new();
                for e in m {
                    let k = e.key.text().unwrap_or_default().to_owned();
                    o.insert(k, e.value.to_json());
                }
                J::Object(o)
            }
            Value::Sequence(s) => J::Array(s.iter().map(Node::to_json).collect()),
            Value::Scalar(s) => match s.resolve() {
                Resolved::Null => J::Null,
                Resolved::Bool(b) => J::Bool(b),
                Resolved::Int(i) => J::from(i),
                Resolved::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
                Resolved::Str(t) => J::String(t.to_owned()),
            },
        }
    }
}

/// A mapping's members as a JSON object holds them: by key text, sorted, a later equal key
/// winning (as `to_json` inserts them).
fn json_object(entries: &[Entry]) -> Vec<(&str, &Node)> {
    let mut members: Vec<(&str, &Node)> = entries
        .iter()
        .map(|e| (e.key.text().unwrap_or_default(), &e.value))
        .collect();
    // Stable: equal keys stay in document order, so the last of each run is the one kept.
    crate::sort::sort_by(&mut members, |a, b| a.0.cmp(b.0));
    let mut out: Vec<(&str, &Node)> = Vec::with_capacity(members.len());
    for m in members {
        if out.last().is_some_and(|l| l.0 == m.0) {
            out.pop();
        }
        out.push(m);
    }
    out
}

/// Scalars as `to_json` compares them: a non-finite float is `null`, integers and floats
/// are different JSON numbers (`1` is not `1.0`).
fn same_json_scalar(a: Resolved<'_>, b: Resolved<'_>) -> bool {
    let null = |r: &Resolved<'_>| match r {
        Resolved::Null => true,
        Resolved::Float(f) => !f.is_finite(),
        _ => false,
    };
    match (a, b) {
        (x, y) if null(&x) || null(&y) => null(&x) && null(&y),
        (Resolved::Bool(x), Resolved::Bool(y)) => x == y,
        (Resolved::Int(x), Resolved::Int(y)) => x == y,
        (Resolved::Float(x), Resolved::Float(y)) => x == y,
        (Resolved::Str(x), Resolved::Str(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod same_json_tests {
    #![allow(clippy::unwrap_used)]
    use crate::document::{parse_stream, Limits};

    #[test]
    fn agrees_with_comparing_the_json() {
        let values = [
            "1",
            "1.0",
            "-1",
            "01",
            "0x1",
            "true",
            "yes",
            "~",
            "null",
            ".nan",
            ".inf",
            "-0.0",
            "0.0",
            "'1'",
            "a",
            "[1, 2]",
            "[2, 1]",
            "[1]",
            "{a: 1, b: 2}",
            "{b: 2, a: 1}",
            "{a: 1, a: 2}",
            "{a: 2}",
            "{a: 1}",
            "{a: [1, {b: ~}]}",
            "{a: [1, {b: .nan}]}",
            "{}",
            "[]",
            "''",
        ];
        let node = |v: &str| {
            let docs = parse_stream(&format!("v: {v}\n"), &Limits::default());
            docs[0].root.as_ref().unwrap().get("v").unwrap().clone()
        };
        for a in values {
            for b in values {
                let (x, y) = (node(a), node(b));
                assert_eq!(x.same_json(&y), x.to_json() == y.to_json(), "{a} vs {b}");
            }
        }
    }
}
