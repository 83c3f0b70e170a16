// The editor schemas (docs/schemas/keda/, shipped in schemas/) under a real JSON Schema
// validator, the way yaml-language-server and VS Code apply them: the seed's documents pass,
// a misspelt field, a wrong type or a misspelt kind fails, other kinds are left alone, and
// on the corpus it agrees with scalecore's own schema layer.
'use strict'
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const Ajv = require('ajv')
const YAML = require('yaml')

const dir = path.resolve(__dirname, '..', 'schemas')
const root = path.resolve(__dirname, '..', '..')
const names = ['keda', 'scaledobject', 'scaledjob', 'triggerauthentication', 'clustertriggerauthentication']

function validator() {
  // strictSchema: only keywords JSON Schema knows (no x-kubernetes-* left over). Off, for
  // valid JSON Schema that ajv's style checks dislike: `pattern` beside an int-or-string
  // `anyOf` (strictTypes), `anyOf: [{required: [name]}, {required: [generateName]}]` on
  // metadata (strictRequired).
  const ajv = new Ajv({ strict: true, strictTypes: false, strictRequired: false, allErrors: true, validateFormats: false })
  // keda.json refers to the kinds as `./scaledobject.json`, relative to its own location.
  for (const name of names.slice(1)) {
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')), `${name}.json`)
  }
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, 'keda.json'), 'utf8')))
}

const validate = validator()

function errors(doc) {
  return validate(doc) ? [] : validate.errors
}

const seed = YAML.parseAllDocuments(fs.readFileSync(path.join(root, 'examples', 'seed', 'keda.yaml'), 'utf8')).map((d) => d.toJS())
const scaledObject = seed.find((d) => d.kind === 'ScaledObject')

test('the seed documents (a TriggerAuthentication and a ScaledObject) pass', () => {
  assert.equal(seed.length, 2)
  for (const doc of seed) assert.deepEqual(errors(doc), [], doc.kind)
})

test('a misspelt field fails, naming it', () => {
  const doc = structuredClone(scaledObject)
  doc.spec.pollingIntervall = 30
  const found = errors(doc)
  assert.ok(found.some((e) => e.keyword === 'additionalProperties' && e.params.additionalProperty === 'pollingIntervall'), JSON.stringify(found))
})

test('a wrong type fails at its path', () => {
  const doc = structuredClone(scaledObject)
  doc.spec.maxReplicaCount = 'ten'
  assert.ok(errors(doc).some((e) => e.instancePath === '/spec/maxReplicaCount' && e.keyword === 'type'))
  const metadata = structuredClone(scaledObject)
  metadata.spec.triggers[0].metadata.messageCount = 5
  assert.ok(errors(metadata).some((e) => e.instancePath === '/spec/triggers/0/metadata/messageCount'))
})

test('as in the cluster: a null value is no value; the name must be a DNS subdomain', () => {
  const doc = structuredClone(scaledObject)
  doc.spec.pollingInterval = null
  doc.spec.triggers[0].metadata.queueName = null
  assert.deepEqual(errors(doc), [])
  const named = structuredClone(scaledObject)
  named.metadata.name = 'Orders_Worker'
  assert.ok(errors(named).some((e) => e.instancePath === '/metadata/name' && e.keyword === 'pattern'))
  const unnamed = structuredClone(scaledObject)
  delete unnamed.metadata.name
  assert.ok(errors(unnamed).length > 0, 'a name (or generateName) is required')
  assert.deepEqual(errors({ ...unnamed, metadata: { generateName: 'orders-' } }), [])
})

test('a misspelt keda.sh kind fails; a Deployment next to KEDA documents is not checked', () => {
  assert.ok(errors({ ...scaledObject, kind: 'ScaledObjects' }).some((e) => e.instancePath === '/kind'))
  assert.deepEqual(errors({ apiVersion: 'apps/v1', kind: 'Deployment', spec: { anything: 1 } }), [])
})

test('every kind has its own schema, with the CRD descriptions', () => {
  for (const name of names.slice(1)) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'))
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#')
    assert.equal(schema.properties.apiVersion.const, 'keda.sh/v1alpha1')
    assert.match(schema.description, /./, name)
  }
  const so = JSON.parse(fs.readFileSync(path.join(dir, 'scaledobject.json'), 'utf8'))
  const behavior = so.properties.spec.properties.advanced.properties.horizontalPodAutoscalerConfig.properties.behavior
  assert.match(behavior.properties.scaleDown.properties.stabilizationWindowSeconds.description, /^stabilizationWindowSeconds is the number of seconds/)
})

test('the editor schema and scalecore\'s schema layer agree on every KEDA document of the corpus', () => {
  const golden = JSON.parse(fs.readFileSync(path.join(root, 'tests', 'golden', 'lint.json'), 'utf8'))
  // What JSON Schema cannot see: YAML syntax errors, duplicate keys, unrendered templates; what
  // the API server stores and only KEDA's Go types refuse (an int32 field past int32, KEDA0115);
  // and scalecore's own note on an ignore comment that silences nothing (KEDA0014).
  const blind = new Set(['KEDA0001', 'KEDA0006', 'KEDA0009', 'KEDA0014', 'KEDA0115'])
  const counts = { accepted: 0, refused: 0 }
  const mismatches = []
  for (const [file, diagnostics] of Object.entries(golden)) {
    if (!/\.ya?ml$/.test(file) || diagnostics.some((d) => blind.has(d.code))) continue
    // logLevel: quiet about a Secret's `{placeholder}: value` (a mapping as a key), not ours.
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(root, file), 'utf8'), { logLevel: 'error' })
    docs.forEach((parsed, i) => {
      const doc = parsed.toJS()
      if (!doc || doc.apiVersion !== 'keda.sh/v1alpha1') return
      const lint = diagnostics.filter((d) => d.document === i && d.source === 'schema')
      const editor = errors(doc)
      if ((lint.length === 0) !== (editor.length === 0)) {
        mismatches.push(`${file} #${i}: lint ${JSON.stringify(lint.map((d) => d.message))}, editor ${JSON.stringify(editor.slice(0, 2))}`)
      }
      counts[lint.length === 0 ? 'accepted' : 'refused']++
    })
  }
  assert.deepEqual(mismatches, [])
  assert.ok(counts.accepted > 300 && counts.refused > 20, JSON.stringify(counts))
})
