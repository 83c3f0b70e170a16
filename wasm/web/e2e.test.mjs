// The portal page in a real browser (Debian's chromium via playwright-core), served by a static
// server on 127.0.0.1 that this test starts and stops, with every other request refused: the
// page must work offline. Screenshots go to target/wasm-e2e/.
import test from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, serve } from './chromium.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..', '..');
const artefacts = join(process.env.CARGO_TARGET_DIR || join(repo, 'target'), 'wasm-e2e');
// The seed's TriggerAuthentication (examples/seed/keda.yaml, its first document without the
// leading comment), and where the native linter puts its KEDA4001 warning.
const seedText = readFileSync(join(repo, 'examples/seed/keda.yaml'), 'utf8');
const seedLines = seedText.split('\n');
const firstLine = seedLines.findIndex((l) => l.startsWith('apiVersion:'));
const endLine = seedLines.indexOf('---');
const typed = seedLines.slice(firstLine, endLine);
const golden = JSON.parse(readFileSync(join(repo, 'tests/golden/lint.json'), 'utf8'));
const nativeWarning = golden['examples/seed/keda.yaml'].find((d) => d.code === 'KEDA4001');
const expectedLine = nativeWarning.line - firstLine;
const expectedSquiggle = seedLines[nativeWarning.line - 1].slice(nativeWarning.column - 1, nativeWarning.endColumn - 1);

let server, browser, page;
const offsite = [];
const errors = [];

test.before(async () => {
  mkdirSync(artefacts, { recursive: true });
  server = await serve(here);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  await page.route('**/*', (route) => {
    const host = new URL(route.request().url()).hostname;
    if (host === '127.0.0.1') return route.continue();
    offsite.push(route.request().url());
    return route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/index.html`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 20000 });
  assert.deepStrictEqual(errors, []);
});

test.after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
});

test('typing the seed TriggerAuthentication without identityId warns at the right line', async () => {
  assert.equal(expectedSquiggle, 'podIdentity');
  await page.click('#clear');
  await page.waitForSelector('#no-problems:not([hidden])');
  await page.click('.cm-content');
  for (const [i, line] of typed.entries()) {
    if (i > 0) {
      await page.keyboard.press('Enter');
      // Replace the editor's own indentation with the line's.
      await page.keyboard.press('Shift+Home');
    }
    await page.keyboard.type(line, { delay: 2 });
  }
  const text = await page.evaluate(() => window.scalecore.view.state.doc.toString());
  assert.equal(text, typed.join('\n'), 'the editor holds exactly what was typed');

  const item = await page.waitForSelector('#problem-list li[data-code="KEDA4001"]', { timeout: 10000 });
  assert.equal(await item.getAttribute('data-line'), String(expectedLine));
  assert.equal(await item.getAttribute('data-column'), String(nativeWarning.column));
  assert.match(await item.textContent(), /identityId/);
  assert.match(await item.textContent(), /warning/);
  assert.equal(await page.$$eval('#problem-list li', (l) => l.length), 1);

  // The squiggle covers the key the warning is about, on that line of the editor.
  const squiggle = await page.waitForSelector('.cm-lintRange-warning');
  assert.equal(await squiggle.textContent(), expectedSquiggle);
  const lineOfSquiggle = await page.$eval('.cm-lintRange-warning', (el) => {
    const line = el.closest('.cm-line');
    return [...line.parentElement.children].indexOf(line) + 1;
  });
  assert.equal(lineOfSquiggle, expectedLine);
  await page.screenshot({ path: join(artefacts, 'lint.png') });

  // Adding identityId clears the warning, live.
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Shift+Home');
  await page.keyboard.type('    identityId: 00000000-0000-0000-0000-000000000000', { delay: 2 });
  await page.waitForSelector('#no-problems:not([hidden])', { timeout: 10000 });
  assert.equal(await page.$$eval('.cm-lintRange-warning', (l) => l.length), 0);
});

test('a finding with a fix offers it; applying it clears the finding', async () => {
  const seed = seedText;
  const broken = seed.replace('messageCount: "5"', 'messageCount: 5');
  assert.notEqual(broken, seed);
  await page.evaluate((t) => window.scalecore.setText(t), broken);
  const item = await page.waitForSelector('#problem-list li[data-code="KEDA0101"]', { timeout: 10000 });
  assert.equal(await page.$eval('#fix-all', (b) => b.disabled), false);
  const button = await item.$('button.fix[data-applicability="safe"]');
  assert.ok(button, 'the KEDA0101 finding offers its fix');
  assert.match(await button.textContent(), /quote/i);
  await page.screenshot({ path: join(artefacts, 'fix.png') });
  await button.click();
  await page.waitForSelector('#problem-list li[data-code="KEDA0101"]', { state: 'detached', timeout: 10000 });
  const text = await page.evaluate(() => window.scalecore.view.state.doc.toString());
  assert.equal(text, seed, 'the fix quoted the value and changed nothing else');
  // The seed's own warning stays: only the fixed finding is gone.
  await page.waitForSelector('#problem-list li[data-code="KEDA4001"]');

  // "Fix all safe" applies every safe fix at once (the Wasm fix()), and is disabled after.
  const twice = broken.replace('namespace: contoso-sb', 'namespace: contoso-sb\n        activationMessageCount: 0');
  await page.evaluate((t) => window.scalecore.setText(t), twice);
  await page.waitForFunction(() => document.querySelectorAll('#problem-list li[data-code="KEDA0101"]').length === 2, null, { timeout: 10000 });
  await page.click('#fix-all');
  await page.waitForSelector('#problem-list li[data-code="KEDA0101"]', { state: 'detached', timeout: 10000 });
  const all = await page.evaluate(() => window.scalecore.view.state.doc.toString());
  assert.equal(all, twice.replace('messageCount: 5', 'messageCount: "5"').replace('activationMessageCount: 0', 'activationMessageCount: "0"'));
  await page.waitForFunction(() => document.getElementById('fix-all').disabled, null, { timeout: 10000 });
});

test('the seed simulation reaches 10 replicas on the chart', async () => {
  await page.click('#load-seed');
  await page.waitForSelector('#problem-list li[data-code="KEDA4001"]');
  await page.click('#tab-simulate');
  await page.click('#run-sim');
  await page.waitForSelector('#chart[data-peak-replicas], #sim-error:not([hidden])', { timeout: 10000 })
    .catch((e) => { throw new Error(`${e.message}\npage errors: ${errors.join('; ')}`); });
  assert.equal(await page.$eval('#sim-error', (e) => (e.hidden ? '' : e.textContent)), '');
  const chart = await page.$('#chart[data-peak-replicas]');
  assert.equal(await chart.getAttribute('data-peak-replicas'), '10');
  assert.ok(Number(await chart.getAttribute('data-points')) > 10);
  // The drawn replicas line really reaches the level of 10 on the axis.
  const reaches = await page.$eval('#chart', (fig) => {
    const path = fig.querySelector('path.replicas').getAttribute('d');
    const label = [...fig.querySelectorAll('text')].find((t) => t.textContent === '10');
    const y10 = Number(label.getAttribute('y')) - 4;
    const levels = [...path.matchAll(/V([\d.]+)/g)].map((m) => Number(m[1]));
    return { y10, top: Math.min(...levels) };
  });
  assert.ok(Math.abs(reaches.top - reaches.y10) < 0.5, JSON.stringify(reaches));
  assert.ok(await page.$('#chart polyline.queue'), 'queue length is plotted');
  assert.equal(await page.$eval('#sim-summary dd[data-field="Peak replicas"]', (e) => e.textContent), '10');
  await page.screenshot({ path: join(artefacts, 'simulate.png') });
});

test('nothing was fetched from anywhere but the page server, and nothing failed', () => {
  assert.deepStrictEqual(offsite, []);
  assert.deepStrictEqual(errors, []);
});
