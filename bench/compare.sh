#!/usr/bin/env bash
# Lint throughput on a 1000-document stream: `scalecore lint` against a process that only
# parses with serde_yaml and validates the ScaledObject CRD JSON schema (bench/baseline).
# Prints the median wall time of each over RUNS runs and the ratio. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-15}
out=bench/out
mkdir -p "$out"
cargo build -q --release -p scalecore-host
(cd bench/baseline && cargo build -q --release)
python3 - "$out/stream-1000.yaml" <<'PY'
import sys
seed = open("examples/seed/keda.yaml").read().split("\n---\n")[1]
with open(sys.argv[1], "w") as f:
    for i in range(1000):
        f.write("---\n" + seed.replace("orders-worker", f"orders-worker-{i}") + "\n")
PY
python3 - "$runs" "$out/stream-1000.yaml" <<'PY'
import subprocess, sys, time, statistics
runs, path = int(sys.argv[1]), sys.argv[2]
def median(cmd):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)
ours = median(["target/release/scalecore", "lint", "--format", "json", path])
base = median(["bench/baseline/target/release/baseline-lint", path])
print(f"scalecore lint, 1000 documents:           {ours*1000:8.1f} ms")
print(f"serde_yaml + jsonschema, 1000 documents:  {base*1000:8.1f} ms")
print(f"ratio (scalecore / baseline):             {ours/base:8.2f}  (target <= 1.00)")
PY
