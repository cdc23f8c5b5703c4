"""LD4xx: shapes and layouts of the loss input."""

from __future__ import annotations

from .._events import LossCall
from .._registry import lint_rule


@lint_rule("LD402", on="loss_call")
def extra_output_dim(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family not in ("ce", "nll") or inp is None or not inp.has("unsqueezed"):
        return
    text, line = inp.value.meta.get("origin_unsq", (inp.text, None))
    where = f", line {line}," if line and line != inp.loc[0] else ""
    ctx.report("LD402", inp, f"`{text}`{where} adds dim {inp.value.meta.get('udim')} to the logits", call=call)


@lint_rule("LD404", on="loss_call")
def class_dim_last(ctx, call: LossCall) -> None:
    inp, t = call.input, call.target
    if call.family not in ("ce", "nll") or inp is None or t is None:
        return
    if inp.has("linear_out") and inp.value.meta.get("ndim") == 3 and t.value is not None \
            and t.value.meta.get("ndim") == 2:
        text, line = inp.value.meta.get("origin", (inp.text, None))
        ctx.report("LD404", inp, f"`{inp.text}` is the output of `{text}` on a 3-D tensor, with 2-D targets",
                   call=call)
    elif inp.has("view3") and t.has("view2"):
        ctx.report("LD404", inp, f"3-D logits `{inp.text}` with 2-D targets `{t.text}`", call=call)


@lint_rule("LD407", on="loss_call")
def squeezed_batch_dim(ctx, call: LossCall) -> None:
    inp = call.input
    if call.family not in ("ce", "nll", "bce", "bcel") or inp is None or not inp.has("squeezed"):
        return
    text, line = inp.value.meta.get("origin_sq", (inp.text, None))
    where = f", line {line}" if line and text != inp.text else ""
    ctx.report("LD407", inp, f"`{text}`{where}", call=call)
