"""``Trace``: the answer of ``simulate``: steps, diagnostics, expectation mismatches and the
queue summary, with pandas, matplotlib and Jupyter views."""

from __future__ import annotations

import gc
import html
import importlib
from typing import Any, Dict, Iterator, List, Optional

from ._native import Diagnostic, NativeTrace
from .contract import Mismatch, QueueSummary, TraceDict, TraceStep

__all__ = ["Trace"]


class Trace:
    """The result of a simulation, in the JSON shape of ``scalecore simulate --format json``.

    ``steps`` is a list of dicts: ``t``, ``loop`` (``keda``/``hpa``), ``replicas`` (desired after
    the step), ``active``, ``fallback``, ``reason`` and ``triggers`` (per trigger: ``value``,
    ``active``, and ``error``/``fallback``/``failures`` when set); queue scenarios add
    ``queueLength``, ``readyPods``, ``oldestWaitSeconds`` and ``podSeconds``.
    """

    __slots__ = ("_native", "_steps", "_diagnostics", "_mismatches", "_queue")

    def __init__(self, native: NativeTrace) -> None:
        self._native = native
        self._steps: Optional[List[TraceStep]] = None
        self._diagnostics: Optional[List[Diagnostic]] = None
        self._mismatches: Optional[List[Mismatch]] = None
        self._queue: Optional[QueueSummary] = None

    @property
    def steps(self) -> List[TraceStep]:
        if self._steps is None:
            # A long run makes hundreds of thousands of dicts at once; the cyclic collector
            # would scan them again and again while they are built (none can form a cycle).
            enabled = gc.isenabled()
            gc.disable()
            try:
                self._steps = self._native.steps()
            finally:
                if enabled:
                    gc.enable()
        return self._steps

    @property
    def diagnostics(self) -> List[Diagnostic]:
        """Findings about the manifest that did not stop the simulation."""
        if self._diagnostics is None:
            self._diagnostics = self._native.diagnostics()
        return self._diagnostics

    @property
    def mismatches(self) -> List[Mismatch]:
        """The scenario's ``expect`` rows that did not hold (``t``, ``field``, ``expected``,
        ``actual``)."""
        if self._mismatches is None:
            self._mismatches = self._native.mismatches()
        return self._mismatches

    @property
    def queue(self) -> Optional[QueueSummary]:
        """Queue scenarios: messages, pod-seconds, mean and max wait, peak queue and replicas."""
        if self._queue is None:
            self._queue = self._native.queue()
        return self._queue

    @property
    def ok(self) -> bool:
        """True when every ``expect`` row of the scenario held."""
        return not self.mismatches

    def to_dict(self) -> TraceDict:
        """The JSON contract (what ``scalecore simulate --format json`` prints)."""
        out: TraceDict = {
            "steps": self.steps,
            "diagnostics": [d.to_dict() for d in self.diagnostics],
        }
        if self.mismatches:
            out["mismatches"] = self.mismatches
        if self.queue is not None:
            out["queue"] = self.queue
        return out

    def to_json(self) -> str:
        return self._native.to_json()

    def __len__(self) -> int:
        return len(self._native)

    def __iter__(self) -> Iterator[TraceStep]:
        return iter(self.steps)

    def __repr__(self) -> str:
        n = len(self)
        peak = max((s["replicas"] for s in self.steps), default=0)
        end = self.steps[-1]["t"] if n else 0
        extra = "" if self.ok else f", {len(self.mismatches)} mismatches"
        return (
            f"<Trace {n} steps to t={end}s, peak {peak} replicas, "
            f"{len(self.diagnostics)} diagnostics{extra}>"
        )

    def to_pandas(self) -> Any:
        """A ``pandas.DataFrame`` with one row per step; trigger fields flattened as
        ``<trigger>.value``, ``<trigger>.active`` etc.

        Needs pandas (``pip install scalecore[pandas]``).
        """
        try:
            pd = importlib.import_module("pandas")
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Trace.to_pandas() needs pandas: pip install 'scalecore[pandas]'") from e
        rows = []
        for step in self.steps:
            row = {k: v for k, v in step.items() if k != "triggers"}
            for name, trig in step["triggers"].items():
                for field, value in trig.items():
                    row[f"{name}.{field}"] = value
            rows.append(row)
        return pd.DataFrame(rows)

    def plot(self, ax: Any = None, title: Optional[str] = None) -> Any:
        """Replicas over time (a step line), queue length (or trigger values) on a second axis,
        and KEDA/HPA events marked: activation, scale to zero, fallback, each change of
        replicas by the loop that made it.

        Needs matplotlib (``pip install scalecore[plot]``); draws on ``ax`` (a new figure when
        None) and returns the replicas ``matplotlib.axes.Axes``.
        """
        try:
            plt = importlib.import_module("matplotlib.pyplot")
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("Trace.plot() needs matplotlib: pip install 'scalecore[plot]'") from e
        from ._plot import draw

        if ax is None:
            _, ax = plt.subplots(figsize=(10, 4.5))
        draw(self.steps, ax, title)
        return ax

    def _repr_html_(self) -> str:
        steps = self.steps
        head = html.escape(repr(self))
        limit = 40
        rows = []
        for s in steps[:limit]:
            values = ", ".join(
                f"{html.escape(name)}={t.get('value', 'error')}" for name, t in s["triggers"].items()
            )
            rows.append(
                "<tr>"
                f"<td>{s['t']}</td><td>{html.escape(s['loop'])}</td><td>{s['replicas']}</td>"
                f"<td>{'yes' if s['active'] else 'no'}</td><td>{values}</td>"
                f"<td>{html.escape(s['reason'])}</td></tr>"
            )
        more = (
            f"<p>… {len(steps) - limit} more steps (<code>trace.to_pandas()</code>)</p>"
            if len(steps) > limit
            else ""
        )
        diags = "".join(f"<li>{html.escape(str(d))}</li>" for d in self.diagnostics)
        diags = f"<ul>{diags}</ul>" if diags else ""
        return (
            f"<div class='scalecore-trace'><p><b>{head}</b></p>{diags}"
            "<table><thead><tr><th>t</th><th>loop</th><th>replicas</th><th>active</th>"
            "<th>triggers</th><th>reason</th></tr></thead><tbody>"
            + "".join(rows)
            + f"</tbody></table>{more}</div>"
        )
