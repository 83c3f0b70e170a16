//! Formula verdicts against KEDA's (Go expr) behaviour.

use super::*;

const V: KedaVersion = KedaVersion::DEFAULT;

fn verdict(formula: &str, env: &[&str]) -> Result<(), String> {
    check_formula(formula, env, V).map_err(|e| e.message)
}

#[test]
fn rewrite_follows_keda() {
    assert_eq!(rewrite_formula("a + b", V), ("float(a + b)".to_owned(), 6));
    assert_eq!(rewrite_formula("float(a) + b", V).0, "float(a) + b");
    let (t, p) = rewrite_formula("a ?? b", V);
    assert_eq!(
            t,
            "let _kedaCompositeResult = (a ?? b); _kedaCompositeResult == nil ? nil : float(_kedaCompositeResult)"
        );
    assert_eq!(p, 28);
    assert_eq!(rewrite_formula("a + b", v(12, 0)).0, "a + b");
}

#[test]
fn accepts_keda_examples() {
    for f in [
        "ingest + office_hours",
        "float(ingest < 5 ? office_hours + ingest : 5)",
        "ingest < 5 ? office_hours + ingest : 5",
        "(ingest + office_hours) / 2",
        "ingest / 0",
        "max(ingest, office_hours) * 2",
        "ingest ?? 0",
        "let x = ingest * 2; x + 1",
        "min(ingest, 10)",
        "abs(ingest) ** 2",
        "ingest > 1 ? 1 : 0",
        "ceil(ingest / 3)",
        "int(ingest) % 2",
        "ingest == nil ? 0 : ingest",
    ] {
        assert_eq!(verdict(f, &["ingest", "office_hours"]), Ok(()), "{f}");
    }
    for f in [
        "first + second",
        "float(first)",
        "float(first < 2 ? first + second >= 2 ? 5 : 10 : 0)",
        "float(float(second < 5 ? first + second : 5))",
        "count([first, second], {# > 1}) > 1 ? 5 : 0",
        "count([first, second], # > 1) > 1 ? 5 : 0",
        "first ?? second ?? 8",
        "float(first + 1)",
        "first+second >= 2 ? 5 : 10",
        "// comment\nfirst + /* inline */ second",
        "first\n+ second",
        "1..3 | sum() + first",
        "0 < first < 3 ? 1 : 0",
    ] {
        assert_eq!(verdict(f, &["first", "second"]), Ok(()), "{f}");
    }
}

#[test]
fn rejects_like_keda() {
    let env = &["ingest"];
    assert_eq!(
        verdict("ingest + office_hours", env),
        Err("unknown name office_hours (1:16)".to_owned())
    );
    assert_eq!(verdict("x", &[]), Err("unknown name x (1:7)".to_owned()));
    assert_eq!(
        verdict("float(x)", &[]),
        Err("unknown name x (1:7)".to_owned())
    );
    assert_eq!(
        verdict("ingest > 10", env),
        Err("invalid argument for float (type bool) (1:1)".to_owned())
    );
    assert_eq!(
        verdict("ingest % 2", env),
        Err("invalid operation: % (mismatched types float64 and int) (1:14)".to_owned())
    );
    assert_eq!(
        verdict("ingest ? 1 : 2", env),
        Err("non-bool expression (type float64) used as condition (1:7)".to_owned())
    );
    assert!(verdict("ingest +", env).is_err_and(|m| m.starts_with("unexpected token")));
    assert!(verdict("my-trigger", &["my-trigger"]).is_err_and(|m| m.contains("unknown name my")));
    assert!(verdict("\"abc\"", env).is_err());
    assert!(verdict("int(ingest) % 0", env).is_err());
    assert!(verdict("ingest ?? 0 + 1", env).is_err_and(|m| m.contains("cannot be mixed")));
    assert!(verdict("ingest.foo", env).is_err_and(|m| m.contains("has no field foo")));
    assert!(verdict("unknownFn(ingest)", env).is_err_and(|m| m.contains("unknown name unknownFn")));
    assert!(verdict("let ingest = 1; ingest", env).is_err_and(|m| m.contains("redeclare")));
    assert!(verdict("!ingest", env).is_err());
    assert!(verdict("ingest contains 'x' ? 1 : 0", env)
        .is_err_and(|m| m.contains("contains (mismatched types float64 and string)")));
    assert!(verdict("ingest in 5 ? 1 : 0", env).is_err());
    assert_eq!(verdict("ingest in [1, 2] ? 1 : 0", env), Ok(()));
    // Unknown names in a branch the run never takes are still compile errors.
    assert!(verdict("ingest > 0 ? nope : 1", env).is_err_and(|m| m.contains("unknown name nope")));
}

#[test]
fn error_positions_map_into_the_formula() {
    let e = check_formula("ingest + office_hours", &["ingest"], V).unwrap_err();
    assert_eq!(e.at, Some(9));
    assert_eq!(e.len, "office_hours".len());
    let e = check_formula("float(a)", &[], V).unwrap_err();
    assert_eq!(e.at, Some(6));
    let e = check_formula("a ?? b", &["a"], V).unwrap_err();
    assert_eq!(e.at, Some(5));
    assert!(e.message.ends_with("(1:34)"));
}

#[test]
fn keda_formulas_compile_and_run() {
    // KEDA's own formulas run to a number with every trigger at -1.0.
    let env = [("a", Some(-1.0)), ("b", Some(-1.0))];
    for (f, want) in [
        ("a + b", -2.0),
        ("a < 5 ? b + a : 5", -2.0),
        ("float(a < 2 ? a + b >= 2 ? 5 : 10 : 0)", 10.0),
        ("float(float(b < 5 ? a + b : 5))", -2.0),
        ("count([a, b], {# > 1}) > 1 ? 5 : 0", 0.0),
        ("a ?? b ?? 5", -1.0),
        ("max(a, b / 1000)", -0.001),
        ("0 < a < 3 ? 1 : 0", 0.0),
    ] {
        let program = CompiledFormula::compile(&rewrite_formula(f, V).0).unwrap();
        assert_eq!(program.run(&env), Ok(Some(want)), "{f}");
    }
    // What the check skips as plain arithmetic runs without error too.
    for f in [
        "a + b",
        "max(a, b) / 0",
        "-a ** 0.5",
        "float(a) * 3 - b",
        "round(a / 3)",
    ] {
        let program = CompiledFormula::compile(&rewrite_formula(f, V).0).unwrap();
        assert!(program.run(&env).is_ok(), "{f}");
        let tree = crate::validate::webhook::exprsyntax::parse(f).unwrap().tree;
        assert!(tree.is_plain_arithmetic(), "{f}");
    }
    // Division by zero on floats is no error (Go gives ±Inf too).
    let p = CompiledFormula::compile("float(a / 0)").unwrap();
    assert_eq!(p.run(&env), Ok(Some(f64::NEG_INFINITY)));
}

#[test]
fn evaluates_like_the_scale_loop() {
    let vals = [("a", Some(3.0)), ("b", Some(4.0))];
    assert_eq!(evaluate_formula("a + b", V, &vals), Ok(Some(7.0)));
    assert_eq!(evaluate_formula("a < 5 ? b : 1", V, &vals), Ok(Some(4.0)));
    assert_eq!(evaluate_formula("max(a, b) / 2", V, &vals), Ok(Some(2.0)));
    let nil = [("a", None), ("b", Some(2.0))];
    assert_eq!(evaluate_formula("a ?? (b * 2)", V, &nil), Ok(Some(4.0)));
    assert_eq!(evaluate_formula("a ?? nil", V, &nil), Ok(None));
    assert_eq!(
        evaluate_formula("a + b", V, &nil),
        Err("error trying to run custom formula: invalid operation: <nil> + float64".to_owned())
    );
    // Forms this engine does not run say so instead of guessing.
    assert!(evaluate_formula("{\"x\": a}.x", V, &nil).is_err_and(|m| m.contains("map literal")));
}

#[test]
fn v2_12_needs_a_float_result() {
    assert!(check_formula("a < 5 ? a : 5", &["a"], v(12, 0)).is_err());
    assert!(check_formula("a + 1.0", &["a"], v(12, 0)).is_ok());
    assert!(check_formula("a < 5 ? a : 5", &["a"], v(13, 0)).is_ok());
}

mod go_forms {
    use super::*;

    /// Forms Go's expr compiles and runs with every trigger at -1.0 (KEDA admits them).
    #[test]
    fn admitted_forms() {
        let env = &["a", "b"];
        for f in [
            "a ** 2",
            "a ^ 2",
            "abs(a)",
            "ceil(a)",
            "floor(a)",
            "round(a)",
            "int(a)",
            "min(a, b)",
            "max(a, b)",
            "mean([a, b])",
            "median([a, b])",
            "sum([a, b])",
            "len([a])",
            "a > 1 and b > 1 ? 1 : 0",
            "not (a > 1) ? 1 : 0",
            "a == -1 ? 0 : a",
            "[a, b][0]",
            "{\"x\": a}.x",
            "(a + b) / 2",
            "-a",
            "+a",
            "if a > 1 { 1 } else { 2 }",
            "let x = a; let y = b; x + y",
            "a > 1 ? 1 : a < -5 ? 2 : 3",
            "mean(a, b)",
            "median(a, b)",
            "1e3 * a",
            "0x10 + a",
            "1_000 + a",
            ".5 * a",
            "a != b ? a : b",
            "a >= 0 || b >= 0 ? 1 : 0",
            "!(a > 0) ? 1 : 0",
            "a * -1",
            "a - -1",
            "2 ** -1 * a",
            "a ?? b",
            "sum([a, b], # * 2)",
            "filter([a, b], # > 0) | len()",
            "a / b / 2",
            "max([a, b])",
            "min([a, b]) + 1",
            "abs(a - b)",
            "ceil(a / 3) * 3",
            "int(a) / 2",
            "float(\"1.5\") * a",
        ] {
            assert_eq!(check_formula(f, env, KedaVersion::DEFAULT), Ok(()), "{f}");
        }
    }

    #[test]
    fn run_errors_reject() {
        // With a = -1 the else branch yields nil, and float(nil) fails at run time.
        let e = check_formula("a > 0 ? a : nil", &["a"], KedaVersion::DEFAULT).unwrap_err();
        assert!(e.at_run);
        assert_eq!(e.message, "invalid operation: float(<nil>)");
        // The environment map is no number.
        let e = check_formula("$env + 1", &["a"], KedaVersion::DEFAULT).unwrap_err();
        assert_eq!(
            e.message,
            "invalid operation: map[string]interface {} + int"
        );
        let e = check_formula("int(a) % 0", &["a"], KedaVersion::DEFAULT).unwrap_err();
        assert_eq!(e.message, "runtime error: integer divide by zero");
        let e = check_formula("[a][1]", &["a"], KedaVersion::DEFAULT).unwrap_err();
        assert_eq!(e.message, "index out of range: 1 (array length is 1)");
        // Forms the evaluator does not run get no verdict.
        assert_eq!(
            check_formula("{\"x\": a}.x", &["a"], KedaVersion::DEFAULT),
            Ok(())
        );
        assert_eq!(
            check_formula("string(a) == \"-1\" ? 1 : 0", &["a"], KedaVersion::DEFAULT),
            Ok(())
        );
    }

    #[test]
    fn budget_refusals_are_run_errors() {
        // KEDA's webhook refuses this one with Go expr's memory budget; it must be refused
        // the same way, at run time, before it allocates far past the budget.
        let e = check_formula(
            "len(map(1..1000, map(1..1000, map(1..1000, #))))",
            &["a"],
            KedaVersion::DEFAULT,
        )
        .unwrap_err();
        assert!(e.at_run);
        assert_eq!(e.message, "memory budget exceeded");
        let e = check_formula(
            "let r = 1..999; all(r, all(r, all(r, a < 0))) ? 1 : 0",
            &["a"],
            KedaVersion::DEFAULT,
        )
        .unwrap_err();
        assert!(e.at_run);
        assert_eq!(e.message, "step budget exceeded");
        // The scale loop's run is bounded the same way.
        let program = CompiledFormula::compile("float(len(map(1..1000, 1..1000)))").unwrap();
        assert_eq!(program.run(&[]), Err("memory budget exceeded".to_owned()));
    }

    #[test]
    fn hostile_formulas_do_not_crash() {
        let env = &["a"];
        let deep = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
        let long = vec!["a"; 9000].join("+");
        let huge = vec!["a"; 12000].join("+");
        for f in [
            "{\"x\": a + 1}.x",
            "{a: a}",
            "99999999999999999999 + a",
            "1e999 * a",
            "0xFFFFFFFFFFFFFFFFFF",
            deep.as_str(),
            long.as_str(),
            "b\"\\x41\"",
            "a ?",
            "((((",
            "\"unterminated",
            "a.b.c.d(1)[2:3]",
            "#",
            "map([a], {#index})",
            "reduce([a], #acc + #, 0)",
        ] {
            let _ = check_formula(f, env, KedaVersion::DEFAULT);
        }
        assert!(check_formula(&huge, env, KedaVersion::DEFAULT)
            .is_err_and(|e| e.message.contains("maximum allowed nodes")));
        assert!(
            check_formula("99999999999999999999 + a", env, KedaVersion::DEFAULT)
                .is_err_and(|e| e.message.starts_with("invalid integer literal"))
        );
    }
}
