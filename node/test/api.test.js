// The package's surface: both module systems, options, errors, encodings, async, types.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { execFileSync } = require('node:child_process')
const scalecore = require('..')

const pkg = path.resolve(__dirname, '..')
const root = path.resolve(pkg, '..')

const minOverMax = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  minReplicaCount: 5
  maxReplicaCount: 2
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: "60"
`

test('require and ESM import expose the same functions', () => {
  const esm = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import * as s from 'scalecore'; import { lint } from 'scalecore';" +
        "console.log(JSON.stringify([Object.keys(s).sort(), lint('a: [1')[0].code]))",
    ],
    { cwd: pkg, encoding: 'utf8' },
  )
  const [names, code] = JSON.parse(esm)
  for (const name of ['lint', 'lintFiles', 'lintAsync', 'fix', 'fixAsync', 'simulate', 'simulateAsync', 'rules', 'version', 'API_VERSION']) {
    assert.ok(names.includes(name), `ESM lacks ${name}`)
    assert.ok(name in scalecore, `CJS lacks ${name}`)
  }
  assert.equal(code, 'KEDA0001')
})

test('lint: the webhook rule min > max, with contract fields and a 0-based range', () => {
  const [d, ...rest] = scalecore.lint(minOverMax, { path: 'so.yaml' })
  assert.deepEqual(rest, [])
  assert.equal(d.code, 'KEDA1004')
  assert.equal(d.severity, 'error')
  assert.equal(d.source, 'webhook')
  assert.match(d.message, /minReplicaCount \(5\) is greater than maxReplicaCount \(2\)/)
  assert.equal(d.path, 'spec.minReplicaCount')
  assert.equal(d.line, 8)
  assert.deepEqual(d.range.start, { line: 7, character: d.column - 1 })
})

test('lintFiles: files linted together, as the CLI does, in its JSON report', () => {
  const seed = path.join(root, 'examples', 'seed')
  const files = ['keda.yaml', 'workload.yaml'].map((f) => ({
    path: `seed/${f}`,
    text: fs.readFileSync(path.join(seed, f), 'utf8').replace(/minReplicaCount: .*/, 'minReplicaCount: 50'),
  }))
  const report = scalecore.lintFiles(files, { ignore: ['KEDA1020'] })
  assert.deepEqual(report.files.map((f) => f.path), ['seed/keda.yaml', 'seed/workload.yaml'])
  const codes = report.files[0].diagnostics.map((d) => d.code)
  assert.ok(codes.includes('KEDA1004'), codes.join())
  // KEDA4002 reads the Deployment's ServiceAccount, which is in the other file.
  assert.ok(codes.includes('KEDA4002'), codes.join())
  assert.ok(!codes.includes('KEDA1020'))
  assert.ok(!('range' in report.files[0].diagnostics[0]))
  const alone = scalecore.lintFiles(files.slice(0, 1)).files[0].diagnostics.map((d) => d.code)
  assert.ok(!alone.includes('KEDA4002'))
  assert.equal(report.summary.errors, 1)
  assert.throws(() => scalecore.lintFiles(files, { kedaVersion: '1.0' }), { code: 'InvalidArg' })
})

// The fix of a finding, applied by its LSP range, as an editor applies it.
function applyByRange(text, edit) {
  const lines = text.split('\n')
  const at = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character
  return text.slice(0, at(edit.range.start)) + edit.newText + text.slice(at(edit.range.end))
}

test('fixes: a finding carries its fix as data, and fix() applies it', () => {
  const quoted = minOverMax.replace('maxReplicaCount: 2', 'maxReplicaCount: 20').replace('name: orders\nspec', 'name: "ördërs-𝄞"\nspec')
  const unquoted = quoted.replace('value: "60"', 'value: 60')
  const [d] = scalecore.lint(unquoted).filter((x) => x.code === 'KEDA0101')
  assert.equal(d.fixes.length, 1)
  const [f] = d.fixes
  assert.equal(f.applicability, 'safe')
  assert.equal(f.edits[0].newText, '"60"')
  assert.equal(applyByRange(unquoted, f.edits[0]), quoted)
  const r = scalecore.fix(unquoted, { path: 'so.yaml' })
  assert.deepStrictEqual(
    { text: r.text, applied: r.applied, converged: r.converged },
    { text: quoted, applied: 1, converged: true },
  )
  assert.deepStrictEqual(r.remaining, scalecore.lint(quoted))
  assert.ok(!r.remaining.some((x) => x.code === 'KEDA0101'))
  // Options are lint's: an ignored finding is not fixed; a bad one throws at the call.
  assert.equal(scalecore.fix(unquoted, { ignore: ['KEDA0101'] }).text, unquoted)
  // Unsafe fixes come on top of the safe ones (whatever else they change).
  assert.ok(scalecore.fix(unquoted, { unsafeFixes: true }).text.includes('value: "60"'))
  assert.throws(() => scalecore.fix(unquoted, { kedaVersion: 'banana' }), /banana/)
  assert.throws(() => scalecore.fixAsync(unquoted, { positionEncoding: 'utf-7' }), /utf-7/)
  assert.deepStrictEqual(scalecore.fix(''), { text: '', applied: 0, remaining: [], converged: true })
})

test('ranges count UTF-16 code units by default, bytes or scalars on request', () => {
  // A surrogate pair (2 UTF-16 units, 4 bytes, 1 scalar) inside the bad value on its line.
  const text = minOverMax.replace('  minReplicaCount: 5', '  minReplicaCount: {a: 𝄞, b: 1}')
  const at = (encoding) => {
    const d = scalecore.lint(text, { positionEncoding: encoding }).find((x) => x.range.end.character > 0 && text.split('\n')[x.range.end.line].includes('𝄞'))
    assert.ok(d, `no diagnostic on the line with the surrogate pair (${encoding})`)
    return d
  }
  const u16 = at('utf-16')
  const u8 = at('utf-8')
  const u32 = at('utf-32')
  const line = text.split('\n')[u16.range.end.line]
  const prefix = Array.from(line).slice(0, u16.endColumn - 1).join('')
  assert.ok(prefix.includes('𝄞'), 'the range must end after the surrogate pair')
  assert.equal(u16.range.end.character, prefix.length)
  assert.equal(u8.range.end.character, Buffer.byteLength(prefix))
  assert.equal(u32.range.end.character, Array.from(prefix).length)
  assert.equal(u16.range.end.character - u32.range.end.character, 1)
})

test('options reach the core: keda version, strict references', () => {
  const so = fs.readFileSync(path.join(root, 'examples', 'seed', 'keda.yaml'), 'utf8')
  assert.deepEqual(scalecore.lint(so).map((d) => d.code), ['KEDA4001'])
  // A ScaledObject's target Deployment is not in the file: only strict references report it.
  assert.deepEqual(scalecore.lint(so, { strictRefs: true }).map((d) => d.code), ['KEDA4001', 'KEDA3012'])
  // KEDA1004 (min > max) is the webhook's rule since 2.20; an older release does not apply it.
  const since = scalecore.rules().find((r) => r.code === 'KEDA1004').since
  assert.equal(since, '2.20.0')
  assert.ok(scalecore.lint(minOverMax).some((d) => d.code === 'KEDA1004'))
  assert.ok(!scalecore.lint(minOverMax, { kedaVersion: '2.18' }).some((d) => d.code === 'KEDA1004'))
})

test('bad requests throw; findings do not', () => {
  assert.throws(() => scalecore.lint('a: 1', { kedaVersion: 'banana' }), /KEDA version/)
  assert.throws(() => scalecore.lint('a: 1', { positionEncoding: 'utf-7' }), /positionEncoding/)
  assert.throws(() => scalecore.lint(42), /string/i)
  assert.throws(() => scalecore.simulate({ manifest: 'x', bogus: 1 }), /unknown field `bogus`/)
  assert.throws(() => scalecore.simulate('{'), /invalid scenario/)
  assert.throws(() => scalecore.lintAsync('a: 1', { kedaVersion: '3.0' }))
  assert.throws(() => scalecore.simulate(5), /String.*Object/)
  assert.equal(scalecore.lint('{{{{')[0].code, 'KEDA0001')
  assert.deepEqual(scalecore.lint(''), [])
})

test('scenario objects: undefined fields are absent fields, as JSON.stringify makes them', () => {
  const text = fs.readFileSync(path.join(root, 'examples', 'fallback-static.json'), 'utf8')
  const scenario = JSON.parse(text)
  const withUndefined = { ...scenario, until: undefined, queue: undefined }
  assert.deepStrictEqual(scalecore.simulate(withUndefined), scalecore.simulate(text))
  assert.throws(() => scalecore.simulate({ ...scenario, hpaSyncPeriod: 1.5 }), /expected i64/)
})

test('lintAsync runs off the main thread', async () => {
  const so = fs.readFileSync(path.join(root, 'examples', 'seed', 'keda.yaml'), 'utf8')
  const big = Array(400).fill(so).join('\n---\n')
  const t0 = process.hrtime.bigint()
  const sync = scalecore.lint(big)
  const syncNs = process.hrtime.bigint() - t0

  let immediate = false
  setImmediate(() => { immediate = true })
  const t1 = process.hrtime.bigint()
  const pending = scalecore.lintAsync(big)
  const callNs = process.hrtime.bigint() - t1
  assert.ok(pending instanceof Promise)
  const result = await pending
  // The event loop turned (a macrotask ran) while the lint ran elsewhere, and the call itself
  // returned long before a synchronous lint would have.
  assert.ok(immediate, 'the event loop did not turn while lintAsync ran')
  assert.ok(callNs * 5n < syncNs, `lintAsync call took ${callNs} ns, sync lint ${syncNs} ns`)
  assert.deepStrictEqual(result, sync)
})

test('rules: every code once, with summary and help', () => {
  const rules = scalecore.rules()
  const codes = rules.map((r) => r.code)
  assert.equal(new Set(codes).size, codes.length)
  for (const code of ['KEDA0001', 'KEDA0101', 'KEDA1004', 'KEDA4001']) assert.ok(codes.includes(code), code)
  for (const r of rules) {
    assert.ok(r.summary.length > 0, r.code)
    assert.equal(typeof r.help, 'string', r.code)
    assert.ok(['error', 'warning', 'info'].includes(r.severity), r.code)
    assert.ok(r.url.endsWith(`/docs/rules.md#${r.code.toLowerCase()}`), r.url)
  }
  assert.equal(scalecore.API_VERSION, 1)
  assert.match(scalecore.version(), /^\d+\.\d+\.\d+/)
})

test('pathAt: the field under an LSP position, in YAML and JSON, with its kind', () => {
  const yaml = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nspec:\n  triggers:\n    - type: cpu # x\n'
  assert.deepEqual(scalecore.pathAt(yaml, { line: 4, character: 7 }), {
    document: 0,
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    path: ['spec', 'triggers', 0, 'type'],
    onKey: true,
    range: { start: { line: 4, character: 6 }, end: { line: 4, character: 10 } },
  })
  const value = scalecore.pathAt(yaml, { line: 4, character: 13 })
  assert.deepEqual([value.path, value.onKey], [['spec', 'triggers', 0, 'type'], false])
  assert.equal(scalecore.pathAt(yaml, { line: 4, character: 16 }), null, 'a comment')
  const json = '{"kind": "ScaledJob", "spec": {"pollingInterval": 30}}'
  const inJson = scalecore.pathAt(json, { line: 0, character: 33 })
  assert.deepEqual([inJson.kind, inJson.path, inJson.apiVersion], ['ScaledJob', ['spec', 'pollingInterval'], null])
  // "é" is two UTF-8 bytes, one UTF-16 unit: the same key at different characters.
  const accented = 'kind: ScaledObject\nx: {é: 1, k: 2}\n'
  assert.deepEqual(scalecore.pathAt(accented, { line: 1, character: 11 }).path, ['x', 'k'])
  assert.deepEqual(scalecore.pathAt(accented, { line: 1, character: 12 }, 'utf-8').path, ['x', 'k'])
  assert.throws(() => scalecore.pathAt(yaml, { line: 0, character: 0 }, 'utf-7'), /utf-7/)
  assert.throws(() => scalecore.pathAt(yaml, { line: -1, character: 0 }), /invalid position/)
})

test('index.d.ts: a usage file compiles with tsc --noEmit', () => {
  const tsc = require.resolve('typescript/bin/tsc', { paths: [pkg] })
  execFileSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], {
    cwd: pkg,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
})
