//! A fast reader for the YAML that Kubernetes manifests are written in: block mappings and
//! sequences, single-line plain and quoted scalars, comments, `---` / `...`, and single-line
//! flow collections. It emits the same events, with the same marks, as the full parser, into
//! the same tree builder. At the first thing outside that subset (anchors, tags, block or
//! multi-line scalars, tabs, lone carriage returns, non-ASCII text outside comments,
//! directives, complex keys, anything the full parser might refuse) it gives up and the
//! whole stream is read by the full parser instead, so its answers are the full parser's
//! answers or none.
//!
//! What it saves, measured by `bench/compare.sh` (host profile; medians of 31 runs on 2
//! busy cores), which also lints each stream behind a `%YAML 1.2` directive so that the full
//! parser reads it: a whole `scalecore lint --format json` process over 1,000 copies of the
//! seed ScaledObject takes 20.0 ms of CPU, 34.2 ms with the full parser (42 % less); over
//! the same stream with defects in 40 % of its documents, 22.1 ms against 36.3 ms (39 %
//! less). Counted in instructions, which a busy machine does not blur (`valgrind
//! --tool=callgrind target/host/scalecore lint --format json bench/out/stream-1000.yaml`, and
//! the `-full-parser.yaml` copy): reading the stream into trees costs 54 M instructions here
//! and 151 M in the full parser (2.8×), the whole process 137 M against 232 M. In process:
//! `cargo bench -p scalecore --bench lint -- parse`.

mod block;
mod cursor;
mod flow;

#[cfg(test)]
mod agree_tests;
#[cfg(test)]
mod generators;
#[cfg(test)]
mod tests;

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle as YStyle};

use self::cursor::Cursor;
use super::node::Span;
use super::parse::{Limits, ParsedDocument};
use super::tree::TreeBuilder;

/// The input left the subset this reader handles.
#[derive(Debug)]
pub(super) struct Fallback;

type R<T> = Result<T, Fallback>;

/// Reads `text` when it lies within the subset, else `None`.
pub(super) fn parse(text: &str, limits: &Limits) -> Option<Vec<ParsedDocument>> {
    run(text, limits).ok()
}

/// Like [`parse`], but says where the reader gave up.
fn run(text: &str, limits: &Limits) -> Result<Vec<ParsedDocument>, usize> {
    if let Some(bad) = ineligible(text) {
        return Err(bad);
    }
    let mut fast = Fast {
        c: Cursor::new(text),
        tree: TreeBuilder::new(limits),
    };
    match fast.stream() {
        Ok(()) => Ok(fast.tree.finish()),
        Err(Fallback) => Err(fast.c.pos),
    }
}

/// The first byte outside what this reader knows: printable ASCII, `\n`, `\r\n`, and other
/// characters (which the scanners accept in comments only) except the few the full parser
/// gives a meaning of their own.
fn ineligible(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let bad = b.iter().enumerate().position(|(i, &c)| match c {
        b'\n' | b' '..=b'~' | 0x80.. => false,
        b'\r' => b.get(i + 1) != Some(&b'\n'),
        _ => true,
    });
    if bad.is_some() || text.is_ascii() {
        return bad;
    }
    text.find(['\u{feff}', '\u{85}', '\u{2028}', '\u{2029}'])
}

struct Fast<'a, 'l> {
    c: Cursor<'a>,
    tree: TreeBuilder<'l>,
}

fn empty_scalar<'a>() -> Event<'a> {
    Event::Scalar(Cow::Borrowed(""), YStyle::Plain, 0, None)
}

impl<'a> Fast<'a, '_> {
    fn emit(&mut self, event: Event<'a>, span: Span) -> R<()> {
        self.tree.event(event, span).map_err(|_| Fallback)
    }

    fn stream(&mut self) -> R<()> {
        loop {
            self.c.skip_to_content();
            if self.c.eof() {
                return Ok(());
            }
            if self.c.marker(b'.') {
                self.c.pos += 3;
                self.c.end_line()?;
            } else if self.c.marker(b'-') {
                let start = self.c.pos;
                let span = Span::new(self.c.at(start), self.c.at(start + 3));
                self.c.pos += 3;
                // Content on the `---` line itself is left to the full parser.
                self.c.end_line()?;
                self.emit(Event::DocumentStart(true), span)?;
                self.c.skip_to_content();
                if self.c.eof() || self.c.any_marker() {
                    let span = self.end_span();
                    self.emit(empty_scalar(), span)?;
                } else {
                    self.root(false)?;
                }
                self.document_end()?;
            } else {
                self.root(true)?;
                self.document_end()?;
            }
        }
    }

    /// The span of the token that ends a document: `---`, `...`, or the end of the stream.
    fn end_span(&self) -> Span {
        if self.c.eof() {
            let end = self.c.next_token();
            return Span::new(end, end);
        }
        Span::new(self.c.at(self.c.pos), self.c.at(self.c.pos + 3))
    }

    fn document_end(&mut self) -> R<()> {
        let span = self.end_span();
        self.emit(Event::DocumentEnd, span)?;
        if self.c.marker(b'.') {
            self.c.pos += 3;
            self.c.end_line()?;
        }
        Ok(())
    }

    /// The root node of a document, starting at a content line; returns at the token that
    /// ends the document.
    fn root(&mut self, implicit: bool) -> R<()> {
        if matches!(self.c.peek(), b'[' | b'{') {
            if implicit {
                let span = Span::new(self.c.at(self.c.pos), self.c.at(self.open_end()?));
                self.emit(Event::DocumentStart(false), span)?;
            }
            self.flow()?;
            self.c.end_line()?;
            self.c.skip_to_content();
            if self.c.eof() || self.c.any_marker() {
                return Ok(());
            }
            return Err(Fallback);
        }
        if implicit {
            let here = self.c.at(self.c.pos);
            self.emit(Event::DocumentStart(false), Span::new(here, here))?;
        }
        self.block()
    }
}
