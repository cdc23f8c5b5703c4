"""LD1xx: softmax / log_softmax / sigmoid and the loss they feed."""

from __future__ import annotations

import ast

from .._events import CallEvent, LossCall
from .._fixes import Fix
from .._registry import lint_rule
from ._fixes import activation_input, rename_attribute, replace_node

_WHY_DROP_SOFTMAX = ("it changes what the model returns: code that reads this value as probabilities "
                     "(accuracy, inference, export) must apply softmax itself afterwards")


def _receives(call: LossCall) -> str:
    """Where the loss input got its kind; the catalog message already says what it is."""
    origin = call.input.origin if call.input else ""
    return origin or f"`{call.input.text}`"


@lint_rule("LD101", on="loss_call")
def softmax_before_cross_entropy(ctx, call: LossCall) -> None:
    if call.family != "ce" or call.input is None or not call.input.has("probs"):
        return
    fix = None
    inner = activation_input(ctx, call.input, {"softmax", "nn.Softmax"})
    if inner is not None:
        fix = Fix(ctx.fix_title("LD101"), (replace_node(ctx, call.input.node, inner),), safe=False,
                  why_unsafe=_WHY_DROP_SOFTMAX)
    elif ctx.src is not None and call.input.value.meta.get("drop"):
        # The softmax is the model's last step (`return F.softmax(h)`, `nn.Sequential(..., nn.Softmax())`).
        fix = Fix(ctx.fix_title("LD101"), tuple(call.input.value.meta["drop"]), safe=False,
                  why_unsafe="the model then returns logits everywhere it is used: code that reads its output "
                             "as probabilities (accuracy, inference, export) must apply softmax itself")
    ctx.report("LD101", call.input, _receives(call), fix, call=call)


@lint_rule("LD102", on="loss_call")
def logits_to_nll_loss(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family != "nll" or inp is None or not inp.has("logits") or inp.has("probs") or inp.has("logprobs"):
        return
    ctx.report("LD102", inp, _receives(call), call=call)


@lint_rule("LD103", on="loss_call")
def probabilities_to_nll_loss(ctx, call: LossCall) -> None:
    if call.family != "nll" or call.input is None or not call.input.has("probs"):
        return
    ctx.report("LD103", call.input, _receives(call), call=call)


@lint_rule("LD104", on="call")
def log_of_softmax(ctx, ev: CallEvent) -> None:
    if ev.kind != "log" or ev.arg is None or ev.arg.has("floored"):
        return  # clamped away from 0 first: numerically worse than log_softmax, but never -inf
    sm = ev.arg.node
    detail = f"`{ctx.src.short(ev.node)}` takes the log of "
    origin = ev.arg.meta.get("origin", (None, None))
    if ev.arg_node is not None and sm is ev.arg_node:
        detail += "a softmax"
    else:
        detail += f"`{origin[0]}`, line {origin[1]}" if origin[0] else "a softmax"
    fix = None
    if (isinstance(sm, ast.Call) and sm is ev.arg_node and ev.arg.meta.get("op") == "softmax"
            and not ev.arg.meta.get("via") and isinstance(sm.func, ast.Attribute) and sm.func.attr == "softmax"):
        a, b = ctx.src.span(sm)
        fa, fb = ctx.src.span(sm.func)
        text = ctx.src.text
        if text[fb - len("softmax"):fb] == "softmax":
            new = text[a:fb - len("softmax")] + "log_softmax" + text[fb:b]
            fix = Fix(ctx.fix_title("LD104"), (replace_node(ctx, ev.node, new),), safe=True)
    ctx.report("LD104", ev.node, detail, fix)


@lint_rule("LD105", on="loss_call")
def sigmoid_before_bce_with_logits(ctx, call: LossCall) -> None:
    if call.family != "bcel" or call.input is None or not call.input.has("sigmoid"):
        return
    ctx.report("LD105", call.input, _receives(call), call=call)


@lint_rule("LD106", on="loss_call")
def logits_to_bce(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family != "bce" or inp is None or not inp.has("logits") or inp.has("sigmoid") or inp.has("probs"):
        return
    ctx.report("LD106", inp, _receives(call), call=call)


@lint_rule("LD107", on="loss_call")
def sigmoid_then_bce(ctx, call: LossCall) -> None:
    if call.family != "bce" or call.input is None or not call.input.has("sigmoid"):
        return
    fix = None
    inner = activation_input(ctx, call.input, {"sigmoid", "nn.Sigmoid"})
    if inner is not None and call.node is not None:
        rename = None
        if call.ctor is None:
            rename = rename_attribute(ctx, call.node.func, "binary_cross_entropy_with_logits")
        elif call.ctor is call.node.func:  # nn.BCELoss()(torch.sigmoid(x), y)
            rename = rename_attribute(ctx, call.ctor.func, "BCEWithLogitsLoss")
        if rename is not None:
            fix = Fix(ctx.fix_title("LD107"), (rename, replace_node(ctx, call.input.node, inner)), safe=False,
                      why_unsafe="the loss stays the same in exact arithmetic, but `weight` and the numbers differ "
                                 "slightly; check any code that compares loss values")
    ctx.report("LD107", call.input, _receives(call), fix, call=call)


@lint_rule("LD108", on="loss_call")
def log_softmax_before_cross_entropy(ctx, call: LossCall) -> None:
    if call.family != "ce" or call.input is None or not call.input.has("logprobs"):
        return
    ctx.report("LD108", call.input, _receives(call), call=call)


@lint_rule("LD109", on="call")
def softmax_without_dim(ctx, ev: CallEvent) -> None:
    if ev.kind != "softmax" or ev.extra.get("dim", 0) is not None:
        return
    ctx.report("LD109", ev.node, f"`{ctx.src.short(ev.node)}` has no `dim`; PyTorch then picks dim 0 "
                                 "for 1-D and 3-D input")


@lint_rule("LD109", on="loss_call")
def softmax_over_batch_dim(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family not in ("ce", "nll", "kl") or inp is None or inp.value is None:
        return
    if not (inp.has("probs") or inp.has("logprobs")) or inp.value.meta.get("dim") != 0:
        return
    # dim 0 is the class dim of a single unbatched sample: flag only a known batch.
    if (inp.value.meta.get("ndim") or 0) < 2:
        return
    ctx.report("LD109", inp, f"a softmax over dim 0, the batch; {inp.origin}", call=call)


@lint_rule("LD110", on="loss_call")
def kl_div_input_not_log_probs(ctx, call: LossCall) -> None:
    if call.family != "kl" or call.input is None or not call.input.has("probs"):
        return
    ctx.report("LD110", call.input, _receives(call), call=call)


@lint_rule("LD111", on="loss_call")
def activation_on_logits(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family != "ce" or inp is None or not inp.has("clamped") or inp.has("probs"):
        return
    op = inp.value.meta.get("op", "an activation")
    ctx.report("LD111", inp, f"`{op}` outputs; {_receives(call)}", call=call)
