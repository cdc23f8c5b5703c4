"""The one kind of finding every surface reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .catalog import get as _get_diagnosis


@dataclass(frozen=True)
class Location:
    """Where in the user's code a finding points."""

    path: str
    line: int
    column: int = 0
    end_line: int | None = None
    end_column: int | None = None
    function: str | None = None
    # Where the loss was actually computed when that is inside an installed library
    # (``transformers/models/bert/modeling_bert.py:1126``); ``path:line`` is then the user's line.
    via: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")
        return text + (f" (via {self.via})" if self.via else "")


@dataclass(frozen=True)
class Finding:
    """One diagnosis made on one piece of code or one loss call.

    ``message`` carries the concrete numbers; ``fix`` is the imperative fix;
    ``evidence`` says what the finding rests on (autograd provenance is certain,
    values are an inference).  ``loud`` is true when PyTorch itself would raise
    on this call.
    """

    code: str
    message: str
    evidence: str = ""
    fix: str = ""
    location: Location | None = None
    loud: bool = False
    # Free-form facts for renderers and the monitor (shapes, counts, ...).
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def diagnosis(self):
        return _get_diagnosis(self.code)

    @property
    def name(self) -> str:
        return self.diagnosis.name

    @property
    def severity(self) -> str:
        return self.diagnosis.severity

    @property
    def fix_title(self) -> str:
        return self.fix or self.diagnosis.fix

    def with_location(self, location: Location | None) -> "Finding":
        return Finding(self.code, self.message, self.evidence, self.fix, location, self.loud, self.details)

    def to_dict(self) -> dict[str, Any]:
        loc = self.location
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "fix": self.fix_title,
            "evidence": self.evidence,
            "path": loc.path if loc else None,
            "line": loc.line if loc else None,
            **({"via": loc.via} if loc is not None and loc.via else {}),
        }

    def __str__(self) -> str:
        where = f"{self.location}: " if self.location else ""
        return f"{where}{self.code} [{self.name}] {self.message}"


__all__ = ["Finding", "Location", "asdict"]
