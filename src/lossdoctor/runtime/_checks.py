"""Runtime checks: one function per diagnosis (or small family), registered by code.

Check fast, explain slow: every check starts with cheap metadata predicates
(shapes, dtypes, ``grad_fn`` names) and only builds its message once it has
found something.  Checks marked ``values=True`` read tensor data; the session
runs them only when a value check is due for the call site (always on CPU by
default, on a stride on accelerators, so they add no host sync per step).

A check returns a :class:`~lossdoctor.Finding` or ``None``.  ``loud=True`` on a
finding means PyTorch itself would raise on this call; the session then raises
lossdoctor's error before the kernel runs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch

from .._finding import Finding
from ..catalog import get as get_diagnosis
from ._call import (
    BCE_LOSSES,
    CLASS_INDEX_LOSSES,
    INDEX_DTYPES,
    LOSSES,
    REGRESSION_LOSSES,
    LossCall,
    dtype_name,
    first_parent,
    fmt_num,
    node_is,
    saved,
    shape_str,
    skip_passthrough,
    summarize,
)

CheckFn = Callable[[LossCall], "Finding | None"]


@dataclass(frozen=True)
class RuntimeCheck:
    code: str  # the code it usually reports
    fn: CheckFn
    losses: frozenset
    stage: str  # "pre": before the loss runs; "post": after, with call.facts["output"]
    values: bool  # reads tensor data (gated by the value-check stride)
    also: tuple = ()  # other codes it can report (close relatives found by the same predicates)

    @property
    def codes(self) -> tuple:
        return (self.code, *self.also)


CHECKS: list[RuntimeCheck] = []
ALL_LOSSES = frozenset(LOSSES)


def runtime_check(code: str, *, losses=ALL_LOSSES, stage: str = "pre", values: bool = False, also: tuple = ()):
    def register(fn: CheckFn) -> CheckFn:
        CHECKS.append(RuntimeCheck(code, fn, frozenset(losses), stage, values, tuple(also)))
        return fn

    return register


def finding(code: str, message: str, evidence: str = "", fix: str = "", loud: bool = False, **details) -> Finding:
    """A runtime finding; without a fix tailored to this call's numbers it carries the catalog's."""
    return Finding(code=code, message=message, evidence=evidence, fix=fix or get_diagnosis(code).fix, loud=loud,
                   details=details)


def _is_tensor(x) -> bool:
    return isinstance(x, torch.Tensor)


_functorch_wrapped = getattr(getattr(torch._C, "_functorch", None), "is_functorch_wrapped_tensor", None)


def values_readable(t: torch.Tensor) -> bool:
    """Plain tensors whose values can be read (no meta/fake/subclass tensors, nothing inside a
    ``torch.func`` transform such as ``vmap(grad(loss))`` per-sample gradients, where reading a
    value raises)."""
    if type(t) not in (torch.Tensor, torch.nn.Parameter) or t.device.type == "meta":
        return False
    return _functorch_wrapped is None or not _functorch_wrapped(t)


# ---------------------------------------------------------------------------
# Value helpers (run under no_grad on detached tensors; never modify anything)
# ---------------------------------------------------------------------------

_SAMPLE_ROWS = 64


_SAMPLE_ELEMENTS = 4096


def value_range(t: torch.Tensor) -> list:
    """Min and max of a tensor's values, read with one device-to-host transfer."""
    lo, hi = torch.aminmax(t.detach())
    return torch.stack((lo, hi)).tolist()


def sample_rows(x: torch.Tensor, class_dim: int) -> torch.Tensor:
    """A few class-vectors of ``x`` (up to 64 rows, about 4096 values) as a float ``(R, C)`` tensor, cheaply."""
    x = x.detach()
    k = max(1, min(_SAMPLE_ROWS, _SAMPLE_ELEMENTS // max(1, x.shape[class_dim])))
    if x.dim() == 1:
        rows = x.unsqueeze(0)
    elif x.dim() == 2 and class_dim == 1:
        rows = x[:k]
    else:
        # (N, C, d1, ...): the first sample's first positions, class dim last.
        rows = x[:1].flatten(2)[..., :k].transpose(1, 2).reshape(-1, x.shape[class_dim])
    return rows.float()


def _tol(t: torch.Tensor) -> float:
    return 1e-2 if t.dtype in (torch.float16, torch.bfloat16) else 1e-3


def row_stats(call: LossCall) -> dict:
    """min/max of sampled input rows and how far their sums and logsumexps are from 1 and 0."""
    cached = call.facts.get("row_stats")
    if cached is not None:
        return cached
    rows = sample_rows(call.input, call.class_dim)
    if rows.numel() == 0:
        stats = {"empty": True}
    else:
        # One cheap pass first; the row sums and logsumexps only for rows that could be
        # probabilities or log-probabilities (ordinary logits stop here).
        mn, mx = value_range(rows)
        finite = math.isfinite(mn) and math.isfinite(mx)  # NaN and inf reach the min or max
        tol = _tol(call.input)
        sum_dev = lse_dev = math.inf
        if finite and mn >= -tol and mx <= 1 + tol:
            sum_dev = float((rows.sum(-1) - 1).abs().max())
        if finite and mx <= max(tol, 1e-2):
            lse_dev = float(torch.logsumexp(rows, -1).abs().max())
        stats = dict(min=mn, max=mx, sum_dev=sum_dev, lse_dev=lse_dev, finite=finite)
        stats.update(rows=rows.shape[0], classes=rows.shape[1], empty=False)
    call.facts["row_stats"] = stats
    return stats


def finite_row_stats(call: LossCall) -> dict | None:
    """Row stats of an input with readable, finite values and at least 2 classes, else None."""
    x = call.input
    if not values_readable(x) or x.dim() == 0 or x.shape[call.class_dim] < 2:
        return None
    s = row_stats(call)
    return None if s["empty"] or not s["finite"] else s


def probability_rows(call: LossCall) -> dict | None:
    """Row stats if every sampled row lies in [0, 1] and sums to 1 (softmax output), else None."""
    s = finite_row_stats(call)
    tol = _tol(call.input)
    if s is not None and s["min"] >= -tol and s["max"] <= 1 + tol and s["sum_dev"] <= tol:
        return s
    return None


def log_probability_rows(call: LossCall) -> dict | None:
    """Row stats if every sampled row is <= 0 with logsumexp 0 (log_softmax output), else None."""
    s = finite_row_stats(call)
    tol = _tol(call.input)
    if s is not None and s["max"] <= tol and s["lse_dev"] <= tol:
        return s
    return None


def _prob_evidence(s: dict) -> str:
    return (
        f"values: all {s['rows']} sampled rows lie in [{fmt_num(s['min'])}, {fmt_num(s['max'])}] "
        f"and sum to 1 (max deviation {s['sum_dev']:.1e}); inferred, no autograd history"
    )


def _logprob_evidence(s: dict) -> str:
    return (
        f"values: all {s['rows']} sampled rows are <= 0 and their logsumexp is 0 "
        f"(max deviation {s['lse_dev']:.1e}); inferred, no autograd history"
    )


# ---------------------------------------------------------------------------
# Autograd provenance helpers
# ---------------------------------------------------------------------------

_LINEAR_NODES = ("AddmmBackward", "MmBackward", "LinearBackward", "ConvolutionBackward", "MkldnnConvolutionBackward")
_CLAMPING = {
    "ReluBackward": "ReLU",
    "ThresholdBackward": "ReLU",
    "SigmoidBackward": "Sigmoid",
    "TanhBackward": "Tanh",
    "SoftplusBackward": "Softplus",
    "HardtanhBackward": "Hardtanh/ReLU6",
    "EluBackward": "ELU",
    "GeluBackward": "GELU",
}


def source_node(call: LossCall):
    """The node that produced the input, looking through views and copies."""
    if "source_node" not in call.facts:
        call.facts["source_node"] = skip_passthrough(getattr(call.input, "grad_fn", None))
    return call.facts["source_node"]


def _node_name(fn) -> str:
    return fn.name() if fn is not None else ""


def _autograd_says(fn, extra: str = "") -> str:
    return f"autograd: the input was produced by {fn.name()}{extra}"


def _softmax_dim_note(fn, call: LossCall) -> str:
    dims = softmax_dims(call, fn)
    return f" (dim={dims[0]} of {list(dims[2])})" if dims is not None else ""


def _signed(v) -> int:
    v = int(v)
    return v - 2**64 if v >= 2**63 else v  # dims are sometimes saved as unsigned 64-bit integers


def _view_dim(out_shape: list, c: int, in_shape: list) -> int | None:
    """The dim of a view's input that its output dim ``c`` is made of (row-major reshapes only)."""
    before = math.prod(out_shape[:c])
    for j, size in enumerate(in_shape):
        if size == out_shape[c] and math.prod(in_shape[:j]) == before:
            return j
    return None  # the class dim was merged with or split from its neighbours


def softmax_dims(call: LossCall, node) -> tuple | None:
    """``(d, c, shape)``: the dim ``d`` a softmax/log_softmax ``node`` normalised, the dim ``c`` of the
    same tensor that the loss reads as the classes, and that tensor's shape; None when the views,
    permutes and slices between the node and the loss input can't be followed with certainty.

    ``log_softmax(x, dim=-1)`` on ``(N, L, C)`` then ``.view(-1, C)`` or ``.transpose(1, 2)`` is
    normalised over the classes: compare dims in the node's own tensor, not in the loss input.
    """
    x = call.input
    shape, c = [int(v) for v in x.shape], call.class_dim
    fn, steps = getattr(x, "grad_fn", None), 0
    while fn is not None and fn is not node:
        steps += 1
        if steps > 8 or not shape:
            return None
        name = fn.name()
        if name.startswith(("CloneBackward", "ToCopyBackward", "AliasBackward", "ContiguousBackward")):
            pass
        elif name.startswith("PermuteBackward"):
            dims = [_signed(d) % len(shape) for d in saved(fn, "_saved_dims") or ()]
            if sorted(dims) != list(range(len(shape))):
                return None
            src = [0] * len(shape)
            for i, d in enumerate(dims):  # output dim i is input dim dims[i]
                src[d] = shape[i]
            shape, c = src, dims[c]
        elif name.startswith("TransposeBackward"):
            d0, d1 = (saved(fn, "_saved_dim0"), saved(fn, "_saved_dim1"))
            if d0 is None or d1 is None:
                return None
            d0, d1 = _signed(d0) % len(shape), _signed(d1) % len(shape)
            shape[d0], shape[d1] = shape[d1], shape[d0]
            c = d1 if c == d0 else d0 if c == d1 else c
        elif name.startswith("TBackward"):
            if len(shape) != 2:
                return None
            shape, c = shape[::-1], 1 - c
        else:
            sizes = saved(fn, "_saved_self_sym_sizes", "_saved_self_sizes")
            if sizes is None:
                return None
            src = [int(v) for v in sizes]
            if name.startswith(("ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward", "SqueezeBackward")):
                j = _view_dim(shape, c, src)
            elif name.startswith("SelectBackward"):
                k = _signed(saved(fn, "_saved_dim")) % len(src)
                j = c if c < k else c + 1
            elif len(src) == len(shape) and src[c] == shape[c]:
                j = c  # slicing, indexing or expanding other dims
            else:
                return None
            if j is None:
                return None
            shape, c = src, j
        fn = first_parent(fn)
    if fn is not node:
        return None
    result = saved(node, "_saved_result")
    dim = saved(node, "_saved_dim")
    if not _is_tensor(result) or dim is None or list(result.shape) != shape:
        return None
    return _signed(dim) % len(shape), c, tuple(shape)


def _wrong_dim_text(call: LossCall, dims: tuple, what: str) -> str:
    d, c, shape = dims
    if list(shape) == list(call.input.shape):
        return f"`{what}` was taken over dim {d} of {list(shape)}, not the class dim {c}"
    return (
        f"`{what}` was taken over dim {d} of a {list(shape)} tensor, but its classes (as the loss reads them, "
        f"after the reshapes down to {shape_str(call.input)}) are dim {c}"
    )


# ---------------------------------------------------------------------------
# Loud checks on metadata, in the order PyTorch itself validates
# ---------------------------------------------------------------------------


@runtime_check("LD605")
def model_output_not_tensor(call: LossCall) -> Finding | None:
    x = call.input
    if _is_tensor(x):
        return None
    kind = type(x).__name__
    hint = ""
    if hasattr(x, "logits") and _is_tensor(getattr(x, "logits", None)):
        hint = f"; it has a `.logits` tensor ({summarize(x.logits)}): pass `output.logits`"
    elif isinstance(x, (tuple, list)) and x and all(_is_tensor(e) for e in x):
        parts = ", ".join(summarize(e) for e in list(x)[:4])
        fields = getattr(x, "_fields", None)
        first = f"`output.{fields[0]}`" if fields else "`output[0]`"
        hint = f" of ({parts}); pass the logits, usually {first}"
    elif isinstance(x, dict):
        hint = f" with keys {sorted(map(str, x))[:6]}; pass the logits tensor, e.g. `output['logits']`"
    return finding(
        "LD605",
        f"`{call.display}` received a `{kind}` as its input, not a Tensor{hint}",
        evidence=f"type(input) is {type(x).__module__}.{kind}",
        loud=True,
        raises="TypeError",
    )


@runtime_check("LD608")
def arguments_swapped(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)):
        return None
    if call.loss in CLASS_INDEX_LOSSES:
        if x.is_floating_point() or not y.is_floating_point() or y.dim() != x.dim() + 1:
            return None
        return finding(
            "LD608",
            f"`{call.display}` got integer {summarize(x)} as input and float {summarize(y)} as target: "
            "the arguments look swapped; the order is (input, target)",
            evidence="dtypes and shapes: an integer tensor with one dim fewer than a float tensor",
            loud=True,
            raises="NotImplementedError" if call.loss == "cross_entropy" else "RuntimeError",
        )
    # BCE: silent.  Only autograd can tell which side is the prediction.  MSE and L1 are symmetric
    # in their arguments (same value, same gradient either way round), and `kl_div` with a
    # detached first argument is reverse KL (KL(target || input)), a deliberate objective: no finding.
    if call.loss not in BCE_LOSSES:
        return None
    if torch.is_grad_enabled() and y.requires_grad and not x.requires_grad and x.shape == y.shape:
        return finding(
            "LD608",
            f"`{call.display}`'s target requires grad but its input does not: the arguments look swapped "
            "(the order is (input, target)); the loss value may match, but the gradient flows into the labels",
            evidence=f"autograd: target {summarize(y)} requires_grad, input {summarize(x)} does not",
        )
    return None


@runtime_check("LD207", losses=CLASS_INDEX_LOSSES | BCE_LOSSES | {"kl_div"})
def integer_logits(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.is_floating_point() or x.is_complex():
        return None
    how = ""
    fn = getattr(x, "grad_fn", None)
    if fn is None:
        how = " It has no autograd history: the model output was cast (`.long()`, `argmax`, `round`) or this is not the model output."
    raises = {"binary_cross_entropy": "RuntimeError", "kl_div": "RuntimeError"}.get(call.loss, "NotImplementedError")
    return finding(
        "LD207",
        f"`{call.display}` received {dtype_name(x.dtype)} input {summarize(x)}; it needs floating-point logits.{how}",
        evidence=f"dtype: input is {dtype_name(x.dtype)}",
        loud=True,
        raises=raises,
    )


@runtime_check("LD606")
def device_mismatch(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)):
        return None
    others = [("target", y), ("weight", call.weight), ("pos_weight", call.pos_weight)]
    for label, t in others:
        if _is_tensor(t) and t.device != x.device and not (label == "target" and t.dim() == 0 and t.device.type == "cpu"):
            return finding(
                "LD606",
                f"input is on `{x.device}` but {label} is on `{t.device}`",
                evidence=f"devices: input {summarize(x)}, {label} {summarize(t)}",
                fix=f"Move the {label} to the input's device: `{label}.to(input.device)`",
                loud=True,
                raises="RuntimeError",
            )
    return None


def _squeezed_batch(x: torch.Tensor) -> tuple | None:
    """Sizes before a ``squeeze()`` that dropped a batch dimension of 1, if autograd shows one."""
    fn = getattr(x, "grad_fn", None)
    if node_is(fn, "SqueezeBackward0"):
        sizes = saved(fn, "_saved_self_sym_sizes", "_saved_self_sizes")
        if sizes and len(sizes) > x.dim() and int(sizes[0]) == 1:
            return tuple(int(s) for s in sizes)
    return None


def _squeeze_finding(call: LossCall, before: tuple, raises: str | None) -> Finding:
    return finding(
        "LD407",
        f"the input {summarize(call.input)} was squeezed from {list(before)}: `squeeze()` with no dim "
        f"dropped the batch dimension of a batch of 1, so it no longer matches the target {shape_str(call.target)}",
        evidence=f"autograd: SqueezeBackward0 removed every size-1 dim of {list(before)}",
        loud=raises is not None,
        raises=raises,
    )


@runtime_check("LD403", losses=CLASS_INDEX_LOSSES, also=("LD201", "LD202", "LD401", "LD402", "LD404", "LD407", "LD408"))
def class_index_shapes(call: LossCall) -> Finding | None:
    """Shape rules of CE/NLL with class-index targets (LD201/202/401/402/403/404/407/408)."""
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.dim() == 0:
        return None
    if call.probability_targets:
        if not y.is_floating_point():
            return _integer_probability_target(call)
        return None
    n = x.dim()
    tshape, xshape = tuple(y.shape), tuple(x.shape)
    if n == 1:
        if y.dim() == 0 or (y.dim() == 1 and y.shape[0] == 1):
            return None
        if y.dim() >= 2:  # PyTorch checks the target's dims first (a RuntimeError)
            return finding(
                "LD403",
                f"the input {shape_str(x)} is one unbatched sample; `{call.display}` wants a 0-dim class index, "
                f"not a {y.dim()}-dim target {shape_str(y)}",
                evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
                fix="Give the input a batch dimension `(N, C)` and the target shape `(N,)`",
                loud=True,
                raises="RuntimeError",
            )
        if y.dtype not in INDEX_DTYPES:
            return None  # PyTorch reports the target dtype first: the LD203 check does
        squeezed = _squeezed_batch(x)
        if squeezed:
            return _squeeze_finding(call, squeezed, "ValueError")
        return finding(
            "LD401",
            f"the input {shape_str(x)} is one unbatched sample but the target {shape_str(y)} holds {y.numel()} labels",
            evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
            fix="Give the input a batch dimension `(N, C)`, or pass one 0-dim target",
            loud=True,
            raises="ValueError",
        )
    # PyTorch compares batch sizes first (a ValueError), then the target's dims (RuntimeErrors).
    if y.dim() == 0 and x.shape[0] == 0:
        return None  # PyTorch raises an IndexError of its own here
    if n == 2 and y.dim() >= 2 and y.shape[0] != x.shape[0] and y.numel() == x.shape[0]:
        return _batch_mismatch(call)  # e.g. (N, L) labels for (N*L, C) logits: the target was not flattened
    if n == 2 and y.dim() >= 2:
        f = _multi_target(call)
        if y.shape[0] != x.shape[0]:
            f.details["raises"] = "ValueError"  # PyTorch reports the batch sizes first
        return f
    if y.dim() == 0 or y.shape[0] != x.shape[0]:
        return _batch_mismatch(call)
    if n == 2:
        return None
    # (N, C, d1, ...): the target must be (N, d1, ...).
    if n == 4 and y.dim() != 3:
        return _spatial_target_dims(call)
    if y.dim() >= 1 and y.shape[0] != x.shape[0] and n != 4:
        return _batch_mismatch(call)
    expected = (xshape[0], *xshape[2:])
    if tshape == expected:
        return None
    if n == 4 and y.shape[0] != x.shape[0]:
        return _batch_mismatch(call)
    if tshape == (xshape[0], *xshape[1:-1]):
        c = xshape[-1]
        return finding(
            "LD404",
            f"the input {shape_str(x)} has its {c} classes in the last dim; `{call.display}` wants them in dim 1 "
            f"(it expected target {list(expected)}, got {list(tshape)})",
            evidence=f"shapes: target {shape_str(y)} matches input {shape_str(x)} without its last dim",
            fix=f"Move the class dim to position 1: `input.permute(0, {n - 1}, {', '.join(str(i) for i in range(1, n - 1))})`, "
            f"or flatten both: `input.reshape(-1, {c})`, `target.reshape(-1)`",
            loud=True,
            raises="RuntimeError",
        )
    if y.dim() == n - 2 and 1 in xshape[1:]:
        dim = xshape.index(1, 1)
        return finding(
            "LD402",
            f"the input {shape_str(x)} has an extra size-1 dim {dim} (expected target {list(expected)}, got {list(tshape)})",
            evidence=f"shapes: input has {n} dims for a {y.dim()}-dim target",
            fix=f"Drop the extra dim: `input.squeeze({dim})` (or remove the `unsqueeze`)",
            loud=True,
            raises="RuntimeError",
        )
    if y.dim() == n - 1:
        return finding(
            "LD408",
            f"input {shape_str(x)} and target {shape_str(y)} have the same batch but different spatial sizes "
            f"{list(xshape[2:])} vs {list(tshape[1:])}",
            evidence=f"shapes: expected target {list(expected)}, got {list(tshape)}",
            fix=f"Resize the logits to the labels: `F.interpolate(input, size={tuple(tshape[1:])}, mode='bilinear')` "
            "(or resize labels with mode='nearest')",
            loud=True,
            raises="RuntimeError",
        )
    return finding(
        "LD403",
        f"target {shape_str(y)} does not fit input {shape_str(x)}: expected target {list(expected)}",
        evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
        loud=True,
        raises="RuntimeError",
    )


def _integer_probability_target(call: LossCall) -> Finding:
    x, y = call.input, call.target
    onehot = ""
    if values_readable(y) and y.dim() >= 2:
        with torch.no_grad():
            is01 = bool(((y == 0) | (y == 1)).all()) and bool((y.sum(1) == 1).all())
        if is01:
            onehot = "; it is one-hot encoded"
    return finding(
        "LD202",
        f"`{call.display}` got an integer target {summarize(y)} of the input's shape {shape_str(x)}{onehot}: "
        "same-shape targets are read as class probabilities and must be float",
        evidence=f"shapes and dtypes: target {summarize(y)} has the input's shape and an integer dtype",
        fix="Pass class indices: `target.argmax(dim=1)` (or `target.float()` if soft labels were meant)",
        loud=True,
        raises="RuntimeError",
    )


def _multi_target(call: LossCall) -> Finding:
    x, y = call.input, call.target
    if y.dim() == 2 and y.shape[1] == 1 and y.shape[0] == x.shape[0]:
        return finding(
            "LD403",
            f"the target {shape_str(y)} has an extra dim of size 1; `{call.display}` wants class indices of shape [{x.shape[0]}]",
            evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
            loud=True,
            raises="RuntimeError",
        )
    if tuple(y.shape) == tuple(x.shape):  # NLL with one-hot / probability targets
        return finding(
            "LD201",
            f"`{call.display}` got a target {summarize(y)} of the input's shape: it takes class indices of shape "
            f"[{x.shape[0]}], not one-hot or probability rows",
            evidence=f"shapes: target {shape_str(y)} equals input {shape_str(x)}",
            loud=True,
            raises="RuntimeError",
        )
    return finding(
        "LD403",
        f"the target {shape_str(y)} has {y.dim()} dims; with a {shape_str(x)} input `{call.display}` wants one label per "
        f"sample, shape [{x.shape[0]}]",
        evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
        fix="Give one class index per sample (per-segment or per-token labels need matching per-sample logits)",
        loud=True,
        raises="RuntimeError",
    )


def _spatial_target_dims(call: LossCall) -> Finding:
    x, y = call.input, call.target
    n, h, w = x.shape[0], x.shape[2], x.shape[3]
    if y.dim() == 1 and x.shape[2] == 1 and x.shape[3] == 1:
        return finding(
            "LD402",
            f"the input {shape_str(x)} keeps two size-1 spatial dims; for one label per sample it must be [{n}, {x.shape[1]}]",
            evidence=f"shapes: 4-D input with 1x1 spatial size, 1-D target {shape_str(y)}",
            fix="Flatten the logits: `input.flatten(1)` (after global pooling)",
            loud=True,
            raises="RuntimeError",
        )
    if y.dim() == 4 and y.shape[1] == 1:
        fix, what = "Squeeze the channel dim: `target.squeeze(1)`", "has a channel dim of size 1"
    elif y.dim() == 4 and y.shape[-1] in (3, 4) and tuple(y.shape[1:3]) == (h, w):
        fix = "Map each label colour to a class id (a lookup from RGB to index) to get a [N, H, W] index mask"
        what = f"looks like an RGB{'A' if y.shape[-1] == 4 else ''} label image"
    elif y.dim() == 1:
        fix = f"Use per-pixel targets of shape [{n}, {h}, {w}], or pool the logits to [{n}, {x.shape[1]}] for per-image labels"
        what = "has one label per sample"
    else:
        fix, what = f"Give targets of shape [{n}, {h}, {w}]", f"has {y.dim()} dims"
    return finding(
        "LD403",
        f"segmentation logits {shape_str(x)} need a [{n}, {h}, {w}] index target; this target {shape_str(y)} {what}",
        evidence=f"shapes: 4-D input, {y.dim()}-D target",
        fix=fix,
        loud=True,
        raises="RuntimeError",
    )


def _batch_mismatch(call: LossCall) -> Finding:
    x, y = call.input, call.target
    nx = x.shape[0]
    ny = y.shape[0] if y.dim() else 0
    squeezed = _squeezed_batch(x) if x.dim() == 1 else None
    if squeezed:
        return _squeeze_finding(call, squeezed, "ValueError")
    hints = []
    if y.dim() == 0:
        hints.append("the target is a 0-dim scalar: pass a 1-D tensor of labels")
    elif y.numel() == nx and y.dim() > 1:
        hints.append(f"the target {shape_str(y)} was not flattened like the logits: use `target.reshape(-1)`")
    elif x.dim() == 2 and ny and (nx * x.shape[1]) % ny == 0 and getattr(x, "grad_fn", None) is not None and node_is(x.grad_fn, "ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward"):
        hints.append(
            f"the logits were reshaped to {shape_str(x)}; with {ny} labels the right shape is "
            f"[{ny}, {nx * x.shape[1] // ny}]: check the `view(-1, K)`/`reshape` before the loss"
        )
    return finding(
        "LD401",
        f"input batch size {nx} {shape_str(x)} does not match target batch size {ny} {shape_str(y)}"
        + (f"; {hints[0]}" if hints else ""),
        evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
        loud=True,
        raises="ValueError",
    )


@runtime_check("LD203", losses=CLASS_INDEX_LOSSES)
def class_index_dtype(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or call.probability_targets or x.dim() == 0:
        return None
    if y.dtype == torch.int64 or (y.dtype == torch.uint8 and y.dim() <= 1):
        return None
    if y.dtype == torch.uint8:  # accepted for (N,) targets only; K-dim byte targets raise
        return finding(
            "LD203",
            f"the {y.dim()}-dim target is uint8 {summarize(y)}; `{call.display}` accepts uint8 only for 1-D targets, "
            "K-dimensional (sequence/segmentation) targets must be int64",
            evidence=f"dtype: target {summarize(y)}",
            loud=True,
            raises="RuntimeError",
        )
    hint = ""
    if y.is_floating_point() and values_readable(y) and y.numel():
        with torch.no_grad():
            yd = y.detach().double()
            integral = bool((yd == yd.round()).all())
            scaled = bool(((yd * 255) - (yd * 255).round()).abs().max() < 1e-3) and float(yd.max()) <= 1.0
        if not integral and scaled:
            hint = "; its values are multiples of 1/255: `ToTensor()` rescaled an index mask (load masks with `torch.as_tensor(np.array(mask))`)"
        elif not integral:
            hint = "; its values are not whole numbers, so they are not class indices at all"
    return finding(
        "LD203",
        f"class-index target is {dtype_name(y.dtype)}; `{call.display}` needs int64 (long) class indices{hint}",
        evidence=f"dtype: target {summarize(y)}",
        loud=True,
        raises="RuntimeError",
    )


# After the shape and dtype checks of the target: PyTorch validates the weight last, so with
# several problems in one call the error raised is of the type PyTorch's own would be.
@runtime_check("LD406", losses=CLASS_INDEX_LOSSES)
def class_weight_mismatch(call: LossCall) -> Finding | None:
    w, x = call.weight, call.input
    if not (_is_tensor(w) and _is_tensor(x)) or x.dim() == 0:
        return None
    c = call.num_classes
    if w.numel() != c or w.dim() != 1:
        return finding(
            "LD406",
            f"`weight` has {w.numel()} entries {shape_str(w)} but the input has {c} classes",
            evidence=f"shapes: weight {summarize(w)}, input {summarize(x)} (class dim {call.class_dim})",
            fix=f"Give one weight per class: a 1-D float tensor of length {c}",
            loud=True,
            raises="RuntimeError",
        )
    if w.dtype != x.dtype and not call.probability_targets and not _autocast_on(x.device.type):
        # Class-index targets: the NLL kernel insists on one dtype.  Probability targets
        # multiply by the weight with type promotion: any float weight is accepted.  Under
        # autocast these losses run in float32 and cast input and weight first: float16/bfloat16
        # logits with float32 class weights are the ordinary mixed-precision case.
        return finding(
            "LD406",
            f"`weight` is {dtype_name(w.dtype)} but the input is {dtype_name(x.dtype)}; they must match",
            evidence=f"dtypes: weight {summarize(w)}, input {summarize(x)}",
            fix=f"Convert the weights: `weight.to({dtype_name(x.dtype)})`",
            loud=True,
            raises="RuntimeError",
        )
    return None


@runtime_check("LD208", losses=BCE_LOSSES)
def bce_target_dtype(call: LossCall) -> Finding | None:
    y = call.target
    if not _is_tensor(y) or y.is_floating_point() or not _is_tensor(call.input):
        return None
    return finding(
        "LD208",
        f"`{call.display}` target is {dtype_name(y.dtype)} {summarize(y)}; it needs float 0/1 targets",
        evidence=f"dtype: target {summarize(y)}",
        loud=True,
        raises="RuntimeError",
    )


@runtime_check("LD405", losses=BCE_LOSSES | REGRESSION_LOSSES, also=("LD407",))
def elementwise_shape_mismatch(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.shape == y.shape:
        return None
    try:
        broadcast = torch.broadcast_shapes(x.shape, y.shape)
    except RuntimeError:
        broadcast = None
    loud = call.loss in BCE_LOSSES or broadcast is None
    if not loud and y.numel() == 1 and broadcast == x.shape:
        # A one-element target (`mse_loss(x, torch.tensor(0.))`) is a constant: every prediction is
        # compared with it, which is what was meant; nothing is crossed.
        return None
    raises = "ValueError" if call.loss in BCE_LOSSES else ("RuntimeError" if loud else None)
    squeezed = _squeezed_batch(x)
    if squeezed:
        return _squeeze_finding(call, squeezed, raises if loud else None)
    fix = None
    if x.dim() == y.dim() + 1 and x.shape[-1] == 1:
        fix = "Drop the trailing dim of the input: `input.squeeze(-1)` (or `target.unsqueeze(-1)`)"
    elif y.dim() == x.dim() + 1 and y.shape[-1] == 1:
        fix = "Drop the trailing dim of the target: `target.squeeze(-1)`"
    silent = (
        f"; it silently broadcasts to {list(broadcast)}, comparing every prediction with every target"
        if not loud and broadcast is not None
        else ""
    )
    return finding(
        "LD405",
        f"`{call.display}` input {shape_str(x)} and target {shape_str(y)} differ in shape{silent}",
        evidence=f"shapes: input {summarize(x)}, target {summarize(y)}",
        fix=fix or "Make input and target the same shape",
        loud=loud,
        raises=raises,
    )


@runtime_check("LD503", losses=CLASS_INDEX_LOSSES)
def half_precision_loss(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.dtype != torch.float16 or _autocast_on(x.device.type):
        return None
    return finding(
        "LD503",
        f"`{call.display}` computed in float16 on {summarize(x)} outside autocast: the reduction can overflow to `inf`",
        evidence="dtype: input is float16 and autocast is off",
    )


def _autocast_on(device_type: str) -> bool:
    try:
        return bool(torch.is_autocast_enabled(device_type))
    except TypeError:  # torch < 2.4 takes no device type
        if device_type == "cpu":
            return bool(torch.is_autocast_cpu_enabled())
        return bool(torch.is_autocast_enabled())


# ---------------------------------------------------------------------------
# Silent checks on autograd provenance (free: no data is read)
# ---------------------------------------------------------------------------


@runtime_check("LD101", losses={"cross_entropy"}, also=("LD104", "LD108", "LD109", "LD111"))
def cross_entropy_input_provenance(call: LossCall) -> Finding | None:
    """What produced CE's input: softmax (LD101), log of softmax (LD104), log_softmax (LD108/LD109),
    a clamping activation (LD111)."""
    x = call.input
    if not _is_tensor(x) or call.input.dim() == 0:
        return None
    fn = source_node(call)
    if fn is None:
        return None
    name = fn.name()
    if name.startswith("SoftmaxBackward"):
        dims = softmax_dims(call, fn)
        wrong = f"; {_wrong_dim_text(call, dims, 'softmax')} as well" if dims is not None and dims[0] != dims[1] else ""
        return finding(
            "LD101",
            f"`{call.display}` received softmax probabilities {summarize(x)}; it applies `log_softmax` itself{wrong}",
            evidence=_autograd_says(fn, _softmax_dim_note(fn, call)),
        )
    if name.startswith("LogBackward") and node_is(skip_passthrough(first_parent(fn)), "SoftmaxBackward"):
        return finding(
            "LD104",
            f"`{call.display}` received `log(softmax(x))` {summarize(x)}: it underflows to `-inf` for confident logits",
            evidence="autograd: LogBackward0 over SoftmaxBackward0",
            fix="Pass the logits to `CrossEntropyLoss` directly (or use `log_softmax` with `NLLLoss`)",
        )
    if name.startswith("LogSoftmaxBackward"):
        dims = softmax_dims(call, fn)
        if dims is None:
            return None  # the reshapes in between can't be followed: no claim either way
        if dims[0] != dims[1]:
            return finding(
                "LD109",
                _wrong_dim_text(call, dims, "log_softmax"),
                evidence=_autograd_says(fn, _softmax_dim_note(fn, call)),
                fix=f"Normalise over the classes: `log_softmax(x, dim={dims[1]})` on the {list(dims[2])} tensor",
            )
        return finding(
            "LD108",
            f"`{call.display}` received `log_softmax` output: redundant (the loss is unchanged), `CrossEntropyLoss` "
            "applies it itself",
            evidence=_autograd_says(fn, _softmax_dim_note(fn, call)),
        )
    for prefix, label in _CLAMPING.items():
        if name.startswith(prefix):
            return finding(
                "LD111",
                f"the logits {summarize(x)} come straight out of a {label}: CrossEntropyLoss needs unbounded logits; "
                "the last layer's activation squashes or zeroes them",
                evidence=_autograd_says(fn),
                fix=f"Remove the {label} after the last Linear layer",
            )
    return None


@runtime_check("LD103", losses={"nll_loss"}, also=("LD102", "LD104", "LD109"))
def nll_input_provenance(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.dim() == 0:
        return None
    fn = source_node(call)
    if fn is None:
        return None
    name = fn.name()
    if name.startswith("SoftmaxBackward"):
        return finding(
            "LD103",
            f"`NLLLoss` received softmax probabilities {summarize(x)}, not their log: the loss is negative, in [-1, 0]",
            evidence=_autograd_says(fn, _softmax_dim_note(fn, call)),
        )
    if name.startswith("LogBackward") and node_is(skip_passthrough(first_parent(fn)), "SoftmaxBackward"):
        return finding(
            "LD104",
            f"`NLLLoss` received `log(softmax(x))` {summarize(x)}: it underflows to `-inf` (an `inf` loss) for confident logits",
            evidence="autograd: LogBackward0 over SoftmaxBackward0",
        )
    if name.startswith("LogSoftmaxBackward"):
        dims = softmax_dims(call, fn)
        if dims is not None and dims[0] != dims[1]:
            return finding(
                "LD109",
                _wrong_dim_text(call, dims, "log_softmax"),
                evidence=_autograd_says(fn, _softmax_dim_note(fn, call)),
                fix=f"Normalise over the classes: `log_softmax(x, dim={dims[1]})` on the {list(dims[2])} tensor",
            )
        return None
    if name.startswith(_LINEAR_NODES):
        return finding(
            "LD102",
            f"`NLLLoss` received raw logits {summarize(x)} straight from a linear layer; it expects log-probabilities",
            evidence=_autograd_says(fn),
        )
    return None


@runtime_check("LD404", losses=CLASS_INDEX_LOSSES)
def class_dim_last_silent(call: LossCall) -> Finding | None:
    """(N, L, C) logits from a Linear with L == C: shapes pass, the loss is wrong."""
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.dim() < 3 or call.probability_targets:
        return None
    if tuple(y.shape) != (x.shape[0], *x.shape[2:]) or x.shape[1] != x.shape[-1]:
        return None
    fn = getattr(x, "grad_fn", None)
    if not node_is(fn, "ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward"):
        return None
    mm = first_parent(fn)
    if not node_is(mm, "AddmmBackward", "MmBackward"):
        return None
    out_features = None
    sizes = saved(mm, "_saved_mat2_sym_sizes", "_saved_mat2_sizes")
    if sizes is not None and len(sizes) == 2:
        out_features = int(sizes[1])
    if out_features is not None and out_features != x.shape[-1]:
        return None
    if not x.is_contiguous():
        return None
    c, n = x.shape[-1], x.dim()
    return finding(
        "LD404",
        f"the logits {shape_str(x)} come from a Linear with {c} output features in the last dim, but "
        f"`{call.display}` reads dim 1 as the classes; the shapes only match because dim 1 is also {c}",
        evidence=f"autograd: {fn.name()} over {mm.name()} (a Linear/matmul producing the last dim, {c} features)",
        fix=f"Move the classes to dim 1: `logits.permute(0, {n - 1}, {', '.join(str(i) for i in range(1, n - 1))})`, or "
        f"flatten both: `logits.reshape(-1, {c})`, `target.reshape(-1)`",
    )


@runtime_check("LD409", losses=CLASS_INDEX_LOSSES)
def flatten_without_permute(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.dim() != 2 or y.dim() != 1:
        return None
    c = x.shape[1]
    before = None
    fn = getattr(x, "grad_fn", None)
    if node_is(fn, "ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward"):
        sizes = saved(fn, "_saved_self_sym_sizes", "_saved_self_sizes")
        if sizes is not None:
            before = tuple(int(s) for s in sizes)
        how = f"autograd: {fn.name()} from {list(before) if before else '?'}"
    elif fn is None and x._base is not None:
        before = tuple(x._base.shape)
        how = f"view: the input is a view of a {list(before)} tensor"
    if not before or len(before) < 3 or before[1] != c or before[-1] == c:
        return None
    if math.prod(before) != x.numel():
        return None
    if math.prod(before[2:]) == 1:
        # (N, C, 1, 1) after global pooling (or (N, C, 1)): one position per sample, so
        # flattening it is the same as permuting first; nothing is mixed.
        return None
    n = len(before)
    return finding(
        "LD409",
        f"logits {list(before)} were flattened to {shape_str(x)} without moving the {c} classes last: "
        "each row mixes values of different positions and classes",
        evidence=how,
        fix=f"Permute before flattening: `logits.permute(0, {', '.join(str(i) for i in range(2, n))}, 1).reshape(-1, {c})`, "
        "or pass the unflattened logits with the unflattened target",
    )


@runtime_check("LD105", losses={"binary_cross_entropy_with_logits"})
def sigmoid_before_bce_with_logits(call: LossCall) -> Finding | None:
    fn = source_node(call) if _is_tensor(call.input) else None
    if node_is(fn, "SigmoidBackward", "SoftmaxBackward"):
        what = "sigmoid" if fn.name().startswith("Sigmoid") else "softmax"
        return finding(
            "LD105",
            f"`BCEWithLogitsLoss` received {what} outputs {summarize(call.input)}; it applies the sigmoid itself",
            evidence=_autograd_says(fn),
        )
    return None


@runtime_check("LD107", losses={"binary_cross_entropy"}, also=("LD106",))
def bce_input_provenance(call: LossCall) -> Finding | None:
    fn = source_node(call) if _is_tensor(call.input) else None
    if node_is(fn, "SigmoidBackward"):
        return finding(
            "LD107",
            f"`BCELoss(sigmoid(x))` on {summarize(call.input)}: less stable than `BCEWithLogitsLoss(x)` and refused under CUDA autocast",
            evidence=_autograd_says(fn),
        )
    if node_is(fn, *_LINEAR_NODES):
        return finding(
            "LD106",
            f"`BCELoss` received raw outputs of a linear layer {summarize(call.input)}; it needs probabilities in [0, 1]",
            evidence=_autograd_says(fn),
        )
    return None


@runtime_check("LD110", losses={"kl_div"})
def kl_div_input_provenance(call: LossCall) -> Finding | None:
    fn = source_node(call) if _is_tensor(call.input) else None
    if node_is(fn, "SoftmaxBackward", "SigmoidBackward"):
        return finding(
            "LD110",
            f"`kl_div` received probabilities {summarize(call.input)} as input; it expects log-probabilities",
            evidence=_autograd_says(fn),
        )
    return None


# ---------------------------------------------------------------------------
# Value checks (gated by the value-check stride)
# ---------------------------------------------------------------------------


@runtime_check("LD301", losses=CLASS_INDEX_LOSSES, values=True)
def target_out_of_range(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.dim() == 0 or call.probability_targets:
        return None
    if y.dtype not in INDEX_DTYPES or not values_readable(y) or y.numel() == 0:
        return None
    c = call.num_classes
    with torch.no_grad():
        lo, hi = value_range(y)
        if 0 <= lo and hi < c:
            return None
        ig = call.ignore_index
        valid = y != ig
        if not bool(valid.any()):
            return None
        kept = y.detach()[valid]
        lo, hi = value_range(kept)
        if 0 <= lo and hi < c:
            return None
        out_of_range = kept[(kept < 0) | (kept >= c)]
        bad = int(out_of_range.numel())
        distinct = torch.unique(out_of_range).tolist()
    first = hi if hi >= c else lo
    hints: list[str] = []
    fix = None
    if len(distinct) == 1 and (distinct[0] < 0 or distinct[0] in (255, 65535) or distinct[0] >= 4 * c):
        v = distinct[0]
        what = "padding" if v < 0 else "a 'void'/'unlabelled' marker" if v in (255, 65535) else "a marker value"
        hints.append(f"the only out-of-range value is {v}, which looks like {what}: pass `ignore_index={v}`")
        fix = f"Pass `ignore_index={v}` to the loss (or drop those samples)"
    elif lo >= 1 and hi == c:
        hints.append(f"labels look 1-based (they run {lo}..{hi}): subtract 1")
        fix = "Use 0-based labels: `target - 1`"
    elif hi >= c and lo >= 0:
        hints.append(f"the model has {c} outputs but the labels reach {hi}: the last layer needs at least {hi + 1} outputs, or the labels need remapping")
        fix = f"Give the final layer {hi + 1} outputs (or remap the labels to 0..{c - 1})"
    elif lo < 0:
        hints.append(f"negative labels (down to {lo}) are not class indices")
    ig_note = f", ignore_index {ig}" if ig != -100 else ""
    return finding(
        "LD301",
        f"target contains {first} but the input has {c} classes (valid 0..{c - 1}{ig_note}); "
        f"{bad} of {y.numel()} labels are out of range, min {lo}, max {hi}" + (f"; {'; '.join(hints)}" if hints else ""),
        evidence=f"values: target {summarize(y)} ranges over [{lo}, {hi}]",
        fix=fix or "",
        loud=True,
        raises="IndexError",
        min=lo,
        max=hi,
        num_classes=c,
    )


@runtime_check("LD303", losses=BCE_LOSSES, values=True)
def bce_target_out_of_range(call: LossCall) -> Finding | None:
    y = call.target
    if not _is_tensor(y) or not y.is_floating_point() or not values_readable(y) or y.numel() == 0:
        return None
    with torch.no_grad():
        lo, hi = (float(v) for v in value_range(y))
    if lo >= 0 and hi <= 1:
        return None
    loud = call.loss == "binary_cross_entropy"
    what = "raises" if loud else "accepts them silently and computes a meaningless (possibly negative) loss"
    hint = ""
    if hi > 1 and float(hi).is_integer():
        hint = "; integer labels above 1 look like class indices of a multi-class problem (use `CrossEntropyLoss`)"
    return finding(
        "LD303",
        f"`{call.display}` target ranges over [{fmt_num(lo)}, {fmt_num(hi)}], outside [0, 1]; the loss {what}{hint}",
        evidence=f"values: target {summarize(y)} ranges over [{fmt_num(lo)}, {fmt_num(hi)}]",
        loud=loud,
        raises="RuntimeError" if loud else None,
    )


@runtime_check("LD106", losses={"binary_cross_entropy"}, values=True)
def logits_to_bce(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or not x.is_floating_point() or not values_readable(x) or x.numel() == 0:
        return None
    with torch.no_grad():
        lo, hi = (float(v) for v in value_range(x))
    if lo >= 0 and hi <= 1:
        return None
    return finding(
        "LD106",
        f"`BCELoss` input ranges over [{fmt_num(lo)}, {fmt_num(hi)}]: these are logits, not probabilities in [0, 1]",
        evidence=f"values: input {summarize(x)} ranges over [{fmt_num(lo)}, {fmt_num(hi)}]",
        loud=True,
        raises="RuntimeError",
    )


@runtime_check("LD101", losses={"cross_entropy"}, values=True, also=("LD108",))
def cross_entropy_input_values(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.dim() == 0 or source_node(call) is not None or not x.is_floating_point():
        return None
    s = probability_rows(call)
    if s is not None:
        return finding(
            "LD101",
            f"`{call.display}` received what look like softmax probabilities {summarize(x)}; it applies `log_softmax` itself",
            evidence=_prob_evidence(s),
        )
    s = log_probability_rows(call)
    if s is not None:
        return finding(
            "LD108",
            f"`{call.display}` received what look like `log_softmax` outputs: redundant, the loss is unchanged",
            evidence=_logprob_evidence(s),
        )
    return None


@runtime_check("LD102", losses={"nll_loss"}, values=True, also=("LD103",))
def nll_input_values(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.dim() == 0 or not x.is_floating_point():
        return None
    fn = source_node(call)
    if fn is not None and (fn.name().startswith(("SoftmaxBackward", "LogSoftmaxBackward", "LogBackward")) or fn.name().startswith(_LINEAR_NODES)):
        return None  # provenance already decided
    s = probability_rows(call)
    if s is not None:
        return finding(
            "LD103",
            f"`NLLLoss` received what look like probabilities {summarize(x)}, not log-probabilities: the loss is in [-1, 0]",
            evidence=_prob_evidence(s),
        )
    st = finite_row_stats(call)
    if st is None:
        return None
    tol = max(_tol(x), 1e-2)
    # Only positive values prove these are not log-probabilities.  Rows that are all <= 0 but do
    # not normalise are weighted or partial log-probabilities (a focal loss's `(1 - p)**g * logp`,
    # label masks, log of a subset): the loss stays >= 0 and such code is usually deliberate.
    if st["max"] > tol:
        detail = f"values up to {fmt_num(st['max'])}"
        return finding(
            "LD102",
            f"`NLLLoss` received values that are not log-probabilities ({detail}); it only negates input[target], "
            "so the loss can go negative",
            evidence=f"values: {st['rows']} sampled rows reach {fmt_num(st['max'])}; log-probabilities are <= 0",
        )
    return None


@runtime_check("LD105", losses={"binary_cross_entropy_with_logits"}, values=True)
def bce_with_logits_values(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or getattr(x, "grad_fn", None) is not None or x.numel() < 32:
        return None
    if not x.is_floating_point() or not values_readable(x):
        return None
    with torch.no_grad():
        xd = x.detach()
        lo, hi = (float(v) for v in value_range(xd))
        if lo >= 0 and hi <= 1 and xd.dim() >= 1 and xd.shape[0] > 1 and bool((xd == xd[:1]).all()):
            # Every sample got the same outputs: a zero-initialised or constant head (an
            # evaluation before training), not the sigmoid of anything.
            return None
    if lo >= 0 and hi <= 1:
        return finding(
            "LD105",
            f"all {x.numel()} `BCEWithLogitsLoss` inputs lie in [{fmt_num(lo)}, {fmt_num(hi)}]: they look like "
            "sigmoid outputs, and the loss applies the sigmoid itself",
            evidence=f"values: input {summarize(x)} ranges over [{fmt_num(lo)}, {fmt_num(hi)}]; inferred, no autograd history",
        )
    return None


@runtime_check("LD110", losses={"kl_div"}, values=True)
def kl_div_input_values(call: LossCall) -> Finding | None:
    x = call.input
    if not _is_tensor(x) or x.dim() < 2 or source_node(call) is not None or not x.is_floating_point():
        return None
    s = probability_rows(call)
    if s is not None:
        return finding(
            "LD110",
            f"`kl_div` received what look like probabilities {summarize(x)} as input; it expects log-probabilities",
            evidence=_prob_evidence(s),
        )
    return None


def _target_row_stats(y: torch.Tensor) -> dict:
    rows = y.detach()[:_SAMPLE_ROWS] if y.dim() == 2 else y.detach()[:1].flatten(2)[..., :_SAMPLE_ROWS].transpose(1, 2).reshape(-1, y.shape[1])
    rows = rows.float()
    is01 = ((rows == 0) | (rows == 1)).all()
    sums = rows.sum(-1)
    mn = rows.min()
    vals = torch.stack([is01.float(), mn, sums.min(), sums.max()]).tolist()
    return dict(zip(("binary", "min", "sum_min", "sum_max"), vals), rows=rows.shape[0])


_SOFT_SUM_TOL = 5e-3


@runtime_check("LD206", losses={"cross_entropy"}, values=True, also=("LD204", "LD205"))
def probability_targets(call: LossCall) -> Finding | None:
    """Float class-probability targets: one-hot (LD206), multi-hot (LD204), not a distribution (LD205)."""
    y = call.target
    if not call.probability_targets or not y.is_floating_point() or not values_readable(y) or y.dim() < 2 or y.numel() == 0:
        return None
    with torch.no_grad():
        s = _target_row_stats(y)
    if not s["binary"] and s["min"] >= 0 and abs(s["sum_min"] - 1) <= _SOFT_SUM_TOL and abs(s["sum_max"] - 1) <= _SOFT_SUM_TOL:
        # Real soft targets (mixup, label smoothing, distillation).  A call site that gets them
        # needs float targets, so an earlier one-hot batch from it (mixup skipped) was no LD206;
        # the session can use this fact to drop such a finding.
        call.facts["soft_targets"] = True
        return None
    if s["binary"] and s["sum_min"] == 1 and s["sum_max"] == 1:
        return finding(
            "LD206",
            f"`{call.display}` got one-hot float targets {summarize(y)}: they work (the same loss as class indices "
            f"without class weights) but take {fmt_num(y.shape[1] * y.element_size() / 8)}x the memory of int64 indices",
            evidence=f"values: {s['rows']} sampled target rows are one-hot",
        )
    if s["binary"] and s["sum_max"] > 1:
        return finding(
            "LD204",
            f"multi-hot targets (up to {fmt_num(s['sum_max'])} positives per row) into `{call.display}`: it treats them "
            "as unnormalised class distributions; multi-label data needs `BCEWithLogitsLoss`",
            evidence=f"values: {s['rows']} sampled target rows are 0/1 with row sums up to {fmt_num(s['sum_max'])}",
        )
    # 5e-3: soft targets built in bfloat16 (mixup of one-hot rows, label smoothing over 1000
    # classes) sum to 1 only within 2e-3, and so slight a deviation scales the loss harmlessly.
    if s["min"] < 0 or abs(s["sum_min"] - 1) > _SOFT_SUM_TOL or abs(s["sum_max"] - 1) > _SOFT_SUM_TOL:
        return finding(
            "LD205",
            f"class-probability targets are not distributions: min {fmt_num(s['min'])}, row sums "
            f"{fmt_num(s['sum_min'])}..{fmt_num(s['sum_max'])} (each row should be >= 0 and sum to 1)",
            evidence=f"values: {s['rows']} sampled rows of target {summarize(y)}",
        )
    return None


@runtime_check("LD602", losses={"mse_loss"}, values=True)
def mse_for_classification(call: LossCall) -> Finding | None:
    x, y = call.input, call.target
    if not (_is_tensor(x) and _is_tensor(y)) or x.dim() != 2 or x.shape != y.shape or x.shape[1] < 2:
        return None
    if not values_readable(y) or not y.is_floating_point() or y.numel() == 0:
        return None
    fn = source_node(call)
    probs = node_is(fn, "SoftmaxBackward")
    if not probs and fn is None:
        probs = probability_rows(call) is not None
    if not probs:
        return None
    with torch.no_grad():
        s = _target_row_stats(y)
    if not (s["binary"] and s["sum_min"] == 1 and s["sum_max"] == 1):
        return None
    return finding(
        "LD602",
        f"`MSELoss` between softmax outputs and one-hot targets {shape_str(y)}: a slow, non-likelihood classification loss",
        evidence=(_autograd_says(fn) if fn is not None else "values: input rows sum to 1") + "; target rows are one-hot",
    )


# ---------------------------------------------------------------------------
# Post-call checks: triggered by a non-finite loss (cheap: the output is small)
# ---------------------------------------------------------------------------


@runtime_check("LD501", stage="post", values=True, also=("LD104", "LD302", "LD502"))
def nonfinite_loss_causes(call: LossCall) -> Finding | None:
    out = call.facts.get("output")
    if not _is_tensor(out) or not out.is_floating_point() or not values_readable(out):
        return None
    with torch.no_grad():
        if out.dim() == 0:
            if math.isfinite(float(out)):
                return None
        elif bool(torch.isfinite(out.detach()).all()):
            return None
    x, y = call.input, call.target
    if _is_tensor(x) and x.is_floating_point() and values_readable(x):
        with torch.no_grad():
            xd = x.detach()
            n_nan = int(torch.isnan(xd).sum())
            n_pinf = int(torch.isposinf(xd).sum())
            n_ninf = int(torch.isneginf(xd).sum())
        if n_nan or n_pinf:
            fn = getattr(x, "grad_fn", None)
            src = f"; the input was produced by {fn.name()}" if fn is not None else ""
            return finding(
                "LD501",
                f"the loss input {summarize(x)} holds {n_nan} NaN and {n_pinf + n_ninf} infinite values{src}",
                evidence=f"values: the loss came out non-finite and its input has {n_nan} NaN, {n_pinf} +inf, {n_ninf} -inf",
            )
        fn = getattr(x, "grad_fn", None)
        if n_ninf and (call.loss == "cross_entropy" or node_is(skip_passthrough(fn), "LogSoftmaxBackward")):
            # -inf logits (or log_softmax of diverged logits): not an underflowed log of a softmax
            src = f"; the input was produced by {fn.name()}" if fn is not None else ""
            return finding(
                "LD501",
                f"the loss input {summarize(x)} holds {n_ninf} `-inf` values where the target needs finite ones{src}",
                evidence=f"values: the loss came out non-finite and its input has {n_ninf} -inf",
            )
        if n_ninf and call.loss in CLASS_INDEX_LOSSES | {"kl_div"}:
            return finding(
                "LD104",
                f"the input holds {n_ninf} `-inf` values and the loss is infinite: log-probabilities that underflowed "
                "(`log(softmax(x))` gives `-inf` where the softmax rounds to 0)",
                evidence=f"values: {n_ninf} -inf entries in {summarize(x)}; the loss is {fmt_num(float(out.detach().reshape(-1)[0]))}",
            )
    if call.loss in CLASS_INDEX_LOSSES and call.reduction == "mean" and _is_tensor(y) and not call.probability_targets:
        with torch.no_grad():
            kept = int((y != call.ignore_index).sum()) if y.numel() else 0
        if kept == 0:
            why = "the batch is empty" if y.numel() == 0 else f"all {y.numel()} targets equal ignore_index={call.ignore_index}"
            return finding(
                "LD302",
                f"the loss is NaN because {why}: the mean over zero labels is 0/0",
                evidence=f"values: target {summarize(y)} has no label other than ignore_index",
            )
    # No cause visible in this call's tensors: report the non-finite loss itself.
    with torch.no_grad():
        o = out.detach()
        n_bad = int((~torch.isfinite(o)).sum())
        sample = float(o[~torch.isfinite(o)].reshape(-1)[0])
    where = "" if o.dim() == 0 else f" in {n_bad} of {o.numel()} elements"
    return finding(
        "LD502",
        f"`{call.display}` returned {fmt_num(sample)}{where}, with finite inputs",
        evidence=f"values: the loss output {summarize(out)} is not finite; the input and target are",
    )


_BY_STAGE: dict[tuple[str, str], list[RuntimeCheck]] = {}


def checks_for(stage: str, loss: str) -> list[RuntimeCheck]:
    """The checks of one stage that apply to one loss, in registration order (cached)."""
    key = (stage, loss)
    found = _BY_STAGE.get(key)
    if found is None:
        found = _BY_STAGE[key] = [c for c in CHECKS if c.stage == stage and loss in c.losses]
    return found


def pre_checks(loss: str) -> list[RuntimeCheck]:
    return checks_for("pre", loss)


def post_checks(loss: str) -> list[RuntimeCheck]:
    return checks_for("post", loss)


def reset_cache() -> None:
    """Forget the per-loss check lists (after CHECKS was changed)."""
    _BY_STAGE.clear()
