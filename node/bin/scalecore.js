#!/usr/bin/env node
// `npx scalecore lint`: the native CLI's lint, on the addon (or its WebAssembly build), for
// machines where only Node is at hand. Same findings (the files are linted together, as the
// native CLI does), same exit status: 0 no failing finding, 1 findings, 2 could not run.
'use strict'
const fs = require('node:fs')
const path = require('node:path')

// Where the WebAssembly build answers, Node warns that WASI is experimental on every run; a
// lint's output is no place for that. Other warnings still print.
const emitWarning = process.emitWarning
process.emitWarning = function (warning, ...rest) {
  if (String(warning && warning.message !== undefined ? warning.message : warning).startsWith('WASI is an experimental')) return
  return emitWarning.call(process, warning, ...rest)
}

const HELP = `Usage: scalecore lint [OPTIONS] PATH...

Lint KEDA documents (ScaledObject, ScaledJob, TriggerAuthentication,
ClusterTriggerAuthentication) in YAML or JSON files. Files are linted together, so
references between them resolve.

Arguments:
  PATH...                 Files or folders (walked for .yaml, .yml, .json; hidden
                          entries and node_modules are skipped); - reads standard input

Options:
  --format FORMAT         human (default) or json (the CLI's JSON report)
  --fail-on SEVERITY      error (default) or warning: the lowest severity that fails
  --keda-version VERSION  KEDA release whose rules apply, e.g. 2.20 or 2.18.1
  --strict-refs           Also report references to objects not among the inputs
  --select CODE,...       Report only these codes or code prefixes (KEDA1, KEDA4001)
  --ignore CODE,...       Never report these codes
  --namespace NAME        Namespace of objects that name none [default: default]
  -h, --help              Print this help
  -V, --version           Print the version

Exit status: 0 nothing fails, 1 findings at or above --fail-on, 2 could not run.

This is the lint of the native scalecore CLI without its configuration files
(scalecore.toml), --fix, --diff and the sarif and github formats; install the native
binary for those, and for simulate and rules.`

const USAGE = 'Usage: scalecore lint [OPTIONS] PATH...  (scalecore --help for more)'

class UsageError extends Error {}

function main(argv) {
  if (argv.length === 0 || argv[0] === '-h' || argv[0] === '--help' || argv[0] === 'help') {
    if (argv.length === 0) {
      process.stderr.write(USAGE + '\n')
      return 2
    }
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (argv[0] === '-V' || argv[0] === '--version') {
    process.stdout.write(`scalecore ${require('../index.js').version()}\n`)
    return 0
  }
  if (argv[0] !== 'lint') {
    throw new UsageError(
      `unknown command '${argv[0]}': this package's CLI has only lint (simulate and rules are in the native CLI)`,
    )
  }
  const args = parse(argv.slice(1))
  if (args.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  const files = collect(args.paths)
  if (files.length === 0) throw new RunError('no .yaml, .yml or .json files found in the given paths')
  const { lintFiles } = require('../index.js')
  let report
  try {
    report = lintFiles(files, args.options)
  } catch (e) {
    throw new RunError(e.message)
  }
  const out =
    args.format === 'json' ? JSON.stringify(report) + '\n' : human(report, files)
  process.stdout.write(out)
  const { errors, warnings } = report.summary
  return errors > 0 || (args.failOn === 'warning' && warnings > 0) ? 1 : 0
}

class RunError extends Error {}

function parse(argv) {
  const args = { paths: [], format: 'human', failOn: 'error', options: {}, help: false }
  const codes = (v) => v.split(',').map((c) => c.trim()).filter(Boolean)
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]
    let value
    const eq = a.startsWith('--') ? a.indexOf('=') : -1
    if (eq > 0) {
      value = a.slice(eq + 1)
      a = a.slice(0, eq)
    }
    const take = () => {
      if (value !== undefined) return value
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`)
      return argv[++i]
    }
    const flag = () => {
      if (value !== undefined) throw new UsageError(`${a} takes no value`)
    }
    switch (a) {
      case '-h':
      case '--help':
        args.help = true
        break
      case '--format':
        args.format = oneOf(a, take(), ['human', 'json'])
        break
      case '--fail-on':
        args.failOn = oneOf(a, take(), ['error', 'warning'])
        break
      case '--keda-version':
        args.options.kedaVersion = take()
        break
      case '--strict-refs':
        flag()
        args.options.strictRefs = true
        break
      case '--select':
        args.options.select = [...(args.options.select || []), ...codes(take())]
        break
      case '--ignore':
        args.options.ignore = [...(args.options.ignore || []), ...codes(take())]
        break
      case '--namespace':
        args.options.defaultNamespace = take()
        break
      case '--':
        args.paths.push(...argv.slice(i + 1))
        i = argv.length
        break
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option '${a}'`)
        args.paths.push(a)
    }
  }
  if (!args.help && args.paths.length === 0) throw new UsageError('lint needs at least one PATH')
  return args
}

function oneOf(option, value, allowed) {
  if (!allowed.includes(value)) {
    throw new UsageError(`${option} must be ${allowed.join(' or ')}, not '${value}'`)
  }
  return value
}

const LINTED = /\.(ya?ml|json)$/i

function collect(paths) {
  const files = []
  for (const p of paths) {
    if (p === '-') {
      files.push({ path: '<stdin>', text: fs.readFileSync(0, 'utf8') })
      continue
    }
    let stat
    try {
      stat = fs.statSync(p)
    } catch (e) {
      throw new RunError(`${p}: ${e.code === 'ENOENT' ? 'no such file or folder' : e.message}`)
    }
    const found = stat.isDirectory() ? walk(p) : [p]
    for (const f of found) {
      try {
        files.push({ path: f, text: fs.readFileSync(f, 'utf8') })
      } catch (e) {
        throw new RunError(`${f}: ${e.message}`)
      }
    }
  }
  return files
}

function walk(dir) {
  const out = []
  const entries = fs.readdirSync(dir, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue
    const full = path.join(dir, e.name)
    if (e.isDirectory()) out.push(...walk(full))
    else if (e.isFile() && LINTED.test(e.name)) out.push(full)
  }
  return out
}

function human(report, files) {
  let out = ''
  report.files.forEach((file, i) => {
    const lines = files[i].text.split(/\r?\n/)
    for (const d of file.diagnostics) {
      out += `${d.severity}[${d.code}]: ${d.message}\n`
      out += `  --> ${file.path}:${d.line}:${d.column}\n`
      const src = lines[d.line - 1]
      if (src !== undefined) {
        const num = String(d.line)
        const pad = ' '.repeat(num.length)
        const chars = [...src]
        const end = d.endLine === d.line ? Math.max(d.endColumn, d.column + 1) : chars.length + 1
        const marks = '^'.repeat(Math.max(1, end - d.column))
        out += `${pad} |\n${num} | ${src}\n${pad} | ${' '.repeat(d.column - 1)}${marks}${d.path ? ' ' + d.path : ''}\n`
      }
      if (d.help) out += `help: ${d.help}\n`
      out += '\n'
    }
  })
  const { errors, warnings } = report.summary
  const n = report.files.length
  out += `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${n} file${n === 1 ? '' : 's'}\n`
  return out
}

let status
try {
  status = main(process.argv.slice(2))
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`error: ${e.message}\n${USAGE}\n`)
    status = 2
  } else if (e instanceof RunError) {
    process.stderr.write(`error: ${e.message}\n`)
    status = 2
  } else {
    process.stderr.write(`error: ${e && e.stack ? e.stack : e}\n`)
    status = 2
  }
}
process.exitCode = status
