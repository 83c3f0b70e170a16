//! Event-driven YAML loading into [`Node`] trees. Hostile input is normal input here: the
//! loader bounds size, nesting depth and alias expansion, and never recurses on the input's
//! structure, so a billion-laughs document or ten thousand `[` are refused in milliseconds.

use saphyr_parser::{Parser, ScanError, Span as YSpan};

use super::fast;
use super::node::{Node, Pos, Span};
use super::tree::TreeBuilder;

/// Bounds applied to every input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest input accepted, in bytes.
    pub max_bytes: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes that aliases may add to a stream by expansion.
    pub max_alias_nodes: usize,
    /// Most documents in one stream.
    pub max_documents: usize,
    /// Most findings reported for one input; the rest are counted in one final note.
    pub max_findings: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 4 * 1024 * 1024,
            max_depth: 100,
            max_alias_nodes: 100_000,
            max_documents: 10_000,
            max_findings: 10_000,
        }
    }
}

/// Why a stream (or part of it) could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("input is {size} bytes, over the limit of {limit} bytes")]
    TooLarge { size: usize, limit: usize },
    #[error("input is not valid UTF-8 (invalid byte at offset {offset})")]
    NotUtf8 { offset: usize, pos: Pos },
    #[error("YAML syntax error: {message}")]
    Syntax { message: String, pos: Pos },
    #[error("nesting deeper than {limit} levels")]
    TooDeep { limit: usize, pos: Pos },
    #[error("aliases expand to more than {limit} nodes (an alias bomb?)")]
    AliasBomb { limit: usize, pos: Pos },
    #[error("alias refers to an unknown anchor")]
    UnknownAnchor { pos: Pos },
    #[error("more than {limit} documents in one stream")]
    TooManyDocuments { limit: usize, pos: Pos },
    #[error("mapping key {key:?} is defined more than once (first at line {first_line})")]
    DuplicateKey {
        key: String,
        first_line: u32,
        span: Span,
    },
    #[error("a mapping key is a mapping or a sequence (an unquoted `{{placeholder}}` or `{{{{ template }}}}` is read as a flow mapping)")]
    ComplexKey { span: Span },
}

impl ParseError {
    /// Where the problem is; `None` for whole-input problems.
    pub fn span(&self) -> Option<Span> {
        match self {
            ParseError::TooLarge { .. } => None,
            ParseError::NotUtf8 { pos, .. }
            | ParseError::Syntax { pos, .. }
            | ParseError::TooDeep { pos, .. }
            | ParseError::AliasBomb { pos, .. }
            | ParseError::UnknownAnchor { pos }
            | ParseError::TooManyDocuments { pos, .. } => Some(Span::new(*pos, *pos)),
            ParseError::DuplicateKey { span, .. } | ParseError::ComplexKey { span } => Some(*span),
        }
    }

    /// True when the problem stopped reading (the rest of the stream is unknown).
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            ParseError::DuplicateKey { .. } | ParseError::ComplexKey { .. }
        )
    }
}

/// One document of a stream: its tree (absent for an empty document) and the problems found
/// while reading it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedDocument {
    pub root: Option<Node>,
    pub errors: Vec<ParseError>,
    /// Span of the whole document, for diagnostics about a document as a whole.
    pub span: Span,
}

/// Checks UTF-8 and reports the first bad byte with its line and column.
pub fn decode(bytes: &[u8]) -> Result<&str, ParseError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let offset = e.valid_up_to();
            let good = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
            let line = good.matches('\n').count() as u32 + 1;
            let column = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
            Err(ParseError::NotUtf8 {
                offset,
                pos: Pos {
                    offset: offset as u32,
                    line,
                    column,
                },
            })
        }
    }
}

/// Reads a multi-document YAML (or JSON) stream. A fatal error ends the stream: documents
/// read before it are returned, and the error is attached to the document it occurred in.
pub fn parse_stream(text: &str, limits: &Limits) -> Vec<ParsedDocument> {
    if text.len() > limits.max_bytes {
        return vec![ParsedDocument {
            root: None,
            errors: vec![ParseError::TooLarge {
                size: text.len(),
                limit: limits.max_bytes,
            }],
            span: Span::default(),
        }];
    }
    if let Some(docs) = fast::parse(text, limits) {
        return docs;
    }
    parse_full(text, limits)
}

/// Reads the whole stream with the full YAML parser.
pub(super) fn parse_full(text: &str, limits: &Limits) -> Vec<ParsedDocument> {
    let positions = CharToByte::new(text);
    let mut tree = TreeBuilder::new(limits);
    let mut parser = Parser::new_from_str(text).keep_tags(true);
    while let Some(next) = parser.next_event() {
        let result = match next {
            Ok((event, yspan)) => tree.event(event, positions.span(&yspan)),
            Err(e) => Err(syntax(&positions, limits, &e)),
        };
        if let Err(e) = result {
            tree.fail(e);
            break;
        }
    }
    tree.finish()
}

fn syntax(positions: &CharToByte<'_>, limits: &Limits, e: &ScanError) -> ParseError {
    let m = e.marker();
    let pos = positions.pos(m.index(), m.line(), m.col());
    // The scanner has its own bound on flow nesting; report it as the depth limit it is.
    if e.info().contains("recursion limit") {
        return ParseError::TooDeep {
            limit: limits.max_depth,
            pos,
        };
    }
    ParseError::Syntax {
        message: e.info().to_owned(),
        pos,
    }
}

/// Turns the parser's character indices into byte offsets. Pure-ASCII input (nearly every
/// manifest) maps one to one; otherwise a sparse table keeps memory at 1/64 of the text.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    /// Byte offset of every 64th character.
    stride_offsets: Vec<u32>,
}

const STRIDE: usize = 64;

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        let ascii = text.is_ascii();
        let stride_offsets = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(b, _)| b as u32)
                .collect()
        };
        CharToByte {
            text,
            ascii,
            stride_offsets,
        }
    }

    fn byte(&self, char_index: usize) -> u32 {
        if self.ascii {
            return char_index.min(self.text.len()) as u32;
        }
        let block = char_index / STRIDE;
        let Some(&base) = self.stride_offsets.get(block) else {
            return self.text.len() as u32;
        };
        let rest = &self.text[base as usize..];
        let within = rest
            .char_indices()
            .nth(char_index % STRIDE)
            .map_or(rest.len(), |(b, _)| b);
        base + within as u32
    }

    fn pos(&self, char_index: usize, line: usize, col: usize) -> Pos {
        Pos {
            offset: self.byte(char_index),
            line: line as u32,
            column: col as u32 + 1,
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        let start = self.pos(s.start.index(), s.start.line(), s.start.col());
        let end = self.pos(s.end.index(), s.end.line(), s.end.col());
        Span::new(start, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Vec<ParsedDocument> {
        parse_stream(text, &Limits::default())
    }

    #[test]
    fn multi_document_with_positions() {
        let docs = parse("a: 1\n---\nkind: X\nspec:\n  min: \"5\"\n");
        assert_eq!(docs.len(), 2);
        let root = docs[1].root.as_ref().unwrap();
        let min = root.at(&["spec", "min"]).unwrap();
        assert_eq!(min.as_str(), Some("5"));
        assert_eq!(min.span.start.line, 5);
        assert_eq!(min.span.start.column, 8);
        assert_eq!(min.span.start.offset, 30);
    }

    #[test]
    fn non_ascii_offsets_are_bytes_columns_are_chars() {
        let docs = parse("ä: 'ü'\nb: x\n");
        let root = docs[0].root.as_ref().unwrap();
        let b = root.get("b").unwrap();
        assert_eq!(b.span.start.offset, "ä: 'ü'\nb: ".len() as u32);
        let u = root.get("ä").unwrap();
        assert_eq!(u.span.start.column, 4);
    }

    #[test]
    fn json_is_yaml() {
        let docs = parse(r#"{"spec": {"n": 5, "s": "5", "b": true}}"#);
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(root.at(&["spec", "n"]).unwrap().as_i64(), Some(5));
        assert_eq!(root.at(&["spec", "s"]).unwrap().as_str(), Some("5"));
        assert_eq!(root.at(&["spec", "b"]).unwrap().as_bool(), Some(true));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let docs = parse(&text);
        assert!(matches!(
            docs[0].errors.last(),
            Some(ParseError::AliasBomb { .. })
        ));
        assert!(docs[0].root.is_none());
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        for depth in [150, 100_000] {
            let docs = parse(&"[".repeat(depth));
            assert!(matches!(docs[0].errors[0], ParseError::TooDeep { .. }));
        }
        let mut block = String::new();
        for i in 0..150 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        let docs = parse(&block);
        assert!(matches!(docs[0].errors[0], ParseError::TooDeep { .. }));
    }

    #[test]
    fn duplicate_keys_are_reported_and_last_wins() {
        let docs = parse("a: 1\nb: 2\na: 3\n");
        let root = docs[0].root.as_ref().unwrap();
        assert_eq!(root.get("a").unwrap().as_i64(), Some(3));
        assert!(matches!(
            &docs[0].errors[0],
            ParseError::DuplicateKey { key, first_line: 1, .. } if key == "a"
        ));
    }

    #[test]
    fn merge_keys_expand() {
        let docs = parse("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n");
        let m = docs[0].root.as_ref().unwrap().get("m").unwrap();
        assert_eq!(m.get("x").unwrap().as_i64(), Some(1));
        assert_eq!(m.get("y").unwrap().as_i64(), Some(3));
    }

    #[test]
    fn syntax_error_has_position() {
        let docs = parse("a: 1\nb: [1, 2\n");
        let e = docs.last().unwrap().errors.last().unwrap();
        assert!(matches!(e, ParseError::Syntax { .. }), "{e:?}");
        assert!(e.span().unwrap().start.line >= 2);
    }

    #[test]
    fn invalid_utf8_reports_offset() {
        let e = decode(b"a: 1\nb: \xff\n").unwrap_err();
        assert!(matches!(
            e,
            ParseError::NotUtf8 {
                offset: 8,
                pos: Pos {
                    line: 2,
                    column: 4,
                    ..
                }
            }
        ));
    }
}
