# Hand-written stubs of the public API; checked by mypy.stubtest in the test suite.
import os
from typing import Any, Dict, List, Mapping, Optional, Union

from ._errors import OptionsError as OptionsError
from ._errors import ScalecoreError as ScalecoreError
from ._errors import ScenarioError as ScenarioError
from ._native import API_VERSION as API_VERSION
from ._native import Diagnostic as Diagnostic
from ._native import Edit as Edit
from ._native import Fix as Fix
from ._native import FixResult as FixResult
from ._native import fix as fix
from ._native import lint as lint
from ._trace import Trace as Trace
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

__version__: str

PathLike = Union[str, os.PathLike[str]]

def lint_file(
    path: PathLike,
    *,
    keda_version: Optional[str] = None,
    strict_refs: bool = False,
    default_namespace: Optional[str] = None,
    ignore: Optional[List[str]] = None,
    select: Optional[List[str]] = None,
    severity: Optional[Dict[str, str]] = None,
) -> List[Diagnostic]: ...
def simulate(scenario: Union[Mapping[str, Any], str, bytes, os.PathLike[str]]) -> Trace: ...
def rules() -> List[RuleInfo]: ...
