// The package as a user installs it (`npm pack`, then `npm install` of the tarball in a fresh
// folder): code that `tsc --strict` accepts runs, in Node (the `node` condition: pkg/node, no
// `init`) and in Chromium (a bundle made by esbuild for the browser: pkg/web, `await init()`
// first); and the code that type-checks nowhere but used to, a default `init` in Node, is
// refused by tsc. Needs `npm run build` (pkg/), or SCALECORE_WASM_TARBALL, and chromium.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serve } from '../web/chromium.mjs';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const tsc = join(here, 'node_modules', 'typescript', 'bin', 'tsc');
const esbuild = join(here, 'node_modules', '.bin', 'esbuild');
const manifest = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: a\nspec:\n  scaleTargetRef:\n    name: a\n  minReplicaCount: 5\n  maxReplicaCount: 2\n  triggers:\n  - type: cpu\n    metricType: Utilization\n    metadata:\n      value: 50\n';

// The same program for both: every function, its answer held in the declared types.
const program = (prelude) => `${prelude}
import type { EditorDiagnostic, FixResult, LintOptions, LintReport, RuleInfo, Scenario, Trace } from 'scalecore-wasm'

const manifest: string = ${JSON.stringify(manifest)}
const options: LintOptions = { positionEncoding: 'utf-16', kedaVersion: '2.18' }
const found: EditorDiagnostic[] = lint(manifest, options)
const fixed: FixResult = fix(manifest, { unsafeFixes: false })
const report: LintReport = lintFiles([{ path: 'a.yaml', text: manifest }])
const scenario: Scenario = { manifest, steps: [{ t: 0, loop: 'keda', metrics: { s0: 10 } }] }
const trace: Trace = simulate(scenario)
const all: RuleInfo[] = rules()
export const result = {
  codes: found.map((d) => d.code + '@' + d.range.start.line + ':' + d.range.start.character),
  safe: found.flatMap((d) => d.fixes ?? []).map((f) => f.applicability),
  applied: fixed.applied,
  errors: report.summary.errors,
  replicas: trace.steps.map((s) => s.replicas),
  rules: all.filter((r) => r.fixes.includes('safe')).length,
  version: version(),
}
`;

const compile = (dir, name, source, compilerOptions) => {
  writeFileSync(join(dir, name), source);
  writeFileSync(join(dir, `tsconfig.${name}.json`), JSON.stringify({
    compilerOptions: { strict: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], outDir: 'out', ...compilerOptions },
    files: [name],
  }));
  return spawnSync(process.execPath, [tsc, '-p', `tsconfig.${name}.json`], { cwd: dir, encoding: 'utf8' });
};

let app;
test.before(() => {
  const work = mkdtempSync(join(tmpdir(), 'scalecore-wasm-exports-'));
  // SCALECORE_WASM_TARBALL: a tarball already made (scripts/test-dist/wasm.sh, from dist/).
  const tarball = process.env.SCALECORE_WASM_TARBALL || join(work, JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: here }).toString())[0].filename);
  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe' });
});
test.after(() => rmSync(dirname(app), { recursive: true, force: true }));

let inNode;
test('Node: what tsc --strict accepts under nodenext runs, ESM and CommonJS', () => {
  const esm = compile(app, 'node.mts', program("import { lint, lintFiles, fix, simulate, rules, version } from 'scalecore-wasm'"),
    { module: 'nodenext', moduleResolution: 'nodenext' });
  assert.equal(esm.status, 0, esm.stdout + esm.stderr);
  const run = (file) => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e',
    `import(${JSON.stringify(join(app, 'out', file))}).then((m) => console.log(JSON.stringify(m.result ?? m.default.result)))`]).toString());
  inNode = run('node.mjs');
  // The unquoted `value: 50` (KEDA0101, with a safe fix), on line 14 (0-based 13), column 14.
  assert.deepEqual([inNode.codes, inNode.safe, inNode.applied], [['KEDA0101@13:13'], ['safe'], 1]);
  assert.ok(inNode.errors > 0 && inNode.rules > 0, JSON.stringify(inNode));
  assert.deepEqual(inNode.replicas, [5]);
  assert.match(inNode.version, /^\d+\.\d+\.\d+/);
  const cts = compile(app, 'plain.cts', program("import wasm = require('scalecore-wasm')\nconst { lint, lintFiles, fix, simulate, rules, version } = wasm"),
    { module: 'nodenext', moduleResolution: 'nodenext' });
  assert.equal(cts.status, 0, cts.stdout + cts.stderr);
  assert.deepEqual(run('plain.cjs'), inNode);
});

test('Node: a default `init`, which the Node build has not, does not type-check (it would throw)', () => {
  const r = compile(app, 'init.mts', "import init from 'scalecore-wasm'\nawait init()\nexport {}\n",
    { module: 'nodenext', moduleResolution: 'nodenext' });
  assert.notEqual(r.status, 0, 'tsc accepted a default init in Node');
  assert.match(r.stdout, /init\.mts\(2,7\): error TS\d+/, r.stdout);
  // And Node agrees: what tsc refuses would fail at run time.
  const node = spawnSync(process.execPath, ['--input-type=module', '-e', "import init from 'scalecore-wasm'; await init()"],
    { cwd: app, encoding: 'utf8' });
  assert.notEqual(node.status, 0);
  assert.match(node.stderr, /init is not a function/);
});

test('Chromium: what tsc --strict accepts for a bundler (await init() first) runs in a browser bundle', async () => {
  const r = compile(app, 'web.ts', program("import init, { lint, lintFiles, fix, simulate, rules, version } from 'scalecore-wasm'\nawait init()"),
    { module: 'esnext', moduleResolution: 'bundler' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const site = join(app, 'site');
  mkdirSync(site);
  writeFileSync(join(app, 'entry.js'), "import { result } from './out/web.js'\nglobalThis.result = result\n");
  execFileSync(esbuild, ['entry.js', '--bundle', '--format=esm', '--platform=browser', '--outfile=site/app.js'], { cwd: app, stdio: 'pipe' });
  // The bundle loads the module next to itself (`new URL('scalecore_wasm_bg.wasm', import.meta.url)`).
  copyFileSync(join(app, 'node_modules', 'scalecore-wasm', 'pkg', 'web', 'scalecore_wasm_bg.wasm'), join(site, 'scalecore_wasm_bg.wasm'));
  writeFileSync(join(site, 'index.html'), '<!doctype html><script type="module" src="app.js"></script>');
  assert.ok(!readFileSync(join(site, 'app.js'), 'utf8').includes('require("fs")'), 'the bundle took the Node build');
  const server = await serve(site);
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
    await page.waitForFunction(() => globalThis.result !== undefined, null, { timeout: 20000 });
    const inBrowser = await page.evaluate(() => globalThis.result);
    assert.deepEqual(errors, []);
    assert.deepEqual(inBrowser.codes, ['KEDA0101@13:13'], JSON.stringify(inBrowser));
    if (inNode) assert.deepEqual(inBrowser, inNode, 'the web and Node builds answer alike');
  } finally {
    await browser.close();
    await new Promise((resolve) => server.close(resolve));
  }
  assert.ok(readdirSync(site).length === 3);
});
