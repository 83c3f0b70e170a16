//! The HTTPS accept loop, request parsing, fault injection and the request record.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::{
    app_insights, arm, atom, devops, entra, kusto, log_analytics, servicebus, storage, AuthKind,
    RequestRecord, Shared,
};

const MAX_REQUEST_BODY: usize = 64 * 1024;

/// An answer before it becomes an HTTP response.
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    /// A blob's user metadata, sent as `x-ms-meta-<name>` headers.
    pub metadata: Vec<(String, String)>,
}

impl Answer {
    pub fn new(status: u16, content_type: &'static str, body: String) -> Answer {
        Answer {
            status,
            content_type,
            headers: Vec::new(),
            body,
            metadata: Vec::new(),
        }
    }
}

pub async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    shared: Arc<Shared>,
    mut stopped: tokio::sync::oneshot::Receiver<()>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((tcp, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let acceptor = acceptor.clone();
                let shared = shared.clone();
                connections.spawn(async move {
                    let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await else {
                        return;
                    };
                    let service = service_fn(move |request| {
                        let shared = shared.clone();
                        async move { Ok::<_, Infallible>(handle(request, shared).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Dropping the set aborts the open connections.
}

fn auth_kind(authorization: &str, query: &str) -> AuthKind {
    if authorization.is_empty() {
        if query.split('&').any(|p| p.starts_with("sig=")) {
            AuthKind::SharedAccessSignature
        } else {
            AuthKind::None
        }
    } else if authorization.starts_with("SharedKey ") {
        AuthKind::SharedKey
    } else if authorization.starts_with("SharedAccessSignature ") {
        AuthKind::SharedAccessSignature
    } else if authorization.starts_with("Bearer ") {
        AuthKind::Bearer
    } else if authorization.starts_with("Basic ") {
        AuthKind::Basic
    } else {
        AuthKind::RawToken
    }
}

async fn handle(request: Request<Incoming>, shared: Arc<Shared>) -> Response<Full<Bytes>> {
    let method = request.method().as_str().to_owned();
    let host = request
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.to_string()))
        .unwrap_or_default();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let ms_headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ms-"))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect();
    let storage_account = storage::account_of(&host);
    let kusto_cluster = kusto::cluster_of(&host);
    let devops = devops::is_devops(&host);
    let body = match Limited::new(request.into_body(), MAX_REQUEST_BODY)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => Bytes::new(),
    };

    let token_endpoint = method == "POST" && path.ends_with("/oauth2/v2.0/token");
    let fault = shared.state().take_fault(token_endpoint, &path);
    if let Some(f) = &fault {
        if !f.delay.is_zero() {
            tokio::time::sleep(f.delay).await;
        }
    }
    let answer = match fault.as_ref().and_then(|f| f.status.map(|s| (s, f))) {
        Some((status, f)) => {
            let mut a = if f.bare {
                Answer::new(status, "text/plain", String::new())
            } else if token_endpoint {
                entra::server_error(status)
            } else if storage_account.is_some() {
                storage::fault(status)
            } else if arm::is_arm(&host) {
                arm::fault(status)
            } else if log_analytics::is_log_analytics(&host) {
                log_analytics::fault(status)
            } else if app_insights::is_app_insights(&host) {
                app_insights::fault(status)
            } else if kusto_cluster.is_some() {
                kusto::fault(status)
            } else if devops {
                devops::fault(status)
            } else {
                fault_answer(status, &host, &path)
            };
            if let Some(wait) = f.retry_after {
                if wait.as_millis() % 1000 == 0 {
                    a.headers.push(("retry-after", wait.as_secs().to_string()));
                } else {
                    a.headers
                        .push(("retry-after-ms", wait.as_millis().to_string()));
                }
            }
            a
        }
        None if token_endpoint => entra::token(&shared, &path, &body),
        None if kusto_cluster.is_some() => kusto::handle(
            &shared,
            kusto_cluster.as_deref().unwrap_or(""),
            &method,
            &path,
            &authorization,
            &body,
        ),
        None if method == "GET" && devops => devops::get(&shared, &path, &query, &authorization),
        None if method == "GET" && storage_account.is_some() => storage::get(
            &shared,
            storage_account
                .as_ref()
                .map_or(("", 'q'), |(a, s)| (a.as_str(), *s)),
            &path,
            &query,
            &authorization,
            &ms_headers,
        ),
        None if method == "POST" && log_analytics::is_log_analytics(&host) => {
            log_analytics::post(&shared, &path, &authorization, &body)
        }
        None if method == "GET" && app_insights::is_app_insights(&host) => {
            app_insights::get(&shared, &path, &query, &authorization)
        }
        None if method == "GET" && arm::is_arm(&host) => {
            arm::get(&shared, &host, &path, &query, &authorization)
        }
        None if method == "GET" => {
            let missing_counts = fault.as_ref().is_some_and(|f| f.missing_count_details);
            servicebus::get(
                &shared,
                &host,
                &path,
                &query,
                &authorization,
                missing_counts,
            )
        }
        None => Answer::new(
            405,
            "application/xml; charset=utf-8",
            atom::error(
                405,
                "The requested HTTP operation is not supported",
                &host,
                &path,
            ),
        ),
    };

    {
        let mut state = shared.state();
        if token_endpoint {
            state.token_requests += 1;
        }
        state.records.push(RequestRecord {
            method,
            host,
            path: if query.is_empty() {
                path
            } else {
                format!("{path}?{query}")
            },
            auth: auth_kind(&authorization, &query),
            status: answer.status,
        });
    }

    let mut response = Response::builder()
        .status(answer.status)
        .header("content-type", answer.content_type);
    for (name, value) in &answer.headers {
        response = response.header(*name, value.as_str());
    }
    for (name, value) in &answer.metadata {
        response = response.header(format!("x-ms-meta-{name}"), value.as_str());
    }
    response
        .body(Full::new(Bytes::from(answer.body)))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn fault_answer(status: u16, host: &str, path: &str) -> Answer {
    let detail = match status {
        429 => "SubCode=50009. The request was terminated because the entity is being throttled. Please wait 2 seconds and try again",
        404 => "The messaging entity could not be found",
        401 => "claim is empty",
        403 => "Unauthorized access. 'Manage' claim(s) are required to perform this operation",
        500 => "The server was unable to process the request; please retry the operation",
        503 => "The service is currently unavailable",
        _ => "Injected fault",
    };
    Answer::new(
        status,
        "application/xml; charset=utf-8",
        atom::error(status, detail, host, path),
    )
}

/// Percent-decoding (`+` kept: paths and our query keys never use it for space).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes.get(i), bytes.get(i + 1), bytes.get(i + 2)) {
            (Some(b'%'), Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push(((hex(h).unwrap_or(0) << 4) | hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (Some(&b), _, _) => {
                out.push(b);
                i += 1;
            }
            _ => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `application/x-www-form-urlencoded` (`+` is a space).
pub fn form(text: &str) -> BTreeMap<String, String> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                percent_decode(&k.replace('+', " ")),
                percent_decode(&v.replace('+', " ")),
            )
        })
        .collect()
}
