# Generated from the Rust types by tests/tests/contract_types.rs: do not edit.
"""The JSON contract (docs/formats.md, docs/scenario.md) as typing declarations: the dicts
that ``to_dict()``, ``rules()`` and the trace views return, and the scenario
``simulate`` reads."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union


Severity = Union[Literal["error"], Literal["warning"], Literal["info"]]


Source = Union[Literal["schema"], Literal["webhook"], Literal["scaler"], Literal["reference"], Literal["lint"]]
"""Which layer of KEDA (or of experience) a rule stands for."""


Applicability = Union[Literal["safe"], Literal["unsafe"]]
"""Whether a fix may be applied without a person looking at it."""


class _DiagnosticDictRequired(TypedDict):
    code: str
    severity: Severity
    message: str
    path: str
    document: int
    line: int
    column: int
    endLine: int
    endColumn: int
    source: Source


class DiagnosticDict(_DiagnosticDictRequired, total=False):
    """One finding. Serialises to the JSON contract:
    `{code, severity, message, path, document, line, column, endLine, endColumn, help, source,
    fixes}` (`help` and `fixes` only when there are any).
    Lines and columns are 1-based, columns count Unicode scalar values, the end is exclusive.
    """
    # Also (required): code, severity, message, path, document, line, column, endLine, endColumn, source.
    fixes: List[FixDict]
    """Changes that resolve the finding, best first; a client applies at most one."""
    help: str
    """What to do, when there is something to say."""


class FixDict(TypedDict):
    """One way to resolve a finding: text edits to the input the finding is in."""
    title: str
    """Imperative, for a code action's title (`Quote the value`)."""
    applicability: Applicability
    """`safe` or `unsafe`."""
    edits: List[EditDict]
    """Non-overlapping edits, in position order."""


class EditDict(TypedDict):
    """Replace the text between two positions (the same positions as a diagnostic's: 1-based,
    end exclusive) with `newText`; an insertion when the two are equal.
    """
    line: int
    """1-based line of the start."""
    column: int
    """1-based column of the start, in Unicode scalar values."""
    endLine: int
    """1-based line of the end."""
    endColumn: int
    """1-based column just past the end (exclusive), in Unicode scalar values."""
    newText: str
    """The text that replaces the range (empty: a deletion)."""


class FixResultDict(TypedDict):
    """What `fix` returns: the fixed text, how many fixes were applied, and what a lint of the
    fixed text still reports.
    """
    text: str
    applied: int
    remaining: List[DiagnosticDict]
    converged: bool
    """False when fixes kept changing the text until the round limit."""


class LintReport(TypedDict):
    """`{"files":[{"path", "diagnostics"}], "summary":{"errors","warnings"}}`: the CLI's JSON."""
    files: List[FileReport]
    """Every input, in the order given."""
    summary: Summary
    """Counts over all inputs."""


class FileReport(TypedDict):
    path: str
    """The input's path as given (`<stdin>` for standard input)."""
    diagnostics: List[DiagnosticDict]
    """Its findings, sorted by position."""


class Summary(TypedDict):
    errors: int
    """Findings of severity `error`."""
    warnings: int
    """Findings of severity `warning`."""


class _RuleInfoRequired(TypedDict):
    code: str
    name: str
    severity: Severity
    source: Source
    summary: str
    help: str
    since: str
    fixes: List[Applicability]


class RuleInfo(_RuleInfoRequired, total=False):
    """A rule as data, for `scalecore rules`, the docs and the bindings."""
    # Also (required): code, name, severity, source, summary, help, since, fixes.
    until: Optional[str]


class _TraceDictRequired(TypedDict):
    steps: List[TraceStep]
    diagnostics: List[DiagnosticDict]


class TraceDict(_TraceDictRequired, total=False):
    # Also (required): steps, diagnostics.
    mismatches: List[Mismatch]
    """The `expect` entries that did not hold (present only when some did not)."""
    queue: QueueSummary
    """Queue mode: what the run cost and how long messages waited."""


class _ScenarioRequired(TypedDict):
    manifest: str


class Scenario(_ScenarioRequired, total=False):
    """A ScaledObject or ScaledJob and what happens to it over time.

    Explicit mode: every step names its `loop` (`keda`, `hpa`, `reconcile`, `delete`) and is
    evaluated exactly there. Series mode: no step names a loop; steps are metric samples and
    KEDA polls run every `pollingInterval` from t=0, HPA syncs every `hpaSyncPeriod` from t=5,
    each reading the latest sample at or before its time, until `until` (default: the last
    sample's time, or the queue model's `duration`).
    """
    # Also (required): manifest.
    expect: List[ScenarioExpect]
    """Checks on the trace; one that does not hold is listed in the trace's `mismatches` (and
    makes `scalecore simulate` exit 1).
    """
    hpaSyncPeriod: int
    """The HPA controller's sync period, seconds (`--horizontal-pod-autoscaler-sync-period`);
    series and queue mode schedule an HPA sync this often from t=5, and refuse a value
    below 1.
    """
    initial: InitialSpec
    """The state at t=0."""
    queue: Optional[QueueModel]
    """Queue mode: a queue feeding one trigger, for capacity planning."""
    steps: List[ScenarioStep]
    """Explicit mode: the ticks, each naming its `loop`. Series mode: metric samples, none
    naming a loop. Both kinds in one scenario are refused.
    """
    until: Optional[int]
    """Series and queue mode: the time of the last tick, seconds (default: series mode, the
    last sample's `t`; queue mode, `queue.duration`, else 900).
    """


class InitialSpec(TypedDict, total=False):
    creationTime: Optional[int]
    """The ScaledObject's creationTimestamp, seconds (null: -1, created just before t=0);
    `initialCooldownPeriod` counts from it.
    """
    lastActiveTime: Optional[int]
    """The ScaledObject's `status.lastActiveTime`, seconds (null: never active)."""
    replicas: int
    """The target's replicas at t=0."""


class _ScenarioStepRequired(TypedDict):
    t: int


class ScenarioStep(_ScenarioStepRequired, total=False):
    """One step: a tick (explicit mode) or a sample (series mode)."""
    # Also (required): t.
    annotations: Optional[Dict[str, Optional[str]]]
    """Annotation changes from this step on; `null` removes a key."""
    errors: List[str]
    """Triggers whose scaler call fails at this step (only this step)."""
    loop: Optional[Literal["keda", "hpa", "reconcile", "delete", "keda-scaledjob"]]
    """Explicit mode: `keda` (a KEDA poll), `hpa` (an HPA sync), `reconcile` (the operator
    reconciling annotation changes) or `delete` (the ScaledObject deleted);
    `keda-scaledjob` is `keda`. Series mode: absent.
    """
    metrics: Dict[str, float]
    """Trigger values keyed by trigger `name`, else `s{index}`; a value holds until a later
    step sets another (cpu/memory: the mean utilization, percent, or value over the pods
    with a sample).
    """
    pendingJobs: Optional[int]
    """ScaledJob: of those, Jobs whose pods are not running yet (default 0)."""
    pendingPods: Optional[int]
    """cpu/memory: of the pods not ready, those still Pending (default 0)."""
    podsWithoutMetrics: Optional[int]
    """cpu/memory: of the ready pods, those the metrics API has no sample for (default 0)."""
    readyPods: Optional[int]
    """Pods Running and Ready (default: `replicas`); holds until a later step sets it."""
    replicas: Optional[int]
    """Overrides the observed `spec.replicas` at this step (otherwise: the last decision)."""
    runningJobs: Optional[int]
    """ScaledJob: Jobs not finished (default 0; holds until a later step sets it)."""
    statusReplicas: Optional[int]
    """The target's `status.replicas`: every pod the HPA lists (default: `replicas`)."""


class _ScenarioExpectRequired(TypedDict):
    t: int


class ScenarioExpect(_ScenarioExpectRequired, total=False):
    """An expected value after the step at `t` (of `loop`, when several share a time)."""
    # Also (required): t.
    active: Optional[bool]
    """The step's `active`."""
    loop: Optional[Literal["keda", "hpa", "reconcile", "delete"]]
    """Which loop's step, when several share `t` (absent: the last step at `t`)."""
    replicas: Optional[int]
    """The step's `replicas`."""


class _QueueModelRequired(TypedDict):
    messagesPerPodPerSecond: float


class QueueModel(_QueueModelRequired, total=False):
    # Also (required): messagesPerPodPerSecond.
    arrivalRate: ArrivalRate
    """Messages arriving per second: a number, or a step function `[{"t", "rate"}]`."""
    bursts: List[Burst]
    """Messages added at once."""
    duration: Optional[int]
    """Simulated seconds (default: the scenario's `until`, else 900)."""
    initialMessages: float
    """Messages waiting at t=0."""
    podStartupSeconds: int
    """Seconds from a pod being requested to it draining the queue."""
    trigger: Optional[str]
    """The trigger the queue feeds (its `name`, else `s{index}`); default: the first."""


ArrivalRate = Union[float, List["RatePoint"]]


class RatePoint(TypedDict):
    t: int
    """Seconds since t=0."""
    rate: float
    """Messages per second from `t` on."""


class Burst(TypedDict):
    t: int
    """Seconds since t=0."""
    messages: float
    """Messages added at once."""


class _TraceStepRequired(TypedDict):
    t: int
    loop: Literal["keda", "hpa", "reconcile", "delete"]
    replicas: int
    active: bool
    fallback: bool
    reason: str
    triggers: Dict[str, TriggerTrace]


class TraceStep(_TraceStepRequired, total=False):
    # Also (required): t, loop, replicas, active, fallback, reason, triggers.
    oldestWaitSeconds: int
    """Queue mode: age of the oldest waiting message, seconds."""
    podSeconds: float
    """Queue mode: pod-seconds used since t=0."""
    queueLength: float
    """Queue mode: messages waiting at the tick."""
    readyPods: int
    """Queue mode: pods ready at the tick."""


class _TriggerTraceRequired(TypedDict):
    active: bool


class TriggerTrace(_TriggerTraceRequired, total=False):
    """One trigger at one step."""
    # Also (required): active.
    error: bool
    """The scaler call failed (present only when true)."""
    failures: int
    """The fallback failure counter after the step (present only when not 0)."""
    fallback: bool
    """The fallback served the value (present only when true)."""
    value: float
    """The value served (the scaler's or the fallback's); absent on error."""


class Mismatch(TypedDict):
    """An `expect` entry that did not hold."""
    t: int
    """The `t` of the `expect` entry."""
    field: Literal["replicas", "active"]
    """`replicas` or `active`."""
    expected: Any
    """The value the entry expected."""
    actual: Any
    """The step's value; `null` when no step matched."""


class _QueueSummaryRequired(TypedDict):
    messagesArrived: float
    messagesProcessed: float
    messagesLeft: float
    podSeconds: float
    meanWaitSeconds: float
    maxWaitSeconds: float
    peakQueueLength: float
    peakReplicas: int


class QueueSummary(_QueueSummaryRequired, total=False):
    """What the run cost and how long messages waited."""
    # Also (required): messagesArrived, messagesProcessed, messagesLeft, podSeconds, meanWaitSeconds, maxWaitSeconds, peakQueueLength, peakReplicas.
    queueEmptyAt: int
    """The last time the queue became empty (and stayed so); absent if it did not."""
    zeroReplicasAt: int
    """The last time replicas reached 0 (and stayed so); absent if they did not."""


__all__ = [
    "Severity",
    "Source",
    "Applicability",
    "DiagnosticDict",
    "FixDict",
    "EditDict",
    "FixResultDict",
    "LintReport",
    "FileReport",
    "Summary",
    "RuleInfo",
    "TraceDict",
    "Scenario",
    "InitialSpec",
    "ScenarioStep",
    "ScenarioExpect",
    "QueueModel",
    "ArrivalRate",
    "RatePoint",
    "Burst",
    "TraceStep",
    "TriggerTrace",
    "Mismatch",
    "QueueSummary",
]
