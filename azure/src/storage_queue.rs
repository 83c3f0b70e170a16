//! Azure Queue Storage for `azure-queue` (KEDA's `getMessageCount`): Get Queue Metadata's
//! `x-ms-approximate-messages-count`, or for `queueLengthStrategy: visibleonly` Peek Messages
//! first (up to 32), counted when fewer than 32 come back. Authorized with a connection
//! string's AccountKey (Shared Key), its SharedAccessSignature, or a workload identity token
//! for `https://storage.azure.com/.default`.

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use quick_xml::events::Event;
use quick_xml::Reader;
use scalecore::scalers::azure_queue::AzureQueueConfig;
use scalecore::scalers::azure_storage::StorageAuth;
use sha2::Sha256;

use crate::auth::IdentityOverrides;
use crate::credential::{digest_hex, valid_host};
use crate::error::ScalerError;
use crate::http::{self, Failure, Reply};
use crate::identity::{Identity, STORAGE_SCOPE};
use crate::management::Inner;
use crate::secret::Secret;

/// The `x-ms-version` every request carries (Bearer tokens need 2017-11-09 or later).
pub const STORAGE_API_VERSION: &str = "2018-03-28";
/// KEDA's `maxPeekMessages`, also the most Peek Messages returns.
pub const MAX_PEEK_MESSAGES: i64 = 32;
/// 32 messages of 64 KiB, base64-encoded, with their envelopes.
const MAX_PEEK_BYTES: usize = 4 * 1024 * 1024;

pub(crate) enum StorageCredential {
    /// The account name and the decoded AccountKey.
    SharedKey {
        account: String,
        key: Secret,
    },
    /// The SharedAccessSignature query, appended to every request.
    Sas(Secret),
    Bearer(Identity),
}

pub(crate) struct StorageTarget {
    /// The queue's or container's URL: no query, never a credential.
    pub url: reqwest::Url,
    pub credential: StorageCredential,
    /// Separates cached results of different credentials (a hash, never the secret).
    pub fingerprint: String,
}

fn invalid(message: &str) -> ScalerError {
    ScalerError::InvalidStorageConnectionString(message.to_owned())
}

impl Inner {
    /// KEDA's azure-queue value, shared by every caller asking for the same (credential,
    /// queue, strategy) within `max_age`.
    pub async fn queue_length(
        &self,
        config: &AzureQueueConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let target = self.storage_target(&config.auth, config.queue_url(), overrides)?;
        // Before any token is fetched or signature made for it.
        self.endpoints.check(&target.url)?;
        let key = format!(
            "{:?}",
            (
                &target.fingerprint,
                "queue",
                target.url.as_str(),
                config.visible_only
            )
        );
        let fetch = async {
            if config.visible_only {
                let visible = self.peek(&target, &config.queue_name).await?;
                // A full peek may hide more: the approximate count says how many.
                if visible < MAX_PEEK_MESSAGES {
                    return Ok(visible);
                }
            }
            self.approximate_count(&target, &config.queue_name).await
        };
        let (result, outcome) = self.storage_counts.get(&key, max_age, fetch).await;
        self.stats.outcome(outcome);
        result
    }

    /// Where and as whom a storage request goes; `url` is the core's queue or container URL.
    pub(crate) fn storage_target(
        &self,
        auth: &StorageAuth,
        url: Option<String>,
        overrides: &IdentityOverrides,
    ) -> Result<StorageTarget, ScalerError> {
        let url_text = url.ok_or_else(|| {
            invalid("it names neither the service endpoint nor AccountName, so there is no URL")
        })?;
        let url = reqwest::Url::parse(&url_text).map_err(|_| match auth {
            StorageAuth::WorkloadIdentity { account_name } => {
                ScalerError::InvalidNamespace(account_name.clone())
            }
            StorageAuth::ConnectionString(_) => invalid(
                "the service endpoint (or AccountName and EndpointSuffix) does not form a URL",
            ),
        })?;
        let host = url.host_str().unwrap_or("");
        if !valid_host(host) {
            return Err(ScalerError::InvalidNamespace(host.to_owned()));
        }
        let (credential, fingerprint) = match auth {
            StorageAuth::ConnectionString(c) => {
                let account = c.part("AccountName").unwrap_or("");
                let key = c.part("AccountKey").unwrap_or("");
                let sas = c.part("SharedAccessSignature").unwrap_or("");
                // As the storage SDKs: an AccountKey wins over a SharedAccessSignature.
                if !key.is_empty() {
                    if account.is_empty() {
                        return Err(invalid("AccountKey is given without AccountName"));
                    }
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(key.trim())
                        .map_err(|_| invalid("AccountKey is not base64"))?;
                    (
                        StorageCredential::SharedKey {
                            account: account.to_owned(),
                            key: Secret::new(
                                base64::engine::general_purpose::STANDARD.encode(&decoded),
                            ),
                        },
                        format!("sk:{}", digest_hex(&[account, key])),
                    )
                } else if !sas.is_empty() {
                    let sas = sas.trim_start_matches('?');
                    (
                        StorageCredential::Sas(Secret::new(sas)),
                        format!("sas:{}", digest_hex(&[sas])),
                    )
                } else {
                    return Err(invalid(
                        "it carries neither AccountKey nor SharedAccessSignature",
                    ));
                }
            }
            StorageAuth::WorkloadIdentity { .. } => {
                let identity = self.workload_identity(None, overrides)?;
                let fingerprint = format!(
                    "wi:{}|{}|{}",
                    identity.authority, identity.tenant_id, identity.client_id
                );
                (StorageCredential::Bearer(identity), fingerprint)
            }
        };
        Ok(StorageTarget {
            url,
            credential,
            fingerprint,
        })
    }

    /// Peek Messages: how many of up to 32 messages are visible.
    async fn peek(&self, target: &StorageTarget, queue: &str) -> Result<i64, ScalerError> {
        let mut url = target.url.clone();
        url.path_segments_mut()
            .map_err(|()| ScalerError::InvalidNamespace(target.url.to_string()))?
            .pop_if_empty()
            .push("messages");
        url.set_query(Some(&format!(
            "peekonly=true&numofmessages={MAX_PEEK_MESSAGES}"
        )));
        let reply = self
            .storage_get(target, url, &not_found(queue, target), MAX_PEEK_BYTES)
            .await?;
        count_peeked(&reply.body)
    }

    /// Get Queue Metadata: `x-ms-approximate-messages-count`.
    async fn approximate_count(
        &self,
        target: &StorageTarget,
        queue: &str,
    ) -> Result<i64, ScalerError> {
        let mut url = target.url.clone();
        url.set_query(Some("comp=metadata"));
        let reply = self
            .storage_get(target, url, &not_found(queue, target), http::MAX_BODY_BYTES)
            .await?;
        reply
            .headers
            .get("x-ms-approximate-messages-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok())
            .ok_or_else(|| {
                ScalerError::StorageResponse(
                    "Get Queue Metadata answered 200 without x-ms-approximate-messages-count"
                        .to_owned(),
                )
            })
    }

    /// One GET with retries; the 200 reply. A 404 becomes `NotFound(not_found)`.
    pub(crate) async fn storage_get(
        &self,
        target: &StorageTarget,
        url: reqwest::Url,
        not_found: &str,
        max_body: usize,
    ) -> Result<Reply, ScalerError> {
        let host = http::host_port(&url);
        let endpoint = http::endpoint_name(&url);
        http::with_retries(
            &self.options,
            || async {
                let date = http_date(SystemTime::now());
                let mut request_url = url.clone();
                let authorization = match &target.credential {
                    StorageCredential::SharedKey { account, key } => Some(shared_key(
                        account,
                        key,
                        "GET",
                        &request_url,
                        &[("x-ms-date", &date), ("x-ms-version", STORAGE_API_VERSION)],
                    )),
                    StorageCredential::Sas(sas) => {
                        let query = match request_url.query() {
                            Some(q) => format!("{q}&{}", sas.expose()),
                            None => sas.expose().to_owned(),
                        };
                        request_url.set_query(Some(&query));
                        None
                    }
                    StorageCredential::Bearer(identity) => {
                        let token = self
                            .tokens
                            .token(&self.client, &self.options, identity, STORAGE_SCOPE, || {
                                self.stats.token_requests.fetch_add(1, Ordering::Relaxed);
                            })
                            .await
                            // The token request already had its own retries.
                            .map_err(Failure::no_token)?;
                        Some(Secret::new(format!("Bearer {}", token.expose())))
                    }
                };
                self.stats.request(&host, url.path());
                let mut request = self
                    .client
                    .get(request_url)
                    .header("x-ms-date", &date)
                    .header("x-ms-version", STORAGE_API_VERSION)
                    .header("accept", "application/xml");
                if let Some(authorization) = &authorization {
                    request = request.header("authorization", authorization.expose());
                }
                let permit = self.in_flight.acquire().await;
                let reply =
                    http::exchange(request, &endpoint, self.options.timeout, max_body).await;
                drop(permit);
                let reply = reply?;
                if reply.status == 200 {
                    return Ok(reply);
                }
                let (code, detail) = error_parts(&reply);
                let error = match reply.status {
                    401 | 403 => {
                        if let StorageCredential::Bearer(identity) = &target.credential {
                            if reply.status == 401 {
                                self.tokens.invalidate(identity, STORAGE_SCOPE).await;
                            }
                        }
                        ScalerError::StorageUnauthorized {
                            status: reply.status,
                            code,
                            detail,
                        }
                    }
                    // A 404 without Storage's error code (a proxy, a wrong host) is not taken
                    // for a missing queue or container: the SDKs KEDA uses match the code.
                    404 if matches!(code.as_str(), "QueueNotFound" | "ContainerNotFound") => {
                        ScalerError::NotFound(not_found.to_owned())
                    }
                    status => ScalerError::Storage {
                        status,
                        code,
                        detail,
                    },
                };
                Err(Failure::answered(error, &reply.headers))
            },
            || {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
            },
        )
        .await
    }
}

/// `queue <name> doesn't exist in <host>`.
fn not_found(queue: &str, target: &StorageTarget) -> String {
    format!(
        "queue {queue} doesn't exist in {}",
        target.url.host_str().unwrap_or("")
    )
}

/// `x-ms-error-code` (or the body's `<Code>`) and the first line of `<Message>`.
fn error_parts(reply: &Reply) -> (String, String) {
    let header = reply
        .headers
        .get("x-ms-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (body_code, message) = error_body(&reply.body);
    let code = header.or(body_code).unwrap_or_default();
    (code, http::detail(message.as_deref(), reply.status))
}

/// `<Error><Code>..</Code><Message>..</Message></Error>`.
pub fn error_body(body: &[u8]) -> (Option<String>, Option<String>) {
    let mut reader = Reader::from_reader(body);
    let mut code = None;
    let mut message = None;
    let mut inside: Option<Vec<u8>> = None;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(s)) => {
                inside = Some(s.local_name().as_ref().to_vec());
                text.clear();
            }
            Ok(Event::Text(t)) => {
                if let Ok(t) = t.decode() {
                    text.push_str(&t);
                }
            }
            Ok(Event::End(_)) => {
                match inside.as_deref() {
                    Some(b"Code") => code = Some(text.trim().to_owned()),
                    Some(b"Message") => message = Some(text.trim().to_owned()),
                    _ => {}
                }
                inside = None;
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (code, message)
}

/// The `<QueueMessage>` elements of a `<QueueMessagesList>`.
pub fn count_peeked(body: &[u8]) -> Result<i64, ScalerError> {
    let bad = |what: String| ScalerError::StorageResponse(format!("Peek Messages: {what}"));
    let mut reader = Reader::from_reader(body);
    let mut depth = 0usize;
    let mut root_seen = false;
    let mut count = 0i64;
    loop {
        let event = reader.read_event().map_err(|e| bad(e.to_string()))?;
        let is_start = matches!(event, Event::Start(_));
        match event {
            Event::Start(s) | Event::Empty(s) if depth == 0 => {
                if s.local_name().as_ref() != b"QueueMessagesList" {
                    return Err(bad(format!(
                        "expected <QueueMessagesList>, got <{}>",
                        String::from_utf8_lossy(s.local_name().as_ref())
                    )));
                }
                root_seen = true;
                if is_start {
                    depth = 1;
                }
            }
            Event::Start(s) => {
                if depth == 1 && s.local_name().as_ref() == b"QueueMessage" {
                    count += 1;
                }
                depth += 1;
            }
            Event::Empty(s) if depth == 1 && s.local_name().as_ref() == b"QueueMessage" => {
                count += 1;
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(bad("empty body".to_owned()));
    }
    Ok(count)
}

/// `Authorization: SharedKey <account>:<signature>` for a request without a body, as the
/// Queue service's Shared Key scheme (version 2009-09-19 and later) defines it: the twelve
/// standard header lines (all empty here: `x-ms-date` replaces Date), the `x-ms-` headers
/// lower-cased and sorted, then `/<account><path>` and each query parameter as
/// `\n<name>:<values>` (names lower-cased and sorted, values decoded, sorted and joined by
/// commas). `key` is the base64 AccountKey.
pub fn shared_key(
    account: &str,
    key: &Secret,
    method: &str,
    url: &reqwest::Url,
    ms_headers: &[(&str, &str)],
) -> Secret {
    let mut string_to_sign = String::with_capacity(256);
    string_to_sign.push_str(method);
    string_to_sign.push_str(&"\n".repeat(12));
    let mut headers: Vec<(String, &str)> = ms_headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim()))
        .collect();
    headers.sort();
    for (name, value) in headers {
        string_to_sign.push_str(&format!("{name}:{value}\n"));
    }
    string_to_sign.push_str(&canonicalized_resource(account, url));
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(key.expose())
        .unwrap_or_default();
    let signature = match Hmac::<Sha256>::new_from_slice(&decoded) {
        Ok(mut mac) => {
            mac.update(string_to_sign.as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        }
        // HMAC accepts keys of any length.
        Err(_) => String::new(),
    };
    Secret::new(format!("SharedKey {account}:{signature}"))
}

fn canonicalized_resource(account: &str, url: &reqwest::Url) -> String {
    let mut out = format!("/{account}{}", url.path());
    let mut params: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for (name, value) in url.query_pairs() {
        params
            .entry(name.to_ascii_lowercase())
            .or_default()
            .push(value.into_owned());
    }
    for (name, mut values) in params {
        values.sort();
        out.push_str(&format!("\n{name}:{}", values.join(",")));
    }
    out
}

/// RFC 1123 in GMT (`Sun, 06 Dec 2026 08:37:57 GMT`), as `x-ms-date` wants it.
pub fn http_date(now: SystemTime) -> String {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {day:02} {} {year:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[(days.rem_euclid(7)) as usize],
        MONTHS[(month - 1) as usize],
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_796_546_277);
        assert_eq!(http_date(t), "Sun, 06 Dec 2026 08:37:57 GMT");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(http_date(leap), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn canonical_resource_sorts_and_decodes() {
        let url =
            reqwest::Url::parse("https://acct.queue.core.windows.net/orders/messages?peekonly=true&NumOfMessages=32&x=a%2Cb")
                .unwrap();
        assert_eq!(
            canonicalized_resource("acct", &url),
            "/acct/orders/messages\nnumofmessages:32\npeekonly:true\nx:a,b"
        );
    }

    /// The signature of a fixed request, computed independently with openssl:
    /// printf 'GET\n...\n/myaccount/myqueue\ncomp:metadata' | openssl dgst -sha256 -mac HMAC
    ///   -macopt hexkey:<hex of the key> -binary | base64
    #[test]
    fn shared_key_known_answer() {
        let url =
            reqwest::Url::parse("https://myaccount.queue.core.windows.net/myqueue?comp=metadata")
                .unwrap();
        let key = Secret::new("a2V5LWZvci10ZXN0cw==");
        let auth = shared_key(
            "myaccount",
            &key,
            "GET",
            &url,
            &[
                ("x-ms-version", "2018-03-28"),
                ("x-ms-date", "Sun, 06 Dec 2026 08:37:57 GMT"),
            ],
        );
        assert_eq!(auth.expose(), EXPECTED_SHARED_KEY);
    }

    const EXPECTED_SHARED_KEY: &str =
        "SharedKey myaccount:a3c78qayq5Obez599zqLbPaDaKwYWNhRGS7y/MYxE7s=";

    #[test]
    fn peeked_messages_are_counted() {
        let body = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>a</MessageId><MessageText>x</MessageText></QueueMessage><QueueMessage><MessageId>b</MessageId></QueueMessage></QueueMessagesList>";
        assert_eq!(count_peeked(body).unwrap(), 2);
        assert_eq!(
            count_peeked(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList />")
                .unwrap(),
            0
        );
        assert!(count_peeked(b"<EnumerationResults/>").is_err());
        assert!(count_peeked(b"").is_err());
    }
}
