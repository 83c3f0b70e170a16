// The scalecore extension: starts scalecore's language server (the `scalecore` npm package's
// lsp/server.js, shipped inside the extension) and connects VS Code to it. The server runs on
// the package's WebAssembly (WASI) build, so one extension works on every OS VS Code runs on.
'use strict'

const path = require('node:path')
const vscode = require('vscode')
const { LanguageClient, TransportKind } = require('vscode-languageclient/node')

let client

function serverModule() {
  return require.resolve('scalecore/lsp/server.js', { paths: [__dirname] })
}

async function activate(context) {
  const module = serverModule()
  // The native addon would tie the extension to one platform; the WASI build runs anywhere.
  const env = { ...process.env, NAPI_RS_FORCE_WASI: '1' }
  const run = { module, transport: TransportKind.ipc, options: { env, cwd: path.dirname(module) } }
  client = new LanguageClient(
    'scalecore',
    'scalecore',
    { run, debug: run },
    {
      documentSelector: [
        { scheme: 'file', language: 'yaml' },
        { scheme: 'file', language: 'json' },
        { scheme: 'untitled', language: 'yaml' },
      ],
      synchronize: { configurationSection: 'scalecore' },
      initializationOptions: vscode.workspace.getConfiguration('scalecore'),
    },
  )
  context.subscriptions.push(client)
  await client.start()
}

async function deactivate() {
  if (client) await client.stop()
}

module.exports = { activate, deactivate }
