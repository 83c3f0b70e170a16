#!/usr/bin/env node
// scalecore-lsp: a language server (stdio) for KEDA manifests. Lints YAML and JSON documents that
// name a KEDA kind as the user types, offers quick fixes, and explains rule codes and fields on
// hover.
'use strict'

const {
  createConnection,
  DidChangeConfigurationNotification,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
} = require('vscode-languageserver/node')
const { TextDocument } = require('vscode-languageserver-textdocument')
const scalecore = require('..')
const { isKeda, toLsp } = require('./keda')
const { codeActions } = require('./fixes')
const { hoverAt } = require('./hover')
const { fieldHover } = require('./schema')
const { DEFAULTS, readSettings, lintOptions } = require('./settings')

// stdio unless the client asked for another transport (`--node-ipc`, `--socket=N`, `--pipe=P`).
const otherTransport = process.argv.some((a) => /^--(node-ipc|socket|pipe)/.test(a))
const connection = otherTransport
  ? createConnection(ProposedFeatures.all)
  : createConnection(ProposedFeatures.all, process.stdin, process.stdout)
const documents = new TextDocuments(TextDocument)
const rules = new Map(scalecore.rules().map((r) => [r.code, r]))
const urls = new Map([...rules].map(([code, r]) => [code, r.url]))

let settings = { ...DEFAULTS }
// Bumped when the settings change: a lint that started under older settings does not publish.
let generation = 0
const timers = new Map()
// The diagnostics last published per document, for hover, and the version they are of.
const published = new Map()
const linted = new Map()
let canPull = false
let canRegister = false
// initializationOptions: the base that configuration from the client overrides key by key.
let initial = {}

connection.onInitialize((params) => {
  const o = params.initializationOptions
  initial = o && typeof o === 'object' && !Array.isArray(o) ? o : {}
  const read = readSettings(initial)
  if (read.settings) settings = read.settings
  else connection.console.error(read.error)
  canPull = params.capabilities.workspace?.configuration === true
  canRegister = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true
  return {
    capabilities: {
      // Ranges come from the addon in UTF-16 units, as TextDocument counts them.
      positionEncoding: 'utf-16',
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      hoverProvider: true,
    },
    serverInfo: { name: 'scalecore-lsp', version: scalecore.version() },
  }
})

connection.onInitialized(async () => {
  // Clients that register notifications dynamically (VS Code) send configuration changes only
  // to servers that ask for them.
  if (canRegister) {
    connection.client.register(DidChangeConfigurationNotification.type, { section: 'scalecore' }).catch(() => {})
  }
  if (canPull) await pullSettings()
})

/** Asks the client for the `scalecore` section (workspace/configuration) and applies it. */
async function pullSettings() {
  try {
    const [pulled] = await connection.sendRequest('workspace/configuration', { items: [{ section: 'scalecore' }] })
    applySettings(pulled)
  } catch (e) {
    connection.console.error(`scalecore: workspace/configuration failed: ${e.message}`)
  }
}

/**
 * Configuration from the client over initializationOptions (a key it does not set keeps its
 * initial value) re-lints every open document; invalid settings are reported and not taken.
 */
function applySettings(raw) {
  const given = raw && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}
  const merged = { ...initial }
  for (const [key, value] of Object.entries(given)) if (value !== null && value !== undefined) merged[key] = value
  const read = readSettings(merged)
  if (!read.settings) {
    // A notification, not showMessageRequest: nothing to answer, and every client shows it.
    connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: read.error })
    return
  }
  if (JSON.stringify(read.settings) === JSON.stringify(settings)) return
  settings = read.settings
  generation++
  for (const document of documents.all()) schedule(document, 0)
}

connection.onDidChangeConfiguration((params) => {
  // Pull when the client can answer: a push may carry every section or none (`settings: null`).
  if (canPull) return pullSettings()
  applySettings(params.settings?.scalecore)
})

async function validate(document) {
  const { uri, version } = document
  const started = generation
  let diagnostics = []
  if (isKeda(document)) {
    try {
      const found = await scalecore.lintAsync(document.getText(), lintOptions(settings, uri))
      diagnostics = found.map((d) => toLsp(d, urls))
    } catch (e) {
      connection.console.error(`scalecore: ${e.message}`)
      return
    }
  }
  // A newer edit arrived (or the document closed) while this one was linted: its own run publishes.
  const current = documents.get(uri)
  if (!current || current.version !== version || generation !== started) return
  published.set(uri, diagnostics)
  linted.set(uri, version)
  connection.sendDiagnostics({ uri, version, diagnostics })
}

function schedule(document, delay) {
  clearTimeout(timers.get(document.uri))
  timers.set(
    document.uri,
    setTimeout(() => {
      timers.delete(document.uri)
      validate(document)
    }, delay),
  )
}

// TextDocuments reports an open as an open and then a content change: lint an opened document
// at once, and debounce only the edits that follow.
const opened = new Set()
documents.onDidOpen((e) => opened.add(e.document.uri))
documents.onDidChangeContent((e) => {
  const delay = opened.delete(e.document.uri) ? 0 : settings.debounceMs
  schedule(e.document, delay)
})
documents.onDidClose((e) => {
  clearTimeout(timers.get(e.document.uri))
  timers.delete(e.document.uri)
  published.delete(e.document.uri)
  linted.delete(e.document.uri)
  connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] })
})

connection.onCodeAction((params) => {
  const document = documents.get(params.textDocument.uri)
  // The fixes' ranges are those of the text last linted: after an edit they may not match,
  // and the next publish (after the debounce) brings fixes for the new text.
  if (!document || linted.get(document.uri) !== document.version) return []
  return codeActions(document.uri, params.context.diagnostics)
})

connection.onHover((params) => {
  const document = documents.get(params.textDocument.uri)
  if (!document) return null
  const { line } = params.position
  const lineText = document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } })
  let field = null
  if (isKeda(document)) {
    const found = scalecore.pathAt(document.getText(), params.position, 'utf-16')
    const markdown = fieldHover(found)
    if (markdown) field = { markdown, range: found.range }
  }
  return hoverAt(rules, lineText, params.position, published.get(document.uri) ?? [], field)
})

documents.listen(connection)
connection.listen()
