#!/usr/bin/env bash
# Renders dist/scalecore-chart-<version>.tgz with Helm's engine, as `helm template`/`helm install`
# would, and checks the result (scripts/test-dist/helm_check.py): its defaults are the objects of
# deploy/scalecore.yaml, each value changes what it should, every configuration passes Kubernetes'
# schemas, `helm lint --strict` and `scalecore lint`.
# SCALECORE=/path/to/scalecore uses that binary; otherwise target/debug/scalecore is built.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
. scripts/helm-engine.sh
helm_engine

version=$(sed -n 's/^version: *//p' charts/scalecore/Chart.yaml)
archive="dist/scalecore-chart-$version.tgz"
[ -f "$archive" ] || { echo "$archive missing: run scripts/dist.sh helm first" >&2; exit 1; }

if [ -z "${SCALECORE:-}" ]; then
  CARGO_INCREMENTAL=0 cargo build --quiet --locked -p scalecore-host
  SCALECORE="$root/target/debug/scalecore"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$archive" "$work/scalecore-$version.tgz"

# Helm's layout: everything under scalecore/, the chart's metadata, values, templates, README.
listing=$(tar -tzf "$work/scalecore-$version.tgz" | sort)
for f in Chart.yaml values.yaml README.md templates/_helpers.tpl templates/deployment.yaml templates/rbac.yaml; do
  grep -qx "scalecore/$f" <<<"$listing" || { echo "$archive lacks scalecore/$f" >&2; exit 1; }
done
if grep -v '^scalecore/' <<<"$listing"; then echo "$archive holds files outside scalecore/" >&2; exit 1; fi

"$HELM_ENGINE_PY" scripts/test-dist/helm_check.py "$work/scalecore-$version.tgz" deploy/scalecore.yaml "$SCALECORE"

# The chart's folder is walked by `scalecore lint .` too: its templates are notes, not errors.
(cd "$work" && "$SCALECORE" lint "$root/charts/scalecore" > lint.out) || {
  echo "scalecore lint charts/scalecore failed:" >&2; cat "$work/lint.out" >&2; exit 1; }
echo "helm chart: ok"
