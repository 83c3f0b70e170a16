//! Status fields KEDA's controllers derive from a ScaledObject's or ScaledJob's triggers
//! (`apis/keda/v1alpha1/scaletriggers_types.go`, `controllers/keda/hpa.go`,
//! `pkg/scaling/executor/scale_executor.go`). Built at write time from the spec: nothing here
//! is kept per tick.

use scalecore::model::Trigger;
use serde_json::{Map, Value};

/// `CombinedTriggersAndAuthenticationsTypes`: the trigger types, and the names (not kinds) of
/// the `authenticationRef`s, each once, in trigger order, joined by commas. KEDA stores both
/// as pointers to the joined string, so an object without authentications gets `""`.
pub fn triggers_and_authentications_types(triggers: &[Trigger]) -> (String, String) {
    let mut types: Vec<&str> = Vec::new();
    let mut auths: Vec<&str> = Vec::new();
    for t in triggers {
        if !types.contains(&t.trigger_type.as_str()) {
            types.push(&t.trigger_type);
        }
        if let Some(a) = &t.authentication_ref {
            if !auths.contains(&a.name.as_str()) {
                auths.push(&a.name);
            }
        }
    }
    (types.join(","), auths.join(","))
}

/// Sets `triggersTypes` and `authenticationsTypes` in a status object.
pub fn set_types(status: &mut Value, triggers: &[Trigger]) {
    let (types, auths) = triggers_and_authentications_types(triggers);
    status["triggersTypes"] = Value::String(types);
    status["authenticationsTypes"] = Value::String(auths);
}

/// `getScaledObjectMetricSpecs`' `resourceMetricNames`: the resource name of every cpu/memory
/// trigger that becomes an HPA `Resource` metric, in trigger order and repeated as often as
/// it appears. With `containerName` the scaler asks for a `ContainerResource` metric instead,
/// which KEDA lists nowhere.
pub fn resource_metric_names(triggers: &[Trigger]) -> Vec<&str> {
    triggers
        .iter()
        .filter(|t| t.is_resource())
        .filter(|t| t.metadata.get("containerName").is_none_or(String::is_empty))
        .map(|t| t.trigger_type.as_str())
        .collect()
}

/// `getTriggersActivity`: `{metricName: {isActive}}` over the external metric names. KEDA
/// omits an empty map (`omitempty`).
pub fn triggers_activity<'a>(activity: impl Iterator<Item = (&'a str, bool)>) -> Option<Value> {
    let map: Map<String, Value> = activity
        .map(|(name, active)| {
            let mut status = Map::new();
            status.insert("isActive".into(), Value::Bool(active));
            (name.to_owned(), Value::Object(status))
        })
        .collect();
    (!map.is_empty()).then_some(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalecore::model::AuthenticationRef;
    use serde_json::json;

    fn trigger(index: usize, kind: &str, auth: Option<&str>) -> Trigger {
        Trigger {
            index,
            trigger_type: kind.into(),
            name: None,
            metadata: Default::default(),
            metric_type: None,
            use_cached_metrics: false,
            authentication_ref: auth.map(|name| AuthenticationRef {
                name: name.into(),
                kind: String::new(),
            }),
        }
    }

    /// KEDA's e2e `tests/internals/status_update`: metrics-api (with a TriggerAuthentication),
    /// cron, cron gives `metrics-api,cron` and the authentication's name.
    #[test]
    fn types_are_deduplicated_in_trigger_order() {
        let triggers = [
            trigger(0, "metrics-api", Some("status-update-test-ta")),
            trigger(1, "cron", None),
            trigger(2, "cron", None),
        ];
        assert_eq!(
            triggers_and_authentications_types(&triggers),
            ("metrics-api,cron".into(), "status-update-test-ta".into())
        );
    }

    /// Names, not kinds: a ClusterTriggerAuthentication reads as its name; a name used twice
    /// appears once; no authentication at all is the empty string.
    #[test]
    fn authentications_are_names_once_each() {
        let mut cluster = trigger(1, "azure-queue", Some("shared"));
        if let Some(a) = &mut cluster.authentication_ref {
            a.kind = "ClusterTriggerAuthentication".into();
        }
        let triggers = [
            trigger(0, "azure-servicebus", Some("sb")),
            cluster,
            trigger(2, "azure-servicebus", Some("sb")),
            trigger(3, "cpu", None),
        ];
        assert_eq!(
            triggers_and_authentications_types(&triggers),
            (
                "azure-servicebus,azure-queue,cpu".into(),
                "sb,shared".into()
            )
        );
        assert_eq!(
            triggers_and_authentications_types(&[trigger(0, "cron", None)]),
            ("cron".into(), String::new())
        );
    }

    #[test]
    fn resource_metric_names_skip_container_metrics() {
        let mut container = trigger(2, "cpu", None);
        container
            .metadata
            .insert("containerName".into(), "app".into());
        let triggers = [
            trigger(0, "memory", None),
            trigger(1, "azure-queue", None),
            container,
            trigger(3, "cpu", None),
            trigger(4, "cpu", None),
        ];
        assert_eq!(resource_metric_names(&triggers), ["memory", "cpu", "cpu"]);
    }

    #[test]
    fn activity_map_is_omitted_when_empty() {
        assert_eq!(triggers_activity(std::iter::empty()), None);
        assert_eq!(
            triggers_activity([("s0-cron", true), ("s1-azure-queue-q", false)].into_iter()),
            Some(json!({"s0-cron": {"isActive": true}, "s1-azure-queue-q": {"isActive": false}}))
        );
    }
}
