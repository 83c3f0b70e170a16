// Compiled with `tsc --noEmit` by test/api.test.js: the generated index.d.ts must describe
// what the addon returns, and reject what it refuses.
import { lint, lintFiles, lintAsync, fix, fixAsync, simulate, simulateAsync, rules, version, pathAt, API_VERSION } from 'scalecore'
import type { LintReport, Diagnostic, LintOptions, Trace, RuleInfo, Scenario, LspRange, PathAt, Fix, Edit, FixResult, FixOptions } from 'scalecore'

const options: LintOptions = { path: 'so.yaml', positionEncoding: 'utf-16', kedaVersion: '2.18' }
const found: Diagnostic[] = lint('kind: ScaledObject', options)
for (const d of found) {
  const range: LspRange = d.range
  const line: number = range.start.line + d.line + d.endColumn
  const severity: 'error' | 'warning' | 'info' = d.severity
  const help: string | undefined = d.help
  console.log(line, severity, help, d.code.toUpperCase(), d.source)
  for (const f of d.fixes ?? []) {
    const safe: boolean = f.applicability === 'safe'
    const edits: Array<{ range: LspRange; newText: string }> = f.edits
    console.log(f.title, safe, edits.length, f.edits[0]?.endColumn)
  }
}

for (const d of found) {
  const fixes: Fix[] = d.fixes ?? []
  for (const f of fixes) {
    const safe: boolean = f.applicability === 'safe'
    const edit: Edit | undefined = f.edits[0]
    console.log(safe, f.title, edit?.newText, edit?.range.start.character, edit?.endColumn)
  }
}
const fixOptions: FixOptions = { unsafeFixes: true, ignore: ['KEDA1020'], positionEncoding: 'utf-8' }
const fixed: FixResult = fix('kind: ScaledObject', fixOptions)
const left: Diagnostic[] = fixed.remaining
console.log(fixed.text.length + fixed.applied, fixed.converged, left.length, fix('a: 1').text)
// @ts-expect-error applicability is safe or unsafe
const wrong: Fix = { title: 't', applicability: 'maybe', edits: [] }
// @ts-expect-error unsafeFixes is a boolean
fix('a: 1', { unsafeFixes: 'yes' })

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
  const c: FixResult = await fixAsync('a: 1', { kedaVersion: '2.18' })
  console.log(c.applied, wrong)
  console.log(a.length, b.diagnostics.map((d) => d.code + (d.fixes?.[0]?.edits[0]?.newText ?? '')), fromText.steps.length, replicas)
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

const report: LintReport = lintFiles([{ path: 'a.yaml', text: 'kind: ScaledObject' }], { strictRefs: true })
const errors: number = report.summary.errors + report.files[0].diagnostics.length
console.log(errors, report.files[0].path, report.files[0].diagnostics[0]?.code)
// @ts-expect-error a file needs its text
lintFiles([{ path: 'a.yaml' }])
