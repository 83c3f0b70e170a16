#!/usr/bin/env node
// Copies the editor schemas (docs/schemas/keda/*.json, generated from the CRDs by the core's
// tests) into the package's schemas/, which the language server reads for hover and the npm
// package ships. Run by `npm run build`, `npm pack` and scripts/test.sh.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const from = path.resolve(__dirname, '..', '..', 'docs', 'schemas', 'keda')
const to = path.resolve(__dirname, '..', 'schemas')
fs.mkdirSync(to, { recursive: true })
for (const name of fs.readdirSync(from).filter((n) => n.endsWith('.json'))) {
  fs.copyFileSync(path.join(from, name), path.join(to, name))
}
