"""Benchmarks of the Python package (not a test): a 1,000,000-sample series simulated from
Python, and lint through Python against the native CLI.

    python python/bench/bench.py            # after python/scripts/test.sh (uses its venv)

Builds `target/release/scalecore` (the CLI) when it is missing.
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Callable, List

import scalecore

REPO = pathlib.Path(__file__).resolve().parents[2]
CLI = REPO / "target" / "release" / "scalecore"
SO = """\
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders-worker
  namespace: shop
spec:
  scaleTargetRef:
    name: orders-worker
  pollingInterval: 30
  cooldownPeriod: 300
  minReplicaCount: 0
  maxReplicaCount: 10
  triggers:
    - type: azure-servicebus
      name: orders
      metadata:
        namespace: contoso-sb
        queueName: orders
        messageCount: "5"
"""


def best(f: Callable[[], object], repeat: int) -> float:
    times: List[float] = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def best_cpu(f: Callable[[], object], repeat: int) -> float:
    """CPU time of this process (threads included): steadier than wall time on a busy machine."""
    times: List[float] = []
    for _ in range(repeat):
        t = time.process_time()
        f()
        times.append(time.process_time() - t)
    return min(times)


def simulate_million() -> None:
    n = 1_000_000
    # A day-shaped wave of queue lengths, one sample per second.
    steps = [{"t": i, "metrics": {"orders": float((i // 7) % 400)}} for i in range(n)]
    scenario = {"manifest": SO, "steps": steps}
    text = json.dumps(scenario)
    trace = scalecore.simulate(scenario)
    ticks = len(trace)
    t_dict = best(lambda: scalecore.simulate(scenario), 3)
    t_dict_steps = best(lambda: scalecore.simulate(scenario).steps, 3)
    t_text = best(lambda: scalecore.simulate(text), 3)
    c_dict = best_cpu(lambda: scalecore.simulate(scenario), 3)
    print(f"simulate, {n:,} samples -> {ticks:,} KEDA/HPA ticks (series mode):")
    print(f"  from a dict                 {t_dict:6.3f} s   (target <= 1 s; CPU {c_dict:.3f} s)")
    print(f"  from a dict, + .steps dicts {t_dict_steps:6.3f} s")
    print(f"  from JSON text              {t_text:6.3f} s")


def lint_overhead() -> None:
    if not CLI.exists():
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "scalecore-host"], cwd=REPO, check=True)
    n_calls = 2000
    per_call = best(lambda: [scalecore.lint(SO) for _ in range(n_calls)], 5) / n_calls
    with tempfile.TemporaryDirectory() as tmp:
        one = pathlib.Path(tmp) / "so.yaml"
        one.write_text(SO)
        cmd = [str(CLI), "lint", "--format", "json", str(one)]
        runs = []
        for _ in range(30):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
            runs.append(time.perf_counter() - t)
        cli_one = statistics.median(runs)
        # The same work in one call each: 1,000 ScaledObjects in one stream.
        stream = "---\n".join(SO.replace("orders-worker", f"worker-{i}") for i in range(1000))
        many = pathlib.Path(tmp) / "many.yaml"
        many.write_text(stream)
        cmd = [str(CLI), "lint", "--format", "json", str(many)]
        cli_many = best(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False), 5)
        py_many = best(lambda: scalecore.lint(stream), 5)
        py_many_file = best(lambda: scalecore.lint_file(many), 5)
        n_diags = len(scalecore.lint(stream))
    print("lint:")
    print(f"  Python lint(text), one ScaledObject        {per_call * 1e6:8.1f} µs per call")
    print(f"  native CLI, one ScaledObject (process)     {cli_one * 1e3:8.2f} ms per run")
    print(f"  1,000-document stream ({n_diags} diagnostics):")
    print(f"    native CLI --format json                 {cli_many * 1e3:8.2f} ms")
    print(f"    Python lint(text)                        {py_many * 1e3:8.2f} ms")
    print(f"    Python lint_file(path)                   {py_many_file * 1e3:8.2f} ms")


if __name__ == "__main__":
    print(f"Python {sys.version.split()[0]}, scalecore {scalecore.__version__}, load {os.getloadavg()[0]:.1f}")
    simulate_million()
    lint_overhead()
