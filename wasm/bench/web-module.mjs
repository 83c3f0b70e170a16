// The keystroke benchmark against the browser build: the `wasm-release` module (opt-level z,
// then wasm-opt -Os, exactly as pkg/web ships it) wrapped for Node by wasm-bindgen, so that
// Node can time what a browser downloads. Run `npm run build` first.
// Usage: node bench/web-module.mjs [--no-native]   (npm run bench:web)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const root = dirname(here);
const target = process.env.CARGO_TARGET_DIR || join(root, 'target');
const out = join(target, 'wasm-bench', 'web-as-node');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
execFileSync('wasm-bindgen', ['--target', 'nodejs', '--out-dir', out,
  join(target, 'wasm32-unknown-unknown', 'wasm-release', 'scalecore_wasm.wasm')], { stdio: 'inherit' });
const bg = join(out, 'scalecore_wasm_bg.wasm');
execFileSync(join(here, 'node_modules', '.bin', 'wasm-opt'), ['-Os', '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals',
  '--enable-reference-types', '--enable-multivalue', '--strip-debug', '--strip-producers', bg, '-o', bg],
{ stdio: 'inherit' });
writeFileSync(join(out, 'package.json'), JSON.stringify({ type: 'commonjs', main: 'scalecore_wasm.js' }) + '\n');
execFileSync(process.execPath, [join(here, 'bench', 'keystroke.mjs'), ...process.argv.slice(2)], {
  stdio: 'inherit', env: { ...process.env, SCALECORE_WASM_NODE_PKG: out },
});
