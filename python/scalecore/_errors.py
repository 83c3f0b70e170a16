"""Exceptions of the scalecore package (raised from the native extension with a location)."""

from __future__ import annotations

from typing import Optional

__all__ = ["ScalecoreError", "ScenarioError", "OptionsError"]


class ScalecoreError(Exception):
    """A request scalecore could not carry out.

    Findings about a document are not errors: ``lint`` returns them as ``Diagnostic`` objects.
    The location fields are ``None`` when they do not apply.
    """

    message: str
    source: Optional[str]
    within: Optional[str]
    line: Optional[int]
    column: Optional[int]
    step: Optional[int]
    t: Optional[int]

    def __init__(
        self,
        message: str,
        *,
        source: Optional[str] = None,
        within: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        step: Optional[int] = None,
        t: Optional[int] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.within = within
        self.line = line
        self.column = column
        self.step = step
        self.t = t

    @property
    def location(self) -> Optional[str]:
        """Where it happened: ``seed.json:3:7``, ``manifest:9:3``, ``steps[4] (t=20)``."""
        parts = []
        if self.source is not None:
            parts.append(self.source)
        if self.within is not None and self.within != "scenario":
            parts.append(self.within)
        if self.line is not None:
            parts.append(f"{self.line}:{self.column or 1}")
        where = ":".join(parts) if parts else None
        if self.step is not None:
            at = f"steps[{self.step}]" + ("" if self.t is None else f" (t={self.t})")
            where = at if where is None else f"{where} {at}"
        return where

    def __str__(self) -> str:
        return self.message if self.source is None else f"{self.source}: {self.message}"

    def __reduce__(self):  # type: ignore[no-untyped-def]
        kwargs = {k: getattr(self, k) for k in ("source", "within", "line", "column", "step", "t")}
        return (_rebuild, (type(self), self.message, kwargs))


def _rebuild(cls: type, message: str, kwargs: dict) -> ScalecoreError:  # type: ignore[type-arg]
    err: ScalecoreError = cls(message, **kwargs)
    return err


class ScenarioError(ScalecoreError, ValueError):
    """A scenario that cannot be run: bad JSON, unknown field, no ScaledObject in the
    manifest, a step naming an unknown trigger or loop, a run too long."""


class OptionsError(ScalecoreError, ValueError):
    """Bad lint options, e.g. a ``keda_version`` that is not a KEDA release."""


for _cls in (ScalecoreError, ScenarioError, OptionsError):
    _cls.__module__ = "scalecore"
