"""Explain PyTorch loss errors: from a traceback's text or from a live exception.

``explain_text(text)`` reads anything a user can paste (a traceback, a bare
message, a CI log); ``explain_exception(exc)`` explains an exception object and
returns ``None`` when it is not a loss error.  ``install_excepthook()`` prints
the explanation after the normal traceback of any uncaught loss error.  None of
this imports torch.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from ._model import ErrorInfo, Evidence, ExplainedDiagnosis, Explanation, Frame

__all__ = [
    "Explanation",
    "ExplainedDiagnosis",
    "ErrorInfo",
    "Evidence",
    "Frame",
    "explain_text",
    "explain_exception",
    "install_excepthook",
    "uninstall_excepthook",
]


def explain_text(text: str, *, source_evidence: bool = True) -> Explanation:
    """Explain an error from its text (traceback, bare message or log excerpt).

    With ``source_evidence``, files the traceback names are read from disk when
    they exist, for facts about the failing line and the code around it.
    """
    from ._engine import explain_parsed
    from ._traceback import parse_text

    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return explain_parsed(parse_text(text), source_evidence=source_evidence)


def explain_exception(exc: BaseException, *, source_evidence: bool = True) -> Explanation | None:
    """Explain a live exception, or return ``None`` if it is not a recognised loss error.

    Errors raised by lossdoctor's runtime checks carry their diagnosis and are
    reported as is; PyTorch's own errors are matched like text, with the
    traceback's real frames (and their files) as evidence.  Never raises.
    """
    try:
        from ._engine import explain_lossdoctor_error, explain_parsed, parsed_from_exception

        ours = explain_lossdoctor_error(exc)
        if ours is not None:
            return ours
        exp = explain_parsed(parsed_from_exception(exc), source_evidence=source_evidence)
    except Exception:  # pragma: no cover - explaining must never add a second failure
        return None
    return exp if exp.recognised else None


# -- excepthook ----------------------------------------------------------------------------

_previous_hook: Any = None
_previous_thread_hook: Any = None


def _print_explanation(exc: BaseException | None, stream=None) -> None:
    if exc is None or isinstance(exc, (KeyboardInterrupt, SystemExit)):
        return
    exp = explain_exception(exc)
    if exp is None:
        return
    stream = stream or sys.stderr
    try:
        stream.write("\n" + banner() + exp.render_text(verbose=not _already_explained(exc)))
        stream.flush()
    except Exception:  # pragma: no cover
        pass


def _already_explained(exc: BaseException) -> bool:
    """lossdoctor's own errors already carry the diagnosis in their message: keep the repeat short."""
    from .._errors import LossDoctorError

    return isinstance(exc, LossDoctorError)


def banner() -> str:
    return "lossdoctor: this looks like a loss-function bug\n\n"


def _excepthook(etype, value, tb) -> None:
    prev = _previous_hook or sys.__excepthook__
    prev(etype, value, tb)
    _print_explanation(value)


def _thread_excepthook(args) -> None:
    prev = _previous_thread_hook or threading.__excepthook__
    prev(args)
    _print_explanation(args.exc_value)


def install_excepthook() -> None:
    """After the usual traceback of an uncaught loss error, print its explanation.

    The original traceback is printed first and unchanged (the previous hook
    runs); calling this twice installs the hook once.
    """
    global _previous_hook, _previous_thread_hook
    if sys.excepthook is not _excepthook:
        _previous_hook = sys.excepthook
        sys.excepthook = _excepthook
    if threading.excepthook is not _thread_excepthook:
        _previous_thread_hook = threading.excepthook
        threading.excepthook = _thread_excepthook


def uninstall_excepthook() -> None:
    """Restore the hooks that were in place before :func:`install_excepthook`."""
    global _previous_hook, _previous_thread_hook
    if sys.excepthook is _excepthook:
        sys.excepthook = _previous_hook or sys.__excepthook__
    if threading.excepthook is _thread_excepthook:
        threading.excepthook = _previous_thread_hook or threading.__excepthook__
    _previous_hook = _previous_thread_hook = None
