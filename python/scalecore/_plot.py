"""Drawing a trace with matplotlib (imported only by ``Trace.plot``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

if TYPE_CHECKING:
    from .contract import TraceStep


def _events(steps: List[TraceStep]) -> List[tuple]:  # type: ignore[type-arg]
    """(t, replicas, label, loop) for the moments worth a note."""
    out = []
    prev_active: Optional[bool] = None
    prev_fallback = False
    prev_replicas: Optional[int] = None
    for s in steps:
        t, r, loop = s["t"], s["replicas"], s["loop"]
        if prev_active is not None and s["active"] != prev_active:
            out.append((t, r, "KEDA: active" if s["active"] else "KEDA: inactive", loop))
        if s["fallback"] and not prev_fallback:
            out.append((t, r, "fallback", loop))
        if prev_replicas is not None and r != prev_replicas:
            if r == 0:
                out.append((t, r, "KEDA: scale to 0", loop))
            elif prev_replicas == 0:
                out.append((t, r, f"KEDA: 0 -> {r}", loop))
        prev_active, prev_fallback, prev_replicas = s["active"], s["fallback"], r
    return out


def draw(steps: List[TraceStep], ax: Any, title: Optional[str]) -> None:
    ts = [s["t"] for s in steps]
    replicas = [s["replicas"] for s in steps]
    ax.step(ts, replicas, where="post", color="tab:blue", label="replicas (desired)")
    for loop, marker, color in (("keda", "o", "tab:purple"), ("hpa", "s", "tab:green")):
        changed = [
            (s["t"], s["replicas"])
            for i, s in enumerate(steps)
            if s["loop"] == loop and (i == 0 or s["replicas"] != steps[i - 1]["replicas"])
        ]
        if changed:
            ax.scatter(*zip(*changed), marker=marker, color=color, zorder=3, s=18,
                       label=f"changed by {loop.upper()}")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("replicas")
    ax.set_ylim(bottom=0)
    by_time: Dict[int, List[str]] = {}
    for t, _, label, _ in _events(steps):
        by_time.setdefault(t, []).append(label)
    for t, labels in by_time.items():
        ax.axvline(t, color="grey", linewidth=0.6, linestyle=":")
        # x in data units, y as a fraction of the axes: notes stay inside the plot.
        ax.text(t, 0.97, "\n".join(labels), transform=ax.get_xaxis_transform(), fontsize=7,
                va="top", ha="left", color="dimgrey",
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})

    second = ax.twinx()
    if any("queueLength" in s for s in steps):
        second.plot(ts, [s.get("queueLength", 0) for s in steps], color="tab:orange",
                    label="queue length")
        second.set_ylabel("messages waiting")
    else:
        names = sorted({n for s in steps for n in s["triggers"]})
        for name in names:
            second.plot(ts, [s["triggers"][name].get("value") if name in s["triggers"] else None
                              for s in steps],
                        label=f"{name} (metric)", alpha=0.7)
        second.set_ylabel("metric value")
    second.set_ylim(bottom=0)
    lines, labels = ax.get_legend_handles_labels()
    lines2, labels2 = second.get_legend_handles_labels()
    ax.legend(lines + lines2, labels + labels2, loc="center right", fontsize=8)
    if title:
        ax.set_title(title)
