//! The rule table: every code scalecore can report, with its severity, layer, summary and
//! help, and the function that checks it. The table feeds the docs (`docs/rules.md`), the CLI
//! and every binding.

use serde::Serialize;

use crate::diagnostic::{Applicability, Diagnostic, Severity, Source};
use crate::document::{Bundle, Resource, Span};
use crate::validate::LintOptions;
use crate::version::KedaVersion;

pub mod doctor;

/// What a rule looks at.
#[derive(Clone, Copy)]
pub enum Check {
    /// One KEDA resource at a time (with the bundle around it for context).
    Resource(fn(&Ctx<'_>, &mut Report<'_>)),
    /// The whole bundle at once (references, conflicts between objects).
    Bundle(fn(&BundleCtx<'_>, &mut Report<'_>)),
    /// Reported by a walker that serves several rules (the parser, the schema walker, the
    /// scaler parsers); the row documents the code.
    Walker,
}

/// One row of the rule table.
pub struct Rule {
    /// Stable code, e.g. `KEDA1004`.
    pub code: &'static str,
    /// Short kebab-case name, e.g. `min-replicas-above-max`.
    pub name: &'static str,
    pub severity: Severity,
    pub source: Source,
    /// One line: what is wrong.
    pub summary: &'static str,
    /// One line: how to fix it (empty when the message says it all).
    pub help: &'static str,
    /// First KEDA release that enforces it.
    pub since: KedaVersion,
    /// First release that no longer does, if any.
    pub until: Option<KedaVersion>,
    /// The kinds of fix its findings can carry (empty: none). A test checks that every fix a
    /// finding carries is listed here, so the rule reference tells the truth.
    pub fixes: &'static [Applicability],
    pub check: Check,
}

/// For a row whose findings carry safe fixes.
pub const SAFE_FIX: &[Applicability] = &[Applicability::Safe];
/// For a row whose findings carry unsafe fixes only.
pub const UNSAFE_FIX: &[Applicability] = &[Applicability::Unsafe];
/// For a row whose findings carry a safe fix in some cases and an unsafe one in others.
pub const SAFE_OR_UNSAFE_FIX: &[Applicability] = &[Applicability::Safe, Applicability::Unsafe];

/// The rule reference, `docs/rules.md` in the repository named by Cargo.toml's `repository`;
/// each rule's row carries an anchor of its lower-case code.
pub const DOCS_URL: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules.md");

impl Rule {
    /// A row for a code a walker reports (see [`Check::Walker`]), in every KEDA release, with
    /// no fix.
    pub const fn walker(
        source: Source,
        code: &'static str,
        name: &'static str,
        severity: Severity,
        summary: &'static str,
        help: &'static str,
    ) -> Rule {
        Rule {
            code,
            name,
            severity,
            source,
            summary,
            help,
            since: KedaVersion::OLDEST,
            until: None,
            fixes: &[],
            check: Check::Walker,
        }
    }

    /// Stable link to this rule's row in the rule reference.
    pub fn doc_url(&self) -> String {
        format!("{DOCS_URL}#{}", self.code.to_ascii_lowercase())
    }

    pub fn applies_to(&self, v: KedaVersion) -> bool {
        v >= self.since && self.until.is_none_or(|u| v < u)
    }

    pub fn info(&self) -> RuleInfo {
        RuleInfo {
            code: self.code,
            name: self.name,
            severity: self.severity,
            source: self.source,
            summary: self.summary,
            help: self.help,
            since: self.since.to_string(),
            until: self.until.map(|u| u.to_string()),
            fixes: self.fixes,
        }
    }

    /// `safe`, `unsafe`, `safe, unsafe`, or `—` for a rule without fixes.
    pub fn fix_label(&self) -> String {
        if self.fixes.is_empty() {
            return "—".to_owned();
        }
        self.fixes
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A rule as data, for `scalecore rules`, the docs and the bindings.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "json-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub source: Source,
    pub summary: &'static str,
    pub help: &'static str,
    pub since: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// The kinds of fix its findings can carry: `[]`, `["safe"]`, `["unsafe"]` or both.
    pub fixes: &'static [Applicability],
}

/// What a resource rule sees.
pub struct Ctx<'a> {
    pub resource: &'a Resource,
    pub bundle: &'a Bundle,
    pub options: &'a LintOptions,
    /// The inputs' text, by input index: fixes that insert lines read the indentation there.
    pub texts: &'a [&'a str],
}

impl Ctx<'_> {
    pub fn version(&self) -> KedaVersion {
        self.options.keda_version
    }

    /// The text of the input `resource` came from.
    pub fn text(&self) -> Option<&str> {
        self.texts.get(self.resource.file).copied()
    }
}

/// What a bundle rule sees.
pub struct BundleCtx<'a> {
    pub bundle: &'a Bundle,
    pub options: &'a LintOptions,
    /// The inputs' text, by input index.
    pub texts: &'a [&'a str],
}

/// Collects diagnostics; drops those whose rule does not apply to the selected release.
pub struct Report<'a> {
    out: &'a mut Vec<Diagnostic>,
    version: KedaVersion,
}

impl<'a> Report<'a> {
    pub fn new(out: &'a mut Vec<Diagnostic>, version: KedaVersion) -> Self {
        Report { out, version }
    }

    /// Reports `rule` at `span` of `resource`'s document.
    pub fn emit(
        &mut self,
        rule: &Rule,
        resource: &Resource,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Option<&mut Diagnostic> {
        self.emit_at(rule, resource.file, resource.document, span, path, message)
    }

    /// Reports `rule` at a place given by input and document index.
    pub fn emit_at(
        &mut self,
        rule: &Rule,
        file: usize,
        document: usize,
        span: Span,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Option<&mut Diagnostic> {
        if !rule.applies_to(self.version) {
            return None;
        }
        self.out.push(Diagnostic {
            code: rule.code.to_owned(),
            severity: rule.severity,
            message: message.into(),
            path: path.into(),
            document,
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            end_column: span.end.column,
            help: (!rule.help.is_empty()).then(|| rule.help.to_owned()),
            source: rule.source,
            fixes: Vec::new(),
            span,
            file,
        });
        self.out.last_mut()
    }
}

/// Every rule, in code order.
pub fn all() -> Vec<&'static Rule> {
    let mut rules: Vec<&'static Rule> = crate::validate::TABLES
        .iter()
        .flat_map(|t| t.iter().copied())
        .collect();
    crate::sort::sort_by_key(&mut rules, |r| r.code);
    rules
}

/// Looks a rule up by its code.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    crate::validate::TABLES
        .iter()
        .flat_map(|t| t.iter().copied())
        .find(|r| r.code == code)
}

/// The rule reference as Markdown (`docs/rules.md` is this text; a test keeps it current).
pub fn markdown() -> String {
    let mut md = String::from(
        "# Rules\n\nEvery code scalecore reports. Generated from the rule table \
         (`scalecore rules --format markdown`); do not edit by hand.\n\n\
         `fix` says what `scalecore lint --fix` can do about a finding: `safe` fixes are \
         applied by `--fix`, `unsafe` ones only with `--unsafe-fixes` (or when picked in an \
         editor), `—` means the change is for a person to make.\n\n\
         | code | name | severity | source | since | fix | what it means | how to fix it |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    for r in all() {
        let since = match r.until {
            Some(u) => format!("{} (until {})", r.since, u),
            None => r.since.to_string(),
        };
        md.push_str(&format!(
            "| <a id=\"{}\"></a>{} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.code.to_ascii_lowercase(),
            r.code,
            r.name,
            r.severity.as_str(),
            r.source.as_str(),
            since,
            r.fix_label(),
            r.summary.replace('|', "\\|"),
            r.help.replace('|', "\\|"),
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_and_names_are_unique_and_names_are_kebab_case() {
        let rules = super::all();
        let mut codes: Vec<&str> = rules.iter().map(|r| r.code).collect();
        let mut names: Vec<&str> = rules.iter().map(|r| r.name).collect();
        codes.dedup();
        crate::sort::sort_by_key(&mut names, |n| *n);
        let before = names.len();
        names.dedup();
        assert_eq!(codes.len(), rules.len(), "a code is used twice");
        assert_eq!(names.len(), before, "a name is used twice");
        for name in names {
            let kebab = !name.is_empty()
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--")
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            assert!(kebab, "{name:?} is not kebab-case");
        }
    }
}
