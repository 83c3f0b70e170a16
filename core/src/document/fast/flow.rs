//! Single-line flow collections: `[]`, `{}`, `[a, "b"]`, `{a: b, c: [d]}`. Anything else in
//! flow context (empty values, trailing commas, `?`, adjacent `:`, comments, line breaks,
//! implicit pairs in sequences) is left to the full parser.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle as YStyle};

use super::{Fallback, Fast, R};
use crate::document::node::Span;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    Seq,
    Map,
}

impl<'a> Fast<'a, '_> {
    /// End of the `[` or `{` token at `pos`: the full parser extends it over following blanks.
    pub(super) fn open_end(&self) -> R<usize> {
        let mut i = self.c.pos + 1;
        while self.c.byte(i) == b' ' {
            i += 1;
        }
        // A comment or a line break inside a flow collection: multi-line flow.
        if matches!(self.c.byte(i), b'#' | b'\n' | b'\r' | 0) {
            return Err(Fallback);
        }
        Ok(i)
    }

    /// Reads one flow collection starting at `pos` (a `[` or `{`) that must close on this
    /// line; leaves `pos` after the closing token (blanks and a trailing comment included).
    pub(super) fn flow(&mut self) -> R<()> {
        let mut stack: Vec<Frame> = Vec::new();
        // Whether a `]`/`}` may come next (right after an opening, not after a comma).
        let mut may_close;
        self.open(&mut stack)?;
        may_close = true;
        loop {
            let c = self.c.peek();
            if matches!(c, b']' | b'}') {
                let want = if c == b']' { Frame::Seq } else { Frame::Map };
                if !may_close || stack.pop() != Some(want) {
                    return Err(Fallback);
                }
                let start = self.c.pos;
                let end = if stack.is_empty() {
                    self.c.skip_trailing(start + 1)?
                } else {
                    let mut i = start + 1;
                    while self.c.byte(i) == b' ' {
                        i += 1;
                    }
                    i
                };
                let span = Span::new(self.c.at(start), self.c.at(end));
                let ev = if want == Frame::Seq {
                    Event::SequenceEnd
                } else {
                    Event::MappingEnd
                };
                self.emit(ev, span)?;
                self.c.pos = end;
                if stack.is_empty() {
                    return Ok(());
                }
                may_close = self.after_node()?;
                continue;
            }
            if stack.last() == Some(&Frame::Map) {
                self.flow_scalar()?;
                self.c.skip_spaces();
                if self.c.peek() != b':' || self.c.byte(self.c.pos + 1) != b' ' {
                    return Err(Fallback);
                }
                self.c.pos += 1;
                self.c.skip_spaces();
            }
            if matches!(self.c.peek(), b'[' | b'{') {
                self.open(&mut stack)?;
                may_close = true;
                continue;
            }
            self.flow_scalar()?;
            may_close = self.after_node()?;
        }
    }

    fn open(&mut self, stack: &mut Vec<Frame>) -> R<()> {
        let start = self.c.pos;
        let end = self.open_end()?;
        let span = Span::new(self.c.at(start), self.c.at(end));
        if self.c.peek() == b'[' {
            stack.push(Frame::Seq);
            self.emit(Event::SequenceStart(0, None), span)?;
        } else {
            stack.push(Frame::Map);
            self.emit(Event::MappingStart(0, None), span)?;
        }
        self.c.pos = end;
        Ok(())
    }

    /// After an entry: a `,` (another entry must follow) or a closing bracket. Returns
    /// whether a closing bracket may come next.
    fn after_node(&mut self) -> R<bool> {
        self.c.skip_spaces();
        match self.c.peek() {
            b']' | b'}' => Ok(true),
            b',' => {
                self.c.pos += 1;
                self.c.skip_spaces();
                if matches!(self.c.peek(), b']' | b'}' | b',' | b'#' | b'\n' | b'\r' | 0) {
                    return Err(Fallback);
                }
                Ok(false)
            }
            _ => Err(Fallback),
        }
    }

    /// A quoted scalar, or a plain one from a conservative character set.
    fn flow_scalar(&mut self) -> R<()> {
        let start = self.c.pos;
        if matches!(self.c.peek(), b'"' | b'\'') {
            let (text, single, close) = self.c.scan_quoted()?;
            let end = self.c.skip_trailing(close)?;
            if matches!(self.c.byte(end), b'#' | b'\n' | b'\r' | 0) {
                return Err(Fallback);
            }
            let style = if single {
                YStyle::SingleQuoted
            } else {
                YStyle::DoubleQuoted
            };
            let span = Span::new(self.c.at(start), self.c.at(end));
            self.emit(Event::Scalar(text, style, 0, None), span)?;
            self.c.pos = end;
            return Ok(());
        }
        let first = self.c.peek();
        let ok_start = first.is_ascii_alphanumeric()
            || matches!(
                first,
                b'_' | b'.' | b'/' | b'~' | b'$' | b'+' | b'=' | b'<' | b'^'
            )
            || (first == b'-' && plain_inner(self.c.byte(start + 1)));
        if !ok_start {
            return Err(Fallback);
        }
        let mut i = start;
        let mut end = start;
        loop {
            match self.c.byte(i) {
                b if plain_inner(b) => end = i + 1,
                b' ' => {}
                b',' | b']' | b'}' => break,
                b':' if self.c.byte(i + 1) == b' ' => break,
                _ => return Err(Fallback),
            }
            i += 1;
        }
        let span = Span::new(self.c.at(start), self.c.at(end));
        let text = Cow::Borrowed(&self.c.text[start..end]);
        self.emit(Event::Scalar(text, YStyle::Plain, 0, None), span)?;
        self.c.pos = end;
        Ok(())
    }
}

/// Characters a plain scalar may hold in flow context, as far as this reader goes.
fn plain_inner(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'_' | b'.'
                | b'/'
                | b'~'
                | b'$'
                | b'+'
                | b'='
                | b'<'
                | b'>'
                | b'^'
                | b';'
                | b'('
                | b')'
                | b'@'
                | b'-'
                | b'!'
                | b'&'
                | b'*'
                | b'|'
        )
}
