/* Generated from the Rust types by tests/tests/contract_types.rs: do not edit. The JSON contract
   (docs/formats.md, docs/scenario.md): what the functions below take and return. */

export type Severity = 'error' | 'warning' | 'info'

/** Which layer of KEDA (or of experience) a rule stands for. */
export type Source = 'schema' | 'webhook' | 'scaler' | 'reference' | 'lint'

/** Whether a fix may be applied without a person looking at it. */
export type Applicability = 'safe' | 'unsafe'

/**
 * A diagnostic as editors want it: the JSON contract plus an LSP `range`, on the
 * diagnostic and on each edit of its fixes.
 */
export interface Diagnostic {
  /** The rule: `KEDA` and four digits (docs/rules.md). */
  code: string
  /** The rule's severity, or the one configured for its code. */
  severity: Severity
  /** What is wrong, in KEDA's words where KEDA has them. */
  message: string
  /** Dotted path of the node (`spec.triggers[0].metadata.queueName`); empty for the document. */
  path: string
  /** Index of the document in its input (0-based). */
  document: number
  /** 1-based line of the start. */
  line: number
  /** 1-based column of the start, in Unicode scalar values. */
  column: number
  /** 1-based line of the end. */
  endLine: number
  /** 1-based column just past the end (exclusive), in Unicode scalar values. */
  endColumn: number
  /** The layer of KEDA the rule stands for. */
  source: Source
  range: LspRange
  fixes?: Fix[]
  /** What to do, when there is something to say. */
  help?: string
}

/** A fix whose edits carry LSP ranges (a code action's `WorkspaceEdit`, ready to send). */
export interface Fix {
  title: string
  applicability: Applicability
  edits: Edit[]
}

/**
 * Replace the text between two positions (the same positions as a diagnostic's: 1-based,
 * end exclusive) with `newText`; an insertion when the two are equal.
 */
export interface Edit {
  /** 1-based line of the start. */
  line: number
  /** 1-based column of the start, in Unicode scalar values. */
  column: number
  /** 1-based line of the end. */
  endLine: number
  /** 1-based column just past the end (exclusive), in Unicode scalar values. */
  endColumn: number
  /** The text that replaces the range (empty: a deletion). */
  newText: string
  range: LspRange
}

export interface LspRange {
  start: LspPosition
  end: LspPosition
}

/** An LSP position: 0-based line, and character offset in the chosen encoding. */
export interface LspPosition {
  line: number
  character: number
}

/**
 * `fix` for editors: what is left carries LSP ranges in the fixed text (the Node and Wasm
 * packages return this).
 */
export interface FixResult {
  text: string
  applied: number
  remaining: Diagnostic[]
  converged: boolean
}

/**
 * One finding. Serialises to the JSON contract:
 * `{code, severity, message, path, document, line, column, endLine, endColumn, help, source,
 * fixes}` (`help` and `fixes` only when there are any).
 * Lines and columns are 1-based, columns count Unicode scalar values, the end is exclusive.
 */
export interface ContractDiagnostic {
  /** The rule: `KEDA` and four digits (docs/rules.md). */
  code: string
  /** The rule's severity, or the one configured for its code. */
  severity: Severity
  /** What is wrong, in KEDA's words where KEDA has them. */
  message: string
  /** Dotted path of the node (`spec.triggers[0].metadata.queueName`); empty for the document. */
  path: string
  /** Index of the document in its input (0-based). */
  document: number
  /** 1-based line of the start. */
  line: number
  /** 1-based column of the start, in Unicode scalar values. */
  column: number
  /** 1-based line of the end. */
  endLine: number
  /** 1-based column just past the end (exclusive), in Unicode scalar values. */
  endColumn: number
  /** The layer of KEDA the rule stands for. */
  source: Source
  /** Changes that resolve the finding, best first; a client applies at most one. */
  fixes?: ContractFix[]
  /** What to do, when there is something to say. */
  help?: string
}

/** One way to resolve a finding: text edits to the input the finding is in. */
export interface ContractFix {
  /** Imperative, for a code action's title (`Quote the value`). */
  title: string
  /** `safe` or `unsafe`. */
  applicability: Applicability
  /** Non-overlapping edits, in position order. */
  edits: ContractEdit[]
}

/**
 * Replace the text between two positions (the same positions as a diagnostic's: 1-based,
 * end exclusive) with `newText`; an insertion when the two are equal.
 */
export interface ContractEdit {
  /** 1-based line of the start. */
  line: number
  /** 1-based column of the start, in Unicode scalar values. */
  column: number
  /** 1-based line of the end. */
  endLine: number
  /** 1-based column just past the end (exclusive), in Unicode scalar values. */
  endColumn: number
  /** The text that replaces the range (empty: a deletion). */
  newText: string
}

/**
 * A rule with the address of its row in docs/rules.md (an LSP diagnostic's
 * `codeDescription.href`).
 */
export interface RuleInfo {
  code: string
  name: string
  severity: Severity
  source: Source
  summary: string
  help: string
  since: string
  /** The kinds of fix its findings can carry: `[]`, `["safe"]`, `["unsafe"]` or both. */
  fixes: Applicability[]
  url: string
  until?: string | null
}

/** The field under a position: what an editor needs to explain it from the schema. */
export interface PathAt {
  /** 0-based index of the document in the stream. */
  document: number
  /** The document's `apiVersion` and `kind`, when they are strings. */
  apiVersion: string | null
  kind: string | null
  /** Keys and indexes from the document's root to the field (`["spec", "triggers", 0, "type"]`). */
  path: PathSegment[]
  /** Whether the position is on the field's key (else on its scalar value). */
  onKey: boolean
  /** The key's or the value's range. */
  range: LspRange
}

/** One step of a path into a document: a mapping key or a sequence index. */
export type PathSegment = string | number

export interface Trace {
  /** Every tick, in time order (KEDA before the HPA at the same second). */
  steps: TraceStep[]
  /** The manifest's findings (those that do not stop a simulation). */
  diagnostics: ContractDiagnostic[]
  /** The `expect` entries that did not hold (present only when some did not). */
  mismatches?: Mismatch[]
  /** Queue mode: what the run cost and how long messages waited. */
  queue?: QueueSummary
}

/** `{"files":[{"path", "diagnostics"}], "summary":{"errors","warnings"}}`: the CLI's JSON. */
export interface LintReport {
  /** Every input, in the order given. */
  files: FileReport[]
  /** Counts over all inputs. */
  summary: Summary
}

export interface FileReport {
  /** The input's path as given (`<stdin>` for standard input). */
  path: string
  /** Its findings, sorted by position. */
  diagnostics: ContractDiagnostic[]
}

export interface Summary {
  /** Findings of severity `error`. */
  errors: number
  /** Findings of severity `warning`. */
  warnings: number
}

/**
 * A ScaledObject or ScaledJob and what happens to it over time.
 *
 * Explicit mode: every step names its `loop` (`keda`, `hpa`, `reconcile`, `delete`) and is
 * evaluated exactly there. Series mode: no step names a loop; steps are metric samples and
 * KEDA polls run every `pollingInterval` from t=0, HPA syncs every `hpaSyncPeriod` from t=5,
 * each reading the latest sample at or before its time, until `until` (default: the last
 * sample's time, or the queue model's `duration`).
 */
export interface Scenario {
  /**
   * YAML or JSON text (a stream); its first keda.sh/v1alpha1 ScaledObject or ScaledJob is
   * simulated, and every document in it is linted into the trace's `diagnostics`.
   */
  manifest: string
  /**
   * Checks on the trace; one that does not hold is listed in the trace's `mismatches` (and
   * makes `scalecore simulate` exit 1).
   */
  expect?: ScenarioExpect[]
  /**
   * The HPA controller's sync period, seconds (`--horizontal-pod-autoscaler-sync-period`);
   * series and queue mode schedule an HPA sync this often from t=5, and refuse a value
   * below 1.
   */
  hpaSyncPeriod?: number
  /** The state at t=0. */
  initial?: InitialSpec
  /** Queue mode: a queue feeding one trigger, for capacity planning. */
  queue?: QueueModel | null
  /**
   * Explicit mode: the ticks, each naming its `loop`. Series mode: metric samples, none
   * naming a loop. Both kinds in one scenario are refused.
   */
  steps?: ScenarioStep[]
  /**
   * Series and queue mode: the time of the last tick, seconds (default: series mode, the
   * last sample's `t`; queue mode, `queue.duration`, else 900).
   */
  until?: number | null
}

export interface InitialSpec {
  /**
   * The ScaledObject's creationTimestamp, seconds (null: -1, created just before t=0);
   * `initialCooldownPeriod` counts from it.
   */
  creationTime?: number | null
  /** The ScaledObject's `status.lastActiveTime`, seconds (null: never active). */
  lastActiveTime?: number | null
  /** The target's replicas at t=0. */
  replicas?: number
}

/** One step: a tick (explicit mode) or a sample (series mode). */
export interface ScenarioStep {
  /** Seconds since t=0. */
  t: number
  /** Annotation changes from this step on; `null` removes a key. */
  annotations?: Record<string, string | null> | null
  /** Triggers whose scaler call fails at this step (only this step). */
  errors?: string[]
  /**
   * Explicit mode: `keda` (a KEDA poll), `hpa` (an HPA sync), `reconcile` (the operator
   * reconciling annotation changes) or `delete` (the ScaledObject deleted);
   * `keda-scaledjob` is `keda`. Series mode: absent.
   */
  loop?: 'keda' | 'hpa' | 'reconcile' | 'delete' | 'keda-scaledjob' | null
  /**
   * Trigger values keyed by trigger `name`, else `s{index}`; a value holds until a later
   * step sets another (cpu/memory: the mean utilization, percent, or value over the pods
   * with a sample).
   */
  metrics?: Record<string, number>
  /** ScaledJob: of those, Jobs whose pods are not running yet (default 0). */
  pendingJobs?: number | null
  /** cpu/memory: of the pods not ready, those still Pending (default 0). */
  pendingPods?: number | null
  /** cpu/memory: of the ready pods, those the metrics API has no sample for (default 0). */
  podsWithoutMetrics?: number | null
  /** Pods Running and Ready (default: `replicas`); holds until a later step sets it. */
  readyPods?: number | null
  /** Overrides the observed `spec.replicas` at this step (otherwise: the last decision). */
  replicas?: number | null
  /** ScaledJob: Jobs not finished (default 0; holds until a later step sets it). */
  runningJobs?: number | null
  /** The target's `status.replicas`: every pod the HPA lists (default: `replicas`). */
  statusReplicas?: number | null
}

/** An expected value after the step at `t` (of `loop`, when several share a time). */
export interface ScenarioExpect {
  /** The time of the trace step checked (the last one at that time). */
  t: number
  /** The step's `active`. */
  active?: boolean | null
  /** Which loop's step, when several share `t` (absent: the last step at `t`). */
  loop?: 'keda' | 'hpa' | 'reconcile' | 'delete' | null
  /** The step's `replicas`. */
  replicas?: number | null
}

export interface QueueModel {
  /** What one ready pod drains, messages per second. */
  messagesPerPodPerSecond: number
  /** Messages arriving per second: a number, or a step function `[{"t", "rate"}]`. */
  arrivalRate?: ArrivalRate
  /** Messages added at once. */
  bursts?: Burst[]
  /** Simulated seconds (default: the scenario's `until`, else 900). */
  duration?: number | null
  /** Messages waiting at t=0. */
  initialMessages?: number
  /** Seconds from a pod being requested to it draining the queue. */
  podStartupSeconds?: number
  /** The trigger the queue feeds (its `name`, else `s{index}`); default: the first. */
  trigger?: string | null
}

export type ArrivalRate = number | RatePoint[]

export interface RatePoint {
  /** Seconds since t=0. */
  t: number
  /** Messages per second from `t` on. */
  rate: number
}

export interface Burst {
  /** Seconds since t=0. */
  t: number
  /** Messages added at once. */
  messages: number
}

export interface TraceStep {
  /** Seconds since t=0. */
  t: number
  /**
   * The loop that ran: `keda`, `hpa`, `reconcile` (also before a step whose annotations
   * changed) or `delete`.
   */
  loop: 'keda' | 'hpa' | 'reconcile' | 'delete'
  /** Desired replicas after the step (ScaledJob: Jobs created by the poll). */
  replicas: number
  /** The ScaledObject is active (some trigger above its activation threshold). */
  active: boolean
  /** The fallback replicas are in force. */
  fallback: boolean
  /** How the step decided, in KEDA's and the HPA's terms. */
  reason: string
  /** Each trigger at this step, keyed by its `name`, else `s{index}`. */
  triggers: Record<string, TriggerTrace>
  /** Queue mode: age of the oldest waiting message, seconds. */
  oldestWaitSeconds?: number
  /** Queue mode: pod-seconds used since t=0. */
  podSeconds?: number
  /** Queue mode: messages waiting at the tick. */
  queueLength?: number
  /** Queue mode: pods ready at the tick. */
  readyPods?: number
}

/** One trigger at one step. */
export interface TriggerTrace {
  /** The value is above the trigger's activation threshold. */
  active: boolean
  /** The scaler call failed (present only when true). */
  error?: boolean
  /** The fallback failure counter after the step (present only when not 0). */
  failures?: number
  /** The fallback served the value (present only when true). */
  fallback?: boolean
  /** The value served (the scaler's or the fallback's); absent on error. */
  value?: number
}

/** An `expect` entry that did not hold. */
export interface Mismatch {
  /** The `t` of the `expect` entry. */
  t: number
  /** `replicas` or `active`. */
  field: 'replicas' | 'active'
  /** The value the entry expected. */
  expected: unknown
  /** The step's value; `null` when no step matched. */
  actual: unknown
}

/** What the run cost and how long messages waited. */
export interface QueueSummary {
  /** Messages that arrived (initial ones, bursts and the arrival rate). */
  messagesArrived: number
  /** Messages the pods drained. */
  messagesProcessed: number
  /** Messages still waiting at the end. */
  messagesLeft: number
  /** Pod-seconds used (from each pod's request to its removal). */
  podSeconds: number
  /** Mean wait of the messages drained, seconds. */
  meanWaitSeconds: number
  /** Longest wait of a message drained, seconds. */
  maxWaitSeconds: number
  /** Most messages waiting at once. */
  peakQueueLength: number
  /** Most replicas at once. */
  peakReplicas: number
  /** The last time the queue became empty (and stayed so); absent if it did not. */
  queueEmptyAt?: number
  /** The last time replicas reached 0 (and stayed so); absent if they did not. */
  zeroReplicasAt?: number
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** Version of the JSON shapes; bumped on any incompatible change. */
export declare const API_VERSION: number

/**
 * Runs the `scalecore` command line (lint, simulate, rules) with `argv`, program name first,
 * writing to the process's standard output and error; returns the exit status (0 fine,
 * 1 findings or unmet expectations, 2 could not run, 130 stopped by Ctrl-C). `cwd` is the
 * folder relative paths start from: the WebAssembly build has no working directory of its
 * own, so it takes Node's.
 */
export declare function cli(argv: Array<string>, cwd?: string | undefined | null): number

/** One input of `lintFiles`. */
export interface FileInput {
  /** Shown in the report; not read. */
  path: string
  /** The file's text (a YAML or JSON stream). */
  text: string
}

/**
 * Applies the fixes of the findings in one input until nothing changes (safe fixes only
 * unless `unsafeFixes`), then lints the result: `{text, applied, remaining, converged}`,
 * where `remaining` is what `lint` reports for the fixed `text`.
 */
export declare function fix(text: string, options?: FixOptions | undefined | null): FixResult

/** `fix` on a worker thread of libuv's pool. */
export declare function fixAsync(text: string, options?: FixOptions | undefined | null): Promise<FixResult>

/** Options of `fix`: those of `lint`, and whether unsafe fixes apply too. */
export interface FixOptions {
  /** Also apply fixes whose `applicability` is `unsafe` (they may change behaviour). */
  unsafeFixes?: boolean
  /** Shown in reports; not read. */
  path?: string
  /** How the `range` of what is left counts characters; default `utf-16`. */
  positionEncoding?: 'utf-16' | 'utf-8' | 'utf-32'
  /** KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2. */
  kedaVersion?: string
  /** Report references to objects missing from the input. */
  strictRefs?: boolean
  /** Namespace of objects that name none; default `default`. */
  defaultNamespace?: string
  /** Codes never reported, nor fixed (`['KEDA1020']`). */
  ignore?: Array<string>
  /** Codes or code prefixes reported and fixed (`['KEDA1', 'KEDA3003']`); absent: all. */
  select?: Array<string>
  /** Severities that replace a rule's own, by code (`{ KEDA1020: 'error' }`). */
  severity?: Record<string, 'error' | 'warning' | 'info'>
}

/**
 * Lints one input (a YAML or JSON stream of KEDA documents). Each diagnostic is the JSON
 * contract (`code`, `severity`, `message`, `path`, `document`, 1-based `line`/`column`,
 * `endLine`/`endColumn`, `help`, `source`, `fixes`) plus an LSP `range` (0-based), also on
 * each edit of its fixes.
 */
export declare function lint(text: string, options?: LintOptions | undefined | null): Diagnostic[]

/** `lint` on a worker thread of libuv's pool (large inputs, busy event loops). */
export declare function lintAsync(text: string, options?: LintOptions | undefined | null): Promise<Diagnostic[]>

/**
 * Lints several inputs together, so references between them resolve (a ScaledObject in
 * one file, its Deployment in another), as the CLI lints the files it is given. Returns
 * the CLI's JSON report `{files: [{path, diagnostics}], summary: {errors, warnings}}`; each
 * diagnostic is the JSON contract with its LSP `range` left out. Options are those of `lint`
 * (`path` and `positionEncoding` are not used).
 */
export declare function lintFiles(files: Array<FileInput>, options?: LintOptions | undefined | null): LintReport

/** Options of `lint`; all optional. */
export interface LintOptions {
  /** Shown in reports; not read. */
  path?: string
  /** How `range` counts characters within a line (LSP `positionEncoding`); default `utf-16`. */
  positionEncoding?: 'utf-16' | 'utf-8' | 'utf-32'
  /** KEDA release whose rules apply (`2.20`, `2.18.1`); default 2.20.2. */
  kedaVersion?: string
  /** Report references to objects missing from the input. */
  strictRefs?: boolean
  /** Namespace of objects that name none; default `default`. */
  defaultNamespace?: string
  /** Codes never reported (`['KEDA1020']`). */
  ignore?: Array<string>
  /** Codes or code prefixes reported (`['KEDA1', 'KEDA3003']`); absent reports all. */
  select?: Array<string>
  /** Severities that replace a rule's own, by code (`{ KEDA1020: 'error' }`). */
  severity?: Record<string, 'error' | 'warning' | 'info'>
}

/**
 * The field at an LSP position of `text` (YAML or JSON): its document's `apiVersion` and
 * `kind`, the keys and indexes from the root (`['spec', 'triggers', 0, 'type']`), whether the
 * position is on the key or on a scalar value, and that key's or value's range. `null` between
 * fields, on comments, past the end, or where the text does not parse.
 */
export declare function pathAt(text: string, position: LspPosition, positionEncoding?: 'utf-16' | 'utf-8' | 'utf-32'): PathAt | null

/**
 * Every rule: code, name, severity, source, summary, help, since/until KEDA release, and the
 * `url` of its row in docs/rules.md.
 */
export declare function rules(): RuleInfo[]

/**
 * Runs a scenario (docs/scenario.md: `{manifest, initial, hpaSyncPeriod, steps, expect}`)
 * and returns the trace `{steps, diagnostics, mismatches?, queue?}`.
 */
export declare function simulate(scenario: string | Scenario): Trace

/** `simulate` on a worker thread (long series, queue models). */
export declare function simulateAsync(scenario: string | Scenario): Promise<Trace>

/** The scalecore release. */
export declare function version(): string
