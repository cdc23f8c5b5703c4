"""One loss call, normalised: which loss, which tensors, which options.

Everything here is metadata (shapes, dtypes, grad_fn names): free on any device.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import torch

# Canonical loss names, the positional parameters of their functionals (torch >= 2.1), and
# the defaults of their keyword options.
LOSSES: dict[str, tuple[str, ...]] = {
    "cross_entropy": ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"),
    "nll_loss": ("input", "target", "weight", "size_average", "ignore_index", "reduce", "reduction"),
    "binary_cross_entropy": ("input", "target", "weight", "size_average", "reduce", "reduction"),
    "binary_cross_entropy_with_logits": ("input", "target", "weight", "size_average", "reduce", "reduction", "pos_weight"),
    "kl_div": ("input", "target", "size_average", "reduce", "reduction", "log_target"),
    "mse_loss": ("input", "target", "size_average", "reduce", "reduction", "weight"),
    "l1_loss": ("input", "target", "size_average", "reduce", "reduction", "weight"),
}
CLASS_INDEX_LOSSES = frozenset({"cross_entropy", "nll_loss"})
BCE_LOSSES = frozenset({"binary_cross_entropy", "binary_cross_entropy_with_logits"})
REGRESSION_LOSSES = frozenset({"mse_loss", "l1_loss"})

# Loss modules -> canonical functional name.
MODULE_LOSSES: dict[str, str] = {
    "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss",
    "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "KLDivLoss": "kl_div",
    "MSELoss": "mse_loss",
    "L1Loss": "l1_loss",
}
# What each module passes to its functional.
_MODULE_ATTRS = ("weight", "ignore_index", "reduction", "label_smoothing", "pos_weight", "log_target")

# What users call things in messages.
DISPLAY = {
    "cross_entropy": "CrossEntropyLoss",
    "nll_loss": "NLLLoss",
    "binary_cross_entropy": "BCELoss",
    "binary_cross_entropy_with_logits": "BCEWithLogitsLoss",
    "kl_div": "KLDivLoss",
    "mse_loss": "MSELoss",
    "l1_loss": "L1Loss",
}

INDEX_DTYPES = (torch.int64, torch.uint8)


@dataclass
class LossCall:
    """The arguments of one loss call, as the loss itself will see them."""

    loss: str
    input: Any
    target: Any
    weight: Any = None
    ignore_index: int = -100
    reduction: str = "mean"
    label_smoothing: float = 0.0
    pos_weight: Any = None
    log_target: bool = False
    # Filled in by the checks as they learn things; shared by later checks.
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def display(self) -> str:
        return DISPLAY[self.loss]

    @property
    def is_class_index_loss(self) -> bool:
        return self.loss in CLASS_INDEX_LOSSES

    @property
    def class_dim(self) -> int:
        """The class dimension of ``input`` for CE/NLL: 0 when unbatched ``(C,)``, else 1."""
        return 0 if self.input.dim() == 1 else 1

    @property
    def num_classes(self) -> int | None:
        x = self.input
        if not isinstance(x, torch.Tensor) or x.dim() == 0:
            return None
        return int(x.shape[self.class_dim])

    @property
    def probability_targets(self) -> bool:
        """CE's class-probability mode: the target has the input's shape."""
        return (
            self.loss == "cross_entropy"
            and isinstance(self.target, torch.Tensor)
            and isinstance(self.input, torch.Tensor)
            and self.target.shape == self.input.shape
        )


def from_functional(loss: str, args: tuple, kwargs: dict) -> LossCall:
    names = LOSSES[loss]
    values: dict[str, Any] = dict(zip(names, args))
    values.update(kwargs)
    size_average = values.pop("size_average", None)
    reduce = values.pop("reduce", None)
    if size_average is not None or reduce is not None:
        values["reduction"] = _legacy_reduction(size_average, reduce)
    call = LossCall(loss, values.pop("input", None), values.pop("target", None))
    for key in ("weight", "ignore_index", "reduction", "label_smoothing", "pos_weight", "log_target"):
        if key in values and values[key] is not None:
            setattr(call, key, values[key])
    return call


def from_module(module: Any, input: Any, target: Any) -> LossCall:
    loss = MODULE_LOSSES[type(module).__name__] if type(module).__name__ in MODULE_LOSSES else _module_loss(module)
    call = LossCall(loss, input, target)
    for key in _MODULE_ATTRS:
        value = getattr(module, key, None)
        if value is not None:
            setattr(call, key, value)
    return call


def _module_loss(module: Any) -> str:
    for cls in type(module).__mro__:
        if cls.__name__ in MODULE_LOSSES and cls.__module__.startswith("torch.nn"):
            return MODULE_LOSSES[cls.__name__]
    raise TypeError(f"{type(module).__name__} is not a loss lossdoctor knows")


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


# --- summaries -------------------------------------------------------------------

_DTYPE_SHORT = {
    torch.float32: "f32", torch.float64: "f64", torch.float16: "f16", torch.bfloat16: "bf16",
    torch.int64: "i64", torch.int32: "i32", torch.int16: "i16", torch.int8: "i8",
    torch.uint8: "u8", torch.bool: "bool",
}


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def shape_str(t: torch.Tensor) -> str:
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def summarize(t: Any) -> str:
    """A tensor in one line, never its contents: ``f32[64,10] cpu grad_fn=AddmmBackward0``."""
    if not isinstance(t, torch.Tensor):
        return type(t).__name__
    short = _DTYPE_SHORT.get(t.dtype, dtype_name(t.dtype))
    out = f"{short}[{','.join(str(s) for s in t.shape)}] {t.device}"
    if t.grad_fn is not None:
        out += f" grad_fn={t.grad_fn.name()}"
    return out


def fmt_num(v: float) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.4g}"


# --- autograd provenance ----------------------------------------------------------


def grad_fn_name(t: Any) -> str | None:
    fn = getattr(t, "grad_fn", None)
    return fn.name() if fn is not None else None


def producer(t: Any, skip_views: bool = False):
    """The autograd node that produced ``t`` (optionally looking through views/copies)."""
    fn = getattr(t, "grad_fn", None)
    if skip_views:
        fn = skip_passthrough(fn)
    return fn


# Nodes that move or reshape values without changing them.
_PASSTHROUGH = (
    "ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward", "CloneBackward", "ToCopyBackward",
    "ExpandBackward", "SqueezeBackward", "UnsqueezeBackward", "PermuteBackward", "TransposeBackward",
    "TBackward", "SelectBackward", "SliceBackward", "IndexBackward", "AliasBackward", "ContiguousBackward",
)


def is_passthrough(fn) -> bool:
    return fn is not None and fn.name().startswith(_PASSTHROUGH)


def skip_passthrough(fn, limit: int = 8):
    while limit and is_passthrough(fn):
        nxt = [f for f, _ in fn.next_functions if f is not None]
        if not nxt:
            return fn
        fn = nxt[0]
        limit -= 1
    return fn


def node_is(fn, *prefixes: str) -> bool:
    return fn is not None and fn.name().startswith(prefixes)


def first_parent(fn):
    if fn is None:
        return None
    for f, _ in fn.next_functions:
        if f is not None:
            return f
    return None


def saved(fn, *names: str) -> Any:
    """A saved attribute of an autograd node, trying several names (they changed across versions)."""
    for name in names:
        try:
            value = getattr(fn, name)
        except (AttributeError, RuntimeError):
            continue
        return value
    return None


def softmax_dim(fn, ndim: int) -> int | None:
    """The ``dim`` a SoftmaxBackward/LogSoftmaxBackward node normalised over, non-negative."""
    dim = saved(fn, "_saved_dim", "dim")
    if dim is None:
        return None
    dim = int(dim)
    if dim >= 2**63:  # saved as an unsigned 64-bit integer
        dim -= 2**64
    return dim % ndim if ndim else dim
