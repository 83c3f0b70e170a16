// Field documentation from the editor schemas (schemas/*.json, made from KEDA's CRDs): what a
// key in a KEDA document means, for hover.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

const dir = path.resolve(__dirname, '..', 'schemas')
const FILES = {
  ScaledObject: 'scaledobject.json',
  ScaledJob: 'scaledjob.json',
  TriggerAuthentication: 'triggerauthentication.json',
  ClusterTriggerAuthentication: 'clustertriggerauthentication.json',
}
const loaded = new Map()

/** The schema of a KEDA kind, read once (ScaledJob's is half a megabyte: only when needed). */
function kindSchema(kind) {
  if (!Object.hasOwn(FILES, kind)) return null
  if (!loaded.has(kind)) loaded.set(kind, JSON.parse(fs.readFileSync(path.join(dir, FILES[kind]), 'utf8')))
  return loaded.get(kind)
}

/** The subschema at a path of keys and indexes, or null where the schema says nothing. */
function fieldSchema(schema, segments) {
  let node = schema
  for (const segment of segments) {
    if (!node) return null
    if (typeof segment === 'number') node = node.items ?? null
    else if (node.properties && Object.hasOwn(node.properties, segment)) node = node.properties[segment]
    else node = typeof node.additionalProperties === 'object' ? node.additionalProperties : null
  }
  return node
}

// Every field also takes null (the API server drops it): not worth saying on each hover.
function typeOf(s) {
  if (Array.isArray(s.type)) return s.type.filter((t) => t !== 'null').join(' or ')
  if (s.type) return s.type
  if (Array.isArray(s.anyOf)) return s.anyOf.map(typeOf).filter((t) => t && t !== 'null').join(' or ')
  if (s.const !== undefined) return JSON.stringify(s.const)
  return null
}

/** `spec.triggers[0].metadata.value`, as scalecore's diagnostics spell paths. */
function dotted(segments) {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('')
}

/**
 * Markdown for the field under the cursor (`found` is the addon's `pathAt` answer), or null
 * when it is not a field of a KEDA kind's schema.
 */
function fieldHover(found) {
  if (!found || found.apiVersion !== 'keda.sh/v1alpha1') return null
  const schema = kindSchema(found.kind)
  const field = schema && fieldSchema(schema, found.path)
  if (!field) return null
  const facts = [typeOf(field)]
  const values = Array.isArray(field.enum) ? field.enum.filter((v) => v !== null) : []
  if (values.length > 0) facts.push(`one of ${values.map((v) => `\`${v}\``).join(', ')}`)
  if (field.minimum !== undefined) facts.push(`minimum ${field.minimum}`)
  if (field.maximum !== undefined) facts.push(`maximum ${field.maximum}`)
  if (field.default !== undefined) facts.push(`default \`${JSON.stringify(field.default)}\``)
  if (Array.isArray(field.required) && field.required.length > 0) facts.push(`requires ${field.required.map((r) => `\`${r}\``).join(', ')}`)
  const head = `**${found.kind}** \`${dotted(found.path)}\`: ${facts.filter(Boolean).join(', ') || 'any'}`
  return field.description ? `${head}\n\n${field.description}` : head
}

module.exports = { fieldHover, fieldSchema, kindSchema }
