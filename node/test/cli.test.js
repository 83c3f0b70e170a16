// `npx scalecore` (bin/scalecore.js): the scalecore command line run by the addon, and by the
// WebAssembly build with NAPI_RS_FORCE_WASI=error, compared to the byte (stdout, stderr, exit
// status) with the native binary, target/debug/scalecore, run the same way.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')

const pkg = path.resolve(__dirname, '..')
const root = path.resolve(pkg, '..')
const bin = path.join(pkg, 'bin', 'scalecore.js')
const native = path.join(root, 'target', 'debug', 'scalecore')

// An I/O error's message ends with the OS's error number: WASI numbers them its own way
// (ENOENT is 44 there, 2 on Linux), so for that build only the number is left out.
const osErrorNumber = / \(os error \d+\)/g
const builds = [
  { name: 'addon', env: {}, target: 'native', same: (r) => r },
  {
    name: 'WebAssembly',
    env: { NAPI_RS_FORCE_WASI: 'error' },
    target: 'wasm32-wasi',
    same: (r) => ({ ...r, stderr: r.stderr.replace(osErrorNumber, ' (os error N)') }),
  },
]

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

function run(command, args, { cwd = root, input, env = {} } = {}) {
  const r = spawnSync(command, args, {
    cwd,
    input,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  })
  if (r.error) throw r.error
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}
const npx = (build, args, options = {}) =>
  run(process.execPath, [bin, ...args], { ...options, env: { ...build.env, ...options.env } })
const cli = (args, options) => run(native, args, options)

// Relative paths throughout: the WebAssembly build has to start from Node's folder too.
const cases = [
  [0, ['lint', 'examples/seed']],
  [0, ['lint', '--format', 'json', 'examples/seed']],
  [1, ['lint', '--format', 'sarif', 'tests/vectors/validation']],
  [1, ['lint', '--format', 'github', 'tests/vectors/validation']],
  [1, ['lint', '--fail-on', 'warning', '--select', 'KEDA4', 'examples/seed']],
  [1, ['lint', '--diff', 'tests/vectors/fixes']],
  [1, ['lint', '-'], { input: minOverMax }],
  [1, ['lint', '--format', 'json', '-'], { input: minOverMax }],
  [0, ['simulate', 'examples/seed-servicebus-queue.json']],
  [0, ['simulate', '--format', 'json', 'examples/seed-servicebus-queue.json']],
  [0, ['simulate', '--format', 'csv', 'examples/cpu-unready-pods.json']],
  [0, ['simulate', '-'], { input: fs.readFileSync(path.join(root, 'examples', 'fallback-static.json'), 'utf8') }],
  [0, ['rules']],
  [0, ['rules', '--format', 'json']],
  [0, ['rules', '--format', 'markdown']],
  [0, ['rules', 'keda2002']],
  [0, ['lint', '--help']],
  [0, ['simulate', '--help']],
  [0, ['rules', '--help']],
  [0, ['--version']],
  [2, ['lint', '--format', 'yaml', 'examples/seed']],
  [2, ['lint', 'examples/seed/nowhere.yaml']],
  [2, ['lint', '--keda-version', 'banana', 'examples/seed']],
  [2, ['lint']],
  [2, ['simulate', 'no-such-scenario.json']],
  [2, ['rules', 'KEDA9999']],
  [2, ['frobnicate']],
]

for (const build of builds) {
  test(`npx scalecore on the ${build.name}: the native binary's output and status, to the byte`, () => {
    const loaded = run(process.execPath, ['-p', "require('./index.js').__napiBindingTarget"], { cwd: pkg, env: build.env })
    assert.equal(loaded.stdout.trim(), build.target, loaded.stderr)
    for (const [status, args, options] of cases) {
      const ours = npx(build, args, options)
      const theirs = cli(args, options)
      const label = `scalecore ${args.join(' ')}`
      assert.equal(theirs.status, status, `${label} (native): ${theirs.stderr}`)
      assert.deepEqual(build.same(ours), build.same(theirs), label)
      // Each case says something: a report, help, or an error on stderr.
      assert.ok(ours.stdout.length + ours.stderr.length > 0, label)
    }
  })

  test(`npx scalecore lint --fix on the ${build.name}: the same files and output as the native binary`, () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scalecore-fix-'))
    try {
      const copy = (name) => {
        const dir = path.join(tmp, name)
        fs.cpSync(path.join(root, 'tests', 'vectors', 'fixes'), dir, { recursive: true })
        // A scalecore.toml beside the files applies to both: KEDA0101's fix stays undone.
        fs.writeFileSync(path.join(dir, 'scalecore.toml'), 'ignore = ["KEDA0101"]\n')
        return dir
      }
      const ours = copy('npx')
      const theirs = copy('native')
      for (const args of [['lint', '--fix', '.'], ['lint', '--fix', '--unsafe-fixes', '.']]) {
        const a = npx(build, args, { cwd: ours })
        const b = cli(args, { cwd: theirs })
        assert.deepEqual(build.same(a), build.same(b), args.join(' '))
      }
      const files = fs.readdirSync(theirs).sort()
      assert.deepEqual(fs.readdirSync(ours).sort(), files)
      let changed = 0
      for (const f of files) {
        const fixed = fs.readFileSync(path.join(ours, f), 'utf8')
        assert.equal(fixed, fs.readFileSync(path.join(theirs, f), 'utf8'), f)
        const original = path.join(root, 'tests', 'vectors', 'fixes', f)
        if (fs.existsSync(original) && fs.readFileSync(original, 'utf8') !== fixed) changed++
      }
      assert.ok(changed >= 3, `only ${changed} files changed`)
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
}

// A simulation long enough to interrupt: the seed's ScaledObject with ten triggers, for 11 days.
function longScenario(dir) {
  const so = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders-worker
  namespace: shop
spec:
  scaleTargetRef:
    name: orders-worker
  minReplicaCount: 0
  maxReplicaCount: 10
  triggers:
`
  let triggers = ''
  for (let i = 0; i < 10; i++) {
    triggers += `    - type: azure-servicebus
      name: orders${i}
      metadata:
        namespace: contoso-sb
        queueName: orders
        messageCount: "5"
`
  }
  const file = path.join(dir, 'long.json')
  fs.writeFileSync(file, JSON.stringify({ manifest: so + triggers, until: 990_000, steps: [{ t: 0, metrics: { orders0: 10 } }] }))
  return file
}

function interrupted(build, scenario, after) {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [bin, 'simulate', scenario], {
      env: { ...process.env, ...build.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    setTimeout(() => child.kill('SIGINT'), after)
    child.on('error', reject)
    child.on('close', (code, signal) => resolve({ code, signal, stderr, took: performance.now() - started }))
  })
}

for (const build of builds) {
  test(`Ctrl-C stops npx scalecore simulate on the ${build.name}`, async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'scalecore-int-'))
    try {
      const scenario = longScenario(tmp)
      const started = performance.now()
      const whole = npx(build, ['simulate', scenario])
      const took = performance.now() - started
      assert.equal(whole.status, 0, whole.stderr)
      assert.ok(took > 1000, `the long run took only ${took} ms: nothing to interrupt`)
      const r = await interrupted(build, scenario, took * 0.6)
      if (build.target === 'native') {
        // The run asks the signal whether to go on, and says 130 as shells do.
        assert.deepEqual([r.code, r.signal, r.stderr], [130, null, ''])
      } else {
        // WASI code sees no signals: Node's own handler ends the process with SIGINT, which
        // shells report as 130 too.
        assert.deepEqual([r.code, r.signal], [null, 'SIGINT'])
      }
      assert.ok(r.took < took * 0.95, `stopped after ${r.took} ms of a ${took} ms run`)
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true })
    }
  })
}
