# %% [markdown]
# # Capacity planning for the seed order worker
#
# The seed: an `orders-worker` Deployment scaled by KEDA on the Azure Service Bus queue
# `orders` (`messageCount: "5"`, at most 10 replicas, scale to zero after 300 s of an empty
# queue). Each pod handles 0.1 messages per second. How long do messages wait when a burst
# arrives, and what does a higher `maxReplicaCount` buy?
#
# Run it as a script (`python capacity-planning.py`) or cell by cell in Jupyter / VS Code.

# %%
import copy
import json
import os
import pathlib

import scalecore

here = pathlib.Path(globals().get("__file__", "python/examples/x.py")).resolve().parent
repo = here.parents[1]
out_dir = pathlib.Path(os.environ.get("SCALECORE_EXAMPLE_OUT", repo / "target" / "python-examples"))

seed = json.loads((repo / "examples" / "seed-servicebus-queue.json").read_text(encoding="utf-8"))
trace = scalecore.simulate(seed)
print(trace)
print("expectations met:", trace.ok)
print({k: trace.queue[k] for k in ("peakReplicas", "meanWaitSeconds", "maxWaitSeconds", "podSeconds")})

# %% [markdown]
# ## A traffic burst
# A steady 0.3 messages/s, then 400 messages at once at t=120 s (a batch import).

# %%
burst = copy.deepcopy(seed)
burst.pop("expect")
burst["queue"] = {
    "trigger": "orders",
    "arrivalRate": 0.3,
    "bursts": [{"t": 120, "messages": 400}],
    "messagesPerPodPerSecond": 0.1,
    "podStartupSeconds": 20,
    "duration": 1800,
}
burst_trace = scalecore.simulate(burst)
summary = burst_trace.queue
print(burst_trace)
print(f"peak queue {summary['peakQueueLength']:.0f} messages, peak {summary['peakReplicas']} replicas, "
      f"max wait {summary['maxWaitSeconds']:.0f} s, {summary['podSeconds'] / 3600:.1f} pod-hours")

# %% [markdown]
# ## What does a higher maxReplicaCount buy?

# %%
def with_max(scenario, max_replicas):
    s = copy.deepcopy(scenario)
    s["manifest"] = s["manifest"].replace("maxReplicaCount: 10", f"maxReplicaCount: {max_replicas}")
    return s


rows = []
for max_replicas in (5, 10, 20, 40):
    q = scalecore.simulate(with_max(burst, max_replicas)).queue
    rows.append((max_replicas, q["peakReplicas"], q["maxWaitSeconds"], q["meanWaitSeconds"], q["podSeconds"]))
print(f"{'max':>4} {'peak':>5} {'max wait s':>10} {'mean wait s':>11} {'pod-seconds':>11}")
for r in rows:
    print(f"{r[0]:>4} {r[1]:>5} {r[2]:>10.0f} {r[3]:>11.1f} {r[4]:>11.0f}")

# %% [markdown]
# ## Replicas and wait time over time
# Replicas (with the KEDA/HPA events) and queue length on top; the age of the oldest waiting
# message below. Saved as a PNG when matplotlib is installed (`pip install scalecore[plot]`).

# %%
try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
    print("matplotlib is not installed: no plot")

if plt is not None:
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 7), sharex=True)
    burst_trace.plot(ax=top, title="orders-worker: 400-message burst at t=120 s, max 10 replicas")
    steps = burst_trace.steps
    bottom.plot([s["t"] for s in steps], [s["oldestWaitSeconds"] for s in steps], color="tab:red")
    bottom.set_ylabel("oldest message waiting (s)")
    bottom.set_xlabel("time (s)")
    fig.tight_layout()
    out_dir.mkdir(parents=True, exist_ok=True)
    png = out_dir / "capacity-planning.png"
    fig.savefig(png, dpi=90)
    plt.close(fig)
    print("plot written to", png)
