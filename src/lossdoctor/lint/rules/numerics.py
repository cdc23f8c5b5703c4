"""LD5xx: numerics of the loss computation."""

from __future__ import annotations

from .._events import LossCall
from .._registry import lint_rule


@lint_rule("LD503", on="loss_call")
def half_precision_loss(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family not in ("ce", "nll") or inp is None or not inp.has("half") or call.autocast:
        return
    text, line = inp.value.meta.get("origin_half", (None, None))
    how = f"`{text}`, line {line}" if text else "a model converted with `.half()`"
    ctx.report("LD503", inp, f"from {how}", call=call)
