// Code actions from the fixes scalecore's diagnostics carry (data.fixes): each applied with
// TextDocument's own edit logic, then linted again.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { TextDocument } = require('vscode-languageserver-textdocument')
const scalecore = require('..')
const { toLsp } = require('../lsp/keda')
const { codeActions } = require('../lsp/fixes')

const uri = 'file:///x.yaml'
const urls = new Map(scalecore.rules().map((r) => [r.code, r.url]))
const scaledObject = (value) => `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: a
spec:
  scaleTargetRef:
    name: a
  minReplicaCount: 1
  triggers:
    - type: cpu
      metricType: Utilization
      metadata:
        value: ${value}
`

function apply(text, action) {
  return TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, text), action.edit.changes[uri])
}

function lintLsp(text) {
  return scalecore.lint(text).map((d) => toLsp(d, urls))
}

test('KEDA0101: the linter\'s "Quote the value" fix is a preferred quick fix that removes the finding', () => {
  for (const [value, quoted] of [['60', '"60"'], ['true', '"true"'], ['0.5', '"0.5"']]) {
    const text = scaledObject(value)
    const diagnostics = lintLsp(text)
    const d = diagnostics.find((x) => x.code === 'KEDA0101')
    assert.ok(d, `KEDA0101 for ${value}`)
    assert.equal(d.data.fixes.length, 1)
    assert.equal(d.data.fixes[0].applicability, 'safe')
    const actions = codeActions(uri, diagnostics)
    assert.equal(actions.length, 1)
    assert.equal(actions[0].title, d.data.fixes[0].title)
    assert.equal(actions[0].kind, 'quickfix')
    assert.equal(actions[0].isPreferred, true)
    assert.deepEqual(actions[0].diagnostics, [d])
    const fixed = apply(text, actions[0])
    assert.equal(fixed, scaledObject(quoted))
    assert.ok(!scalecore.lint(fixed).some((x) => x.code === 'KEDA0101'), fixed)
  }
})

test('the edits are the addon\'s LSP ranges, also after characters outside the BMP', () => {
  const text = scaledObject('60').replace('name: a\nspec', 'name: a # 𝄞𝄞\nspec')
  const actions = codeActions(uri, lintLsp(text))
  assert.equal(apply(text, actions[0]), scaledObject('"60"').replace('name: a\nspec', 'name: a # 𝄞𝄞\nspec'))
})

test('safe fixes first and preferred; unsafe ones offered after, marked; order kept within each', () => {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }
  const edit = (newText) => ({ line: 1, column: 1, endLine: 1, endColumn: 2, newText, range })
  const fix = (title, applicability) => ({ title, applicability, edits: [edit(title)] })
  const d = {
    range,
    code: 'KEDA0101',
    source: 'scalecore',
    message: 'm',
    data: { fixes: [fix('u1', 'unsafe'), fix('s1', 'safe'), fix('u2', 'unsafe'), fix('s2', 'safe')] },
  }
  const actions = codeActions(uri, [d])
  assert.deepEqual(actions.map((a) => [a.edit.changes[uri][0].newText, a.isPreferred]), [
    ['s1', true],
    ['s2', true],
    ['u1', false],
    ['u2', false],
  ])
  assert.equal(actions[2].title, 'u1 (check the result)')
  assert.deepEqual(actions[0].edit.changes[uri], [{ range, newText: 's1' }])
})

test('no actions for findings without fixes, other servers\' diagnostics, or malformed data', () => {
  const text = scaledObject('"60"').replace('minReplicaCount: 1', 'minReplicaCount: 0')
  const diagnostics = lintLsp(text)
  assert.ok(diagnostics.length > 0 && diagnostics.every((d) => d.data.fixes.length === 0))
  assert.deepEqual(codeActions(uri, diagnostics), [])
  const [quote] = lintLsp(scaledObject('60')).filter((d) => d.code === 'KEDA0101')
  assert.deepEqual(codeActions(uri, [{ ...quote, source: 'yaml' }]), [])
  assert.deepEqual(codeActions(uri, [{ ...quote, data: undefined }]), [])
  assert.deepEqual(codeActions(uri, [{ ...quote, data: { fixes: [null, { title: 1 }] } }]), [])
})

test('every diagnostic links its rule\'s row in docs/rules.md', () => {
  const [d] = lintLsp(scaledObject('60')).filter((x) => x.code === 'KEDA0101')
  assert.match(d.codeDescription.href, /\/docs\/rules\.md#keda0101$/)
  assert.equal(toLsp({ ...scalecore.lint(scaledObject('60'))[0], code: 'KEDA9999' }, urls).codeDescription, undefined)
})
