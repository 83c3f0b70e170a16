//! `aws-sqs-queue`: approximate message count of an SQS queue
//! (`pkg/scalers/aws_sqs_queue_scaler.go`, `parseAwsSqsQueueMetadata`), with the shared AWS
//! credentials (see `aws.rs`).
//!
//! Valid: a queue URL, a region and a role from the TriggerAuthentication.
//! ```yaml
//! - type: aws-sqs-queue
//!   metadata:
//!     queueURL: https://sqs.eu-west-1.amazonaws.com/123456789012/orders
//!     queueLength: "5"
//!     awsRegion: eu-west-1
//!   authenticationRef:
//!     name: keda-aws   # awsRoleArn
//! ```
//! Invalid: a queue URL without the queue ("cannot get queueName from queueURL").
//! ```yaml
//! - type: aws-sqs-queue
//!   metadata:
//!     queueURL: https://sqs.eu-west-1.amazonaws.com/123456789012
//!     awsRegion: eu-west-1
//!     identityOwner: operator
//! ```

use super::typed::{self, Param, A, BOOL, E, INT64, M, STRING};
use super::{ErrorKind, Module, ScalerMetric, TriggerInput};

pub static MODULE: Module = Module {
    types: &["aws-sqs-queue"],
    parse,
};

const PARAMS: &[Param] = &[
    Param::new("queueLength", &[M], INT64).default("5"),
    Param::new("activationQueueLength", &[M], INT64).default("0"),
    Param::new("queueURL", &[M, E], STRING),
    Param::new("awsRegion", &[M, A], STRING),
    Param::new("awsEndpoint", &[M], STRING).optional(),
    Param::new("scaleOnInFlight", &[M], BOOL).default("true"),
    Param::new("scaleOnDelayed", &[M], BOOL).default("false"),
    Param::new("identityOwner", &[M], STRING).optional(),
];

/// The path `url.ParseRequestURI` finds, or `None` where it fails (KEDA then takes the
/// whole value as the queue name).
fn request_uri_path(raw: &str) -> Option<String> {
    if raw.is_empty() || raw.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return None;
    }
    if raw == "*" {
        return Some(raw.to_owned());
    }
    let mut scheme = "";
    let mut rest = raw;
    for (i, c) in raw.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return None,
            ':' => {
                (scheme, rest) = (&raw[..i], &raw[i + 1..]);
                break;
            }
            _ => break,
        }
    }
    // A lone trailing `?` is dropped; otherwise the query goes.
    rest = match rest.strip_suffix('?') {
        Some(r) if !r.contains('?') => r,
        _ => rest.split('?').next().unwrap_or(rest),
    };
    if !rest.starts_with('/') {
        // Opaque (`mailto:x`) has no path; without a scheme a request URI must be absolute.
        return (!scheme.is_empty()).then(String::new);
    }
    let path = match rest.strip_prefix("//").filter(|_| !scheme.is_empty()) {
        Some(after) => {
            let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            let bad_host_byte = |b: u8| {
                b < 0x80
                    && !b.is_ascii_alphanumeric()
                    && !b"-._~!$&'()*+,;=:[]<>\"%".contains(&b)
            };
            if host.bytes().any(bad_host_byte) {
                return None;
            }
            if !host.starts_with('[') {
                if let Some(i) = host.rfind(':') {
                    if !host[i + 1..].bytes().all(|b| b.is_ascii_digit()) {
                        return None;
                    }
                }
            }
            path
        }
        None => rest,
    };
    unescape_path(path)
}

/// `unescape(s, encodePath)`: `%XX` to its byte, a bad escape is an error, `+` stays.
fn unescape_path(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |k: usize| b.get(k).and_then(|c| char::from(*c).to_digit(16));
            let (h, l) = (hex(i + 1)?, hex(i + 2)?);
            out.push(u8::try_from(h * 16 + l).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(String::from_utf8_lossy(&out).into_owned())
}

/// `NewAwsSqsQueueScaler` up to the client: metric type, typed config, the queue name from
/// `queueURL`, then the AWS credentials.
pub fn parse(input: &TriggerInput<'_>) -> Result<ScalerMetric, Vec<super::ScalerError>> {
    let metric_type = super::external_metric_type(input).map_err(|e| vec![e])?;
    let parsed = typed::read(input, PARAMS, |_| Ok(()))?;
    let url = parsed.str("queueURL");
    let queue = match request_uri_path(url) {
        None => url.to_owned(),
        Some(path) => match path.split('/').collect::<Vec<_>>()[..] {
            [_, _, name] if !name.is_empty() => name.to_owned(),
            _ => {
                return Err(vec![typed::error(
                    "queueURL",
                    ErrorKind::Invalid,
                    "cannot get queueName from queueURL",
                )])
            }
        },
    };
    super::aws::check_authorization(input).map_err(|e| vec![e])?;
    Ok(ScalerMetric {
        metric_name: super::metric_name(input.index, &format!("aws-sqs-{queue}")),
        metric_type,
        target: parsed.int("queueLength") as f64,
        activation: parsed.int("activationQueueLength") as f64,
    })
}

#[cfg(test)]
mod tests {
    use crate::scalers::testing::Trigger;

    const REGION: (&str, &str) = ("awsRegion", "eu-west-1");

    #[test]
    fn examples_in_the_doc_comment() {
        let ok = Trigger::new("aws-sqs-queue")
            .meta(&[
                ("queueURL", "https://sqs.eu-west-1.amazonaws.com/123456789012/orders"),
                ("queueLength", "5"),
                REGION,
            ])
            .auth(&[("awsRoleArn", "arn:aws:iam::123456789012:role/keda")]);
        let m = ok.parse().unwrap();
        assert_eq!((m.metric_name.as_str(), m.target), ("s0-aws-sqs-orders", 5.0));
        let bad = Trigger::new("aws-sqs-queue").meta(&[
            ("queueURL", "https://sqs.eu-west-1.amazonaws.com/123456789012"),
            REGION,
            ("identityOwner", "operator"),
        ]);
        assert_eq!(bad.messages(), vec!["cannot get queueName from queueURL"]);
    }

    /// `awsSQSMetricIdentifiers` and the queue-name cases of `TestParseAWSSQSMetadata`.
    #[test]
    fn queue_names_from_urls_and_plain_names() {
        let name = |url: &str| {
            Trigger::new("aws-sqs-queue")
                .meta(&[("queueURL", url), REGION, ("identityOwner", "operator")])
                .index(1)
                .parse()
                .map(|m| m.metric_name)
                .map_err(|e| e[0].message.clone())
        };
        assert_eq!(
            name("https://sqs.eu-west-1.amazonaws.com/account_id/DeleteArtifactQ").unwrap(),
            "s1-aws-sqs-DeleteArtifactQ"
        );
        assert_eq!(name("my-queue").unwrap(), "s1-aws-sqs-my-queue");
        // Not a request URI: taken whole, then normalized.
        assert_eq!(name("sqs:queue").unwrap_err(), "cannot get queueName from queueURL");
        assert_eq!(name("q:1").unwrap_err(), "cannot get queueName from queueURL");
        assert_eq!(name("http://h:x/a/b").unwrap(), "s1-aws-sqs-http---h-x-a-b");
        // The path is read unescaped: an escaped slash splits it.
        assert_eq!(name("/a/b%2Fc").unwrap_err(), "cannot get queueName from queueURL");
        assert_eq!(name("/a/b%20c").unwrap(), "s1-aws-sqs-b c");
        assert_eq!(name("/a/b%zz").unwrap(), "s1-aws-sqs--a-b-zz");
        assert_eq!(
            name("https://sqs.eu-west-1.amazonaws.com").unwrap_err(),
            "cannot get queueName from queueURL"
        );
    }

    #[test]
    fn credentials_are_checked_after_the_queue() {
        let t = Trigger::new("aws-sqs-queue").meta(&[("queueURL", "q"), REGION]);
        assert_eq!(t.messages(), vec!["awsAccessKeyID not found"]);
        let t = Trigger::new("aws-sqs-queue")
            .meta(&[("queueURL", "q"), REGION])
            .pod_identity("aws");
        assert!(t.messages().is_empty());
    }
}
