use super::*;

/// Objects by (namespace, name); a name listed in `unknown` may exist but is not shown.
#[derive(Default)]
struct Mem {
    tas: BTreeMap<(String, String), AuthSpec>,
    ctas: BTreeMap<String, AuthSpec>,
    secrets: BTreeMap<(String, String), BTreeMap<String, String>>,
    config_maps: BTreeMap<(String, String), BTreeMap<String, String>>,
    unknown: BTreeSet<String>,
    /// Reads of these names fail.
    failing: BTreeSet<String>,
}

fn key(ns: &str, name: &str) -> (String, String) {
    (ns.to_owned(), name.to_owned())
}

impl Mem {
    fn get<T: Clone>(
        &self,
        m: &BTreeMap<(String, String), T>,
        ns: &str,
        name: &str,
    ) -> Result<Found<T>, String> {
        if self.failing.contains(name) {
            return Err(format!("forbidden: {name}"));
        }
        if self.unknown.contains(name) {
            return Ok(Found::Unknown);
        }
        Ok(match m.get(&key(ns, name)) {
            Some(v) => Found::Value(v.clone()),
            None => Found::Absent,
        })
    }
    fn key_of(
        &self,
        m: &BTreeMap<(String, String), BTreeMap<String, String>>,
        ns: &str,
        name: &str,
        k: &str,
    ) -> Result<Found<Option<String>>, String> {
        Ok(match self.get(m, ns, name)? {
            Found::Value(data) => Found::Value(data.get(k).cloned()),
            Found::Absent => Found::Absent,
            Found::Unknown => Found::Unknown,
        })
    }
}

impl View for Mem {
    type Error = String;
    fn trigger_authentication(&self, ns: &str, name: &str) -> Result<Found<AuthSpec>, String> {
        self.get(&self.tas, ns, name)
    }
    fn cluster_trigger_authentication(&self, name: &str) -> Result<Found<AuthSpec>, String> {
        let by_name: BTreeMap<(String, String), AuthSpec> = self
            .ctas
            .iter()
            .map(|(n, s)| (key("", n), s.clone()))
            .collect();
        self.get(&by_name, "", name)
    }
    fn secret_key(&self, ns: &str, name: &str, k: &str) -> Result<Found<Option<String>>, String> {
        self.key_of(&self.secrets, ns, name, k)
    }
    fn secret_data(&self, ns: &str, name: &str) -> Result<Found<BTreeMap<String, String>>, String> {
        self.get(&self.secrets, ns, name)
    }
    fn config_map_key(
        &self,
        ns: &str,
        name: &str,
        k: &str,
    ) -> Result<Found<Option<String>>, String> {
        self.key_of(&self.config_maps, ns, name, k)
    }
    fn config_map_data(
        &self,
        ns: &str,
        name: &str,
    ) -> Result<Found<BTreeMap<String, String>>, String> {
        self.get(&self.config_maps, ns, name)
    }
}

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn target(parameter: &str, name: &str, key: &str) -> TargetRef {
    TargetRef {
        parameter: parameter.into(),
        name: name.into(),
        key: key.into(),
    }
}

fn value(v: &str) -> Param {
    Param::Value(v.into())
}

fn var(name: &str, source: EnvSource) -> EnvVar {
    EnvVar {
        name: name.into(),
        source,
    }
}

fn secret_key(name: &str, key: &str) -> EnvSource {
    EnvSource::SecretKey {
        name: name.into(),
        key: key.into(),
        optional: false,
    }
}

fn request<'a>(
    auth_ref: Option<(&'a str, &'a str)>,
    containers: Option<&'a [Container]>,
) -> Request<'a> {
    Request {
        namespace: "shop",
        auth_ref,
        containers,
        env_source_container: None,
        cluster_object_namespace: Some("keda"),
    }
}

#[test]
fn secret_target_ref_reads_the_secret_of_the_trigger_authentication_namespace() {
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "sb"),
        AuthSpec {
            secret_target_ref: vec![target("connection", "sb-secret", "conn")],
            ..AuthSpec::default()
        },
    );
    view.secrets.insert(
        key("shop", "sb-secret"),
        data(&[("conn", "Endpoint=sb://x/")]),
    );
    // The same name elsewhere is not read.
    view.secrets
        .insert(key("keda", "sb-secret"), data(&[("conn", "wrong")]));
    let r = resolve(&view, &request(Some(("", "sb")), None)).unwrap();
    assert_eq!(r.authentication, Authentication::Found);
    assert_eq!(r.auth_params["connection"], value("Endpoint=sb://x/"));
    assert!(r.gaps.is_empty());
}

#[test]
fn cluster_trigger_authentication_reads_secrets_from_the_cluster_object_namespace() {
    let mut view = Mem::default();
    view.ctas.insert(
        "sb".into(),
        AuthSpec {
            secret_target_ref: vec![target("connection", "sb-secret", "conn")],
            config_map_target_ref: vec![target("namespace", "sb-config", "ns")],
            ..AuthSpec::default()
        },
    );
    view.secrets
        .insert(key("keda", "sb-secret"), data(&[("conn", "from-keda")]));
    view.secrets
        .insert(key("shop", "sb-secret"), data(&[("conn", "from-shop")]));
    view.config_maps
        .insert(key("keda", "sb-config"), data(&[("ns", "prod")]));
    let r = resolve(
        &view,
        &request(Some(("ClusterTriggerAuthentication", "sb")), None),
    )
    .unwrap();
    assert_eq!(r.auth_kind, "ClusterTriggerAuthentication");
    assert_eq!(r.auth_params["connection"], value("from-keda"));
    assert_eq!(r.auth_params["namespace"], value("prod"));
    // Without knowing KEDA's namespace, the values are unknown (never another namespace's).
    let mut req = request(Some(("ClusterTriggerAuthentication", "sb")), None);
    req.cluster_object_namespace = None;
    let r = resolve(&view, &req).unwrap();
    assert_eq!(r.auth_params["connection"], Param::Unknown);
}

#[test]
fn secret_target_ref_wins_over_config_map_and_env_for_one_parameter() {
    // KEDA fills env, then configMapTargetRef, then secretTargetRef into one map.
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "a"),
        AuthSpec {
            env: vec![EnvRef {
                parameter: "p".into(),
                name: "P".into(),
                container_name: None,
            }],
            config_map_target_ref: vec![target("p", "cm", "k")],
            secret_target_ref: vec![target("p", "s", "k")],
            ..AuthSpec::default()
        },
    );
    view.config_maps
        .insert(key("shop", "cm"), data(&[("k", "cm")]));
    view.secrets
        .insert(key("shop", "s"), data(&[("k", "secret")]));
    let containers = [Container {
        name: "app".into(),
        env: vec![var("P", EnvSource::Value("env".into()))],
        ..Container::default()
    }];
    let r = resolve(
        &view,
        &request(Some(("TriggerAuthentication", "a")), Some(&containers)),
    )
    .unwrap();
    assert_eq!(r.auth_params["p"], value("secret"));
}

#[test]
fn absent_objects_and_keys_give_empty_parameters_and_are_named() {
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "a"),
        AuthSpec {
            secret_target_ref: vec![target("conn", "s", "missing"), target("other", "gone", "k")],
            ..AuthSpec::default()
        },
    );
    view.secrets.insert(key("shop", "s"), data(&[("k", "v")]));
    let r = resolve(&view, &request(Some(("", "a")), None)).unwrap();
    assert_eq!(r.auth_params["conn"], value(""));
    assert_eq!(r.auth_params["other"], value(""));
    let gaps: Vec<(&str, &str, &str)> = r
        .gaps
        .iter()
        .map(|g| (g.parameter.as_str(), g.name.as_str(), g.key.as_str()))
        .collect();
    assert_eq!(gaps, [("conn", "s", "missing"), ("other", "gone", "k")]);
}

#[test]
fn missing_or_unknown_authentication_and_bad_kind() {
    let view = Mem {
        unknown: ["elsewhere".to_owned()].into(),
        ..Mem::default()
    };
    let r = resolve(&view, &request(Some(("", "nope")), None)).unwrap();
    assert_eq!(r.authentication, Authentication::NotFound);
    assert!(r.auth_params.is_empty() && !r.auth_open);
    let r = resolve(&view, &request(Some(("", "elsewhere")), None)).unwrap();
    assert_eq!(r.authentication, Authentication::Unknown);
    assert!(r.auth_open);
    let r = resolve(&view, &request(Some(("Secret", "x")), None)).unwrap();
    assert_eq!(r.authentication, Authentication::BadKind);
    // An empty name is no authentication at all.
    let r = resolve(&view, &request(Some(("", "")), None)).unwrap();
    assert_eq!(r.authentication, Authentication::None);
}

#[test]
fn view_failures_name_the_parameter() {
    let mut view = Mem {
        failing: ["locked".to_owned()].into(),
        ..Mem::default()
    };
    view.tas.insert(
        key("shop", "a"),
        AuthSpec {
            secret_target_ref: vec![target("conn", "locked", "k")],
            ..AuthSpec::default()
        },
    );
    match resolve(&view, &request(Some(("", "a")), None)) {
        Err(ResolveError::Target {
            parameter,
            kind,
            error,
        }) => {
            assert_eq!((parameter.as_str(), kind), ("conn", "Secret"));
            assert_eq!(error, "forbidden: locked");
        }
        other => panic!("{other:?}"),
    }
    match resolve(&view, &request(Some(("", "locked")), None)) {
        Err(ResolveError::Authentication(e)) => assert_eq!(e, "forbidden: locked"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn env_value_from_secret_and_config_map_and_env_from_with_prefix() {
    let mut view = Mem::default();
    view.secrets
        .insert(key("shop", "s"), data(&[("conn", "c1"), ("user", "u")]));
    view.config_maps.insert(
        key("shop", "cm"),
        data(&[("QUEUE", "orders"), ("X", "from-cm")]),
    );
    let containers = [Container {
        name: "app".into(),
        env_from: vec![
            EnvFrom {
                prefix: "".into(),
                source: EnvFromSource::ConfigMap {
                    name: "cm".into(),
                    optional: false,
                },
            },
            EnvFrom {
                prefix: "SB_".into(),
                source: EnvFromSource::Secret {
                    name: "s".into(),
                    optional: false,
                },
            },
        ],
        env: vec![
            var("CONN", secret_key("s", "conn")),
            var(
                "NAME",
                EnvSource::ConfigMapKey {
                    name: "cm".into(),
                    key: "QUEUE".into(),
                    optional: false,
                },
            ),
            // env overrides envFrom.
            var("X", EnvSource::Value("plain".into())),
            var("POD", EnvSource::Pod),
        ],
    }];
    let r = resolve(&view, &request(None, Some(&containers))).unwrap();
    assert_eq!(r.env["CONN"], value("c1"));
    assert_eq!(r.env["NAME"], value("orders"));
    assert_eq!(r.env["QUEUE"], value("orders"));
    assert_eq!(r.env["SB_user"], value("u"));
    assert_eq!(r.env["X"], value("plain"));
    assert_eq!(r.env["POD"], Param::Unknown);
    assert!(!r.env_open);
}

#[test]
fn env_items_read_their_own_container_or_the_env_source_one() {
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "a"),
        AuthSpec {
            env: vec![
                EnvRef {
                    parameter: "default".into(),
                    name: "V".into(),
                    container_name: None,
                },
                EnvRef {
                    parameter: "sidecar".into(),
                    name: "V".into(),
                    container_name: Some("side".into()),
                },
                EnvRef {
                    parameter: "nowhere".into(),
                    name: "V".into(),
                    container_name: Some("ghost".into()),
                },
                EnvRef {
                    parameter: "undefined".into(),
                    name: "NOPE".into(),
                    container_name: None,
                },
            ],
            ..AuthSpec::default()
        },
    );
    let containers = [
        Container {
            name: "app".into(),
            env: vec![var("V", EnvSource::Value("app".into()))],
            ..Container::default()
        },
        Container {
            name: "side".into(),
            env: vec![var("V", EnvSource::Value("side".into()))],
            ..Container::default()
        },
    ];
    let mut req = request(Some(("", "a")), Some(&containers));
    req.env_source_container = Some("side");
    let r = resolve(&view, &req).unwrap();
    assert_eq!(r.auth_params["default"], value("side"));
    assert_eq!(r.auth_params["sidecar"], value("side"));
    // KEDA resolves a container it cannot find, or a variable it lacks, to "".
    assert_eq!(r.auth_params["nowhere"], value(""));
    assert_eq!(r.auth_params["undefined"], value(""));
    let gaps: Vec<&str> = r.gaps.iter().map(|g| g.parameter.as_str()).collect();
    assert_eq!(gaps, ["nowhere", "undefined"]);
    // Without the pod, env parameters are unknown, not empty.
    let r = resolve(&view, &request(Some(("", "a")), None)).unwrap();
    assert_eq!(r.auth_params["default"], Param::Unknown);
    assert!(r.gaps.is_empty());
}

#[test]
fn a_missing_required_env_source_fails_the_container_env_an_optional_one_does_not() {
    let view = Mem::default();
    let with = |optional| {
        [Container {
            name: "app".into(),
            env: vec![
                var("A", EnvSource::Value("1".into())),
                var(
                    "B",
                    EnvSource::SecretKey {
                        name: "gone".into(),
                        key: "k".into(),
                        optional,
                    },
                ),
            ],
            ..Container::default()
        }]
    };
    let optional = with(true);
    let r = resolve(&view, &request(None, Some(&optional))).unwrap();
    assert_eq!(r.env.get("A"), Some(&value("1")));
    assert_eq!(r.env.get("B"), None);
    let required = with(false);
    let r = resolve(&view, &request(None, Some(&required))).unwrap();
    assert!(r.env.is_empty());
}

#[test]
fn pod_identity_comes_with_the_authentication() {
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "wi"),
        AuthSpec {
            pod_identity: Some(PodIdentity {
                provider: "azure-workload".into(),
                identity_id: Some("client-1".into()),
                ..PodIdentity::default()
            }),
            external: vec!["vaulted".into()],
            ..AuthSpec::default()
        },
    );
    let r = resolve(&view, &request(Some(("", "wi")), None)).unwrap();
    let p = r.pod_identity.unwrap();
    assert_eq!(p.provider, "azure-workload");
    assert_eq!(p.identity_id.as_deref(), Some("client-1"));
    assert_eq!(r.auth_params["vaulted"], Param::Unknown);
}

#[test]
fn needs_lists_every_secret_and_config_map_read_once() {
    let mut view = Mem::default();
    view.tas.insert(
        key("shop", "a"),
        AuthSpec {
            secret_target_ref: vec![target("a", "s1", "k"), target("b", "s1", "j")],
            config_map_target_ref: vec![target("c", "cm", "k")],
            ..AuthSpec::default()
        },
    );
    let containers = [Container {
        name: "app".into(),
        env: vec![var("X", secret_key("s2", "k"))],
        env_from: vec![EnvFrom {
            prefix: "".into(),
            source: EnvFromSource::ConfigMap {
                name: "cm2".into(),
                optional: true,
            },
        }],
    }];
    let needs: Vec<(&str, String)> = needs(&view, &request(Some(("", "a")), Some(&containers)))
        .unwrap()
        .into_iter()
        .map(|n| (n.kind, format!("{}/{}", n.namespace, n.name)))
        .collect();
    assert_eq!(
        needs,
        [
            ("ConfigMap", "shop/cm".to_owned()),
            ("ConfigMap", "shop/cm2".to_owned()),
            ("Secret", "shop/s1".to_owned()),
            ("Secret", "shop/s2".to_owned()),
        ]
    );
}

#[test]
fn env_values_expand_earlier_variables_as_kubernetes_does() {
    let env: BTreeMap<String, Param> = [("A".to_owned(), value("x"))].into();
    assert_eq!(expand("$(A)-$(B)", &env), "x-$(B)");
    assert_eq!(expand("$$(A)", &env), "$(A)");
    assert_eq!(expand("a$(b", &env), "a$(b");
    assert_eq!(expand("$é$(A)", &env), "$éx");
    assert_eq!(expand("$(A", &env), "$(A");
    assert_eq!(expand("plain", &env), "plain");
}

#[test]
fn containers_read_every_env_source_of_a_pod_spec() {
    let list = serde_json::json!([
        {"name": "app",
         "envFrom": [{"prefix": "P_", "secretRef": {"name": "s", "optional": true}},
                     {"configMapRef": {"name": "cm"}},
                     {"unknownRef": {}}],
         "env": [{"name": "A", "value": "1"},
                 {"name": "N", "value": 5},
                 {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
                 {"name": "C", "valueFrom": {"configMapKeyRef": {"name": "cm", "key": "k", "optional": true}}},
                 {"name": "D", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                 {"name": "E"},
                 {"value": "nameless"}]},
        {"name": "side"}
    ]);
    let cs = containers(&list);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[1].name, "side");
    let app = &cs[0];
    assert_eq!(
        app.env_from,
        [
            EnvFrom {
                prefix: "P_".into(),
                source: EnvFromSource::Secret {
                    name: "s".into(),
                    optional: true
                }
            },
            EnvFrom {
                prefix: "".into(),
                source: EnvFromSource::ConfigMap {
                    name: "cm".into(),
                    optional: false
                }
            },
            EnvFrom {
                prefix: "".into(),
                source: EnvFromSource::Other
            },
        ]
    );
    assert_eq!(
        app.env,
        [
            var("A", EnvSource::Value("1".into())),
            var("N", EnvSource::Value("5".into())),
            var("B", secret_key("s", "k")),
            var(
                "C",
                EnvSource::ConfigMapKey {
                    name: "cm".into(),
                    key: "k".into(),
                    optional: true
                }
            ),
            var("D", EnvSource::Pod),
            var("E", EnvSource::Value(String::new())),
        ]
    );
    assert!(containers(&serde_json::Value::Null).is_empty());
}

#[test]
fn a_spec_off_keda_schema_is_refused_by_the_host_reading_and_read_leniently_by_the_linter() {
    let misfit = |spec: serde_json::Value| decode_auth_spec(&spec).unwrap_err().to_string();
    // The value never shows, only where and which JSON types.
    assert_eq!(
        misfit(serde_json::json!({"secretTargetRef": "TOKEN-1"})),
        "schema error at spec.secretTargetRef: expected an array, found a string"
    );
    assert_eq!(
        misfit(serde_json::json!({"secretTargetRef": [{"parameter": "p", "name": "s", "key": 7}]})),
        "schema error at spec.secretTargetRef[0].key: expected a string, found a number"
    );
    assert_eq!(
        misfit(serde_json::json!({"env": [{"parameter": "p"}]})),
        "schema error at spec.env[0].name: expected a string, found nothing"
    );
    assert_eq!(
        misfit(serde_json::json!({"podIdentity": {"identityId": "x"}})),
        "schema error at spec.podIdentity.provider: expected a string, found nothing"
    );
    assert_eq!(
        misfit(serde_json::json!({"azureKeyVault": {"vaultUri": "https://v"}})),
        "schema error at spec.azureKeyVault.secrets: expected an array, found nothing"
    );
    assert_eq!(
        misfit(serde_json::json!({"hashiCorpVault": {"secrets": null}})),
        "schema error at spec.hashiCorpVault.secrets: expected an array, found null"
    );
    assert_eq!(
        misfit(serde_json::json!({"boundServiceAccountToken": [["p"]]})),
        "schema error at spec.boundServiceAccountToken[0]: expected an object, found an array"
    );
    assert_eq!(
        misfit(serde_json::json!("spec")),
        "schema error at spec: expected an object, found a string"
    );
    // Nulls are dropped by the API server, as absent fields.
    let nulls = serde_json::json!({"podIdentity": {"provider": "azure-workload", "identityId": null},
        "filePath": null, "env": null});
    let spec = decode_auth_spec(&nulls).unwrap();
    assert_eq!(spec.pod_identity.unwrap().identity_id, None);
    assert!(!spec.open);

    // The linter reads what it can: a key that is not a string is an unknown value, an item
    // without a parameter is no parameter.
    let lenient = auth_spec(&serde_json::json!({"secretTargetRef": [
        {"parameter": "p", "name": "s", "key": 7},
        {"name": "s", "key": "k"},
        {"parameter": 5, "name": "s", "key": "k"},
    ]}));
    assert_eq!(lenient.external, ["p"]);
    assert_eq!(
        lenient.secret_target_ref,
        [TargetRef {
            parameter: "5".into(),
            name: "s".into(),
            key: "k".into()
        }]
    );
}
