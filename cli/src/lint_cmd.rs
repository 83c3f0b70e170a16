//! `scalecore lint`.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use clap::{ArgGroup, Args, ValueEnum};
use scalecore::document::{decode, ParseError};
use scalecore::fix::{fix_bundle, FixOptions};
use scalecore::version::VersionError;
use scalecore::{Diagnostic, LintOptions};
use scalecore_bindings::LintReport;

use crate::config::{Config, Finder};
use crate::format;
use crate::inputs;

#[derive(Args)]
#[command(group(ArgGroup::new("fixing").args(["fix", "diff"]).multiple(true)))]
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
    /// KEDA release whose rules apply, e.g. 2.20 or 2.18.1 [default: 2.20, or the
    /// configuration's keda-version].
    #[arg(long, value_name = "VERSION")]
    keda_version: Option<String>,
    /// Also report references to objects that are not among the inputs (a missing
    /// TriggerAuthentication or Deployment); by default they may live in the cluster.
    #[arg(long)]
    strict_refs: bool,
    /// Report only these codes or code prefixes (`KEDA1` is every webhook code); replaces
    /// the configuration's `select`. Repeatable or comma-separated.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    select: Vec<String>,
    /// Never report these codes, besides the configuration's `ignore`. Repeatable or
    /// comma-separated.
    #[arg(long, value_name = "CODE", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Read settings from this file only, instead of the nearest scalecore.toml or
    /// .scalecore.toml in each linted file's folder or a parent folder.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    config: Option<String>,
    /// Read no configuration file.
    #[arg(long)]
    isolated: bool,
    /// Namespace of objects that name none.
    #[arg(long, value_name = "NAME", default_value = "default")]
    namespace: String,
    /// Apply the safe fixes in place, again until nothing changes, then report what is left
    /// (the exit status is that of this last lint). Standard input (`-`) gets its fixed
    /// text on standard output and the report on standard error.
    #[arg(long)]
    fix: bool,
    /// With --fix or --diff, apply the unsafe fixes too (a guessed spelling, a changed
    /// value: read what they did).
    #[arg(long, requires = "fixing")]
    unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change and write nothing. Exit status: 1
    /// when there is a change, 0 when there is none, 2 could not run.
    #[arg(long)]
    diff: bool,
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

pub fn run(args: &LintArgs) -> u8 {
    let configs = match Finder::new(args.config.as_deref(), args.isolated) {
        Ok(f) => Arc::new(f),
        Err(e) => return fail(&e),
    };
    let limits = LintOptions::default().limits;
    let inputs = match inputs::collect(&args.paths, &args.exclude, limits.max_bytes, &configs) {
        Ok(i) => i,
        Err(e) => return fail(&e),
    };
    if inputs.is_empty() {
        return fail("no .yaml, .yml or .json files found in the given paths");
    }
    let options = match bundle_options(args, &inputs) {
        Ok(o) => o,
        Err(e) => return fail(&e),
    };
    // One set of per-file settings for each configuration file in use.
    let mut by_config: HashMap<*const Config, LintOptions> = HashMap::new();
    let own = |c: &Option<Arc<Config>>| c.as_ref().map_or(std::ptr::null(), Arc::as_ptr);
    for input in &inputs {
        let key = own(&input.config);
        if let std::collections::hash_map::Entry::Vacant(v) = by_config.entry(key) {
            let o = file_options(args, &options, input.config.as_deref());
            if let Err(e) = o.check_codes() {
                return fail(&e);
            }
            v.insert(o);
        }
    }
    let per_input: Vec<&LintOptions> = inputs
        .iter()
        .filter_map(|i| by_config.get(&own(&i.config)))
        .collect();
    if args.fix || args.diff {
        return fix(args, &inputs, &options, &per_input);
    }
    let per_file = lint_inputs(&inputs, &options, &per_input);
    // Only code frames quote the source, so only they pay for a copy of every input.
    let texts: Vec<String> = match args.format {
        Format::Human => inputs
            .iter()
            .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
            .collect(),
        Format::Json | Format::Sarif | Format::Github => Vec::new(),
    };
    report(args, &inputs, &texts, per_file, false)
}

/// Prints the report of `per_file` (on standard error when standard output carries a fixed
/// input) and returns the exit status it calls for.
fn report(
    args: &LintArgs,
    inputs: &[inputs::Input],
    texts: &[String],
    per_file: Vec<Vec<Diagnostic>>,
    to_stderr: bool,
) -> u8 {
    let report = LintReport::new(inputs.iter().map(|i| i.path.clone()).collect(), per_file);
    let out = match args.format {
        Format::Human => {
            let color = !to_stderr && format::human::color();
            format::human::render_with(&report, texts, color)
        }
        Format::Json => serde_json::to_string(&report).unwrap_or_default() + "\n",
        Format::Sarif => format::sarif::render(&report),
        Format::Github => format::github::render(&report),
    };
    let written = if to_stderr {
        // A closed standard error is no reason to fail a run whose files are written.
        let _ = std::io::stderr().lock().write_all(out.as_bytes());
        Ok(())
    } else {
        crate::stdout::write(&out)
    };
    if let Err(e) = written {
        return fail(&e);
    }
    let failed = report.summary.errors > 0
        || (args.fail_on == FailOn::Warning && report.summary.warnings > 0);
    if failed {
        1
    } else {
        0
    }
}

/// `--fix` and `--diff`: the fixes of the whole bundle, each input with its own settings
/// (configuration, --select/--ignore, inline ignores), applied round after round.
fn fix(
    args: &LintArgs,
    inputs: &[inputs::Input],
    options: &LintOptions,
    per_input: &[&LintOptions],
) -> u8 {
    let (mut per_file, readable) = read_inputs(inputs, options, per_input);
    let own = |i: usize| per_input.get(i).copied().unwrap_or(options);
    let texts: Vec<&str> = readable.iter().map(|(_, t)| *t).collect();
    let owned: Vec<&LintOptions> = readable.iter().map(|(i, _)| own(*i)).collect();
    let fix_options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
    };
    let fixed = fix_bundle(&texts, options, &owned, fix_options);
    let mut after: Vec<String> = inputs
        .iter()
        .map(|i| String::from_utf8_lossy(&i.bytes).into_owned())
        .collect();
    let mut changed = vec![false; inputs.len()];
    let (mut findings, mut files) = (0, 0);
    let results = fixed
        .texts
        .into_iter()
        .zip(fixed.applied)
        .zip(fixed.remaining);
    for (((text, applied), remaining), (i, before)) in results.zip(&readable) {
        per_file[*i] = remaining;
        // Fixes that undo each other change nothing: such a file is not written.
        if text != *before {
            changed[*i] = true;
            findings += applied;
            files += 1;
            after[*i] = text;
        }
    }
    let left: usize = per_file.iter().map(Vec::len).sum();
    if args.diff {
        let mut out = String::new();
        for (i, input) in inputs.iter().enumerate().filter(|(i, _)| changed[*i]) {
            let before = String::from_utf8_lossy(&input.bytes);
            out.push_str(&unified_diff(&input.path, &before, &after[i]));
        }
        if let Err(e) = crate::stdout::write(&out) {
            return fail(&e);
        }
        eprintln!(
            "Would fix {findings} {} in {files} {} ({left} left)",
            plural(findings, "finding", "findings"),
            plural(files, "file", "files"),
        );
        return if files > 0 { 1 } else { 0 };
    }
    let mut stdin_fixed = false;
    for (i, input) in inputs.iter().enumerate() {
        match &input.file {
            // Standard input goes back out whether or not it changed, so the command can
            // stand in a pipe.
            None => {
                if let Err(e) = crate::stdout::write(&after[i]) {
                    return fail(&e);
                }
                stdin_fixed = true;
            }
            Some(path) if changed[i] => {
                if let Err(e) = write_fixed(path, &after[i]) {
                    return fail(format!("cannot write {}: {e}", input.path));
                }
            }
            Some(_) => {}
        }
    }
    let status = report(args, inputs, &after, per_file, stdin_fixed);
    eprintln!(
        "Fixed {findings} {} in {files} {} ({left} left)",
        plural(findings, "finding", "findings"),
        plural(files, "file", "files"),
    );
    if !fixed.converged {
        eprintln!(
            "scalecore: fixes still changed the files after {} rounds; run --fix again and look at what changed",
            scalecore::fix::MAX_ROUNDS
        );
    }
    status
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// `--- path` / `+++ path` and hunks with three lines of context, as `diff -u` prints them.
fn unified_diff(path: &str, before: &str, after: &str) -> String {
    let diff = similar::TextDiff::from_lines(before, after);
    let mut out = diff
        .unified_diff()
        .context_radius(3)
        .header(path, path)
        .to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Replaces the file (the target of a symbolic link) through a temporary file in its folder
/// and a rename, so a reader sees the old text or the new, never half of it; the file keeps
/// its permissions.
#[cfg(not(target_os = "wasi"))]
fn write_fixed(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let permissions = std::fs::metadata(&target)?.permissions();
    let folder = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".scalecore-fix-")
        .tempfile_in(folder)?;
    tmp.write_all(text.as_bytes())
        .and_then(|()| tmp.as_file().sync_all())?;
    std::fs::set_permissions(tmp.path(), permissions)?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// WASI (the npm package's WebAssembly build) has neither realpath nor permissions, so a
/// temporary file could neither find a link's target nor give the file back its mode: the
/// file is rewritten in place instead, which follows links and keeps the mode, but a reader
/// at that moment may see half of it.
#[cfg(target_os = "wasi")]
fn write_fixed(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

/// Why the bundle's settings cannot be made.
#[derive(Debug, thiserror::Error)]
enum OptionsError {
    #[error("--keda-version: {0}")]
    KedaVersion(#[from] VersionError),
    #[error("{path}: keda-version: {source}")]
    ConfigKedaVersion { path: String, source: VersionError },
    /// Two configuration files give one bundle-wide setting two values (both `Debug`-quoted).
    #[error("the inputs are linted as one bundle, but {at} sets {key} {seen} and {path} sets {value}; pass --{key} or lint them separately")]
    Disagree {
        key: String,
        at: String,
        seen: String,
        path: String,
        value: String,
    },
}

/// The settings of the whole bundle: flags first, then the configuration files, which must
/// agree, since the inputs are linted together.
fn bundle_options(args: &LintArgs, inputs: &[inputs::Input]) -> Result<LintOptions, OptionsError> {
    let version = match &args.keda_version {
        Some(v) => v.parse()?,
        None => match agreed(inputs, "keda-version", |c| c.file.keda_version.clone())? {
            // Checked when the file was read.
            Some((v, path)) => v
                .parse()
                .map_err(|source| OptionsError::ConfigKedaVersion { path, source })?,
            None => "2.20".parse()?,
        },
    };
    let strict_refs = args.strict_refs
        || agreed(inputs, "strict-refs", |c| c.file.strict_refs)?.is_some_and(|(s, _)| s);
    Ok(LintOptions {
        keda_version: version,
        strict_refs,
        default_namespace: args.namespace.clone(),
        ..LintOptions::default()
    })
}

/// The one value the inputs' configuration files give a bundle-wide setting, with the file
/// that gives it; two different values are an error that names both files.
fn agreed<T: PartialEq + std::fmt::Debug>(
    inputs: &[inputs::Input],
    key: &str,
    get: impl Fn(&Config) -> Option<T>,
) -> Result<Option<(T, String)>, OptionsError> {
    let mut found: Option<(T, String)> = None;
    for c in inputs.iter().filter_map(|i| i.config.as_deref()) {
        let Some(v) = get(c) else { continue };
        let path = c.path.display().to_string();
        match &found {
            Some((seen, at)) if *seen != v => {
                return Err(OptionsError::Disagree {
                    key: key.to_owned(),
                    at: at.clone(),
                    seen: format!("{seen:?}"),
                    path,
                    value: format!("{v:?}"),
                })
            }
            Some(_) => {}
            None => found = Some((v, path)),
        }
    }
    Ok(found)
}

/// What one configuration file (or none) and the flags make of the per-file settings.
fn file_options(args: &LintArgs, bundle: &LintOptions, config: Option<&Config>) -> LintOptions {
    let mut o = bundle.clone();
    if let Some(c) = config {
        o.ignore.clone_from(&c.file.ignore);
        o.select.clone_from(&c.file.select);
        o.severity.clone_from(&c.file.severity);
    }
    o.ignore.extend(args.ignore.iter().cloned());
    if !args.select.is_empty() {
        o.select = Some(args.select.clone());
    }
    o
}

/// Lints every readable input as one bundle; unreadable ones get their own diagnostic.
/// `per_input[i]` holds input `i`'s ignore, select and severity settings.
fn lint_inputs(
    inputs: &[inputs::Input],
    options: &LintOptions,
    per_input: &[&LintOptions],
) -> Vec<Vec<Diagnostic>> {
    let own = |i: usize| per_input.get(i).copied().unwrap_or(options);
    let (mut per_file, readable) = read_inputs(inputs, options, per_input);
    let texts: Vec<&str> = readable.iter().map(|(_, t)| *t).collect();
    let owned: Vec<&LintOptions> = readable.iter().map(|(i, _)| own(*i)).collect();
    for (list, (owner, _)) in scalecore::validate::lint_bundle_with(&texts, options, &owned)
        .into_iter()
        .zip(&readable)
    {
        per_file[*owner] = list;
    }
    per_file
}

/// The inputs that can be linted, as (input index, text); the others (too large, not
/// UTF-8) get their diagnostic in the list returned beside them.
fn read_inputs<'a>(
    inputs: &'a [inputs::Input],
    options: &LintOptions,
    per_input: &[&LintOptions],
) -> (Vec<Vec<Diagnostic>>, Vec<(usize, &'a str)>) {
    let max = options.limits.max_bytes;
    let own = |i: usize| per_input.get(i).copied().unwrap_or(options);
    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); inputs.len()];
    let mut readable = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        if input.size > max as u64 || input.bytes.len() > max {
            let e = ParseError::TooLarge {
                size: input.size.max(input.bytes.len() as u64) as usize,
                limit: max,
            };
            per_file[i] = scalecore::validate::input_error(&e, own(i));
            continue;
        }
        match decode(&input.bytes) {
            Ok(text) => readable.push((i, text)),
            Err(e) => per_file[i] = scalecore::validate::input_error(&e, own(i)),
        }
    }
    (per_file, readable)
}

fn fail(message: impl std::fmt::Display) -> u8 {
    eprintln!("scalecore: {message}");
    2
}
