#!/usr/bin/env bash
# Lint throughput, whole process: `scalecore lint --format json` against a process that only
# parses with serde_yaml and validates the ScaledObject CRD JSON schema (bench/baseline), on
# two 1000-document streams: clean copies of the seed ScaledObject, and the same with a defect
# in 40 % of the documents (bench/streams.py), so findings are printed. Then the default
# (human) format on a 4000-document stream with defects. Prints, over RUNS runs of each, the
# median wall time and the median CPU time (user + system: steadier on a busy machine), and
# the ratios. scalecore is built with the profile it ships with (`host`; PROFILE=release to
# compare). Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-31}
profile=${PROFILE:-host}
out=bench/out
mkdir -p "$out"
cargo build -q --profile "$profile" -p scalecore-host
(cd bench/baseline && cargo build -q --release)
python3 bench/streams.py 1000 "$out/stream-1000.yaml"
python3 bench/streams.py 1000 "$out/stream-1000-defects.yaml" --defects
python3 bench/streams.py 4000 "$out/stream-4000-defects.yaml" --defects
# The same streams behind a `%YAML 1.2` directive, which the fast YAML reader leaves to the
# full parser (core/src/document/fast/mod.rs): what the fast reader saves, whole process.
for s in stream-1000 stream-1000-defects; do
    { echo '%YAML 1.2'; cat "$out/$s.yaml"; } > "$out/$s-full-parser.yaml"
done
python3 - "$runs" "target/$profile/scalecore" "$out" <<'PY'
import os, resource, subprocess, sys, time, statistics
runs, bin, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
base_bin = "bench/baseline/target/release/baseline-lint"
def measure(*cmds):
    # Round-robin, so a change in the machine's load weighs on every command alike.
    wall, cpu = [[] for _ in cmds], [[] for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            r0, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wall[i].append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[i].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    return [(statistics.median(w), statistics.median(c)) for w, c in zip(wall, cpu)]
def row(label, t):
    print(f"  {label:<44} {t[0]*1000:8.1f} ms wall {t[1]*1000:8.1f} ms cpu")
print(f"{runs} runs each, medians; {os.cpu_count()} cpus, load {os.getloadavg()[0]:.1f}; {bin}")
for name, stream in [("clean", "stream-1000.yaml"), ("40 % defective", "stream-1000-defects.yaml")]:
    path = f"{out}/{stream}"
    ours, base, full = measure(
        [bin, "lint", "--format", "json", path],
        [base_bin, path],
        [bin, "lint", "--format", "json", path.replace(".yaml", "-full-parser.yaml")],
    )
    print(f"1000 documents, {name} ({stream}):")
    row("scalecore lint --format json", ours)
    row("serde_yaml + jsonschema", base)
    row("scalecore, full YAML parser (%YAML 1.2)", full)
    print(f"  ratio (scalecore / baseline): {ours[0]/base[0]:.2f} wall, {ours[1]/base[1]:.2f} cpu  (target <= 0.70)")
    print(f"  fast reader saves: {1-ours[0]/full[0]:.0%} wall, {1-ours[1]/full[1]:.0%} cpu of the full parser's run")
[human] = measure([bin, "lint", f"{out}/stream-4000-defects.yaml"])
print("4000 documents, 40 % defective (stream-4000-defects.yaml):")
row("scalecore lint (human format)", human)
PY
