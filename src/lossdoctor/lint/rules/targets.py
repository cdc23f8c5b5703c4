"""LD2xx: how the target is encoded."""

from __future__ import annotations

from .._events import LossCall
from .._registry import lint_rule


def _target_origin(call: LossCall) -> str:
    t = call.target
    return t.origin if t is not None and t.origin else f"`{t.text}`" if t is not None else ""


@lint_rule("LD201", on="loss_call")
def one_hot_target_to_nll_loss(ctx, call: LossCall) -> None:
    t = call.target
    if call.family != "nll" or t is None or not (t.has("onehot_int") or t.has("onehot_float")):
        return
    ctx.report("LD201", t, f"{_target_origin(call)}", call=call)


@lint_rule("LD202", on="loss_call")
def integer_one_hot_target(ctx, call: LossCall) -> None:
    t = call.target
    if call.family != "ce" or t is None or not t.has("onehot_int"):
        return
    ctx.report("LD202", t, f"{_target_origin(call)}", call=call)


@lint_rule("LD206", on="loss_call")
def one_hot_target_to_cross_entropy(ctx, call: LossCall) -> None:
    t = call.target
    if call.family != "ce" or t is None or not t.has("onehot_float"):
        return
    ctx.report("LD206", t, f"{_target_origin(call)}", call=call)
