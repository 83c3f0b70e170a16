"""scalecore: KEDA documents checked the way KEDA's CRD schema, admission webhook and scalers
check them, and KEDA + HPA scale decisions simulated step by step.

>>> import scalecore
>>> [d.code for d in scalecore.lint(open("keda.yaml").read(), path="keda.yaml")]  # doctest: +SKIP
>>> scalecore.fix(open("keda.yaml").read()).text  # doctest: +SKIP
>>> trace = scalecore.simulate("examples/seed-servicebus-queue.json")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Union

from . import _native
from ._errors import OptionsError, ScalecoreError, ScenarioError
from ._native import API_VERSION, Diagnostic, Edit, Fix, FixResult, fix, lint
from ._trace import Trace
from .contract import RuleInfo

__all__ = [
    "API_VERSION",
    "Diagnostic",
    "Edit",
    "Fix",
    "FixResult",
    "OptionsError",
    "ScalecoreError",
    "ScenarioError",
    "Trace",
    "__version__",
    "fix",
    "lint",
    "lint_file",
    "rules",
    "simulate",
]

__version__: str = _native.version()

PathLike = Union[str, "os.PathLike[str]"]


def lint_file(
    path: PathLike,
    *,
    keda_version: Optional[str] = None,
    strict_refs: bool = False,
    default_namespace: Optional[str] = None,
    ignore: Optional[List[str]] = None,
    select: Optional[List[str]] = None,
    severity: Optional[Dict[str, str]] = None,
) -> List[Diagnostic]:
    """Lints the file at ``path`` (bytes that are not UTF-8 give a KEDA0002 diagnostic).

    ``ignore``, ``select`` and ``severity`` are those of ``lint``."""
    with open(path, "rb") as f:
        data = f.read()
    return lint(
        data,
        path,
        keda_version=keda_version,
        strict_refs=strict_refs,
        default_namespace=default_namespace,
        ignore=ignore,
        select=select,
        severity=severity,
    )


def simulate(scenario: Union[Mapping[str, Any], str, bytes, "os.PathLike[str]"]) -> Trace:
    """Runs a scenario (docs/scenario.md): a dict, JSON text, or the path of a JSON file.

    A ``str`` whose first non-blank character is ``{`` is JSON text; any other ``str`` is a
    path. Raises ``ScenarioError`` (with ``line``/``column`` or ``step``) when the scenario
    cannot be run. The simulation itself runs without the GIL.
    """
    if isinstance(scenario, Mapping):
        return Trace(_native.simulate_object(scenario if isinstance(scenario, dict) else dict(scenario)))
    if isinstance(scenario, (bytes, bytearray)):
        return Trace(_native.simulate_json(bytes(scenario)))
    if isinstance(scenario, str) and scenario.lstrip().startswith("{"):
        return Trace(_native.simulate_json(scenario))
    if isinstance(scenario, (str, os.PathLike)):
        with open(scenario, "rb") as f:
            data = f.read()
        return Trace(_native.simulate_json(data, os.fspath(scenario)))
    raise TypeError(
        f"scenario must be a dict, JSON text or a path, not {type(scenario).__name__}"
    )


def rules() -> List[RuleInfo]:
    """Every rule: ``code``, ``name``, ``severity``, ``source``, ``summary``, ``help``,
    ``since`` (and ``until`` for rules of older KEDA releases only)."""
    result: List[RuleInfo] = _native.rules()
    return result
