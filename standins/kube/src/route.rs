//! URL paths and query strings of the Kubernetes REST API.

use crate::registry;

/// What a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/api/v1` or `/apis/{group}/{version}`
    ResourceList {
        group: String,
        version: String,
    },
    Resource(ResourcePath),
    Unknown,
}

/// `/api[s]/{gv}/[namespaces/{ns}/]{plural}[/{name}[/{subresource}]]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    pub res: usize,
    /// `None`: a cluster-scoped resource, or a list/watch across all namespaces.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

pub fn parse_path(path: &str) -> Route {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["healthz"] | ["livez"] | ["readyz"] => Route::Health,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["api", version] => Route::ResourceList {
            group: String::new(),
            version: version.to_string(),
        },
        ["apis", group, version] => Route::ResourceList {
            group: group.to_string(),
            version: version.to_string(),
        },
        ["api", version, rest @ ..] => resource("", version, rest),
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        _ => Route::Unknown,
    }
}

fn resource(group: &str, version: &str, rest: &[&str]) -> Route {
    // `namespaces/{ns}/{plural}/...` when {plural} is a namespaced resource; otherwise the path
    // names a cluster-scoped resource (including `namespaces/{name}[/status]` itself).
    if let ["namespaces", ns, plural, tail @ ..] = rest {
        if let Some(res) = registry::by_plural(group, version, plural) {
            if registry::get(res).is_some_and(|r| r.namespaced) && tail.len() <= 2 {
                return Route::Resource(ResourcePath {
                    res,
                    namespace: Some(ns.to_string()),
                    name: tail.first().map(|s| s.to_string()),
                    subresource: tail.get(1).map(|s| s.to_string()),
                });
            }
        }
    }
    match rest {
        [plural, tail @ ..] if tail.len() <= 2 => match registry::by_plural(group, version, plural)
        {
            Some(res) => {
                let namespaced = registry::get(res).is_some_and(|r| r.namespaced);
                // A namespaced resource without a namespace only supports list/watch across all.
                if namespaced && !tail.is_empty() {
                    return Route::Unknown;
                }
                Route::Resource(ResourcePath {
                    res,
                    namespace: None,
                    name: tail.first().map(|s| s.to_string()),
                    subresource: tail.get(1).map(|s| s.to_string()),
                })
            }
            None => Route::Unknown,
        },
        _ => Route::Unknown,
    }
}

/// Decoded query parameters, in order.
#[derive(Debug, Clone, Default)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(raw: &str) -> Self {
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (decode(k), decode(v)),
                    None => (decode(pair), String::new()),
                })
                .collect(),
        )
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// `true`/`1` (Kubernetes accepts both for booleans such as `watch`).
    pub fn flag(&self, key: &str) -> bool {
        matches!(self.get(key), Some("true") | Some("1") | Some("True"))
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(path: &str) -> ResourcePath {
        match parse_path(path) {
            Route::Resource(r) => r,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths() {
        let d = registry::by_plural("apps", "v1", "deployments").unwrap();
        let r = res("/apis/apps/v1/namespaces/ns/deployments/web/scale");
        assert_eq!(
            (
                r.res,
                r.namespace.as_deref(),
                r.name.as_deref(),
                r.subresource.as_deref()
            ),
            (d, Some("ns"), Some("web"), Some("scale"))
        );
        let r = res("/apis/apps/v1/deployments");
        assert_eq!((r.namespace, r.name), (None, None));
        let ns = registry::by_plural("", "v1", "namespaces").unwrap();
        let r = res("/api/v1/namespaces/default");
        assert_eq!((r.res, r.name.as_deref()), (ns, Some("default")));
        let r = res("/api/v1/namespaces/default/status");
        assert_eq!(
            (r.res, r.name.as_deref(), r.subresource.as_deref()),
            (ns, Some("default"), Some("status"))
        );
        let r = res("/apis/keda.sh/v1alpha1/clustertriggerauthentications/cta");
        assert_eq!(r.name.as_deref(), Some("cta"));
        assert_eq!(parse_path("/apis/apps/v1/deployments/web"), Route::Unknown);
        assert_eq!(
            parse_path("/apis/apps/v1/namespaces/ns/widgets"),
            Route::Unknown
        );
        assert_eq!(
            parse_path("/apis/apps/v1"),
            Route::ResourceList {
                group: "apps".into(),
                version: "v1".into()
            }
        );
    }

    #[test]
    fn queries() {
        let q = Query::parse("&watch=1&labelSelector=app%3Dweb%2Ctier+x&fieldSelector=metadata.name%3Dpod%3D1&bad=%zz%");
        assert!(q.flag("watch"));
        assert_eq!(q.get("labelSelector"), Some("app=web,tier x"));
        assert_eq!(q.get("fieldSelector"), Some("metadata.name=pod=1"));
        assert_eq!(q.get("bad"), Some("%zz%"));
        assert_eq!(q.get("missing"), None);
    }
}
