//! Azure Blob Storage for `azure-blob` (KEDA's `getAzureBlobListLength`): List Blobs on the
//! container, page by page (`NextMarker`), counting the `<Blob>` items of a hierarchical listing
//! (`blobDelimiter`, `blobPrefix`; `<BlobPrefix>` items are virtual directories, not counted),
//! or with `globPattern` those of a flat listing whose names match. Same credentials as queues.

use std::time::Duration;

use quick_xml::events::Event;
use quick_xml::Reader;
use scalecore::scalers::azure_blob::AzureBlobConfig;

use crate::auth::IdentityOverrides;
use crate::error::ScalerError;
use crate::management::Inner;
use crate::storage_queue::StorageTarget;

/// One page of 5000 entries (the service's maximum) with long names.
const MAX_PAGE_BYTES: usize = 8 * 1024 * 1024;
/// Pages one poll reads at most (5 million blobs): a poll never lists for ever.
pub const MAX_PAGES: usize = 1000;
/// Longest `NextMarker` followed (the service's are a few hundred characters).
const MAX_MARKER_CHARS: usize = 4096;

/// One page of an `<EnumerationResults>` listing.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Page {
    /// `<Blob><Name>` of each blob item, in order (`<BlobPrefix>` items are left out).
    pub blobs: Vec<String>,
    /// `<NextMarker>`; empty on the last page.
    pub next_marker: String,
}

impl Inner {
    /// KEDA's azure-blob value, shared by every caller asking for the same (credential,
    /// container, prefix, delimiter, pattern) within `max_age`.
    pub async fn blob_count(
        &self,
        config: &AzureBlobConfig,
        overrides: &IdentityOverrides,
        max_age: Duration,
    ) -> Result<i64, ScalerError> {
        let target = self.storage_target(&config.auth, config.container_url(), overrides)?;
        self.endpoints.check(&target.url)?;
        let key = format!(
            "{:?}",
            (
                &target.fingerprint,
                "blobs",
                target.url.as_str(),
                &config.prefix,
                &config.delimiter,
                &config.glob_pattern
            )
        );
        let (result, outcome) = self
            .storage_counts
            .get(&key, max_age, self.count_blobs(&target, config))
            .await;
        self.stats.outcome(outcome);
        result
    }

    async fn count_blobs(
        &self,
        target: &StorageTarget,
        config: &AzureBlobConfig,
    ) -> Result<i64, ScalerError> {
        let not_found = format!(
            "container {} doesn't exist in {}",
            config.container_name,
            target.url.host_str().unwrap_or("")
        );
        // With a pattern KEDA lists flat and matches whole names; otherwise hierarchically.
        let delimiter = if config.glob_pattern.is_some() {
            ""
        } else {
            config.delimiter.as_str()
        };
        let mut marker = String::new();
        let mut count = 0i64;
        for _ in 0..MAX_PAGES {
            let mut url = target.url.clone();
            {
                let mut query = url.query_pairs_mut();
                query.append_pair("restype", "container");
                query.append_pair("comp", "list");
                if !config.prefix.is_empty() {
                    query.append_pair("prefix", &config.prefix);
                }
                if !delimiter.is_empty() {
                    query.append_pair("delimiter", delimiter);
                }
                if !marker.is_empty() {
                    query.append_pair("marker", &marker);
                }
            }
            let reply = self
                .storage_get(target, url, &not_found, MAX_PAGE_BYTES)
                .await?;
            let page = parse_list(&reply.body)?;
            drop(reply);
            count += page
                .blobs
                .iter()
                .filter(|name| config.glob_pattern.is_none() || config.matches(name))
                .count() as i64;
            if page.next_marker.is_empty() {
                return Ok(count);
            }
            if page.next_marker.len() > MAX_MARKER_CHARS || page.next_marker == marker {
                return Err(ScalerError::StorageResponse(
                    "List Blobs: a NextMarker that is too long or repeats".to_owned(),
                ));
            }
            marker = page.next_marker;
        }
        Err(ScalerError::StorageResponse(format!(
            "List Blobs: the container has more than {MAX_PAGES} pages of blobs under the prefix; scalecore stops there (narrow blobPrefix)"
        )))
    }
}

/// Reads `<EnumerationResults><Blobs><Blob><Name>..` and `<NextMarker>`.
pub fn parse_list(body: &[u8]) -> Result<Page, ScalerError> {
    let bad = |what: String| ScalerError::StorageResponse(format!("List Blobs: {what}"));
    let mut reader = Reader::from_reader(body);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut text = String::new();
    let mut page = Page::default();
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| bad(e.to_string()))?;
        match event {
            Event::Start(s) => {
                let name = s.local_name().as_ref().to_vec();
                if path.is_empty() {
                    if name != b"EnumerationResults" {
                        return Err(bad(format!(
                            "expected <EnumerationResults>, got <{}>",
                            String::from_utf8_lossy(&name)
                        )));
                    }
                    root_seen = true;
                }
                path.push(name);
                text.clear();
            }
            Event::Empty(s) if path.is_empty() => {
                if s.local_name().as_ref() != b"EnumerationResults" {
                    return Err(bad("unexpected root element".to_owned()));
                }
                root_seen = true;
            }
            Event::Text(t) => text.push_str(&t.decode().map_err(|e| bad(e.to_string()))?),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| bad(e.to_string()))?;
                    let resolved = quick_xml::escape::resolve_xml_entity(&name)
                        .ok_or_else(|| bad(format!("unknown entity &{name};")))?;
                    text.push_str(resolved);
                }
            }
            Event::End(_) => {
                let parts: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
                match parts.as_slice() {
                    [b"EnumerationResults", b"Blobs", b"Blob", b"Name"] => {
                        page.blobs.push(std::mem::take(&mut text));
                    }
                    [b"EnumerationResults", b"NextMarker"] => {
                        page.next_marker = text.trim().to_owned();
                    }
                    _ => {}
                }
                path.pop();
                text.clear();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(bad("empty body".to_owned()));
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn blob_items_not_prefixes_and_the_marker() {
        let body = br#"<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://a.blob.core.windows.net/" ContainerName="c">
  <Prefix>in/</Prefix><Delimiter>/</Delimiter>
  <Blobs>
    <Blob><Name>in/a&amp;b.txt</Name><Properties><Content-Length>1</Content-Length></Properties></Blob>
    <BlobPrefix><Name>in/sub/</Name></BlobPrefix>
    <Blob><Name>in/c.txt</Name></Blob>
  </Blobs>
  <NextMarker>2!72!MDAwMDA</NextMarker>
</EnumerationResults>"#;
        let page = parse_list(body).unwrap();
        assert_eq!(page.blobs, ["in/a&b.txt", "in/c.txt"]);
        assert_eq!(page.next_marker, "2!72!MDAwMDA");
        let last = parse_list(b"<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>")
            .unwrap();
        assert_eq!(last, Page::default());
        assert!(parse_list(b"<QueueMessagesList/>").is_err());
    }
}
