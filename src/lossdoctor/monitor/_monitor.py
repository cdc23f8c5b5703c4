"""The training monitor: loss values per call site, read in batches, diagnosed over time.

Under ``watch()`` / ``lossdoctor run`` the runtime calls :meth:`Monitor.observe`
after every patched loss call.  ``observe`` keeps the detached loss tensor and
nothing else; every ``stride`` calls of one site the pending values are stacked
and read back in one transfer, so on CUDA the monitor adds one host sync per
``stride`` steps, not one per step.  :meth:`Monitor.findings` reads whatever is
still pending.
"""

from __future__ import annotations

import math
import os
import sys
import threading
import warnings
from typing import Any, Callable, Hashable, Iterable

from .._finding import Finding, Location
from ._rules import COMMON_CAUSES, EXPLAINED_BY, CLASSIFICATION_LOSSES, Fired, Series, Settings

KNOWN_LOSSES = (
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "mse_loss",
    "l1_loss",
)
REDUCTIONS = ("mean", "sum", "none")
DEFAULT_STRIDE = 64


def _rank_from_env() -> int | None:
    value = os.environ.get("RANK")
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


class Monitor:
    """Watches loss values over time and diagnoses what only shows over many steps.

    ``Monitor()`` is created by ``watch()`` (one per session) and fed by the
    patched losses; it can also be used on its own::

        monitor = lossdoctor.Monitor()
        for step, (x, y) in enumerate(loader):
            loss = criterion(model(x), y)
            monitor.update(loss, step=step, num_classes=10)
            ...
        for finding in monitor.findings():
            print(finding)

    Keyword arguments: ``stride`` (values read back every that many calls of a
    site; default 64), ``on_finding`` (called with each new finding as soon as
    it is made: the monitor's own, and each runtime finding the first time it
    is reported at a call site), ``rank`` (defaults to the ``RANK`` environment
    variable; findings carry it in ``details["rank"]``), and the rule thresholds
    of :class:`lossdoctor.monitor.Settings` (``chance_window``, ``chance_tol``,
    ``flat_window``, ...).
    """

    def __init__(
        self,
        *,
        stride: int = DEFAULT_STRIDE,
        on_finding: Callable[[Finding], Any] | None = None,
        rank: int | None = None,
        **thresholds: Any,
    ) -> None:
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
            raise ValueError(f"Monitor: stride must be a positive int, got {stride!r}")
        unknown = set(thresholds) - set(Settings.__dataclass_fields__)
        if unknown:
            allowed = ", ".join(sorted(Settings.__dataclass_fields__))
            raise TypeError(f"Monitor: unknown setting(s) {', '.join(sorted(unknown))}; known: {allowed}")
        self.settings = Settings(**thresholds)
        self.stride = stride
        self.on_finding = on_finding
        self.rank = rank if rank is not None else _rank_from_env()
        # The framework callbacks set this to the trainer's global step; plain
        # scripts leave it None and a site's steps are its call count.
        self.step: int | None = None
        self._series: dict[tuple[Hashable, bool], Series] = {}
        self._notes: dict[Hashable, dict[str, tuple[Finding, dict[bool, int]]]] = {}
        self._fired: list[tuple[Series, Fired]] = []
        self._lock = threading.RLock()
        self._torch: Any = None
        self._f32: Any = None
        self._callback_failed = False

    # -- feeding -------------------------------------------------------------
    def observe(
        self,
        site: Hashable,
        output: Any,
        *,
        loss_name: str,
        num_classes: int | None = None,
        reduction: str = "mean",
        location: Location | None = None,
    ) -> None:
        """Record one loss value returned at ``site`` (called by the runtime after every loss call)."""
        key = (site, output.requires_grad)
        series = self._series.get(key)
        if series is None:
            series = self._new_series(key, loss_name, num_classes, reduction, location)
        elif num_classes is not None and num_classes != series.num_classes:
            series.num_classes = num_classes
        if output.is_cpu and not output.ndim:
            value = output.item()  # a CPU scalar is read at once: no sync to avoid, no tensor to keep
        else:
            value = output.detach()
            if value.ndim:
                value = value.float().mean()
            elif value.dtype is not (self._f32 or self._load_torch()):
                value = value.float()
        series.pending.append(value)
        series.pending_steps.append(series.calls if self.step is None else self.step)
        series.calls += 1
        if len(series.pending) >= self.stride:
            self._flush(key)

    def feeder(self, site: Hashable, training: bool) -> Callable[[float], None] | None:
        """A lean callable recording one CPU loss value (a float) at a site already observed.

        The runtime uses it on its per-step path: the same effect as ``observe`` for a
        0-dim CPU loss of an existing curve, without looking the curve up every call.
        """
        key = (site, training)
        series = self._series.get(key)
        if series is None:
            return None
        pending, steps, stride, flush = series.pending, series.pending_steps, self.stride, self._flush

        def feed(value: float) -> None:
            nonlocal pending, steps
            if pending is not series.pending:  # a flush swapped the lists
                pending, steps = series.pending, series.pending_steps
            pending.append(value)
            steps.append(series.calls if self.step is None else self.step)
            series.calls += 1
            if len(pending) >= stride:
                flush(key)

        return feed

    def note_finding(self, site: Hashable, finding: Finding) -> None:
        """The runtime reports each runtime finding made at ``site``.

        The first one of each code at a site is kept (to explain monitor
        findings there) and passed to ``on_finding``, so a framework callback
        sees one stream of new findings.
        """
        notes = self._notes.setdefault(site, {})
        if finding.code not in notes:
            # how many calls each curve of the site had made when it was reported
            calls = {training: self._series[(site, training)].calls
                     for training in (True, False) if (site, training) in self._series}
            notes[finding.code] = (finding, calls)
            self._tell(finding)

    def update(
        self,
        loss: Any,
        step: int | None = None,
        num_classes: int | None = None,
        loss_name: str = "cross_entropy",
        *,
        reduction: str = "mean",
        name: str | None = None,
    ) -> None:
        """Record one training loss value by hand (a tensor or a number).

        ``num_classes`` enables the chance-level check for cross-entropy/NLL;
        ``name`` separates several curves (default: the calling line).
        """
        if loss_name not in KNOWN_LOSSES:
            raise ValueError(f"Monitor.update: unknown loss_name {loss_name!r}; known: {', '.join(KNOWN_LOSSES)}")
        if reduction not in REDUCTIONS:
            raise ValueError(f"Monitor.update: reduction must be one of {', '.join(REDUCTIONS)}, got {reduction!r}")
        if num_classes is not None and (isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1):
            raise ValueError(f"Monitor.update: num_classes must be a positive int or None, got {num_classes!r}")
        if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
            raise TypeError(f"Monitor.update: step must be an int or None, got {type(step).__name__}")
        value = self._as_value(loss)
        location = _caller_location()
        site: Hashable = ("update", name) if name is not None else ("update", location.path, location.line)
        key = (site, True)
        series = self._series.get(key)
        if series is None:
            series = self._new_series(key, loss_name, num_classes, reduction, location)
            if name is not None:
                series.label = name
        elif num_classes is not None:
            series.num_classes = num_classes
        if step is None:
            step = self.step if self.step is not None else series.calls
        series.pending.append(value)
        series.pending_steps.append(step)
        series.calls += 1
        if len(series.pending) >= self.stride:
            self._flush(key)

    # -- reading -------------------------------------------------------------
    def findings(self) -> list[Finding]:
        """Read every pending value, evaluate, and return the monitor's findings so far."""
        self.flush()
        with self._lock:
            # Worded again now: later values and runtime notes sharpen the text.
            return [self._word(series, fired) for series, fired in self._fired if self._keep(series, fired)]

    def flush(self) -> None:
        """Read back every pending value now (one transfer per call site)."""
        for key in list(self._series):
            self._flush(key)

    def series(self) -> list[Series]:
        """Every loss curve seen so far (after :meth:`flush`), in order of first call."""
        return list(self._series.values())

    def plot(self, path: str | os.PathLike, **kwargs: Any) -> str:
        """Draw the loss curve of every call site with diagnosis markers to a PNG (needs matplotlib)."""
        from ._plot import write_png

        self.flush()
        return write_png(self, path, **kwargs)

    def html(self, path: str | os.PathLike, **kwargs: Any) -> str:
        """Write a self-contained HTML report (inline SVG curves, findings), no JavaScript."""
        from ._plot import write_html

        self.flush()
        return write_html(self, path, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """The curves and findings as plain data (for JSON reports and merging)."""
        self.flush()
        return {
            "rank": self.rank,
            "series": [
                {
                    "label": series_label(s),
                    "loss": s.loss_name,
                    "training": s.training,
                    "num_classes": s.num_classes,
                    "path": s.location.path if s.location else None,
                    "line": s.location.line if s.location else None,
                    "steps": list(s.steps),
                    "values": [v if math.isfinite(v) else repr(v) for v in s.values],
                    "fired": {code: f.step for code, f in s.fired.items()},
                }
                for s in self._series.values()
            ],
            "findings": [f.to_dict() | {"details": _jsonable(f.details)} for f in self.findings()],
        }

    # -- internals -----------------------------------------------------------
    def _load_torch(self) -> Any:
        import torch

        self._torch = torch
        self._f32 = torch.float32
        return self._f32

    def _new_series(self, key, loss_name, num_classes, reduction, location) -> Series:
        with self._lock:
            series = self._series.get(key)
            if series is None:
                series = Series(site=key[0], training=key[1], loss_name=loss_name, reduction=reduction,
                                num_classes=num_classes, location=location)
                self._series[key] = series
            return series

    def _as_value(self, loss: Any) -> Any:
        detach = getattr(loss, "detach", None)
        if detach is not None and hasattr(loss, "ndim"):
            value = detach()
            if value.ndim:
                value = value.float().mean()
            elif value.dtype is not (self._f32 or self._load_torch()):
                value = value.float()
            return value
        if isinstance(loss, (int, float)) and not isinstance(loss, bool):
            return float(loss)
        raise TypeError(f"Monitor.update: loss must be a tensor or a number, got {type(loss).__name__}")

    def _flush(self, key: tuple[Hashable, bool]) -> None:
        with self._lock:
            series = self._series[key]
            pending, steps = series.pending, series.pending_steps
            if not pending:
                return
            series.pending, series.pending_steps = [], []
            values = self._read(pending)
            fired = series.add(steps, values, self.settings)
            self._fired.extend((series, f) for f in fired)
            new = [self._word(series, f) for f in fired if self._keep(series, f)]
        for finding in new:
            self._tell(finding)

    def _read(self, pending: list) -> list[float]:
        """One device-to-host transfer for a batch of 0-dim tensors (CPU values are floats already)."""
        if all(not isinstance(v, float) for v in pending):
            try:
                if self._torch is None:
                    self._load_torch()
                return self._torch.stack(pending).tolist()
            except Exception:  # mixed devices or dtypes: read one by one
                pass
        return [v if isinstance(v, float) else float(v) for v in pending]

    def _tell(self, finding: Finding) -> None:
        if self.on_finding is None:
            return
        try:
            self.on_finding(finding)
        except Exception as exc:  # a reporting hook must never break training
            if not self._callback_failed:
                self._callback_failed = True
                from .._errors import LossDoctorInternalWarning

                warnings.warn(f"lossdoctor: the monitor's on_finding hook failed: {exc!r}",
                              LossDoctorInternalWarning, stacklevel=2)

    # -- wording -------------------------------------------------------------
    @staticmethod
    def _keep(series: Series, fired: Fired) -> bool:
        # A chance-level plateau is the sharper form of "not decreasing": report one story.
        return not (fired.code == "LD703" and "LD701" in series.fired)

    def _word(self, series: Series, fired: Fired) -> Finding:
        notes = self._notes.get(series.site, {})
        explainers = [notes[c][0] for c in EXPLAINED_BY.get(fired.code, ()) if c in notes
                      and not (c == "LD501" and fired.code == "LD502" and self._noted_later(notes[c], series, fired))]
        loss = f"`{series.loss_name}`"
        facts = fired.facts
        if fired.code == "LD701":
            message = (
                f"the {loss} loss stayed within {facts['tol']:.3g} of ln({facts['num_classes']}) = "
                f"{facts['chance']:.4f}, the value of uniform predictions over {facts['num_classes']} classes, "
                f"for {facts['window']} training steps (steps {facts['first_step']}-{fired.step}, "
                f"mean {facts['mean']:.4f}, range {facts['low']:.4f}..{facts['high']:.4f}): "
                "the model predicts chance"
            )
            evidence = (
                f"{facts['window']} consecutive loss values at this call site; C = {facts['num_classes']} "
                "from the loss input's class dimension"
            )
        elif fired.code == "LD702":
            message = (
                f"{loss} returned {_fmt(fired.value)} at step {fired.step}; "
                "a classification loss with valid targets is never below 0"
            )
            lowest = series.lowest
            message += f" ({series.counts.get('LD702', 1)} of {len(series.values)} values below 0"
            message += f", lowest {_fmt(lowest)})" if lowest < fired.value else ")"
            if series.loss_name == "nll_loss" and lowest < -1:
                message += "; values below -1 rule out probabilities (which give [-1, 0]): raw scores reach `nll_loss`"
            evidence = f"the loss value read back at step {fired.step}"
        elif fired.code == "LD502":
            message = self._word_nonfinite(series, fired, notes, loss)
            evidence = f"the loss value read back at step {fired.step}"
        elif facts.get("frozen"):  # LD703, the loss does not change at all
            message = (
                f"the {loss} loss has not changed for {facts['window']} training steps in a row "
                f"(steps {facts['first_step']}-{fired.step}, value {_fmt(facts['last'])}): "
                "the model's parameters are not being updated (a learning rate decayed to ~0, "
                "an optimizer over other parameters, or gradients that are all zero)"
            )
            evidence = f"{facts['window']} identical loss values in a row at this call site"
        else:  # LD703
            message = (
                f"the {loss} loss did not improve over its first {facts['window']} training steps "
                f"(steps {facts['first_step']}-{fired.step}): it started at {_start_text(facts)}, "
                f"its best later mean over {facts['block']} steps is {_fmt(facts['best'])}, "
                f"last value {_fmt(facts['last'])}"
            )
            evidence = f"block means of {facts['window']} loss values at this call site"
        if explainers:
            named = ", ".join(f"{f.code} {f.name}" for f in explainers)
            verb = "was" if len(explainers) == 1 else "were"
            message += f"; {named} {verb} reported at this call site and explain{'s' if len(explainers) == 1 else ''} it"
            fix = explainers[0].fix_title
        else:
            if fired.code == "LD702" and series.loss_name.startswith("binary_cross_entropy"):
                message += "; the common cause: targets outside [0, 1] (LD303), which `BCEWithLogitsLoss` accepts silently"
            elif fired.code != "LD502":
                message += f"; {COMMON_CAUSES[fired.code]}"
            fix = ""
        details: dict[str, Any] = {
            "step": fired.step,
            "value": fired.value,
            "loss": series.loss_name,
            "training": series.training,
            "related": [f.code for f in explainers],
            "site_findings": sorted(notes),
            "count": series.counts.get(fired.code, 1),
            **{k: v for k, v in facts.items() if k not in ("last_finite",)},
        }
        if self.rank is not None:
            details["rank"] = self.rank
        return Finding(fired.code, message, evidence=evidence, fix=fix, location=series.location, details=details)

    @staticmethod
    def _noted_later(note: tuple[Finding, dict[bool, int]], series: Series, fired: Fired) -> bool:
        call = fired.facts.get("call")
        noted_at = note[1].get(series.training, 0)
        return call is not None and noted_at > call

    def _word_nonfinite(self, series: Series, fired: Fired, notes: dict, loss: str) -> str:
        facts = fired.facts
        text = (f"{loss} returned {_fmt(fired.value)} at step {fired.step}, its first non-finite value "
                f"({series.counts.get('LD502', 1)} of {len(series.values)} values non-finite)")
        last = facts.get("last_finite")
        if last is not None:
            text += f"; the last finite value was {_fmt(last[1])} at step {last[0]}"
        elif facts.get("calls_before", 0) == 0:
            text += "; it was the very first call"
        logits = notes.get("LD501")
        if logits is not None:
            if not self._noted_later(logits, series, fired):
                text += "; the input logits were already non-finite (LD501 reported at this call site)"
            else:
                text += ("; the loss input was not reported non-finite until a later call (LD501): either it was "
                         "finite but extreme enough to overflow the loss, or it went non-finite on a call the "
                         "runtime's sampled value checks skipped")
        else:
            text += ("; no non-finite loss input was reported at this call site (value checks are sampled after "
                     "the first calls), so most likely the loss computation itself overflowed")
            if "LD302" not in notes:
                text += " or every target of a batch was `ignore_index` (LD302)"
        return text

    def __repr__(self) -> str:
        return f"Monitor(sites={len(self._series)}, findings={len(self._fired)}, stride={self.stride})"


def _start_text(facts: dict) -> str:
    """The reference LD703 compares against: the higher of the first few values and the first block."""
    head = f"mean {facts['head']:.4g} over the first {facts['block']} steps"
    start = facts.get("start")
    if start is not None and start > facts["head"]:
        return f"mean {start:.4g} over the first {facts.get('start_len', 3)} steps ({head})"
    return head


def series_label(series: Series) -> str:
    label = getattr(series, "label", None)
    if label:
        return label
    where = _short_location(series.location) if series.location else str(series.site)
    return f"{series.loss_name} at {where}" + ("" if series.training else " (eval)")


def _short_location(location: Location) -> str:
    path = location.path
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    except ValueError:
        pass
    return f"{path}:{location.line}"


def _fmt(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4f}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _caller_location() -> Location:
    """The first frame outside lossdoctor (the user's ``monitor.update`` line)."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        frame = frame.f_back
    if frame is None:  # pragma: no cover
        return Location("<unknown>", 0)
    return Location(frame.f_code.co_filename, frame.f_lineno, function=frame.f_code.co_name)


__all__ = ["Monitor", "Settings", "KNOWN_LOSSES", "series_label"]
