// The portal page: a YAML editor linted by scalecore (Wasm) on every change, a problems list
// whose findings offer their fixes, and a queue simulation of the edited ScaledObject. Everything is bundled; nothing is fetched
// but the page's own files.
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, forceLinting } from '@codemirror/lint';
import init, { fix, lint, simulate, version } from '../../pkg/web/scalecore_wasm.js';
import seedScenario from '../../../examples/seed-servicebus-queue.json';
import { drawChart } from './chart.js';

const $ = (id) => document.getElementById(id);
const SEED = seedScenario.manifest;

let ready = false;
let kedaVersion = '';
let lastDiagnostics = [];
// The document the last lint ran on: fixes carry its positions, so they apply only to it.
let lintedDoc = null;

/// LSP range (0-based line, UTF-16 character) to a document offset, clamped to the line.
function offset(doc, pos) {
  const lineNo = Math.min(pos.line + 1, doc.lines);
  const line = doc.line(lineNo);
  return Math.min(line.from + pos.character, line.to);
}

function options() {
  const o = { path: 'editor.yaml', positionEncoding: 'utf-16' };
  if (kedaVersion) o.kedaVersion = kedaVersion;
  return o;
}

/// Applies one fix of the last lint's findings, as one undoable change.
function applyFix(f) {
  if (view.state.doc !== lintedDoc) return;
  const doc = view.state.doc;
  const changes = f.edits.map((e) => ({ from: offset(doc, e.range.start), to: offset(doc, e.range.end), insert: e.newText }));
  view.dispatch({ changes });
  view.focus();
}

/// Every safe fix, applied until nothing changes (the Wasm `fix`), as one undoable change.
function fixAllSafe() {
  let r;
  try {
    r = fix(view.state.doc.toString(), options());
  } catch (e) {
    showProblems([], `${e.message}`);
    return;
  }
  if (r.applied > 0) view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: r.text } });
  view.focus();
}

function runLint(view) {
  if (!ready) return [];
  const doc = view.state.doc;
  let found;
  try {
    found = lint(doc.toString(), options());
  } catch (e) {
    showProblems([], `${e.message}`);
    return [];
  }
  lastDiagnostics = found;
  lintedDoc = doc;
  showProblems(found);
  return found.map((d) => {
    const from = offset(doc, d.range.start);
    let to = offset(doc, d.range.end);
    if (to < from) to = from;
    return {
      from,
      to,
      severity: d.severity,
      source: d.code,
      message: d.message,
      actions: (d.fixes ?? []).map((f) => ({ name: f.title, apply: () => applyFix(f) })),
      renderMessage: () => {
        const el = document.createElement('div');
        el.textContent = d.message;
        if (d.help) {
          const help = document.createElement('div');
          help.className = 'help';
          help.style.margin = '4px 0 0';
          help.textContent = d.help;
          el.append(help);
        }
        return el;
      },
    };
  });
}

function showProblems(found, failure) {
  const list = $('problem-list');
  list.replaceChildren();
  $('problem-count').textContent = String(found.length);
  $('no-problems').hidden = found.length > 0 || Boolean(failure);
  $('fix-all').disabled = !found.some((d) => d.fixes?.some((f) => f.applicability === 'safe'));
  if (failure) {
    const li = document.createElement('li');
    li.className = 'sev-error';
    li.textContent = failure;
    list.append(li);
  }
  for (const d of found) {
    const li = document.createElement('li');
    li.dataset.code = d.code;
    li.dataset.line = String(d.line);
    li.dataset.column = String(d.column);
    const sev = document.createElement('span');
    sev.className = `sev sev-${d.severity}`;
    sev.textContent = d.severity;
    const code = document.createElement('span');
    code.className = 'code';
    code.textContent = d.code;
    const msg = document.createElement('span');
    msg.className = 'message';
    msg.textContent = d.message;
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = `${d.line}:${d.column}${d.path ? ' ' + d.path : ''}`;
    li.append(sev, code, msg, where);
    for (const f of d.fixes ?? []) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'fix';
      button.dataset.applicability = f.applicability;
      button.textContent = f.applicability === 'safe' ? f.title : `${f.title} (unsafe)`;
      button.addEventListener('click', (e) => {
        e.stopPropagation();
        applyFix(f);
      });
      li.append(button);
    }
    if (d.help) {
      const help = document.createElement('div');
      help.className = 'help';
      help.textContent = d.help;
      li.append(help);
    }
    li.addEventListener('click', () => {
      const pos = offset(view.state.doc, d.range.start);
      view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
      view.focus();
    });
    list.append(li);
  }
}

const view = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: SEED,
    extensions: [
      basicSetup,
      yaml(),
      lintGutter(),
      linter(runLint, { delay: 120 }),
      EditorView.lineWrapping,
    ],
  }),
});

function setText(text) {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
  view.focus();
}

$('load-seed').addEventListener('click', () => setText(SEED));
$('clear').addEventListener('click', () => setText(''));
$('fix-all').addEventListener('click', fixAllSafe);
$('keda-version').addEventListener('change', (e) => {
  kedaVersion = e.target.value;
  forceLinting(view);
});

for (const tab of document.querySelectorAll('.tabs button')) {
  tab.addEventListener('click', () => {
    for (const t of document.querySelectorAll('.tabs button')) {
      const on = t === tab;
      t.setAttribute('aria-selected', String(on));
      $(t.dataset.panel).hidden = !on;
    }
  });
}

/// The seed's queue model with the edited manifest substituted (and its expectations dropped:
/// they belong to the seed manifest).
function buildScenario() {
  const num = (id) => Number($(id).value);
  const burst = num('sim-burst');
  return {
    manifest: view.state.doc.toString(),
    initial: seedScenario.initial,
    hpaSyncPeriod: seedScenario.hpaSyncPeriod,
    queue: {
      bursts: burst > 0 ? [{ t: num('sim-burst-t'), messages: burst }] : [],
      arrivalRate: num('sim-rate'),
      messagesPerPodPerSecond: num('sim-throughput'),
      podStartupSeconds: num('sim-startup'),
      duration: num('sim-duration'),
    },
  };
}

function runSimulation() {
  const error = $('sim-error');
  error.hidden = true;
  let trace;
  try {
    trace = simulate(buildScenario());
  } catch (e) {
    error.textContent = e.message;
    error.hidden = false;
    $('chart').replaceChildren();
    $('sim-summary').replaceChildren();
    return;
  }
  drawChart($('chart'), trace.steps);
  const summary = $('sim-summary');
  summary.replaceChildren();
  const q = trace.queue || {};
  const peak = trace.steps.reduce((m, s) => Math.max(m, s.replicas), 0);
  const rows = [
    ['Peak replicas', peak],
    ['Peak queue length', q.peakQueueLength],
    ['Messages processed', q.messagesProcessed],
    ['Mean wait (s)', q.meanWaitSeconds?.toFixed(1)],
    ['Max wait (s)', q.maxWaitSeconds],
    ['Queue empty at (s)', q.queueEmptyAt],
    ['Zero replicas at (s)', q.zeroReplicasAt],
    ['Pod-seconds', q.podSeconds],
  ];
  for (const [k, v] of rows) {
    if (v === undefined || v === null) continue;
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = String(v);
    dd.dataset.field = k;
    summary.append(dt, dd);
  }
  const diags = $('sim-diagnostics');
  diags.replaceChildren();
  for (const d of trace.diagnostics) {
    const li = document.createElement('li');
    li.textContent = `${d.code} (${d.severity}) ${d.line}:${d.column} ${d.message}`;
    diags.append(li);
  }
}

$('sim-form').addEventListener('submit', (e) => {
  e.preventDefault();
  runSimulation();
});

// The module sits next to this bundle, so the page works from any static path.
init({ module_or_path: new URL('./scalecore_wasm_bg.wasm', import.meta.url) }).then(
  () => {
    ready = true;
    $('status').textContent = `scalecore ${version()} (Wasm)`;
    document.body.dataset.ready = 'true';
    forceLinting(view);
  },
  (e) => {
    $('status').textContent = `failed to load: ${e.message}`;
    $('status').style.color = '#ff8182';
  },
);

// For tests and embedding pages.
window.scalecore = { view, setText, lastDiagnostics: () => lastDiagnostics };
