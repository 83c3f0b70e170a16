// Lint latency per keystroke for a 200-line manifest: Node through the Wasm package (pkg/node,
// the whole call: string in, diagnostics with LSP ranges out as JS objects), and the same work
// natively (wasm/examples/native_keystroke.rs, release). Each iteration edits one character of
// a queue name, as typing does, so no answer can be cached.
// Usage: node bench/keystroke.mjs [--no-native]   (npm run bench)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifest200 } from './manifest.mjs';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = dirname(here);
const target = process.env.CARGO_TARGET_DIR || join(repo, 'target');
// SCALECORE_WASM_NODE_PKG: another build of pkg/node to measure (e.g. a speed-optimised one).
const { lint } = createRequire(import.meta.url)(process.env.SCALECORE_WASM_NODE_PKG || join(here, 'pkg', 'node'));

const text = manifest200(repo);
const at = text.indexOf('queueName: orders0') + 'queueName: orders0'.length - 1;
const variant = (i) => text.slice(0, at) + String.fromCharCode(97 + (i % 26)) + text.slice(at + 1);
const lines = text.split('\n').length - 1;

const WARM = 300, N = 3000;
for (let i = 0; i < WARM; i++) lint(variant(i), { positionEncoding: 'utf-16' });
const times = [];
let found = 0;
for (let i = 0; i < N; i++) {
  const t = variant(i);
  const start = process.hrtime.bigint();
  found += lint(t, { positionEncoding: 'utf-16' }).length;
  times.push(Number(process.hrtime.bigint() - start) / 1e3);
}
times.sort((a, b) => a - b);
const pct = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
const mean = times.reduce((a, b) => a + b, 0) / times.length;
const wasm = { mean, median: pct(0.5), p99: pct(0.99) };
console.log(`manifest: ${lines} lines, ${text.length} bytes, ${found / N} diagnostics per lint`);
console.log(`wasm (node ${process.version}): mean ${mean.toFixed(1)} µs, median ${wasm.median.toFixed(1)} µs, p99 ${wasm.p99.toFixed(1)} µs`);

if (!process.argv.includes('--no-native')) {
  const dir = join(target, 'wasm-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'manifest-200.yaml');
  writeFileSync(file, text);
  const out = execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'scalecore-wasm',
    '--example', 'native_keystroke', '--', file, String(N)], { cwd: repo }).toString();
  const native = JSON.parse(out);
  console.log(`native (release): mean ${native.mean.toFixed(1)} µs, median ${native.median.toFixed(1)} µs, p99 ${native.p99.toFixed(1)} µs`);
  const ratio = wasm.median / native.median;
  console.log(`wasm / native (median): ${ratio.toFixed(2)}x; target <= 1000 µs and <= 2x`);
  console.log(JSON.stringify({ lines, wasm, native, ratio }));
}
