"""lossdoctor's public exception and warning types."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ._finding import Finding


class LossDoctorWarning(UserWarning):
    """A silent loss bug found at a loss call (PyTorch itself would not complain)."""


class LossDoctorInternalWarning(RuntimeWarning):
    """lossdoctor itself failed; the user's loss call ran without it."""


class LossDoctorError(Exception):
    """A loss bug found before PyTorch ran the call.

    For bugs PyTorch would raise on, the error raised is also an instance of the
    exception type PyTorch would have raised (``IndexError`` for an out-of-range
    target, ``RuntimeError`` for most others), so existing handlers keep working.
    """

    def __init__(self, finding: "Finding", text: str | None = None) -> None:
        self.finding = finding
        super().__init__(text if text is not None else str(finding))

    @property
    def code(self) -> str:
        return self.finding.code


_BUILTIN_BASES = {
    "IndexError": IndexError,
    "RuntimeError": RuntimeError,
    "ValueError": ValueError,
    "TypeError": TypeError,
    "NotImplementedError": NotImplementedError,
}
_SUBCLASSES: dict[str, type[LossDoctorError]] = {}


def error_class(raises: str | None) -> type[LossDoctorError]:
    """The ``LossDoctorError`` subclass that is also PyTorch's own exception type."""
    if raises is None:
        return LossDoctorError
    cls = _SUBCLASSES.get(raises)
    if cls is None:
        base = _BUILTIN_BASES[raises]
        cls = type(f"LossDoctor{raises}", (LossDoctorError, base), {"__module__": "lossdoctor"})
        _SUBCLASSES[raises] = cls
    return cls


for _cls in (LossDoctorWarning, LossDoctorInternalWarning, LossDoctorError):
    _cls.__module__ = "lossdoctor"
