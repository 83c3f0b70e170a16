//! Azure Storage at `<account>.queue.localhost:<port>` (Get Queue Metadata, Peek Messages) and
//! `<account>.blob.localhost:<port>` (List Blobs, paged), authorized by Shared Key (signature recomputed from the request), an account SAS
//! (signature recomputed from its fields, expiry, service, resource types and permissions
//! checked) or a bearer token this stand-in issued for the storage scope.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::atom::escape;
use crate::server::{percent_decode, Answer};
use crate::state::State;
use crate::Shared;

const XML: &str = "application/xml";
/// The audience of tokens issued for `https://storage.azure.com/.default`.
pub const AUDIENCE: &str = "https://storage.azure.com";
/// The SAS version this stand-in issues and verifies (its string-to-sign has the encryption
/// scope line).
pub const SAS_VERSION: &str = "2021-08-06";
/// Peek Messages' own limit.
const MAX_PEEK: i64 = 32;

/// `<account>.queue.localhost[:port]` -> (`account`, `q`); `.blob.` -> `b` (the SAS `ss` letter).
pub fn account_of(host: &str) -> Option<(String, char)> {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    let name = name.to_ascii_lowercase();
    let (account, rest) = name.split_once('.')?;
    let service = match rest {
        "queue.localhost" => 'q',
        "blob.localhost" => 'b',
        _ => return None,
    };
    (!account.is_empty()).then(|| (account.to_owned(), service))
}

/// The documented error shape: `<Error><Code/><Message/></Error>` with `x-ms-error-code`.
pub fn error(status: u16, code: &str, message: &str) -> Answer {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>{}</Code><Message>{}\nRequestId:00000000-0003-0000-0000-000000000001\nTime:2026-01-01T00:00:00.0000000Z</Message></Error>",
        escape(code),
        escape(message)
    );
    let mut a = Answer::new(status, XML, body);
    a.headers.push(("x-ms-error-code", code.to_owned()));
    a.headers.push((
        "x-ms-request-id",
        "00000000-0003-0000-0000-000000000001".to_owned(),
    ));
    a
}

/// An injected fault, in Storage's words.
pub fn fault(status: u16) -> Answer {
    match status {
        401 => error(
            401,
            "InvalidAuthenticationInfo",
            "Authentication information is not given in the correct format. Check the value of Authorization header.",
        ),
        403 => error(
            403,
            "AuthorizationPermissionMismatch",
            "This request is not authorized to perform this operation using this permission.",
        ),
        404 => error(404, "QueueNotFound", "The specified queue does not exist."),
        429 | 503 => error(
            status,
            "ServerBusy",
            "The server is currently unable to receive requests. Please retry your request.",
        ),
        500 => error(
            500,
            "InternalError",
            "The server encountered an internal error. Please retry the request.",
        ),
        _ => error(status, "InjectedFault", "Injected fault."),
    }
}

fn auth_failed(detail: &str) -> Answer {
    error(
        403,
        "AuthenticationFailed",
        &format!("Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature. {detail}"),
    )
}

fn hmac_base64(key: &[u8], text: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn decode_key(key: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(key)
        .unwrap_or_default()
}

/// Query parameters, decoded, names as sent.
pub(crate) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(&v.replace('+', " ")))
        })
        .collect()
}

/// The Shared Key string-to-sign of a bodiless request (the documented layout).
pub fn shared_key_string_to_sign(
    account: &str,
    method: &str,
    path: &str,
    query: &str,
    ms_headers: &[(String, String)],
) -> String {
    let mut s = format!("{method}{}", "\n".repeat(12));
    let mut headers: Vec<(String, String)> = ms_headers
        .iter()
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    headers.sort();
    for (n, v) in headers {
        s.push_str(&format!("{n}:{v}\n"));
    }
    s.push_str(&format!("/{account}{path}"));
    let mut params: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in query_pairs(query) {
        params.entry(k.to_ascii_lowercase()).or_default().push(v);
    }
    for (k, mut vs) in params {
        vs.sort();
        s.push_str(&format!("\n{k}:{}", vs.join(",")));
    }
    s
}

/// The account SAS string-to-sign for versions from 2020-12-06.
pub fn account_sas_string_to_sign(account: &str, fields: &BTreeMap<String, String>) -> String {
    let f = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
    format!(
        "{account}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        f("sp"),
        f("ss"),
        f("srt"),
        f("st"),
        f("se"),
        f("sip"),
        f("spr"),
        f("sv"),
        f("ses")
    )
}

/// An account SAS query for the blob and queue services (`ss=bq`), signed with `key`.
pub fn account_sas(account: &str, key: &str, permissions: &str, expiry_iso: &str) -> String {
    let mut fields = BTreeMap::new();
    fields.insert("sv".to_owned(), SAS_VERSION.to_owned());
    fields.insert("ss".to_owned(), "bq".to_owned());
    fields.insert("srt".to_owned(), "co".to_owned());
    fields.insert("sp".to_owned(), permissions.to_owned());
    fields.insert("se".to_owned(), expiry_iso.to_owned());
    fields.insert("spr".to_owned(), "https".to_owned());
    let sig = hmac_base64(
        &decode_key(key),
        &account_sas_string_to_sign(account, &fields),
    );
    format!(
        "sv={SAS_VERSION}&ss=bq&srt=co&sp={permissions}&se={}&spr=https&sig={}",
        expiry_iso.replace(':', "%3A"),
        sig.replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D")
    )
}

/// Now, as a SAS writes times (`2026-01-01T00:00:00Z`).
pub fn iso_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    iso(secs)
}

pub fn iso(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// What the request is allowed to be, or the refusal Storage would send.
pub(crate) fn check_auth(
    state: &State,
    account: &str,
    path: &str,
    query: &str,
    authorization: &str,
    ms_headers: &[(String, String)],
    // The SAS `ss` letter of the service and the `srt` letter the operation needs.
    (service, resource_type): (char, char),
) -> Result<(), Answer> {
    let Some(acct) = state.storage.get(account) else {
        // Azure's DNS has no such account; the nearest the loopback can say.
        return Err(error(
            404,
            "ResourceNotFound",
            "The specified resource does not exist.",
        ));
    };
    let header = |name: &str| {
        ms_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if let Some(rest) = authorization.strip_prefix("SharedKey ") {
        let Some((name, sig)) = rest.split_once(':') else {
            return Err(auth_failed("The Authorization header is malformed."));
        };
        if name != account {
            return Err(auth_failed(
                "The account name in the Authorization header differs.",
            ));
        }
        if header("x-ms-date").is_none() {
            return Err(auth_failed("Request date header not specified."));
        }
        let expected = hmac_base64(
            &decode_key(&acct.key),
            &shared_key_string_to_sign(account, "GET", path, query, ms_headers),
        );
        if sig != expected {
            return Err(auth_failed(
                "The MAC signature found in the HTTP request is not the same as any computed signature.",
            ));
        }
        return Ok(());
    }
    if let Some(token) = authorization.strip_prefix("Bearer ") {
        if header("x-ms-version").is_none_or(|v| v < "2017-11-09") {
            return Err(error(
                400,
                "InvalidHeaderValue",
                "The value for one of the HTTP headers is not in the correct format (x-ms-version must be 2017-11-09 or later for OAuth).",
            ));
        }
        return match state.tokens.get(token) {
            Some(t) if t.audience != AUDIENCE => Err(error(
                401,
                "InvalidAuthenticationInfo",
                "Audience validation failed. Audience did not match.",
            )),
            Some(t) if Instant::now() < t.expires_at => {
                if acct.readers.contains(&t.client_id) {
                    Ok(())
                } else {
                    Err(error(
                        403,
                        "AuthorizationPermissionMismatch",
                        "This request is not authorized to perform this operation using this permission.",
                    ))
                }
            }
            Some(_) => Err(error(
                401,
                "InvalidAuthenticationInfo",
                "Lifetime validation failed. The token is expired.",
            )),
            None => Err(error(
                401,
                "InvalidAuthenticationInfo",
                "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
            )),
        };
    }
    let fields: BTreeMap<String, String> = query_pairs(query).into_iter().collect();
    if let Some(sig) = fields.get("sig") {
        let expected = hmac_base64(
            &decode_key(&acct.key),
            &account_sas_string_to_sign(account, &fields),
        );
        if fields.get("sv").map(String::as_str) != Some(SAS_VERSION) || *sig != expected {
            return Err(auth_failed("Signature did not match."));
        }
        let f = |k: &str| fields.get(k).map(String::as_str).unwrap_or("");
        if f("se") <= iso_now().as_str() {
            return Err(auth_failed(
                "Signed expiry time must be after signed start time and now.",
            ));
        }
        if !f("ss").contains(service) || !f("srt").contains(resource_type) {
            return Err(error(
                403,
                "AuthorizationResourceTypeMismatch",
                "This request is not authorized to perform this operation using this resource type.",
            ));
        }
        if !f("sp").contains('r') {
            return Err(error(
                403,
                "AuthorizationPermissionMismatch",
                "This request is not authorized to perform this operation using this permission.",
            ));
        }
        return Ok(());
    }
    Err(error(
        401,
        "NoAuthenticationInformation",
        "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.",
    ))
}

/// A GET to a storage account's queue (`q`) or blob (`b`) service.
pub fn get(
    shared: &Shared,
    (account, service): (&str, char),
    path: &str,
    query: &str,
    authorization: &str,
    ms_headers: &[(String, String)],
) -> Answer {
    if service == 'b' {
        if !query_pairs(query)
            .iter()
            .any(|(k, v)| k == "comp" && v == "list")
        {
            return crate::blob::get_blob(shared, account, path, query, authorization, ms_headers);
        }
        return list_blobs(shared, account, path, query, authorization, ms_headers);
    }
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let params: BTreeMap<String, String> = query_pairs(query)
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let metadata =
        segments.len() == 1 && params.get("comp").map(String::as_str) == Some("metadata");
    let peek = segments.len() == 2
        && segments[1] == "messages"
        && params.get("peekonly").map(String::as_str) == Some("true");
    if !metadata && !peek {
        return error(
            400,
            "UnsupportedQueryParameter",
            "One of the query parameters specified in the request URI is not supported (the stand-in serves Get Queue Metadata and Peek Messages).",
        );
    }
    let state = shared.state();
    let resource_type = if metadata { 'c' } else { 'o' };
    if let Err(refused) = check_auth(
        &state,
        account,
        path,
        query,
        authorization,
        ms_headers,
        ('q', resource_type),
    ) {
        return refused;
    }
    let Some(queue) = state
        .storage
        .get(account)
        .and_then(|a| a.queues.get(&segments[0]))
    else {
        return error(404, "QueueNotFound", "The specified queue does not exist.");
    };
    if metadata {
        let mut a = Answer::new(200, XML, String::new());
        a.headers.push((
            "x-ms-approximate-messages-count",
            (queue.visible + queue.invisible).to_string(),
        ));
        a.headers.push(("x-ms-version", "2018-03-28".to_owned()));
        return a;
    }
    let wanted = match params.get("numofmessages") {
        None => 1,
        Some(n) => match n.parse::<i64>() {
            Ok(n) if (1..=MAX_PEEK).contains(&n) => n,
            _ => {
                return error(
                    400,
                    "OutOfRangeQueryParameterValue",
                    "One of the query parameters specified in the request URI is outside the permissible range.",
                )
            }
        },
    };
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList>");
    for n in 0..queue.visible.min(wanted) {
        body.push_str(&format!(
            "<QueueMessage><MessageId>00000000-0000-0000-0000-{n:012}</MessageId><InsertionTime>Fri, 09 Oct 2009 21:04:30 GMT</InsertionTime><ExpirationTime>Fri, 16 Oct 2009 21:04:30 GMT</ExpirationTime><DequeueCount>0</DequeueCount><MessageText>bWVzc2FnZQ==</MessageText></QueueMessage>"
        ));
    }
    body.push_str("</QueueMessagesList>");
    Answer::new(200, XML, body)
}

/// List Blobs (`?restype=container&comp=list`): names in order, `prefix`, `delimiter` (names
/// with it past the prefix become one `<BlobPrefix>`), `maxresults` (or the stand-in's page
/// size) and `marker` (the index of the first entry of the page).
fn list_blobs(
    shared: &Shared,
    account: &str,
    path: &str,
    query: &str,
    authorization: &str,
    ms_headers: &[(String, String)],
) -> Answer {
    let params: BTreeMap<String, String> = query_pairs(query)
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    let container = percent_decode(path.trim_start_matches('/'));
    if p("restype") != "container" || p("comp") != "list" || container.contains('/') {
        return error(
            400,
            "UnsupportedQueryParameter",
            "One of the query parameters specified in the request URI is not supported (the stand-in serves List Blobs).",
        );
    }
    let state = shared.state();
    if let Err(refused) = check_auth(
        &state,
        account,
        path,
        query,
        authorization,
        ms_headers,
        ('b', 'c'),
    ) {
        return refused;
    }
    let Some(blobs) = state
        .storage
        .get(account)
        .and_then(|a| a.containers.get(&container))
    else {
        return error(
            404,
            "ContainerNotFound",
            "The specified container does not exist.",
        );
    };
    let (prefix, delimiter) = (p("prefix"), p("delimiter"));
    // (name, is a virtual directory), in name order.
    let mut entries: Vec<(String, bool)> = Vec::new();
    for name in blobs.iter().filter(|n| n.starts_with(prefix)) {
        let rest = &name[prefix.len()..];
        match rest.find(delimiter).filter(|_| !delimiter.is_empty()) {
            Some(at) => {
                let dir = format!("{prefix}{}", &rest[..at + delimiter.len()]);
                if entries.last().map(|(n, _)| n) != Some(&dir) {
                    entries.push((dir, true));
                }
            }
            None => entries.push((name.clone(), false)),
        }
    }
    let page_size = p("maxresults")
        .parse::<usize>()
        .unwrap_or(state.blob_page_size)
        .clamp(1, 5000);
    let start = p("marker")
        .strip_prefix("2!")
        .and_then(|m| m.parse::<usize>().ok())
        .unwrap_or(0);
    let end = (start + page_size).min(entries.len());
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"https://{account}.blob.localhost:{}/\" ContainerName=\"{}\">",
        shared.port,
        escape(&container)
    );
    for (tag, value) in [
        ("Prefix", prefix),
        ("Marker", p("marker")),
        ("Delimiter", delimiter),
    ] {
        if !value.is_empty() {
            body.push_str(&format!("<{tag}>{}</{tag}>", escape(value)));
        }
    }
    body.push_str("<Blobs>");
    for (name, directory) in entries.get(start..end).unwrap_or(&[]) {
        if *directory {
            body.push_str(&format!(
                "<BlobPrefix><Name>{}</Name></BlobPrefix>",
                escape(name)
            ));
        } else {
            body.push_str(&format!(
                "<Blob><Name>{}</Name><Properties><Creation-Time>Fri, 09 Oct 2009 21:04:30 GMT</Creation-Time><Last-Modified>Fri, 09 Oct 2009 21:04:30 GMT</Last-Modified><Etag>0x8CBFF45D8A29A19</Etag><Content-Length>100</Content-Length><Content-Type>text/plain</Content-Type><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState></Properties></Blob>",
                escape(name)
            ));
        }
    }
    body.push_str("</Blobs>");
    if end < entries.len() {
        body.push_str(&format!("<NextMarker>2!{end}</NextMarker>"));
    } else {
        body.push_str("<NextMarker />");
    }
    body.push_str("</EnumerationResults>");
    Answer::new(200, XML, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_times() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_796_546_277), "2026-12-06T08:37:57Z");
    }

    #[test]
    fn accounts_by_host() {
        assert_eq!(
            account_of("acct.queue.localhost:8443"),
            Some(("acct".to_owned(), 'q'))
        );
        assert_eq!(
            account_of("ACCT.Blob.localhost"),
            Some(("acct".to_owned(), 'b'))
        );
        assert_eq!(account_of("ns.servicebus.localhost:8443"), None);
        assert_eq!(account_of("127.0.0.1:8443"), None);
    }
}
