//! A reader for the expr language as Go's expr-lang/expr v1.17 reads it (the library KEDA
//! compiles `scalingModifiers.formula` with): its tokens, operator precedences, and error
//! wording. The tree feeds the checks KEDA's compile step makes (`exprtypes`) and the run
//! (`expreval`).

/// A compile error at a character offset of the compiled text.
#[derive(Clone, Debug, PartialEq)]
pub struct ExprError {
    pub message: String,
    /// Offset in Unicode scalar values from the start of the compiled text.
    pub at: usize,
}

use super::exprlex::{is_alnum, is_alpha, lex, Tok, K};

pub use super::exprtree::Expr;

/// Go's expr refuses expressions of more than 10,000 nodes (`conf.DefaultMaxNodes`).
const MAX_NODES: usize = 10_000;

fn binary_precedence(op: &str) -> Option<(u16, bool)> {
    // (precedence, right associative)
    Some(match op {
        "|" => (0, false),
        "or" | "||" => (10, false),
        "and" | "&&" => (15, false),
        "==" | "!=" | "<" | ">" | ">=" | "<=" | "in" | "matches" | "contains" | "startsWith"
        | "endsWith" => (20, false),
        ".." => (25, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        "**" | "^" => (100, true),
        "??" => (500, false),
        _ => return None,
    })
}

/// Builtins whose arguments after the first are predicates (closures over `#`).
pub(super) const PREDICATE_BUILTINS: &[&str] = &[
    "all",
    "none",
    "any",
    "one",
    "filter",
    "map",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "count",
    "sum",
    "groupBy",
    "sortBy",
    "reduce",
];

/// Said when the nesting limit is hit; Go would read on, so the caller gives no verdict.
pub const TOO_DEEP: &str = "expression is nested too deeply";

/// Nesting limit: a formula is short; deeper input is refused rather than recursed into.
const MAX_DEPTH: usize = 200;

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    predicate_depth: usize,
}

type PResult = Result<Expr, ExprError>;

impl Parser {
    fn cur(&self) -> &Tok {
        // The token list always ends with EOF and `pos` never passes it.
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn next(&mut self) {
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
    }

    fn unexpected(&self) -> ExprError {
        ExprError {
            message: format!("unexpected token {}", self.cur().describe()),
            at: self.cur().at,
        }
    }

    fn expect(&mut self, kind: K, text: &str) -> Result<(), ExprError> {
        if self.cur().is(kind, text) {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError {
                message: TOO_DEEP.to_owned(),
                at: self.cur().at,
            });
        }
        Ok(())
    }

    fn sequence(&mut self) -> PResult {
        let mut nodes = vec![self.expression(0)?];
        while self.cur().is(K::Op, ";") {
            self.next();
            if self.cur().kind == K::Eof {
                break;
            }
            nodes.push(self.expression(0)?);
        }
        Ok(if nodes.len() == 1 {
            nodes.remove(0)
        } else {
            Expr::Seq(nodes)
        })
    }

    fn expression(&mut self, precedence: u16) -> PResult {
        self.enter()?;
        let r = self.expression_inner(precedence);
        self.depth -= 1;
        r
    }

    fn expression_inner(&mut self, precedence: u16) -> PResult {
        if precedence == 0 && self.cur().is(K::Op, "let") {
            self.next();
            let name = self.cur().clone();
            if name.kind != K::Ident {
                return Err(self.unexpected());
            }
            self.next();
            self.expect(K::Op, "=")?;
            let value = self.expression(0)?;
            self.expect(K::Op, ";")?;
            let body = self.sequence()?;
            return Ok(Expr::Let(
                name.text,
                Box::new(value),
                Box::new(body),
                name.at,
            ));
        }
        if precedence == 0 && self.cur().is(K::Op, "if") {
            return self.conditional_if();
        }
        let mut left = self.primary()?;
        let mut prev = String::new();
        loop {
            let mut op = self.cur().clone();
            if op.kind != K::Op {
                break;
            }
            let negate = op.text == "not";
            if negate {
                let backup = self.pos;
                self.next();
                let suffix = self.cur().clone();
                if !matches!(
                    suffix.text.as_str(),
                    "contains" | "matches" | "startsWith" | "endsWith" | "in"
                ) || suffix.kind != K::Op
                {
                    return Err(self.unexpected());
                }
                if binary_precedence(&suffix.text).is_some_and(|(p, _)| p >= precedence) {
                    op = suffix;
                } else {
                    self.pos = backup;
                    break;
                }
            }
            let Some((prec, right_assoc)) = binary_precedence(&op.text) else {
                break;
            };
            if prec < precedence {
                break;
            }
            self.next();
            if op.text == "|" {
                let name = self.cur().clone();
                if name.kind != K::Ident {
                    return Err(self.unexpected());
                }
                self.next();
                left = self.call(name, vec![left])?;
                prev = op.text;
                continue;
            }
            if prev == "??" && op.text != "??" {
                return Err(ExprError {
                    message: format!(
                        "Operator ({}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                        op.text
                    ),
                    at: op.at,
                });
            }
            if matches!(op.text.as_str(), "<" | ">" | "<=" | ">=") {
                left = self.comparison(left, op, prec)?;
                prev = "<".to_owned();
                continue;
            }
            let right = if right_assoc {
                self.expression(prec)?
            } else {
                self.expression(prec + 1)?
            };
            left = Expr::Binary(op.text.clone(), Box::new(left), Box::new(right), op.at);
            if negate {
                left = Expr::Unary("not".to_owned(), Box::new(left), op.at);
            }
            prev = op.text;
        }
        if precedence == 0 {
            while self.cur().is(K::Op, "?") {
                self.next();
                let (a, b) = if self.cur().is(K::Op, ":") {
                    self.next();
                    (left.clone(), self.expression(0)?)
                } else {
                    let a = self.expression(0)?;
                    self.expect(K::Op, ":")?;
                    (a, self.expression(0)?)
                };
                let at = self.cur().at;
                left = Expr::Cond(Box::new(left), Box::new(a), Box::new(b), at);
            }
        }
        Ok(left)
    }

    /// `a < b < c` reads as `a < b && b < c` (Go's `parseComparison`).
    fn comparison(&mut self, mut left: Expr, mut op: Tok, prec: u16) -> PResult {
        let mut root: Option<Expr> = None;
        loop {
            let right = self.expression(prec + 1)?;
            let cmp = Expr::Binary(
                op.text.clone(),
                Box::new(left),
                Box::new(right.clone()),
                op.at,
            );
            root = Some(match root {
                None => cmp,
                Some(r) => Expr::Binary("&&".to_owned(), Box::new(r), Box::new(cmp), op.at),
            });
            left = right;
            let next = self.cur().clone();
            if !(next.kind == K::Op && matches!(next.text.as_str(), "<" | ">" | "<=" | ">=")) {
                break;
            }
            op = next;
            self.next();
        }
        Ok(root.unwrap_or(Expr::Nil(op.at)))
    }

    fn conditional_if(&mut self) -> PResult {
        let at = self.cur().at;
        self.next();
        let cond = self.expression(0)?;
        self.expect(K::Bracket, "{")?;
        let a = self.sequence()?;
        self.expect(K::Bracket, "}")?;
        self.expect(K::Op, "else")?;
        let b = if self.cur().is(K::Op, "if") {
            self.enter()?;
            let r = self.conditional_if();
            self.depth -= 1;
            r?
        } else {
            self.expect(K::Bracket, "{")?;
            let b = self.sequence()?;
            self.expect(K::Bracket, "}")?;
            b
        };
        Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b), at))
    }

    fn primary(&mut self) -> PResult {
        let tok = self.cur().clone();
        if tok.kind == K::Op {
            let unary = match tok.text.as_str() {
                "not" | "!" => Some(50),
                "-" | "+" => Some(90),
                _ => None,
            };
            if let Some(prec) = unary {
                self.next();
                let e = self.expression(prec)?;
                return self.postfix(Expr::Unary(tok.text, Box::new(e), tok.at));
            }
        }
        if tok.is(K::Bracket, "(") {
            self.next();
            self.enter()?;
            let e = self.sequence();
            self.depth -= 1;
            let e = e?;
            self.expect(K::Bracket, ")")?;
            return self.postfix(e);
        }
        if self.predicate_depth > 0 && tok.kind == K::Ident && tok.text.starts_with('#') {
            self.next();
            return self.postfix(Expr::Pointer(tok.text, tok.at));
        }
        if self.predicate_depth > 0 && tok.is(K::Op, ".") {
            // `.field` is `#.field`; leave the dot for postfix.
            return self.postfix(Expr::Pointer("#".to_owned(), tok.at));
        }
        self.secondary()
    }

    fn secondary(&mut self) -> PResult {
        let tok = self.cur().clone();
        let node = match tok.kind {
            K::Ident => {
                self.next();
                match tok.text.as_str() {
                    "true" | "false" => return Ok(Expr::Bool(tok.text == "true", tok.at)),
                    "nil" => return Ok(Expr::Nil(tok.at)),
                    _ if tok.text.starts_with('#') => return Err(self.unexpected_at(&tok)),
                    _ if self.cur().is(K::Bracket, "(") => self.call(tok, Vec::new())?,
                    _ => Expr::Ident(tok.text, tok.at),
                }
            }
            K::Number => {
                self.next();
                let lower = tok.text.replace('_', "").to_ascii_lowercase();
                if !lower.starts_with("0x") && (lower.contains('.') || lower.contains('e')) {
                    let Ok(value) = crate::go::strconv::parse_float(&lower) else {
                        return Err(ExprError {
                            message: format!(
                                "invalid float literal: strconv.ParseFloat: parsing {lower:?}: value out of range"
                            ),
                            at: tok.at,
                        });
                    };
                    return Ok(Expr::Float(value, tok.at));
                }
                let (radix, digits) = match lower.get(..2) {
                    Some("0x") => (16, &lower[2..]),
                    Some("0o") => (8, &lower[2..]),
                    Some("0b") => (2, &lower[2..]),
                    _ => (10, lower.as_str()),
                };
                let Ok(value) = i64::from_str_radix(digits, radix) else {
                    return Err(ExprError {
                        message: format!(
                            "invalid integer literal: strconv.ParseInt: parsing {lower:?}: value out of range"
                        ),
                        at: tok.at,
                    });
                };
                return Ok(Expr::Int(value, tok.at));
            }
            K::Str => {
                self.next();
                Expr::Str(tok.text, tok.at)
            }
            K::Bracket if tok.text == "[" => {
                self.next();
                let items = self.list("]")?;
                Expr::Array(items, tok.at)
            }
            K::Bracket if tok.text == "{" => {
                self.next();
                let mut values = Vec::new();
                while !self.cur().is(K::Bracket, "}") {
                    if !values.is_empty() {
                        self.expect(K::Op, ",")?;
                        if self.cur().is(K::Bracket, "}") {
                            break;
                        }
                    }
                    let key = self.cur().clone();
                    if !matches!(key.kind, K::Ident | K::Str | K::Number)
                        && !key.is(K::Bracket, "(")
                    {
                        return Err(self.unexpected());
                    }
                    if key.is(K::Bracket, "(") {
                        values.push(self.expression(0)?);
                    } else {
                        self.next();
                    }
                    self.expect(K::Op, ":")?;
                    values.push(self.expression(0)?);
                }
                self.expect(K::Bracket, "}")?;
                Expr::Map(values, tok.at)
            }
            _ => return Err(self.unexpected()),
        };
        self.postfix(node)
    }

    fn unexpected_at(&self, tok: &Tok) -> ExprError {
        ExprError {
            message: format!("unexpected token {}", tok.describe()),
            at: tok.at,
        }
    }

    /// Comma-separated expressions up to `close` (a trailing comma is allowed).
    fn list(&mut self, close: &str) -> Result<Vec<Expr>, ExprError> {
        let mut items = Vec::new();
        while !self.cur().is(K::Bracket, close) {
            if !items.is_empty() {
                self.expect(K::Op, ",")?;
                if self.cur().is(K::Bracket, close) {
                    break;
                }
            }
            items.push(self.expression(0)?);
        }
        self.expect(K::Bracket, close)?;
        Ok(items)
    }

    fn call(&mut self, name: Tok, mut args: Vec<Expr>) -> PResult {
        self.expect(K::Bracket, "(")?;
        if PREDICATE_BUILTINS.contains(&name.text.as_str()) {
            let offset = args.len();
            while !self.cur().is(K::Bracket, ")") {
                if args.len() > offset {
                    self.expect(K::Op, ",")?;
                    if self.cur().is(K::Bracket, ")") {
                        break;
                    }
                }
                if args.is_empty() {
                    args.push(self.expression(0)?);
                } else {
                    args.push(self.predicate()?);
                }
            }
            self.expect(K::Bracket, ")")?;
        } else {
            args.extend(self.list(")")?);
        }
        Ok(Expr::Call(name.text, args, name.at))
    }

    fn predicate(&mut self) -> PResult {
        let at = self.cur().at;
        self.predicate_depth += 1;
        let r = if self.cur().is(K::Bracket, "{") {
            self.next();
            let body = self.sequence();
            body.and_then(|b| self.expect(K::Bracket, "}").map(|()| b))
        } else {
            self.expression(0)
        };
        self.predicate_depth -= 1;
        Ok(Expr::Predicate(Box::new(r?), at))
    }

    fn postfix(&mut self, mut node: Expr) -> PResult {
        loop {
            let tok = self.cur().clone();
            if tok.is(K::Op, ".") || tok.is(K::Op, "?.") {
                self.next();
                if tok.text == "?." && self.cur().is(K::Bracket, "[") {
                    continue;
                }
                let prop = self.cur().clone();
                let is_name = prop.kind == K::Ident
                    || (prop.kind == K::Op
                        && prop.text.chars().next().is_some_and(is_alpha)
                        && prop.text.chars().all(is_alnum));
                if !is_name {
                    return Err(ExprError {
                        message: "expected name".to_owned(),
                        at: prop.at,
                    });
                }
                self.next();
                let mut extra = Vec::new();
                let name = if self.cur().is(K::Bracket, "(") {
                    self.next();
                    extra = self.list(")")?;
                    format!("{}()", prop.text)
                } else {
                    prop.text.clone()
                };
                node = Expr::Member(Box::new(node), extra, Some(name), prop.at);
            } else if tok.is(K::Bracket, "[") {
                self.next();
                let mut parts = Vec::new();
                let absent = Expr::Nil(tok.at);
                parts.push(if self.cur().is(K::Op, ":") {
                    absent.clone()
                } else {
                    self.expression(0)?
                });
                if self.cur().is(K::Op, ":") {
                    self.next();
                    parts.push(if self.cur().is(K::Bracket, "]") {
                        absent.clone()
                    } else {
                        self.expression(0)?
                    });
                    // A slice is [marker, from, to], an absent bound being nil.
                    parts.insert(0, absent);
                }
                self.expect(K::Bracket, "]")?;
                node = Expr::Member(Box::new(node), parts, None, tok.at);
            } else {
                return Ok(node);
            }
        }
    }
}

/// A parsed formula.
pub struct Parsed {
    pub tree: Expr,
}

/// Parses a whole formula as Go's expr does (a sequence, then end of input).
pub fn parse(src: &str) -> Result<Parsed, ExprError> {
    let toks = lex(src)?;
    let nodes = toks
        .iter()
        .filter(|t| !matches!(t.kind, K::Bracket | K::Eof) && t.text != ",")
        .count();
    if nodes > MAX_NODES {
        return Err(ExprError {
            message: "compilation failed: expression exceeds maximum allowed nodes".to_owned(),
            at: 0,
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        predicate_depth: 0,
    };
    let e = p.sequence()?;
    if p.cur().kind != K::Eof {
        return Err(p.unexpected());
    }
    Ok(Parsed { tree: e })
}
