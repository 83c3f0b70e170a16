//! The `scalecore` commands that need no cluster: `lint`, `simulate` and `rules`. The native
//! binary (host/) adds `run`, `demo` and the rest around them; the Python package's
//! `scalecore` console script and `python -m scalecore`, and the npm package's `npx scalecore`,
//! run [`main`], so all behave alike to the byte.

mod config;
mod format;
mod inputs;
pub mod lint_cmd;
pub mod simulate_cmd;
pub mod stdout;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use lint_cmd::LintArgs;
pub use simulate_cmd::SimulateArgs;

/// The commands every `scalecore` has.
#[derive(Subcommand)]
pub enum Command {
    /// Check ScaledObjects, ScaledJobs and (Cluster)TriggerAuthentications.
    ///
    /// All inputs are linted together as one bundle, so references between files resolve
    /// (authenticationRef, the target Deployment, other HPAs). Exit status: 0 no errors,
    /// 1 errors found (or warnings, with `--fail-on warning`), 2 could not run.
    ///
    /// `# scalecore:ignore CODE[,CODE…] [-- reason]` at the end of a finding's line, or alone
    /// on the line above, silences it. Settings (ignore, select, [severity], keda-version,
    /// strict-refs, exclude) come from the nearest scalecore.toml or .scalecore.toml in each
    /// file's folder or a parent; flags win over it.
    ///
    /// `--fix` rewrites the files with the fixes findings carry (`[*]` in the output): safe
    /// ones by default, unsafe ones too with `--unsafe-fixes`; it repeats until nothing
    /// changes, lints again, and exits as that last lint does. `--diff` shows the change
    /// instead and exits 1 when there is one. `scalecore rules` says which rules have fixes.
    Lint(LintArgs),
    /// Run a ScaledObject or ScaledJob through KEDA's loop and the HPA over time.
    ///
    /// The scenario names the manifest, the initial state and either explicit KEDA/HPA
    /// steps, a metric series, or a queue model (arrivals, messages per pod per second).
    /// Every step reports the desired replicas and why. Exit status: 0 ok, 1 an `expect`
    /// row did not hold, 2 could not run.
    Simulate(SimulateArgs),
    /// List every rule (code, severity, source, fix, name, summary), or explain one:
    /// `scalecore rules KEDA4001`. The fix column says whether `lint --fix` can resolve a
    /// finding (safe), only with `--unsafe-fixes` (unsafe), or not at all (—).
    Rules(RulesArgs),
}

#[derive(Args)]
pub struct RulesArgs {
    /// A rule code to explain.
    code: Option<String>,
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    format: RulesFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    Markdown,
}

impl Command {
    /// Runs the command; the exit status (0 fine, 1 findings or unmet expectations, 2 could
    /// not run). `keep_going` is asked now and then during a simulation whether to go on.
    pub fn run(&self, keep_going: &mut dyn FnMut() -> bool) -> u8 {
        match self {
            Command::Lint(args) => lint_cmd::run(args),
            Command::Simulate(args) => simulate_cmd::run(args, keep_going),
            Command::Rules(RulesArgs {
                code: Some(code), ..
            }) => explain(code),
            Command::Rules(RulesArgs { code: None, format }) => print(&rules_text(*format)),
        }
    }
}

/// `scalecore` with the commands of this crate only (the Python package's console script).
#[derive(Parser)]
#[command(
    name = "scalecore",
    version,
    about = "Check KEDA documents the way KEDA does, and see what KEDA + the HPA would do with your traffic",
    after_help = "Examples:\n  scalecore lint deploy/                 lint every .yaml/.yml/.json under deploy/ as one bundle\n  kubectl get so -o yaml | scalecore lint -\n  scalecore lint --fix deploy/            apply the safe fixes in place\n  scalecore simulate scenario.json        what KEDA and the HPA do, step by step\n  scalecore rules KEDA2002                what a code means and how to fix it"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Parses `argv` (program name first) and runs the command: help, version and usage errors
/// are printed as clap prints them, with clap's exit status.
pub fn main<I, T>(argv: I, keep_going: &mut dyn FnMut() -> bool) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    match Cli::try_parse_from(argv) {
        Ok(cli) => cli.command.run(keep_going),
        Err(e) => {
            let _ = e.print();
            u8::try_from(e.exit_code()).unwrap_or(2)
        }
    }
}

/// Writes a command's whole output; 2 when standard output fails.
pub fn print(text: &str) -> u8 {
    match stdout::write(text) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("scalecore: {e}");
            2
        }
    }
}

fn explain(code: &str) -> u8 {
    let Some(r) = scalecore::rules::by_code(&code.to_ascii_uppercase()) else {
        eprintln!("scalecore: no rule {code:?}; `scalecore rules` lists them");
        return 2;
    };
    let mut out = format!(
        "{} {} ({}, {})\n  {}\n",
        r.code,
        r.name,
        r.severity.as_str(),
        r.source.as_str(),
        r.summary
    );
    if !r.help.is_empty() {
        out.push_str(&format!("  help: {}\n", r.help));
    }
    if !r.fixes.is_empty() {
        out.push_str(&format!(
            "  fix: {} (`scalecore lint --fix` applies safe fixes, `--unsafe-fixes` the others)\n",
            r.fix_label()
        ));
    }
    match r.until {
        Some(u) => out.push_str(&format!(
            "  applies to KEDA {} up to (not including) {u}\n",
            r.since
        )),
        None => out.push_str(&format!("  applies to KEDA {} and later\n", r.since)),
    }
    out.push_str(&format!("  docs: {}\n", r.doc_url()));
    print(&out)
}

fn rules_text(format: RulesFormat) -> String {
    match format {
        RulesFormat::Markdown => scalecore::rules::markdown(),
        RulesFormat::Json => {
            let rules = scalecore_bindings::rules();
            serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
        }
        RulesFormat::Human => scalecore::rules::all()
            .into_iter()
            .map(|r| {
                format!(
                    "{}  {:<7}  {:<9}  {:<12}  {:<34} {}\n",
                    r.code,
                    r.severity.as_str(),
                    r.source.as_str(),
                    r.fix_label(),
                    r.name,
                    r.summary
                )
            })
            .collect(),
    }
}
