"""Checking every loss call: the patches, the sessions that receive findings, check().

The torch loss functionals (``torch.nn.functional.cross_entropy`` and friends)
are replaced by thin wrappers while at least one session is active.  Loss
modules (``nn.CrossEntropyLoss`` ...) call those functionals from their
``forward``, so both spellings are covered.  A wrapper normalises the call,
runs the checks, raises lossdoctor's error for bugs PyTorch would raise on
(before the kernel runs), reports silent ones, then calls the original
function with the very same arguments: the loss and its gradients are
bitwise identical with and without lossdoctor.

A failure inside lossdoctor never breaks the user's call: it is reported
once (``LossDoctorInternalWarning``) and the loss runs as without lossdoctor.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
import torch.nn.functional as F

from .. import catalog
from .._errors import LossDoctorError, LossDoctorInternalWarning, LossDoctorWarning, error_class
from .._finding import Finding, Location
from . import _checks
from ._call import LOSSES, LossCall, from_functional, from_module, summarize
from ._fastpath import quick_accept, quick_accept_args

# Set to a list to record every (call, accepted-by-the-fast-path) pair; tests use it.
CALL_LOG: list | None = None

MODES = ("raise", "warn", "collect")
_TORCH_DIR = os.path.dirname(torch.__file__) + os.sep
_OWN_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_DEMO_DIR = os.path.join(_OWN_DIR, "demo", "scripts") + os.sep  # user code, for the demo's purposes


# ---------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------


@dataclass
class Record:
    finding: Finding
    count: int = 1
    first_call: int = 0  # the call number (per site) where it was first seen


@dataclass(eq=False)
class Report:
    """What a session found: each (call site, code) once, with how often it was seen."""

    mode: str = "warn"
    records: dict[tuple, Record] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)
    calls: int = 0
    monitor: Any = None

    @property
    def findings(self) -> list[Finding]:
        out = [r.finding for r in self.records.values()]
        if self.monitor is not None:
            try:
                out += list(self.monitor.findings())
            except Exception as exc:  # the monitor must never break a report
                _internal_error("monitor", exc)
        return out

    def codes(self) -> list[str]:
        return sorted({f.code for f in self.findings})

    def count(self, finding: Finding) -> int:
        for r in self.records.values():
            if r.finding is finding:
                return r.count
        return 1

    def add(self, site: tuple, f: Finding, call_no: int) -> bool:
        """Record a finding; True if it is new for this site and code."""
        key = (site, f.code)
        rec = self.records.get(key)
        if rec is not None:
            rec.count += 1
            return False
        self.records[key] = Record(f, 1, call_no)
        return True

    def to_dicts(self) -> list[dict]:
        out = []
        for rec in self.records.values():
            d = rec.finding.to_dict()
            d["count"] = rec.count
            out.append(d)
        if self.monitor is not None:
            for f in self.monitor.findings():
                d = f.to_dict()
                d["count"] = f.details.get("count", 1)
                out.append(d)
        return out

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self):
        return iter(self.findings)

    def __repr__(self) -> str:
        return f"Report(mode={self.mode!r}, findings={self.codes()}, calls={self.calls})"


# ---------------------------------------------------------------------------
# Sessions and dispatch
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class Session:
    mode: str
    report: Report
    value_check_first: int
    value_check_every: int
    accelerator_check_every: int
    sites: dict = field(default_factory=dict)  # site -> calls seen
    soft_target_sites: set = field(default_factory=set)  # sites where real soft targets were seen
    feeders: dict = field(default_factory=dict)  # (site, training) -> the monitor's lean feed for CPU losses


class _State(threading.local):
    def __init__(self) -> None:
        self.stack: list[Session] = []
        self.busy = False


_local = _State()
_global_sessions: list[Session] = []
_lock = threading.RLock()
_originals: dict[str, Callable] = {}
_wrappers: dict[str, Callable] = {}
_reported_internal: set[str] = set()


def _active_sessions() -> list[Session]:
    # innermost first: this thread's watch() blocks, then install()ed sessions
    return list(reversed(_local.stack)) + list(reversed(_global_sessions))


def _internal_error(where: str, exc: BaseException) -> None:
    """Record a failure of lossdoctor itself in every active report; warn once per process."""
    tb = traceback.extract_tb(exc.__traceback__)
    last = tb[-1] if tb else None
    at = f" at {os.path.basename(last.filename)}:{last.lineno}" if last else ""
    text = (
        f"lossdoctor: internal error in {where} ({type(exc).__name__}: {exc}{at}); "
        "this check is skipped and your loss runs unchanged. Please report this."
    )
    for s in _active_sessions():
        if text not in s.report.internal_errors:
            s.report.internal_errors.append(text)
    key = f"{where}:{type(exc).__name__}"
    if key in _reported_internal:
        return
    _reported_internal.add(key)
    with contextlib.suppress(Exception):
        warnings.warn(text, LossDoctorInternalWarning, stacklevel=2)


def _user_frame(depth: int = 3):
    """The innermost frame outside torch and lossdoctor: the user's code that made the loss call."""
    return _user_frame_from(sys._getframe(depth))


# Caches keyed by id(code object); each entry keeps its code object alive, so an id is never
# reused by another code object while it is cached.
_IS_USER_CODE: dict[int, tuple] = {}  # id(code) -> (code, written by the user: not torch, not lossdoctor)
_SITES: dict[tuple, tuple] = {}  # (id(code), bytecode offset, loss) -> (code, (path, line, loss))
_CACHE_LIMIT = 100_000


def _user_frame_from(frame):
    while frame is not None:
        code = frame.f_code
        entry = _IS_USER_CODE.get(id(code))
        if entry is None:
            filename = code.co_filename
            own = filename.startswith(_OWN_DIR) and not filename.startswith(_DEMO_DIR)
            entry = (code, not (own or filename.startswith(_TORCH_DIR) or filename.startswith("<frozen")))
            if len(_IS_USER_CODE) < _CACHE_LIMIT:
                _IS_USER_CODE[id(code)] = entry
        if entry[1]:
            return frame
        frame = frame.f_back
    return None


def _site_of(frame, loss: str) -> tuple:
    """The call site of a frame, without decoding its line number again on every call."""
    code = frame.f_code
    key = (id(code), frame.f_lasti, loss)
    entry = _SITES.get(key)
    if entry is None:
        entry = (code, (code.co_filename, frame.f_lineno, loss))
        if len(_SITES) < _CACHE_LIMIT:
            _SITES[key] = entry
    return entry[1]


_LIBRARY_MARKERS = (os.sep + "site-packages" + os.sep, os.sep + "dist-packages" + os.sep)


def _location_for(frame) -> Location | None:
    """Where to point the user: their own line, past installed libraries (transformers, Lightning...).

    The call site that counts calls stays the loss call itself; when that is inside an installed
    library, the location shows the user's line that led to it and names the library line.
    """
    if frame is None:
        return None
    path = frame.f_code.co_filename
    loc = Location(path, frame.f_lineno, function=frame.f_code.co_name)
    if any(m in path for m in _LIBRARY_MARKERS):
        outer = frame.f_back
        while outer is not None:
            outer_path = outer.f_code.co_filename
            if not any(m in outer_path for m in _LIBRARY_MARKERS) and not outer_path.startswith(("<frozen", _OWN_DIR)):
                return Location(outer_path, outer.f_lineno, function=outer.f_code.co_name,
                                via=f"{_library_name(path)}:{frame.f_lineno}")
            outer = outer.f_back
    return loc


def _library_name(path: str) -> str:
    for marker in _LIBRARY_MARKERS:
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def _value_checks_due(session: Session, site: tuple, call: LossCall) -> bool:
    n = session.sites.get(site, 0)
    if n < session.value_check_first:
        return True
    x = call.input
    on_cpu = not isinstance(x, torch.Tensor) or x.device.type == "cpu"
    every = session.value_check_every if on_cpu else session.accelerator_check_every
    return every > 0 and n % every == 0


_VALUE_CHECKS: dict[str, list] = {}


def _value_checks(loss: str) -> list:
    """The pre-call checks of one loss that read values (what remains after the fast path)."""
    found = _VALUE_CHECKS.get(loss)
    if found is None:
        found = _VALUE_CHECKS[loss] = [c for c in _checks.pre_checks(loss) if c.values]
    return found


# Findings that are only consequences of another one on the same call (one bug, one story).
_CONSEQUENCES = {"LD608": frozenset({"LD303", "LD105", "LD106"})}


def _run_checks(checks, call: LossCall, values: bool) -> list[Finding]:
    found: list[Finding] = []
    for chk in checks:
        if chk.values and not values:
            continue
        try:
            f = chk.fn(call)
        except Exception as exc:
            _internal_error(f"the {chk.code} check ({chk.fn.__name__})", exc)
            continue
        if f is not None:
            found.append(f)
            if f.loud:
                break  # PyTorch stops at the first error too
    if len(found) > 1:
        hidden = set().union(*(_CONSEQUENCES.get(f.code, ()) for f in found))
        if hidden:
            found = [f for f in found if f.code not in hidden]
    return found


def _error_text(f: Finding, call: LossCall | None) -> str:
    d = catalog.get(f.code)
    lines = [f"{f.code} {d.name}: {f.message}"]
    if call is not None:
        lines.append(f"  input:    {summarize(call.input)}")
        lines.append(f"  target:   {summarize(call.target)}")
    if f.evidence:
        lines.append(f"  evidence: {f.evidence}")
    lines.append(f"  fix:      {f.fix_title}")
    if f.location is not None:
        lines.append(f"  at:       {f.location}" + (f" in {f.location.function}" if f.location.function else ""))
    lines.append(f"  see:      lossdoctor rule {f.code}")
    return "\n".join(lines)


@dataclass
class _Raise:
    """An exception for the wrapper to raise, so tracebacks end at the user's call, not deep inside."""

    error: BaseException
    cause: BaseException | None = None
    reraise: bool = False  # PyTorch's own error, raised again as it was


def _error_for(f: Finding, call: LossCall | None) -> LossDoctorError:
    raises = f.details.get("raises") or catalog.get(f.code).raises if f.loud else None
    cls = error_class(raises) if f.loud else LossDoctorError
    return cls(f, _error_text(f, call))


def _deliver(sessions: list[Session], site: tuple, call: LossCall, findings: list[Finding], loc: Location | None) -> Finding | None:
    """Record findings in every session; warn about new silent ones.  Returns what must be raised."""
    to_raise = None
    mode = sessions[0].mode
    for f in findings:
        f = f.with_location(loc)
        new = False
        for s in sessions:
            new |= s.report.add(site, f, s.sites.get(site, 0))
            if s.report.monitor is not None:
                with contextlib.suppress(Exception):
                    s.report.monitor.note_finding(site, f)
        if f.loud:
            to_raise = to_raise or f
        elif mode == "raise" and f.severity == "error":
            to_raise = to_raise or f
        elif new and mode in ("warn", "raise") and f.severity != "info":  # info: in the report only
            _warn(f, loc)
    return to_raise


def _retract_one_hot_at(sessions: list[Session], site: tuple) -> None:
    """Real soft targets at a site (mixup on some batches): its one-hot batches are no LD206."""
    for s in sessions:
        s.report.records.pop((site, "LD206"), None)
        s.soft_target_sites.add(site)


def _warn(f: Finding, loc: Location | None) -> None:
    text = f"{f.code} {f.name}: {f.message}\n  evidence: {f.evidence}\n  fix: {f.fix_title}  (lossdoctor rule {f.code})"
    if loc is not None:
        warnings.warn_explicit(text, LossDoctorWarning, loc.path, loc.line, registry={})
    else:
        warnings.warn(text, LossDoctorWarning, stacklevel=4)


def _compiling() -> bool:
    compiler = getattr(torch, "compiler", None)
    fn = getattr(compiler, "is_compiling", None)
    if fn is not None:
        try:
            return bool(fn())
        except Exception:
            return False
    return False


def _checked_call(loss: str, original: Callable, call_builder: Callable[[], LossCall], args: tuple, kwargs: dict):
    sessions = _active_sessions()
    if not sessions or _local.busy or _compiling():
        return original(*args, **kwargs)
    _local.busy = True  # losses called inside a loss (none today, but a subclass could) are not re-checked
    try:
        return _checked_call_inner(loss, original, call_builder, args, kwargs, sessions)
    finally:
        _local.busy = False


def _checked_call_inner(loss, original, call_builder, args, kwargs, sessions):
    head = sessions[0]
    call = loc = site = None
    to_raise = None
    try:
        call = call_builder()
        frame = _user_frame(2)
        site = _site_of(frame, loss) if frame is not None else ("<unknown>", 0, loss)
        loc = _location_for(frame)
        values = _value_checks_due(head, site, call)
        call.facts["values"] = values
        accepted = quick_accept(call)
        if CALL_LOG is not None:
            CALL_LOG.append((call, accepted))
        if accepted:
            findings = _run_checks(_value_checks(loss), call, True) if values else []
        else:
            findings = _run_checks(_checks.pre_checks(loss), call, values)
        for s in sessions:
            s.report.calls += 1
        if call.facts.get("soft_targets"):
            _retract_one_hot_at(sessions, site)
        if site in head.soft_target_sites:
            findings = [f for f in findings if f.code != "LD206"]
        to_raise = _deliver(sessions, site, call, findings, loc)
    except Exception as exc:
        _internal_error("the runtime checks", exc)
        to_raise = None
        call = None
    if to_raise is not None:
        _bump(sessions, site)
        return _Raise(_error_for(to_raise.with_location(loc), call))

    try:
        output = original(*args, **kwargs)
    except Exception as torch_error:
        if call is not None and not isinstance(torch_error, LossDoctorError):
            ours = _explain_torch_error(torch_error, call, sessions, site, loc)
            if ours is not None:
                return _Raise(ours, torch_error)
        return _Raise(torch_error, reraise=True)

    if call is not None:
        try:
            after = []
            if call.facts.get("values"):
                call.facts["output"] = output
                after = _run_checks(_checks.post_checks(loss), call, True)
            post_raise = _deliver(sessions, site, call, after, loc) if after else None
            _observe(sessions, site, call, output, loc)
        except Exception as exc:
            _internal_error("the runtime post-call checks", exc)
            post_raise = None
        finally:
            call.facts.pop("output", None)
            _bump(sessions, site)
        if post_raise is not None:
            return _Raise(_error_for(post_raise.with_location(loc), call))
    return output


def _bump(sessions: list[Session], site) -> None:
    if site is None:
        return
    for s in sessions:
        s.sites[site] = s.sites.get(site, 0) + 1


def _explain_torch_error(err: BaseException, call: LossCall, sessions, site, loc) -> LossDoctorError | None:
    """PyTorch raised something the pre-checks let through (a skipped value check): explain it now.

    Returns lossdoctor's error, of PyTorch's own exception type so handlers still match, for the
    caller to raise chained to PyTorch's; None when no loud diagnosis explains it.
    """
    try:
        call.facts.clear()
        findings = [f for f in _run_checks(_checks.pre_checks(call.loss), call, True) if f.loud]
    except Exception as exc:
        _internal_error("explaining a PyTorch error", exc)
        return None
    if not findings:
        return None
    f = findings[0].with_location(loc)
    for s in sessions:
        s.report.add(site, f, s.sites.get(site, 0))
    try:
        cls = error_class(type(err).__name__)
    except KeyError:
        return None
    return cls(f, _error_text(f, call))


def _observe(sessions, site, call: LossCall, output, loc) -> None:
    readable = None
    for s in sessions:
        mon = s.report.monitor
        if mon is None:
            continue
        if readable is None:  # meta/fake/subclass outputs carry no values to watch
            readable = isinstance(output, torch.Tensor) and _checks.values_readable(output)
        if not readable:
            return
        try:
            mon.observe(
                site,
                output,
                loss_name=call.loss,
                num_classes=call.facts["num_classes"] if "num_classes" in call.facts
                else (call.num_classes if call.is_class_index_loss else None),
                reduction=call.reduction,
                location=loc,
            )
        except Exception as exc:
            _internal_error("the monitor", exc)


# ---------------------------------------------------------------------------
# Patching
# ---------------------------------------------------------------------------


def _hot_path(loss: str, args: tuple, kwargs: dict, caller):
    """(site, sessions) when this call needs no check at all: an ordinary call from a site past its
    first calls, with no value check due.  None sends the call down the full path.

    This runs on every training step, between heavy tensor ops that leave the interpreter's caches
    cold, so it does as little Python as it can: the common single-session case builds no lists.
    """
    if len(args) != 2 or (kwargs and not _HOT_KWARGS.issuperset(kwargs)):
        return None  # options passed by position (weight, ...) or weights by keyword: the full path
    stack = _local.stack
    if stack and not _global_sessions:
        sessions = stack if len(stack) == 1 else stack[::-1]
    else:
        sessions = _active_sessions()
    head = sessions[0]
    frame = _user_frame_from(caller)
    if frame is None:
        return None
    site = _site_of(frame, loss)
    sites = head.sites
    n = sites.get(site, 0)
    if n < head.value_check_first:
        return None
    x = args[0]
    try:
        every = head.value_check_every if x.is_cpu else head.accelerator_check_every
    except AttributeError:
        return None
    if every > 0 and n % every == 0:
        return None
    if not quick_accept_args(loss, x, args[1]):
        return None
    if len(sessions) == 1:
        sites[site] = n + 1
        head.report.calls += 1
    else:
        for s in sessions:
            s.sites[site] = s.sites.get(site, 0) + 1
            s.report.calls += 1
    return site, sessions


_HOT_KWARGS = frozenset({"reduction", "ignore_index", "label_smoothing"})
_LOCATIONS: dict[tuple, Location] = {}


def _observe_hot(site, sessions, loss: str, args: tuple, kwargs: dict, output) -> None:
    """Feed the loss value of a hot-path call to the monitors (kept lean: it runs every step)."""
    if len(sessions) == 1 and type(output) is torch.Tensor and output.is_cpu and not output.ndim:
        session = sessions[0]
        key = (site, output.requires_grad)
        feed = session.feeders.get(key)
        if feed is not None:  # the common case: a CPU scalar loss of a curve already started
            feed(output.item())
            return
        mon = session.report.monitor
        if mon is not None and key[0] in session.sites:
            _observe_hot_full(site, sessions, loss, args, kwargs, output)
            feed = mon.feeder(*key)
            if feed is not None:
                session.feeders[key] = feed
            return
    _observe_hot_full(site, sessions, loss, args, kwargs, output)


def _observe_hot_full(site, sessions, loss: str, args: tuple, kwargs: dict, output) -> None:
    if not _checks.values_readable(output):
        return  # meta/fake/subclass outputs carry no values to watch
    loc = _LOCATIONS.get(site)
    if loc is None:
        loc = _LOCATIONS[site] = Location(site[0], site[1])
    x = args[0]
    num_classes = None
    if loss in _CLASS_INDEX and x.dim() > 0:
        num_classes = x.shape[0 if x.dim() == 1 else 1]
    reduction = kwargs.get("reduction", "mean") if kwargs else "mean"
    for s in sessions:
        mon = s.report.monitor
        if mon is not None:
            mon.observe(site, output, loss_name=loss, num_classes=num_classes, reduction=reduction, location=loc)


_CLASS_INDEX = frozenset({"cross_entropy", "nll_loss"})


def _make_wrapper(loss: str, original: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (pytest hides this frame)
        if not (_global_sessions or _local.stack) or _local.busy or _compiling():
            return original(*args, **kwargs)
        try:
            hot = _hot_path(loss, args, kwargs, sys._getframe(1))
        except Exception:
            hot = None  # the full path below reports any internal error
        if hot is None:
            result = _checked_call(loss, original, lambda: from_functional(loss, args, kwargs), args, kwargs)
            if type(result) is _Raise:  # raised here, so the traceback ends at the user's call
                if result.reraise:
                    raise result.error
                raise result.error from result.cause
            return result
        try:
            output = original(*args, **kwargs)
        except Exception as torch_error:  # a skipped value check: explain PyTorch's error now
            ours = None
            if not isinstance(torch_error, LossDoctorError):
                _local.busy = True
                try:
                    call = from_functional(loss, args, kwargs)
                    loc = _LOCATIONS.get(hot[0]) or Location(hot[0][0], hot[0][1])
                    ours = _explain_torch_error(torch_error, call, hot[1], hot[0], loc)
                finally:
                    _local.busy = False
            if ours is None:
                raise
            raise ours from torch_error
        if any(s.report.monitor is not None for s in hot[1]):
            try:
                _observe_hot(hot[0], hot[1], loss, args, kwargs, output)
            except Exception as exc:
                _internal_error("the monitor", exc)
        return output

    wrapper.__name__ = original.__name__
    wrapper.__qualname__ = getattr(original, "__qualname__", original.__name__)
    wrapper.__doc__ = original.__doc__
    wrapper.__module__ = original.__module__
    wrapper.__wrapped__ = original  # type: ignore[attr-defined]
    wrapper.__lossdoctor__ = True  # type: ignore[attr-defined]
    return wrapper


def _patch() -> None:
    for name in LOSSES:
        current = getattr(F, name)
        if getattr(current, "__lossdoctor__", False):
            continue
        _originals[name] = current
        _wrappers[name] = _make_wrapper(name, current)
        setattr(F, name, _wrappers[name])


def _unpatch() -> None:
    for name, original in list(_originals.items()):
        # Leave alone anything someone else patched over us meanwhile.
        if getattr(F, name) is _wrappers.get(name):
            setattr(F, name, original)
        _originals.pop(name, None)
        _wrappers.pop(name, None)


_thread_stack_count = 0  # watch() blocks open in all threads


def _new_session(mode: str, value_check_first: int, value_check_every: int, accelerator_check_every: int, monitor: bool) -> Session:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    report = Report(mode=mode)
    if monitor:
        try:
            from ..monitor import Monitor

            report.monitor = Monitor()
        except Exception:  # the monitor is optional; never fail a session for it
            report.monitor = None
    return Session(mode, report, value_check_first, value_check_every, accelerator_check_every)


# Value checks read tensor data; after the first calls from a call site they run on a stride.
# Bugs in the data are systematic (every batch has 1-based labels), so a stride still finds them,
# and a loud one the stride skips is still diagnosed: PyTorch's own error is caught and explained.
DEFAULTS = dict(value_check_first=8, value_check_every=50, accelerator_check_every=100)


@contextlib.contextmanager
def watch(
    mode: str = "warn",
    *,
    value_check_first: int = DEFAULTS["value_check_first"],
    value_check_every: int = DEFAULTS["value_check_every"],
    accelerator_check_every: int = DEFAULTS["accelerator_check_every"],
    monitor: bool = True,
) -> Iterator[Report]:
    """Check every torch loss call made in this thread inside the block.

    ``mode``: ``"warn"`` (default) raises lossdoctor's error for bugs PyTorch
    would raise on and warns (``LossDoctorWarning``) once per call site and
    code for silent ones; ``"raise"`` also raises for silent bugs of error
    severity; ``"collect"`` only records silent bugs in the yielded report.

    Value checks (ranges, row sums) read tensor data: they run on the first
    ``value_check_first`` calls from each call site (8), then every
    ``value_check_every`` calls for CPU tensors (50) and every
    ``accelerator_check_every`` calls for GPU tensors (100), so that they add
    no host sync per step on accelerators.  Metadata checks (shapes, dtypes,
    devices, autograd provenance) run on every call.  When PyTorch raises on
    a call whose value checks were skipped, lossdoctor runs them then and
    raises its diagnosis chained to PyTorch's error.
    """
    global _thread_stack_count
    session = _new_session(mode, value_check_first, value_check_every, accelerator_check_every, monitor)
    with _lock:
        _thread_stack_count += 1
        _patch()
    _local.stack.append(session)
    try:
        yield session.report
    finally:
        with contextlib.suppress(ValueError):
            _local.stack.remove(session)
        with _lock:
            _thread_stack_count -= 1
            if not _global_sessions and _thread_stack_count == 0:
                _unpatch()


def install(
    mode: str = "warn",
    *,
    value_check_first: int = DEFAULTS["value_check_first"],
    value_check_every: int = DEFAULTS["value_check_every"],
    accelerator_check_every: int = DEFAULTS["accelerator_check_every"],
    monitor: bool = True,
) -> Report:
    """Check every torch loss call in every thread until :func:`uninstall`. Returns the live report."""
    session = _new_session(mode, value_check_first, value_check_every, accelerator_check_every, monitor)
    with _lock:
        _global_sessions.append(session)
        _patch()
    return session.report


def uninstall(report: Report | None = None) -> None:
    """Stop the checks started by :func:`install` (the given one, or all of them)."""
    with _lock:
        if report is None:
            _global_sessions.clear()
        else:
            _global_sessions[:] = [s for s in _global_sessions if s.report is not report]
        if not _global_sessions and _thread_stack_count == 0:
            _unpatch()


def installed() -> bool:
    return bool(_global_sessions)


# ---------------------------------------------------------------------------
# check(): one call, no patching
# ---------------------------------------------------------------------------

_FUNCTIONAL_NAMES = {name: name for name in LOSSES}


def check(input: Any, target: Any, loss: Any = "cross_entropy", **loss_kwargs: Any) -> list[Finding]:
    """Check one loss call on real tensors without running it; return every finding.

    ``loss`` is a name (``"cross_entropy"``, ``"nll_loss"``, ...), a loss module
    instance (its ``weight``, ``ignore_index``, ``reduction``,
    ``label_smoothing``, ``pos_weight`` are used) or a functional
    (``F.cross_entropy``).  Value checks always run.  Post-call diagnoses
    (a NaN loss from an all-ignored batch, non-finite inputs) are included by
    evaluating the loss on a detached copy of the inputs.
    """
    name, call = _resolve(loss, input, target, loss_kwargs)
    call.facts["values"] = True
    findings = _run_checks(_checks.pre_checks(name), call, True)
    if not any(f.loud for f in findings):
        try:
            with torch.no_grad(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # PyTorch's own broadcast warning: reported as LD405 already
                out = _originals.get(name, getattr(F, name))
                out = getattr(out, "__wrapped__", out)
                call.facts["output"] = out(input.detach(), target.detach() if isinstance(target, torch.Tensor) else target,
                                           **_functional_kwargs(call))
        except Exception:
            call.facts["output"] = None
        findings += _run_checks(_checks.post_checks(name), call, True)
        call.facts.pop("output", None)
    frame = sys._getframe(1)
    loc = Location(frame.f_code.co_filename, frame.f_lineno, function=frame.f_code.co_name)
    return [f.with_location(loc) for f in findings]


def _functional_kwargs(call: LossCall) -> dict:
    names = LOSSES[call.loss]
    out = {}
    for key in ("weight", "ignore_index", "reduction", "label_smoothing", "pos_weight", "log_target"):
        if key in names:
            out[key] = getattr(call, key)
    return out


def _resolve(loss: Any, input: Any, target: Any, kwargs: dict) -> tuple[str, LossCall]:
    if isinstance(loss, str):
        name = loss.replace("-", "_")
        name = {"ce": "cross_entropy", "nll": "nll_loss", "bce": "binary_cross_entropy",
                "bce_with_logits": "binary_cross_entropy_with_logits", "mse": "mse_loss", "l1": "l1_loss"}.get(name, name)
        if name not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; expected one of {sorted(LOSSES)}")
        return name, from_functional(name, (input, target), kwargs)
    if isinstance(loss, torch.nn.Module):
        call = from_module(loss, input, target)
        for key, value in kwargs.items():
            setattr(call, key, value)
        return call.loss, call
    if callable(loss):
        fn = getattr(loss, "__wrapped__", loss)
        name = getattr(fn, "__name__", "")
        if name in LOSSES:
            return name, from_functional(name, (input, target), kwargs)
    raise TypeError(f"loss must be a loss name, a torch loss module or a torch loss functional, not {loss!r}")
