"""Turn one matched message into candidate diagnoses with the message's numbers.

Each function receives the named groups of its pattern and the surrounding
:class:`Context`, and returns candidates (code, score, message, fix, evidence).
Scores: 0.9 when the message alone says it; 0.5-0.7 when the message fits
several diagnoses; raised when the traceback or the code decides between them.
Evidence says where each fact came from (message, traceback, code).

Fix texts: a candidate's fix is ``CATALOG`` (empty) unless it carries numbers or
names taken from the message (``ignore_index=255``, the class count, sizes, the
output type), so every other fix is the catalog's own text for that code (one
source of truth; the engine fills it in).  Advice on how to find the failing
value (``CUDA_LAUNCH_BLOCKING=1``) belongs in the message, not the fix.
"""

from __future__ import annotations

import re

from ._context import Candidate, Context
from ._model import Evidence

_INT_DTYPES = {"Long", "Int", "Short", "Char", "Byte", "Bool", "UInt8", "Int8", "Int16", "Int32", "Int64"}
_FLOAT_DTYPES = {"Float", "Double", "Half", "BFloat16"}
CATALOG = ""  # use the catalog entry's fix (see the module docstring)


def msg(text: str) -> Evidence:
    return Evidence("message", text)


def shape(text: str | None) -> tuple[int, ...] | None:
    """``[32, 3]``, ``(32, 3)``, ``32 x 3``, ``torch.Size([32])`` -> ``(32, 3)``."""
    if text is None:
        return None
    nums = re.findall(r"-?\d+", text.replace("torch.Size", ""))
    return tuple(int(n) for n in nums)


def fmt(s: tuple[int, ...] | None) -> str:
    return "(" + ", ".join(map(str, s or ())) + ("," if s is not None and len(s) == 1 else "") + ")"


def _dtype(name: str | None) -> str:
    if not name:
        return ""
    name = name.replace("torch.", "").replace("cuda.", "")
    return name[:-6] if name.endswith("Tensor") else name


# -- LD301: targets out of range ------------------------------------------------


def _class_count_hints(ctx: Context, value: int | None) -> tuple[list[Evidence], float, str | None]:
    """Code evidence for an out-of-range target: output units and `+ 1` on labels."""
    ev: list[Evidence] = []
    boost = 0.0
    story = None
    src = ctx.source
    if src is None:
        return ev, boost, story
    linears = src.linear_outputs
    plus_one = src.labels_plus_one
    if value is not None and value >= 0:
        same = [h for h in linears if h.value == value] or [h for h in src.num_classes if h.value == value]
        fewer = [h for h in linears if h.value is not None and h.value < value]
        if same:
            h = same[-1]
            ev.append(src.evidence(h, f"`{h.text}` gives the model {value} outputs, so valid labels are 0..{value - 1}"))
            boost += 0.15
            story = "one_based"
        elif fewer and not plus_one:
            h = fewer[-1]
            ev.append(src.evidence(h, f"`{h.text}`: {h.value} outputs, fewer than the label {value}"))
            boost += 0.1
            story = "too_few"
    elif linears:
        h = linears[-1]
        ev.append(src.evidence(h, f"`{h.text}`: the last `Linear` has {h.value} outputs (valid labels 0..{(h.value or 1) - 1})"))
        boost += 0.05
        story = "range"
    if plus_one:
        h = plus_one[-1]
        ev.append(src.evidence(h, f"`{h.text}` shifts the labels up by one"))
        boost += 0.15
        story = "one_based"
    if value is not None and value < 0:
        return ev, boost, story
    return ev, boost, story


def target_out_of_bounds(g: dict, ctx: Context) -> list[Candidate]:
    value = int(g["value"])
    ev = [msg(f"a target value is {value}")]
    code_ev, boost, story = _class_count_hints(ctx, value)
    ev += code_ev
    if value < 0:
        message = (f"a target is {value}: class indices must be in 0..C-1; a negative value is usually a "
                   f"padding or 'unknown' marker")
        fix = (f"Pass `ignore_index={value}` to the loss (the default, -100, only skips -100), "
               f"or drop those samples")
        return [Candidate("LD301", 0.9, message, fix, ev)]
    if story == "one_based":
        message = (f"the labels reach {value} but the model has {value} outputs (valid 0..{value - 1}): "
                   f"the labels are 1-based")
        fix = (f"Use 0-based labels: `target - 1`, so the largest label {value} becomes {value - 1} (or drop the "
               f"`+ 1` where the labels are built)")
        return [Candidate("LD301", min(0.99, 0.9 + boost), message, fix, ev)]
    message = (f"a target is {value}, so the input has {value} classes or fewer: no output for class {value} "
               f"(valid labels are 0..C-1)")
    fix = (f"If the labels run 1..{value}, make them 0-based (`target - 1`); if there are {value + 1} classes, "
           f"give the last layer {value + 1} outputs; if {value} marks padding, pass `ignore_index={value}`")
    return [Candidate("LD301", min(0.99, 0.9 + boost), message, fix, ev)]


def cuda_target_assert(g: dict, ctx: Context) -> list[Candidate]:
    where = (g.get("_line") or "").lower()
    # Segmentation targets go through `nll_loss2d_*` (ATen NLLLoss2d.cu) or THCUNN's
    # `SpatialClassNLLCriterion`; `nll_loss_*_kernel_2d` is the plain `(N, C)` kernel.
    spatial = "spatial" in where or "nll_loss2d" in where or "nllloss2d" in where
    ev = [msg("CUDA assertion `t >= 0 && t < n_classes` failed in the NLL/cross-entropy kernel"
              + (" for spatial `(N, C, H, W)` input (segmentation)" if spatial else ""))]
    code_ev, boost, story = _class_count_hints(ctx, None)
    ev += code_ev
    message = ("a target class index is < 0 or >= the number of classes; on CUDA this is a device-side assert, "
               "and every later CUDA call in the process fails too")
    if story == "one_based":
        message += "; the code shifts the labels by one (1-based labels)"
    message += ("; compare `target.min()`/`target.max()` with the number of outputs, or run on CPU for the "
                "exact value (padding such as -1 or 255 needs `ignore_index=`)")
    return [Candidate("LD301", min(0.99, 0.9 + boost), message, CATALOG, ev)]


def device_side_assert(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("CUDA `device-side assert triggered`: a kernel's own check failed; the message does not say which")]
    if "cuda-target-assert" in ctx.seen or "thnn-target-assert" in ctx.seen:
        return []  # the assertion line names the cause; that pattern explains it
    if "cuda-bce-input-assert" in ctx.seen or "cuda-bce-target-assert" in ctx.seen:
        return []
    out = []
    code_ev, boost, story = _class_count_hints(ctx, None)
    base = 0.55
    if ctx.loss_family("bce", "bce_logits") and not ctx.loss_family("ce", "nll"):
        base = 0.35
    if ctx.loss_family("ce", "nll"):
        base = 0.65
        note = ctx.family_note("ce", "nll")
        if note:
            ev.append(note)
    message = ("most often in classification code: a target class index outside 0..C-1 reached the "
               "cross-entropy/NLL kernel on the GPU (the CUDA context is now broken, so later calls fail too)")
    if story == "one_based":
        message = ("a target class index outside 0..C-1 reached the loss on the GPU: the code shifts the "
                   "labels by one, so the largest label equals the number of outputs")
    message += ("; run once with `CUDA_LAUNCH_BLOCKING=1` (or on CPU) for the exact error, and compare "
                "`target.min()`/`target.max()` with the number of outputs")
    out.append(Candidate("LD301", min(0.95, base + boost * 1.5), message, CATALOG, ev + code_ev))
    if ctx.loss_family("bce") or (ctx.source and ctx.source.search(_BCE_NO_LOGITS)):
        out.append(Candidate("LD106", 0.5 if ctx.loss_family("bce") else 0.4,
                             "`BCELoss` on CUDA asserts when an input is outside [0, 1] (raw logits)",
                             CATALOG, list(ev)))
    return out


_BCE_NO_LOGITS = re.compile(r"\bBCELoss\(|\bbinary_cross_entropy\((?!_with)")


def cublas_after_assert(g: dict, ctx: Context) -> list[Candidate]:
    status = g.get("status", "")
    ev = [msg(f"`{status}` from cuBLAS/cuDNN: often a side effect of an earlier device-side assert")]
    if {"cuda-target-assert", "thnn-target-assert", "device-side-assert"} & ctx.seen:
        return []
    code_ev, boost, story = _class_count_hints(ctx, None)
    score = 0.3 + (0.35 if story == "one_based" else boost)
    message = (f"`{status}` is not a loss error by itself; when it follows a bad target (labels outside "
               f"0..C-1) on the GPU, the broken CUDA context makes the next cuBLAS call fail (rerun with "
               f"`CUDA_LAUNCH_BLOCKING=1` or on CPU to see the first error)")
    return [Candidate("LD301", score, message, CATALOG, ev + code_ev)]


# -- BCE ranges ------------------------------------------------------------------------


def bce_input_range(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("`BCELoss` got input values outside [0, 1]")]
    src = ctx.source
    score = 0.9
    if src is not None:
        sig = src.search(re.compile(r"\bsigmoid\b|Sigmoid\("), "window")
        if not sig:
            bce = src.search(_BCE_NO_LOGITS, "file")
            if bce:
                ev.append(src.evidence(bce[0], f"`{bce[0].text}` without a sigmoid nearby"))
                score = 0.95
    message = "`BCELoss` needs probabilities in [0, 1] but received values outside (likely raw logits or NaN)"
    return [Candidate("LD106", score, message, CATALOG, ev)]


def bce_target_range(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("`BCELoss` got target values outside [0, 1]")]
    message = ("binary cross-entropy targets must be in [0, 1]; these are not (class indices like 2, or 255 "
               "masks?); for several classes use `CrossEntropyLoss` with class indices")
    return [Candidate("LD303", 0.9, message, CATALOG, ev)]


def bce_autocast(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("autocast refuses `binary_cross_entropy`/`BCELoss`")]
    message = "`BCELoss` on a sigmoid output is unsafe under CUDA autocast (float16 probabilities lose precision)"
    return [Candidate("LD107", 0.95, message, CATALOG, ev)]


# -- target shapes ---------------------------------------------------------------------

_ONE_HOT = re.compile(r"one_hot\(|\.eye\(|\bonehot|one-hot|to_categorical")
_EXTRA_TARGET_DIM = re.compile(r"unsqueeze\(\s*(?:1|-1|dim\s*=\s*(?:1|-1))\s*\)|\.(?:view|reshape)\(\s*-1\s*,\s*1\s*\)|\[\s*:\s*,\s*None\s*\]|\[\s*\.\.\.\s*,\s*None\s*\]")
_SWAPPED_CALL = re.compile(
    r"(?:cross_entropy|nll_loss|binary_cross_entropy(?:_with_logits)?|criterion|loss_fn|loss_func|lossfn|loss)\s*\(\s*"
    r"(?:y|ys|yb|y_?true|labels?|targets?|gts?|tgts?|[\w.]*labels?|[\w.]*targets?)\s*,")


def multi_target(g: dict, ctx: Context) -> list[Candidate]:
    prefix = g.get("prefix") or ""
    old = not prefix.startswith("0D")
    ev = [msg("the target has 2 or more dimensions where class indices (one per sample) are expected")]
    src = ctx.source
    onehot = src.search(_ONE_HOT, "window") if src else []
    extra = src.search(_EXTRA_TARGET_DIM, "window") if src else []
    swapped = src.on_failing_line(_SWAPPED_CALL) if src else None
    ce = ctx.loss_family("ce")
    note = ctx.family_note("ce", "nll")
    if note:
        ev.append(note)
    out = []
    s201, s202, s403, s608 = 0.55, 0.0, 0.5, 0.0
    if ce and not old:
        # torch >= 1.10 raises LD202's own message for (N, C) integer targets to CrossEntropyLoss
        s201, s403 = 0.45, 0.6
    if ce and old:
        s202, s201 = 0.6, 0.45
    if onehot:
        h = onehot[-1]
        e = src.evidence(h, f"`{h.text}` builds one-hot targets")
        if ce and old:
            s202 = 0.9
        else:
            s201 = 0.9
        ev201 = ev + [e]
    else:
        ev201 = list(ev)
    if extra:
        h = extra[-1]
        s403 = 0.9
        ev403 = ev + [src.evidence(h, f"`{h.text}` adds a dimension of size 1")]
    else:
        ev403 = list(ev)
    if swapped:
        s608 = 0.85
        ev608 = ev + [src.evidence(swapped, f"`{swapped.text}` passes the labels first")]
    out.append(Candidate("LD201", s201, "the loss got one-hot (or other 2-D) targets where it needs class indices "
                         "of shape `(N,)`", CATALOG, ev201))
    out.append(Candidate("LD403", s403, "the target has an extra dimension: `(N, 1)` where `(N,)` is expected",
                         CATALOG, ev403))
    if s202:
        out.append(Candidate("LD202", s202, "`CrossEntropyLoss` got integer one-hot targets `(N, C)`; this torch "
                             "version only takes class indices", CATALOG, ev201))
    if s608:
        out.append(Candidate("LD608", s608, "the labels are passed as the input and the logits as the target",
                             CATALOG, ev608))
    return out


def spatial_targets(g: dict, ctx: Context) -> list[Candidate]:
    size = shape(g.get("size"))
    ndim = int(g["ndim"]) if g.get("ndim") else (len(size) if size else None)
    ev = [msg(f"the segmentation target has {ndim} dimensions" + (f", shape {fmt(size)}" if size else "")
              + "; `(N, H, W)` is expected")] if ndim else [msg("the segmentation target is not `(N, H, W)`")]
    src = ctx.source
    if size and len(size) == 4 and size[1] == 1:
        return [Candidate("LD403", 0.95, f"the target mask is {fmt(size)}: a channel dimension of 1 that "
                          f"`(N, H, W)` targets must not have", CATALOG, ev)]
    if size and len(size) == 4 and size[3] in (3, 4):
        n, h, w = size[0], size[1], size[2]
        return [Candidate("LD403", 0.9, f"the target is {fmt(size)}: an RGB(A) label image, not a map of class ids",
                          f"Map each colour of the {fmt(size)} label image to its class id (a colour->index lookup) "
                          f"and pass the resulting {fmt((n, h, w))} long tensor", ev)]
    if size and len(size) == 4:
        n, c, h, w = size
        return [Candidate("LD403", 0.6, f"the target is {fmt(size)}: one-hot or multi-channel masks where the loss "
                          f"needs an `(N, H, W)` map of class indices",
                          f"For one-hot masks take `target.argmax(dim=1)`: {fmt(size)} -> {fmt((n, h, w))} "
                          f"class indices", ev),
                Candidate("LD201", 0.45, "one-hot masks `(N, C, H, W)` where class indices `(N, H, W)` are expected",
                          CATALOG, ev)]
    if size and len(size) <= 2:
        return [Candidate("LD408", 0.5, f"the logits are spatial but the target is {fmt(size)}: flattened, or "
                          f"per-image labels where per-pixel labels are expected",
                          f"Give the {fmt(size)} target the logits' layout `(N, H, W)` (or pool the logits for "
                          f"per-image labels)", ev)]
    extra = src.search(_EXTRA_TARGET_DIM, "window") if src else []
    if extra:
        ev = ev + [src.evidence(extra[-1], f"`{extra[-1].text}` adds a dimension")]
    return [Candidate("LD403", 0.8 if extra else 0.7, "the segmentation target has an extra dimension "
                      "(`(N, 1, H, W)` masks, or RGB label images `(N, H, W, 3)` whose colours must be mapped to "
                      "class ids)", CATALOG, ev)]


def probabilities_target_dtype(g: dict, ctx: Context) -> list[Candidate]:
    dtype = _dtype(g.get("dtype"))
    ev = [msg(f"the target has the input's shape and dtype {dtype}, so it was read as class probabilities")]
    src = ctx.source
    onehot = src.search(_ONE_HOT, "window") if src else []
    if onehot:
        ev.append(src.evidence(onehot[-1], f"`{onehot[-1].text}` builds one-hot targets"))
    return [Candidate("LD202", 0.95 if onehot else 0.9,
                      f"`CrossEntropyLoss` got an integer ({dtype}) target with the input's shape: one-hot "
                      f"labels, not class indices (if soft labels were meant, make them float)", CATALOG, ev)]


# -- dtypes ---------------------------------------------------------------------------


def target_dtype(g: dict, ctx: Context) -> list[Candidate]:
    dtype = _dtype(g.get("dtype"))
    ev = [msg(f"class-index targets are {dtype}; the loss needs Long (int64)")]
    note = ctx.family_note("ce", "nll")
    if note:
        ev.append(note)
    message = f"class-index targets must be int64 (`torch.long`), got {dtype}"
    if dtype in _FLOAT_DTYPES:
        message += ("; float labels that are not whole numbers (e.g. multiples of 1/255 from `ToTensor()` on an "
                    "index mask) are not class indices: load such masks with `torch.as_tensor(np.array(mask))`")
    score = 0.9
    # `expected scalar type Long but found Float` is also raised by a few non-loss ops
    if g.get("_generic") and not (ctx.loss_family("ce", "nll") or "nll" in (g.get("call") or "")):
        score = 0.7 if not ctx.has_traceback else 0.55
    return [Candidate("LD203", score, message, CATALOG, ev)]


def index_kernel_dtype(g: dict, ctx: Context) -> list[Candidate]:
    """`"nll_loss_..._index" not implemented for 'Int'`: CUDA's dispatch on the target dtype."""
    out = target_dtype(g, ctx)
    kernel = g.get("kernel", "")
    for c in out:
        c.evidence.insert(1, msg(f"`{kernel}` is the CUDA NLL kernel's dispatch on the target dtype, which takes "
                                 f"Long (or Byte) only"))
    return out


def scalar_type_long(g: dict, ctx: Context) -> list[Candidate]:
    g = dict(g, _generic=True)
    return target_dtype(g, ctx)


def integer_logits(g: dict, ctx: Context) -> list[Candidate]:
    dtype = _dtype(g.get("dtype"))
    kernel = g.get("kernel", "")
    ev = [msg(f"`{kernel}` has no kernel for {dtype}: the loss input (logits) is an integer tensor")]
    src = ctx.source
    swapped = src.on_failing_line(_SWAPPED_CALL) if src else None
    if swapped:
        ev608 = ev + [src.evidence(swapped, f"`{swapped.text}` passes the labels first")]
        return [Candidate("LD608", 0.9, "the labels are passed as the input and the logits as the target",
                          CATALOG, ev608),
                Candidate("LD207", 0.5, f"the loss input is {dtype}, not floating point", CATALOG, ev)]
    cast = src.on_failing_line(re.compile(r"\.(?:long|int|round|argmax|to\(\s*torch\.(?:long|int))")) if src else None
    score207 = 0.85
    if cast:
        ev.append(src.evidence(cast, f"`{cast.text}` casts or discretises the model output"))
        score207 = 0.95
    out = [Candidate("LD207", score207, f"the loss input is an integer tensor ({dtype}); losses need the model's "
                     f"float logits (no `.long()`/`.argmax()` before the loss)", CATALOG, ev)]
    if not cast:
        out.append(Candidate("LD608", 0.45, "if the call is `loss(labels, logits)`, the arguments are swapped",
                             CATALOG, list(ev)))
    return out


def result_type_cast(g: dict, ctx: Context) -> list[Candidate]:
    res, out = _dtype(g.get("result")), _dtype(g.get("out"))
    ev = [msg(f"a {res} result could not be written into a {out} tensor")]
    bce = ctx.loss_family("bce_logits", "bce")
    if bce:
        note = ctx.family_note("bce_logits", "bce")
        if note:
            ev.append(note)
    src = ctx.source
    if not bce and src is not None and src.on_failing_line(re.compile(r"BCE|binary_cross_entropy")):
        h = src.on_failing_line(re.compile(r"BCE|binary_cross_entropy"))
        ev.append(src.evidence(h, f"`{h.text}` is a binary cross-entropy call"))
        bce = True
    if out not in _INT_DTYPES:
        return []
    score = 0.9 if bce else (0.5 if not ctx.has_traceback else 0.3)
    return [Candidate("LD208", score, f"binary cross-entropy targets are {out} (integers); they must be floating point",
                      CATALOG, ev)]


def found_dtype(g: dict, ctx: Context) -> list[Candidate]:
    found, expected = _dtype(g.get("found")), _dtype(g.get("expected"))
    ev = [msg(f"a {found} tensor met a loss that expected {expected}")]
    note = ctx.family_note("bce", "bce_logits", "mse")
    if note:
        ev.append(note)
    if found in _INT_DTYPES and expected in _FLOAT_DTYPES:
        score = 0.85 if (ctx.loss_family("bce", "bce_logits", "mse") or not ctx.has_traceback) else 0.45
        return [Candidate("LD208", score, f"the target is {found} but this loss needs float targets like its input",
                          CATALOG, ev)]
    if found in _FLOAT_DTYPES and expected in _INT_DTYPES:
        src = ctx.source
        swapped = src.on_failing_line(_SWAPPED_CALL) if src else None
        ev2 = ev + ([src.evidence(swapped, f"`{swapped.text}` passes the labels first")] if swapped else [])
        return [Candidate("LD608", 0.85 if swapped else 0.55, "the loss input is an integer tensor and the target "
                          "float: input and target look swapped (or the input was cast to int)", CATALOG, ev2)]
    return []


def old_float_target(g: dict, ctx: Context) -> list[Candidate]:
    dtype = _dtype(g.get("dtype"))
    arg = g.get("arg", "target")
    if arg == "weight":
        return [Candidate("LD406", 0.9, f"the class `weight` tensor is {dtype}; it must be floating point",
                          CATALOG, [msg(f"argument 'weight' is {dtype}, Float expected")])]
    if dtype not in _INT_DTYPES:
        return []
    return [Candidate("LD208", 0.85, f"the target is {dtype} but this loss needs float targets",
                      CATALOG, [msg(f"argument 'target' is {dtype}, Float expected")])]


# -- shapes ---------------------------------------------------------------------------


def batch_size_mismatch(g: dict, ctx: Context) -> list[Candidate]:
    n_in, n_t = int(g["input"]), int(g["target"])
    ev = [msg(f"the input has {n_in} rows, the target {n_t}")]
    out = []
    if n_t == 1 and n_in > 1:
        src = ctx.source
        sq = src.search(re.compile(r"\.squeeze\(\s*\)"), "window") if src else []
        e = ev + ([src.evidence(sq[-1], f"`{sq[-1].text}` squeezes every size-1 dimension")] if sq else [])
        out.append(Candidate("LD407", 0.8 if sq else 0.6,
                             f"the target has batch size 1 but the input's first dim is {n_in}: a batch of one whose "
                             f"batch dimension was squeezed away, so a class/sequence dim took its place",
                             CATALOG, e))
    if n_in > n_t and n_t and n_in % n_t == 0:
        k = n_in // n_t
        hint = (f"the input has {k}x as many rows as the target: a `view(-1, K)`/`reshape` with K {k} times too "
                f"small, or `(N, L, C)` logits flattened to `(N*L, C)` without flattening the targets the same way")
    elif n_t > n_in and n_in and n_t % n_in == 0:
        k = n_t // n_in
        hint = (f"the target has {k}x as many elements as the input has rows: per-token/per-pixel targets flattened "
                f"against per-sample logits, or a `view(-1, K)` with K {k} times too large")
    else:
        hint = ("the sizes are not multiples of each other: a last, smaller loader batch (`drop_last`), or input and "
                "target taken from different batches")
    src = ctx.source
    reshape = src.search(re.compile(r"\.(?:view|reshape)\(\s*-1\s*,|\.flatten\(|\bflatten\("), "window") if src else []
    if reshape:
        ev = ev + [src.evidence(reshape[-1], f"`{reshape[-1].text}` reshapes with a computed first dimension")]
    out.append(Candidate("LD401", 0.9 if not out else 0.55, f"input batch {n_in} != target batch {n_t}: {hint}",
                         CATALOG, ev))
    return out


def target_size(g: dict, ctx: Context) -> list[Candidate]:
    exp, got = shape(g.get("expected")), shape(g.get("got"))
    if not exp or got is None:
        return []
    ev = [msg(f"the loss expected a target of shape {fmt(exp)} and got {fmt(got)}")]
    src = ctx.source
    if len(got) < len(exp):
        c = exp[-1] if len(exp) >= 2 else None
        unsq = src.search(re.compile(r"unsqueeze\(|\[\s*:\s*,\s*None|view\(|reshape\("), "window") if src else []
        e = ev + ([src.evidence(unsq[-1], f"`{unsq[-1].text}` changes the logits' shape")] if unsq else [])
        return [Candidate("LD402", 0.85 if unsq else 0.8,
                          f"the logits have an extra dimension: the target {fmt(got)} fits logits of shape "
                          f"{fmt(got[:1] + ((c,) if c else ()))}, but an extra dim of size {exp[1] if len(exp) > 1 else '?'} "
                          f"made the loss treat the logits as `(N, C, d1, ...)`", CATALOG, e)]
    if len(got) == len(exp) and len(exp) >= 2 and exp[0] == got[0]:
        # (N, L, C) logits with (N, L) targets: the loss reads dim 1 (L) as classes
        # and expects targets (N, C); so the target's dims equal the logits' dims 1..-2.
        seq = got[1:]
        classes = exp[-1]
        return [Candidate("LD404", 0.85,
                          f"the logits look like `(N, L, C)` = {fmt((got[0], *seq, classes))} with the classes last; "
                          f"the loss reads dim 1 ({seq[0]}) as the classes and expects targets {fmt(exp)}",
                          CATALOG, ev),
                Candidate("LD408", 0.3, "or: logits and targets have different spatial/sequence sizes",
                          CATALOG, list(ev))]
    return [Candidate("LD408", 0.5, f"the target {fmt(got)} does not match the logits' layout (expected {fmt(exp)})",
                      CATALOG, ev)]


def bce_target_size(g: dict, ctx: Context) -> list[Candidate]:
    t, i = shape(g.get("target")), shape(g.get("input"))
    ev = [msg(f"target shape {fmt(t)}, input shape {fmt(i)}")]
    if i == () and t == (1,):
        return [Candidate("LD407", 0.9, "the input lost its batch dimension: a batch of one squeezed to a 0-d tensor",
                          CATALOG, ev)]
    if i is not None and t is not None and len(i) == len(t) + 1 and i[-1] == 1 and i[:-1] == t:
        return [Candidate("LD405", 0.95, f"the input is {fmt(i)} (one output unit per sample) and the target {fmt(t)}",
                          CATALOG, ev)]
    if i is not None and t is not None and len(t) == len(i) + 1 and t[-1] == 1 and t[:-1] == i:
        # the catalog's fix squeezes the logits; here the target carries the extra dim
        return [Candidate("LD405", 0.9, f"the target is {fmt(t)} and the input {fmt(i)}",
                          f"Squeeze the target to the input's shape {fmt(i)}: `target.squeeze(-1)`", ev)]
    return [Candidate("LD405", 0.7, f"input {fmt(i)} and target {fmt(t)} must have the same shape for binary "
                      f"cross-entropy", CATALOG, ev)]


def mse_broadcast_warning(g: dict, ctx: Context) -> list[Candidate]:
    c = bce_target_size(g, ctx)
    for cand in c:
        if cand.code == "LD405":
            cand.message += " (this loss broadcasts them silently: the result is wrong, not an error)"
    return c


def weight_size(g: dict, ctx: Context) -> list[Candidate]:
    classes, w = int(g["classes"]), shape(g.get("shape"))
    n = w[0] if w else None
    ev = [msg(f"the input has {classes} classes, the `weight` tensor has shape {fmt(w)}")]
    return [Candidate("LD406", 0.95, f"`weight` has {n} entries but the logits have {classes} classes",
                      f"Give `weight` exactly one entry per class ({classes}); if the model should have {n} classes, "
                      f"change its last layer", ev)]


def scalar_type_float(g: dict, ctx: Context) -> list[Candidate]:
    dtype = _dtype(g.get("dtype"))
    ev = [msg(f"a {dtype} tensor where Float was expected")]
    src = ctx.source
    weight = src.search(re.compile(r"\bweight\s*=|\bpos_weight\s*="), "window") if src else []
    if weight:
        ev.append(src.evidence(weight[-1], f"`{weight[-1].text}` passes a class weight"))
    if dtype not in _INT_DTYPES:
        return []
    if ctx.loss_family("ce", "nll", "bce", "bce_logits") or weight:
        note = ctx.family_note("ce", "nll", "bce", "bce_logits")
        if note:
            ev.append(note)
        score = 0.85 if weight else 0.6
    else:
        score = 0.35 if not ctx.has_traceback else 0.0
    if score <= 0:
        return []
    return [Candidate("LD406", score, f"the class `weight` tensor is {dtype}; loss weights must be floating point",
                      CATALOG, ev)]


def spatial_size_mismatch(g: dict, ctx: Context) -> list[Candidate]:
    i, t = shape(g.get("input")), shape(g.get("target"))
    ev = [msg(f"logits {fmt(i)}, targets {fmt(t)}")]
    if i and t and len(i) == len(t) + 1 and i[0] == t[0]:
        ratio = ""
        if len(i) >= 3 and t[1] and i[2]:
            if t[1] % i[2] == 0:
                ratio = f" (the labels are {t[1] // i[2]}x larger)"
            elif i[2] > t[1]:
                ratio = " (the logits are larger)"
        message = (f"the logits' spatial size {fmt(i[2:])} differs from the labels' {fmt(t[1:])}{ratio}: "
                   f"valid (unpadded) convolutions, or labels at another resolution")
        fix = (f"Resize the logits to the label size: `F.interpolate(logits, size={tuple(t[1:])}, mode=\"bilinear\")`, "
               f"or pad the convolutions; resize labels only with `mode=\"nearest\"`")
        return [Candidate("LD408", 0.95, message, fix, ev)]
    if i and t and i[0] != t[0]:
        return [Candidate("LD401", 0.7, f"input batch {i[0]} != target batch {t[0]}", CATALOG, ev)]
    return [Candidate("LD408", 0.8, "logits and targets have different spatial sizes", CATALOG, ev)]


def spatial_assert(g: dict, ctx: Context) -> list[Candidate]:
    return [Candidate("LD408", 0.85, "logits and targets differ in batch or spatial size (old THNN assertion)",
                      CATALOG, [msg("THNN's spatial NLL assertion `input0 == target0 && input2 == target1 ...` failed")])]


# -- API misuse -------------------------------------------------------------------------

_LOSS_CTOR_WITH_ARGS = re.compile(
    r"\b(?:nn\.)?(?P<cls>CrossEntropyLoss|NLLLoss|BCELoss|BCEWithLogitsLoss|MSELoss|L1Loss|KLDivLoss|"
    r"SmoothL1Loss|HuberLoss|MultiLabelSoftMarginLoss|SoftMarginLoss|MultiMarginLoss)\(\s*(?P<arg>[A-Za-z_][\w.\[\]]*)\s*,")


def bool_ambiguous(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("a tensor with several values was used where Python needs one truth value")]
    src = ctx.source
    hit = src.on_failing_line(_LOSS_CTOR_WITH_ARGS) if src else None
    if hit is None and src is not None:
        near = src.search(_LOSS_CTOR_WITH_ARGS, "window")
        hit = near[-1] if near else None
    if hit:
        cls = _LOSS_CTOR_WITH_ARGS.search(hit.text).group("cls")
        ev.append(src.evidence(hit, f"`{hit.text}` passes tensors to the `{cls}` constructor"))
        return [Candidate("LD601", 0.95, f"`{cls}(output, target)` builds the loss module with the tensors as its "
                          f"settings (`size_average`, `reduce`); it does not compute a loss",
                          f"Create the loss once, then call it: `criterion = nn.{cls}()`, `loss = criterion(output, target)`", ev)]
    if ctx.loss_family("loss_init"):
        ev.append(ctx.family_note("loss_init") or msg(""))
        return [Candidate("LD601", 0.9, "a loss class was constructed with tensors as arguments (the traceback goes "
                          "through the loss's `__init__`)", CATALOG, ev)]
    if ctx.has_traceback:
        return []  # a generic `if tensor:` bug somewhere; not a loss error
    return [Candidate("LD601", 0.35, "if this came from `nn.CrossEntropyLoss(output, target)` (or another loss class "
                      "called with tensors), the module was built instead of called", CATALOG, ev)]


def grad_scalar(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("`backward()` was called on a tensor with more than one element")]
    src = ctx.source
    none = src.search(re.compile(r"reduction\s*=\s*['\"]none['\"]|reduce\s*=\s*False"), "file") if src else []
    score = 0.65
    if none:
        ev.append(src.evidence(none[-1], f"`{none[-1].text}` keeps one loss value per element"))
        score = 0.95
    return [Candidate("LD603", score, "the loss was not reduced to a scalar before `.backward()` "
                      "(`reduction='none'` or a per-sample loss)", CATALOG, ev)]


_CONTAINER_TYPES = re.compile(r"^(?:tuple|list|dict|OrderedDict|torch\.return_types\.\w+|[\w.]*Output[s]?\w*)$")


def not_a_tensor(g: dict, ctx: Context) -> list[Candidate]:
    typ, arg = g.get("type", ""), g.get("arg", "input")
    func = g.get("func") or ""
    if not _CONTAINER_TYPES.match(typ):
        return []
    ev = [msg(f"argument '{arg}' of `{func or 'the loss'}` is a `{typ}`, not a tensor")]
    short = typ.rsplit(".", 1)[-1]
    if short.startswith("return_types") or typ.startswith("torch.return_types"):
        fix = "Use `.values` or `.indices` of the result (for logits: pass the model output itself, not `max(...)`)"
    elif "Output" in typ:
        fix = f"Pass the logits tensor: `outputs.logits` (for `{short}`), or `outputs[0]`"
    else:
        fix = f"Pick the logits out of the {short}: e.g. `outputs[0]` (or `outputs.logits` for a ModelOutput)"
    lossy = any(k in func for k in ("entropy", "nll", "loss", "log_softmax", "kl_div")) or ctx.any_loss
    score = (0.9 if lossy else 0.55) if arg == "input" else (0.6 if lossy else 0.4)
    where = "the model output" if arg == "input" else "the target"
    return [Candidate("LD605", score, f"{where} passed to the loss is a `{typ}`, not a tensor "
                      f"(models such as Inception, Hugging Face or RNNs return several outputs)", fix, ev)]


def no_attribute(g: dict, ctx: Context) -> list[Candidate]:
    typ, attr = g.get("type", ""), g.get("attr", "")
    if not _CONTAINER_TYPES.match(typ):
        return []
    ev = [msg(f"a `{typ}` reached code that called `.{attr}` on it")]
    lossy = attr in ("log_softmax",) or ctx.any_loss
    if not lossy and ctx.has_traceback:
        return []
    score = 0.85 if lossy else 0.4
    note = ctx.family_note("ce", "nll", "bce", "bce_logits", "mse")
    if note:
        ev.append(note)
    return [Candidate("LD605", score, f"the loss received a `{typ}` instead of the logits tensor", CATALOG, ev)]


def same_device(g: dict, ctx: Context) -> list[Candidate]:
    a, b = g.get("dev1") or g.get("got"), g.get("dev2") or g.get("expected")
    arg, method = g.get("arg"), g.get("method") or g.get("call") or ""
    lossy = bool(re.search(r"nll_loss|cross_entropy|binary_cross_entropy|mse_loss|kl_div|log_softmax|smooth_l1|l1_loss", method)) \
        or ctx.any_loss or arg == "target"
    devices = f"{a} and {b}" if a and b else "two devices"
    what = f"`{arg}`" if arg else "a tensor"
    ev = [msg(f"{what} is on a different device ({devices})" + (f" in `{method}`" if method else ""))]
    if lossy:
        note = ctx.family_note("ce", "nll", "bce", "bce_logits", "mse")
        if note:
            ev.append(note)
    score = 0.9 if lossy else 0.4
    if arg in ("target", "weight") and lossy:
        score = 0.95
    message = (f"the loss got tensors on {devices}" + (f"; the {arg} is the odd one out" if arg else ""))
    if not lossy:
        message = (f"tensors on {devices} met in one operation (not necessarily the loss: the model, the input "
                   f"or a buffer may be on the wrong device)")
    if lossy:
        message += "; a loss module that holds a class `weight` must be moved too (`criterion.to(device)`)"
    return [Candidate("LD606", score, message, CATALOG, ev)]


_DISCRETE = re.compile(r"\.argmax\(|\bargmax\(|\.max\([^)]*\)\s*\[\s*1\s*\]|\.indices\b|\.round\(|torch\.round\(|"
                       r"\.long\(\)|\.int\(\)|\(\s*[\w.]+\s*>\s*0?\.\d+\s*\)\.float\(\)|\.detach\(\)|\.item\(\)|\.numpy\(\)")


def no_grad_fn(g: dict, ctx: Context) -> list[Candidate]:
    ev = [msg("the tensor `backward()` was called on has no autograd history")]
    src = ctx.source
    hits = src.search(_DISCRETE, "window") if src else []
    nograd = src.search(re.compile(r"torch\.no_grad\(|inference_mode\(|requires_grad\s*=\s*False|requires_grad_\(\s*False"),
                        "window") if src else []
    if hits:
        h = hits[-1]
        ev.append(src.evidence(h, f"`{h.text}` turns the model output into a value with no gradient"))
        return [Candidate("LD607", 0.9, "the loss was computed from a non-differentiable prediction "
                          "(`argmax`, `max(...).indices`, `.long()`, `.round()`, `.detach()`)", CATALOG, ev)]
    if nograd:
        ev.append(src.evidence(nograd[-1], f"`{nograd[-1].text}` disables gradients"))
        return [Candidate("LD607", 0.45, "the loss has no gradient history (computed under `no_grad`, or with "
                          "parameters frozen; compute it outside `torch.no_grad()`); if the prediction was made "
                          "with `argmax`/`.long()`, that is the cause", CATALOG, ev)]
    return [Candidate("LD607", 0.55, "the loss does not depend on anything that requires grad: often the prediction "
                      "went through `argmax`/`max(...).indices`/`.long()`/`.round()`; also `torch.no_grad()`, "
                      "`.detach()`, or frozen parameters", CATALOG, ev)]


def lossdoctor_finding(g: dict, ctx: Context) -> list[Candidate]:
    """Text of an error raised by lossdoctor's own runtime checks: the code is in it."""
    from ..catalog import find

    code, name = g["code"], g["name"]
    entry = find(code)
    if entry is None or entry.name != name:
        return []
    return [Candidate(code, 0.95, g["message"].strip(), CATALOG,
                      [Evidence("runtime", "raised by a lossdoctor runtime check (the code is in the message)")])]
