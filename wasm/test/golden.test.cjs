// Every golden native answer (tests/golden/) recomputed through pkg/node (wasm-bindgen, Node
// CommonJS) and compared field for field; `range` (of a diagnostic and of each edit of its
// fixes) is checked against line/column separately.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const repo = path.join(__dirname, '..', '..');
const scalecore = require('../pkg/node');
const golden = (name) => JSON.parse(fs.readFileSync(path.join(repo, 'tests', 'golden', name), 'utf8'));

/// The LSP position (UTF-16) of a 1-based line and Unicode-scalar column of `text`.
function lspPosition(lines, line, column) {
  const text = lines[line - 1] ?? '';
  return { line: line - 1, character: [...text].slice(0, column - 1).join('').length };
}

/// The contract of an editor diagnostic: without `range`, on it and on its fixes' edits.
function contract({ range, fixes, ...d }) {
  if (fixes === undefined) return d;
  return { ...d, fixes: fixes.map((f) => ({ ...f, edits: f.edits.map(({ range, ...e }) => e) })) };
}

function checkRanges(text, found) {
  const lines = text.split('\n');
  for (const d of found) {
    for (const at of [d, ...(d.fixes ?? []).flatMap((f) => f.edits)]) {
      assert.deepStrictEqual(at.range.start, lspPosition(lines, at.line, at.column), `${d.code} start`);
      assert.deepStrictEqual(at.range.end, lspPosition(lines, at.endLine, at.endColumn), `${d.code} end`);
    }
  }
}

const lintGolden = golden('lint.json');
const fixGolden = golden('fix.json');
test('golden lint and fix answers exist, with fixes in them', () => {
  assert.ok(Object.keys(lintGolden).length > 100);
  assert.deepStrictEqual(Object.keys(fixGolden).sort(), Object.keys(lintGolden).sort());
  assert.ok(Object.values(lintGolden).flat().some((d) => d.fixes));
  assert.ok(Object.values(fixGolden).some((f) => f.safe.applied > 0));
});

for (const [file, want] of Object.entries(lintGolden)) {
  test(`lint ${file}`, () => {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    const got = scalecore.lint(text, { path: file, positionEncoding: 'utf-16' });
    assert.ok(Array.isArray(got));
    assert.deepStrictEqual(got.map(contract), want);
    checkRanges(text, got);
  });
}

/// `fix` of one golden input against fix.json (`text` null: the input unchanged).
function checkFix(fix, file, text, mode) {
  const want = fixGolden[file][mode];
  const got = fix(text, { unsafeFixes: mode === 'unsafe' });
  assert.equal(got.text, want.text ?? text, mode);
  assert.equal(got.applied, want.applied, mode);
  assert.deepStrictEqual(got.remaining.map((d) => d.code), want.remaining, mode);
  assert.equal(got.converged, want.converged, mode);
  return got;
}

for (const file of Object.keys(fixGolden)) {
  test(`fix ${file}`, () => {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    for (const mode of ['safe', 'unsafe']) {
      const got = checkFix(scalecore.fix, file, text, mode);
      // What is left is what lint reports for the fixed text, ranges in that text.
      assert.deepStrictEqual(got.remaining, scalecore.lint(got.text), mode);
    }
  });
}

const simulateGolden = golden('simulate.json');
test('golden traces exist', () => {
  assert.ok(Object.keys(simulateGolden).length >= 20);
});

for (const [file, want] of Object.entries(simulateGolden)) {
  test(`simulate ${file}`, () => {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    assert.deepStrictEqual(scalecore.simulate(text), want, 'from JSON text');
    assert.deepStrictEqual(scalecore.simulate(JSON.parse(text)), want, 'from an object');
    assert.equal(want.mismatches, undefined, 'every expectation of the scenario holds');
  });
}

test('the seed reaches 10 replicas and warns about the missing identityId', () => {
  const seed = JSON.parse(fs.readFileSync(path.join(repo, 'examples/seed-servicebus-queue.json'), 'utf8'));
  const trace = scalecore.simulate(seed);
  assert.equal(Math.max(...trace.steps.map((s) => s.replicas)), 10);
  assert.ok(trace.steps.some((s) => typeof s.queueLength === 'number'));
  const d = scalecore.lint(seed.manifest).find((x) => x.code === 'KEDA4001');
  assert.equal(d.line, 10);
  assert.deepStrictEqual(d.range.start, { line: 9, character: 2 });
});

test('position encodings count characters differently', () => {
  // `é` is one UTF-16 unit and two UTF-8 bytes; the error sits after it on the same line.
  const text = 'a: "é" [\n';
  const u16 = scalecore.lint(text, { positionEncoding: 'utf-16' })[0];
  const u8 = scalecore.lint(text, { positionEncoding: 'utf-8' })[0];
  assert.equal(u16.code, u8.code);
  if (u16.range.start.line === 0) {
    assert.equal(u8.range.start.character - u16.range.start.character, 1);
  }
});

test('findings are data, failed requests are Errors with detail', () => {
  assert.ok(Array.isArray(scalecore.lint('a: [1\n')));
  assert.equal(scalecore.lint('a: [1\n')[0].code, 'KEDA0001');
  assert.deepStrictEqual(scalecore.lint(''), []);
  assert.throws(() => scalecore.lint('a: 1', { kedaVersion: 'banana' }),
    (e) => e instanceof Error && e.kind === 'version' && e.detail.includes('banana'));
  assert.throws(() => scalecore.lint('a: 1', { bogus: true }),
    (e) => e instanceof Error && e.kind === 'request' && /bogus/.test(e.message));
  assert.throws(() => scalecore.lint('a: 1', { unsafeFixes: true }),
    (e) => e instanceof Error && e.kind === 'request' && /unsafeFixes is an option of fix/.test(e.message));
  assert.throws(() => scalecore.fix('a: 1', { unsafeFix: true }),
    (e) => e instanceof Error && e.kind === 'request' && /unsafeFix/.test(e.message));
  assert.throws(() => scalecore.fix('a: 1', { kedaVersion: 'banana' }), (e) => e.kind === 'version');
  assert.deepStrictEqual(scalecore.fix(''), { text: '', applied: 0, remaining: [], converged: true });
  assert.throws(() => scalecore.simulate('{'), (e) => e instanceof Error && e.kind === 'scenario');
  assert.throws(() => scalecore.simulate({ manifest: 3 }), (e) => e instanceof Error && e.kind === 'scenario');
});

test('a finding carries its fix, and fix() applies it; options reach it', () => {
  const seed = fs.readFileSync(path.join(repo, 'examples/seed/keda.yaml'), 'utf8');
  const broken = seed.replace('messageCount: "5"', 'messageCount: 5');
  assert.notEqual(broken, seed);
  const d = scalecore.lint(broken).find((x) => x.code === 'KEDA0101');
  const [edit] = d.fixes[0].edits;
  assert.equal(d.fixes[0].applicability, 'safe');
  const lines = broken.split('\n');
  const at = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  assert.equal(broken.slice(0, at(edit.range.start)) + edit.newText + broken.slice(at(edit.range.end)), seed);
  const r = scalecore.fix(broken, { positionEncoding: 'utf-8' });
  assert.equal(r.text, seed);
  assert.equal(r.applied, 1);
  assert.deepStrictEqual(r.remaining, scalecore.lint(seed, { positionEncoding: 'utf-8' }));
  assert.equal(scalecore.fix(broken, { ignore: ['KEDA0101'] }).text, broken);
});

test('options reach the linter', () => {
  const seed = fs.readFileSync(path.join(repo, 'examples/seed/keda.yaml'), 'utf8');
  const report = scalecore.lintFiles([{ path: 'keda.yaml', text: seed }], { strictRefs: true });
  assert.equal(report.files[0].path, 'keda.yaml');
  assert.ok(report.summary.warnings >= 1);
  const rules = scalecore.rules();
  assert.ok(rules.some((r) => r.code === 'KEDA4001' && r.help.length > 0));
  assert.match(scalecore.version(), /^\d+\.\d+\.\d+/);
  assert.equal(scalecore.apiVersion(), 1);
});

test('the TypeScript declarations describe the JSON contract', () => {
  const dts = fs.readFileSync(path.join(__dirname, '..', 'pkg', 'node', 'scalecore_wasm.d.ts'), 'utf8');
  for (const needle of [
    'export function lint(text: string, options?: LintOptions | null): EditorDiagnostic[]',
    'export function lintFiles(files: FileInput[], options?: LintOptions | null): LintReport',
    'export function fix(text: string, options?: FixOptions | null): FixResult',
    'export interface FixResult',
    'applicability: Applicability',
    'fixes?: EditorFix[]',
    'export function simulate(scenario: Scenario | string): Trace',
    'export interface Diagnostic',
    'endColumn: number',
    "export type Severity = 'error' | 'warning' | 'info'",
    'export interface TraceStep',
    'queueLength?: number',
  ]) {
    assert.ok(dts.includes(needle), `missing: ${needle}`);
  }
});

test('the import-free ABI module works with no glue, as ABI.md shows', async () => {
  const bytes = fs.readFileSync(path.join(__dirname, '..', 'pkg', 'abi', 'scalecore_abi.wasm'));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const { memory, alloc, free, lint, fix, simulate, abi_version } = instance.exports;
  assert.equal(abi_version(), 1);
  const call = (fn, text) => {
    const input = new TextEncoder().encode(text);
    const ptr = alloc(input.length);
    new Uint8Array(memory.buffer, ptr, input.length).set(input);
    const answer = fn(ptr, input.length);
    free(ptr, input.length);
    const aptr = Number(answer >> 32n), alen = Number(answer & 0xffffffffn);
    const out = JSON.parse(new TextDecoder().decode(new Uint8Array(memory.buffer, aptr, alen)));
    free(aptr, alen);
    return out;
  };
  const seed = fs.readFileSync(path.join(repo, 'examples/seed/keda.yaml'), 'utf8');
  assert.deepStrictEqual(call(lint, seed), lintGolden['examples/seed/keda.yaml']);
  const broken = seed.replace('messageCount: "5"', 'messageCount: 5');
  const fixed = call(fix, JSON.stringify({ text: broken, options: { unsafeFixes: false } }));
  assert.equal(fixed.text, seed);
  assert.equal(fixed.applied, 1);
  const scenario = fs.readFileSync(path.join(repo, 'examples/seed-servicebus-queue.json'), 'utf8');
  assert.deepStrictEqual(call(simulate, scenario), simulateGolden['examples/seed-servicebus-queue.json']);
  assert.equal(call(simulate, '{').error.kind, 'scenario');
});

test('pkg/web (the size-optimised build) gives the same answers on every golden entry', async () => {
  const { pathToFileURL } = require('node:url');
  const web = await import(pathToFileURL(path.join(__dirname, '..', 'pkg', 'web', 'scalecore_wasm.js')).href);
  web.initSync({ module: fs.readFileSync(path.join(__dirname, '..', 'pkg', 'web', 'scalecore_wasm_bg.wasm')) });
  for (const [file, want] of Object.entries(lintGolden)) {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    assert.deepStrictEqual(web.lint(text).map(contract), want, file);
    for (const mode of ['safe', 'unsafe']) checkFix(web.fix, file, text, mode);
  }
  for (const [file, want] of Object.entries(simulateGolden)) {
    const text = fs.readFileSync(path.join(repo, file), 'utf8');
    assert.deepStrictEqual(web.simulate(text), want, file);
  }
});
