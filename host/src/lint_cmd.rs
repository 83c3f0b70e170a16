//! `scalecore lint`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use scalecore::document::{decode, ParseError};
use scalecore::{Diagnostic, LintOptions};
use scalecore_bindings::LintReport;

use crate::format;
use crate::inputs;

#[derive(Args)]
pub struct LintArgs {
    /// Files or folders to lint; `-` reads standard input. Folder walks skip hidden files
    /// and folders, `node_modules` and what `.gitignore` files leave out.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// Leave out files or folders matching a gitignore-style glob when walking folders
    /// (repeatable): `--exclude '*.gen.yaml' --exclude charts/`. Files named on the command
    /// line are always linted.
    #[arg(long, value_name = "GLOB")]
    exclude: Vec<String>,
    /// The lowest severity that fails the run (exit status 1).
    #[arg(long, value_enum, value_name = "SEVERITY", default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// KEDA release whose rules apply, e.g. 2.20 or 2.18.1.
    #[arg(long, value_name = "VERSION", default_value = "2.20")]
    keda_version: String,
    /// Also report references to objects that are not among the inputs (a missing
    /// TriggerAuthentication or Deployment); by default they may live in the cluster.
    #[arg(long)]
    strict_refs: bool,
    /// Namespace of objects that name none.
    #[arg(long, value_name = "NAME", default_value = "default")]
    namespace: String,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Code frames, for people.
    Human,
    /// The JSON contract: {"files":[{"path","diagnostics"}],"summary":{"errors","warnings"}}.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Warnings and errors fail the run.
    Warning,
    /// Only errors fail the run.
    Error,
}

pub fn run(args: &LintArgs) -> ExitCode {
    let keda_version = match args.keda_version.parse() {
        Ok(v) => v,
        Err(e) => return fail(&format!("--keda-version: {e}")),
    };
    let options = LintOptions {
        keda_version,
        strict_refs: args.strict_refs,
        default_namespace: args.namespace.clone(),
        ..LintOptions::default()
    };
    let inputs = match inputs::collect(&args.paths, &args.exclude, options.limits.max_bytes) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    if inputs.is_empty() {
        return fail("no .yaml, .yml or .json files found in the given paths");
    }
    let per_file = lint_inputs(&inputs, &options);
    let texts: Vec<String> = inputs
        .iter()
        .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
        .collect();
    let report = LintReport::new(inputs.iter().map(|i| i.path.clone()).collect(), per_file);
    let out = match args.format {
        Format::Human => format::human::render(&report, &texts),
        Format::Json => serde_json::to_string(&report).unwrap_or_default() + "\n",
        Format::Sarif => format::sarif::render(&report),
        Format::Github => format::github::render(&report),
    };
    if let Err(e) = crate::stdout::write(&out) {
        return fail(&e);
    }
    let failed = report.summary.errors > 0
        || (args.fail_on == FailOn::Warning && report.summary.warnings > 0);
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Lints every readable input as one bundle; unreadable ones get their own diagnostic.
fn lint_inputs(inputs: &[inputs::Input], options: &LintOptions) -> Vec<Vec<Diagnostic>> {
    let max = options.limits.max_bytes;
    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); inputs.len()];
    let mut texts = Vec::new();
    let mut owners = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.size > max as u64 || input.bytes.len() > max {
            let e = ParseError::TooLarge {
                size: input.size.max(input.bytes.len() as u64) as usize,
                limit: max,
            };
            per_file[i] = scalecore::validate::input_error(&e, options);
            continue;
        }
        match decode(&input.bytes) {
            Ok(text) => {
                texts.push(text);
                owners.push(i);
            }
            Err(e) => per_file[i] = scalecore::validate::input_error(&e, options),
        }
    }
    for (list, owner) in scalecore::validate::lint_bundle(&texts, options)
        .into_iter()
        .zip(owners)
    {
        per_file[owner] = list;
    }
    per_file
}

fn fail(message: &str) -> ExitCode {
    eprintln!("scalecore: {message}");
    ExitCode::from(2)
}
