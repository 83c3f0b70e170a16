#!/usr/bin/env node
// Cuts the loader that `napi build` generates (index.js) down to the platforms scalecore
// ships. napi writes one branch for each of twenty platforms whatever the package builds, so
// on macOS or Windows the loader would look for packages that were never published and then
// blame an npm bug. After this, it tries the Linux packages (x64 and arm64, glibc and musl),
// then the WebAssembly package, and says so when none loads. Run after every `napi build`
// (package.json's build scripts and scripts/test.sh do); it fails when napi's output no longer
// has the shape it cuts, rather than leave a loader half edited.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const root = path.join(__dirname, '..')
const file = path.join(root, process.argv[2] || 'index.js')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))

// The branches kept below are exactly these targets' (the WASI one is napi's own fallback
// chain): a target added to package.json needs its branch here too.
const shipped = [
  'x86_64-unknown-linux-gnu',
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-gnu',
  'aarch64-unknown-linux-musl',
  'wasm32-wasip1-threads',
]
const targets = pkg.napi.targets
if (JSON.stringify([...targets].sort()) !== JSON.stringify([...shipped].sort())) {
  fail(`package.json napi.targets (${targets.join(', ')}) are not the targets this script keeps`)
}

let text = fs.readFileSync(file, 'utf8')
if (text.includes('scalecore has no native addon for')) {
  process.exit(0) // already trimmed
}

const start = text.indexOf("  } else if (process.platform === 'android') {")
const end = text.indexOf('\n}\n\nfunction createLoadErrorChain')
const linux = text.indexOf("  } else if (process.platform === 'linux') {", start)
const x64 = text.indexOf("    if (process.arch === 'x64') {", linux)
const arm = text.indexOf("    } else if (process.arch === 'arm') {", x64)
if (start < 0 || end < start || linux < start || linux > end || x64 < 0 || arm < x64 || arm > end) {
  fail("the platform branches of napi's loader are not where they were")
}
const branches = text.slice(x64, arm)
for (const tuple of ['linux-x64-gnu', 'linux-x64-musl', 'linux-arm64-gnu', 'linux-arm64-musl']) {
  if (!branches.includes(`require('scalecore-${tuple}')`)) fail(`no branch for ${tuple}`)
}
text =
  text.slice(0, start) +
  "  } else if (process.platform === 'linux') {\n" +
  branches +
  '    } else {\n' +
  '      loadErrors.push(new Error(`scalecore has no native addon for Linux on ${process.arch}`))\n' +
  '    }\n' +
  '  } else {\n' +
  '    loadErrors.push(new Error(`scalecore has no native addon for ${process.platform} on ${process.arch}`))\n' +
  '  }' +
  text.slice(end)

const npmBug = /`Cannot find native binding\. ` \+\n\s*`npm has a bug[^\n]*\n\s*'Please try[^\n]*\n/
if (!npmBug.test(text)) fail("napi's load error message is not where it was")
text = text.replace(
  npmBug,
  '`scalecore could not load its native addon (built for Linux x64 and arm64, glibc and musl) ` +\n' +
    "        'nor its WebAssembly build (the optional dependency scalecore-wasm32-wasi, which npm installs ' +\n" +
    "        'on every platform): install scalecore again, without --omit=optional or --no-optional. ' +\n" +
    "        'Why each one failed is in this error\\'s cause.',\n",
)
fs.writeFileSync(file, text)

function fail(message) {
  console.error(`trim-loader: ${message}`)
  process.exit(1)
}
