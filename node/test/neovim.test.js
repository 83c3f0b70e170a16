// End to end in Neovim 0.7 (Debian's): a headless Neovim, configured with the Lua block of
// README.md ("Neovim"), opens a KEDA file, gets scalecore-lsp's KEDA0101 finding, runs the
// code action the way a user picks it from the menu, and the buffer holds the fixed text;
// hover on a field shows it from the CRD.
// node/scripts/test.sh installs Neovim when it is missing; without apt-get to install it, the
// test is skipped and says why.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawn, spawnSync } = require('node:child_process')
const scalecore = require('..')

const pkg = path.resolve(__dirname, '..')

/** The Lua block after the `neovim-config` marker of README.md: what users copy. */
function readmeConfig() {
  const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8')
  const m = /<!-- neovim-config[^>]*-->\n```lua\n([\s\S]*?)```/.exec(readme)
  assert.ok(m, 'README.md has no neovim-config Lua block')
  return m[1]
}

/** Neovim's version, or a reason the test cannot run (a failure unless apt-get is missing). */
function neovim() {
  const r = spawnSync('nvim', ['--version'], { encoding: 'utf8' })
  if (r.error || r.status !== 0) {
    const apt = spawnSync('apt-get', ['--version']).status === 0
    return {
      missing: apt
        ? 'nvim is not installed: run node/scripts/test.sh, which installs Debian\'s neovim'
        : 'neovim is not installed and this machine has no apt-get to install it: the Neovim end-to-end test does not run',
      skip: !apt,
    }
  }
  const v = /NVIM v(\d+)\.(\d+)/.exec(r.stdout)
  return { version: v ? [Number(v[1]), Number(v[2])] : null, banner: r.stdout.split('\n')[0] }
}

const text = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  minReplicaCount: 1
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: 60
`

test('Neovim 0.7: README config, diagnostics, code action applied to the buffer', async (t) => {
  const nvim = neovim()
  if (nvim.missing) {
    if (nvim.skip) return t.skip(nvim.missing)
    assert.fail(nvim.missing)
  }
  assert.ok(nvim.version && (nvim.version[0] > 0 || nvim.version[1] >= 7), `Neovim 0.7 or newer needed: ${nvim.banner}`)

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scalecore-nvim-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  // `scalecore-lsp` on PATH, as npm's bin link puts it.
  fs.mkdirSync(path.join(dir, 'bin'))
  const shim = path.join(dir, 'bin', 'scalecore-lsp')
  fs.writeFileSync(shim, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(pkg, 'lsp', 'server.js'))} "$@"\n`)
  fs.chmodSync(shim, 0o755)
  fs.writeFileSync(path.join(dir, 'init.lua'), readmeConfig())
  const file = path.join(dir, 'orders.yaml')
  fs.writeFileSync(file, text)
  const out = path.join(dir, 'report.json')

  const child = spawn(
    'nvim',
    ['--headless', '--clean', '-c', `luafile ${path.join(dir, 'init.lua')}`, '-c', `luafile ${path.join(__dirname, 'neovim', 'driver.lua')}`],
    {
      cwd: dir,
      env: {
        ...process.env,
        PATH: `${path.join(dir, 'bin')}${path.delimiter}${process.env.PATH}`,
        XDG_CONFIG_HOME: path.join(dir, 'config'),
        XDG_DATA_HOME: path.join(dir, 'data'),
        XDG_STATE_HOME: path.join(dir, 'state'),
        XDG_CACHE_HOME: path.join(dir, 'cache'),
        SCALECORE_NVIM_FILE: file,
        SCALECORE_NVIM_OUT: out,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (b) => (output += b))
  child.stderr.on('data', (b) => (output += b))
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000)
  const code = await new Promise((resolve) => child.on('exit', resolve))
  clearTimeout(timer)
  assert.ok(fs.existsSync(out), `Neovim wrote no report (exit ${code}): ${output}`)
  const report = JSON.parse(fs.readFileSync(out, 'utf8'))
  assert.equal(report.error, undefined, `${report.error}\n${output}`)

  assert.equal(report.filetype, 'yaml')
  const [finding] = scalecore.lint(text).filter((d) => d.code === 'KEDA0101')
  assert.equal(report.diagnostic.source, 'scalecore')
  assert.equal(report.diagnostic.message, finding.message)
  assert.deepEqual([report.diagnostic.lnum, report.diagnostic.col, report.diagnostic.end_col], [finding.range.start.line, finding.range.start.character, finding.range.end.character])
  assert.match(report.choices[0], new RegExp(finding.fixes[0].title))
  assert.equal(report.text, text.replace('value: 60', 'value: "60"'))
  assert.ok(report.cleared, 'the finding went once the fixed buffer was linted')
  assert.match(report.hover ?? '', /`spec\.minReplicaCount`: integer/, 'hover on a field')
})
