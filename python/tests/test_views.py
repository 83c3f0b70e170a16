"""Trace views (pandas, matplotlib, Jupyter), the example notebook, and the type stubs."""

import os
import pathlib
import runpy
import subprocess
import sys

import pytest

import scalecore
from conftest import REPO

SEED = REPO / "examples" / "seed-servicebus-queue.json"


def test_repr_html_shows_steps_and_escapes() -> None:
    trace = scalecore.simulate(SEED)
    page = trace._repr_html_()
    assert page.count("<tr>") == min(len(trace), 40) + 1
    assert "more steps" in page  # 61 steps, 40 shown
    assert "&lt;Trace 61 steps" in page
    assert "hpa: " in page and "<script" not in page


def test_repr_is_a_summary() -> None:
    assert repr(scalecore.simulate(SEED)) == "<Trace 61 steps to t=600s, peak 10 replicas, 1 diagnostics>"


def test_to_pandas_flattens_triggers() -> None:
    pd = pytest.importorskip("pandas")
    trace = scalecore.simulate(SEED)
    df = trace.to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == len(trace)
    assert {"t", "loop", "replicas", "reason", "queueLength", "orders.value", "orders.active"} <= set(df.columns)
    assert df["replicas"].max() == trace.queue["peakReplicas"] == 10
    assert list(df["t"]) == [s["t"] for s in trace.steps]


def test_plot_draws_replicas_queue_and_events(tmp_path: pathlib.Path) -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    trace = scalecore.simulate(SEED)
    ax = trace.plot(title="seed")
    assert ax.get_title() == "seed"
    [replicas] = [ln for ln in ax.get_lines() if ln.get_label() == "replicas (desired)"]
    assert max(replicas.get_ydata()) == 10
    notes = [t.get_text() for t in ax.texts]
    assert any("KEDA: 0 -> 1" in n for n in notes) and any("scale to 0" in n for n in notes)
    ax.figure.savefig(tmp_path / "seed.png")
    assert (tmp_path / "seed.png").stat().st_size > 1000


def test_capacity_planning_example_runs(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.environ["SCALECORE_EXAMPLE_OUT"] = str(tmp_path)
    try:
        runpy.run_path(str(REPO / "python" / "examples" / "capacity-planning.py"), run_name="__main__")
    finally:
        del os.environ["SCALECORE_EXAMPLE_OUT"]
    out = capsys.readouterr().out
    assert "expectations met: True" in out
    assert "max wait" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "no plot" in out
    else:
        assert (tmp_path / "capacity-planning.png").stat().st_size > 10_000


def test_stubs_match_the_runtime() -> None:
    pytest.importorskip("mypy")
    env = dict(os.environ)
    cache = REPO / "target" / "py-mypy-cache"
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "scalecore", "--mypy-config-file", os.devnull],
        capture_output=True, text=True, env={**env, "MYPY_CACHE_DIR": str(cache)}, cwd=str(cache.parent),
    )
    assert result.returncode == 0, result.stdout + result.stderr
