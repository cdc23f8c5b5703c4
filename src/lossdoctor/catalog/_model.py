"""The shape of one catalog entry."""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")
SURFACES = {"S": "lint", "R": "runtime", "E": "explain", "M": "monitor"}


@dataclass(frozen=True)
class Diagnosis:
    """One diagnosis: the single source of truth for its code, name and texts.

    ``message`` is the short generic message (detectors replace it with one that
    carries the concrete numbers), ``fix`` the imperative fix title, ``why`` the
    long explanation with PyTorch's measured behaviour.  ``bad`` and ``good`` are
    complete, runnable programs: the bad one must trigger the diagnosis and the
    good one must stay clean on every surface in ``surfaces`` that can run them
    (tests enforce this).
    """

    code: str
    name: str
    title: str
    severity: str
    kind: str  # "loud", "silent", "loud/silent", "warning", "info"
    surfaces: str  # subset of "SREM"
    message: str
    fix: str
    why: str
    bad: str
    good: str
    # The exception PyTorch itself raises when the bug is loud (name of a builtin).
    raises: str | None = None
    # Torch versions the diagnosis or its wording applies to, where that matters.
    torch_versions: str | None = None
    # Catalog codes this one is often confused with or caused by.
    related: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.code}: bad severity {self.severity!r}")
        if not set(self.surfaces) <= set(SURFACES):
            raise ValueError(f"{self.code}: bad surfaces {self.surfaces!r}")

    @property
    def loud(self) -> bool:
        """PyTorch raises for at least some instances of this bug."""
        return self.kind.startswith("loud") or "loud" in self.kind

    def on(self, surface: str) -> bool:
        return surface in self.surfaces
