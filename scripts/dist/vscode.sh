#!/usr/bin/env bash
# The VS Code extension (editors/vscode) as dist/scalecore-vscode-<version>.vsix. It bundles the
# `scalecore` npm package and its WASI build from dist/ (scripts/dist/node.sh makes them), so
# the language server runs on any OS. Needs Node 20 and npm; installs @vscode/vsce into
# target/vsce.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
version=$(node -p "require('./editors/vscode/package.json').version")
main=$(ls dist/scalecore-[0-9]*.tgz 2>/dev/null | head -1 || true)
wasi=$(ls dist/*wasm32-wasi*.tgz 2>/dev/null | head -1 || true)
if [ -z "$main" ] || [ -z "$wasi" ]; then
  echo "dist/ lacks the scalecore npm package or its WASI build: run scripts/dist.sh node first" >&2
  exit 1
fi
tools="$root/target/vsce"
if [ ! -x "$tools/node_modules/.bin/vsce" ]; then
  echo "vscode: installing @vscode/vsce into target/vsce"
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund @vscode/vsce@4.1.0 >/dev/null)
fi
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cp editors/vscode/package.json editors/vscode/extension.js editors/vscode/README.md editors/vscode/.vscodeignore "$build/"
cp LICENSE "$build/LICENSE"
cp "$main" "$wasi" "$build/"
(
  cd "$build"
  # The local tarballs become dependencies (npm records them as file: specs), so vsce packs
  # them with vscode-languageclient from the registry.
  npm install --silent --no-audit --no-fund --omit=dev --omit=optional "./$(basename "$main")" "./$(basename "$wasi")" >/dev/null
  "$tools/node_modules/.bin/vsce" package --allow-missing-repository --out "$root/dist/scalecore-vscode-$version.vsix" >/dev/null
)
ls -l "dist/scalecore-vscode-$version.vsix"
