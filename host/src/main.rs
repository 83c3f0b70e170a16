//! `scalecore`: lint KEDA documents in CI and terminals, simulate what KEDA and the HPA would
//! do with a traffic pattern, and list the rules.

mod crd;
#[cfg(feature = "demo")]
mod demo;
mod doctor;
mod explain;
mod kubeconfig;
mod run;

use scalecore_cli::print;

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
    /// `lint`, `simulate` and `rules`.
    #[command(flatten)]
    Shared(scalecore_cli::Command),
    /// Run in the cluster: watch ScaledObjects and ScaledJobs, poll their triggers (every Azure
    /// scaler KEDA ships, cpu and memory), scale the targets and create the Jobs.
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
    /// Print the CRDs of ScaledObject, TriggerAuthentication, ClusterTriggerAuthentication and
    /// ScaledJob as YAML (generated from the types `scalecore run` reads; compatible with KEDA's).
    Crds,
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
    /// Why a ScaledObject in a live cluster has the replicas it has (or how many Jobs a
    /// ScaledJob would create), read-only with your kubeconfig: which rule holds them
    /// (activation, cooldown, stabilization window, policies, min/max, fallback, pause), what
    /// happens next and when, and where the cluster disagrees with the engine. `--format json`
    /// gives the same as data (docs/formats.md).
    Explain(explain::ExplainArgs),
    /// Check that Azure workload identity can work for the ScaledObjects and ScaledJobs of a
    /// live cluster: each azure-workload TriggerAuthentication's identityId, the KEDA
    /// operator's ServiceAccount, its pod's injected AZURE_* variables and token, and a pod
    /// older than its ServiceAccount's last change. `--azure` also reads the identities'
    /// federated credentials from Azure Resource Manager. Read-only. Exit status as lint's.
    Doctor(Box<doctor::DoctorArgs>),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // A signal ends the process, so a simulation needs no check of its own.
        Command::Shared(command) => ExitCode::from(command.run(&mut || true)),
        Command::Run(args) => run::run(&args),
        #[cfg(feature = "demo")]
        Command::Demo(args) => demo::run(&args),
        Command::Crds => crd::run(),
        Command::Completions { shell } => ExitCode::from(print(&completions(shell))),
        Command::Schema { name } => ExitCode::from(print(&schema_text(name))),
        Command::Explain(args) => explain::run(&args),
        Command::Doctor(args) => doctor::run(&args),
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
