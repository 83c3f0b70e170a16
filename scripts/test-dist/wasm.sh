#!/usr/bin/env bash
# npm `scalecore-wasm` from dist/: installed in a fresh folder, what `tsc --strict` accepts runs
# in Node and, bundled for the browser, in chromium (wasm/test/exports.test.mjs on the tarball).
set -euo pipefail
cd "$(dirname "$0")/../.."
tarball=$(ls dist/scalecore-wasm-*.tgz 2>/dev/null | head -1)
if [ -z "$tarball" ]; then
  echo "wasm: no dist/scalecore-wasm-*.tgz: run scripts/dist.sh wasm first" >&2
  exit 1
fi
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "wasm: installing chromium (apt-get)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq chromium
fi
cd wasm
# The test's own tools (typescript, esbuild, playwright-core), not the package's.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "wasm: installing the test's npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
SCALECORE_WASM_TARBALL="$(cd .. && pwd)/$tarball" node --test test/exports.test.mjs
