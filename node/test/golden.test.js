// Every native answer in tests/golden through the addon: the contract fields must be equal,
// and each LSP range (of a diagnostic and of each edit of its fixes) must be the 1-based
// line/column of the same place, re-counted; `fix` must answer what fix.json holds.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const scalecore = require('..')

const root = path.resolve(__dirname, '..', '..')
const golden = (name) => JSON.parse(fs.readFileSync(path.join(root, 'tests', 'golden', name), 'utf8'))
const lintGolden = golden('lint.json')
const fixGolden = golden('fix.json')
const simulateGolden = golden('simulate.json')

// The contract: no LSP range on the diagnostic, nor on its fixes' edits.
function withoutRange(diagnostics) {
  return diagnostics.map(({ range, ...contract }) => {
    if (!contract.fixes) return contract
    const fixes = contract.fixes.map((f) => ({ ...f, edits: f.edits.map(({ range, ...edit }) => edit) }))
    return { ...contract, fixes }
  })
}

// `column` counts Unicode scalar values from 1; an LSP character counts code units of the
// encoding from 0. Re-count the line's prefix in the requested encoding.
function character(lines, line, column, encoding) {
  const prefix = Array.from(lines[line - 1] ?? '').slice(0, column - 1).join('')
  if (encoding === 'utf-16') return prefix.length
  if (encoding === 'utf-8') return Buffer.byteLength(prefix, 'utf8')
  return Array.from(prefix).length
}

// Each diagnostic's range, and each of its fixes' edits' ranges, re-derived from line/column.
function checkRanges(file, text, diagnostics, encoding) {
  const lines = text.split('\n')
  const check = (x, where) => {
    assert.equal(x.range.start.line, x.line - 1, where)
    assert.equal(x.range.end.line, x.endLine - 1, where)
    assert.equal(x.range.start.character, character(lines, x.line, x.column, encoding), where)
    assert.equal(x.range.end.character, character(lines, x.endLine, x.endColumn, encoding), where)
  }
  let edits = 0
  for (const d of diagnostics) {
    const where = `${file} ${d.code} ${d.path}`
    check(d, where)
    for (const fix of d.fixes ?? []) {
      for (const edit of fix.edits) {
        check(edit, `${where} fix ${fix.title}`)
        edits++
      }
    }
  }
  return edits
}

test('golden lint answers: every input, contract fields equal, ranges match line/column', () => {
  const files = Object.keys(lintGolden)
  assert.ok(files.length > 300, `only ${files.length} golden lint inputs`)
  let diagnostics = 0
  let edits = 0
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    const found = scalecore.lint(text, { path: file })
    assert.deepStrictEqual(withoutRange(found), lintGolden[file], file)
    edits += checkRanges(file, text, found, 'utf-16')
    diagnostics += found.length
  }
  assert.ok(diagnostics > 100, `only ${diagnostics} diagnostics in the golden inputs`)
  assert.ok(edits > 0, 'no fix edits in the golden inputs')
})

test('golden lint ranges in utf-8 and utf-32 encodings', () => {
  for (const encoding of ['utf-8', 'utf-32']) {
    for (const file of Object.keys(lintGolden)) {
      const text = fs.readFileSync(path.join(root, file), 'utf8')
      const found = scalecore.lint(text, { positionEncoding: encoding })
      assert.deepStrictEqual(withoutRange(found), lintGolden[file], file)
      checkRanges(file, text, found, encoding)
    }
  }
})

test('lintAsync gives the sync answers', async () => {
  const files = Object.keys(lintGolden)
  const answers = await Promise.all(
    files.map((file) => scalecore.lintAsync(fs.readFileSync(path.join(root, file), 'utf8'))),
  )
  files.forEach((file, i) => assert.deepStrictEqual(withoutRange(answers[i]), lintGolden[file], file))
})

test('golden lint answers carry fixes, so the comparisons above compare them', () => {
  const withFixes = Object.values(lintGolden).flat().filter((d) => d.fixes)
  assert.ok(withFixes.length > 0)
})

/** `fix` of one golden input, against fix.json (`text` null: the input unchanged). */
function checkFix(file, text, mode, got) {
  const want = fixGolden[file][mode]
  const where = `${file} (${mode})`
  assert.equal(got.text, want.text ?? text, where)
  assert.equal(got.applied, want.applied, where)
  assert.deepStrictEqual(got.remaining.map((d) => d.code), want.remaining, where)
  assert.equal(got.converged, want.converged, where)
  // What is left is what `lint` reports for the fixed text, ranges included.
  assert.deepStrictEqual(got.remaining, scalecore.lint(got.text), where)
}

test('golden fix answers: every input, safe fixes and unsafe fixes', () => {
  const files = Object.keys(fixGolden)
  assert.deepStrictEqual(files.sort(), Object.keys(lintGolden).sort())
  let applied = 0
  for (const file of files) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    const safe = scalecore.fix(text)
    checkFix(file, text, 'safe', safe)
    checkFix(file, text, 'unsafe', scalecore.fix(text, { unsafeFixes: true }))
    applied += safe.applied
  }
  assert.ok(applied > 0, 'no golden input had a fix applied')
})

test('fixAsync gives the sync answers', async () => {
  const files = Object.keys(fixGolden)
  const answers = await Promise.all(
    files.map((file) => scalecore.fixAsync(fs.readFileSync(path.join(root, file), 'utf8'), { unsafeFixes: true })),
  )
  files.forEach((file, i) => {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    checkFix(file, text, 'unsafe', answers[i])
  })
})

test('golden simulate answers: every scenario, as JSON text and as an object', () => {
  const scenarios = Object.keys(simulateGolden)
  assert.ok(scenarios.length >= 25, `only ${scenarios.length} golden scenarios`)
  for (const file of scenarios) {
    const text = fs.readFileSync(path.join(root, file), 'utf8')
    assert.deepStrictEqual(scalecore.simulate(text), simulateGolden[file], `${file} (text)`)
    assert.deepStrictEqual(scalecore.simulate(JSON.parse(text)), simulateGolden[file], `${file} (object)`)
  }
})

test('simulateAsync gives the sync answers', async () => {
  for (const file of Object.keys(simulateGolden)) {
    const scenario = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'))
    assert.deepStrictEqual(await scalecore.simulateAsync(scenario), simulateGolden[file], file)
  }
})
