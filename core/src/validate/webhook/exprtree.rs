//! The syntax tree of a formula, with the walks the checks need (depth, map literals,
//! plain arithmetic), none of them recursive.

/// The parsed formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Ident(String, usize),
    Int(i64, usize),
    Float(f64, usize),
    Str(String, usize),
    Bool(bool, usize),
    Nil(usize),
    /// `#`, `#index`, `#acc` inside a predicate (`.field` is `#` then a member).
    Pointer(String, usize),
    Unary(String, Box<Expr>, usize),
    Binary(String, Box<Expr>, Box<Expr>, usize),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>, usize),
    /// A call of a plain name: builtin (`float(...)`) or unknown.
    Call(String, Vec<Expr>, usize),
    /// `base.name`, `base.name(...)`, `base[index]` or a slice.
    Member(Box<Expr>, Vec<Expr>, Option<String>, usize),
    Array(Vec<Expr>, usize),
    Map(Vec<Expr>, usize),
    Let(String, Box<Expr>, Box<Expr>, usize),
    Seq(Vec<Expr>),
    Predicate(Box<Expr>, usize),
}

impl Expr {
    pub fn at(&self) -> usize {
        match self {
            Expr::Ident(_, a)
            | Expr::Int(_, a)
            | Expr::Float(_, a)
            | Expr::Str(_, a)
            | Expr::Bool(_, a)
            | Expr::Nil(a)
            | Expr::Pointer(_, a)
            | Expr::Unary(_, _, a)
            | Expr::Binary(_, _, _, a)
            | Expr::Cond(_, _, _, a)
            | Expr::Call(_, _, a)
            | Expr::Member(_, _, _, a)
            | Expr::Array(_, a)
            | Expr::Map(_, a)
            | Expr::Let(_, _, _, a)
            | Expr::Predicate(_, a) => *a,
            Expr::Seq(nodes) => nodes.first().map_or(0, Expr::at),
        }
    }
}

impl Expr {
    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Ident(..)
            | Expr::Int(..)
            | Expr::Float(..)
            | Expr::Str(..)
            | Expr::Bool(..)
            | Expr::Nil(_)
            | Expr::Pointer(..) => Vec::new(),
            Expr::Unary(_, e, _) | Expr::Predicate(e, _) => vec![e],
            Expr::Binary(_, l, r, _) | Expr::Let(_, l, r, _) => vec![l, r],
            Expr::Cond(c, a, b, _) => vec![c, a, b],
            Expr::Call(_, args, _)
            | Expr::Array(args, _)
            | Expr::Map(args, _)
            | Expr::Seq(args) => args.iter().collect(),
            Expr::Member(base, extra, _, _) => {
                let mut v: Vec<&Expr> = vec![base];
                v.extend(extra.iter());
                v
            }
        }
    }

    /// Depth of the tree, computed without recursion (a long `a+a+...` chain is deep).
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(self, 1usize)];
        while let Some((e, d)) = stack.pop() {
            deepest = deepest.max(d);
            stack.extend(e.children().into_iter().map(|c| (c, d + 1)));
        }
        deepest
    }

    /// True when the tree is plain arithmetic over names and number literals (`+ - * / **`,
    /// unary sign, `float abs ceil floor round min max`): once it type-checks, running it with
    /// numbers cannot fail (float arithmetic has no errors, integer overflow wraps).
    pub fn is_plain_arithmetic(&self) -> bool {
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            let ok = match e {
                // `$env` is the whole environment map, not a number.
                Expr::Ident(name, _) => name != "$env",
                Expr::Int(..) | Expr::Float(..) => true,
                Expr::Unary(op, ..) => matches!(op.as_str(), "-" | "+"),
                Expr::Binary(op, ..) => matches!(op.as_str(), "+" | "-" | "*" | "/" | "**" | "^"),
                Expr::Call(name, args, _) => {
                    !args.is_empty()
                        && matches!(
                            name.as_str(),
                            "float" | "abs" | "ceil" | "floor" | "round" | "min" | "max"
                        )
                }
                _ => false,
            };
            if !ok {
                return false;
            }
            stack.extend(e.children());
        }
        true
    }
}
