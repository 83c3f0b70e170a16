#!/usr/bin/env bash
# Everything the Wasm package needs, from a machine with only Rust, Node 20 + npm and Debian:
# installs what is missing (idempotent, quick when present), builds pkg/ and the portal page,
# then runs the native unit tests, the wasmtime conformance suite, the node:test golden suite
# and the end-to-end browser test. Exits non-zero on any failure.
set -euo pipefail

WASM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$WASM_DIR/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
WASM_BINDGEN_VERSION=0.2.130
START=$(date +%s)
step() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - START ))"; }

step "toolchain"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION\$"; then
  # The npm wasm-pack would download a binary at install time; build the pinned CLI instead.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi

cd "$WASM_DIR"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

step "npm run build"
npm run build

step "native unit tests (options decoder, ABI envelopes)"
cargo test -p scalecore-wasm -p scalecore-wasm-abi

step "clippy: the wasm32-only exports, and the conformance crate (outside the workspace)"
cargo clippy -p scalecore-wasm -p scalecore-wasm-abi --target wasm32-unknown-unknown -- -D warnings
cargo clippy --manifest-path conformance/Cargo.toml --all-targets -- -D warnings

step "conformance under wasmtime (pkg/abi)"
cargo test --manifest-path conformance/Cargo.toml

step "node:test golden suite (pkg/node)"
node --test test/golden.test.cjs

step "the packed package: exports and declarations in Node and chromium"
node --test test/exports.test.mjs

step "end-to-end in chromium (web/)"
node --test web/e2e.test.mjs

step "done"
cat pkg/sizes.json
