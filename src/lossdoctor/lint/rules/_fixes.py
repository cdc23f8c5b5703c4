"""Fix builders shared by the rules: small, exact text edits."""

from __future__ import annotations

import ast

from .._events import Operand
from .._fixes import Edit

# Ops whose call can be replaced by its own input to drop the activation.
_DROPPABLE = {"softmax", "nn.Softmax", "sigmoid", "nn.Sigmoid"}


def activation_input(ctx, operand: Operand, ops: set[str]) -> str | None:
    """The source text of the activation's input when ``operand`` *is* the activation call.

    ``F.softmax(x, dim=1)`` -> ``x``; ``x.sigmoid()`` -> ``x``; ``self.act(h)``
    (an ``nn.Softmax``/``nn.Sigmoid`` module) -> ``h``.  None when the
    activation happens elsewhere (a variable, a model's ``forward``).
    """
    node, value = operand.node, operand.value
    if ctx.src is None or not isinstance(node, ast.Call) or value is None or value.node is not node:
        return None
    if value.meta.get("via") or value.meta.get("op") not in ops & _DROPPABLE:
        return None
    if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
        return None
    func = node.func
    if value.meta.get("form") == "method":
        inner: ast.expr | None = func.value if isinstance(func, ast.Attribute) else None
    else:
        inner = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "input"), None)
    if inner is None:
        return None
    text = ctx.src.segment(inner)
    if isinstance(inner, (ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Tuple)) and not text.startswith("("):
        text = f"({text})"
    return text


def replace_node(ctx, node: ast.AST, text: str) -> Edit:
    a, b = ctx.src.span(node)
    return Edit(a, b, text)


def rename_attribute(ctx, func: ast.expr, new: str) -> Edit | None:
    """Replace the final name of ``F.binary_cross_entropy`` / ``nn.BCELoss`` by ``new``."""
    if not isinstance(func, ast.Attribute):
        return None
    a, b = ctx.src.span(func)
    if ctx.src.text[b - len(func.attr):b] != func.attr:
        return None
    return Edit(b - len(func.attr), b, new)
