//! The evaluator against Go's expr v1.17 semantics, one operator or builtin at a time; each
//! expected value is worked out from expr's documented behaviour (`docs/language-definition`)
//! and Go's arithmetic.

use super::*;
use crate::validate::webhook::exprsyntax::parse;

fn eval_with(text: &str, env: &[(&str, Option<f64>)]) -> Run {
    let tree = parse(text).map_err(|e| Fault::Unsupported(e.message))?.tree;
    run(&tree, env)
}

/// `a` = -1.5, `b` = 4, `n` = nil.
fn eval(text: &str) -> Run {
    eval_with(text, &[("a", Some(-1.5)), ("b", Some(4.0)), ("n", None)])
}

fn runtime(text: &str) -> String {
    match eval(text) {
        Err(Fault::Runtime(m)) => m,
        other => panic!("{text}: expected a runtime error, got {other:?}"),
    }
}

use Value::{Bool, Float, Int, Nil};

#[test]
fn int_and_float_arithmetic_stay_apart() {
    assert_eq!(eval("1 + 2"), Ok(Int(3)));
    assert_eq!(eval("7 - 10"), Ok(Int(-3)));
    assert_eq!(eval("6 * 7"), Ok(Int(42)));
    assert_eq!(eval("1 + 2.5"), Ok(Float(3.5)));
    assert_eq!(eval("b * 2"), Ok(Float(8.0)));
    assert_eq!(eval("a - 1"), Ok(Float(-2.5)));
    // `/` always divides as float64, even two ints.
    assert_eq!(eval("7 / 2"), Ok(Float(3.5)));
    assert_eq!(eval("1 / 0"), Ok(Float(f64::INFINITY)));
    assert_eq!(eval("-1 / 0"), Ok(Float(f64::NEG_INFINITY)));
    assert!(matches!(eval("0 / 0"), Ok(Float(f)) if f.is_nan()));
    // Go's int wraps around on overflow.
    assert_eq!(eval("9223372036854775807 + 1"), Ok(Int(i64::MIN)));
    assert_eq!(eval("4611686018427387904 * 2"), Ok(Int(i64::MIN)));
    assert_eq!(eval("-9223372036854775807 - 2"), Ok(Int(i64::MAX)));
    assert_eq!(eval("\"ab\" + \"c\""), Ok(Value::Str("abc".into())));
    assert_eq!(runtime("n + b"), "invalid operation: <nil> + float64");
    assert_eq!(runtime("true * 2"), "invalid operation: bool * int");
}

#[test]
fn modulo_takes_ints_and_truncates_like_go() {
    assert_eq!(eval("7 % 3"), Ok(Int(1)));
    assert_eq!(eval("-7 % 3"), Ok(Int(-1)));
    assert_eq!(eval("7 % -3"), Ok(Int(1)));
    assert_eq!(
        eval("-9223372036854775807 - 1 % -1"),
        Ok(Int(-9223372036854775807))
    );
    assert_eq!(runtime("5 % 0"), "runtime error: integer divide by zero");
    assert_eq!(runtime("b % 2"), "invalid operation: float64 % int");
    assert_eq!(runtime("5 % 2.0"), "invalid operation: int % float64");
}

#[test]
fn exponent_is_float_math_pow() {
    assert_eq!(eval("2 ** 10"), Ok(Float(1024.0)));
    assert_eq!(eval("2 ^ -1"), Ok(Float(0.5)));
    assert_eq!(eval("b ** 0.5"), Ok(Float(2.0)));
    // Right associative: 2 ** (3 ** 2).
    assert_eq!(eval("2 ** 3 ** 2"), Ok(Float(512.0)));
    // Unary minus binds looser than `**`: -(2 ** 2).
    assert_eq!(eval("-2 ** 2"), Ok(Float(-4.0)));
    assert!(matches!(eval("a ** 0.5"), Ok(Float(f)) if f.is_nan()));
    assert_eq!(eval("0 ** -1"), Ok(Float(f64::INFINITY)));
}

#[test]
fn unary_operators() {
    assert_eq!(eval("-b"), Ok(Float(-4.0)));
    assert_eq!(eval("-(3)"), Ok(Int(-3)));
    assert_eq!(eval("+a"), Ok(Float(-1.5)));
    assert_eq!(eval("!true"), Ok(Bool(false)));
    assert_eq!(eval("not (b > 1)"), Ok(Bool(false)));
    assert_eq!(runtime("-n"), "invalid operation: - <nil>");
    assert_eq!(
        runtime("!b"),
        "interface conversion: interface {} is float64, not bool"
    );
}

#[test]
fn comparisons_cross_int_and_float() {
    assert_eq!(eval("1 == 1.0"), Ok(Bool(true)));
    assert_eq!(eval("b == 4"), Ok(Bool(true)));
    assert_eq!(eval("b != 4"), Ok(Bool(false)));
    assert_eq!(eval("n == nil"), Ok(Bool(true)));
    assert_eq!(eval("b == nil"), Ok(Bool(false)));
    assert_eq!(eval("a < 0"), Ok(Bool(true)));
    assert_eq!(eval("2 > 2.5"), Ok(Bool(false)));
    assert_eq!(eval("4 >= b"), Ok(Bool(true)));
    assert_eq!(eval("b <= 3"), Ok(Bool(false)));
    assert_eq!(eval("\"abc\" < \"abd\""), Ok(Bool(true)));
    // A chained comparison is `a < b && b < c`.
    assert_eq!(eval("a < 0 < b"), Ok(Bool(true)));
    assert_eq!(eval("a < b < 0"), Ok(Bool(false)));
    // NaN is neither less, greater nor equal.
    assert_eq!(eval("0/0 < 1 || 0/0 >= 1 || 0/0 == 0/0"), Ok(Bool(false)));
    assert_eq!(runtime("n < 1"), "invalid operation: <nil> < int");
}

#[test]
fn logic_short_circuits() {
    assert_eq!(eval("true && false"), Ok(Bool(false)));
    assert_eq!(eval("false or true"), Ok(Bool(true)));
    assert_eq!(eval("b > 1 and a < 0"), Ok(Bool(true)));
    // The right side is never run when the left decides.
    assert_eq!(eval("false && n + 1 > 0"), Ok(Bool(false)));
    assert_eq!(eval("true || n + 1 > 0"), Ok(Bool(true)));
    assert_eq!(
        runtime("b && true"),
        "interface conversion: interface {} is float64, not bool"
    );
}

#[test]
fn conditionals_and_coalescing() {
    assert_eq!(eval("b > 1 ? 10 : 20"), Ok(Int(10)));
    assert_eq!(eval("b < 1 ? 10 : a"), Ok(Float(-1.5)));
    assert_eq!(eval("b > 5 ? 1 : b > 3 ? 2 : 3"), Ok(Int(2)));
    assert_eq!(eval("if b > 1 { 1 } else { 2 }"), Ok(Int(1)));
    // `c ?: x` is `c ? c : x`, so its condition must be bool too.
    assert_eq!(eval("true ?: 7"), Ok(Bool(true)));
    assert_eq!(eval("false ?: 7"), Ok(Int(7)));
    assert_eq!(
        runtime("n ? 1 : 2"),
        "interface conversion: interface {} is nil, not bool"
    );
    assert_eq!(eval("n ?? 3"), Ok(Int(3)));
    assert_eq!(eval("b ?? 3"), Ok(Float(4.0)));
    assert_eq!(eval("n ?? n ?? a"), Ok(Float(-1.5)));
    assert_eq!(eval("n ?? nil"), Ok(Nil));
    // The right side of `??` is not run when the left is set.
    assert_eq!(eval("b ?? (n + 1)"), Ok(Float(4.0)));
}

#[test]
fn let_sequences_and_parentheses() {
    assert_eq!(eval("let x = b * 2; x + 1"), Ok(Float(9.0)));
    assert_eq!(eval("let x = 1; let y = x + 1; x * y"), Ok(Int(2)));
    assert_eq!(eval("(1 + 2) * 3"), Ok(Int(9)));
    assert_eq!(eval("1 + 2 * 3"), Ok(Int(7)));
    assert_eq!(eval("1; 2; b"), Ok(Float(4.0)));
}

#[test]
fn conversion_builtins() {
    assert_eq!(eval("float(3)"), Ok(Float(3.0)));
    assert_eq!(eval("float(\"1.5\")"), Ok(Float(1.5)));
    assert_eq!(eval("int(a)"), Ok(Int(-1)));
    assert_eq!(eval("int(2.9)"), Ok(Int(2)));
    assert_eq!(eval("int(\"-12\")"), Ok(Int(-12)));
    assert_eq!(runtime("float(n)"), "invalid operation: float(<nil>)");
    assert_eq!(runtime("float(\"x\")"), "invalid operation: float(x)");
    assert_eq!(runtime("int(\"1.5\")"), "invalid operation: int(1.5)");
    assert_eq!(runtime("int(true)"), "invalid operation: int(bool)");
}

#[test]
fn rounding_builtins() {
    assert_eq!(eval("abs(a)"), Ok(Float(1.5)));
    assert_eq!(eval("abs(-3)"), Ok(Int(3)));
    assert_eq!(eval("ceil(a)"), Ok(Float(-1.0)));
    assert_eq!(eval("floor(a)"), Ok(Float(-2.0)));
    // math.Round rounds half away from zero.
    assert_eq!(eval("round(a)"), Ok(Float(-2.0)));
    assert_eq!(eval("round(2.5)"), Ok(Float(3.0)));
    // On an int they only convert.
    assert_eq!(eval("ceil(3)"), Ok(Float(3.0)));
    assert_eq!(runtime("abs(n)"), "invalid argument for abs (type <nil>)");
    assert_eq!(
        runtime("ceil(true)"),
        "invalid argument for ceil (type bool)"
    );
}

#[test]
fn aggregate_builtins() {
    assert_eq!(eval("max(a, b)"), Ok(Float(4.0)));
    assert_eq!(eval("min(a, b)"), Ok(Float(-1.5)));
    // The winner keeps its type; arrays are flattened.
    assert_eq!(eval("max(1, 2.5, 3)"), Ok(Int(3)));
    assert_eq!(eval("min([5, [2, 9]], 4)"), Ok(Int(2)));
    assert_eq!(eval("max(1, 1.0)"), Ok(Int(1)));
    assert_eq!(
        runtime("max(1, n)"),
        "invalid argument for max (type <nil>)"
    );
    assert_eq!(eval("mean([1, 2], 6)"), Ok(Float(3.0)));
    assert_eq!(eval("mean([])"), Ok(Float(0.0)));
    assert_eq!(eval("median(3, 1, 2)"), Ok(Float(2.0)));
    assert_eq!(eval("median([4, 1, 2, 3])"), Ok(Float(2.5)));
    assert_eq!(eval("median(9, 7, 8, 1, 5)"), Ok(Float(7.0)));
    // sort.Float64s puts NaN first.
    assert_eq!(eval("median(0/0, 5, 1)"), Ok(Float(1.0)));
    assert_eq!(
        runtime("mean(1, true)"),
        "invalid argument for mean (type bool)"
    );
    assert_eq!(eval("len([a, b, 3])"), Ok(Int(3)));
    assert_eq!(eval("len(\"abc\")"), Ok(Int(3)));
    assert_eq!(eval("first([b, a])"), Ok(Float(4.0)));
    assert_eq!(eval("last([])"), Ok(Nil));
}

#[test]
fn predicate_builtins() {
    assert_eq!(eval("count([a, b, 5], # > 0)"), Ok(Int(2)));
    assert_eq!(eval("count([true, false, true])"), Ok(Int(2)));
    assert_eq!(eval("sum([1, 2, 3])"), Ok(Int(6)));
    assert_eq!(eval("sum([a, b], # * 2)"), Ok(Float(5.0)));
    assert_eq!(eval("sum([])"), Ok(Int(0)));
    assert_eq!(eval("1..3 | sum()"), Ok(Int(6)));
    assert_eq!(eval("all([a, b], # > -2)"), Ok(Bool(true)));
    assert_eq!(eval("any([a, b], # > 5)"), Ok(Bool(false)));
    assert_eq!(eval("none([a, b], # > 5)"), Ok(Bool(true)));
    assert_eq!(eval("one([a, b], # > 0)"), Ok(Bool(true)));
    assert_eq!(
        eval("filter([1, 2, 3, 4], # % 2 == 0)"),
        Ok(Value::Array(vec![Int(2), Int(4)]))
    );
    assert_eq!(
        eval("map([1, 2], # * 10)"),
        Ok(Value::Array(vec![Int(10), Int(20)]))
    );
    assert_eq!(
        eval("map([7, 8], #index)"),
        Ok(Value::Array(vec![Int(0), Int(1)]))
    );
    assert_eq!(eval("find([1, 2, 3], # > 1)"), Ok(Int(2)));
    assert_eq!(eval("findLast([1, 2, 3], # > 1)"), Ok(Int(3)));
    assert_eq!(eval("findIndex([1, 2, 3], # > 5)"), Ok(Int(-1)));
    assert_eq!(eval("findLastIndex([1, 2, 3], # < 3)"), Ok(Int(1)));
    assert_eq!(eval("count([a, b], {# > 1}) > 1 ? 5 : 0"), Ok(Int(0)));
    assert_eq!(
        runtime("all([1], #)"),
        "interface conversion: interface {} is int, not bool"
    );
}

#[test]
fn arrays_membership_and_ranges() {
    assert_eq!(eval("[a, b][1]"), Ok(Float(4.0)));
    assert_eq!(eval("[a, b][-1]"), Ok(Float(4.0)));
    assert_eq!(
        runtime("[a, b][2]"),
        "index out of range: 2 (array length is 2)"
    );
    assert_eq!(
        eval("[1, 2, 3][1:]"),
        Ok(Value::Array(vec![Int(2), Int(3)]))
    );
    assert_eq!(eval("[1, 2, 3][:1]"), Ok(Value::Array(vec![Int(1)])));
    assert_eq!(eval("4 in [1, b]"), Ok(Bool(true)));
    assert_eq!(eval("5 not in [1, b]"), Ok(Bool(true)));
    assert_eq!(
        eval("1..4"),
        Ok(Value::Array(vec![Int(1), Int(2), Int(3), Int(4)]))
    );
    assert_eq!(eval("3..1"), Ok(Value::Array(vec![])));
    assert_eq!(runtime("0..9999999"), "memory budget exceeded");
    assert_eq!(runtime("b.x"), "cannot fetch x from float64");
    assert_eq!(eval("$env.b + $env[\"a\"]"), Ok(Float(2.5)));
    assert_eq!(eval("\"b\" in $env"), Ok(Bool(true)));
}

#[test]
fn string_operators() {
    assert_eq!(eval("\"queue\" startsWith \"qu\""), Ok(Bool(true)));
    assert_eq!(eval("\"queue\" endsWith \"qu\""), Ok(Bool(false)));
    assert_eq!(eval("\"queue\" contains \"eu\""), Ok(Bool(true)));
}

#[test]
fn forms_it_does_not_run_are_unsupported() {
    for f in [
        "{\"x\": b}.x",
        "string(b)",
        "upper(\"x\")",
        "reduce([1], #acc + #, 0)",
        "\"x\" matches \"y\"",
        "now()",
        "unknown",
    ] {
        assert!(matches!(eval(f), Err(Fault::Unsupported(_))), "{f}");
    }
}

/// Runs `text` and returns its runtime error and how long the run took.
fn timed_runtime(text: &str) -> (String, std::time::Duration) {
    let start = std::time::Instant::now();
    let m = runtime(text);
    (m, start.elapsed())
}

#[test]
fn memory_budget_is_per_run_as_in_go() {
    // Go's OpRange refuses once the run's total reaches 1e6 items, counting every range.
    assert_eq!(eval("len(0..999998)"), Ok(Int(999_999)));
    assert_eq!(runtime("0..999999"), MEMORY_EXCEEDED);
    // Go computes the size in wrapping int arithmetic: this one wraps below zero, an empty
    // range that costs nothing.
    assert_eq!(
        eval("len(-9223372036854775807..9223372036854775807)"),
        Ok(Int(0))
    );
    assert_eq!(runtime("len(0..600000) + len(0..600000)"), MEMORY_EXCEEDED);
    // `map` charges the array it builds, `filter` the elements it keeps.
    assert_eq!(runtime("len(map(0..600000, #))"), MEMORY_EXCEEDED);
    assert_eq!(eval("len(filter(0..600000, # < 10))"), Ok(Int(10)));
    assert_eq!(runtime("len(filter(0..600000, true))"), MEMORY_EXCEEDED);
    // Array literals are charged their length.
    assert_eq!(runtime("len(map(0..333333, [#, #]))"), MEMORY_EXCEEDED);
}

#[test]
fn hostile_formulas_are_refused_quickly() {
    for (formula, refusal) in [
        (
            "len(map(1..1000, map(1..1000, map(1..1000, #))))",
            MEMORY_EXCEEDED,
        ),
        ("len(map(1..1000, 1..1000))", MEMORY_EXCEEDED),
        ("len(1..9223372036854775807)", MEMORY_EXCEEDED),
        ("len(-9223372036854775807..-1)", MEMORY_EXCEEDED),
        // No allocation after the first range: only the step budget stops these.
        (
            "let r = 1..999; all(r, all(r, all(r, true)))",
            STEPS_EXCEEDED,
        ),
        ("let r = 1..9999; count(r, len(r) > 0)", STEPS_EXCEEDED),
        ("let r = 0..99999; any(r, -1 in r)", STEPS_EXCEEDED),
        ("median(map(1..9000, -#))", STEPS_EXCEEDED),
        (
            "let a = \"xxxxxxxxxxxxxxxx\"; let b = a + a + a + a; let c = b + b + b + b; \
             let d = c + c + c + c; let e = d + d + d + d; let f = e + e + e + e; \
             let g = f + f + f + f; let h = g + g + g + g; let i = h + h + h + h; \
             let j = i + i + i + i; len(j + j + j + j)",
            STEPS_EXCEEDED,
        ),
    ] {
        let (m, took) = timed_runtime(formula);
        assert_eq!(m, refusal, "{formula}");
        println!("{took:?} {formula}");
        assert!(took.as_millis() < 1500, "{formula} took {took:?}");
    }
}
