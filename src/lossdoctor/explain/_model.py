"""What an explanation is made of: plain dataclasses, rendered as text or JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Confidence scores are floats in [0, 1]; users see one of three words.
HIGH = 0.8
MEDIUM = 0.5


def confidence_label(score: float) -> str:
    if score >= HIGH:
        return "high"
    if score >= MEDIUM:
        return "medium"
    return "low"


@dataclass(frozen=True)
class Evidence:
    """One fact a diagnosis rests on, and where it came from.

    ``source`` is ``"message"`` (the error text itself), ``"traceback"`` (frame
    names or the code line the traceback quotes), ``"code"`` (the user's file,
    read from disk), ``"lint"`` (a lint finding on that file) or ``"runtime"``
    (a lossdoctor runtime check that raised).
    """

    source: str
    text: str
    path: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "text": self.text}
        if self.path is not None:
            d["path"] = self.path
            d["line"] = self.line
        return d

    def render(self) -> str:
        where = f" ({self.path}:{self.line})" if self.path and self.line else ""
        return f"[{self.source}] {self.text}{where}"


@dataclass
class ExplainedDiagnosis:
    """A catalog diagnosis matched to one error, with the error's own numbers."""

    code: str
    name: str
    score: float
    message: str
    fix: str
    evidence: list[Evidence] = field(default_factory=list)
    why: str = ""

    @property
    def confidence(self) -> str:
        return confidence_label(self.score)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "confidence": self.confidence,
            "score": round(self.score, 2),
            "message": self.message,
            "fix": self.fix,
            "evidence": [e.to_dict() for e in self.evidence],
        }


@dataclass(frozen=True)
class ErrorInfo:
    type: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, "message": self.message}

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.type else self.message


@dataclass(frozen=True)
class Frame:
    """A traceback frame: ``path`` as the traceback spells it."""

    path: str
    line: int | None
    function: str | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "source": self.source}


@dataclass
class Explanation:
    """An error, the user's innermost own frame, and the diagnoses (best first)."""

    error: ErrorInfo | None
    frame: Frame | None
    diagnoses: list[ExplainedDiagnosis] = field(default_factory=list)
    # Notes about the input itself (truncation, chained errors, ...).
    notes: list[str] = field(default_factory=list)

    @property
    def recognised(self) -> bool:
        """At least one diagnosis is more than a weak hint."""
        return bool(self.diagnoses) and self.diagnoses[0].score >= MEDIUM

    @property
    def best(self) -> ExplainedDiagnosis | None:
        return self.diagnoses[0] if self.diagnoses else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "error": self.error.to_dict() if self.error else None,
            "frame": self.frame.to_dict() if self.frame else None,
            "recognised": self.recognised,
            "notes": list(self.notes),
        }

    def render_text(self, *, verbose: bool = True) -> str:
        from ._render import render_text

        return render_text(self, verbose=verbose)

    def __str__(self) -> str:
        return self.render_text()
