"""Renderers of findings: text, json, sarif, github.

Each renderer takes a list of :class:`lossdoctor.Finding` (any surface) and
returns a string; nothing here knows how the findings were made.  Lint
findings carry ``details["source"]`` (the source line, for the caret view),
``details["fix"]`` (an applicable edit) and ``details["cell"]`` (notebooks).
"""

from __future__ import annotations

from collections.abc import Sequence

from ._github import render_github
from ._json import finding_record, render_json
from ._sarif import render_sarif
from ._text import render_statistics, render_text

FORMATS = ("text", "json", "sarif", "github")

__all__ = ["FORMATS", "finding_record", "render", "render_github", "render_json", "render_sarif",
           "render_statistics", "render_text"]


def render(findings: Sequence, fmt: str, **options) -> str:
    if fmt == "text":
        return render_text(findings, **options)
    if fmt == "json":
        return render_json(findings)
    if fmt == "sarif":
        return render_sarif(findings, **{k: v for k, v in options.items() if k in ("tool_version", "errors")})
    if fmt == "github":
        return render_github(findings)
    raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
