//! `scalecore`: lint KEDA documents in CI and terminals, simulate what KEDA and the HPA would
//! do with a traffic pattern, and list the rules.

mod config;
mod crd;
#[cfg(feature = "demo")]
mod demo;
mod format;
mod inputs;
mod lint_cmd;
mod run;
mod simulate_cmd;
mod stdout;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

#[derive(Parser)]
#[command(
    name = "scalecore",
    version,
    about = "Check KEDA documents the way KEDA does, and see what KEDA + the HPA would do with your traffic",
    long_about = None,
    after_help = "Examples:\n  scalecore lint deploy/                 lint every .yaml/.yml/.json under deploy/ as one bundle\n  scalecore lint --format github so.yaml  annotations for GitHub Actions\n  kubectl get so -o yaml | scalecore lint -\n  scalecore simulate examples/seed-servicebus-queue.json
  scalecore lint --fail-on warning .      warnings fail the run too
  scalecore lint --diff deploy/           what `--fix` would change (writes nothing)
  scalecore lint --fix deploy/            apply the safe fixes in place
  scalecore rules                         every rule code with what it means
  scalecore completions bash              a completion script (also zsh, fish)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
    Lint(lint_cmd::LintArgs),
    /// Run a ScaledObject or ScaledJob through KEDA's loop and the HPA over time.
    ///
    /// The scenario names the manifest, the initial state and either explicit KEDA/HPA
    /// steps, a metric series, or a queue model (arrivals, messages per pod per second).
    /// Every step reports the desired replicas and why. Exit status: 0 ok, 1 an `expect`
    /// row did not hold, 2 could not run.
    Simulate(simulate_cmd::SimulateArgs),
    /// Run in the cluster: watch ScaledObjects, poll Azure Service Bus, scale the targets.
    ///
    /// Uses KEDA's CRDs and manifests unchanged (keda.sh/v1alpha1). Every decision comes
    /// from the same engine as `scalecore simulate`. Serves /metrics, /healthz and /readyz;
    /// holds a Lease so that only one replica writes. `--dry-run` decides and logs without
    /// writing, to run beside an existing KEDA before switching.
    Run(Box<run::RunArgs>),
    /// The whole loop on this machine: Kubernetes and Azure stand-ins on loopback, the seed
    /// applied, a producer and a worker, and the host scaling the Deployment over real HTTP.
    ///
    /// Time runs 10x faster (`--speed`), so the 5-minute cooldown ends within about a minute.
    /// `--format json` prints one object per event: {"t", "queue", "replicas", "reason"}.
    #[cfg(feature = "demo")]
    Demo(demo::DemoArgs),
    /// Print the CRDs of ScaledObject, TriggerAuthentication and ClusterTriggerAuthentication
    /// as YAML (generated from the types `scalecore run` reads; compatible with KEDA's).
    Crds,
    /// List every rule (code, severity, source, fix, name, summary), or explain one:
    /// `scalecore rules KEDA4001`. The fix column says whether `lint --fix` can resolve a
    /// finding (safe), only with `--unsafe-fixes` (unsafe), or not at all (—).
    Rules {
        /// A rule code to explain.
        code: Option<String>,
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print the JSON Schema (draft 2020-12) of one of scalecore's own formats: the scenario
    /// `simulate` reads, the trace it writes, the report of `lint --format json`, or one
    /// diagnostic. The same files are in docs/schemas/ (docs/scenario.md, docs/formats.md).
    Schema {
        /// Which format.
        #[arg(value_enum)]
        name: SchemaName,
    },
    /// Print a shell completion script: `scalecore completions bash > /etc/bash_completion.d/scalecore`,
    /// `scalecore completions zsh > "${fpath[1]}/_scalecore"`,
    /// `scalecore completions fish > ~/.config/fish/completions/scalecore.fish`.
    Completions {
        /// The shell to complete in.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaName {
    /// The input of `simulate`.
    Scenario,
    /// The output of `simulate --format json`.
    Trace,
    /// The output of `lint --format json`.
    Report,
    /// One finding, as every binding's `lint` returns it.
    Diagnostic,
}

#[derive(Clone, Copy, ValueEnum)]
enum RulesFormat {
    Human,
    Json,
    Markdown,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint_cmd::run(&args),
        Command::Simulate(args) => simulate_cmd::run(&args),
        Command::Run(args) => run::run(&args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(&args),
        Command::Crds => crd::run(),
        Command::Rules {
            code: Some(code), ..
        } => explain(&code),
        Command::Rules { code: None, format } => print(&rules_text(format)),
        Command::Completions { shell } => print(&completions(shell)),
        Command::Schema { name } => print(&schema_text(name)),
    }
}

fn schema_text(name: SchemaName) -> String {
    use scalecore_bindings::schema;
    let value = match name {
        SchemaName::Scenario => schema::scenario(),
        SchemaName::Trace => schema::trace(),
        SchemaName::Report => schema::report(),
        SchemaName::Diagnostic => schema::diagnostic(),
    };
    // The same text as docs/schemas/*.schema.json (pretty, one final newline).
    serde_json::to_string_pretty(&value).unwrap_or_default() + "\n"
}

fn print(text: &str) -> ExitCode {
    match stdout::write(text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scalecore: {e}");
            ExitCode::from(2)
        }
    }
}

fn completions(shell: CompletionShell) -> String {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "scalecore", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

fn explain(code: &str) -> ExitCode {
    let Some(r) = scalecore::rules::by_code(&code.to_ascii_uppercase()) else {
        eprintln!("scalecore: no rule {code:?}; `scalecore rules` lists them");
        return ExitCode::from(2);
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
