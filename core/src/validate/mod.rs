//! The linter: parse, then every rule of every layer, then one sorted list per input.
//!
//! Layers, in the order the real system applies them: `schema` (the CRD, applied by the API
//! server), `webhook` (KEDA's admission webhook), `scaler` (the operator building scalers),
//! `reference` (objects that refer to each other), `lints` (what experience teaches).

pub(crate) mod edits;
mod input;
pub mod lints;
pub mod reference;
pub mod scaler;
pub mod schema;
mod suppress;
mod template;
pub mod webhook;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Severity};
use crate::document::{parse_stream, Bundle, Limits, Resource};
use crate::rules::{BundleCtx, Check, Ctx, Report, Rule};
use crate::version::KedaVersion;

/// Every layer's rule table.
pub static TABLES: &[&[&Rule]] = &[
    input::RULES,
    schema::RULES,
    webhook::RULES,
    scaler::RULES,
    reference::RULES,
    lints::RULES,
    template::RULES,
    crate::rules::doctor::RULES,
];

#[derive(Clone, Debug, PartialEq)]
pub struct LintOptions {
    /// Whose rules apply (rules change between releases).
    pub keda_version: KedaVersion,
    /// Report references to objects that are not in the bundle (they may live in the
    /// cluster, so by default nothing is said).
    pub strict_refs: bool,
    /// Namespace of objects that name none, as `kubectl apply` would place them.
    pub default_namespace: String,
    pub limits: Limits,
    /// Codes never reported.
    pub ignore: Vec<String>,
    /// Codes or code prefixes reported (`KEDA1` is every webhook code); `None` reports all.
    pub select: Option<Vec<String>>,
    /// Severities that replace a rule's own, by code.
    pub severity: BTreeMap<String, Severity>,
}

impl LintOptions {
    /// Checks that `ignore` and `severity` name real codes and that every `select` entry is
    /// a code or the start of one, so a typo is not a silent no-op.
    pub fn check_codes(&self) -> Result<(), String> {
        let all = crate::rules::all();
        for code in self.ignore.iter().chain(self.severity.keys()) {
            if !all.iter().any(|r| r.code == code) {
                return Err(format!(
                    "{code:?} is not a scalecore code (see `scalecore rules`)"
                ));
            }
        }
        for prefix in self.select.iter().flatten() {
            if prefix.is_empty() || !all.iter().any(|r| r.code.starts_with(prefix.as_str())) {
                return Err(format!(
                    "select {prefix:?} is neither a scalecore code nor the start of one"
                ));
            }
        }
        Ok(())
    }
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            keda_version: KedaVersion::DEFAULT,
            strict_refs: false,
            default_namespace: "default".to_owned(),
            limits: Limits::default(),
            ignore: Vec::new(),
            select: None,
            severity: BTreeMap::new(),
        }
    }
}

/// Lints one input (a YAML or JSON stream of one or more documents).
pub fn lint(text: &str, options: &LintOptions) -> Vec<Diagnostic> {
    lint_bundle(&[text], options).pop().unwrap_or_default()
}

/// Lints several inputs together, so references between them resolve; returns one
/// diagnostic list per input, in input order, each sorted by position.
pub fn lint_bundle(texts: &[&str], options: &LintOptions) -> Vec<Vec<Diagnostic>> {
    lint_bundle_with(texts, options, &[])
}

/// [`lint_bundle`] where input `i` takes `ignore`, `select`, `severity` and the findings
/// limit from `per_file[i]` (inputs from folders with different settings); the rest of
/// `options` applies to the whole bundle, as do all of it for inputs past `per_file`'s end.
pub fn lint_bundle_with(
    texts: &[&str],
    options: &LintOptions,
    per_file: &[&LintOptions],
) -> Vec<Vec<Diagnostic>> {
    let mut out = Vec::new();
    let mut report = Report::new(&mut out, options.keda_version);
    let bundle = load(texts, options, &mut report);
    for resource in bundle.resources.iter().filter(|r| r.is_keda()) {
        let ctx = Ctx {
            resource,
            bundle: &bundle,
            options,
            texts,
        };
        for rule in TABLES.iter().flat_map(|t| t.iter()) {
            if let Check::Resource(check) = rule.check {
                check(&ctx, &mut report);
            }
        }
    }
    let ctx = BundleCtx {
        bundle: &bundle,
        options,
        texts,
    };
    for rule in TABLES.iter().flat_map(|t| t.iter()) {
        if let Check::Bundle(check) = rule.check {
            check(&ctx, &mut report);
        }
    }
    crate::sort::sort_by(&mut out, |a, b| {
        (a.file, a.document, a.line, a.column, &a.code, &a.message)
            .cmp(&(b.file, b.document, b.line, b.column, &b.code, &b.message))
    });
    out.dedup();
    let file_options = per_file;
    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); texts.len()];
    for d in out {
        if let Some(list) = per_file.get_mut(d.file) {
            list.push(d);
        }
    }
    for (i, (list, text)) in per_file.iter_mut().zip(texts).enumerate() {
        let own = file_options.get(i).copied().unwrap_or(options);
        suppress::apply(list, text, i, own);
        input::cap_findings(list, own.limits.max_findings);
    }
    per_file
}

/// Parses every input into one bundle, reporting what could not be read.
pub fn load(texts: &[&str], options: &LintOptions, report: &mut Report<'_>) -> Bundle {
    let mut bundle = Bundle::default();
    for (file, text) in texts.iter().enumerate() {
        let parsed = parse_stream(text, &options.limits);
        if let Some(action) = template::first_action(text, &parsed) {
            template::report(report, file, text, action);
            continue;
        }
        for (document, parsed) in parsed.into_iter().enumerate() {
            for e in &parsed.errors {
                let fix = input::duplicate_key_fix(text, parsed.root.as_ref(), e);
                let d = input::parse_error(report, file, document, parsed.span, e);
                if let (Some(d), Some(fix)) = (d, fix) {
                    d.fixes.push(fix);
                }
            }
            let Some(root) = parsed.root else { continue };
            match Resource::from_root(file, document, root) {
                Some(r) => {
                    input::check_identity(report, &r);
                    bundle.push(r);
                }
                None => input::not_an_object(report, file, document, parsed.span),
            }
        }
    }
    bundle
}

/// Reads a bundle without judging it (for simulate and the host).
pub fn load_bundle(texts: &[&str], options: &LintOptions) -> (Bundle, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut report = Report::new(&mut out, options.keda_version);
    let bundle = load(texts, options, &mut report);
    (bundle, out)
}

/// Lints raw bytes; input that is not UTF-8 gives a diagnostic at the first bad byte.
pub fn lint_bytes(bytes: &[u8], options: &LintOptions) -> Vec<Diagnostic> {
    match crate::document::decode(bytes) {
        Ok(text) => lint(text, options),
        Err(e) => input_error(&e, options),
    }
}

/// The diagnostic for an input that could not be read at all (not UTF-8, too large).
pub fn input_error(e: &crate::document::ParseError, options: &LintOptions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut report = Report::new(&mut out, options.keda_version);
    input::parse_error(&mut report, 0, 0, crate::document::Span::default(), e);
    suppress::apply_options(&mut out, options);
    out
}
