//! Event Hubs' runtime information on a namespace's host (the classic REST API): Get Event
//! Hub (`/{hub}`: `EventHubDescription` with `PartitionIds`) and Get Partition
//! (`/{hub}/consumergroups/{group}/partitions/{id}`: `PartitionDescription` with the begin
//! and end sequence numbers), authorized as the namespace's other entities, with tokens for
//! Event Hubs or for Service Bus.

use crate::atom::{self, escape};
use crate::server::{percent_decode, Answer};
use crate::state::State;

/// The audience of tokens issued for `https://eventhubs.azure.net//.default`.
pub const AUDIENCE: &str = "https://eventhubs.azure.net";
const ENTRY: &str = "application/atom+xml;type=entry;charset=utf-8";
const CONNECT: &str = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const ARRAYS: &str = "http://schemas.microsoft.com/2003/10/Serialization/Arrays";
const STAMP: &str = "2026-01-01T00:00:00Z";
/// Bytes per event the partition sizes and offsets are made from.
const EVENT_BYTES: i64 = 128;

/// One partition's sequence numbers: `last_enqueued` is -1 while it is empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    pub beginning: i64,
    pub last_enqueued: i64,
}

impl Default for Partition {
    fn default() -> Partition {
        Partition {
            beginning: 0,
            last_enqueued: -1,
        }
    }
}

fn entry(host: &str, path: &str, title: &str, content: &str) -> String {
    format!(
        "<entry xmlns=\"http://www.w3.org/2005/Atom\"><id>https://{host}/{path}?api-version=2015-01</id><title type=\"text\">{title}</title><published>{STAMP}</published><updated>{STAMP}</updated><author><name>{ns}</name></author><link rel=\"self\" href=\"https://{host}/{path}?api-version=2015-01\"/><content type=\"application/xml\">{content}</content></entry>",
        host = escape(host),
        path = escape(path),
        title = escape(title),
        ns = escape(host.split('.').next().unwrap_or("")),
    )
}

/// The answer for an event hub path of this namespace; `None` for any other path (a queue,
/// a topic, or a hub that does not exist, which Service Bus answers as any missing entity).
pub fn get(
    state: &State,
    namespace: &str,
    host: &str,
    path: &str,
    authorization: &str,
) -> Option<Answer> {
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(percent_decode)
        .collect();
    let hub = segments.first()?;
    let partitions = state.namespaces.get(namespace)?.event_hubs.get(hub)?;
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let (is_hub, is_partition) = (
        segments.len() == 1,
        segments.len() == 5 && lower[1] == "consumergroups" && lower[3] == "partitions",
    );
    if !is_hub && !is_partition {
        return None;
    }
    if let Err(refused) = crate::servicebus::check_auth(
        state,
        namespace,
        host,
        path,
        authorization,
        &[AUDIENCE, crate::entra::SERVICE_BUS_AUDIENCE],
    ) {
        return Some(refused);
    }
    let relative = segments.join("/");
    if is_hub {
        let ids: String = (0..partitions.len())
            .map(|n| format!("<d2p1:string>{n}</d2p1:string>"))
            .collect();
        let content = format!(
            "<EventHubDescription xmlns=\"{CONNECT}\" xmlns:i=\"{XSI}\"><MessageRetentionInDays>7</MessageRetentionInDays><AuthorizationRules/><Status>Active</Status><CreatedAt>{STAMP}</CreatedAt><UpdatedAt>{STAMP}</UpdatedAt><PartitionCount>{count}</PartitionCount><PartitionIds xmlns:d2p1=\"{ARRAYS}\">{ids}</PartitionIds></EventHubDescription>",
            count = partitions.len()
        );
        return Some(Answer::new(
            200,
            ENTRY,
            entry(host, &relative, hub, &content),
        ));
    }
    let id = &segments[4];
    let Some(p) = id
        .parse::<usize>()
        .ok()
        .filter(|n| n.to_string() == *id)
        .and_then(|n| partitions.get(n))
    else {
        return Some(Answer::new(
            404,
            "application/xml; charset=utf-8",
            atom::error(404, "The messaging entity could not be found", host, path),
        ));
    };
    let held = if p.last_enqueued < 0 {
        0
    } else {
        p.last_enqueued
            .saturating_sub(p.beginning)
            .saturating_add(1)
    };
    let content = format!(
        "<PartitionDescription xmlns=\"{CONNECT}\" xmlns:i=\"{XSI}\"><SizeInBytes>{size}</SizeInBytes><BeginSequenceNumber>{begin}</BeginSequenceNumber><EndSequenceNumber>{end}</EndSequenceNumber><IncomingBytesPerSecond>0</IncomingBytesPerSecond><OutgoingBytesPerSecond>0</OutgoingBytesPerSecond><LastEnqueuedOffset>{offset}</LastEnqueuedOffset><LastEnqueuedTimeUtc>{STAMP}</LastEnqueuedTimeUtc></PartitionDescription>",
        size = held.saturating_mul(EVENT_BYTES),
        begin = p.beginning,
        end = p.last_enqueued,
        offset = if p.last_enqueued < 0 {
            -1
        } else {
            p.last_enqueued.saturating_mul(EVENT_BYTES)
        },
    );
    Some(Answer::new(
        200,
        ENTRY,
        entry(host, &relative, id, &content),
    ))
}
