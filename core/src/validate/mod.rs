//! The linter: parse, then every rule of every layer, then one sorted list per input.
//!
//! Layers, in the order the real system applies them: `schema` (the CRD, applied by the API
//! server), `webhook` (KEDA's admission webhook), `scaler` (the operator building scalers),
//! `reference` (objects that refer to each other), `lints` (what experience teaches).

mod input;
pub mod lints;
pub mod reference;
pub mod scaler;
pub mod schema;
mod template;
pub mod webhook;

use crate::diagnostic::Diagnostic;
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
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            keda_version: KedaVersion::DEFAULT,
            strict_refs: false,
            default_namespace: "default".to_owned(),
            limits: Limits::default(),
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
    let mut out = Vec::new();
    let mut report = Report::new(&mut out, options.keda_version);
    let bundle = load(texts, options, &mut report);
    for resource in bundle.resources.iter().filter(|r| r.is_keda()) {
        let ctx = Ctx {
            resource,
            bundle: &bundle,
            options,
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
    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); texts.len()];
    for d in out {
        if let Some(list) = per_file.get_mut(d.file) {
            list.push(d);
        }
    }
    for list in &mut per_file {
        input::cap_findings(list, options.limits.max_findings);
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
                input::parse_error(report, file, document, parsed.span, e);
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
    out
}
