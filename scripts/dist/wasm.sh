#!/usr/bin/env bash
# npm `scalecore-wasm`: pkg/ built by `npm run build` (which adds the wasm32 Rust target and the
# pinned wasm-bindgen-cli when they are missing), packed into dist/scalecore-wasm-VERSION.tgz.
set -euo pipefail
cd "$(dirname "$0")/../../wasm"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "wasm: installing the npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run build
rm -f ../dist/scalecore-wasm-*.tgz
npm pack --pack-destination ../dist --loglevel=error
