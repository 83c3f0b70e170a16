// The quick-fix edits on the shapes YAML allows (flow mappings, comments, end of file), each
// checked by linting the fixed text again.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const { TextDocument } = require('vscode-languageserver-textdocument')
const scalecore = require('..')
const { toLsp } = require('../lsp/keda')
const { codeActions } = require('../lsp/fixes')

const uri = 'file:///x.yaml'
const head = 'apiVersion: keda.sh/v1alpha1\nkind: TriggerAuthentication\nmetadata:\n  name: a\nspec:\n'

function fix(text, code) {
  const diagnostics = scalecore.lint(text).map(toLsp).filter((d) => d.code === code)
  assert.equal(diagnostics.length, 1, `${code} in ${JSON.stringify(text)}`)
  const actions = codeActions(uri, text, diagnostics)
  if (actions.length === 0) return null
  const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, text), actions[0].edit.changes[uri])
  assert.ok(!scalecore.lint(fixed).some((d) => d.code === code), `${code} still in ${JSON.stringify(fixed)}`)
  return fixed
}

test('identityId: block mapping with a comment line and deeper indentation', () => {
  const text = `${head}  podIdentity:\n    # the operator's identity\n      provider: azure-workload\n`
  assert.equal(fix(text, 'KEDA4001'), text.replace('  podIdentity:\n', '  podIdentity:\n      identityId: "<client-id of the managed identity>"\n'))
})

test('identityId: flow mapping, and a file without a final newline', () => {
  const flow = `${head}  podIdentity: {provider: azure-workload}\n`
  assert.equal(fix(flow, 'KEDA4001'), flow.replace('{provider', '{identityId: "<client-id of the managed identity>", provider'))
  const last = `${head}  podIdentity:\n    provider: azure-workload`
  assert.ok(fix(last, 'KEDA4001').endsWith('identityId: "<client-id of the managed identity>"\n    provider: azure-workload'))
})

test('identityId: nested under azureKeyVault', () => {
  const text = `${head}  azureKeyVault:\n    vaultUri: https://v.vault.azure.net\n    podIdentity:\n      provider: azure-workload\n    secrets:\n      - parameter: p\n        name: n\n`
  const fixed = fix(text, 'KEDA4001')
  assert.ok(fixed.includes('    podIdentity:\n      identityId: "<client-id of the managed identity>"\n      provider: azure-workload\n'))
})

test('quote: booleans and numbers in trigger metadata; not block scalars', () => {
  const so = (value) =>
    `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: o\nspec:\n  scaleTargetRef:\n    name: o\n  triggers:\n    - type: cpu\n      metricType: Utilization\n      metadata:\n        value: ${value}  # target\n`
  assert.equal(fix(so('60'), 'KEDA0101'), so('"60"'))
  assert.equal(fix(so('7.5'), 'KEDA0101'), so('"7.5"'))
  const yes = so('"60"').replace('      metadata:\n', '      metadata:\n        unsafeSsl: yes\n')
  assert.equal(fix(yes, 'KEDA0101'), yes.replace('unsafeSsl: yes', 'unsafeSsl: "yes"'))
})

test('quote: the seed with an unquoted messageCount (the issue example)', () => {
  const fs = require('node:fs')
  const path = require('node:path')
  const seed = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'seed', 'keda.yaml'), 'utf8')
  const broken = seed.replace('messageCount: "5"', 'messageCount: 5')
  assert.notEqual(broken, seed)
  assert.equal(fix(broken, 'KEDA0101'), seed)
})
