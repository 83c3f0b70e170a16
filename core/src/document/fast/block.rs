//! Block structure: mappings and sequences by indentation, compact `- key: value` entries,
//! indentless sequences under a key, and values on the line of their key or `-`.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle as YStyle};

use super::cursor::{Cursor, Stop};
use super::{empty_scalar, Fallback, Fast, R};
use crate::document::node::{Pos, Span};

#[derive(Clone, Copy)]
enum Block {
    Map(usize),
    Seq { indent: usize, indentless: bool },
}

/// A key or sequence entry whose value did not start on its own line.
#[derive(Clone, Copy)]
enum Pending {
    None,
    /// After `key:`; an empty value is placed at the `:`.
    MapValue(Pos),
    /// After `-`; an empty item is placed where the entry token ended.
    Item(Pos),
}

impl<'a> Fast<'a, '_> {
    /// Opens the block collection whose first line is the current line.
    fn open_block(&mut self, stack: &mut Vec<Block>) -> R<()> {
        let indent = self.c.indent();
        let here = self.c.at(self.c.pos);
        let span = Span::new(here, here);
        if self.c.entry() {
            stack.push(Block::Seq {
                indent,
                indentless: false,
            });
            self.emit(Event::SequenceStart(0, None), span)
        } else {
            stack.push(Block::Map(indent));
            self.emit(Event::MappingStart(0, None), span)
        }
    }

    pub(super) fn block(&mut self) -> R<()> {
        let mut stack: Vec<Block> = Vec::new();
        let mut pending = Pending::None;
        self.open_block(&mut stack)?;
        loop {
            let at_end = self.c.eof() || self.c.any_marker();
            let i = self.c.indent();
            let entry = !at_end && self.c.entry();
            match pending {
                Pending::None => {}
                Pending::MapValue(colon) => {
                    let m = match stack.last() {
                        Some(Block::Map(m)) => *m,
                        _ => return Err(Fallback),
                    };
                    if !at_end && i > m {
                        self.open_block(&mut stack)?;
                    } else if !at_end && i == m && entry {
                        stack.push(Block::Seq {
                            indent: i,
                            indentless: true,
                        });
                        let mark = self.entry_mark(self.c.pos)?;
                        self.emit(Event::SequenceStart(0, None), Span::new(mark, mark))?;
                    } else {
                        self.emit(empty_scalar(), Span::new(colon, colon))?;
                    }
                }
                Pending::Item(mark) => {
                    let s = match stack.last() {
                        Some(Block::Seq { indent, .. }) => *indent,
                        _ => return Err(Fallback),
                    };
                    if !at_end && i > s {
                        self.open_block(&mut stack)?;
                    } else {
                        self.emit(empty_scalar(), Span::new(mark, mark))?;
                    }
                }
            }
            let here = self.c.next_token();
            let end = Span::new(here, here);
            if at_end {
                // At an unterminated last line the full parser closes the blocks deeper than
                // that line's blanks before it counts the missing line break.
                let real = self.c.at(self.c.pos);
                while let Some(b) = stack.pop() {
                    let at = if block_indent(b) > i { real } else { here };
                    self.emit(end_event(b), Span::new(at, at))?;
                }
                return Ok(());
            }
            loop {
                match stack.last().copied() {
                    None => return Err(Fallback),
                    Some(Block::Map(m)) if i == m => {
                        if entry {
                            return Err(Fallback);
                        }
                        pending = self.key_line()?;
                        break;
                    }
                    Some(Block::Map(m)) if i < m => {
                        stack.pop();
                        self.emit(Event::MappingEnd, end)?;
                    }
                    Some(Block::Seq { indent, .. }) if i == indent && entry => {
                        pending = self.item_line(&mut stack)?;
                        break;
                    }
                    Some(Block::Seq { indent, indentless })
                        if i < indent || (indentless && i == indent) =>
                    {
                        stack.pop();
                        self.emit(Event::SequenceEnd, end)?;
                    }
                    Some(_) => return Err(Fallback),
                }
            }
            self.c.skip_to_content();
        }
    }

    /// Where the full parser's entry token for the `-` at `dash` ends: past the blanks and
    /// any comment that follow it.
    fn entry_mark(&self, dash: usize) -> R<Pos> {
        let mut i = dash + 1;
        while self.c.byte(i) == b' ' {
            i += 1;
        }
        if self.c.byte(i) == b'#' {
            while !matches!(self.c.byte(i), b'\n' | b'\r' | 0) {
                i += 1;
            }
        }
        Ok(self.c.at(i))
    }

    /// A `key: value` line of the mapping whose keys start at `pos`'s column.
    fn key_line(&mut self) -> R<Pending> {
        let colon = self.key()?;
        self.c.pos = colon + 1;
        self.value_after_colon(colon)
    }

    /// Emits the key at `pos` and returns the index of its `:`.
    fn key(&mut self) -> R<usize> {
        let start = self.c.pos;
        if matches!(self.c.peek(), b'"' | b'\'') {
            let (text, single, close) = self.c.scan_quoted()?;
            let end = self.c.skip_trailing(close)?;
            if self.c.byte(end) != b':' || !matches!(self.c.byte(end + 1), b' ' | b'\n' | b'\r' | 0)
            {
                return Err(Fallback);
            }
            Cursor::key_fits(start, end)?;
            let style = if single {
                YStyle::SingleQuoted
            } else {
                YStyle::DoubleQuoted
            };
            let span = Span::new(self.c.at(start), self.c.at(end));
            self.emit(Event::Scalar(text, style, 0, None), span)?;
            return Ok(end);
        }
        if !self.c.plain_start() {
            return Err(Fallback);
        }
        let (end, stop) = self.c.scan_plain()?;
        let Stop::Colon(colon) = stop else {
            return Err(Fallback);
        };
        Cursor::key_fits(start, colon)?;
        self.plain(start, end)?;
        Ok(colon)
    }

    fn plain(&mut self, start: usize, end: usize) -> R<()> {
        let span = Span::new(self.c.at(start), self.c.at(end));
        let text = Cow::Borrowed(&self.c.text[start..end]);
        self.emit(Event::Scalar(text, YStyle::Plain, 0, None), span)
    }

    fn value_after_colon(&mut self, colon: usize) -> R<Pending> {
        self.c.skip_spaces();
        if matches!(self.c.peek(), b'\n' | b'\r' | b'#' | 0) {
            let at = self.c.at(colon);
            self.c.end_line()?;
            return Ok(Pending::MapValue(at));
        }
        self.inline_value()?;
        self.c.end_line()?;
        Ok(Pending::None)
    }

    /// A value that starts on the line of its key or `-`: a scalar or a flow collection.
    fn inline_value(&mut self) -> R<()> {
        let start = self.c.pos;
        match self.c.peek() {
            b'[' | b'{' => self.flow(),
            b'"' | b'\'' => {
                let (text, single, close) = self.c.scan_quoted()?;
                let end = self.c.skip_trailing(close)?;
                let style = if single {
                    YStyle::SingleQuoted
                } else {
                    YStyle::DoubleQuoted
                };
                let span = Span::new(self.c.at(start), self.c.at(end));
                self.emit(Event::Scalar(text, style, 0, None), span)?;
                self.c.pos = end;
                Ok(())
            }
            _ if self.c.plain_start() => {
                let (end, stop) = self.c.scan_plain()?;
                if stop != Stop::Line {
                    return Err(Fallback);
                }
                self.plain(start, end)?;
                self.c.pos = end;
                Ok(())
            }
            _ => Err(Fallback),
        }
    }

    /// A `- ...` line of the sequence whose entries start at `pos`'s column.
    fn item_line(&mut self, stack: &mut Vec<Block>) -> R<Pending> {
        let mark = self.entry_mark(self.c.pos)?;
        self.c.pos += 1;
        self.c.skip_spaces();
        if matches!(self.c.peek(), b'\n' | b'\r' | b'#' | 0) {
            self.c.end_line()?;
            return Ok(Pending::Item(mark));
        }
        if self.c.entry() {
            return Err(Fallback);
        }
        if self.starts_key()? {
            let here = self.c.at(self.c.pos);
            stack.push(Block::Map(self.c.indent()));
            self.emit(Event::MappingStart(0, None), Span::new(here, here))?;
            return self.key_line();
        }
        self.inline_value()?;
        self.c.end_line()?;
        Ok(Pending::None)
    }

    /// Whether the text at `pos` is a mapping key (`key:` or `"key":`), which makes the
    /// entry a compact nested mapping.
    fn starts_key(&self) -> R<bool> {
        match self.c.peek() {
            b'"' | b'\'' => {
                let (_, _, close) = self.c.scan_quoted()?;
                let end = self.c.skip_trailing(close)?;
                Ok(self.c.byte(end) == b':')
            }
            _ if self.c.plain_start() => Ok(matches!(self.c.scan_plain()?.1, Stop::Colon(_))),
            _ => Ok(false),
        }
    }
}

fn block_indent(b: Block) -> usize {
    match b {
        Block::Map(indent) | Block::Seq { indent, .. } => indent,
    }
}

fn end_event<'a>(b: Block) -> Event<'a> {
    match b {
        Block::Map(_) => Event::MappingEnd,
        Block::Seq { .. } => Event::SequenceEnd,
    }
}
