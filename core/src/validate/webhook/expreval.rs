//! Runs a formula tree the way Go's expr v1.17 VM does, for the values KEDA binds (float64
//! metrics or nil): int and float64 arithmetic kept apart (`+ - *` on two ints stay int and
//! wrap on overflow, `/` and `**` always give float64, `%` takes ints only), short-circuit
//! `&& || ??`, conditions that must be bool, and the numeric builtins. Failures are worded
//! as expr's runtime panics. What a formula over metrics has no use for (maps, string and
//! time functions, `reduce`, ...) is `Unsupported`, so that callers give no verdict on it.

use super::exprtree::Expr;

/// A value while running; `Env` is the environment map (`$env`).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Value>),
    Env,
}

impl Value {
    /// Go's `%T` of the value as expr holds it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Array(_) => "[]interface {}",
            Value::Env => "map[string]interface {}",
        }
    }

    fn number(&self) -> Option<f64> {
        match *self {
            Value::Int(i) => Some(i as f64),
            Value::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// Why a run stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// Go's expr fails the same way (its panic message).
    Runtime(String),
    /// A form this evaluator does not run; no verdict.
    Unsupported(String),
}

type Run = Result<Value, Fault>;

fn fail<T>(message: String) -> Result<T, Fault> {
    Err(Fault::Runtime(message))
}

fn unsupported<T>(what: &str) -> Result<T, Fault> {
    Err(Fault::Unsupported(what.to_owned()))
}

/// Go's expr `conf.DefaultMemoryBudget`: the items a run may allocate in all (ranges, array
/// literals, the arrays `map` and `filter` build), counted as its VM counts them.
pub const MEMORY_BUDGET: u64 = 1_000_000;

/// The work a run may do: one step per node evaluated and per element copied, compared or
/// sorted (string bytes count as elements). Go's expr has no such limit; without one a
/// formula that loops over one range inside another without allocating (`let r = 1..999;
/// all(r, all(r, all(r, true)))`) runs for minutes. Formulas over trigger metrics take a few
/// hundred steps; this bound keeps the worst case to milliseconds.
pub const STEP_BUDGET: u64 = 5_000_000;

/// Go's expr panic when a run allocates past its memory budget.
pub const MEMORY_EXCEEDED: &str = "memory budget exceeded";

/// The refusal when a run exceeds `STEP_BUDGET`.
pub const STEPS_EXCEEDED: &str = "step budget exceeded";

/// What a run has spent of its budgets.
#[derive(Default)]
struct Budget {
    memory: u64,
    steps: u64,
}

impl Budget {
    /// Go's `vm.memGrow`: adds, then refuses once the total reaches the budget.
    fn grow(&mut self, items: usize) -> Result<(), Fault> {
        self.memory = self.memory.saturating_add(items as u64);
        if self.memory >= MEMORY_BUDGET {
            return fail(MEMORY_EXCEEDED.to_owned());
        }
        Ok(())
    }

    fn step(&mut self, n: usize) -> Result<(), Fault> {
        self.steps = self.steps.saturating_add(n as u64);
        if self.steps > STEP_BUDGET {
            return fail(STEPS_EXCEEDED.to_owned());
        }
        Ok(())
    }

    /// Charges the copy of `v` (its elements, nested ones included, and string bytes).
    fn copy(&mut self, v: &Value) -> Result<Value, Fault> {
        self.step(weight(v))?;
        Ok(v.clone())
    }
}

/// Elements and string bytes in `v`; arrays nest no deeper than the tree that built them.
fn weight(v: &Value) -> usize {
    match v {
        Value::Array(items) => items
            .iter()
            .fold(items.len(), |n, i| n.saturating_add(weight(i))),
        Value::Str(s) => s.len(),
        _ => 1,
    }
}

/// Runs `tree` with `env`: each name bound to a float64, or to nil for `None`. A run stops
/// with Go's "memory budget exceeded" once it allocates `MEMORY_BUDGET` items, and with
/// `STEPS_EXCEEDED` past `STEP_BUDGET`.
pub fn run(tree: &Expr, env: &[(&str, Option<f64>)]) -> Run {
    Machine {
        env,
        lets: Vec::new(),
        items: Vec::new(),
        budget: Budget::default(),
    }
    .eval(tree)
}

struct Machine<'t, 'e> {
    env: &'e [(&'e str, Option<f64>)],
    lets: Vec<(&'t str, Value)>,
    /// The element and index each enclosing predicate is at (`#`, `#index`).
    items: Vec<(Value, usize)>,
    budget: Budget,
}

fn as_bool(v: &Value) -> Result<bool, Fault> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::Nil => fail("interface conversion: interface {} is nil, not bool".to_owned()),
        other => fail(format!(
            "interface conversion: interface {{}} is {}, not bool",
            other.type_name()
        )),
    }
}

fn mismatch<T>(op: &str, l: &Value, r: &Value) -> Result<T, Fault> {
    fail(format!(
        "invalid operation: {} {op} {}",
        l.type_name(),
        r.type_name()
    ))
}

/// Go's `runtime.Equal`: numbers by value across int and float64, the rest by deep equality
/// (charged by the size of the smaller side, which bounds the comparison).
fn equal(budget: &mut Budget, l: &Value, r: &Value) -> Result<bool, Fault> {
    match (l.number(), r.number()) {
        (Some(a), Some(b)) => Ok(a == b),
        _ => {
            budget.step(weight(l).min(weight(r)))?;
            Ok(l == r)
        }
    }
}

/// Go's `runtime.Less` and friends: numbers across types, strings by bytes.
fn compare(op: &str, l: &Value, r: &Value) -> Result<bool, Fault> {
    let ord = match (l, r) {
        (Value::Str(a), Value::Str(b)) => a.partial_cmp(b),
        _ => match (l.number(), r.number()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => return mismatch(op, l, r),
        },
    };
    let Some(ord) = ord else {
        return Ok(false); // NaN compares false, as in Go
    };
    Ok(match op {
        "<" => ord.is_lt(),
        ">" => ord.is_gt(),
        "<=" => ord.is_le(),
        _ => ord.is_ge(),
    })
}

fn arithmetic(budget: &mut Budget, op: &str, l: &Value, r: &Value) -> Run {
    if let (Value::Int(a), Value::Int(b)) = (l, r) {
        let (a, b) = (*a, *b);
        return Ok(match op {
            "+" => Value::Int(a.wrapping_add(b)),
            "-" => Value::Int(a.wrapping_sub(b)),
            "*" => Value::Int(a.wrapping_mul(b)),
            "%" if b == 0 => return fail("runtime error: integer divide by zero".to_owned()),
            "%" => Value::Int(a.wrapping_rem(b)),
            "/" => Value::Float(a as f64 / b as f64),
            _ => Value::Float((a as f64).powf(b as f64)),
        });
    }
    if let (Value::Str(a), Value::Str(b), "+") = (l, r, op) {
        budget.step(a.len().saturating_add(b.len()))?;
        return Ok(Value::Str(format!("{a}{b}")));
    }
    match (l.number(), r.number()) {
        (Some(a), Some(b)) if op != "%" => Ok(Value::Float(match op {
            "+" => a + b,
            "-" => a - b,
            "*" => a * b,
            "/" => a / b,
            _ => a.powf(b),
        })),
        _ => mismatch(op, l, r),
    }
}

/// Numbers of the arguments of `mean`/`median`, arrays flattened.
fn numbers(
    budget: &mut Budget,
    name: &str,
    args: &[Value],
    out: &mut Vec<f64>,
) -> Result<(), Fault> {
    budget.step(args.len())?;
    for a in args {
        match a {
            Value::Array(items) => numbers(budget, name, items, out)?,
            v => match v.number() {
                Some(x) => out.push(x),
                None => {
                    return fail(format!(
                        "invalid argument for {name} (type {})",
                        v.type_name()
                    ))
                }
            },
        }
    }
    Ok(())
}

/// `max`/`min`: the first greatest (least) number, keeping its type; arrays flattened.
fn extreme(budget: &mut Budget, name: &str, args: &[Value]) -> Run {
    budget.step(args.len())?;
    let mut best: Option<Value> = None;
    for a in args {
        let candidate = match a {
            Value::Array(items) => match extreme(budget, name, items)? {
                Value::Nil if items.is_empty() => continue,
                v if v.number().is_some() => v,
                v => {
                    return fail(format!(
                        "invalid argument for {name} (type {})",
                        v.type_name()
                    ))
                }
            },
            v if v.number().is_some() => v.clone(),
            v if args.len() == 1 => return budget.copy(v),
            v => {
                return fail(format!(
                    "invalid argument for {name} (type {})",
                    v.type_name()
                ))
            }
        };
        let better = match &best {
            None => true,
            Some(b) => compare(if name == "max" { "<" } else { ">" }, b, &candidate)?,
        };
        if better {
            best = Some(candidate);
        }
    }
    Ok(best.unwrap_or(Value::Nil))
}

fn one_arg<'v>(name: &str, args: &'v [Value]) -> Result<&'v Value, Fault> {
    match args {
        [v] => Ok(v),
        _ => fail(format!(
            "invalid number of arguments for {name} (expected 1, got {})",
            args.len()
        )),
    }
}

/// The builtins whose arguments are plain values.
fn builtin(budget: &mut Budget, name: &str, args: &[Value]) -> Run {
    match name {
        "max" | "min" => extreme(budget, name, args),
        "mean" | "median" => {
            let mut xs = Vec::new();
            numbers(budget, name, args, &mut xs)?;
            if xs.is_empty() {
                return Ok(Value::Float(0.0));
            }
            let n = xs.len();
            if name == "mean" {
                return Ok(Value::Float(xs.iter().sum::<f64>() / n as f64));
            }
            // Go's sort.Float64s order (NaN first), by insertion: a formula has few values,
            // and a generic sort would add kilobytes of code to the Wasm module.
            let less = |a: f64, b: f64| a < b || (a.is_nan() && !b.is_nan());
            for i in 1..n {
                let mut j = i;
                while j > 0
                    && less(
                        xs.get(j).copied().unwrap_or(0.0),
                        xs.get(j - 1).copied().unwrap_or(0.0),
                    )
                {
                    // Insertion sort is quadratic on a hostile array: each swap is a step.
                    budget.step(1)?;
                    xs.swap(j - 1, j);
                    j -= 1;
                }
            }
            let mid = |i: usize| xs.get(i).copied().unwrap_or(0.0);
            Ok(Value::Float(if n % 2 == 1 {
                mid(n / 2)
            } else {
                (mid(n / 2 - 1) + mid(n / 2)) / 2.0
            }))
        }
        "first" | "last" => match one_arg(name, args)? {
            Value::Array(items) if name == "first" => items.first(),
            Value::Array(items) => items.last(),
            _ => None,
        }
        .map_or(Ok(Value::Nil), |v| budget.copy(v)),
        "len" | "abs" | "ceil" | "floor" | "round" | "float" | "int" => {
            let v = one_arg(name, args)?;
            let bad = || {
                fail(format!(
                    "invalid argument for {name} (type {})",
                    v.type_name()
                ))
            };
            match (name, v) {
                ("len", Value::Str(s)) => Ok(Value::Int(s.len() as i64)),
                ("len", Value::Array(items)) => Ok(Value::Int(items.len() as i64)),
                ("abs", Value::Int(i)) => Ok(Value::Int(i.wrapping_abs())),
                ("abs", Value::Float(f)) => Ok(Value::Float(if *f < 0.0 { -f } else { *f })),
                ("ceil", Value::Float(f)) => Ok(Value::Float(f.ceil())),
                ("floor", Value::Float(f)) => Ok(Value::Float(f.floor())),
                // Go's math.Round: half away from zero, as Rust's.
                ("round", Value::Float(f)) => Ok(Value::Float(f.round())),
                ("ceil" | "floor" | "round" | "float", Value::Int(i)) => {
                    Ok(Value::Float(*i as f64))
                }
                ("float", Value::Float(f)) => Ok(Value::Float(*f)),
                ("int", Value::Int(i)) => Ok(Value::Int(*i)),
                // Go's int(x) truncates toward zero; out of range it is platform-defined, here
                // it saturates.
                ("int", Value::Float(f)) => Ok(Value::Int(*f as i64)),
                ("float", Value::Str(s)) => crate::go::strconv::parse_float(s)
                    .map(Value::Float)
                    .or_else(|_| fail(format!("invalid operation: float({s})"))),
                ("int", Value::Str(s)) => s
                    .parse::<i64>()
                    .map(Value::Int)
                    .or_else(|_| fail(format!("invalid operation: int({s})"))),
                ("float" | "int", v) => {
                    fail(format!("invalid operation: {name}({})", v.type_name()))
                }
                _ => bad(),
            }
        }
        _ => unsupported(name),
    }
}

impl<'t> Machine<'t, '_> {
    fn eval(&mut self, e: &'t Expr) -> Run {
        self.budget.step(1)?;
        match e {
            Expr::Int(i, _) => Ok(Value::Int(*i)),
            Expr::Float(f, _) => Ok(Value::Float(*f)),
            Expr::Str(s, _) => {
                self.budget.step(s.len())?;
                Ok(Value::Str(s.clone()))
            }
            Expr::Bool(b, _) => Ok(Value::Bool(*b)),
            Expr::Nil(_) => Ok(Value::Nil),
            Expr::Ident(name, _) => self.ident(name),
            Expr::Pointer(name, _) => match (name.as_str(), self.items.last()) {
                ("#", Some((v, _))) => self.budget.copy(v),
                ("#index", Some((_, i))) => Ok(Value::Int(*i as i64)),
                _ => unsupported(name),
            },
            Expr::Unary(op, inner, _) => {
                let v = self.eval(inner)?;
                match (op.as_str(), v) {
                    ("!" | "not", v) => Ok(Value::Bool(!as_bool(&v)?)),
                    ("-", Value::Int(i)) => Ok(Value::Int(i.wrapping_neg())),
                    ("-", Value::Float(f)) => Ok(Value::Float(-f)),
                    ("-", v) => fail(format!("invalid operation: - {}", v.type_name())),
                    (_, v) => Ok(v),
                }
            }
            Expr::Binary(op, l, r, _) => self.binary(op, l, r),
            Expr::Cond(c, a, b, _) => {
                let c = self.eval(c)?;
                if as_bool(&c)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::Call(name, args, _) => self.call(name, args),
            Expr::Member(base, extra, name, _) => {
                let base = self.eval(base)?;
                match (name, extra.as_slice()) {
                    (Some(n), _) => self.field(&base, n),
                    (None, [index]) => {
                        let index = self.eval(index)?;
                        self.index(&base, &index)
                    }
                    (None, [_, from, to]) => {
                        let (from, to) = (self.eval(from)?, self.eval(to)?);
                        slice(&mut self.budget, &base, &from, &to)
                    }
                    _ => unsupported("member"),
                }
            }
            Expr::Array(items, _) => {
                let values = items
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<Vec<_>, _>>()?;
                self.budget.grow(values.len())?;
                Ok(Value::Array(values))
            }
            Expr::Let(name, value, body, _) => {
                let v = self.eval(value)?;
                self.lets.push((name.as_str(), v));
                let r = self.eval(body);
                self.lets.pop();
                r
            }
            Expr::Seq(nodes) => {
                let mut last = Value::Nil;
                for n in nodes {
                    last = self.eval(n)?;
                }
                Ok(last)
            }
            Expr::Map(..) => unsupported("map literal"),
            Expr::Predicate(..) => unsupported("predicate"),
        }
    }

    fn ident(&mut self, name: &str) -> Run {
        if let Some((_, v)) = self.lets.iter().rev().find(|(n, _)| *n == name) {
            return self.budget.copy(v);
        }
        if name == "$env" {
            return Ok(Value::Env);
        }
        match self.env.iter().find(|(n, _)| *n == name) {
            Some((_, Some(v))) => Ok(Value::Float(*v)),
            Some((_, None)) => Ok(Value::Nil),
            None => unsupported(name),
        }
    }

    fn binary(&mut self, op: &str, l: &'t Expr, r: &'t Expr) -> Run {
        let lv = self.eval(l)?;
        // Go's VM jumps over the right side and leaves the left value; the right value is
        // the result unchecked.
        match op {
            "&&" | "and" if !as_bool(&lv)? => return Ok(lv),
            "||" | "or" if as_bool(&lv)? => return Ok(lv),
            "&&" | "and" | "||" | "or" => return self.eval(r),
            "??" if lv != Value::Nil => return Ok(lv),
            "??" => return self.eval(r),
            _ => {}
        }
        let rv = self.eval(r)?;
        if let (Value::Str(a), "contains" | "startsWith" | "endsWith") = (&lv, op) {
            self.budget.step(a.len())?;
        }
        match op {
            "==" => Ok(Value::Bool(equal(&mut self.budget, &lv, &rv)?)),
            "!=" => Ok(Value::Bool(!equal(&mut self.budget, &lv, &rv)?)),
            "<" | ">" | "<=" | ">=" => compare(op, &lv, &rv).map(Value::Bool),
            "+" | "-" | "*" | "/" | "%" | "**" | "^" => arithmetic(&mut self.budget, op, &lv, &rv),
            "in" => match &rv {
                Value::Array(items) => {
                    for i in items {
                        self.budget.step(1)?;
                        if equal(&mut self.budget, &lv, i)? {
                            return Ok(Value::Bool(true));
                        }
                    }
                    Ok(Value::Bool(false))
                }
                Value::Env => match &lv {
                    Value::Str(s) => Ok(Value::Bool(self.env.iter().any(|(n, _)| n == s))),
                    _ => unsupported("in"),
                },
                _ => fail(format!("operator \"in\" not defined on {}", rv.type_name())),
            },
            ".." => match (&lv, &rv) {
                (Value::Int(a), Value::Int(b)) => {
                    // Go's OpRange charges the size before it builds the range; the size is
                    // computed in wrapping int arithmetic, and one at or below zero (also
                    // after wrapping) gives an empty range.
                    let size = usize::try_from(b.wrapping_sub(*a).wrapping_add(1)).unwrap_or(0);
                    self.budget.grow(size)?;
                    self.budget.step(size)?;
                    if size == 0 {
                        return Ok(Value::Array(Vec::new()));
                    }
                    Ok(Value::Array((*a..=*b).map(Value::Int).collect()))
                }
                _ => mismatch(op, &lv, &rv),
            },
            "contains" | "startsWith" | "endsWith" => match (&lv, &rv) {
                (Value::Str(a), Value::Str(b)) => Ok(Value::Bool(match op {
                    "contains" => a.contains(b.as_str()),
                    "startsWith" => a.starts_with(b.as_str()),
                    _ => a.ends_with(b.as_str()),
                })),
                _ => mismatch(op, &lv, &rv),
            },
            _ => unsupported(op),
        }
    }

    fn field(&mut self, base: &Value, name: &str) -> Run {
        match base {
            Value::Env if !name.ends_with("()") => self.ident_in_env(name),
            _ if name.ends_with("()") => unsupported("method call"),
            v => fail(format!("cannot fetch {name} from {}", v.type_name())),
        }
    }

    fn ident_in_env(&self, name: &str) -> Run {
        Ok(match self.env.iter().find(|(n, _)| *n == name) {
            Some((_, Some(v))) => Value::Float(*v),
            _ => Value::Nil,
        })
    }

    fn index(&mut self, base: &Value, index: &Value) -> Run {
        match (base, index) {
            (Value::Env, Value::Str(s)) => self.ident_in_env(s),
            (Value::Array(items), i) if i.number().is_some() => {
                let len = items.len() as i64;
                let mut at = match i {
                    Value::Float(f) => *f as i64,
                    Value::Int(n) => *n,
                    _ => 0,
                };
                if at < 0 {
                    at += len;
                }
                match usize::try_from(at).ok().and_then(|a| items.get(a)) {
                    Some(v) => self.budget.copy(v),
                    None => fail(format!("index out of range: {at} (array length is {len})")),
                }
            }
            (Value::Array(_), i) => fail(format!(
                "invalid operation: cannot use {} as index to []interface {{}}",
                i.type_name()
            )),
            (Value::Str(_), _) => unsupported("string index"),
            (v, i) => fail(format!(
                "cannot fetch {} from {}",
                i.type_name(),
                v.type_name()
            )),
        }
    }

    fn call(&mut self, name: &str, args: &'t [Expr]) -> Run {
        if self.lets.iter().any(|(n, _)| *n == name) {
            return unsupported(name);
        }
        let predicate = match args.get(1) {
            Some(Expr::Predicate(body, _)) => Some(&**body),
            _ => None,
        };
        match name {
            "all" | "any" | "none" | "one" | "filter" | "map" | "find" | "findIndex"
            | "findLast" | "findLastIndex" | "count" | "sum" => {
                let items = match args.first().map(|a| self.eval(a)).transpose()? {
                    Some(Value::Array(items)) => items,
                    Some(v) => return fail(format!("cannot iterate over {}", v.type_name())),
                    None => return unsupported(name),
                };
                if args.len() > 2 || (args.len() == 2 && predicate.is_none()) {
                    return unsupported(name);
                }
                self.predicate(name, items, predicate)
            }
            _ => {
                let values = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                builtin(&mut self.budget, name, &values)
            }
        }
    }

    /// A predicate builtin over `items`; `body` sees each element as `#`.
    fn predicate(&mut self, name: &str, items: Vec<Value>, body: Option<&'t Expr>) -> Run {
        let Some(body) = body else {
            // Without a predicate, `sum` adds the elements and `count` counts the true ones.
            return match name {
                "sum" => items.iter().try_fold(Value::Int(0), |acc, v| {
                    self.budget.step(1)?;
                    arithmetic(&mut self.budget, "+", &acc, v)
                }),
                "count" => {
                    self.budget.step(items.len())?;
                    let mut n = 0;
                    for v in &items {
                        n += i64::from(as_bool(v)?);
                    }
                    Ok(Value::Int(n))
                }
                _ => unsupported(name),
            };
        };
        let mut results = Vec::with_capacity(items.len());
        let backwards = name.starts_with("findLast");
        let order: Vec<usize> = if backwards {
            (0..items.len()).rev().collect()
        } else {
            (0..items.len()).collect()
        };
        for i in order {
            let item = match items.get(i) {
                Some(v) => self.budget.copy(v)?,
                None => Value::Nil,
            };
            self.items.push((item.clone(), i));
            let r = self.eval(body);
            self.items.pop();
            let r = r?;
            if matches!(name, "map" | "sum") {
                results.push(r);
                continue;
            }
            let hit = as_bool(&r)?;
            match name {
                "all" if !hit => return Ok(Value::Bool(false)),
                "any" if hit => return Ok(Value::Bool(true)),
                "none" if hit => return Ok(Value::Bool(false)),
                "find" | "findLast" if hit => return Ok(item),
                "findIndex" | "findLastIndex" if hit => return Ok(Value::Int(i as i64)),
                _ if hit => results.push(item),
                _ => {}
            }
        }
        Ok(match name {
            "all" | "none" => Value::Bool(true),
            "any" => Value::Bool(false),
            "one" => Value::Bool(results.len() == 1),
            "count" => Value::Int(results.len() as i64),
            "find" | "findLast" => Value::Nil,
            "findIndex" | "findLastIndex" => Value::Int(-1),
            "sum" => {
                return results.iter().try_fold(Value::Int(0), |acc, v| {
                    arithmetic(&mut self.budget, "+", &acc, v)
                })
            }
            // Go's `map` and `filter` end with OpArray, which charges the array they built.
            _ => {
                self.budget.grow(results.len())?;
                Value::Array(results)
            }
        })
    }
}

fn slice(budget: &mut Budget, base: &Value, from: &Value, to: &Value) -> Run {
    let Value::Array(items) = base else {
        return match base {
            Value::Str(_) => unsupported("string slice"),
            v => fail(format!("cannot slice {}", v.type_name())),
        };
    };
    let len = items.len() as i64;
    let bound = |v: &Value, default: i64| -> Result<usize, Fault> {
        let b = match v {
            Value::Nil => default,
            Value::Int(i) => *i,
            other => return fail(format!("invalid slice index of type {}", other.type_name())),
        };
        let b = if b < 0 { b + len } else { b };
        Ok(usize::try_from(b.clamp(0, len)).unwrap_or(0))
    };
    let (a, b) = (bound(from, 0)?, bound(to, len)?);
    budget.step(b.saturating_sub(a))?;
    Ok(Value::Array(
        items
            .get(a..b.max(a))
            .map(<[Value]>::to_vec)
            .unwrap_or_default(),
    ))
}

#[cfg(test)]
#[path = "expreval_tests.rs"]
mod tests;
