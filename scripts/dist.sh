#!/usr/bin/env bash
# Builds every artifact users install into dist/: each part is a script in scripts/dist/
# (run in name order), which installs what a fresh machine lacks and writes its files to dist/.
# `scripts/dist.sh python image` builds only the parts whose names contain those words.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
mkdir -p dist
start=$SECONDS
for part in scripts/dist/*.sh; do
  name=$(basename "$part" .sh)
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  printf '\n==> dist: %s\n' "$name"
  t=$SECONDS
  bash "$part"
  printf '==> dist: %s done in %d s\n' "$name" $((SECONDS - t))
done
printf '\ndist/ after %d s:\n' $((SECONDS - start))
ls -l dist
