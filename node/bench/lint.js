// Lint of a 200-line manifest per call through the addon (target: at most 0.5 ms per call).
// Run after `npm run build` (release): `npm run bench`. Prints one JSON line per case.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const scalecore = require('..')

const root = path.resolve(__dirname, '..', '..')
const seed = fs.readFileSync(path.join(root, 'examples', 'seed', 'keda.yaml'), 'utf8')
const workload = fs.readFileSync(path.join(root, 'examples', 'seed', 'workload.yaml'), 'utf8')

/** The seed's TriggerAuthentication, ScaledObject and Deployment, renamed per copy, to 200 lines. */
function manifest(lines) {
  const parts = []
  let count = 0
  for (let i = 0; count < lines; i++) {
    const copy = `${seed}\n---\n${workload}`.replaceAll('orders-', `orders${i}-`).trimEnd()
    parts.push(copy)
    count += copy.split('\n').length + 1
  }
  return parts.join('\n---\n').split('\n').slice(0, lines).join('\n') + '\n'
}

function measure(name, fn, { seconds = 2 } = {}) {
  for (let i = 0; i < 200; i++) fn()
  const samples = []
  const cpu0 = process.cpuUsage()
  const end = process.hrtime.bigint() + BigInt(seconds * 1e9)
  while (process.hrtime.bigint() < end) {
    // One call per sample: on a busy machine a longer sample is more often cut by the scheduler.
    const t0 = process.hrtime.bigint()
    fn()
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6)
  }
  const cpu = process.cpuUsage(cpu0)
  // CPU time of this process per call: what the call costs, less sensitive than wall time
  // to other processes competing for the cores.
  const cpuMs = (cpu.user + cpu.system) / 1000 / samples.length
  samples.sort((a, b) => a - b)
  const pick = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length
  const row = { case: name, calls: samples.length, meanMs: +mean.toFixed(4), p50Ms: +pick(0.5).toFixed(4), p99Ms: +pick(0.99).toFixed(4), cpuMs: +cpuMs.toFixed(4) }
  console.log(JSON.stringify(row))
  return row
}

const text = manifest(200)
const found = scalecore.lint(text)
console.log(JSON.stringify({ lines: text.split('\n').length - 1, documents: text.split('\n---\n').length, diagnostics: found.length }))
const big = measure('lint 200-line manifest', () => scalecore.lint(text))
measure('lint one ScaledObject (seed, 33 lines)', () => scalecore.lint(seed))
const scenario = fs.readFileSync(path.join(root, 'examples', 'seed-servicebus-queue.json'), 'utf8')
measure('simulate seed-servicebus-queue.json', () => scalecore.simulate(scenario), { seconds: 1 })
if (process.argv.includes('--check') && big.cpuMs > 0.5) {
  console.error(`lint of 200 lines: ${big.cpuMs} ms CPU per call > 0.5 ms`)
  process.exit(1)
}
