#!/usr/bin/env bash
# The Helm chart charts/scalecore, packaged by Helm's engine as dist/scalecore-chart-<version>.tgz
# (`helm install scalecore dist/scalecore-chart-<version>.tgz` installs it). Helm names its
# archive scalecore-<version>.tgz, the name npm gives the npm package: it is renamed here.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/helm-engine.sh
helm_engine

# The chart carries the workspace's version, so one tag names the binary, image and chart.
version=$(sed -n 's/^version: *//p' charts/scalecore/Chart.yaml)
workspace=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
if [ "$version" != "$workspace" ]; then
  echo "charts/scalecore/Chart.yaml version $version differs from the workspace's $workspace (Cargo.toml): set both" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rm -f dist/scalecore-chart-"$version".tgz
"$HELM_ENGINE_PY" - "$out" <<'PY'
import sys
import helm_python as helm

report = helm.lint("charts/scalecore", strict=True)
errors = [m for m in report["messages"] if m["severity"] >= 2] + [{"error": e} for e in report["errors"]]
if errors:
    sys.exit("helm lint charts/scalecore: " + "; ".join(e["error"] for e in errors))
print(helm.package("charts/scalecore", destination=sys.argv[1]))
PY
mv "$out/scalecore-$version.tgz" dist/scalecore-chart-"$version".tgz
ls -l dist/scalecore-chart-"$version".tgz
