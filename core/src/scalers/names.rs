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
    let mut best: Option<(usize, &'static str)> = None;
    for s in scalers() {
        let name: &'static str = &s.trigger_type;
        let d = if squash(name) == want {
            0
        } else {
            levenshtein(&want, &squash(name))
        };
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, name));
        }
    }
    let (d, name) = best?;
    (d <= (want.chars().count() / 4).max(2)).then_some(name)
}

/// Edit distance, for suggestions (inputs are short type names).
pub fn levenshtein(a: &str, b: &str) -> usize {
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
    }
    prev[b.len()]
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
    }
}
