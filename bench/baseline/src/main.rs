//! Parses every document of a YAML stream with serde_yaml and validates it against the
//! ScaledObject CRD's JSON schema (strict); prints the number of invalid documents.

use serde::Deserialize;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(|| "-".into());
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../scaledobject_v1alpha1-strict.json")).unwrap_or_default();
    let Ok(validator) = jsonschema::validator_for(&schema) else {
        eprintln!("schema did not compile");
        std::process::exit(2);
    };
    let mut docs = 0usize;
    let mut invalid = 0usize;
    for de in serde_yaml::Deserializer::from_str(&text) {
        let Ok(value) = serde_json::Value::deserialize(de) else {
            invalid += 1;
            continue;
        };
        docs += 1;
        if !validator.is_valid(&value) {
            invalid += 1;
        }
    }
    println!("{docs} documents, {invalid} invalid");
}
