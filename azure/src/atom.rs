//! The Atom XML of the Service Bus management API (spec §3), read by namespace URI, never by
//! prefix: the count elements arrive as `d2p1:` for queues and `d3p1:` for subscriptions.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

use crate::error::ScalerError;

const ATOM: &[u8] = b"http://www.w3.org/2005/Atom";
const CONNECT: &[u8] = b"http://schemas.microsoft.com/netservices/2010/10/servicebus/connect";
const COUNTS: &[u8] = b"http://schemas.microsoft.com/netservices/2011/06/servicebus";

/// The title of the discovery feed Service Bus answers (with 200) for a name that does not exist.
pub const NOT_FOUND_FEED_TITLE: &str = "Publicly Listed Services";

const MAX_DEPTH: usize = 64;
const MAX_ENTRIES: usize = 10_000;

/// One `<entry>`: an entity and its runtime counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entity {
    /// The entity name (entry `<title>`).
    pub title: String,
    /// Local name of the content element (`QueueDescription`, `SubscriptionDescription`, ...).
    pub description: Option<String>,
    /// `CountDetails/ActiveMessageCount`; `None` when the entry has no CountDetails.
    pub active_message_count: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Document {
    Entry(Entity),
    Feed { title: String, entries: Vec<Entity> },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Atom,
    Connect,
    Counts,
    Other,
}

struct Element {
    ns: Ns,
    local: String,
}

fn xml_error(e: impl std::fmt::Display) -> ScalerError {
    ScalerError::Xml(e.to_string())
}

fn element(resolved: &ResolveResult<'_>, start: &BytesStart<'_>) -> Element {
    let ns = match resolved {
        ResolveResult::Bound(Namespace(uri)) if *uri == ATOM => Ns::Atom,
        ResolveResult::Bound(Namespace(uri)) if *uri == CONNECT => Ns::Connect,
        ResolveResult::Bound(Namespace(uri)) if *uri == COUNTS => Ns::Counts,
        _ => Ns::Other,
    };
    let local = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    Element { ns, local }
}

fn is(e: &Element, ns: Ns, local: &str) -> bool {
    e.ns == ns && e.local == local
}

/// Parses an entry or a feed.
pub fn parse(body: &[u8]) -> Result<Document, ScalerError> {
    let mut reader = NsReader::from_reader(body);
    let mut stack: Vec<Element> = Vec::new();
    let mut text = String::new();
    let mut root_is_feed = None;
    let mut feed_title = String::new();
    let mut entries: Vec<Entity> = Vec::new();
    let mut current: Option<Entity> = None;
    loop {
        let (resolved, event) = reader.read_resolved_event().map_err(xml_error)?;
        let (start, empty) = match &event {
            Event::Start(s) => (Some(element(&resolved, s)), false),
            Event::Empty(s) => (Some(element(&resolved, s)), true),
            _ => (None, false),
        };
        if let Some(el) = start {
            if stack.len() >= MAX_DEPTH {
                return Err(ScalerError::Xml("document nested too deeply".to_owned()));
            }
            text.clear();
            match stack.len() {
                0 if is(&el, Ns::Atom, "feed") => root_is_feed = Some(true),
                0 if is(&el, Ns::Atom, "entry") => {
                    root_is_feed = Some(false);
                    current = Some(new_entity());
                }
                0 => {
                    return Err(ScalerError::Xml(format!(
                        "expected an Atom entry or feed, found <{}>",
                        el.local
                    )))
                }
                1 if root_is_feed == Some(true) && is(&el, Ns::Atom, "entry") => {
                    if entries.len() >= MAX_ENTRIES {
                        return Err(ScalerError::Xml("too many entries in one page".to_owned()));
                    }
                    current = Some(new_entity());
                }
                _ => {}
            }
            // The first element inside <content> names the entity kind.
            if let (Some(parent), Some(entity)) = (stack.last(), current.as_mut()) {
                if is(parent, Ns::Atom, "content") && entity.description.is_none() {
                    entity.description = Some(el.local.clone());
                }
            }
            stack.push(el);
            if !empty {
                continue;
            }
        }
        match event {
            Event::Text(t) => text.push_str(&t.decode().map_err(xml_error)?),
            Event::CData(t) => text.push_str(&t.decode().map_err(xml_error)?),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref().map_err(xml_error)? {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(xml_error)?;
                    let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                        .ok_or_else(|| ScalerError::Xml(format!("unknown entity &{name};")))?;
                    text.push_str(resolved);
                }
            }
            Event::End(_) | Event::Empty(_) => {
                close(&stack, &text, &mut feed_title, current.as_mut())?;
                let closed = stack.pop();
                let entry_closed = closed.as_ref().is_some_and(|e| is(e, Ns::Atom, "entry"));
                if entry_closed && stack.len() == 1 {
                    entries.extend(current.take());
                }
                if stack.is_empty() {
                    break;
                }
            }
            Event::Eof => return Err(ScalerError::Xml("unexpected end of document".to_owned())),
            _ => {}
        }
    }
    match (root_is_feed, current) {
        (Some(false), Some(entity)) => Ok(Document::Entry(entity)),
        _ => Ok(Document::Feed {
            title: feed_title,
            entries,
        }),
    }
}

fn new_entity() -> Entity {
    Entity {
        title: String::new(),
        description: None,
        active_message_count: None,
    }
}

/// Records what an element carried, given the open elements (the closing one last).
fn close(
    stack: &[Element],
    text: &str,
    feed_title: &mut String,
    entity: Option<&mut Entity>,
) -> Result<(), ScalerError> {
    let Some(closing) = stack.last() else {
        return Ok(());
    };
    let parent = stack.len().checked_sub(2).and_then(|i| stack.get(i));
    if is(closing, Ns::Atom, "title") {
        match (parent, entity) {
            (Some(p), Some(entity)) if is(p, Ns::Atom, "entry") => entity.title = text.to_owned(),
            (Some(p), _) if is(p, Ns::Atom, "feed") => *feed_title = text.to_owned(),
            _ => {}
        }
    } else if is(closing, Ns::Counts, "ActiveMessageCount")
        && parent.is_some_and(|p| is(p, Ns::Connect, "CountDetails"))
    {
        let count = text.trim().parse::<i64>().map_err(|_| {
            ScalerError::Xml(format!(
                "ActiveMessageCount is not an integer: {:?}",
                text.trim()
            ))
        })?;
        if let Some(entity) = entity {
            entity.active_message_count = Some(count);
        }
    }
    Ok(())
}

/// `<Error><Code>..</Code><Detail>..</Detail></Error>`: the Detail text, when there is one.
pub fn error_detail(body: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut in_detail = false;
    let mut detail = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(s) if s.local_name().as_ref() == b"Detail" => in_detail = true,
            Event::End(e) if e.local_name().as_ref() == b"Detail" => break,
            Event::Text(t) if in_detail => detail.push_str(&t.decode().ok()?),
            Event::GeneralRef(r) if in_detail => {
                let name = r.decode().ok()?;
                detail.push_str(quick_xml::escape::resolve_predefined_entity(&name).unwrap_or(""));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let detail = detail.trim();
    (!detail.is_empty()).then(|| detail.chars().take(500).collect())
}
