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

