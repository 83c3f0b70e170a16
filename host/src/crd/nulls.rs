//! The API server drops `null` values of fields that are not nullable (and no KEDA field is)
//! before it stores an object, map entries included; reading a manifest does the same.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A `map<string, string>` whose `null` entries are left out (`restApiTemplate: # comment`).
pub(super) fn string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    let raw = BTreeMap::<String, Option<String>>::deserialize(d)?;
    Ok(without_nulls(raw))
}

/// [`string_map`] for an optional field.
pub(super) fn optional_string_map<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<String, String>>, D::Error> {
    let raw = Option::<BTreeMap<String, Option<String>>>::deserialize(d)?;
    Ok(raw.map(without_nulls))
}

fn without_nulls(raw: BTreeMap<String, Option<String>>) -> BTreeMap<String, String> {
    raw.into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}
