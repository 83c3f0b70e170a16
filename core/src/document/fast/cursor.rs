//! Byte cursor over eligible text (printable ASCII and `\n` only), with line tracking and
//! the single-line scalar scanners. Positions reproduce the full parser's marks exactly.

use std::borrow::Cow;

use super::{Fallback, R};
use crate::document::node::Pos;

pub(super) struct Cursor<'a> {
    pub text: &'a str,
    ascii: bool,
    b: &'a [u8],
    pub pos: usize,
    /// 1-based line of `pos`.
    line: u32,
    line_start: usize,
}

/// Where a single-line plain scalar in block context stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stop {
    /// At `:` followed by a space or a line break: the scalar is a mapping key.
    Colon(usize),
    /// At the end of the line or at a ` #` comment.
    Line,
}

/// The longest simple key accepted here; the full parser refuses keys over 1024 characters.
const MAX_KEY: usize = 1000;

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor {
            ascii: text.is_ascii(),
            text,
            b: text.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// The byte at `i`, or 0 past the end (eligible text holds no NUL).
    pub(super) fn byte(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    pub(super) fn peek(&self) -> u8 {
        self.byte(self.pos)
    }

    pub(super) fn eof(&self) -> bool {
        self.pos >= self.b.len()
    }

    /// Column (0-based) of `pos` on the current line.
    pub(super) fn indent(&self) -> usize {
        self.pos - self.line_start
    }

    /// Position of byte `at`, which must lie on the current line.
    pub(super) fn at(&self, at: usize) -> Pos {
        // Non-ASCII text only passes the scanners inside comments, and a comment runs to the
        // end of its line, so only a mark at a line's end (after a comment that ends a quoted
        // scalar's or an entry's token) can have wider characters before it. Columns count
        // characters; counting them only there keeps long lines linear.
        let column = if self.ascii || !matches!(self.byte(at), b'\n' | b'\r' | 0) {
            at - self.line_start
        } else {
            self.text
                .get(self.line_start..at)
                .map_or(0, |s| s.chars().count())
        };
        Pos {
            offset: at as u32,
            line: self.line,
            column: column as u32 + 1,
        }
    }

    /// Where the next token starts: `pos`, or the end of the stream. The full parser counts
    /// a missing final line break as one, so an unterminated last line moves the end mark
    /// to the start of a further line.
    pub(super) fn next_token(&self) -> Pos {
        if !self.eof() || self.line_start == self.b.len() {
            return self.at(self.pos);
        }
        Pos {
            offset: self.b.len() as u32,
            line: self.line + 1,
            column: 1,
        }
    }

    pub(super) fn skip_spaces(&mut self) {
        while self.peek() == b' ' {
            self.pos += 1;
        }
    }

    /// Steps over a line break (`\r` only ever comes as part of `\r\n` here).
    fn newline(&mut self) {
        self.pos += if self.peek() == b'\r' { 2 } else { 1 };
        self.line += 1;
        self.line_start = self.pos;
    }

    fn skip_to_eol(&mut self) {
        while !matches!(self.peek(), b'\n' | b'\r' | 0) {
            self.pos += 1;
        }
    }

    /// From a line start, skips blank and comment-only lines; stops at the first character
    /// of the next content line or at the end.
    pub(super) fn skip_to_content(&mut self) {
        loop {
            self.skip_spaces();
            match self.peek() {
                b'\n' | b'\r' => self.newline(),
                b'#' => {
                    self.skip_to_eol();
                    if matches!(self.peek(), b'\n' | b'\r') {
                        self.newline();
                    }
                }
                _ => return,
            }
        }
    }

    /// The rest of the line must be blanks and an optional comment; moves to the next line.
    pub(super) fn end_line(&mut self) -> R<()> {
        self.skip_spaces();
        if self.peek() == b'#' {
            // A comment must be separated from the token before it.
            if self.pos != self.line_start && self.byte(self.pos - 1) != b' ' {
                return Err(Fallback);
            }
            self.skip_to_eol();
        }
        match self.peek() {
            b'\n' | b'\r' => {
                self.newline();
                Ok(())
            }
            0 if self.eof() => Ok(()),
            _ => Err(Fallback),
        }
    }

    /// `---` or `...` in column 0 followed by a blank, a line break or the end.
    pub(super) fn marker(&self, c: u8) -> bool {
        self.pos == self.line_start
            && self.byte(self.pos) == c
            && self.byte(self.pos + 1) == c
            && self.byte(self.pos + 2) == c
            && matches!(self.byte(self.pos + 3), b' ' | b'\n' | b'\r' | 0)
    }

    pub(super) fn any_marker(&self) -> bool {
        self.marker(b'-') || self.marker(b'.')
    }

    /// `-` followed by a blank or a line break: a block sequence entry.
    pub(super) fn entry(&self) -> bool {
        self.peek() == b'-' && matches!(self.byte(self.pos + 1), b' ' | b'\n' | b'\r' | 0)
    }

    /// Whether a plain scalar in block context may start at `pos` (a conservative subset:
    /// `?` and `:` starts are left to the full parser).
    pub(super) fn plain_start(&self) -> bool {
        match self.peek() {
            b'-' => !matches!(self.byte(self.pos + 1), b' ' | b'\n' | b'\r' | 0),
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => false,
            c => c.is_ascii_graphic(),
        }
    }

    /// Scans a single-line plain scalar in block context from `pos`; returns the end of its
    /// text (trailing blanks excluded) and where it stopped.
    pub(super) fn scan_plain(&self) -> R<(usize, Stop)> {
        let mut i = self.pos;
        let mut end = i;
        loop {
            match self.byte(i) {
                b'\n' | b'\r' | 0 => return Ok((end, Stop::Line)),
                b' ' => {}
                b'#' if self.byte(i - 1) == b' ' => return Ok((end, Stop::Line)),
                b':' if matches!(self.byte(i + 1), b' ' | b'\n' | b'\r' | 0) => {
                    return Ok((end, Stop::Colon(i)))
                }
                0x80.. => return Err(Fallback),
                _ => end = i + 1,
            }
            i += 1;
        }
    }

    /// Checks a simple key's length the way the full parser bounds it.
    pub(super) fn key_fits(start: usize, colon: usize) -> R<()> {
        if colon - start > MAX_KEY {
            return Err(Fallback);
        }
        Ok(())
    }

    /// Scans a quoted scalar that closes on its own line; returns its value and the index
    /// just past the closing quote.
    pub(super) fn scan_quoted(&self) -> R<(Cow<'a, str>, bool, usize)> {
        let start = self.pos;
        if self.peek() == b'\'' {
            let (text, end) = self.scan_single(start + 1)?;
            return Ok((text, true, end));
        }
        let (text, end) = self.scan_double(start + 1)?;
        Ok((text, false, end))
    }

    fn scan_single(&self, from: usize) -> R<(Cow<'a, str>, usize)> {
        let mut i = from;
        let mut owned: Option<String> = None;
        let mut run = from;
        loop {
            match self.byte(i) {
                b'\n' | b'\r' | 0 | 0x80.. => return Err(Fallback),
                b'\'' if self.byte(i + 1) == b'\'' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                }
                b'\'' => {
                    let text = match owned {
                        Some(mut s) => {
                            s.push_str(&self.text[run..i]);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(&self.text[from..i]),
                    };
                    return Ok((text, i + 1));
                }
                _ => i += 1,
            }
        }
    }

    fn scan_double(&self, from: usize) -> R<(Cow<'a, str>, usize)> {
        let mut i = from;
        let mut owned: Option<String> = None;
        let mut run = from;
        loop {
            match self.byte(i) {
                b'\n' | b'\r' | 0 | 0x80.. => return Err(Fallback),
                b'"' => {
                    let text = match owned {
                        Some(mut s) => {
                            s.push_str(&self.text[run..i]);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(&self.text[from..i]),
                    };
                    return Ok((text, i + 1));
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..i]);
                    let (c, len) = self.escape(i + 1)?;
                    s.push(c);
                    i += 1 + len;
                    run = i;
                }
                _ => i += 1,
            }
        }
    }

    /// Decodes the escape whose letter is at `i`; returns the character and the bytes used.
    fn escape(&self, i: usize) -> R<(char, usize)> {
        let c = match self.byte(i) {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex(i + 1, 2),
            b'u' => return self.hex(i + 1, 4),
            b'U' => return self.hex(i + 1, 8),
            _ => return Err(Fallback),
        };
        Ok((c, 1))
    }

    fn hex(&self, from: usize, n: usize) -> R<(char, usize)> {
        let digits = self.text.get(from..from + n).ok_or(Fallback)?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Fallback);
        }
        let value = u32::from_str_radix(digits, 16).map_err(|_| Fallback)?;
        let c = char::from_u32(value).ok_or(Fallback)?;
        Ok((c, 1 + n))
    }

    /// After a quoted scalar or a flow indicator the full parser skips blanks and a
    /// comment before ending the token; returns that end. A comment needs a blank before it.
    pub(super) fn skip_trailing(&self, from: usize) -> R<usize> {
        let mut i = from;
        while self.byte(i) == b' ' {
            i += 1;
        }
        if self.byte(i) == b'#' {
            if i == from {
                return Err(Fallback);
            }
            while !matches!(self.byte(i), b'\n' | b'\r' | 0) {
                i += 1;
            }
        }
        Ok(i)
    }
}
