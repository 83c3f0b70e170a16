#!/usr/bin/env bash
# The VS Code extension as VS Code gets it: the .vsix unpacked in a clean folder, its manifest
# checked (entry point, the schema it contributes, LICENSE), then its bundled language server
# started the way the extension starts it (the WASI build forced) and driven over LSP: a broken
# ScaledObject must draw scalecore's diagnostics, a clean one none.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
vsix=$(ls dist/scalecore-vscode-*.vsix | head -1)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$vsix" "$dir"
ext="$dir/extension"
node - "$ext" <<'JS'
const fs = require('node:fs')
const path = require('node:path')
const ext = process.argv[2]
const pkg = JSON.parse(fs.readFileSync(path.join(ext, 'package.json'), 'utf8'))
const need = (p, what) => { if (!fs.existsSync(path.join(ext, p))) { console.error(`vsix lacks ${what}: ${p}`); process.exit(1) } }
need(pkg.main, 'its entry point')
for (const v of pkg.contributes.yamlValidation) need(v.url, 'the schema it contributes')
need('LICENSE.txt', 'the LICENSE (vsce names it LICENSE.txt)')
need('node_modules/scalecore/lsp/server.js', 'the language server')
need('node_modules/vscode-languageclient/node.js', 'vscode-languageclient')
if (fs.readdirSync(ext).some((f) => f.endsWith('.tgz'))) { console.error('vsix carries npm tarballs'); process.exit(1) }
const natives = fs.readdirSync(path.join(ext, 'node_modules/scalecore')).filter((f) => f.endsWith('.node'))
if (natives.length) { console.error(`vsix carries platform binaries: ${natives}`); process.exit(1) }
console.log(`vsix: ${pkg.name} ${pkg.version}, entry ${pkg.main}, server and schemas present`)
JS
NAPI_RS_FORCE_WASI=1 node - "$ext/node_modules/scalecore/lsp/server.js" <<'JS'
const { spawn } = require('node:child_process')
const server = spawn(process.execPath, [process.argv[2], '--stdio'], {
  env: { ...process.env, NAPI_RS_FORCE_WASI: '1' },
  stdio: ['pipe', 'pipe', 'inherit'],
})
let buf = Buffer.alloc(0)
const waiting = []
server.stdout.on('data', (d) => {
  buf = Buffer.concat([buf, d])
  for (;;) {
    const head = buf.indexOf('\r\n\r\n')
    if (head < 0) return
    const len = Number(/Content-Length: (\d+)/i.exec(buf.slice(0, head).toString())[1])
    if (buf.length < head + 4 + len) return
    const msg = JSON.parse(buf.slice(head + 4, head + 4 + len).toString())
    buf = buf.slice(head + 4 + len)
    if (msg.method === 'workspace/configuration') send({ jsonrpc: '2.0', id: msg.id, result: [{}] })
    for (const w of [...waiting]) if (w.match(msg)) { waiting.splice(waiting.indexOf(w), 1); w.resolve(msg) }
  }
})
const send = (m) => { const s = JSON.stringify(m); server.stdin.write(`Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`) }
const next = (match) => new Promise((resolve, reject) => {
  waiting.push({ match, resolve })
  setTimeout(() => reject(new Error('no answer from the language server within 60 s')), 60000).unref()
})
const so = (min) => `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: orders\nspec:\n  scaleTargetRef:\n    name: orders\n  minReplicaCount: ${min}\n  maxReplicaCount: 10\n  triggers:\n  - type: cron\n    metadata:\n      timezone: Etc/UTC\n      start: 0 8 * * *\n      end: 0 18 * * *\n      desiredReplicas: "5"\n`
;(async () => {
  send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: process.pid, rootUri: null, capabilities: {} } })
  const init = await next((m) => m.id === 1)
  if (!init.result.capabilities.codeActionProvider) throw new Error('no code actions offered')
  send({ jsonrpc: '2.0', method: 'initialized', params: {} })
  for (const [uri, min, want] of [['file:///w/bad.yaml', 12, true], ['file:///w/good.yaml', 1, false]]) {
    const published = next((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri)
    send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri, languageId: 'yaml', version: 1, text: so(min) } } })
    const codes = (await published).params.diagnostics.filter((d) => d.severity === 1).map((d) => d.code)
    if (want !== codes.length > 0) throw new Error(`${uri}: errors ${JSON.stringify(codes)}`)
    console.log(`${uri}: ${codes.length ? codes.join(', ') : 'no errors'}`)
  }
  send({ jsonrpc: '2.0', id: 2, method: 'shutdown' })
  await next((m) => m.id === 2)
  send({ jsonrpc: '2.0', method: 'exit' })
})().catch((e) => { console.error(e.message); server.kill(); process.exit(1) })
JS
echo "vscode: the extension's language server lints on the WASI build"
