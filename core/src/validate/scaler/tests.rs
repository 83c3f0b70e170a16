//! One test per scaler-layer rule, through the public linter.

use crate::diagnostic::{Diagnostic, Severity};
use crate::validate::{lint, LintOptions};
use crate::version::KedaVersion;

const CONN: &str = "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=manage;SharedAccessKey=c2VjcmV0LWtleS12YWx1ZQ==";

fn so(triggers: &str) -> String {
    format!(
        "apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
  namespace: demo
spec:
  scaleTargetRef:
    name: orders
  triggers:
{triggers}"
    )
}

const DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: demo
spec:
  template:
    spec:
      containers:
      - name: app
        image: app
        env:
        - name: PLAIN
          value: hello
        - name: SB_CONN
          valueFrom:
            secretKeyRef:
              name: sb
              key: conn
---
";

fn scaler_diags(text: &str, version: KedaVersion) -> Vec<Diagnostic> {
    let options = LintOptions {
        keda_version: version,
        ..LintOptions::default()
    };
    lint(text, &options)
        .into_iter()
        .filter(|d| d.code.starts_with("KEDA2"))
        .collect()
}

fn codes(text: &str) -> Vec<(String, Severity, String)> {
    scaler_diags(text, KedaVersion::DEFAULT)
        .into_iter()
        .map(|d| (d.code, d.severity, d.path))
        .collect()
}

fn sb(metadata: &str) -> String {
    so(&format!(
        "  - type: azure-servicebus\n    metadata:\n{metadata}"
    ))
}

#[test]
fn servicebus_connection_sources() {
    // No auth, no env reference: KEDA cannot build the scaler.
    let d = codes(&sb("      queueName: orders\n"));
    assert_eq!(
        d,
        vec![(
            "KEDA2002".to_owned(),
            Severity::Error,
            "spec.triggers[0].metadata".to_owned()
        )]
    );
    // Env from a Secret the bundle does not hold: may exist in the cluster.
    let text = format!(
        "{DEPLOYMENT}{}",
        sb("      queueName: orders\n      connectionFromEnv: SB_CONN\n")
    );
    assert!(codes(&text).is_empty(), "{:?}", codes(&text));
    // The workload is not in the bundle: nothing is known about its env.
    assert!(codes(&sb(
        "      queueName: orders\n      connectionFromEnv: SB_CONN\n"
    ))
    .is_empty());
    // A visible container without the variable: an error at connectionFromEnv (KEDA finds
    // no connection and fails).
    let text = format!(
        "{DEPLOYMENT}{}",
        sb("      queueName: orders\n      connectionFromEnv: NOPE\n")
    );
    assert_eq!(
        codes(&text),
        vec![(
            "KEDA2010".to_owned(),
            Severity::Error,
            "spec.triggers[0].metadata.connectionFromEnv".to_owned()
        )]
    );
    // A TriggerAuthentication that is not in the bundle.
    let text = so("  - type: azure-servicebus
    metadata:
      queueName: orders
    authenticationRef:
      name: somewhere-else
");
    assert!(codes(&text).is_empty());
}

#[test]
fn servicebus_workload_identity_from_bundle() {
    let ta = |provider: &str| {
        format!(
            "apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: sb-auth
  namespace: demo
spec:
  podIdentity:
    provider: {provider}
---
"
        )
    };
    let trigger = |meta: &str| {
        so(&format!(
            "  - type: azure-servicebus
    metadata:
{meta}    authenticationRef:
      name: sb-auth
"
        ))
    };
    let text = format!(
        "{}{}",
        ta("azure-workload"),
        trigger("      queueName: orders\n")
    );
    let d = codes(&text);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "KEDA2002");
    let text = format!(
        "{}{}",
        ta("azure-workload"),
        trigger("      queueName: orders\n      namespace: contoso\n      cloud: Nowhere\n")
    );
    assert_eq!(
        codes(&text),
        vec![(
            "KEDA2003".to_owned(),
            Severity::Error,
            "spec.triggers[0].metadata.cloud".to_owned()
        )]
    );
    let text = format!(
        "{}{}",
        ta("azure-workload"),
        trigger(
            "      queueName: orders\n      namespace: contoso\n      cloud: AzureStackCloud\n"
        )
    );
    assert_eq!(codes(&text)[0].0, "KEDA2007");
    let text = format!(
        "{}{}",
        ta("gcp"),
        trigger("      queueName: orders\n      namespace: contoso\n")
    );
    assert_eq!(
        codes(&text),
        vec![(
            "KEDA2005".to_owned(),
            Severity::Error,
            "spec.triggers[0].authenticationRef".to_owned()
        )]
    );
}

#[test]
fn servicebus_values_point_at_metadata() {
    let text = format!(
        "{DEPLOYMENT}{}",
        sb("      queueName: orders\n      connectionFromEnv: PLAIN\n      messageCount: \"5.5\"\n")
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "KEDA2003");
    assert_eq!(d[0].path, "spec.triggers[0].metadata.messageCount");
    assert!(d[0].message.contains("cannot unmarshal number 5.5"));
    // The span is the value `"5.5"` on its line.
    let line = text.lines().nth(d[0].line as usize - 1).unwrap_or("");
    assert!(line.contains("messageCount"));
    assert_eq!(
        &line[d[0].column as usize - 1..d[0].end_column as usize - 1],
        "\"5.5\""
    );
}

#[test]
fn quirks_are_warnings_and_hide_secrets() {
    let text = format!(
        "{DEPLOYMENT}{}",
        sb(&format!(
            "      queueName: orders\n      connectionFromEnv: PLAIN\n      connection: \"{CONN}\"\n      queueLength: \"10\"\n"
        ))
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("KEDA2008", "spec.triggers[0].metadata.connection"),
            ("KEDA2008", "spec.triggers[0].metadata.queueLength"),
        ]
    );
    assert!(d.iter().all(|d| d.severity == Severity::Warning));
    assert!(d.iter().all(|d| !d.message.contains("SharedAccessKey=")));
}

#[test]
fn secret_values_never_appear() {
    // "bogus-mode" (base64 Ym9ndXMtbW9kZQ==) is not an allowed sasl value.
    let text = "apiVersion: v1
kind: Secret
metadata:
  name: kafka
  namespace: demo
data:
  sasl: Ym9ndXMtbW9kZQ==
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: kafka-auth
  namespace: demo
spec:
  secretTargetRef:
  - parameter: sasl
    name: kafka
    key: sasl
---
"
    .to_owned()
        + &so("  - type: kafka
    metadata:
      bootstrapServers: kafka:9092
      consumerGroup: g
      topic: t
    authenticationRef:
      name: kafka-auth
");
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "KEDA2003");
    assert!(!d[0].message.contains("bogus-mode"), "{}", d[0].message);
    assert!(d[0].message.contains("sasl"));
}

#[test]
fn unknown_type_suggests_the_known_name() {
    let d = scaler_diags(
        &so("  - type: azure-service-bus\n    metadata:\n      queueName: q\n"),
        KedaVersion::DEFAULT,
    );
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "KEDA2001");
    assert_eq!(d[0].path, "spec.triggers[0].type");
    assert!(
        d[0].message.contains("\"azure-servicebus\""),
        "{}",
        d[0].message
    );
}

#[test]
fn metric_type_rules_are_runtime_warnings() {
    let d = codes(&so("  - type: prometheus
    metricType: Utilization
    metadata:
      serverAddress: http://prometheus:9090
      query: up
      threshold: '5'
"));
    assert_eq!(
        d,
        vec![(
            "KEDA2006".to_owned(),
            Severity::Warning,
            "spec.triggers[0].metricType".to_owned()
        )]
    );
}

#[test]
fn cpu_memory_without_utilization_or_average_value_is_an_error() {
    // pkg/scalers/cpu_memory_scaler_test.go testCPUMemoryMetadata rows 0, 3, 4 and 5
    // (v2.20.2): no metricType, or Value, fails parseResourceMetadata.
    for (kind, metric_type) in [
        ("cpu", ""),
        ("memory", ""),
        ("cpu", "Value"),
        ("memory", "Value"),
    ] {
        let line = if metric_type.is_empty() {
            String::new()
        } else {
            format!("    metricType: {metric_type}\n")
        };
        let d = codes(&so(&format!(
            "  - type: {kind}\n{line}    metadata:\n      value: '70'\n"
        )));
        assert_eq!(
            d,
            vec![(
                "KEDA2011".to_owned(),
                Severity::Error,
                if metric_type.is_empty() {
                    "spec.triggers[0]".to_owned()
                } else {
                    "spec.triggers[0].metricType".to_owned()
                }
            )],
            "{kind} {metric_type:?}"
        );
    }
    // Rows 1 and 2: Utilization and AverageValue build.
    for metric_type in ["Utilization", "AverageValue"] {
        let d = codes(&so(&format!(
            "  - type: cpu\n    metricType: {metric_type}\n    metadata:\n      value: '50'\n"
        )));
        assert!(d.is_empty(), "{metric_type}: {d:?}");
    }
}

#[test]
fn cpu_type_metadata_depends_on_version() {
    let text = so("  - type: cpu
    metricType: Utilization
    metadata:
      type: Utilization
      value: '70'
");
    let now = scaler_diags(&text, KedaVersion::DEFAULT);
    assert_eq!(now.len(), 1, "{now:?}");
    assert_eq!(now[0].code, "KEDA2004");
    assert_eq!(now[0].path, "spec.triggers[0].metadata.type");
    // Before 2.18 `type` is read; together with metricType KEDA refuses the pair.
    let old = scaler_diags(&text, KedaVersion::new(2, 17, 0));
    assert!(old.iter().any(|d| d.code == "KEDA2003"), "{old:?}");
    assert!(old.iter().any(|d| d.code == "KEDA2009"), "{old:?}");
}

#[test]
fn generic_checks_from_the_schema() {
    let d = codes(&so("  - type: prometheus
    metadata:
      serverAddress: http://prometheus:9090
      query: up
      threshold: ten
      activationThreshold: '1'
"));
    assert_eq!(
        d,
        vec![(
            "KEDA2003".to_owned(),
            Severity::Error,
            "spec.triggers[0].metadata.threshold".to_owned()
        )]
    );
    let d = codes(&so(
        "  - type: prometheus\n    metadata:\n      query: up\n      threshold: '3'\n",
    ));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "KEDA2002");
    let d = codes(&so("  - type: azure-queue
    metadata:
      queueName: jobs
      queueLengthStrategy: newest
      connectionFromEnv: X
"));
    assert!(
        d.iter()
            .any(|x| x.0 == "KEDA2003" && x.2 == "spec.triggers[0].metadata.queueLengthStrategy"),
        "{d:?}"
    );
}

#[test]
fn scaled_job_env_comes_from_its_template() {
    let text = "apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: jobs
  namespace: demo
spec:
  jobTargetRef:
    template:
      spec:
        containers:
        - name: worker
          image: w
          env:
          - name: RABBIT
            value: amqp://guest:guest@rabbit:5672/
  triggers:
  - type: rabbitmq
    metadata:
      queueName: jobs
      hostFromEnv: RABBIT
      mode: QueueLength
      value: '5'
";
    assert!(codes(text).is_empty(), "{:?}", codes(text));
    let missing = text.replace("hostFromEnv: RABBIT", "hostFromEnv: OTHER");
    let d = codes(&missing);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].0, "KEDA2010");
}

#[test]
fn unread_metadata_keys_are_named() {
    let text = format!(
        "{DEPLOYMENT}{}",
        sb("      queueName: orders\n      connectionFromEnv: PLAIN\n      messageCont: \"9\"\n      team: billing\n")
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    let got: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d.code.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("KEDA2008", "spec.triggers[0].metadata.messageCont"),
            ("KEDA2008", "spec.triggers[0].metadata.team"),
        ]
    );
    assert!(
        d[0].message.contains("did you mean \"messageCount\""),
        "{}",
        d[0].message
    );
    // servicebus reads no `<name>FromEnv` but connectionFromEnv.
    let text = format!(
        "{DEPLOYMENT}{}",
        sb("      queueNameFromEnv: PLAIN\n      queueName: orders\n      connectionFromEnv: PLAIN\n")
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, "spec.triggers[0].metadata.queueNameFromEnv");
    // Other scalers: only near-misses, since the schema may lag behind the code.
    let text = so("  - type: prometheus
    metadata:
      serverAddress: http://p:9090
      query: up
      threshold: '5'
      treshold: '6'
      customHeaders: X=1
");
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, "spec.triggers[0].metadata.treshold");
}

#[test]
fn servicebus_quirk_warnings() {
    let ta = "apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: sb-auth
  namespace: demo
spec:
  podIdentity:
    provider: azure-workload
---
";
    let text = format!(
        "{ta}{}",
        so("  - type: azure-servicebus
    metadata:
      queueName: orders-.*
      useRegex: 'true'
      operation: sum,max
      namespace: contoso.servicebus.windows.net
      messageCount: '0'
    authenticationRef:
      name: sb-auth
")
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    let mut got: Vec<&str> = d.iter().map(|d| d.path.as_str()).collect();
    got.sort_unstable();
    assert_eq!(
        got,
        vec![
            "spec.triggers[0].metadata.messageCount",
            "spec.triggers[0].metadata.namespace",
            "spec.triggers[0].metadata.operation",
        ]
    );
    assert!(d
        .iter()
        .all(|d| d.code == "KEDA2008" && d.severity == Severity::Warning));
}

/// The first fix of the first finding with `code`, applied alone.
fn fixed_by(
    text: &str,
    code: &str,
    version: KedaVersion,
) -> Option<(String, crate::Applicability)> {
    let d = scaler_diags(text, version)
        .into_iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no {code}"));
    let a = d.fixes.first()?.applicability;
    let options = crate::fix::FixOptions { unsafe_fixes: true };
    let (out, n) = crate::fix::apply(text, &[d], options);
    assert_eq!(n, 1);
    Some((out, a))
}

const HUAWEI: &str = "  - type: huawei-cloudeye
    metadata:
      namespace: SYS.ELB
      dimensionName: lbaas_instance_id
      dimensionValue: 5e052238
      metricName: mb_l7_qps
      targetMetricValue: \"100\"
      minMetricValue: \"1\"
";

#[test]
fn a_parameter_keda_renamed_is_renamed() {
    // Removed in 2.20 (an error), deprecated before (a warning): the same rename either way.
    for (version, code) in [
        (KedaVersion::DEFAULT, "KEDA2004"),
        (KedaVersion::new(2, 19, 0), "KEDA2009"),
    ] {
        let text = so(HUAWEI);
        let (out, a) = fixed_by(&text, code, version).expect("a fix");
        assert_eq!(a, crate::Applicability::Safe);
        assert!(
            out.contains("      activationTargetMetricValue: \"1\"\n"),
            "{out}"
        );
        let left: Vec<_> = scaler_diags(&out, version)
            .into_iter()
            .map(|d| d.code)
            .collect();
        assert!(!left.contains(&code.to_owned()), "{left:?}");
    }
    // Both set: renaming would leave two values for one parameter.
    let both = so(&format!(
        "{HUAWEI}      activationTargetMetricValue: \"2\"\n"
    ));
    assert!(fixed_by(&both, "KEDA2004", KedaVersion::DEFAULT).is_none());
}

#[test]
fn cpu_type_moves_to_the_triggers_metric_type() {
    let text = so("  - type: cpu\n    metadata:\n      type: Utilization\n      value: \"50\"\n");
    let want =
        so("  - metricType: Utilization\n    type: cpu\n    metadata:\n      value: \"50\"\n");
    for (version, code) in [
        (KedaVersion::DEFAULT, "KEDA2004"),
        (KedaVersion::new(2, 17, 0), "KEDA2009"),
    ] {
        let (out, a) = fixed_by(&text, code, version).expect("a fix");
        assert_eq!(a, crate::Applicability::Safe);
        assert_eq!(out, want);
        assert!(scaler_diags(&out, version).is_empty(), "{out}");
    }
    // With a metricType already, or a value no resource metric takes, it is for a person.
    let both = so(
        "  - type: cpu\n    metricType: AverageValue\n    metadata:\n      type: Utilization\n      value: \"50\"\n",
    );
    assert!(fixed_by(&both, "KEDA2004", KedaVersion::DEFAULT).is_none());
    let odd = text.replace("type: Utilization", "type: Value");
    assert!(fixed_by(&odd, "KEDA2004", KedaVersion::DEFAULT).is_none());
}

#[test]
fn a_replacement_that_is_no_metadata_parameter_gets_no_fix() {
    // gcp-pubsub's subscriptionSize became two parameters, mode and value.
    let text = so("  - type: gcp-pubsub\n    metadata:\n      subscriptionName: s\n      subscriptionSize: \"5\"\n");
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert!(d.iter().any(|d| d.code == "KEDA2004"), "{d:?}");
    assert!(d.iter().all(|d| d.fixes.is_empty()), "{d:?}");
}

#[test]
fn service_bus_queue_length_becomes_message_count_only_when_asked() {
    let trigger = |extra: &str| {
        so(&format!(
            "  - type: azure-servicebus\n    metadata:\n      queueName: q\n      namespace: ns\n      queueLength: \"20\"\n{extra}"
        ))
    };
    let (out, a) = fixed_by(&trigger(""), "KEDA2008", KedaVersion::DEFAULT).expect("a fix");
    assert_eq!(a, crate::Applicability::Unsafe);
    assert!(out.contains("      messageCount: \"20\"\n"), "{out}");
    let set = trigger("      messageCount: \"5\"\n");
    assert!(fixed_by(&set, "KEDA2008", KedaVersion::DEFAULT).is_none());
}

#[test]
fn an_unknown_trigger_type_is_respelt() {
    use crate::Applicability::{Safe, Unsafe};
    for (written, want) in [("Azure-Service-Bus", Safe), ("azure-servicebuss", Unsafe)] {
        let text = so(&format!(
            "  - type: {written}\n    metadata:\n      queueName: q\n      namespace: ns\n"
        ));
        let (out, a) = fixed_by(&text, "KEDA2001", KedaVersion::DEFAULT).expect("a fix");
        assert_eq!(a, want, "{written}");
        assert!(out.contains("  - type: azure-servicebus\n"), "{out}");
    }
    let text = so("  - type: zzzzzzzzzzzz\n    metadata:\n      a: b\n");
    assert!(fixed_by(&text, "KEDA2001", KedaVersion::DEFAULT).is_none());
}

#[test]
fn a_misspelt_metadata_key_is_renamed_only_when_asked() {
    let text = so(
        "  - type: azure-servicebus\n    metadata:\n      queueName: q\n      namespace: ns\n      mesageCount: \"10\"\n",
    );
    let d = scaler_diags(&text, KedaVersion::DEFAULT);
    assert!(
        d.iter()
            .any(|d| d.message.contains("did you mean \"messageCount\"")),
        "{d:?}"
    );
    let (out, a) = fixed_by(&text, "KEDA2008", KedaVersion::DEFAULT).expect("a fix");
    assert_eq!(a, crate::Applicability::Unsafe);
    assert!(out.contains("      messageCount: \"10\"\n"), "{out}");
    assert!(!scaler_diags(&out, KedaVersion::DEFAULT)
        .iter()
        .any(|d| d.code == "KEDA2008"));
}
