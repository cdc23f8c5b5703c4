"""Inline suppressions: ``# noqa``, ``# noqa: LD101``, ``# lossdoctor: ignore[LD101]``,
and a file-level ``# lossdoctor: noqa`` on a line of its own."""

from __future__ import annotations

import re

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*lossdoctor:\s*ignore\[(?P<codes>[^\]]*)\]", re.IGNORECASE)
_FILE = re.compile(r"^\s*#\s*lossdoctor:\s*noqa\s*$", re.IGNORECASE | re.MULTILINE)

ALL = "*"


def file_suppressed(text: str) -> bool:
    return "lossdoctor" in text and _FILE.search(text) is not None


def line_suppressions(lines: list[str]) -> dict[int, list[str]]:
    """1-based line -> suppressed codes (``["*"]`` for all) for every line with a suppression comment."""
    out: dict[int, list[str]] = {}
    for i, line in enumerate(lines, 1):
        if "#" not in line:
            continue
        low = line.lower()
        if "noqa" not in low and "lossdoctor" not in low:
            continue
        codes: list[str] = []
        for m in _IGNORE.finditer(line):
            codes.extend(c.strip().upper() for c in m.group("codes").split(",") if c.strip())
        for m in _NOQA.finditer(line):
            if m.group("codes"):
                codes.extend(c.upper() for c in re.split(r"[\s,]+", m.group("codes")) if c)
            else:
                codes.append(ALL)
        if codes:
            out[i] = codes
    return out


def is_suppressed(code: str, line: int, table: dict[int, list[str]]) -> bool:
    codes = table.get(line)
    if not codes:
        return False
    return ALL in codes or any(code == c or (code.startswith(c) and len(c) < len(code)) for c in codes)
