//! The static checks of Go's expr compiler that decide KEDA's formula verdicts: every name
//! must be a visible trigger, a `let` variable or a builtin (the map environment is strict),
//! and operators and builtins must get operands of fitting types (`%` wants integers,
//! `float()` refuses booleans, a condition must be boolean). Types follow Go's checker;
//! wherever it would know less (an unknown type), nothing is reported.

use super::exprsyntax::{Expr, ExprError, PREDICATE_BUILTINS};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Unknown,
    Nil,
    Bool,
    Int,
    Float,
    Str,
    Array,
    Map,
    Func,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Unknown => "interface {}",
            Ty::Nil => "nil",
            Ty::Bool => "bool",
            Ty::Int => "int",
            Ty::Float => "float64",
            Ty::Str => "string",
            Ty::Array => "[]interface {}",
            Ty::Map => "map[string]interface {}",
            Ty::Func => "func",
        }
    }

    fn number(self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    fn unknown(self) -> bool {
        self == Ty::Unknown
    }
}

fn is_builtin(name: &str) -> bool {
    PREDICATE_BUILTINS.contains(&name) || OTHER_BUILTINS.contains(&name)
}

/// The builtins of expr v1.17 besides the predicate ones (`all`, `map`, ...), which
/// exprsyntax lists; a name among either is never "unknown".
const OTHER_BUILTINS: &[&str] = &[
    "len",
    "type",
    "abs",
    "ceil",
    "floor",
    "round",
    "int",
    "float",
    "string",
    "trim",
    "trimPrefix",
    "trimSuffix",
    "upper",
    "lower",
    "split",
    "splitAfter",
    "replace",
    "repeat",
    "join",
    "indexOf",
    "lastIndexOf",
    "hasPrefix",
    "hasSuffix",
    "max",
    "min",
    "mean",
    "median",
    "toJSON",
    "fromJSON",
    "toBase64",
    "fromBase64",
    "now",
    "duration",
    "date",
    "timezone",
    "first",
    "last",
    "get",
    "take",
    "keys",
    "values",
    "toPairs",
    "fromPairs",
    "reverse",
    "uniq",
    "concat",
    "flatten",
    "sort",
    "bitand",
    "bitor",
    "bitxor",
    "bitnand",
    "bitshl",
    "bitshr",
    "bitushr",
    "bitnot",
];

struct Checker<'a> {
    env: &'a [&'a str],
    scopes: Vec<(String, Ty)>,
    err: Option<ExprError>,
}

/// Checks `tree` against an environment of float64 variables named `env`; the first error in
/// Go's visiting order, as Go reports only that one.
pub fn check(tree: &Expr, env: &[&str]) -> Option<ExprError> {
    let mut c = Checker {
        env,
        scopes: Vec::new(),
        err: None,
    };
    c.visit(tree);
    c.err
}

impl Checker<'_> {
    fn error(&mut self, at: usize, message: String) -> Ty {
        if self.err.is_none() {
            self.err = Some(ExprError { message, at });
        }
        Ty::Unknown
    }

    fn visit(&mut self, e: &Expr) -> Ty {
        match e {
            Expr::Int(..) => Ty::Int,
            Expr::Float(..) => Ty::Float,
            Expr::Str(..) => Ty::Str,
            Expr::Bool(..) => Ty::Bool,
            Expr::Nil(_) => Ty::Nil,
            Expr::Pointer(..) => Ty::Unknown,
            Expr::Ident(name, at) => self.ident(name, *at),
            Expr::Unary(op, inner, at) => self.unary(op, inner, *at),
            Expr::Binary(op, l, r, at) => self.binary(op, l, r, *at),
            Expr::Cond(c, a, b, _) => {
                let ct = self.visit(c);
                if !(ct == Ty::Bool || ct.unknown()) {
                    return self.error(
                        c.at(),
                        format!("non-bool expression (type {}) used as condition", ct.name()),
                    );
                }
                let ta = self.visit(a);
                let tb = self.visit(b);
                match (ta, tb) {
                    (Ty::Nil, t) | (t, Ty::Nil) => t,
                    (x, y) if x == y => x,
                    _ => Ty::Unknown,
                }
            }
            Expr::Call(name, args, at) => self.call(name, args, *at),
            Expr::Member(base, extra, name, at) => {
                let bt = self.visit(base);
                let extra_types: Vec<Ty> = extra.iter().map(|x| self.visit(x)).collect();
                if !matches!(bt, Ty::Float | Ty::Int | Ty::Bool | Ty::Nil) {
                    return Ty::Unknown;
                }
                match name {
                    Some(n) => {
                        let (what, n) = match n.strip_suffix("()") {
                            Some(m) => ("method", m),
                            None => ("field", n.as_str()),
                        };
                        self.error(*at, format!("type {} has no {what} {n}", bt.name()))
                    }
                    None if bt == Ty::Nil => Ty::Unknown,
                    None if extra.len() == 1 && !matches!(extra.first(), Some(Expr::Nil(_))) => {
                        let it = extra_types.first().copied().unwrap_or(Ty::Unknown);
                        let it_name = if it.unknown() { "unknown" } else { it.name() };
                        self.error(*at, format!("type {}[{it_name}] is undefined", bt.name()))
                    }
                    None => self.error(*at, format!("cannot slice {}", bt.name())),
                }
            }
            Expr::Array(items, _) => {
                for i in items {
                    self.visit(i);
                }
                Ty::Array
            }
            Expr::Map(values, _) => {
                for v in values {
                    self.visit(v);
                }
                Ty::Map
            }
            Expr::Let(name, value, body, at) => {
                if self.env.contains(&name.as_str()) {
                    return self.error(*at, format!("cannot redeclare {name}"));
                }
                if is_builtin(name.as_str()) {
                    return self.error(*at, format!("cannot redeclare builtin {name}"));
                }
                if self.scopes.iter().any(|(n, _)| n == name) {
                    return self.error(*at, format!("cannot redeclare variable {name}"));
                }
                let t = self.visit(value);
                self.scopes.push((name.clone(), t));
                let r = self.visit(body);
                self.scopes.pop();
                r
            }
            Expr::Seq(nodes) => nodes.iter().fold(Ty::Unknown, |_, n| self.visit(n)),
            Expr::Predicate(body, _) => {
                self.visit(body);
                Ty::Func
            }
        }
    }

    fn ident(&mut self, name: &str, at: usize) -> Ty {
        if let Some((_, t)) = self.scopes.iter().rev().find(|(n, _)| n == name) {
            return *t;
        }
        if name == "$env" {
            return Ty::Unknown;
        }
        if self.env.contains(&name) {
            return Ty::Float;
        }
        if is_builtin(name) {
            return Ty::Func;
        }
        self.error(at, format!("unknown name {name}"))
    }

    fn unary(&mut self, op: &str, inner: &Expr, at: usize) -> Ty {
        let t = self.visit(inner);
        match op {
            "!" | "not" if t == Ty::Bool || t.unknown() => Ty::Bool,
            "-" | "+" if t.number() => t,
            "-" | "+" if t.unknown() => Ty::Unknown,
            _ => self.error(
                at,
                format!("invalid operation: {op} (mismatched type {})", t.name()),
            ),
        }
    }

    fn binary(&mut self, op: &str, l: &Expr, r: &Expr, at: usize) -> Ty {
        let lt = self.visit(l);
        let rt = self.visit(r);
        let (lu, ru) = (lt.unknown(), rt.unknown());
        // Go's MaybeCompatible: one side unknown and the other passes one of the checks.
        let maybe = |ok: &dyn Fn(Ty) -> bool| (lu && (ru || ok(rt))) || (ru && ok(lt));
        let num_or_str = |t: Ty| t.number() || t == Ty::Str;
        let ok = match op {
            "==" | "!=" => {
                if lu
                    || ru
                    || lt == Ty::Nil
                    || rt == Ty::Nil
                    || (lt.number() && rt.number())
                    || lt == rt
                {
                    return Ty::Bool;
                }
                None
            }
            "or" | "||" | "and" | "&&" => ((lt == Ty::Bool && rt == Ty::Bool)
                || maybe(&|t| t == Ty::Bool))
            .then_some(Ty::Bool),
            "<" | ">" | ">=" | "<=" => ((lt.number() && rt.number())
                || (lt == Ty::Str && rt == Ty::Str)
                || maybe(&num_or_str))
            .then_some(Ty::Bool),
            "-" | "*" => {
                if lt.number() && rt.number() {
                    Some(if lt == Ty::Float || rt == Ty::Float {
                        Ty::Float
                    } else {
                        Ty::Int
                    })
                } else {
                    maybe(&|t| t.number()).then_some(Ty::Unknown)
                }
            }
            "/" | "**" | "^" => {
                ((lt.number() && rt.number()) || maybe(&|t| t.number())).then_some(Ty::Float)
            }
            "%" => {
                ((lt == Ty::Int && rt == Ty::Int) || maybe(&|t| t == Ty::Int)).then_some(Ty::Int)
            }
            "+" => {
                if lt.number() && rt.number() {
                    Some(if lt == Ty::Float || rt == Ty::Float {
                        Ty::Float
                    } else {
                        Ty::Int
                    })
                } else if lt == Ty::Str && rt == Ty::Str {
                    Some(Ty::Str)
                } else {
                    maybe(&num_or_str).then_some(Ty::Unknown)
                }
            }
            ".." => {
                ((lt == Ty::Int && rt == Ty::Int) || maybe(&|t| t == Ty::Int)).then_some(Ty::Array)
            }
            "??" => {
                return match (lt, rt) {
                    (Ty::Nil, t) | (t, Ty::Nil) => t,
                    (x, y) if x == y => x,
                    _ => Ty::Unknown,
                }
            }
            "matches" | "contains" | "startsWith" | "endsWith" => {
                ((lt == Ty::Str && rt == Ty::Str) || maybe(&|t| t == Ty::Str)).then_some(Ty::Bool)
            }
            "in" => (matches!(rt, Ty::Array | Ty::Map | Ty::Unknown) || (lu && rt == Ty::Str))
                .then_some(Ty::Bool),
            _ => return Ty::Unknown,
        };
        match ok {
            Some(t) => t,
            None => self.error(
                at,
                format!(
                    "invalid operation: {op} (mismatched types {} and {})",
                    lt.name(),
                    rt.name()
                ),
            ),
        }
    }

    fn call(&mut self, name: &str, args: &[Expr], at: usize) -> Ty {
        if !is_builtin(name) && !self.scopes.iter().any(|(n, _)| n == name) {
            if self.env.contains(&name) {
                for a in args {
                    self.visit(a);
                }
                return self.error(at, "float64 is not callable".to_owned());
            }
            return self.error(at, format!("unknown name {name}"));
        }
        let types: Vec<Ty> = args.iter().map(|a| self.visit(a)).collect();
        let bad = |c: &mut Self, t: Ty| {
            c.error(
                at,
                format!("invalid argument for {name} (type {})", t.name()),
            )
        };
        let one = |c: &mut Self| -> Option<Ty> {
            if types.len() == 1 {
                types.first().copied()
            } else {
                c.error(
                    at,
                    format!(
                        "invalid number of arguments (expected 1, got {})",
                        types.len()
                    ),
                );
                None
            }
        };
        match name {
            "float" | "int" => {
                let Some(t) = one(self) else {
                    return Ty::Unknown;
                };
                if t.number() || t.unknown() || t == Ty::Str {
                    if name == "float" {
                        Ty::Float
                    } else {
                        Ty::Int
                    }
                } else {
                    bad(self, t)
                }
            }
            "abs" => match one(self) {
                Some(t) if t.number() || t.unknown() => t,
                Some(t) => bad(self, t),
                None => Ty::Unknown,
            },
            "ceil" | "floor" | "round" => match one(self) {
                Some(t) if t.number() || t.unknown() => Ty::Float,
                Some(t) => bad(self, t),
                None => Ty::Unknown,
            },
            "len" => match one(self) {
                Some(Ty::Str | Ty::Array | Ty::Map | Ty::Unknown) => Ty::Int,
                Some(t) => bad(self, t),
                None => Ty::Unknown,
            },
            "max" | "min" | "mean" | "median" => {
                if types.is_empty() {
                    return self.error(at, format!("not enough arguments to call {name}"));
                }
                for &t in &types {
                    if t.unknown() || t == Ty::Array {
                        return Ty::Unknown;
                    }
                    if !t.number() {
                        return bad(self, t);
                    }
                }
                types.first().copied().unwrap_or(Ty::Unknown)
            }
            "string" | "type" => Ty::Str,
            _ => Ty::Unknown,
        }
    }
}

/// The Go type name of the formula's result (`interface {}` when the checker cannot tell).
pub fn result_type(tree: &Expr, env: &[&str]) -> &'static str {
    let mut c = Checker {
        env,
        scopes: Vec::new(),
        err: None,
    };
    c.visit(tree).name()
}
