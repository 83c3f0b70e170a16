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
        /// First index (from `base`) of each key, once the mapping is large enough for a
        /// linear search per key to add up (a mapping of 100 000 keys must not be quadratic).
        index: Option<HashMap<String, usize>>,
    },
}

/// Mappings up to this size find duplicate keys by a linear search.
const INDEX_FROM: usize = 32;

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
                        index: None,
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
                base,
                key,
                merged,
                index,
                ..
            }) => match key.take() {
                None => {
                    if node.as_scalar().is_none() {
                        issue = Some(ParseError::ComplexKey { span: node.span });
                    }
                    *key = Some(node);
                }
                Some(k) => {
                    let mut map = MapEntries {
                        stack: &mut self.entries,
                        base: *base,
                        merged,
                        index,
                    };
                    issue = map.insert(k, node);
                }
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

/// The entries of the innermost open mapping: `stack[base..]`.
struct MapEntries<'s> {
    stack: &'s mut Vec<Entry>,
    base: usize,
    merged: &'s mut Vec<usize>,
    index: &'s mut Option<HashMap<String, usize>>,
}

impl MapEntries<'_> {
    /// First entry whose key is the scalar `name`.
    fn find(&self, name: &str) -> Option<usize> {
        if let Some(index) = self.index.as_ref() {
            return index.get(name).copied();
        }
        self.stack[self.base..]
            .iter()
            .position(|e| e.key_str() == Some(name))
    }

    fn push(&mut self, entry: Entry) {
        let at = self.stack.len() - self.base;
        if let (Some(index), Some(k)) = (self.index.as_mut(), entry.key_str()) {
            index.entry(k.to_owned()).or_insert(at);
        }
        self.stack.push(entry);
        if self.index.is_none() && at + 1 >= INDEX_FROM {
            let mut index = HashMap::new();
            for (i, e) in self.stack[self.base..].iter().enumerate() {
                if let Some(k) = e.key_str() {
                    index.entry(k.to_owned()).or_insert(i);
                }
            }
            *self.index = Some(index);
        }
    }

    /// Adds `key: value`, expanding YAML merge keys (`<<: *base`) as kubectl's decoder does
    /// and reporting duplicate keys.
    fn insert(&mut self, key: Node, value: Node) -> Option<ParseError> {
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
                    let present = match e.key_str() {
                        Some(k) => self.find(k).is_some(),
                        None => self.stack[self.base..]
                            .iter()
                            .any(|x| x.key_str().is_none()),
                    };
                    if !present {
                        self.merged.push(self.stack.len() - self.base);
                        self.push(e.clone());
                    }
                }
            }
            return None;
        }
        let name = key.text().unwrap_or_default();
        let existing = self.find(name);
        if let Some(i) = existing.filter(|i| self.merged.contains(i)) {
            self.merged.retain(|&m| m != i);
            if key.as_scalar().is_none() {
                // The index would still name this entry; the next push rebuilds it.
                *self.index = None;
            }
            self.stack[self.base + i] = Entry { key, value };
            return None;
        }
        let first = existing.map(|i| self.stack[self.base + i].key.span.start.line);
        let issue = first.map(|first_line| ParseError::DuplicateKey {
            key: name.to_owned(),
            first_line,
            span: key.span,
        });
        self.push(Entry { key, value });
        issue
    }
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

#[cfg(test)]
mod tests {
    use crate::document::{parse_stream, Limits, ParseError};

    #[test]
    fn large_mappings_report_duplicates_like_small_ones() {
        let mut text: String = (0..100).map(|i| format!("k{i}: {i}\n")).collect();
        text.push_str("k5: again\nk99: last\n");
        let docs = parse_stream(&text, &Limits::default());
        let lines: Vec<_> = docs[0]
            .errors
            .iter()
            .map(|e| match e {
                ParseError::DuplicateKey {
                    key, first_line, ..
                } => (key.as_str(), *first_line),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(lines, [("k5", 6), ("k99", 100)]);
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(root.get("k5").unwrap().as_str(), Some("again"));
        assert_eq!(root.as_mapping().unwrap().len(), 102);
    }

    #[test]
    fn merges_into_large_mappings() {
        let base: Vec<String> = (0..40).map(|i| format!("b{i}: {i}")).collect();
        let mut text = format!("base: &b {{{}}}\nm:\n", base.join(", "));
        for i in 0..35 {
            text.push_str(&format!("  m{i}: x\n"));
        }
        text.push_str("  <<: *b\n  b3: own\n  m0: twice\n");
        let docs = parse_stream(&text, &Limits::default());
        let m = docs[0].root.as_ref().unwrap().get("m").unwrap();
        assert_eq!(m.as_mapping().unwrap().len(), 35 + 40 + 1);
        assert_eq!(m.get("b3").unwrap().as_str(), Some("own"));
        assert_eq!(m.get("b7").unwrap().as_i64(), Some(7));
        assert!(matches!(
            &docs[0].errors[..],
            [ParseError::DuplicateKey { key, first_line: 3, .. }] if key == "m0"
        ));
    }

    #[test]
    fn a_mapping_of_many_keys_is_not_quadratic() {
        let text: String = (0..200_000).map(|i| format!("k{i}: 1\n")).collect();
        let started = std::time::Instant::now();
        let docs = parse_stream(&text, &Limits::default());
        assert!(docs[0].errors.is_empty());
        // Quadratic duplicate search takes minutes here; linear takes well under a second
        // even in a debug build on a loaded machine.
        assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    }
}
