//! The authentication modes HTTP scalers share (`pkg/scalers/authentication`, KEDA's
//! `authentication.Config`): `authModes` picks any of basic, bearer, tls, custom, apiKey and
//! oauth, each mode then needs its own parameters.
//!
//! KEDA reads the block with its typed-config reader as an optional nested struct, so every
//! field is optional and the checks are those of `Config.Validate()`, which names each
//! required parameter as `<empty>` or `<present>` and never its value. Apart from
//! `authModes` (and the apiKey mode's `apiKey`, `method`, `keyParamName`), the parameters
//! come only from the TriggerAuthentication.
//!
//! Valid (prometheus, with a TriggerAuthentication giving `cert` and `key`):
//! ```yaml
//! metadata:
//!   serverAddress: https://prometheus:9090
//!   query: sum(rate(http_requests_total[1m]))
//!   threshold: "100"
//!   authModes: tls
//! ```
//! Invalid (`basic` and `bearer` exclude each other):
//! ```yaml
//! metadata:
//!   authModes: basic,bearer
//! ```

use super::typed::{self, Param, Parsed, Value, A, M, STRING, STRINGS, URL_VALUES};
use super::{ErrorKind, ScalerError, TriggerInput};

/// `authentication.Type`, as `authModes` spells each one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    ApiKey,
    Basic,
    Tls,
    Bearer,
    Custom,
    OAuth,
}

const MODES: [(&str, Mode); 6] = [
    ("apiKey", Mode::ApiKey),
    ("basic", Mode::Basic),
    ("tls", Mode::Tls),
    ("bearer", Mode::Bearer),
    ("custom", Mode::Custom),
    ("oauth", Mode::OAuth),
];

/// `authentication.Config`'s tags, in its field order (embedded structs flattened: KEDA
/// reads them as nested optional structs, which makes every field optional).
pub const PARAMS: &[Param] = &[
    Param::new("authModes;authMode", &[M, A], STRINGS)
        .optional()
        .one_of(&["apiKey", "basic", "tls", "bearer", "custom", "oauth"])
        .exclusive(&["bearer", "basic", "oauth"]),
    Param::new("bearerToken;token", &[A], STRING).optional(),
    Param::new("username", &[A], STRING).optional(),
    Param::new("password", &[A], STRING).optional(),
    Param::new("cert", &[A], STRING).optional(),
    Param::new("key", &[A], STRING).optional(),
    Param::new("ca", &[A], STRING).optional(),
    Param::new("oauthTokenURI", &[A], STRING).optional(),
    Param::new("scopes;scope", &[A], STRINGS).optional(),
    Param::new("clientID", &[A], STRING).optional(),
    Param::new("clientSecret", &[A], STRING).optional(),
    Param::new("endpointParams", &[A], URL_VALUES).optional(),
    Param::new("customAuthHeader", &[A], STRING).optional(),
    Param::new("customAuthValue", &[A], STRING).optional(),
    Param::new("apiKey", &[M, A], STRING).optional(),
    Param::new("method", &[M, A], STRING)
        .default("header")
        .one_of(&["header", "query"]),
    Param::new("keyParamName", &[M, A], STRING).optional(),
];

/// `authentication.Config` as KEDA fills it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuthConfig {
    pub modes: Vec<Mode>,
    pub bearer_token: String,
    pub username: String,
    pub password: String,
    pub cert: String,
    pub key: String,
    pub ca: String,
    pub oauth_token_uri: String,
    /// Without blank entries (`Normalize()`), once a mode is enabled.
    pub scopes: Vec<String>,
    pub client_id: String,
    pub client_secret: String,
    pub endpoint_params: Vec<(String, Vec<String>)>,
    pub custom_auth_header: String,
    pub custom_auth_value: String,
    pub api_key: String,
    /// `header` (default) or `query`.
    pub method: String,
    pub key_param_name: String,
}

impl AuthConfig {
    /// No mode enabled: KEDA's `Disabled()`.
    pub fn disabled(&self) -> bool {
        self.modes.is_empty()
    }

    pub fn enabled(&self, mode: Mode) -> bool {
        self.modes.contains(&mode)
    }

    fn from_parsed(p: &Parsed) -> AuthConfig {
        let s = |name: &str| p.str(name).to_owned();
        AuthConfig {
            modes: p
                .strings("authModes;authMode")
                .iter()
                .filter_map(|m| MODES.iter().find(|(n, _)| n == m).map(|(_, mode)| *mode))
                .collect(),
            bearer_token: s("bearerToken;token"),
            username: s("username"),
            password: s("password"),
            cert: s("cert"),
            key: s("key"),
            ca: s("ca"),
            oauth_token_uri: s("oauthTokenURI"),
            scopes: p
                .strings("scopes;scope")
                .iter()
                .map(|x| (*x).to_owned())
                .collect(),
            client_id: s("clientID"),
            client_secret: s("clientSecret"),
            endpoint_params: match p.get("endpointParams") {
                Some(Value::Query(q)) => q.clone(),
                _ => Vec::new(),
            },
            custom_auth_header: s("customAuthHeader"),
            custom_auth_value: s("customAuthValue"),
            api_key: s("apiKey"),
            method: s("method"),
            key_param_name: s("keyParamName"),
        }
    }
}

/// Reads the authentication block the way KEDA's typed config fills `authentication.Config`
/// and runs its `Validate()` (which sees what was read even when a field failed).
pub fn parse(input: &TriggerInput<'_>) -> Result<AuthConfig, Vec<ScalerError>> {
    let parsed = typed::read(input, PARAMS, |p| AuthConfig::from_parsed(p).validate())?;
    let mut c = AuthConfig::from_parsed(&parsed);
    if !c.disabled() {
        c.scopes.retain(|s| !s.is_empty());
    }
    Ok(c)
}

/// `<empty>` or `<present>`: how KEDA names a parameter in these errors, never its value.
fn shown(v: &str) -> &'static str {
    if v.is_empty() {
        "<empty>"
    } else {
        "<present>"
    }
}

impl AuthConfig {
    /// `Config.Validate()`: the first enabled mode lacking a parameter.
    fn validate(&self) -> Result<(), ScalerError> {
        if self.disabled() {
            return Ok(());
        }
        let missing = |key: &str, message: String| ScalerError {
            key: Some(key.to_owned()),
            kind: ErrorKind::Missing,
            message,
        };
        let first_empty = |pairs: [(&'static str, &str); 2]| {
            pairs
                .iter()
                .find(|(_, v)| v.is_empty())
                .map_or(pairs[0].0, |(k, _)| *k)
        };
        if self.enabled(Mode::Bearer) && self.bearer_token.is_empty() {
            return Err(missing(
                "bearerToken",
                "bearer token=<empty> is required when bearer auth is enabled".to_owned(),
            ));
        }
        if self.enabled(Mode::Basic) && self.username.is_empty() {
            return Err(missing(
                "username",
                "username=<empty> is required when basic auth is enabled".to_owned(),
            ));
        }
        if self.enabled(Mode::Tls) && (self.cert.is_empty() || self.key.is_empty()) {
            return Err(missing(
                first_empty([("cert", &self.cert), ("key", &self.key)]),
                format!(
                    "cert={} and key={} are required when tls auth is enabled",
                    shown(&self.cert),
                    shown(&self.key)
                ),
            ));
        }
        if self.enabled(Mode::OAuth)
            && (self.oauth_token_uri.is_empty() || self.client_id.is_empty())
        {
            return Err(missing(
                first_empty([
                    ("oauthTokenURI", &self.oauth_token_uri),
                    ("clientID", &self.client_id),
                ]),
                format!(
                    "oauthTokenURI={} and clientID={} are required when oauth is enabled",
                    shown(&self.oauth_token_uri),
                    shown(&self.client_id)
                ),
            ));
        }
        if self.enabled(Mode::Custom)
            && (self.custom_auth_header.is_empty() || self.custom_auth_value.is_empty())
        {
            return Err(missing(
                first_empty([
                    ("customAuthHeader", &self.custom_auth_header),
                    ("customAuthValue", &self.custom_auth_value),
                ]),
                format!(
                    "customAuthHeader={} and customAuthValue={} are required when custom auth \
                     is enabled",
                    shown(&self.custom_auth_header),
                    shown(&self.custom_auth_value)
                ),
            ));
        }
        if self.enabled(Mode::ApiKey) && self.api_key.is_empty() {
            return Err(missing(
                "apiKey",
                "apiKey is required when apiKey auth is enabled".to_owned(),
            ));
        }
        Ok(())
    }
}

/// Whether the trigger's authentication names a pod identity provider (`none` does not).
pub fn has_pod_identity(input: &TriggerInput<'_>) -> bool {
    input
        .pod_identity
        .is_some_and(|p| !p.is_empty() && p != "none")
}

/// Scalers that take either these modes or a pod identity, never both (prometheus'
/// `checkAuthConfigWithPodIdentity`).
pub fn check_pod_identity(c: &AuthConfig, input: &TriggerInput<'_>) -> Result<(), ScalerError> {
    if c.disabled() || !has_pod_identity(input) {
        return Ok(());
    }
    Err(ScalerError {
        key: None,
        kind: ErrorKind::PodIdentity,
        message: "pod identity cannot be enabled with other auth types".to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    type Pairs<'a> = &'a [(&'a str, &'a str)];

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn run(
        meta: &[(&str, &str)],
        auth: &[(&str, &str)],
        pod_identity: Option<&str>,
    ) -> Result<AuthConfig, Vec<String>> {
        let (metadata, auth_params, env) = (map(meta), map(auth), BTreeMap::new());
        let input = TriggerInput {
            trigger_type: "prometheus",
            index: 0,
            metadata: &metadata,
            auth_params: &auth_params,
            env: &env,
            pod_identity,
            metric_type: None,
            namespace: "default",
        };
        let c = parse(&input).map_err(|e| e.into_iter().map(|e| e.message).collect::<Vec<_>>())?;
        check_pod_identity(&c, &input).map_err(|e| vec![e.message])?;
        Ok(c)
    }

    /// `pkg/scalers/prometheus_scaler_test.go`, table `testPrometheusAuthMetadata`: the auth
    /// part of each row (the other metadata there is valid), row by row.
    #[test]
    fn prometheus_auth_table() {
        let rows: &[(&str, Pairs, &str, bool)] = &[
            (
                "tls",
                &[("ca", "caaa"), ("cert", "ceert"), ("key", "keey")],
                "",
                false,
            ),
            ("tls", &[("cert", "ceert"), ("key", "keey")], "", false),
            ("tls", &[("ca", "caaa"), ("cert", "ceert")], "", true),
            ("tls", &[("ca", "caaa"), ("key", "keey")], "", true),
            ("bearer", &[("bearerToken", "tooooken")], "", false),
            ("bearer", &[], "", true),
            (
                "basic",
                &[("username", "user"), ("password", "pass")],
                "",
                false,
            ),
            ("basic", &[], "", true),
            (
                "tls, basic",
                &[
                    ("ca", "caaa"),
                    ("cert", "ceert"),
                    ("key", "keey"),
                    ("username", "user"),
                    ("password", "pass"),
                ],
                "",
                false,
            ),
            (
                "tls,basic",
                &[("username", "user"), ("password", "pass")],
                "",
                true,
            ),
            (
                "custom",
                &[("customAuthHeader", "header"), ("customAuthValue", "value")],
                "",
                false,
            ),
            ("custom", &[("customAuthHeader", "")], "", true),
            ("custom", &[("customAuthValue", "")], "", true),
            (
                "custom",
                &[
                    ("customAuthHeader", "header\n"),
                    ("customAuthValue", "value\n"),
                ],
                "",
                false,
            ),
            (
                "tls,basic",
                &[("username", "user"), ("password", "pass")],
                "",
                true,
            ),
            (
                "basic",
                &[("username", "user"), ("password", "pass")],
                "azure-workload",
                true,
            ),
            ("", &[], "azure-workload", false),
            ("", &[], "azure", false),
        ];
        for (i, (modes, auth, identity, refused)) in rows.iter().enumerate() {
            let meta: &[(&str, &str)] = if modes.is_empty() {
                &[]
            } else {
                &[("authModes", modes)]
            };
            let got = run(meta, auth, Some(*identity).filter(|p| !p.is_empty()));
            assert_eq!(got.is_err(), *refused, "row {i}: {got:?}");
        }
    }

    /// `pkg/scalers/metrics_api_scaler_test.go`, table `testMetricsAPIAuthMetadata`, the rows
    /// that set `authMode` (the singular name).
    #[test]
    fn metrics_api_auth_table() {
        let rows: &[(&str, Pairs, bool)] = &[
            (
                "tls",
                &[("ca", "caaa"), ("cert", "ceert"), ("key", "keey")],
                false,
            ),
            ("tls", &[("cert", "ceert"), ("key", "keey")], false),
            ("tls", &[("ca", "caaa"), ("cert", "ceert")], true),
            ("tls", &[("ca", "caaa"), ("key", "keey")], true),
            ("apiKey", &[("apiKey", "apiikey")], false),
            (
                "apiKey",
                &[("apiKey", "apiikey"), ("method", "query")],
                false,
            ),
            (
                "apiKey",
                &[
                    ("apiKey", "apiikey"),
                    ("method", "header"),
                    ("keyParamName", "custom"),
                ],
                false,
            ),
            (
                "apiKey",
                &[
                    ("apiKey", "apiikey"),
                    ("method", "query"),
                    ("keyParamName", "custom"),
                ],
                false,
            ),
            ("apiKey", &[], true),
            (
                "basic",
                &[("username", "user"), ("password", "pass")],
                false,
            ),
            ("basic", &[], true),
            ("bearer", &[("token", "bearerTokenValue")], false),
            ("bearer", &[], true),
            (
                "apiKey,tls",
                &[
                    ("apiKey", "apiikey"),
                    ("ca", "caaa"),
                    ("cert", "ceert"),
                    ("key", "keey"),
                ],
                false,
            ),
        ];
        for (i, (modes, auth, refused)) in rows.iter().enumerate() {
            let got = run(&[("authMode", modes)], auth, None);
            assert_eq!(got.is_err(), *refused, "row {i}: {got:?}");
        }
        let c = run(
            &[("authMode", "apiKey")],
            &[("apiKey", "k"), ("method", "query")],
            None,
        )
        .unwrap();
        assert_eq!(
            (c.method.as_str(), c.enabled(Mode::ApiKey)),
            ("query", true)
        );
        let c = run(&[("authMode", "bearer")], &[("token", "t")], None).unwrap();
        assert_eq!(c.bearer_token, "t");
    }

    /// KEDA's wording, and no secret value in any message.
    #[test]
    fn messages_match_keda_and_name_no_values() {
        let err = |meta: &[(&str, &str)], auth: &[(&str, &str)]| run(meta, auth, None).unwrap_err();
        assert_eq!(
            err(&[("authModes", "basic,bearer")], &[]),
            ["parameter \"authModes,authMode\" value \"basic,bearer\" must contain only one of [bearer basic oauth]"]
        );
        assert_eq!(
            err(&[("authModes", "tls,oauth2")], &[]),
            ["parameter \"authModes,authMode\" value \"tls,oauth2\" must be one of [apiKey basic tls bearer custom oauth]"]
        );
        assert_eq!(
            err(&[("authModes", "tls,")], &[]),
            ["parameter \"authModes,authMode\" value \"tls,\" must be one of [apiKey basic tls bearer custom oauth]"]
        );
        assert_eq!(
            err(&[("authModes", "tls")], &[("cert", "c")]),
            ["cert=<present> and key=<empty> are required when tls auth is enabled"]
        );
        assert_eq!(
            err(&[("authModes", "oauth")], &[("clientID", "id")]),
            ["oauthTokenURI=<empty> and clientID=<present> are required when oauth is enabled"]
        );
        assert_eq!(
            err(&[("authModes", "custom")], &[("customAuthValue", "secret-value")]),
            ["customAuthHeader=<empty> and customAuthValue=<present> are required when custom auth is enabled"]
        );
        assert_eq!(
            err(&[("authModes", "bearer")], &[]),
            ["bearer token=<empty> is required when bearer auth is enabled"]
        );
        assert_eq!(
            err(&[("authModes", "apiKey")], &[]),
            ["apiKey is required when apiKey auth is enabled"]
        );
        // `method` is read (and checked) whether or not apiKey is on; Validate() still runs.
        assert_eq!(
            err(&[("method", "cookie"), ("authModes", "basic")], &[]),
            [
                "parameter \"method\" value \"cookie\" must be one of [header query]",
                "username=<empty> is required when basic auth is enabled"
            ]
        );
        assert_eq!(
            err(&[], &[("endpointParams", "audience=%zz")]),
            ["unable to set param \"endpointParams\" value \"audience=%zz\": expected url.Values, unable to parse query \"audience=%zz\": invalid URL escape \"%zz\""]
        );
    }

    #[test]
    fn sources_and_names() {
        // authModes may come from the authentication, trimmed pieces, metadata first.
        let c = run(
            &[],
            &[
                ("authModes", " tls , apiKey "),
                ("cert", "c"),
                ("key", "k"),
                ("apiKey", "a"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(c.modes, [Mode::Tls, Mode::ApiKey]);
        let c = run(
            &[("authModes", "bearer")],
            &[("authModes", "basic"), ("bearerToken", "t")],
            None,
        )
        .unwrap();
        assert_eq!(c.modes, [Mode::Bearer]);
        // bearerToken before token; scopes or scope, blanks dropped once a mode is on.
        let c = run(
            &[("authModes", "oauth")],
            &[
                ("bearerToken", "a"),
                ("token", "b"),
                ("oauthTokenURI", "https://idp/token"),
                ("clientID", "id"),
                ("scope", "read, ,write"),
                ("endpointParams", "audience=api&x=1"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(c.bearer_token, "a");
        assert_eq!(c.scopes, ["read", "write"]);
        assert_eq!(c.endpoint_params.len(), 2);
        // Secrets are read from the authentication only, never from metadata.
        assert!(run(&[("authModes", "basic"), ("username", "u")], &[], None).is_err());
        // apiKey may sit in metadata.
        assert!(run(&[("authModes", "apiKey"), ("apiKey", "k")], &[], None).is_ok());
        // `none` is no pod identity.
        assert!(run(
            &[("authModes", "basic")],
            &[("username", "u")],
            Some("none")
        )
        .is_ok());
        assert!(run(&[], &[], Some("aws")).is_ok());
    }
}
