#!/usr/bin/env bash
# Runs every test of the project, installing first what a fresh machine lacks.
# The README's test command, and what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export CARGO_INCREMENTAL=0

steps=0
step() { steps=$((steps + 1)); printf '\n==> %s\n' "$*"; }

printf "\n==> toolchain components\n"
rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy without default features (the in-cluster build: no \`demo\`, no stand-ins)"
# Only scalecore-host has default features, so the features of every other crate resolve as in
# the step above and only the host is checked again.
cargo clippy --workspace --all-targets --locked --no-default-features -- -D warnings

step "cargo test (core, bindings, CLI, conformance vectors, docs corpus)"
cargo test --workspace --locked

step "Node package and language server (node/)"
./node/scripts/test.sh

step "Python package (python/)"
./python/scripts/test.sh

step "Wasm package, portal page, wasmtime conformance, browser test (wasm/)"
./wasm/scripts/test.sh

step "distribution: every artifact of dist/ built (scripts/dist.sh) and used as users do (scripts/test-dist.sh)"
# Wheels cross-built with zig and checked, the npm package with its four native platform packages
# and the WASI fallback, the scalecore-wasm tarball, the static image run under podman, the Helm
# chart, the VS Code extension, and the CI glue (pre-commit, action, workflows).
SCALECORE="$root/target/debug/scalecore" ./scripts/test-dist.sh

step "contract checks from shared/ (the CLI as outside tools drive it)"
shared="$root/../shared/checks"
if [ -d "$shared" ]; then
  venv="$root/target/ci-venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pyyaml
  fi
  cli="$root/target/debug/scalecore"
  (cd "$shared" && "$venv/bin/python" check_validation.py "$cli" "$root/tests/vectors/validation")
else
  echo "(../shared/checks not present: skipped)"
fi

# Every step above stops the script on failure, so reaching here means all of them passed.
printf '\nall tests passed\nsuites: %d passed, 0 failed\n' "$steps"
