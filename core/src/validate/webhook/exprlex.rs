//! The tokens of Go's expr v1.17 (`parser/lexer`): names, numbers (with `_`, hex, octal,
//! binary, `1..2` kept apart from `1.2`), strings, word operators and punctuation.

use super::exprsyntax::ExprError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum K {
    Ident,
    Number,
    Str,
    Op,
    Bracket,
    Eof,
}

#[derive(Clone, Debug)]
pub(super) struct Tok {
    pub kind: K,
    pub text: String,
    pub at: usize,
}

impl Tok {
    pub fn is(&self, kind: K, text: &str) -> bool {
        self.kind == kind && self.text == text
    }

    /// Go's `Token.String()`: `Operator("+")`, or the kind alone for EOF.
    pub fn describe(&self) -> String {
        let kind = match self.kind {
            K::Ident => "Identifier",
            K::Number => "Number",
            K::Str => "String",
            K::Op => "Operator",
            K::Bracket => "Bracket",
            K::Eof => return "EOF".to_owned(),
        };
        format!("{kind}({:?})", self.text)
    }
}

pub(super) fn is_alpha(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphabetic()
}

pub(super) fn is_alnum(c: char) -> bool {
    is_alpha(c) || c.is_numeric()
}

const WORD_OPS: &[&str] = &[
    "not",
    "in",
    "or",
    "and",
    "matches",
    "contains",
    "startsWith",
    "endsWith",
    "let",
    "if",
    "else",
];

pub(super) fn lex(src: &str) -> Result<Vec<Tok>, ExprError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let err = |message: String, at: usize| Err(ExprError { message, at });
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let peek = |k: usize| chars.get(k).copied().unwrap_or('\0');
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '/' && peek(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && peek(i + 1) == '*' {
            i += 2;
            while i < chars.len() && !(chars[i] == '*' && peek(i + 1) == '/') {
                i += 1;
            }
            if i >= chars.len() {
                return err("unclosed comment".to_owned(), start);
            }
            i += 2;
            continue;
        }
        let (kind, text): (K, String) = if c == '\'' || c == '"' || c == '`' {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(&d) = chars.get(i) else {
                    return err("literal not terminated".to_owned(), start);
                };
                i += 1;
                if d == c {
                    break;
                }
                if d == '\\' && c != '`' {
                    if let Some(&e) = chars.get(i) {
                        s.push(e);
                        i += 1;
                    }
                    continue;
                }
                if d == '\n' && c != '`' {
                    return err("literal not terminated".to_owned(), start);
                }
                s.push(d);
            }
            (K::Str, s)
        } else if c.is_ascii_digit() || (c == '.' && peek(i + 1).is_ascii_digit()) {
            let mut digits: &str = "0123456789_";
            if c == '0' && matches!(peek(i + 1), 'x' | 'X') {
                digits = "0123456789abcdefABCDEF_";
                i += 2;
            } else if c == '0' && matches!(peek(i + 1), 'o' | 'O') {
                digits = "01234567_";
                i += 2;
            } else if c == '0' && matches!(peek(i + 1), 'b' | 'B') {
                digits = "01_";
                i += 2;
            }
            while digits.contains(peek(i)) && peek(i) != '\0' {
                i += 1;
            }
            if peek(i) == '.' && peek(i + 1) != '.' {
                i += 1;
                while digits.contains(peek(i)) && peek(i) != '\0' {
                    i += 1;
                }
            }
            if matches!(peek(i), 'e' | 'E') && !digits.contains('a') {
                i += 1;
                if matches!(peek(i), '+' | '-') {
                    i += 1;
                }
                while digits.contains(peek(i)) && peek(i) != '\0' {
                    i += 1;
                }
            }
            if is_alnum(peek(i)) {
                let word: String = chars[start..=i].iter().collect();
                return err(format!("bad number syntax: {word:?}"), start);
            }
            (K::Number, chars[start..i].iter().collect())
        } else if c == '#' {
            i += 1;
            while is_alnum(peek(i)) {
                i += 1;
            }
            (K::Ident, chars[start..i].iter().collect())
        } else if is_alpha(c) {
            while is_alnum(peek(i)) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if WORD_OPS.contains(&word.as_str()) {
                (K::Op, word)
            } else {
                (K::Ident, word)
            }
        } else if "([{)]}".contains(c) {
            i += 1;
            (K::Bracket, c.to_string())
        } else {
            let two: String = [c, peek(i + 1)].iter().collect();
            let op = match two.as_str() {
                "??" | "?." | ".." | "==" | "!=" | "<=" | ">=" | "&&" | "||" | "**" | "::" => two,
                _ if "?:.,;%+-^*/!=<>|".contains(c) => c.to_string(),
                _ => {
                    return err(
                        format!("unrecognized character: U+{:04X} {c:?}", u32::from(c)),
                        start,
                    )
                }
            };
            i += op.chars().count();
            (K::Op, op)
        };
        toks.push(Tok {
            kind,
            text,
            at: start,
        });
    }
    toks.push(Tok {
        kind: K::Eof,
        text: String::new(),
        at: chars.len(),
    });
    Ok(toks)
}
