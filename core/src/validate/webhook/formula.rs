//! KEDA's formula contract (`ValidateAndCompileScalingModifiers`): rewrite, compile against a
//! strict environment of the visible trigger names, run once with every value at -1.0.
//! Syntax, static checks and the run all follow Go's expr (`exprsyntax`, `exprtypes`,
//! `expreval`).

use super::expreval::{self, Fault, Value};
use super::exprsyntax::{parse, Expr, ExprError, TOO_DEEP};
use super::exprtypes::check;
use super::v;
use crate::version::KedaVersion;

/// Deepest formula tree that is checked and run.
const MAX_DEPTH: usize = 150;

/// The name KEDA binds the formula's value to when it contains `??`.
const COMPOSITE_LET: &str = "let _kedaCompositeResult = ";

/// KEDA's rewrite (v2.13.0+, `castToFloatIfNecessary`): the compiled text and the number of
/// characters placed before the formula in it.
pub fn rewrite_formula(formula: &str, version: KedaVersion) -> (String, usize) {
    if version < v(13, 0) {
        return (formula.to_owned(), 0);
    }
    if formula.contains("??") {
        if formula.starts_with(COMPOSITE_LET) {
            return (formula.to_owned(), 0);
        }
        let prefix = format!("{COMPOSITE_LET}(");
        let text = format!(
            "{prefix}{formula}); _kedaCompositeResult == nil ? nil : float(_kedaCompositeResult)"
        );
        return (text, prefix.chars().count());
    }
    if formula.starts_with("float(") {
        return (formula.to_owned(), 0);
    }
    (format!("float({formula})"), "float(".len())
}

/// Why a formula fails, worded as expr words it, with KEDA's `(line:col)` of the compiled text.
#[derive(Clone, Debug, PartialEq)]
pub struct FormulaError {
    /// The expr error, e.g. `unknown name ingest (1:7)`.
    pub message: String,
    /// Character offset into the formula as written, when the error lies inside it.
    pub at: Option<usize>,
    /// Characters the offending token covers (at least 1).
    pub len: usize,
    /// True for an error of the run with every trigger at -1.0 (not of compiling).
    pub at_run: bool,
}

/// Checks `formula` the way KEDA's webhook does; `visible` are the trigger names the formula
/// may use (named triggers other than cpu and memory).
pub fn check_formula(
    formula: &str,
    visible: &[&str],
    version: KedaVersion,
) -> Result<(), FormulaError> {
    let (text, prefix) = rewrite_formula(formula, version);
    let located = |e: ExprError| {
        let formula_len = formula.chars().count();
        let at = e
            .at
            .checked_sub(prefix)
            .filter(|&a| a < formula_len.max(1) && prefix + formula_len <= text.chars().count());
        FormulaError {
            message: format!("{} ({})", e.message, line_col(&text, e.at)),
            at,
            len: token_len(formula, at),
            at_run: false,
        }
    };
    let parsed = match parse(&text) {
        Err(e) if e.message == TOO_DEEP => return Ok(()),
        r => r.map_err(located)?,
    };
    let tree = parsed.tree;
    // The checks and the run recurse over the tree; a formula nested deeper than any real
    // one is left unjudged instead.
    if tree.depth() > MAX_DEPTH {
        return Ok(());
    }
    if let Some(e) = check(&tree, visible) {
        return Err(located(e));
    }
    if version < v(13, 0) {
        // v2.12.0 compiled with `AsFloat64()` (expr v1.15): the result had to be typed as a
        // number; a ternary mixing int and float64 is typed `interface {}` and refused.
        let t = super::exprtypes::result_type(&tree, visible);
        if !matches!(t, "float64" | "int") {
            return Err(FormulaError {
                message: format!("expected float64, but got {t}"),
                at: None,
                len: 1,
                at_run: false,
            });
        }
    }
    // Plain arithmetic that type-checked cannot fail when run.
    if tree.is_plain_arithmetic() {
        return Ok(());
    }
    let env: Vec<(&str, Option<f64>)> = visible.iter().map(|n| (*n, Some(-1.0))).collect();
    match expreval::run(&tree, &env) {
        Err(Fault::Runtime(message)) => Err(FormulaError {
            message,
            at: None,
            len: 1,
            at_run: true,
        }),
        // What the evaluator does not run is left unjudged.
        Ok(_) | Err(Fault::Unsupported(_)) => Ok(()),
    }
}

/// A formula as the scale loop runs it: rewritten and parsed once, run at every poll.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledFormula {
    tree: Expr,
}

impl CompiledFormula {
    /// Parses `text`, the formula as KEDA compiles it (after `rewrite_formula`).
    pub fn compile(text: &str) -> Result<CompiledFormula, String> {
        let tree = parse(text).map_err(|e| e.message)?.tree;
        if tree.depth() > MAX_DEPTH {
            return Err("the formula is nested too deeply to be evaluated".to_owned());
        }
        Ok(CompiledFormula { tree })
    }

    /// Runs the formula; each name is bound to its value, `None` being nil. `Ok(None)` is a
    /// nil result; a number is returned as f64 whether the formula made an int or a float.
    pub fn run(&self, values: &[(&str, Option<f64>)]) -> Result<Option<f64>, String> {
        match expreval::run(&self.tree, values) {
            Ok(Value::Nil) => Ok(None),
            Ok(Value::Float(f)) => Ok(Some(f)),
            Ok(Value::Int(i)) => Ok(Some(i as f64)),
            Ok(other) => Err(format!(
                "formula result of type {} is not a number",
                other.type_name()
            )),
            Err(Fault::Runtime(m)) => Err(m),
            Err(Fault::Unsupported(what)) => Err(format!(
                "the formula uses {what}, which this engine does not evaluate"
            )),
        }
    }
}

/// Computes the composite metric the way KEDA's scale loop does
/// (`calculateScalingModifiersFormula`): the rewritten formula run with the triggers' current
/// values; `None` as a value is nil (a trigger past its failure threshold with the
/// `scalingModifiers` fallback), and `Ok(None)` a nil result (KEDA then uses
/// `fallback.replicas * target`). Assumes the formula passed `check_formula`.
pub fn evaluate_formula(
    formula: &str,
    version: KedaVersion,
    values: &[(&str, Option<f64>)],
) -> Result<Option<f64>, String> {
    let (text, _) = rewrite_formula(formula, version);
    let program = CompiledFormula::compile(&text)?;
    match expreval::run(&program.tree, values) {
        Ok(Value::Float(f)) => Ok(Some(f)),
        Ok(Value::Nil) => Ok(None),
        Ok(other) => Err(format!(
            "formula returned non-float result of type {}",
            other.type_name()
        )),
        Err(Fault::Runtime(m)) => Err(format!("error trying to run custom formula: {m}")),
        Err(Fault::Unsupported(what)) => Err(format!(
            "the formula uses {what}, which this engine does not evaluate"
        )),
    }
}

/// Go's `file.Error` position: 1-based line, 1-based column counted in characters.
fn line_col(text: &str, at: usize) -> String {
    let mut line = 1;
    let mut col = 0;
    for c in text.chars().take(at) {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
    }
    format!("{line}:{}", col + 1)
}

/// Length of the token starting at `at` (a name, a number, or an operator character).
fn token_len(formula: &str, at: Option<usize>) -> usize {
    let Some(at) = at else {
        return 1;
    };
    let rest: Vec<char> = formula.chars().skip(at).take(256).collect();
    let word = rest
        .iter()
        .take_while(|c| c.is_alphanumeric() || **c == '_' || **c == '$')
        .count();
    word.max(1)
}

#[cfg(test)]
#[path = "formula_tests.rs"]
mod tests;
