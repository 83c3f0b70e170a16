#!/usr/bin/env node
// `npx scalecore`: the scalecore command line (lint, simulate, rules) of the native binary,
// run by the addon (or its WebAssembly build) in this process. The Rust code parses the
// arguments and writes the output, so both are the native binary's to the byte.
'use strict'

// Where the WebAssembly build answers, Node warns that WASI is experimental on every run; a
// command's output is no place for that. Other warnings still print.
const emitWarning = process.emitWarning
process.emitWarning = function (warning, ...rest) {
  if (String(warning && warning.message !== undefined ? warning.message : warning).startsWith('WASI is an experimental')) return
  return emitWarning.call(process, warning, ...rest)
}

let binding
try {
  binding = require('../index.js')
} catch (e) {
  process.stderr.write(`scalecore: ${e && e.message ? e.message : e}\n`)
  process.exit(2)
}
process.exitCode = binding.cli(['scalecore', ...process.argv.slice(2)], process.cwd())
