//! Builds [`Node`] trees from YAML events. Both readers (the full YAML parser and the fast
//! path for manifest-shaped text) feed this one builder, so duplicate keys, merge keys,
//! anchors and the limits behave the same whichever reader produced the events.

use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle as YStyle};

use super::node::{Entry, Node, Pos, Span, Value};
use super::parse::{Limits, ParseError, ParsedDocument};
use super::scalar::{Scalar, ScalarStyle};

/// An open collection. Its children wait on the builder's shared `items` / `entries` stacks
/// from index `base` on, so each finished collection is allocated once at its exact size.
enum Frame {
    Seq {
        start: Pos,
        anchor: usize,
        base: usize,
    },
    Map {
        start: Pos,
        anchor: usize,
        base: usize,
        key: Option<Node>,
        /// Indices (from `base`) of entries that came from a merge key; explicit keys
        /// override them.
        merged: Vec<usize>,
    },
}

pub(super) struct TreeBuilder<'a> {
    limits: &'a Limits,
    docs: Vec<ParsedDocument>,
    current: Option<ParsedDocument>,
    stack: Vec<Frame>,
    items: Vec<Node>,
    entries: Vec<Entry>,
    anchors: HashMap<usize, (Node, usize)>,
    alias_nodes: usize,
}

impl<'a> TreeBuilder<'a> {
    pub(super) fn new(limits: &'a Limits) -> Self {
        TreeBuilder {
            limits,
            docs: Vec::new(),
            current: None,
            stack: Vec::new(),
            items: Vec::new(),
            entries: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
        }
    }

    /// The documents read so far, including an unfinished one.
    pub(super) fn finish(mut self) -> Vec<ParsedDocument> {
        if let Some(doc) = self.current.take() {
            self.docs.push(doc);
        }
        self.docs
    }

    /// Records a fatal problem in the current document.
    pub(super) fn fail(&mut self, e: ParseError) {
        let doc = self.current.get_or_insert_with(ParsedDocument::default);
        doc.errors.push(e);
        // A partial tree is not a document a rule should judge.
        doc.root = None;
    }

    pub(super) fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ParseError> {
        match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                if self.docs.len() >= self.limits.max_documents {
                    return Err(ParseError::TooManyDocuments {
                        limit: self.limits.max_documents,
                        pos: span.start,
                    });
                }
                self.anchors.clear();
                self.current = Some(ParsedDocument {
                    span,
                    ..ParsedDocument::default()
                });
            }
            Event::DocumentEnd => {
                if let Some(mut doc) = self.current.take() {
                    doc.span.end = span.end;
                    if doc.root.as_ref().is_some_and(Node::is_null) {
                        doc.root = None;
                    }
                    self.docs.push(doc);
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    value: Value::Scalar(Scalar {
                        text: text.into_owned(),
                        style: convert_style(style),
                        tag: tag.map(|t| format!("{}{}", t.handle, t.suffix)),
                    }),
                    span,
                };
                self.complete(node, anchor, 1)?;
            }
            Event::Alias(id) => {
                let (node, count) = self
                    .anchors
                    .get(&id)
                    .ok_or(ParseError::UnknownAnchor { pos: span.start })?;
                self.alias_nodes = self.alias_nodes.saturating_add(*count);
                if self.alias_nodes > self.limits.max_alias_nodes {
                    return Err(ParseError::AliasBomb {
                        limit: self.limits.max_alias_nodes,
                        pos: span.start,
                    });
                }
                let mut node = node.clone();
                let count = *count;
                // An alias reports where it is used, not where its anchor was written.
                node.span = span;
                self.complete(node, 0, count)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.push(
                    Frame::Seq {
                        start: span.start,
                        anchor,
                        base: self.items.len(),
                    },
                    span.start,
                )?;
            }
            Event::MappingStart(anchor, _) => {
                self.push(
                    Frame::Map {
                        start: span.start,
                        anchor,
                        base: self.entries.len(),
                        key: None,
                        merged: Vec::new(),
                    },
                    span.start,
                )?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match self.stack.pop() {
                    Some(Frame::Seq {
                        start,
                        anchor,
                        base,
                    }) => (
                        Node {
                            value: Value::Sequence(self.items.drain(base..).collect()),
                            span: Span::new(start, span.end.max(start)),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        start,
                        anchor,
                        base,
                        ..
                    }) => {
                        let entries: Vec<Entry> = self.entries.drain(base..).collect();
                        let end = entries.last().map_or(span.end, |e| e.value.span.end);
                        (
                            Node {
                                value: Value::Mapping(entries),
                                span: Span::new(start, end.max(start)),
                            },
                            anchor,
                        )
                    }
                    None => return Ok(()),
                };
                let count = if anchor > 0 { count_nodes(&node) } else { 0 };
                self.complete(node, anchor, count)?;
            }
        }
        Ok(())
    }

    fn push(&mut self, frame: Frame, pos: Pos) -> Result<(), ParseError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseError::TooDeep {
                limit: self.limits.max_depth,
                pos,
            });
        }
        self.stack.push(frame);
        Ok(())
    }

    /// Places a finished node into its parent (or as the document root).
    fn complete(&mut self, node: Node, anchor: usize, count: usize) -> Result<(), ParseError> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), count.max(1)));
        }
        let mut issue = None;
        match self.stack.last_mut() {
            None => {
                let doc = self.current.get_or_insert_with(ParsedDocument::default);
                doc.root = Some(node);
            }
            Some(Frame::Seq { .. }) => self.items.push(node),
            Some(Frame::Map {
                base, key, merged, ..
            }) => match key.take() {
                None => {
                    if node.as_scalar().is_none() {
                        issue = Some(ParseError::ComplexKey { span: node.span });
                    }
                    *key = Some(node);
                }
                Some(k) => issue = insert_entry(&mut self.entries, *base, merged, k, node),
            },
        }
        if let Some(e) = issue {
            self.current
                .get_or_insert_with(ParsedDocument::default)
                .errors
                .push(e);
        }
        Ok(())
    }
}

/// Adds `key: value`, expanding YAML merge keys (`<<: *base`) as kubectl's decoder does and
/// reporting duplicate keys.
fn insert_entry(
    stack: &mut Vec<Entry>,
    base: usize,
    merged: &mut Vec<usize>,
    key: Node,
    value: Node,
) -> Option<ParseError> {
    let len = |stack: &Vec<Entry>| stack.len() - base;
    let is_merge = key
        .as_scalar()
        .is_some_and(|s| s.text == "<<" && s.style == ScalarStyle::Plain);
    if is_merge {
        let sources: Vec<&Node> = match &value.value {
            Value::Mapping(_) => vec![&value],
            Value::Sequence(items) => items.iter().collect(),
            Value::Scalar(_) => Vec::new(),
        };
        for source in sources {
            for e in source.as_mapping().unwrap_or_default() {
                let present = stack[base..].iter().any(|x| x.key_str() == e.key_str());
                if !present {
                    merged.push(len(stack));
                    stack.push(e.clone());
                }
            }
        }
        return None;
    }
    let name = key.text().unwrap_or_default();
    let entries = &mut stack[base..];
    let existing = entries.iter().position(|e| e.key_str() == Some(name));
    if let Some(i) = existing.filter(|i| merged.contains(i)) {
        merged.retain(|&m| m != i);
        entries[i] = Entry { key, value };
        return None;
    }
    let first = existing.map(|i| entries[i].key.span.start.line);
    let issue = first.map(|first_line| ParseError::DuplicateKey {
        key: name.to_owned(),
        first_line,
        span: key.span,
    });
    stack.push(Entry { key, value });
    issue
}

fn count_nodes(node: &Node) -> usize {
    let mut count = 0usize;
    let mut todo = vec![node];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.value {
            Value::Scalar(_) => {}
            Value::Sequence(items) => todo.extend(items.iter()),
            Value::Mapping(entries) => {
                count += entries.len();
                todo.extend(entries.iter().map(|e| &e.value));
            }
        }
    }
    count
}

fn convert_style(style: YStyle) -> ScalarStyle {
    match style {
        YStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        YStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        YStyle::Literal => ScalarStyle::Literal,
        YStyle::Folded => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}
