//! The saved Service Bus wire samples, parsed to their known values.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scalecore_azure::atom::{self, Document};

fn sample(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../tests/azure-samples/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn queue_entry_go_testdata() {
    match atom::parse(&sample("sb-queue-entry-with-countdetails.go-testdata.xml")).unwrap() {
        Document::Entry(e) => {
            assert_eq!(e.title, "test-queue-name");
            assert_eq!(e.description.as_deref(), Some("QueueDescription"));
            // ActiveMessageCount, not MessageCount (both 3 here, but only the former is read).
            assert_eq!(e.active_message_count, Some(3));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn subscription_entry_with_d3p1_prefix() {
    match atom::parse(&sample(
        "sb-subscription-entry-with-countdetails.python-recording.xml",
    ))
    .unwrap()
    {
        Document::Entry(e) => {
            assert_eq!(e.title, "xvazzag");
            assert_eq!(e.description.as_deref(), Some("SubscriptionDescription"));
            assert_eq!(e.active_message_count, Some(0));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn queue_feed_one_entry() {
    match atom::parse(&sample("sb-queues-feed-one-entry.python-recording.xml")).unwrap() {
        Document::Feed { title, entries } => {
            assert_eq!(title, "Queues");
            assert_eq!(entries.len(), 1);
            assert_eq!(entries[0].title, "test_queue");
            assert_eq!(entries[0].description.as_deref(), Some("QueueDescription"));
            assert_eq!(entries[0].active_message_count, Some(0));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_found_feed() {
    match atom::parse(&sample("sb-not-found-empty-feed.python-recording.xml")).unwrap() {
        Document::Feed { title, entries } => {
            assert_eq!(title, atom::NOT_FOUND_FEED_TITLE);
            assert!(entries.is_empty());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_401_detail() {
    let detail = atom::error_detail(&sample("sb-error-401.python-recording.xml")).unwrap();
    assert!(
        detail.starts_with("claim is empty. TrackingId:7f32afa8"),
        "{detail}"
    );
}

/// The count is found by namespace: a different prefix works, a wrong namespace does not.
#[test]
fn namespaces_not_prefixes() {
    let entry = |counts_ns: &str| {
        format!(
            r#"<a:entry xmlns:a="http://www.w3.org/2005/Atom"><a:title>q</a:title><a:content type="application/xml"><QueueDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"><MessageCount>9</MessageCount><CountDetails xmlns:zz="{counts_ns}"><zz:ActiveMessageCount>42</zz:ActiveMessageCount></CountDetails></QueueDescription></a:content></a:entry>"#
        )
    };
    let ok = atom::parse(
        entry("http://schemas.microsoft.com/netservices/2011/06/servicebus").as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(ok, Document::Entry(ref e) if e.active_message_count == Some(42) && e.title == "q")
    );
    let wrong = atom::parse(entry("urn:other").as_bytes()).unwrap();
    assert!(matches!(wrong, Document::Entry(ref e) if e.active_message_count.is_none()));
}

#[test]
fn hostile_documents_are_errors() {
    assert!(atom::parse(b"<html><body>proxy error</body></html>").is_err());
    assert!(atom::parse(b"<entry xmlns=\"http://www.w3.org/2005/Atom\"><title>").is_err());
    assert!(atom::parse(b"").is_err());
    let deep = format!(
        "<entry xmlns=\"http://www.w3.org/2005/Atom\">{}{}</entry>",
        "<x>".repeat(200),
        "</x>".repeat(200)
    );
    assert!(atom::parse(deep.as_bytes()).is_err());
    let bad_count = r#"<entry xmlns="http://www.w3.org/2005/Atom"><content><QueueDescription xmlns="http://schemas.microsoft.com/netservices/2010/10/servicebus/connect"><CountDetails xmlns:d="http://schemas.microsoft.com/netservices/2011/06/servicebus"><d:ActiveMessageCount>lots</d:ActiveMessageCount></CountDetails></QueueDescription></content></entry>"#;
    assert!(atom::parse(bad_count.as_bytes()).is_err());
}

#[test]
fn queue_peek_messages_docs_sample() {
    let body = sample("queue-peek-messages.docs.xml");
    assert_eq!(
        scalecore_azure::storage_queue::count_peeked(&body).unwrap(),
        1
    );
}

#[test]
fn queue_error_docs_sample() {
    let (code, message) =
        scalecore_azure::storage_queue::error_body(&sample("queue-error-queue-not-found.docs.xml"));
    assert_eq!(code.as_deref(), Some("QueueNotFound"));
    assert!(message
        .unwrap()
        .starts_with("The specified queue does not exist.\nRequestId:"));
}

#[test]
fn queue_metadata_docs_sample_names_the_header_read() {
    let text = String::from_utf8(sample("queue-get-metadata.docs.txt")).unwrap();
    assert!(text
        .lines()
        .any(|l| l == "x-ms-approximate-messages-count: 10"));
}
