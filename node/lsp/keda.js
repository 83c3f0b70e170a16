// Which documents the server lints, and how a scalecore diagnostic becomes an LSP one.
'use strict'

const KEDA_KIND = /^[ \t]*["']?kind["']?[ \t]*:[ \t]*["']?(ScaledObject|ScaledJob|TriggerAuthentication|ClusterTriggerAuthentication)["']?[ \t]*(#.*)?$/m

/** A YAML document (by language id or file name) that names a KEDA kind somewhere. */
function isKeda(document) {
  const yaml = document.languageId === 'yaml' || /\.ya?ml$/i.test(document.uri)
  return yaml && KEDA_KIND.test(document.getText())
}

// LSP DiagnosticSeverity: 1 error, 2 warning, 3 information.
const SEVERITY = { error: 1, warning: 2, info: 3 }

/** scalecore's diagnostic (contract + range) as an LSP Diagnostic. */
function toLsp(d) {
  return {
    range: d.range,
    severity: SEVERITY[d.severity] ?? 3,
    code: d.code,
    source: 'scalecore',
    message: d.message,
    data: { path: d.path, source: d.source },
  }
}

module.exports = { isKeda, toLsp }
