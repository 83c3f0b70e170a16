//! Names: KEDA's metric base names for scalers without a module of their own, and the
//! closest known trigger type for a misspelt one.

use super::catalog::scalers;
use super::typed::{self, Order};
use super::TriggerInput;

/// The known type a misspelt one most likely meant.
pub fn suggest_type(trigger_type: &str) -> Option<&'static str> {
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let want = squash(trigger_type);
    // Only a distance within `limit` is suggested, and the length difference is a lower
    // bound of the distance: a name that cannot be within it, or closer than the best so
    // far, is not measured (each misspelt trigger otherwise costs ~75 full comparisons).
    let limit = (want.len() / 4).max(2);
    let mut best: Option<(usize, &'static str)> = None;
    for s in scalers() {
        let name: &'static str = &s.trigger_type;
        let len = name.chars().filter(char::is_ascii_alphanumeric).count();
        let floor = want.len().abs_diff(len);
        if floor > limit || best.is_some_and(|(bd, _)| floor >= bd) {
            continue;
        }
        let theirs = squash(name);
        // Only a name strictly closer than the best so far can replace it.
        let max = best.map_or(limit, |(bd, _)| limit.min(bd - 1));
        if let Some(d) = levenshtein_within(&want, &theirs, max) {
            best = Some((d, name));
        }
    }
    best.map(|(_, name)| name)
}

/// Edit distance over Unicode scalar values, for suggestions (inputs are short names).
pub fn levenshtein(a: &str, b: &str) -> usize {
    levenshtein_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`levenshtein`] if it is at most `max`, else `None`, found out as soon as a whole row of
/// the table is over `max` (the distance is never below the smallest entry of any row).
pub fn levenshtein_within(a: &str, b: &str, max: usize) -> Option<usize> {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
        if prev.iter().all(|&d| d > max) {
            return None;
        }
    }
    prev.last().copied().filter(|&d| d <= max)
}

/// KEDA's metric base name for the scalers whose names keda-resources.md §7 lists; the
/// trigger type for the others.
pub fn metric_base(input: &TriggerInput<'_>) -> String {
    let m = |k: &str| typed::lookup(input, k, &[Order::TriggerMetadata]).map_or("", |(v, _)| v);
    match input.trigger_type {
        "kafka" if m("topic").is_empty() => format!("kafka-{}-topics", m("consumerGroup")),
        "kafka" | "apache-kafka" => format!("kafka-{}", m("topic")),
        "rabbitmq" => format!("rabbitmq-{}", crate::go::url::query_escape(m("queueName"))),
        "aws-sqs-queue" => {
            let url = m("queueURL");
            let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
            format!("aws-sqs-{name}")
        }
        "redis" | "redis-cluster" | "redis-sentinel" => format!("redis-{}", m("listName")),
        "kubernetes-workload" => format!("workload-{}", input.namespace),
        "metrics-api" => format!("metric-api-{}", m("valueLocation")),
        "mongodb" => format!("mongodb-{}", m("collection")),
        // Sic: KEDA spells it this way.
        "couchdb" => format!("coucdb-{}", m("dbName")),
        "gcp-pubsub" => {
            let resource = match m("subscriptionName") {
                "" => m("topicName"),
                s => s,
            };
            format!("gcp-ps-{resource}")
        }
        "azure-monitor" => format!("azure-monitor-{}", m("metricName")),
        "azure-log-analytics" => format!("azure-log-analytics-{}", m("workspaceId")),
        "azure-app-insights" => format!("azure-app-insights-{}", m("metricId")),
        "azure-data-explorer" => format!("azure-data-explorer-{}", m("databaseName")),
        "azure-pipelines" => match m("poolName") {
            "" => format!("azure-pipelines-{}", m("poolID")),
            name => format!("azure-pipelines-{name}"),
        },
        "azure-queue" => format!("azure-queue-{}", m("queueName")),
        "azure-blob" => format!("azure-blob-{}", m("blobContainerName")),
        "azure-eventhub" => match m("consumerGroup") {
            "" => "azure-eventhub-$Default".to_owned(),
            group => format!("azure-eventhub-{group}"),
        },
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(suggest_type("azure-service-bus"), Some("azure-servicebus"));
        assert_eq!(suggest_type("Prometheus"), Some("prometheus"));
        assert_eq!(suggest_type("rabitmq"), Some("rabbitmq"));
        assert_eq!(suggest_type("totally-different-thing"), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("é", "e"), 1);
        assert_eq!(levenshtein_within("kitten", "sitting", 3), Some(3));
        assert_eq!(levenshtein_within("kitten", "sitting", 2), None);
        assert_eq!(levenshtein_within("azureservicebus", "kafka", 4), None);
    }

    /// Measures every known name, as the suggestion did before it skipped the names whose
    /// length alone rules them out.
    fn suggest_by_measuring_all(trigger_type: &str) -> Option<&'static str> {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let want = squash(trigger_type);
        let mut best: Option<(usize, &'static str)> = None;
        for s in scalers() {
            let d = levenshtein(&want, &squash(&s.trigger_type));
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, &s.trigger_type));
            }
        }
        best.filter(|(d, _)| *d <= (want.len() / 4).max(2))
            .map(|(_, n)| n)
    }

    #[test]
    fn skipping_names_by_length_suggests_what_measuring_all_does() {
        let mut tried = 0;
        for s in scalers() {
            let name: &str = &s.trigger_type;
            let mut variants = vec![
                name.to_owned(),
                format!("{name}s"),
                format!("{name}-scaler"),
                format!("x{name}x"),
                name.to_uppercase(),
                name.replace('-', "_"),
                name.chars().rev().collect(),
                name.get(1..).unwrap_or_default().to_owned(),
                name.get(..name.len() / 2).unwrap_or_default().to_owned(),
            ];
            variants.extend((0..name.len()).map(|i| {
                let mut v = name.to_owned();
                v.remove(i);
                v
            }));
            for v in variants {
                assert_eq!(suggest_type(&v), suggest_by_measuring_all(&v), "{v:?}");
                tried += 1;
            }
        }
        for v in [
            "",
            "a",
            "ab",
            "cpu",
            "kafak",
            "azure-servicebuss",
            "no-such-scaler-at-all",
        ] {
            assert_eq!(suggest_type(v), suggest_by_measuring_all(v), "{v:?}");
        }
        assert!(tried > 500, "{tried}");
    }
}
