"""Abstract values: what the linter knows a name or expression holds.

A value is a set of tags (``probs``, ``logits``, ``onehot_int``, ``loss_fn``,
...) plus the node that established them and a few facts (``dim`` of a
softmax, the loss family of a criterion).  Where two paths disagree the tags
are intersected, so anything uncertain fades to "unknown" (``None``): the
linter prefers silence to a guess.
"""

from __future__ import annotations

import ast
from typing import Any


class Value:
    __slots__ = ("tags", "node", "meta")

    def __init__(self, tags: frozenset[str] | tuple[str, ...] = frozenset(), node: ast.AST | None = None,
                 meta: dict[str, Any] | None = None) -> None:
        self.tags = tags if isinstance(tags, frozenset) else frozenset(tags)
        self.node = node
        self.meta = meta or {}

    def has(self, tag: str) -> bool:
        return tag in self.tags

    def with_tags(self, add: tuple[str, ...] = (), drop: tuple[str, ...] = (), **meta: Any) -> "Value":
        tags = (self.tags | frozenset(add)) - frozenset(drop)
        merged = dict(self.meta)
        merged.update(meta)
        return Value(tags, self.node, merged)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Value({sorted(self.tags)}, {self.meta})"


def ref(qualname: str) -> Value:
    """A name bound to a module, class or function by an import."""
    return Value(("ref",), None, {"qual": qualname})


def join(a: Value | None, b: Value | None) -> Value | None:
    """What is certain on both of two paths."""
    if a is b:
        return a
    if a is None or b is None:
        return None
    tags = a.tags & b.tags
    if not tags:
        return None
    # Keep only facts both sides state identically; a tag that stands for one
    # particular object (a module, a class, a criterion) survives only if
    # both sides name the same object.
    if a.meta == b.meta:
        meta = a.meta
    else:
        meta = {k: v for k, v in a.meta.items() if k in b.meta and b.meta[k] == v}
        tags = tags - STRUCTURAL
    if not tags:
        return None
    return Value(tags, a.node if a.node is b.node else None, meta)


STRUCTURAL = frozenset({"ref", "ext", "class", "instance", "self", "module", "model", "loss_fn", "ext_instance",
                        "ext_output", "maxpair", "eye", "loss_value", "unreduced"})


def join_names(before: dict[str, Value | None], branches: list[dict[str, Value | None]]) -> dict[str, Value | None]:
    """Merge the name bindings of alternative branches that all started from ``before``."""
    keys: set[str] = set()
    for b in branches:
        keys.update(k for k, v in b.items() if before.get(k, _MISSING) is not v)
    merged = dict(before)
    for k in keys:
        vals = [b[k] if k in b else before.get(k, _MISSING) for b in branches]
        present = [v for v in vals if v is not _MISSING]
        acc = present[0]
        for v in present[1:]:
            acc = join(acc, v)
        merged[k] = acc
    return merged


_MISSING: Any = object()
