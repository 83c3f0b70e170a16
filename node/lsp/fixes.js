// Quick fixes for the rules that have an obvious one. Each takes the document's text and one
// LSP diagnostic and returns a TextEdit list, or null when the text does not look as expected
// (the document may have changed since the diagnostic was published).
'use strict'

/** Byte-free line helpers on the LSP (UTF-16) view of the text, as TextDocument keeps it. */
function lines(text) {
  return text.split(/\r?\n/)
}

function indentOf(line) {
  return /^[ ]*/.exec(line)[0].length
}

const PLACEHOLDER = '"<client-id of the managed identity>"'

/** KEDA4001: `podIdentity` with provider azure-workload and no `identityId`. */
function addIdentityId(text, diagnostic) {
  const all = lines(text)
  const at = diagnostic.range.start
  const keyLine = all[at.line]
  if (keyLine === undefined || !keyLine.slice(at.character).startsWith('podIdentity')) return null
  const afterKey = keyLine.slice(at.character + 'podIdentity'.length)
  const flow = /^\s*:\s*\{/.exec(afterKey)
  if (flow) {
    // podIdentity: {provider: azure-workload} -> insert the key first inside the braces.
    const character = at.character + 'podIdentity'.length + flow[0].length
    return [{ range: point(at.line, character), newText: `identityId: ${PLACEHOLDER}, ` }]
  }
  if (!/^\s*:\s*(#.*)?$/.test(afterKey)) return null
  const keyIndent = indentOf(keyLine)
  let childIndent = keyIndent + 2
  for (let i = at.line + 1; i < all.length; i++) {
    if (/^\s*(#.*)?$/.test(all[i])) continue
    const indent = indentOf(all[i])
    if (indent > keyIndent) childIndent = indent
    break
  }
  const newLine = `${' '.repeat(childIndent)}identityId: ${PLACEHOLDER}`
  if (at.line + 1 < all.length) {
    return [{ range: point(at.line + 1, 0), newText: `${newLine}\n` }]
  }
  return [{ range: point(at.line, keyLine.length), newText: `\n${newLine}` }]
}

// A plain scalar on one line: not quoted, not a flow collection, block scalar, alias or tag.
const PLAIN = /^[^\s"'{}\[\]|>&*!%@`#,][^\n]*$/

/** KEDA0101 on trigger metadata: a number or boolean where KEDA wants a string. */
function quoteMetadataValue(text, diagnostic) {
  if (!/^spec\.triggers\[\d+\]\.metadata\.[^.\[\]]+$/.test(diagnostic.data?.path ?? '')) return null
  const { start, end } = diagnostic.range
  if (start.line !== end.line) return null
  const value = (lines(text)[start.line] ?? '').slice(start.character, end.character)
  if (!PLAIN.test(value) || value.trimEnd() !== value) return null
  return [{ range: diagnostic.range, newText: JSON.stringify(value) }]
}

function point(line, character) {
  return { start: { line, character }, end: { line, character } }
}

const FIXES = {
  KEDA4001: { title: 'Add identityId under podIdentity', edits: addIdentityId },
  KEDA0101: { title: 'Quote the value (trigger metadata values are strings)', edits: quoteMetadataValue },
}

/** The quick-fix code actions for the diagnostics of a codeAction request. */
function codeActions(uri, text, diagnostics) {
  const actions = []
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'scalecore') continue
    const fix = FIXES[diagnostic.code]
    const edits = fix && fix.edits(text, diagnostic)
    if (!edits) continue
    actions.push({
      title: fix.title,
      kind: 'quickfix',
      diagnostics: [diagnostic],
      isPreferred: true,
      edit: { changes: { [uri]: edits } },
    })
  }
  return actions
}

module.exports = { codeActions, addIdentityId, quoteMetadataValue }
