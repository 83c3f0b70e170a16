// Which documents the server lints, and how a scalecore diagnostic becomes an LSP one.
'use strict'

const KINDS = 'ScaledObject|ScaledJob|TriggerAuthentication|ClusterTriggerAuthentication'
const YAML_KIND = new RegExp(`^[ \\t]*["']?kind["']?[ \\t]*:[ \\t]*["']?(${KINDS})["']?[ \\t]*(#.*)?$`, 'm')
// JSON puts `"kind": "ScaledObject"` anywhere on a line (a one-line file, `kubectl -o json`).
const JSON_KIND = new RegExp(`"kind"\\s*:\\s*"(${KINDS})"`)

/**
 * A YAML or JSON document (by language id, else by file name) that names a KEDA kind
 * somewhere: the one test for linting and hover, so other YAML and JSON stays untouched.
 */
function isKeda(document) {
  const id = document.languageId
  // JSON with comments (jsonc) is not JSON to KEDA's API server, nor to the linter: left alone.
  if (id === 'jsonc') return false
  if (id === 'yaml' || (id !== 'json' && /\.ya?ml$/i.test(document.uri))) {
    return YAML_KIND.test(document.getText())
  }
  if (id === 'json' || /\.json$/i.test(document.uri)) {
    return JSON_KIND.test(document.getText())
  }
  return false
}

// LSP DiagnosticSeverity: 1 error, 2 warning, 3 information.
const SEVERITY = { error: 1, warning: 2, info: 3 }

/**
 * scalecore's diagnostic (contract + range) as an LSP Diagnostic; `urls` maps a rule code to
 * its row in docs/rules.md. `data` keeps the path, the layer and the fixes (with LSP ranges),
 * which code actions read back.
 */
function toLsp(d, urls) {
  const lsp = {
    range: d.range,
    severity: SEVERITY[d.severity] ?? 3,
    code: d.code,
    source: 'scalecore',
    message: d.message,
    data: { path: d.path, source: d.source, fixes: d.fixes ?? [] },
  }
  const href = urls?.get(d.code)
  if (href) lsp.codeDescription = { href }
  return lsp
}

module.exports = { isKeda, toLsp }
