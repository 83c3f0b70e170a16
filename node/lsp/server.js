#!/usr/bin/env node
// scalecore-lsp: a language server (stdio) for KEDA manifests. Lints YAML documents that name a
// KEDA kind as the user types, offers quick fixes, and explains rule codes on hover.
'use strict'

const { createConnection, TextDocuments, TextDocumentSyncKind, ProposedFeatures } = require('vscode-languageserver/node')
const { TextDocument } = require('vscode-languageserver-textdocument')
const scalecore = require('..')
const { isKeda, toLsp } = require('./keda')
const { codeActions } = require('./fixes')
const { hoverAt } = require('./hover')
const { fieldHover } = require('./schema')

// stdio unless the client asked for another transport (`--node-ipc`, `--socket=N`, `--pipe=P`).
const otherTransport = process.argv.some((a) => /^--(node-ipc|socket|pipe)/.test(a))
const connection = otherTransport
  ? createConnection(ProposedFeatures.all)
  : createConnection(ProposedFeatures.all, process.stdin, process.stdout)
const documents = new TextDocuments(TextDocument)
const rules = new Map(scalecore.rules().map((r) => [r.code, r]))

const settings = { debounceMs: 200, kedaVersion: undefined, strictRefs: false }
const timers = new Map()
// The diagnostics last published per document, for hover.
const published = new Map()

connection.onInitialize((params) => {
  const o = params.initializationOptions ?? {}
  if (Number.isFinite(o.debounceMs) && o.debounceMs >= 0) settings.debounceMs = o.debounceMs
  if (typeof o.kedaVersion === 'string') settings.kedaVersion = o.kedaVersion
  if (typeof o.strictRefs === 'boolean') settings.strictRefs = o.strictRefs
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

async function validate(document) {
  const { uri, version } = document
  let diagnostics = []
  if (isKeda(document)) {
    try {
      const found = await scalecore.lintAsync(document.getText(), {
        path: uri,
        positionEncoding: 'utf-16',
        kedaVersion: settings.kedaVersion,
        strictRefs: settings.strictRefs,
      })
      diagnostics = found.map(toLsp)
    } catch (e) {
      connection.console.error(`scalecore: ${e.message}`)
      return
    }
  }
  // A newer edit arrived (or the document closed) while this one was linted: its own run publishes.
  const current = documents.get(uri)
  if (!current || current.version !== version) return
  published.set(uri, diagnostics)
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
  connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] })
})

connection.onCodeAction((params) => {
  const document = documents.get(params.textDocument.uri)
  if (!document) return []
  return codeActions(document.uri, document.getText(), params.context.diagnostics)
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
