// Compiled with `tsc --noEmit` by test/api.test.js: the generated index.d.ts must describe
// what the addon returns, and reject what it refuses.
import { lint, lintAsync, simulate, simulateAsync, rules, version, pathAt, API_VERSION } from 'scalecore'
import type { Diagnostic, LintOptions, Trace, RuleInfo, Scenario, LspRange, PathAt } from 'scalecore'

const options: LintOptions = { path: 'so.yaml', positionEncoding: 'utf-16', kedaVersion: '2.18' }
const found: Diagnostic[] = lint('kind: ScaledObject', options)
for (const d of found) {
  const range: LspRange = d.range
  const line: number = range.start.line + d.line + d.endColumn
  const severity: 'error' | 'warning' | 'info' = d.severity
  const help: string | undefined = d.help
  console.log(line, severity, help, d.code.toUpperCase(), d.source)
  for (const fix of d.fixes ?? []) {
    const safe: boolean = fix.applicability === 'safe'
    const edits: Array<{ range: LspRange; newText: string }> = fix.edits
    console.log(fix.title, safe, edits.length, fix.edits[0]?.endColumn)
  }
}

// @ts-expect-error not an LSP position encoding
lint('a: 1', { positionEncoding: 'utf-7' })
// @ts-expect-error text is required
lint()

const scenario: Scenario = {
  manifest: 'kind: ScaledObject',
  steps: [{ t: 0, loop: 'keda', metrics: { orders: 3 } }],
  expect: [{ t: 0, replicas: 1 }],
}
const trace: Trace = simulate(scenario)
const replicas: number[] = trace.steps.map((s) => s.replicas + (s.triggers.orders?.value ?? 0))
const fromText: Trace = simulate(JSON.stringify(scenario))
// @ts-expect-error a scenario needs its manifest
simulate({ steps: [] })

async function later(): Promise<void> {
  const a: Diagnostic[] = await lintAsync('a: 1')
  const b: Trace = await simulateAsync(scenario)
  console.log(a.length, b.diagnostics.map((d) => d.code), fromText.steps.length, replicas)
}

const table: RuleInfo[] = rules()
const href: string | undefined = table[0]?.url
const v: string = version()
const api: number = API_VERSION
console.log(table[0]?.summary, v, api, later)

const at: PathAt | null = pathAt('kind: ScaledObject', { line: 0, character: 1 }, 'utf-16')
if (at) {
  const segments: Array<string | number> = at.path
  const kind: string | null = at.kind
  console.log(segments, kind, at.onKey, at.range.start.character)
}
// @ts-expect-error a position, not an offset
pathAt('a: 1', 3)
