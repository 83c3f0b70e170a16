//! One bounded HTTP exchange per attempt, and the retry policy around attempts.

use std::time::Duration;

use reqwest::header::HeaderMap;

use crate::error::ScalerError;
use crate::ClientOptions;

/// A token answer or a single entity; a body beyond it is refused.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How much of a service's (or a tenant's) text an error quotes.
pub const MAX_DETAIL_CHARS: usize = 300;

/// A complete answer (any status).
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// An attempt that failed, with the wait the server asked for (if any).
pub struct Failure {
    pub error: ScalerError,
    pub retry_after: Option<Duration>,
    /// Whether another attempt may succeed.
    pub transient: bool,
}

impl From<ScalerError> for Failure {
    fn from(error: ScalerError) -> Failure {
        let retry_after = match &error {
            ScalerError::Throttled { retry_after } => *retry_after,
            _ => None,
        };
        Failure {
            transient: error.is_transient(),
            error,
            retry_after,
        }
    }
}

impl Failure {
    /// A refused answer: retried when `error` is transient, after the server's Retry-After.
    pub fn answered(error: ScalerError, headers: &HeaderMap) -> Failure {
        Failure {
            retry_after: retry_after(headers),
            transient: error.is_transient(),
            error,
        }
    }

    /// A token that could not be had: the token request already had its own retries.
    pub fn no_token(error: ScalerError) -> Failure {
        Failure {
            error,
            retry_after: None,
            transient: false,
        }
    }
}

/// `host[:port]` of a URL, as errors and the request counters name it.
pub fn host_port(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => String::new(),
    }
}

/// How errors name the endpoint a request went to: scheme, host, port and path, no query
/// (a SAS or a tenant's filter may be in it).
pub fn endpoint_name(url: &reqwest::Url) -> String {
    format!("https://{}{}", host_port(url), url.path())
}

/// `text` cut to `MAX_DETAIL_CHARS`.
pub fn cut(text: &str) -> String {
    text.chars().take(MAX_DETAIL_CHARS).collect()
}

/// A tenant's text in an error: quoted and cut short.
pub fn quote(text: &str) -> String {
    format!("{:?}", cut(text))
}

/// The first line of a service's error message, cut short; the status's reason when there is
/// none.
pub fn detail(message: Option<&str>, status: u16) -> String {
    message
        .map(|m| cut(m.lines().next().unwrap_or("").trim()))
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("no detail")
                .to_owned()
        })
}

/// Walks the error chain: reqwest's own text ("error sending request") says too little.
/// The URL is left out: the caller names the endpoint.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text
            .replace(&format!(" for url ({url})"), "")
            .replace(&format!(" ({url})"), "");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Sends one request and reads its whole body, within `timeout`, refusing bodies over
/// `max_body` bytes. `endpoint` names the target in errors (never carries a secret).
pub async fn exchange(
    request: reqwest::RequestBuilder,
    endpoint: &str,
    timeout: Duration,
    max_body: usize,
) -> Result<Reply, ScalerError> {
    let work = async {
        let mut response = request
            .send()
            .await
            .map_err(|e| transport(endpoint, timeout, &e))?;
        if response
            .content_length()
            .is_some_and(|n| n > max_body as u64)
        {
            return Err(too_large(endpoint, max_body));
        }
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport(endpoint, timeout, &e))?
        {
            if body.len() + chunk.len() > max_body {
                return Err(too_large(endpoint, max_body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Reply {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(ScalerError::Timeout {
            endpoint: endpoint.to_owned(),
            timeout_ms: timeout.as_millis(),
        }),
    }
}

fn too_large(endpoint: &str, limit: usize) -> ScalerError {
    ScalerError::TooLarge {
        endpoint: endpoint.to_owned(),
        limit,
    }
}

fn transport(endpoint: &str, timeout: Duration, e: &reqwest::Error) -> ScalerError {
    if e.is_timeout() {
        return ScalerError::Timeout {
            endpoint: endpoint.to_owned(),
            timeout_ms: timeout.as_millis(),
        };
    }
    ScalerError::Transport {
        endpoint: endpoint.to_owned(),
        reason: describe(e),
    }
}

/// `retry-after-ms` / `x-ms-retry-after-ms` (milliseconds) first, then `Retry-After` in seconds.
/// An HTTP-date `Retry-After` is ignored (the backoff applies).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    for name in ["retry-after-ms", "x-ms-retry-after-ms"] {
        if let Some(ms) = text(name).and_then(|v| v.parse::<u64>().ok()) {
            return Some(Duration::from_millis(ms));
        }
    }
    text("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Runs `attempt` once plus up to `options.retries` more times while the failure is transient,
/// waiting `retry_delay * 2^n` (capped at `max_retry_delay`) or what the server asked for.
/// `on_retry` is told about each retry (for the stats).
pub async fn with_retries<T, F, Fut>(
    options: &ClientOptions,
    mut attempt: F,
    mut on_retry: impl FnMut(),
) -> Result<T, ScalerError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Failure>>,
{
    let mut n: u32 = 0;
    loop {
        let failure = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failure) => failure,
        };
        if n >= options.retries || !failure.transient {
            return Err(failure.error);
        }
        let backoff = options
            .retry_delay
            .saturating_mul(2u32.saturating_pow(n))
            .min(options.max_retry_delay);
        let wait = failure
            .retry_after
            .map_or(backoff, |d| d.min(options.max_retry_delay));
        tracing::debug!(attempt = n + 1, wait_ms = wait.as_millis() as u64, error = %failure.error, "retrying");
        on_retry();
        tokio::time::sleep(wait).await;
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_headers() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        h.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(150)));
        let mut d = HeaderMap::new();
        d.insert(
            "retry-after",
            HeaderValue::from_static("Fri, 31 Dec 1999 23:59:59 GMT"),
        );
        assert_eq!(retry_after(&d), None);
    }
}
