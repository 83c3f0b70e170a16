/* Types of the JSON contract (docs/formats.md, docs/scenario.md); the functions below return and take these shapes. */

/** An LSP position: 0-based line, character offset in the requested encoding. */
export interface LspPosition {
  line: number
  character: number
}

export interface LspRange {
  start: LspPosition
  end: LspPosition
}

/** A finding about a document: the diagnostic JSON contract plus an LSP `range`. */
export interface Diagnostic {
  /** Stable rule code, e.g. `KEDA1004`. */
  code: string
  severity: 'error' | 'warning' | 'info'
  message: string
  /** Dotted path of the node, e.g. `spec.triggers[0].metadata.queueName`. */
  path: string
  /** Index of the YAML document in the stream. */
  document: number
  /** 1-based; columns count Unicode scalar values. */
  line: number
  column: number
  endLine: number
  endColumn: number
  help?: string
  source: 'schema' | 'webhook' | 'scaler' | 'reference' | 'lint'
  /** Ways to resolve the finding, best first; absent when there is none. */
  fixes?: Fix[]
  range: LspRange
}

/**
 * Replace the text between two positions with `newText` (an insertion when they are equal):
 * 1-based `line`/`column` as in a diagnostic, and the same place as an LSP `range`.
 */
export interface Edit {
  line: number
  column: number
  endLine: number
  endColumn: number
  newText: string
  range: LspRange
}

/** One way to resolve a finding: edits to the text it was found in. */
export interface Fix {
  /** Imperative, for a code action's title (`Quote the value`). */
  title: string
  /** `safe` keeps what the author meant (`fix` applies it); `unsafe` only with `unsafeFixes`. */
  applicability: 'safe' | 'unsafe'
  /** Non-overlapping, in position order. */
  edits: Edit[]
}

/** Output of `fix`. */
export interface FixResult {
  /** The input after fixing. */
  text: string
  /** Fixes applied, over every round. */
  applied: number
  /** What `lint` reports for `text` (ranges in the fixed text). */
  remaining: Diagnostic[]
  /** False when fixes kept changing the text until the round limit. */
  converged: boolean
}

/** An edit of a contract diagnostic (no `range`). */
export type ContractEdit = Omit<Edit, 'range'>

/** A fix of a contract diagnostic (no `range` on its edits). */
export interface ContractFix extends Omit<Fix, 'edits'> {
  edits: ContractEdit[]
}

/** A contract diagnostic as `simulate` returns it (no `range`). */
export interface ContractDiagnostic extends Omit<Diagnostic, 'range' | 'fixes'> {
  fixes?: ContractFix[]
}

/** What `lintFiles` returns: the CLI's `--format json` report. */
export interface LintReport {
  files: Array<{ path: string; diagnostics: ContractDiagnostic[] }>
  summary: { errors: number; warnings: number }
}

export interface RuleInfo {
  code: string
  name: string
  severity: 'error' | 'warning' | 'info'
  source: 'schema' | 'webhook' | 'scaler' | 'reference' | 'lint'
  summary: string
  help: string
  /** First KEDA release the rule applies to. */
  since: string
  until?: string
  /** The applicabilities of the fixes its findings can carry (empty: none). */
  fixes: Array<'safe' | 'unsafe'>
  /** The rule's row in docs/rules.md. */
  url: string
}

/** The field under a position, as `pathAt` finds it. */
export interface PathAt {
  /** Index of the document in the stream. */
  document: number
  /** The document's `apiVersion` and `kind`, when they are strings. */
  apiVersion: string | null
  kind: string | null
  /** Keys and sequence indexes from the document's root, e.g. `['spec', 'triggers', 0, 'type']`. */
  path: Array<string | number>
  /** Whether the position is on the field's key (else on its scalar value). */
  onKey: boolean
  /** The key's or the value's range. */
  range: LspRange
}

export interface ScenarioStep {
  t: number
  loop?: 'keda' | 'hpa' | 'reconcile' | 'delete'
  /** Trigger values keyed by trigger `name`, else `s{index}`. */
  metrics?: Record<string, number>
  errors?: string[]
  replicas?: number
  /** Pods Running and Ready (default: `replicas`). */
  readyPods?: number
  /** `status.replicas`: every pod the HPA lists (default: `replicas`). */
  statusReplicas?: number
  /** cpu/memory: of the pods not ready, those still Pending (default 0). */
  pendingPods?: number
  /** cpu/memory: of the ready pods, those the metrics API has no sample for (default 0). */
  podsWithoutMetrics?: number
  annotations?: Record<string, string | null>
  runningJobs?: number
  pendingJobs?: number
}

export interface ScenarioExpect {
  t: number
  loop?: string
  replicas?: number
  active?: boolean
}

export interface QueueModel {
  trigger?: string
  initialMessages?: number
  bursts?: Array<{ t: number; messages: number }>
  arrivalRate?: number | Array<{ t: number; rate: number }>
  messagesPerPodPerSecond: number
  podStartupSeconds?: number
  duration?: number
}

/** Input of `simulate`. */
export interface Scenario {
  /** ScaledObject or ScaledJob YAML/JSON text. */
  manifest: string
  initial?: { replicas?: number; lastActiveTime?: number | null; creationTime?: number | null }
  hpaSyncPeriod?: number
  steps?: ScenarioStep[]
  until?: number
  queue?: QueueModel
  expect?: ScenarioExpect[]
}

export interface TriggerTrace {
  value?: number
  active: boolean
  error?: boolean
  fallback?: boolean
  failures?: number
}

export interface TraceStep {
  t: number
  loop: string
  /** Desired replicas after the step (ScaledJob: Jobs created by the poll). */
  replicas: number
  active: boolean
  fallback: boolean
  /** The explanation chain. */
  reason: string
  triggers: Record<string, TriggerTrace>
  queueLength?: number
  readyPods?: number
  oldestWaitSeconds?: number
  podSeconds?: number
}

export interface Mismatch {
  t: number
  field: string
  expected: unknown
  actual: unknown
}

export interface QueueSummary {
  messagesArrived: number
  messagesProcessed: number
  messagesLeft: number
  podSeconds: number
  meanWaitSeconds: number
  maxWaitSeconds: number
  peakQueueLength: number
  peakReplicas: number
  queueEmptyAt?: number
  zeroReplicasAt?: number
}

/** Output of `simulate`. */
export interface Trace {
  steps: TraceStep[]
  diagnostics: ContractDiagnostic[]
  mismatches?: Mismatch[]
  queue?: QueueSummary
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
