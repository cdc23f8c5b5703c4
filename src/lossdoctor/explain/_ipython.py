"""``%load_ext lossdoctor``: explanations under failing cells, runtime checks on.

Loading the extension
- explains loss errors right under the failing cell's traceback (the traceback
  itself is shown unchanged, by IPython);
- turns on lossdoctor's runtime checks for the session (``mode="warn"``: silent
  bugs warn, loud ones raise before PyTorch with the diagnosis);
- adds ``%lossdoctor on|off|status|explain``.

``%unload_ext lossdoctor`` undoes all of it.
"""

from __future__ import annotations

import sys
from typing import Any

_state: dict[str, Any] = {"shell": None, "previous_exc": None, "report": None, "runtime_error": None}

_USAGE = ("usage: %lossdoctor on | off | status | explain\n"
          "  on       turn the runtime checks on (warn on silent loss bugs)\n"
          "  off      turn them off (explanations of errors stay on)\n"
          "  status   say whether they are on\n"
          "  explain  explain the last error again")


def _explain_and_print(value: BaseException | None) -> None:
    if value is None:
        return
    from . import _already_explained, banner, explain_exception

    exp = explain_exception(value)
    if exp is not None:
        sys.stdout.write("\n" + banner() + exp.render_text(verbose=not _already_explained(value)))
        sys.stdout.flush()


def _custom_exc(shell, etype, value, tb, tb_offset=None):
    """IPython calls this instead of showing the traceback itself: show it, then explain."""
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    try:
        _explain_and_print(value)
    except Exception:  # pragma: no cover - never turn one error into two
        pass
    return None


def _runtime_on(mode: str = "warn") -> str:
    if _state["report"] is not None:
        return "lossdoctor: runtime checks are already on"
    try:
        from ..runtime import install
    except Exception as exc:  # torch missing, or the runtime surface broken
        _state["runtime_error"] = f"{type(exc).__name__}: {exc}"
        return f"lossdoctor: runtime checks unavailable ({_state['runtime_error']}); explanations stay on"
    _state["report"] = install(mode)
    return "lossdoctor: runtime checks on (loss calls are checked; `%lossdoctor off` to stop)"


def _runtime_off() -> str:
    report = _state["report"]
    if report is None:
        return "lossdoctor: runtime checks are already off"
    from ..runtime import uninstall

    uninstall(report)
    _state["report"] = None
    return "lossdoctor: runtime checks off (errors are still explained)"


def _magic(line: str = "") -> None:
    arg = line.strip().lower()
    if arg in ("on", "warn", "raise"):
        print(_runtime_on("warn" if arg == "on" else arg))
    elif arg == "off":
        print(_runtime_off())
    elif arg in ("", "status"):
        report = _state["report"]
        if report is None:
            print("lossdoctor: runtime checks off; errors are explained")
        else:
            n = len(getattr(report, "findings", []) or [])
            print(f"lossdoctor: runtime checks on; {n} finding(s) so far; errors are explained")
    elif arg == "explain":
        value = getattr(sys, "last_value", None)
        if value is None:
            print("lossdoctor: no error to explain yet")
            return
        from . import explain_exception

        exp = explain_exception(value)
        print(exp.render_text() if exp is not None else "lossdoctor: the last error is not a known loss error")
    else:
        print(_USAGE)


def load_ipython_extension(ipython) -> None:
    if _state["shell"] is ipython:
        return
    _state["shell"] = ipython
    _state["previous_exc"] = (ipython.custom_exceptions, getattr(ipython, "CustomTB", None))
    ipython.set_custom_exc((Exception,), _custom_exc)
    ipython.register_magic_function(_magic, magic_kind="line", magic_name="lossdoctor")
    print(_runtime_on())


def unload_ipython_extension(ipython) -> None:
    if _state["report"] is not None:
        _runtime_off()
    prev = _state["previous_exc"]
    if prev is not None and prev[0]:
        ipython.custom_exceptions, ipython.CustomTB = prev
    else:
        ipython.set_custom_exc((), None)
    _state["shell"] = None
    _state["previous_exc"] = None
