//! Atom XML in the shapes the real service sends (see the saved samples). Prefixes differ
//! between documents on purpose, as they do in the wild; namespaces are always right.

const ATOM: &str = "http://www.w3.org/2005/Atom";
const CONNECT: &str = "http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
const COUNTS: &str = "http://schemas.microsoft.com/netservices/2011/06/servicebus";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const STAMP: &str = "2026-01-01T00:00:00Z";

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Queue,
    Subscription,
    Topic,
}

/// How one entity is rendered.
pub struct Described<'a> {
    pub kind: Kind,
    pub name: &'a str,
    pub active: i64,
    pub with_counts: bool,
    /// Bytes of `UserMetadata` the entry carries (a hostile or bloated answer).
    pub padding: usize,
}

fn description(d: &Described<'_>) -> String {
    let (element, counts_prefix) = match d.kind {
        Kind::Queue => ("QueueDescription", "d2p1"),
        Kind::Subscription => ("SubscriptionDescription", "d3p1"),
        Kind::Topic => ("TopicDescription", "d2p1"),
    };
    let counts = if d.with_counts && d.kind != Kind::Topic {
        let p = counts_prefix;
        format!(
            "<CountDetails xmlns:{p}=\"{COUNTS}\"><{p}:ActiveMessageCount>{a}</{p}:ActiveMessageCount><{p}:DeadLetterMessageCount>1</{p}:DeadLetterMessageCount><{p}:ScheduledMessageCount>2</{p}:ScheduledMessageCount><{p}:TransferMessageCount>0</{p}:TransferMessageCount><{p}:TransferDeadLetterMessageCount>0</{p}:TransferDeadLetterMessageCount></CountDetails>",
            a = d.active
        )
    } else {
        String::new()
    };
    let metadata = if d.padding > 0 {
        format!("<UserMetadata>{}</UserMetadata>", "x".repeat(d.padding))
    } else {
        String::new()
    };
    // MessageCount is the total (active + dead-lettered + scheduled): never what KEDA reports.
    format!(
        "<{element} xmlns=\"{CONNECT}\" xmlns:i=\"{XSI}\">{metadata}<LockDuration>PT1M</LockDuration><SizeInBytes>0</SizeInBytes><MessageCount>{total}</MessageCount><Status>Active</Status><CreatedAt>{STAMP}</CreatedAt><UpdatedAt>{STAMP}</UpdatedAt><AccessedAt>0001-01-01T00:00:00Z</AccessedAt>{counts}<EntityAvailabilityStatus>Available</EntityAvailabilityStatus></{element}>",
        total = d.active.saturating_add(3)
    )
}

fn entry_body(host: &str, path: &str, d: &Described<'_>) -> String {
    format!(
        "<id>https://{host}/{path}?api-version=2021-05</id><title type=\"text\">{name}</title><published>{STAMP}</published><updated>{STAMP}</updated><link rel=\"self\" href=\"https://{host}/{path}?api-version=2021-05\"/><content type=\"application/xml\">{desc}</content>",
        host = escape(host),
        path = escape(path),
        name = escape(d.name),
        desc = description(d)
    )
}

/// A Get Entity answer: `<entry>` in the default Atom namespace.
pub fn entry(host: &str, path: &str, d: &Described<'_>) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><entry xmlns=\"{ATOM}\">{}</entry>",
        entry_body(host, path, d)
    )
}

/// A listing page. Subscription listings use an `a:` prefix for Atom, so a client that reads
/// prefixes instead of namespaces fails here.
pub fn feed(host: &str, path: &str, title: &str, items: &[(String, Described<'_>)]) -> String {
    let prefixed = title == "Subscriptions";
    let (p, decl) = if prefixed {
        ("a:", format!("xmlns:a=\"{ATOM}\""))
    } else {
        ("", format!("xmlns=\"{ATOM}\""))
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><{p}feed {decl}><{p}title type=\"text\">{title}</{p}title><{p}id>https://{host}/{path}</{p}id><{p}updated>{STAMP}</{p}updated>",
        host = escape(host),
        path = escape(path)
    );
    for (entity_path, d) in items {
        let body = entry_body(host, entity_path, d);
        let body = if prefixed {
            prefix_atom(&body, p)
        } else {
            body
        };
        out.push_str(&format!(
            "<{p}entry xml:base=\"https://{}/{}\">{body}</{p}entry>",
            escape(host),
            escape(path)
        ));
    }
    out.push_str(&format!("</{p}feed>"));
    out
}

/// Puts `prefix` on the Atom elements of an entry body (the description keeps its own
/// default namespace declaration).
fn prefix_atom(body: &str, prefix: &str) -> String {
    let mut out = body.to_owned();
    for tag in ["id", "title", "published", "updated", "link", "content"] {
        out = out
            .replace(&format!("<{tag}>"), &format!("<{prefix}{tag}>"))
            .replace(&format!("<{tag} "), &format!("<{prefix}{tag} "))
            .replace(&format!("</{tag}>"), &format!("</{prefix}{tag}>"));
    }
    out
}

/// What Service Bus answers (200) for a name that does not exist.
pub fn not_found_feed() -> String {
    format!(
        "<feed xmlns=\"{ATOM}\"><title type=\"text\">Publicly Listed Services</title><subtitle type=\"text\">This is the list of publicly-listed services currently available.</subtitle><id>uuid:00000000-0000-0000-0000-000000000000;id=1</id><updated>{STAMP}</updated><generator>Service Bus 1.1</generator></feed>"
    )
}

/// The management error body.
pub fn error(code: u16, detail: &str, host: &str, path: &str) -> String {
    format!(
        "<Error><Code>{code}</Code><Detail>{}. TrackingId:00000000-0000-0000-0000-000000000000_G1, SystemTracker:{}:{}, Timestamp:{STAMP}</Detail></Error>",
        escape(detail.trim_end_matches('.')),
        escape(host),
        escape(path.trim_start_matches('/'))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_has_the_sample_shape() {
        let d = Described {
            kind: Kind::Subscription,
            name: "a&b",
            active: 5,
            with_counts: true,
            padding: 0,
        };
        let xml = entry("ns.servicebus.localhost:1", "t/Subscriptions/a&b", &d);
        assert!(xml.contains("<entry xmlns=\"http://www.w3.org/2005/Atom\">"));
        assert!(xml.contains("<title type=\"text\">a&amp;b</title>"));
        assert!(xml.contains("<SubscriptionDescription xmlns=\"http://schemas.microsoft.com/netservices/2010/10/servicebus/connect\""));
        assert!(xml.contains("<CountDetails xmlns:d3p1=\"http://schemas.microsoft.com/netservices/2011/06/servicebus\"><d3p1:ActiveMessageCount>5</d3p1:ActiveMessageCount>"));
        assert!(xml.contains("<MessageCount>8</MessageCount>"));
        let without = entry(
            "h",
            "q",
            &Described {
                with_counts: false,
                padding: 0,
                ..d
            },
        );
        assert!(!without.contains("CountDetails"));
    }

    #[test]
    fn subscription_feed_uses_a_prefix() {
        let d = Described {
            kind: Kind::Subscription,
            name: "s",
            active: 1,
            with_counts: true,
            padding: 0,
        };
        let xml = feed(
            "h",
            "t/Subscriptions",
            "Subscriptions",
            &[("t/Subscriptions/s".to_owned(), d)],
        );
        assert!(xml.contains("<a:feed xmlns:a=\"http://www.w3.org/2005/Atom\">"));
        assert!(xml.contains("<a:entry xml:base="));
        assert!(xml.contains("<a:title type=\"text\">s</a:title>"));
        assert!(xml.contains("<a:content type=\"application/xml\"><SubscriptionDescription"));
        assert!(xml.ends_with("</a:feed>"));
    }

    #[test]
    fn error_body_shape() {
        assert_eq!(
            error(401, "claim is empty", "ns.servicebus.localhost:1", "/$Resources/Queues"),
            "<Error><Code>401</Code><Detail>claim is empty. TrackingId:00000000-0000-0000-0000-000000000000_G1, SystemTracker:ns.servicebus.localhost:1:$Resources/Queues, Timestamp:2026-01-01T00:00:00Z</Detail></Error>"
        );
    }
}
