// The server's settings (section `scalecore`): from initializationOptions, from
// workspace/didChangeConfiguration, or pulled with workspace/configuration.
'use strict'
const scalecore = require('..')

const DEFAULTS = Object.freeze({
  debounceMs: 200,
  kedaVersion: undefined,
  strictRefs: false,
  ignore: [],
  select: undefined,
  severity: {},
})

const isStrings = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string')

/**
 * Settings from a client's object (`null`/absent keys take the defaults, as when the user
 * removes them). Returns `{ settings }`, or `{ error }` naming what is wrong: a value of the
 * wrong type, a KEDA release or a rule code the linter does not know.
 */
function readSettings(raw) {
  const o = raw && typeof raw === 'object' ? raw : {}
  const s = { ...DEFAULTS, ignore: [], severity: {} }
  const problems = []
  const take = (key, ok, what) => {
    if (o[key] === undefined || o[key] === null) return
    if (ok(o[key])) s[key] = o[key]
    else problems.push(`scalecore.${key} must be ${what}`)
  }
  take('debounceMs', (v) => Number.isFinite(v) && v >= 0 && v <= 60_000, 'a number of milliseconds (0 to 60000)')
  take('kedaVersion', (v) => typeof v === 'string', 'a KEDA release such as "2.18"')
  take('strictRefs', (v) => typeof v === 'boolean', 'true or false')
  take('ignore', isStrings, 'a list of rule codes')
  take('select', isStrings, 'a list of rule codes or prefixes')
  take(
    'severity',
    (v) => typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string'),
    'a map of rule code to "error", "warning" or "info"',
  )
  if (problems.length > 0) return { error: problems.join('; ') }
  try {
    // The addon checks the release and the codes as a lint request would: fail here, once,
    // rather than on every document.
    scalecore.lint('', lintOptions(s))
  } catch (e) {
    return { error: `scalecore settings: ${e.message}` }
  }
  return { settings: s }
}

/** The addon's lint options for a document under these settings. */
function lintOptions(s, path) {
  return {
    path,
    positionEncoding: 'utf-16',
    kedaVersion: s.kedaVersion,
    strictRefs: s.strictRefs,
    ignore: s.ignore,
    select: s.select,
    severity: s.severity,
  }
}

module.exports = { DEFAULTS, readSettings, lintOptions }
