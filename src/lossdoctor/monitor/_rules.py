"""The loss over time at one call site, and the diagnoses read off it.

Pure Python on host floats: the monitor hands values over in batches (see
``_monitor.py``), and every rule here walks each value once, keeping a few
numbers of state.  A rule fires at most once per series.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field
from typing import Any, Hashable

# Losses whose value has a meaning as a classification loss.
CLASSIFICATION_LOSSES = frozenset(
    {"cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"}
)
# Losses whose uniform-prediction value is ln(C).
CHANCE_LOSSES = frozenset({"cross_entropy", "nll_loss"})

# Runtime diagnoses that explain a monitor diagnosis, likeliest first.
EXPLAINED_BY: dict[str, tuple[str, ...]] = {
    "LD701": ("LD101", "LD111", "LD109", "LD404", "LD409", "LD204", "LD205", "LD104", "LD503"),
    "LD702": ("LD102", "LD103", "LD205", "LD303", "LD110"),
    "LD502": ("LD501", "LD302", "LD104", "LD503", "LD102", "LD103", "LD205"),
    "LD703": ("LD101", "LD111", "LD109", "LD105", "LD404", "LD409", "LD602", "LD204", "LD205", "LD406"),
}
# What to name when no runtime finding at the site explains it.
COMMON_CAUSES: dict[str, str] = {
    "LD701": "common causes: probabilities fed to the loss (LD101), a clamping last activation (LD111), "
    "a dead network, or a learning rate far too small or too large",
    "LD702": "common causes: raw logits (LD102) or probabilities (LD103) fed to `nll_loss`, "
    "or soft targets that are not a distribution (LD205)",
    "LD502": "common causes: non-finite logits (LD501), a learning rate too large, "
    "a batch whose targets are all `ignore_index` (LD302), `log(softmax(x))` (LD104)",
    "LD703": "common causes: a learning rate far too small or too large, probabilities fed to the loss (LD101), "
    "a clamping last activation (LD111), or the optimizer not stepping the model's parameters",
}


@dataclass
class Settings:
    """Thresholds of the rules; ``Monitor`` takes them as keyword arguments."""

    # LD701: consecutive training steps within the band around ln(C).
    chance_window: int = 100
    # Half-width of the band, as a fraction of ln(C) (with a floor of chance_abs_tol).
    chance_tol: float = 0.05
    chance_abs_tol: float = 0.02
    # LD703: training steps, counted from the first, in which the loss must improve.
    flat_window: int = 200
    # An improvement is a block mean this fraction below the starting level: the higher of
    # the mean of the first `flat_start` values and the mean of the first block.  A run that
    # drops to its floor within a few steps (label noise, an easy problem) has a first-block
    # mean that already includes the drop; its first values do not.
    flat_rel_improvement: float = 0.05
    flat_start: int = 3
    # LD703 also: training steps in a row whose loss did not change at all (the model is not updated).
    frozen_window: int = 50
    # LD702: below this a classification loss counts as negative (rounding slack).
    negative_tol: float = 1e-6

    def __post_init__(self) -> None:
        for name in ("chance_window", "flat_window", "frozen_window"):
            if int(getattr(self, name)) < 2:
                raise ValueError(f"{name} must be at least 2, got {getattr(self, name)!r}")
        if int(self.flat_start) < 1:
            raise ValueError(f"flat_start must be at least 1, got {self.flat_start!r}")
        if not 0 < self.chance_tol < 1:
            raise ValueError(f"chance_tol must be in (0, 1), got {self.chance_tol!r}")
        if not 0 < self.flat_rel_improvement < 1:
            raise ValueError(f"flat_rel_improvement must be in (0, 1), got {self.flat_rel_improvement!r}")


@dataclass
class Fired:
    """One diagnosis made on a series: the raw facts; ``_monitor`` words them."""

    code: str
    step: int  # the step at which it became certain (its marker on the plot)
    value: float
    facts: dict[str, Any]


@dataclass
class Series:
    """The loss values returned at one call site, split by training (grad) or evaluation."""

    site: Hashable
    training: bool
    loss_name: str
    reduction: str = "mean"
    num_classes: int | None = None
    location: Any = None
    steps: array = field(default_factory=lambda: array("q"))
    values: array = field(default_factory=lambda: array("d"))
    fired: dict[str, Fired] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)  # values that showed each diagnosis
    calls: int = 0  # calls observed (including values still pending in the monitor)
    # detached 0-dim loss tensors not read yet, and their steps
    pending: list = field(default_factory=list, repr=False)
    pending_steps: list = field(default_factory=list, repr=False)
    label: str | None = None
    # rule state
    _chance_start: int | None = None
    _chance_len: int = 0
    _chance_sum: float = 0.0
    _chance_lo: float = math.inf
    _chance_hi: float = -math.inf
    _finite_seen: int = 0
    _head_sum: float = 0.0
    _head_mean: float | None = None
    _head_first: int | None = None
    _start_sum: float = 0.0
    _start_mean: float | None = None
    _block_sum: float = 0.0
    _block_len: int = 0
    _best_block: float = math.inf
    _best_block_end: int | None = None
    _improved: bool = False
    _last_finite: tuple[int, float] | None = None
    _first_value: float | None = None
    _frozen_start: int | None = None
    _frozen_len: int = 0
    _min_value: float = math.inf

    @property
    def lowest(self) -> float:
        """The lowest finite value seen so far."""
        return self._min_value

    @property
    def chance_level(self) -> float | None:
        if self.loss_name in CHANCE_LOSSES and self.num_classes and self.num_classes >= 2:
            return math.log(self.num_classes)
        return None

    def add(self, steps: list[int], values: list[float], settings: Settings) -> list[Fired]:
        """Record values (in call order) and return the diagnoses that became certain."""
        new: list[Fired] = []
        classification = self.loss_name in CLASSIFICATION_LOSSES
        chance = self.chance_level if (self.training and self.reduction != "sum") else None
        for step, value in zip(steps, values):
            call = len(self.values)  # this value's call index in the series
            self.steps.append(step)
            self.values.append(value)
            if not math.isfinite(value):
                self.counts["LD502"] = self.counts.get("LD502", 0) + 1
                if "LD502" not in self.fired:
                    new.append(self._fire("LD502", step, value, last_finite=self._last_finite,
                                          calls_before=len(self.values) - 1,
                                          call=call))
                self._chance_reset()
                continue
            if value < self._min_value:
                self._min_value = value
            if classification and value < -settings.negative_tol:
                self.counts["LD702"] = self.counts.get("LD702", 0) + 1
                if "LD702" not in self.fired:
                    new.append(self._fire("LD702", step, value))
            if chance is not None and "LD701" not in self.fired:
                fired = self._chance_step(step, value, chance, settings)
                if fired:
                    new.append(fired)
            if self.training and "LD703" not in self.fired:
                fired = self._frozen_step(step, value, settings)
                if fired is None and not self._improved:
                    fired = self._flat_step(step, value, settings)
                if fired:
                    new.append(fired)
            self._last_finite = (step, value)
        return new

    # -- LD701 ---------------------------------------------------------------
    def _chance_reset(self) -> None:
        self._chance_start, self._chance_len, self._chance_sum = None, 0, 0.0
        self._chance_lo, self._chance_hi = math.inf, -math.inf

    def _in_chance_band(self, value: float, settings: Settings) -> bool:
        chance = self.chance_level if self.reduction != "sum" else None
        return chance is not None and abs(value - chance) <= max(settings.chance_tol * chance, settings.chance_abs_tol)

    def _chance_step(self, step: int, value: float, chance: float, settings: Settings) -> Fired | None:
        tol = max(settings.chance_tol * chance, settings.chance_abs_tol)
        if abs(value - chance) > tol:
            self._chance_reset()
            return None
        if self._chance_start is None:
            self._chance_start = step
        self._chance_len += 1
        self._chance_sum += value
        self._chance_lo = min(self._chance_lo, value)
        self._chance_hi = max(self._chance_hi, value)
        if self._chance_len < settings.chance_window:
            return None
        return self._fire(
            "LD701", step, value,
            chance=chance, tol=tol, window=self._chance_len, first_step=self._chance_start,
            mean=self._chance_sum / self._chance_len, low=self._chance_lo, high=self._chance_hi,
            num_classes=self.num_classes,
        )

    # -- LD703 ---------------------------------------------------------------
    def _frozen_step(self, step: int, value: float, settings: Settings) -> Fired | None:
        """The very same loss value again and again: nothing is updating the model."""
        last = self._last_finite
        if self._first_value is None:
            self._first_value = value
        # float32 rounding of a recomputed value is ~1e-7 relative.  A loss that froze after
        # learning most of what it could is converged, not broken; one frozen at chance is LD701's.
        if (last is None or abs(value - last[1]) > 1e-6 * abs(value)
                or abs(value) < 0.5 * abs(self._first_value) or self._in_chance_band(value, settings)):
            self._frozen_start, self._frozen_len = None, 0
            return None
        if self._frozen_start is None:
            self._frozen_start, self._frozen_len = last[0], 1
        self._frozen_len += 1
        if self._frozen_len < settings.frozen_window or "LD701" in self.fired:
            return None
        return self._fire("LD703", step, value, frozen=True, window=self._frozen_len,
                          first_step=self._frozen_start, last=value)

    def _flat_step(self, step: int, value: float, settings: Settings) -> Fired | None:
        block = max(1, settings.flat_window // 10)
        self._finite_seen += 1
        start = min(int(settings.flat_start), block)
        if self._head_mean is None:
            if self._head_first is None:
                self._head_first = step
            self._head_sum += value
            if self._finite_seen <= start:
                self._start_sum += value
                if self._finite_seen == start:
                    self._start_mean = self._start_sum / start
            if self._finite_seen == block:
                self._head_mean = self._head_sum / block
                if self._start_mean is None:
                    self._start_mean = self._head_mean
            return None
        self._block_sum += value
        self._block_len += 1
        if self._block_len == block:
            mean = self._block_sum / block
            self._block_sum, self._block_len = 0.0, 0
            if mean < self._best_block:
                self._best_block, self._best_block_end = mean, step
            ref = max(self._head_mean, self._start_mean if self._start_mean is not None else self._head_mean)
            if mean < ref - max(settings.flat_rel_improvement * abs(ref), 1e-3):
                self._improved = True
                return None
        if self._finite_seen < settings.flat_window or "LD701" in self.fired or "LD502" in self.fired:
            return None
        return self._fire(
            "LD703", step, value,
            window=self._finite_seen, block=block, first_step=self._head_first,
            head=self._head_mean, start=self._start_mean, start_len=start,
            best=self._best_block, best_end=self._best_block_end,
            last=value,
        )

    def _fire(self, code: str, step: int, value: float, **facts: Any) -> Fired:
        fired = Fired(code, step, value, facts)
        self.fired[code] = fired
        return fired
