// Quick fixes: the fixes scalecore's diagnostics carry (`data.fixes`, with LSP ranges from the
// addon) as code actions. The linter decides what a fix is, so the editor, `scalecore lint
// --fix` and every binding apply the same edits.
'use strict'

/**
 * The quick-fix code actions for the diagnostics of a codeAction request: every fix of every
 * scalecore diagnostic, safe ones first and preferred (an editor's "auto fix" picks those),
 * unsafe ones offered for a person to choose.
 */
function codeActions(uri, diagnostics) {
  const actions = []
  for (const diagnostic of diagnostics) {
    if (diagnostic.source !== 'scalecore') continue
    const fixes = diagnostic.data?.fixes
    if (!Array.isArray(fixes)) continue
    for (const fix of fixes) {
      if (!fix || typeof fix.title !== 'string' || !Array.isArray(fix.edits)) continue
      const safe = fix.applicability === 'safe'
      actions.push({
        title: safe ? fix.title : `${fix.title} (check the result)`,
        kind: 'quickfix',
        diagnostics: [diagnostic],
        isPreferred: safe,
        edit: { changes: { [uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
      })
    }
  }
  // Stable: within each group, the linter's order (best first).
  return [...actions.filter((a) => a.isPreferred), ...actions.filter((a) => !a.isPreferred)]
}

module.exports = { codeActions }
