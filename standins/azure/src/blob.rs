//! Get Blob (`GET https://<account>.blob.<suffix>/<container>/<blob>`): the blob's bytes, its
//! user metadata as `x-ms-meta-*` headers, `BlobNotFound` / `ContainerNotFound` otherwise.

use crate::server::{percent_decode, Answer};
use crate::storage::{check_auth, error};
use crate::Shared;

/// What a blob holds: a body and user metadata (names as stored; headers are lower-case).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BlobContent {
    pub body: String,
    pub metadata: Vec<(String, String)>,
}

pub fn get_blob(
    shared: &Shared,
    account: &str,
    path: &str,
    query: &str,
    authorization: &str,
    ms_headers: &[(String, String)],
) -> Answer {
    let trimmed = path.trim_start_matches('/');
    let Some((container, blob)) = trimmed.split_once('/').filter(|(_, b)| !b.is_empty()) else {
        return error(
            400,
            "UnsupportedQueryParameter",
            "One of the query parameters specified in the request URI is not supported (the stand-in serves List Blobs and Get Blob).",
        );
    };
    let (container, blob) = (percent_decode(container), percent_decode(blob));
    let state = shared.state();
    if let Err(refused) = check_auth(
        &state,
        account,
        path,
        query,
        authorization,
        ms_headers,
        ('b', 'o'),
    ) {
        return refused;
    }
    let Some(acct) = state.storage.get(account) else {
        return error(
            404,
            "ResourceNotFound",
            "The specified resource does not exist.",
        );
    };
    let Some(names) = acct.containers.get(&container) else {
        return error(
            404,
            "ContainerNotFound",
            "The specified container does not exist.",
        );
    };
    if !names.contains(&blob) {
        return error(404, "BlobNotFound", "The specified blob does not exist.");
    }
    let content = acct
        .blob_contents
        .get(&(container, blob))
        .cloned()
        .unwrap_or_default();
    let mut a = Answer::new(200, "application/octet-stream", content.body);
    a.headers.push(("x-ms-blob-type", "BlockBlob".to_owned()));
    a.headers.push(("x-ms-version", "2018-03-28".to_owned()));
    a.metadata = content.metadata;
    a
}
