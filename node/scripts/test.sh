#!/usr/bin/env bash
# Node package: installs its npm dependencies (when package-lock.json changed), builds the addon
# (debug; the workspace target dir), checks that the committed loader and types are what the
# build generates, builds the WebAssembly (WASI) build and the native binary, and runs the
# node:test suites (golden answers, API, types, `npx scalecore` against the native binary on
# both builds, editor schemas, language server, and Neovim driving it). Needs Node >= 20.17 +
# npm and the Rust toolchain; installs Debian's neovim (apt-get) when nvim is missing.
# `--bench` also builds release and benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=$(pwd)

step() { printf '\n==> node: %s\n' "$*"; }

step "npm dependencies"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  echo "up to date"
fi

step "neovim (for test/neovim.test.js)"
if ! command -v nvim >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update
    $SUDO apt-get install -y neovim
  else
    echo "no nvim and no apt-get to install it: test/neovim.test.js will be skipped"
  fi
fi
if command -v nvim >/dev/null 2>&1; then nvim --version | head -1; fi

step "addon (napi build, debug)"
npx --no-install napi build --platform
node scripts/trim-loader.js
if git -C "$pkg" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  if ! git -C "$pkg" diff --exit-code -- index.js index.d.ts; then
    echo "index.js / index.d.ts differ from what the build generates: commit the generated files" >&2
    exit 1
  fi
fi

step "WebAssembly build (napi build --target wasm32-wasip1-threads, debug)"
# test/cli.test.js runs `npx scalecore` on it too, with NAPI_RS_FORCE_WASI=error; the loader
# finds it beside index.js (scalecore.wasi.cjs, not committed).
if ! rustup target list --installed | grep -qx wasm32-wasip1-threads; then
  rustup target add wasm32-wasip1-threads
fi
npx --no-install napi build --platform --target wasm32-wasip1-threads
node scripts/trim-loader.js
if git -C "$pkg" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$pkg" diff --exit-code -- index.js index.d.ts
fi

step "native binary (target/debug/scalecore: the bytes test/cli.test.js compares with)"
(cd .. && cargo build -p scalecore-host --bin scalecore)

step "editor schemas (docs/schemas/keda -> schemas/)"
node scripts/copy-schemas.js

step "node --test"
node --test test/

if [ "${1:-}" = "--bench" ]; then
  step "benchmark (release build)"
  npx --no-install napi build --platform --release
  node scripts/trim-loader.js
  node bench/lint.js --check
fi
