#!/usr/bin/env bash
# Installs each artifact of dist/ in a clean place and uses it, as a new user would: each part
# is a script in scripts/test-dist/ (run in name order). Builds dist/ first (scripts/dist.sh)
# unless SCALECORE_DIST_BUILT=1. `scripts/test-dist.sh python` runs only that part.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SCALECORE_DIST_BUILT:-0}" != 1 ]; then
  ./scripts/dist.sh "$@"
fi
for part in scripts/test-dist/*.sh; do
  name=$(basename "$part" .sh)
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  printf '\n==> test-dist: %s\n' "$name"
  bash "$part"
done
printf '\nall dist tests passed\n'
