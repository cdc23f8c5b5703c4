"""LD6xx: API misuse around the loss call."""

from __future__ import annotations

import re

from .._events import AccumulateEvent, BackwardEvent, CallEvent, LossCall
from .._fixes import Edit, Fix
from .._registry import lint_rule


@lint_rule("LD601", on="call")
def loss_class_called_with_tensors(ctx, ev: CallEvent) -> None:
    if ev.kind != "loss_ctor":
        return
    short = ev.qual.rsplit(".", 1)[-1]
    _, end = ctx.src.span(ev.node.func)
    fix = Fix(ctx.fix_title("LD601"), (Edit(end, end, "()"),), safe=True)
    ctx.report("LD601", ev.node, f"`{ctx.src.short(ev.node)}` passes tensors to the `{short}` constructor", fix)


@lint_rule("LD602", on="loss_call")
def mse_for_classification(ctx, call: LossCall) -> None:
    inp, t = call.input, call.target
    if call.family != "mse" or inp is None or t is None:
        return
    if inp.has("probs") and (t.has("onehot_int") or t.has("onehot_float")):
        ctx.report("LD602", inp, f"targets {t.origin or t.text}", call=call)


@lint_rule("LD603", on="backward")
def backward_on_unreduced_loss(ctx, ev: BackwardEvent) -> None:
    v = ev.value
    if v is None or not v.has("unreduced") or ev.has_gradient:
        return
    call = v.meta.get("call")
    made = f" from `{call.callee}` on line {call.loc[0]} with `reduction='none'`" if call is not None else ""
    ctx.report("LD603", ev.loc, f"`{ev.text}.backward()` on a per-element loss{made}")


@lint_rule("LD604", on="accumulate")
def loss_tensor_accumulated(ctx, ev: AccumulateEvent) -> None:
    ctx.report("LD604", ev.loc, f"`{ev.target} += {ev.value_text}` keeps the graph of every step alive")


@lint_rule("LD607", on="backward")
def prediction_not_differentiable(ctx, ev: BackwardEvent) -> None:
    v = ev.value
    if v is None or not v.has("loss_value"):
        return
    call = v.meta.get("call")
    if call is None or call.input is None or not call.input.has("nondiff"):
        return
    meta = call.input.value.meta
    text, line = meta.get("origin_nd") or meta.get("origin") or (call.input.text, None)
    where = f", line {line}" if line else ""
    ctx.report("LD607", call.input, f"`{call.callee}` gets `{text}`{where}; `{ev.text}.backward()` on line "
                                    f"{ev.loc[0]} cannot train the model", call=call)


_PREDICTION_TAGS = ("model_output", "probs", "logprobs", "sigmoid", "logits", "clamped")
_TARGET_NAME = re.compile(r"^(y|y_?true|labels?|targets?|gts?|ground_?truths?|[a-z0-9_]*_(labels?|targets?)|"
                          r"(labels?|targets?)_[a-z0-9_]*)$")


@lint_rule("LD608", on="loss_call")
def loss_arguments_swapped(ctx, call: LossCall) -> None:
    inp, t = call.input, call.target
    # MSE and L1 are symmetric in their arguments: a swap there changes nothing.
    if call.family not in ("ce", "nll", "bce", "bcel") or inp is None or t is None:
        return
    if not t.has("model_output") or any(inp.has(tag) for tag in _PREDICTION_TAGS):
        return
    last = inp.text.rsplit(".", 1)[-1]
    if not _TARGET_NAME.match(last.lower()):
        return
    ctx.report("LD608", inp, f"`{call.callee}({inp.text}, {t.text})` has the model output `{t.text}` second",
               call=call)
