//! Tolerant field readers: a value of the wrong type reads as absent.

use std::collections::BTreeMap;

use crate::document::Node;

pub fn text_at(node: &Node, keys: &[&str]) -> Option<String> {
    let n = node.at(keys)?;
    if n.is_null() {
        return None;
    }
    n.text().map(str::to_owned)
}

/// Integers, also when quoted (`"5"`), as int32 fields decoded by KEDA would be rejected
/// earlier by the schema; here the number is what matters.
pub fn i64_at(node: &Node, keys: &[&str]) -> Option<i64> {
    let n = node.at(keys)?;
    n.as_i64()
        .or_else(|| n.as_str().and_then(|s| s.trim().parse().ok()))
}

pub fn f64_at(node: &Node, keys: &[&str]) -> Option<f64> {
    let n = node.at(keys)?;
    n.as_f64()
        .or_else(|| n.as_str().and_then(|s| parse_quantity(s.trim())))
}

pub fn bool_at(node: &Node, keys: &[&str]) -> Option<bool> {
    let n = node.at(keys)?;
    n.as_bool().or_else(|| match n.as_str()? {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    })
}

/// A map of scalars as text (metadata, annotations).
pub fn string_map(node: &Node) -> BTreeMap<String, String> {
    node.as_mapping()
        .map(|entries| {
            crate::sort::map_from(
                entries
                    .iter()
                    .filter_map(|e| Some((e.key_str()?.to_owned(), e.value.text()?.to_owned()))),
            )
        })
        .unwrap_or_default()
}

/// A Kubernetes quantity as a float: plain numbers and the milli suffix (`100m` = 0.1).
pub fn parse_quantity(s: &str) -> Option<f64> {
    if let Some(milli) = s.strip_suffix('m') {
        return crate::decfloat::parse_f64(milli).map(|v| v / 1000.0);
    }
    crate::decfloat::parse_f64(s).filter(|v| v.is_finite())
}
