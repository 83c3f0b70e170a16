#!/usr/bin/env bash
# Validates SARIF files with Microsoft's SARIF Multitool, GitHub's rules included; exits 1 when
# it reports any error or warning. Installs the tool (npm @microsoft/sarif-multitool, a
# self-contained binary per platform) under target/ on first use.
# Usage: host/scripts/sarif-validate.sh FILE.sarif...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
version=5.7.0
cache="${CARGO_TARGET_DIR:-$root/target}/sarif-multitool-$version"
tool="$cache/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
case "$(uname -s)" in
  Darwin) tool="$cache/node_modules/@microsoft/sarif-multitool-darwin/Sarif.Multitool" ;;
esac
if [ ! -x "$tool" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-audit --no-fund --no-save --loglevel=error \
    "@microsoft/sarif-multitool@$version" >&2
  chmod u+x "$tool"
fi
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
out="$("$tool" validate --rule-kind "Gh;Sarif" "$@" 2>&1)" || { echo "$out"; exit 2; }
echo "$out"
if grep -Eq ': (error|warning) [A-Z]+[0-9]+:' <<<"$out"; then
  exit 1
fi
grep -q 'Analysis completed successfully' <<<"$out"
