// The editor schema in yaml-language-server itself (what VS Code's YAML extension, Neovim's
// yamlls and Helix run), configured as README.md says (`yaml.schemas`: keda.json for a glob):
// in a file with a Deployment and a ScaledObject, the KEDA document's misspelt field and wrong
// types are reported, the Deployment is not checked, and hover shows the CRD's description.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { pathToFileURL } = require('node:url')
const { spawn } = require('node:child_process')
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} = require('vscode-languageserver-protocol/node')

const schema = pathToFileURL(path.resolve(__dirname, '..', 'schemas', 'keda.json')).href
const uri = 'file:///work/deploy/keda/orders.yaml'
const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
spec:
  notAKedaField: 1
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  pollingIntervall: 30
  maxReplicaCount: ten
  triggers:
    - type: cpu
      metadata:
        value: 60
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 30
`

test('yaml-language-server with yaml.schemas -> keda.json: errors on the KEDA document only, hover from the CRD', async (t) => {
  const server = require.resolve('yaml-language-server/bin/yaml-language-server')
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin))
  t.after(() => {
    connection.dispose()
    child.kill()
  })
  // schemaStore off: no fetch of the public catalogue; the test needs no network.
  const settings = { yaml: { schemas: { [schema]: 'deploy/keda/*.yaml' }, schemaStore: { enable: false }, validate: true, hover: true } }
  connection.onRequest('workspace/configuration', (p) => p.items.map((i) => (i.section === 'yaml' ? settings.yaml : null)))
  const published = []
  connection.onNotification('textDocument/publishDiagnostics', (p) => published.push(p))
  connection.listen()
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: 'file:///work',
    capabilities: { workspace: { configuration: true }, textDocument: { hover: { contentFormat: ['markdown'] } } },
  })
  await connection.sendNotification('initialized', {})
  await connection.sendNotification('workspace/didChangeConfiguration', { settings })
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } })

  const lines = text.split('\n')
  const lineOf = (s) => lines.findIndex((l) => l.includes(s))
  const want = [lineOf('pollingIntervall'), lineOf('maxReplicaCount: ten'), lineOf('value: 60')]
  let found = []
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    found = published.filter((p) => p.uri === uri).flatMap((p) => p.diagnostics)
    if (want.every((line) => found.some((d) => d.range.start.line === line))) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const messages = found.map((d) => `${d.range.start.line}: ${d.message}`)
  assert.ok(found.some((d) => d.range.start.line === want[0] && /pollingIntervall/.test(d.message)), messages.join('\n'))
  assert.ok(found.some((d) => d.range.start.line === want[1] && /integer/.test(d.message)), messages.join('\n'))
  assert.ok(found.some((d) => d.range.start.line === want[2] && /string/.test(d.message)), messages.join('\n'))
  assert.ok(!found.some((d) => d.range.start.line < 6), `the Deployment is not checked: ${messages.join('\n')}`)

  const hover = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: lineOf('stabilizationWindowSeconds'), character: 14 },
  })
  assert.match(hover.contents.value, /stabilizationWindowSeconds is the number of seconds/)
})
