"""Text edits that fix a finding, keeping the rest of the file byte for byte.

A fix is a list of non-overlapping replacements of character ranges of the
source, plus its safety: ``safe`` fixes keep behaviour (apply with
``--fix``), ``unsafe`` ones change what the program computes on purpose and
apply only with ``--unsafe-fixes``; ``why_unsafe`` says what to check.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool
    why_unsafe: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "applicability": "safe" if self.safe else "unsafe",
                "why_unsafe": self.why_unsafe, "edits": [[e.start, e.end, e.text] for e in self.edits]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Fix":
        edits = tuple(Edit(*e) for e in d["edits"])
        return cls(d["title"], edits, d["applicability"] == "safe", d.get("why_unsafe", ""))


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, int]:
    """Apply every fix whose edits do not overlap an earlier one; return (text, applied)."""
    chosen: list[Edit] = []
    taken: list[tuple[int, int]] = []
    applied = 0
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        spans = [(e.start, e.end) for e in fix.edits]
        if any(a < te and ta < b or (a == b == ta) for a, b in spans for ta, te in taken):
            continue
        taken.extend(spans)
        chosen.extend(fix.edits)
        applied += 1
    for e in sorted(chosen, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.text + text[e.end:]
    return text, applied


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path}", tofile=f"b/{path}"))
