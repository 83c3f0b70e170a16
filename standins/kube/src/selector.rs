//! `labelSelector` (equality-based) and `fieldSelector` (`metadata.name` / `metadata.namespace`).

use serde_json::Value;

use crate::status::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    NotExists(String),
}

/// A parsed selector: every requirement must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    labels: Vec<Requirement>,
    fields: Vec<Requirement>,
}

fn parse_terms(text: &str, field: bool) -> Result<Vec<Requirement>, ApiError> {
    let mut out = Vec::new();
    for term in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let requirement = if let Some((k, v)) = term.split_once("!=") {
            Requirement::NotEquals(k.trim().to_string(), v.trim().to_string())
        } else if let Some((k, v)) = term.split_once("==") {
            Requirement::Equals(k.trim().to_string(), v.trim().to_string())
        } else if let Some((k, v)) = term.split_once('=') {
            Requirement::Equals(k.trim().to_string(), v.trim().to_string())
        } else if field {
            return Err(ApiError::bad_request(format!(
                "invalid field selector: {term:?}"
            )));
        } else if term.contains(' ') || term.contains('(') {
            return Err(ApiError::bad_request(format!(
                "unable to parse requirement: set-based label selectors are not supported: {term:?}"
            )));
        } else if let Some(k) = term.strip_prefix('!') {
            Requirement::NotExists(k.trim().to_string())
        } else {
            Requirement::Exists(term.to_string())
        };
        if field {
            let key = match &requirement {
                Requirement::Equals(k, _) | Requirement::NotEquals(k, _) => k.as_str(),
                _ => "",
            };
            if key != "metadata.name" && key != "metadata.namespace" {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {key}"
                )));
            }
        }
        out.push(requirement);
    }
    Ok(out)
}

impl Selector {
    pub fn parse(
        label_selector: Option<&str>,
        field_selector: Option<&str>,
    ) -> Result<Self, ApiError> {
        Ok(Selector {
            labels: parse_terms(label_selector.unwrap_or(""), false)?,
            fields: parse_terms(field_selector.unwrap_or(""), true)?,
        })
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        let field = |k: &str| {
            let pointer = match k {
                "metadata.name" => "/metadata/name",
                _ => "/metadata/namespace",
            };
            object
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        let labels_ok = self.labels.iter().all(|r| match r {
            Requirement::Equals(k, v) => label(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => label(k) != Some(v.as_str()),
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
        });
        let fields_ok = self.fields.iter().all(|r| match r {
            Requirement::Equals(k, v) => field(k) == v,
            Requirement::NotEquals(k, v) => field(k) != v,
            _ => false,
        });
        labels_ok && fields_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equality_and_existence() {
        let obj = json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"app": "web", "tier": "fe"}}});
        let yes = |l: &str, f: &str| Selector::parse(Some(l), Some(f)).unwrap().matches(&obj);
        assert!(yes("app=web", ""));
        assert!(yes("app==web,tier", ""));
        assert!(!yes("app=db", ""));
        assert!(yes("app!=db,!missing", ""));
        assert!(!yes("!app", ""));
        assert!(yes("", "metadata.name=a,metadata.namespace=ns"));
        assert!(!yes("", "metadata.name=b"));
        assert!(Selector::parse(None, Some("spec.x=1")).is_err());
        assert!(Selector::parse(Some("app in (a,b)"), None).is_err());
    }
}
