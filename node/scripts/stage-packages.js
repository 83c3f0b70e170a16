#!/usr/bin/env node
// Completes the npm packages under npm/ for `npm pack` (scripts/dist/node.sh): the platform
// packages that `napi create-npm-dirs` wrote, each holding its built addon, and the main
// package `npm/scalecore`, whose optionalDependencies are exactly those packages. Every
// package gets the project's LICENSE. Fails when a platform package lacks its artifact, so
// a main package never names a package that was not built.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const node = path.join(__dirname, '..')
const stage = path.join(node, 'npm')
const license = path.join(node, '..', 'LICENSE')
const pkg = JSON.parse(fs.readFileSync(path.join(node, 'package.json'), 'utf8'))

function fail(message) {
  console.error(`stage-packages: ${message}`)
  process.exit(1)
}
const readJson = (f) => JSON.parse(fs.readFileSync(f, 'utf8'))
const writeJson = (f, v) => fs.writeFileSync(f, JSON.stringify(v, null, 2) + '\n')

const optional = {}
for (const dir of fs.readdirSync(stage).sort()) {
  const pj = path.join(stage, dir, 'package.json')
  if (dir === 'scalecore' || !fs.existsSync(pj)) continue
  const p = readJson(pj)
  for (const f of p.files) {
    if (!fs.existsSync(path.join(stage, dir, f))) fail(`${p.name} has no ${f}: build it first`)
  }
  if (dir === 'wasm32-wasi') {
    // napi marks the WebAssembly package cpu: wasm32, which no machine reports, so npm
    // would install it nowhere. Without the field it installs everywhere and is the
    // fallback where no native package fits (macOS, Windows, other Linux CPUs).
    delete p.cpu
    p.description = 'WebAssembly (WASI) build of the scalecore addon: the fallback of the scalecore package where no native build fits'
  } else {
    p.description = `Native addon of the scalecore package for ${p.os[0]} ${p.cpu[0]} (${p.libc[0]})`
  }
  writeJson(pj, p)
  fs.copyFileSync(license, path.join(stage, dir, 'LICENSE'))
  optional[p.name] = p.version
}
if (Object.keys(optional).length === 0) fail('no platform packages under npm/')

const main = path.join(stage, 'scalecore')
fs.rmSync(main, { recursive: true, force: true })
fs.mkdirSync(main)
const files = pkg.files.filter((f) => f !== '*.node')
for (const f of [...files, 'package.json', 'README.md']) {
  const from = path.join(node, f)
  if (!fs.existsSync(from)) fail(`the main package's ${f} is missing`)
  fs.cpSync(from, path.join(main, f), { recursive: true })
}
fs.copyFileSync(license, path.join(main, 'LICENSE'))
const m = readJson(path.join(main, 'package.json'))
delete m.devDependencies
delete m.scripts // prepack's copy-schemas has already run; the schemas/ copied above are its output
m.files = files
m.optionalDependencies = optional
writeJson(path.join(main, 'package.json'), m)
console.log(`npm/scalecore: optionalDependencies ${Object.keys(optional).join(', ')}`)
