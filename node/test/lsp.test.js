// Starts scalecore-lsp as an editor would (a child process speaking LSP over stdio) and checks
// diagnostics as the user types, quick fixes and hover.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const { spawn } = require('node:child_process')
const {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} = require('vscode-languageserver-protocol/node')
const { TextDocument } = require('vscode-languageserver-textdocument')
const scalecore = require('..')

const server = path.resolve(__dirname, '..', 'lsp', 'server.js')
const uri = 'file:///work/keda.yaml'

const triggerAuth = `apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: orders-auth
spec:
  podIdentity:
    provider: azure-workload
`

const scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
spec:
  scaleTargetRef:
    name: orders
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: "60"
`

function start(t) {
  const child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout),
    new StreamMessageWriter(child.stdin),
  )
  const published = []
  const waiters = []
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    published.push(params)
    for (const w of waiters.splice(0)) w()
  })
  connection.listen()
  t.after(async () => {
    try {
      await connection.sendRequest('shutdown')
      await connection.sendNotification('exit')
    } catch {}
    connection.dispose()
    child.kill()
  })
  // The next publishDiagnostics for `uri` after `since` notifications, within 10 s.
  async function nextDiagnostics(since) {
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const found = published.slice(since).find((p) => p.uri === uri)
      if (found) return found
      await new Promise((resolve) => {
        waiters.push(resolve)
        setTimeout(resolve, 200)
      })
    }
    throw new Error('no publishDiagnostics within 10 s')
  }
  return { connection, published, nextDiagnostics }
}

async function initialize(connection, debounceMs = 300, { workspace, options } = {}) {
  const result = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: { general: { positionEncodings: ['utf-16'] }, ...(workspace ? { workspace } : {}) },
    initializationOptions: { debounceMs, ...options },
  })
  await connection.sendNotification('initialized', {})
  return result
}

// What the addon says for the same text, as LSP diagnostics (the server must publish exactly these).
function expected(text) {
  return scalecore.lint(text).map((d) => ({ code: d.code, range: d.range }))
}

test('initialize, didOpen, didChange: diagnostics as the user types, with the right ranges', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  const init = await initialize(connection)
  assert.equal(init.capabilities.positionEncoding, 'utf-16')
  assert.ok(init.capabilities.hoverProvider)
  assert.deepEqual(init.capabilities.codeActionProvider.codeActionKinds, ['quickfix'])

  let seen = published.length
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text: scaledObject },
  })
  const opened = await nextDiagnostics(seen)
  assert.equal(opened.version, 1)
  assert.deepEqual(opened.diagnostics, [], 'a valid ScaledObject has no findings')

  // The user types: min goes above max. Incremental change of one character on line 7.
  seen = published.length
  const line = scaledObject.split('\n').findIndex((l) => l.includes('minReplicaCount'))
  const col = scaledObject.split('\n')[line].indexOf('1')
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + 1 } }, text: '50' }],
  })
  const changed = await nextDiagnostics(seen)
  const text = scaledObject.replace('minReplicaCount: 1', 'minReplicaCount: 50')
  assert.equal(changed.version, 2)
  const [d] = changed.diagnostics
  assert.equal(changed.diagnostics.length, 1)
  assert.equal(d.code, 'KEDA1004')
  assert.equal(d.source, 'scalecore')
  assert.equal(d.severity, 1)
  assert.match(d.message, /minReplicaCount \(50\) is greater than maxReplicaCount \(10\)/)
  assert.deepEqual(d.range, { start: { line, character: col }, end: { line, character: col + 2 } })
  assert.deepEqual(changed.diagnostics.map((x) => ({ code: x.code, range: x.range })), expected(text))

  // Quick typing: three edits inside the debounce window give one lint, of the last text.
  seen = published.length
  for (const [version, value] of [[3, '5'], [4, '3'], [5, '2']]) {
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: col }, end: { line, character: col + (version === 3 ? 2 : 1) } }, text: value }],
    })
  }
  const settled = await nextDiagnostics(seen)
  await new Promise((r) => setTimeout(r, 600))
  assert.equal(settled.version, 5)
  assert.deepEqual(settled.diagnostics, [])
  assert.equal(published.slice(seen).filter((p) => p.uri === uri).length, 1, 'debounced to one publish')
})

test('an opened document is linted at once; edits wait for the debounce', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection, 3000)
  let seen = published.length
  let t0 = Date.now()
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text: triggerAuth },
  })
  assert.equal((await nextDiagnostics(seen)).diagnostics[0].code, 'KEDA4001')
  assert.ok(Date.now() - t0 < 2000, `open took ${Date.now() - t0} ms`)
  seen = published.length
  t0 = Date.now()
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: triggerAuth.replace('azure-workload', 'none') }],
  })
  const changed = await nextDiagnostics(seen)
  assert.equal(changed.version, 2)
  assert.ok(Date.now() - t0 >= 2900, `edit linted after ${Date.now() - t0} ms, before the debounce`)
})

test('documents without a KEDA kind get no findings; closing clears them', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  let seen = published.length
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text: 'apiVersion: apps/v1\nkind: Deployment\nspec: [\n' },
  })
  assert.deepEqual((await nextDiagnostics(seen)).diagnostics, [], 'a broken Deployment is not ours')
  seen = published.length
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ text: triggerAuth + 'oops: [\n' }],
  })
  const broken = await nextDiagnostics(seen)
  assert.ok(broken.diagnostics.some((d) => d.code === 'KEDA0001'), 'a broken KEDA file is')
  seen = published.length
  await connection.sendNotification('textDocument/didClose', { textDocument: { uri } })
  assert.deepEqual((await nextDiagnostics(seen)).diagnostics, [])
})

async function openAndLint(connection, nextDiagnostics, published, text) {
  const seen = published.length
  await connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version: 1, text },
  })
  return (await nextDiagnostics(seen)).diagnostics
}

function apply(text, edits) {
  return TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, text), edits)
}

test('codeAction: quote a number in trigger metadata (KEDA0101)', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const text = scaledObject.replace('value: "60"', 'value: 60')
  const diagnostics = await openAndLint(connection, nextDiagnostics, published, text)
  const d = diagnostics.find((x) => x.code === 'KEDA0101')
  assert.ok(d, `KEDA0101 published: ${JSON.stringify(diagnostics)}`)
  const line = text.split('\n').findIndex((l) => l.includes('value: 60'))
  assert.deepEqual(d.range, { start: { line, character: 15 }, end: { line, character: 17 } })
  const actions = await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics: diagnostics },
  })
  assert.equal(actions.length, 1, JSON.stringify(actions))
  assert.equal(actions[0].kind, 'quickfix')
  assert.equal(actions[0].isPreferred, true)
  assert.equal(actions[0].title, scalecore.lint(text).find((x) => x.code === 'KEDA0101').fixes[0].title)
  assert.match(d.codeDescription.href, /docs\/rules\.md#keda0101$/)
  const fixed = apply(text, actions[0].edit.changes[uri])
  assert.equal(fixed, scaledObject)
  assert.deepEqual(scalecore.lint(fixed), [])

  // After an edit, the published fixes are of the old text: none offered until the next lint.
  await connection.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: 2 },
    contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# x\n' }],
  })
  const stale = await connection.sendRequest('textDocument/codeAction', {
    textDocument: { uri },
    range: d.range,
    context: { diagnostics },
  })
  assert.deepEqual(stale, [])
})

test('hover: rule summary and help, on a diagnostic and on a code in a comment', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const text = `# silence KEDA4001 here?\n${triggerAuth}`
  await openAndLint(connection, nextDiagnostics, published, text)
  const rule = scalecore.rules().find((r) => r.code === 'KEDA4001')

  const onCode = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 13 },
  })
  assert.equal(onCode.contents.kind, 'markdown')
  assert.ok(onCode.contents.value.includes(rule.summary))
  assert.ok(onCode.contents.value.includes(rule.help))

  const onFinding = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 6, character: 5 },
  })
  assert.ok(onFinding.contents.value.includes('KEDA4001'))
  assert.ok(onFinding.contents.value.includes(rule.summary))
  assert.deepEqual(onFinding.range, { start: { line: 6, character: 2 }, end: { line: 6, character: 13 } })

  const nothing = await connection.sendRequest('textDocument/hover', {
    textDocument: { uri },
    position: { line: 0, character: 3 },
  })
  assert.equal(nothing, null, 'a comment off the code')
})

test('hover: a field of a KEDA document shows its description from the CRD', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const text = `${scaledObject}  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown:
          stabilizationWindowSeconds: 30
`
  await openAndLint(connection, nextDiagnostics, published, text)
  const line = text.split('\n').findIndex((l) => l.includes('stabilizationWindowSeconds'))
  const schema = require('../schemas/scaledobject.json')
  const field = schema.properties.spec.properties.advanced.properties.horizontalPodAutoscalerConfig
    .properties.behavior.properties.scaleDown.properties.stabilizationWindowSeconds
  for (const character of [10, 20, 36, 38]) {
    // On the key (its first, a middle and its last character) and on the value.
    const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })
    assert.equal(hover.contents.kind, 'markdown')
    assert.ok(hover.contents.value.includes(field.description), JSON.stringify(hover))
    assert.match(hover.contents.value, /`spec\.advanced\.horizontalPodAutoscalerConfig\.behavior\.scaleDown\.stabilizationWindowSeconds`: integer, minimum 0, maximum 3600/)
    const expected = character > 36 ? { start: 38, end: 40 } : { start: 10, end: 36 }
    assert.deepEqual(hover.range, { start: { line, character: expected.start }, end: { line, character: expected.end } })
  }
  // A field inside a trigger (through the sequence), and one the CRD does not describe.
  const typeLine = text.split('\n').findIndex((l) => l.includes('- type: cpu'))
  const onType = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: typeLine, character: 7 } })
  assert.match(onType.contents.value, /`spec\.triggers\[0\]\.type`: string/)
  const unknown = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: typeLine + 3, character: 9 } })
  assert.match(unknown.contents.value, /`spec\.triggers\[0\]\.metadata\.value`: string/, 'metadata values are strings')
})

test('hover: a finding on a field shows the rule, then the field', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const text = scaledObject.replace('value: "60"', 'value: 60')
  await openAndLint(connection, nextDiagnostics, published, text)
  const line = text.split('\n').findIndex((l) => l.includes('value: 60'))
  const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: 16 } })
  const [finding, field] = hover.contents.value.split('\n\n---\n\n')
  assert.match(finding, /KEDA0101/)
  assert.match(field, /`spec\.triggers\[0\]\.metadata\.value`: string/)
})

// min above max: one KEDA1004, an error.
const minAboveMax = scaledObject.replace('minReplicaCount: 1', 'minReplicaCount: 50')

test('didChangeConfiguration (pushed settings): ignore, severity, select re-lint every open document', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const codes = (p) => p.diagnostics.map((d) => `${d.code}:${d.severity}`)
  const opened = await openAndLint(connection, nextDiagnostics, published, minAboveMax)
  assert.deepEqual(opened.map((d) => d.code), ['KEDA1004'])

  const change = async (scalecore) => {
    const seen = published.length
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: { scalecore } })
    return nextDiagnostics(seen)
  }
  assert.deepEqual(codes(await change({ severity: { KEDA1004: 'warning' } })), ['KEDA1004:2'])
  assert.deepEqual(codes(await change({ ignore: ['KEDA1004'] })), [])
  assert.deepEqual(codes(await change({ select: ['KEDA3'] })), [])
  assert.deepEqual(codes(await change({})), ['KEDA1004:1'], 'removed settings are the defaults again')

  // A misspelt code is refused with a message naming it; the settings in force stay.
  const messages = []
  connection.onNotification('window/showMessage', (m) => messages.push(m))
  const seen = published.length
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: { scalecore: { ignore: ['KEDA1O04'] } } })
  const deadline = Date.now() + 5000
  while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  assert.equal(messages.length, 1)
  assert.equal(messages[0].type, 1)
  assert.match(messages[0].message, /KEDA1O04/)
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: { scalecore: { debounceMs: 'soon' } } })
  while (messages.length === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  assert.match(messages[1].message, /scalecore\.debounceMs must be/)
  assert.equal(published.length, seen, 'invalid settings do not re-lint')
})

test('workspace/configuration: settings pulled at start and on a change; kedaVersion and strictRefs', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  let answer = { strictRefs: true }
  const asked = []
  connection.onRequest('workspace/configuration', (params) => {
    asked.push(params.items)
    return [answer]
  })
  // A ScaledObject whose authenticationRef names a TriggerAuthentication not in the input:
  // only strictRefs reports it.
  // Its scaleDown.tolerance came with KEDA 2.18: under kedaVersion 2.10 it is an unknown field.
  const text =
    scaledObject.replace('        value: "60"\n', '        value: "60"\n      authenticationRef:\n        name: nowhere\n') +
    '  advanced:\n    horizontalPodAutoscalerConfig:\n      behavior:\n        scaleDown:\n          tolerance: "0.1"\n'
  const codesOf = (found) => found.map((d) => d.code)
  const strictCodes = codesOf(scalecore.lint(text, { strictRefs: true }))
  assert.ok(strictCodes.length > codesOf(scalecore.lint(text)).length)
  const oldCodes = codesOf(scalecore.lint(text, { kedaVersion: '2.10' }))
  assert.ok(oldCodes.includes('KEDA0108') && !strictCodes.includes('KEDA0108'))
  await initialize(connection, 300, { workspace: { configuration: true } })
  const deadline = Date.now() + 5000
  while (asked.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(asked[0], [{ section: 'scalecore' }])
  const opened = await openAndLint(connection, nextDiagnostics, published, text)
  assert.deepEqual(codesOf(opened), strictCodes, 'pulled strictRefs applies')

  answer = { strictRefs: false, kedaVersion: '2.10' }
  const seen = published.length
  // A push with no settings: the server pulls them.
  await connection.sendNotification('workspace/didChangeConfiguration', { settings: null })
  const relinted = await nextDiagnostics(seen)
  assert.equal(asked.length, 2)
  assert.deepEqual(codesOf(relinted.diagnostics), oldCodes)
})

test('JSON: a .json KEDA document is linted and hovered; other JSON is not', async (t) => {
  const { connection, published, nextDiagnostics } = start(t)
  await initialize(connection)
  const jsonUri = 'file:///work/keda.json'
  const doc = {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'orders' },
    spec: { scaleTargetRef: { name: 'orders' }, minReplicaCount: 50, maxReplicaCount: 10, triggers: [{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }] },
  }
  const text = JSON.stringify(doc, null, 2)
  const open = async (uri, languageId, body) => {
    const seen = published.length
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: body } })
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline) {
      const found = published.slice(seen).find((p) => p.uri === uri)
      if (found) return found.diagnostics
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`no diagnostics for ${uri}`)
  }
  const diagnostics = await open(jsonUri, 'json', text)
  assert.deepEqual(diagnostics.map((d) => d.code), ['KEDA1004'])
  assert.deepEqual(diagnostics[0].range, scalecore.lint(text)[0].range)
  const line = text.split('\n').findIndex((l) => l.includes('"maxReplicaCount"'))
  const hover = await connection.sendRequest('textDocument/hover', { textDocument: { uri: jsonUri }, position: { line, character: 6 } })
  assert.match(hover.contents.value, /`spec\.maxReplicaCount`: integer/)
  // A Deployment in JSON, broken: not a KEDA document, so no findings. A KEDA document in JSON
  // with comments (jsonc, VS Code's settings files) is left alone too.
  assert.deepEqual(await open('file:///work/deploy.json', 'json', '{"apiVersion": "apps/v1", "kind": "Deployment", "spec": ['), [])
  assert.deepEqual(await open('file:///work/c.json', 'jsonc', `// comment\n${text}`), [])
})
