"""`python -m scalecore` and the `scalecore` console script: the native command line's lint,
simulate and rules, run as a user runs them (a new process, its exit status and output)."""

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time
from typing import List

import pytest

import scalecore
from conftest import REPO, SEED_SO

SEED = REPO / "examples" / "seed"
SCENARIO = REPO / "examples" / "seed-servicebus-queue.json"
NATIVE = REPO / "target" / "debug" / "scalecore"


def run(args: List[str]) -> "subprocess.CompletedProcess[str]":
    # From the repository's root: in python/ the source folder would shadow the package.
    return subprocess.run([sys.executable, "-m", "scalecore", *args], capture_output=True,
                          text=True, timeout=120, cwd=REPO)


def test_lint_json_report_matches_the_api_and_the_exit_status(tmp_path: pathlib.Path) -> None:
    broken = tmp_path / "so.yaml"
    broken.write_text(SEED_SO.replace("minReplicaCount: 0", "minReplicaCount: 12"))
    out = run(["lint", "--format", "json", str(broken)])
    assert out.returncode == 1, out.stderr
    report = json.loads(out.stdout)
    [file] = report["files"]
    assert file["path"] == str(broken)
    want = [d.to_dict() for d in scalecore.lint_file(broken)]
    assert file["diagnostics"] == want
    assert report["summary"]["errors"] == sum(d["severity"] == "error" for d in want) > 0

    clean = run(["lint", str(SEED)])
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_simulate_json_is_the_api_s_trace() -> None:
    out = run(["simulate", "--format", "json", str(SCENARIO)])
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == scalecore.simulate(SCENARIO).to_dict()


def test_usage_errors_help_version_and_rules() -> None:
    bad = run(["lint", "--format", "yaml", str(SEED)])
    assert bad.returncode == 2 and "invalid value 'yaml'" in bad.stderr
    missing = run(["simulate", "no-such-scenario.json"])
    assert missing.returncode == 2 and "no-such-scenario.json" in missing.stderr
    helped = run(["lint", "--help"])
    assert helped.returncode == 0 and "--fail-on" in helped.stdout
    assert run(["--version"]).stdout.strip() == f"scalecore {scalecore.__version__}"
    rule = run(["rules", "keda2002"])
    assert rule.returncode == 0 and rule.stdout.startswith("KEDA2002 ")


def test_the_console_script_is_installed() -> None:
    script = shutil.which("scalecore", path=os.path.dirname(sys.executable))
    assert script is not None, "pip installed no `scalecore` script beside the interpreter"
    out = subprocess.run([script, "lint", "--format", "json", str(SEED)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and json.loads(out.stdout)["summary"]["errors"] == 0


@pytest.mark.skipif(not NATIVE.exists(), reason="the native binary is not built (cargo build)")
@pytest.mark.parametrize("args", [
    ["lint", str(SEED)],
    ["lint", "--format", "sarif", str(REPO / "tests" / "vectors" / "validation")],
    ["lint", "--format", "github", str(REPO / "tests" / "vectors" / "validation")],
    ["simulate", str(SCENARIO)],
    ["simulate", "--format", "csv", str(SCENARIO)],
    ["rules"],
])
def test_output_is_the_native_binary_s_to_the_byte(args: List[str]) -> None:
    ours = run(args)
    native = subprocess.run([str(NATIVE), *args], capture_output=True, text=True, timeout=120,
                            cwd=REPO)
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        native.returncode, native.stdout, native.stderr)


def test_ctrl_c_stops_a_simulation_with_status_130(tmp_path: pathlib.Path) -> None:
    trigger = SEED_SO[SEED_SO.index("    - type:"):]
    manifest = SEED_SO + "".join(
        trigger.replace("name: orders", f"name: orders{i}") for i in range(1, 10))
    scenario = tmp_path / "long.json"
    scenario.write_text(json.dumps({"manifest": manifest, "until": 990_000,
                                    "steps": [{"t": 0, "metrics": {"orders": 10}}]}))
    started = time.perf_counter()
    whole = run(["simulate", str(scenario)])
    assert whole.returncode == 0, whole.stderr
    took = time.perf_counter() - started

    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "scalecore", "simulate", str(scenario)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO)
    # Interpreter start-up is most of a short run: signal once the run itself is under way.
    time.sleep(took * 0.6)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    stopped = time.perf_counter() - started
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    assert stopped < took * 0.95, f"stopped after {stopped:.2f} s of a {took:.2f} s run"
