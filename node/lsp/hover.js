// Hover text: rule codes over a `KEDAnnnn` word or over the range of a diagnostic, and the
// documentation of the field under the cursor.
'use strict'

function ruleText(rule) {
  const head = `**${rule.code}** ${rule.name} (${rule.severity}, ${rule.source})`
  return rule.help ? `${head}\n\n${rule.summary}\n\n${rule.help}` : `${head}\n\n${rule.summary}`
}

function contains(range, position) {
  const after = (a, b) => a.line < b.line || (a.line === b.line && a.character <= b.character)
  return after(range.start, position) && after(position, range.end)
}

/** The code under the cursor, if the cursor is on a `KEDA` + 4 digits word. */
function codeAt(line, character) {
  for (const m of line.matchAll(/KEDA\d{4}/g)) {
    if (m.index <= character && character <= m.index + m[0].length) return m[0]
  }
  return null
}

/**
 * Markdown for the position: the rule named under the cursor; else the rules of the
 * diagnostics whose range holds it (with each finding's own message), followed by the field's
 * documentation (`field`: `{ markdown, range }` from the schema, or null).
 */
function hoverAt(rules, lineText, position, diagnostics, field = null) {
  const code = codeAt(lineText, position.character)
  if (code) {
    const rule = rules.get(code)
    return rule ? { contents: { kind: 'markdown', value: ruleText(rule) } } : null
  }
  const here = diagnostics.filter((d) => contains(d.range, position))
  const parts = here.map((d) => {
    const rule = rules.get(d.code)
    return rule ? `${d.message}\n\n${ruleText(rule)}` : d.message
  })
  if (field) parts.push(field.markdown)
  if (parts.length === 0) return null
  const range = here.length > 0 ? here[0].range : field.range
  return { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') }, range }
}

module.exports = { hoverAt, ruleText }
