"""What the walker hands to rules: plain records, no walker state."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ._values import Value

# (line, column, end_line, end_column): 1-based lines, 0-based character columns.
Loc = tuple[int, int, int, int]


@dataclass
class Operand:
    """One argument of a loss call, with what is known about its value."""

    value: Value | None
    text: str
    loc: Loc
    node: ast.expr | None = None  # absent for findings resolved across modules

    def has(self, tag: str) -> bool:
        return self.value is not None and tag in self.value.tags

    @property
    def origin(self) -> str:
        """Where the value's kind was established, for messages: "`p` comes from `F.softmax(x, dim=1)`, line 7"."""
        v = self.value
        if v is None:
            return ""
        text, line = v.meta.get("origin", (None, None))
        if not text:
            return ""
        via = v.meta.get("via")
        if v.meta.get("origin_file"):
            where = f", {v.meta['origin_file']}:{line}"
        else:
            where = f", line {line}" if line and line != self.loc[0] else ""
        if via == "nn.Sequential":
            return f"`{self.text}` is the output of an `nn.Sequential` ending in `{text}`{where}"
        if via:
            return f"`{via}` returns `{text}`{where}"
        if text == self.text:
            return f"`{text}`{where}"
        return f"`{self.text}` comes from `{text}`{where}"


@dataclass
class LossCall:
    family: str  # ce, nll, bce, bcel, kl, mse, regression
    qual: str  # qualified name of the loss function or class
    callee: str  # the callee as written: `F.cross_entropy`, `criterion`, `self.loss_fn`
    loc: Loc
    input: Operand | None
    target: Operand | None
    autocast: bool = False
    node: ast.Call | None = None
    # The constructor of the criterion when it is visible (`nn.BCELoss()` ...).
    ctor: ast.Call | None = None

    @property
    def short(self) -> str:
        return self.qual.rsplit(".", 1)[-1]


@dataclass
class CallEvent:
    """A recognised call that is not itself a loss call."""

    kind: str  # "softmax", "log", "loss_ctor"
    qual: str
    callee: str
    loc: Loc
    node: ast.Call
    arg: Value | None = None  # the (first) argument's value
    arg_node: ast.expr | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class BackwardEvent:
    value: Value | None
    text: str
    loc: Loc
    has_gradient: bool


@dataclass
class AccumulateEvent:
    target: str
    value_text: str
    loc: Loc
    node: ast.AugAssign
