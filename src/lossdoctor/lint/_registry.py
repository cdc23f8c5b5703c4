"""Rule registration: every lint rule registers against one catalog code.

A rule is a small function run on one kind of event the walker emits:

- ``"loss_call"``: a call of a loss function or criterion, with its input and
  target operands (:class:`lossdoctor.lint._events.LossCall`);
- ``"call"``: any other call the walker recognised (softmax, log, a loss
  class constructor) as a :class:`lossdoctor.lint._events.CallEvent`;
- ``"backward"``: ``.backward()`` on a value;
- ``"accumulate"``: ``total += value`` inside a loop whose body calls
  ``.backward()``.

Rules take their texts from the catalog (`lossdoctor.catalog.get(code)`) and
add only the concrete detail (which function, which variable, which line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

EVENTS = ("loss_call", "call", "backward", "accumulate")


@dataclass(frozen=True)
class Rule:
    code: str
    event: str
    check: Callable
    name: str


_RULES: list[Rule] = []


def lint_rule(code: str, on: str) -> Callable[[Callable], Callable]:
    """Register ``check(ctx, event)`` as a detector of catalog diagnosis ``code``."""
    if on not in EVENTS:
        raise ValueError(f"unknown lint event {on!r}")

    def register(check: Callable) -> Callable:
        from ..catalog import get

        get(code)  # an unknown code is a programming error: fail at import
        _RULES.append(Rule(code, on, check, check.__name__))
        return check

    return register


def all_rules() -> list[Rule]:
    from . import rules  # noqa: F401  (registers every rule)

    return list(_RULES)


def rule_codes() -> set[str]:
    return {r.code for r in all_rules()}


def handlers(selected: frozenset[str]) -> dict[str, list[Rule]]:
    """The rules to run for each event, given the selected codes."""
    table: dict[str, list[Rule]] = {e: [] for e in EVENTS}
    for r in all_rules():
        if r.code in selected:
            table[r.event].append(r)
    return table
