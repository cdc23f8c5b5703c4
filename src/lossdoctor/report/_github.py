"""GitHub Actions workflow commands (``::error file=...,line=...::message``)."""

from __future__ import annotations

from collections.abc import Sequence

_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence) -> str:
    lines = []
    for f in findings:
        loc = f.location
        props = []
        if loc is not None:
            props.append(f"file={_escape_property(loc.path)}")
            props.append(f"line={loc.line}")
            if loc.column:
                props.append(f"col={loc.column}")
            if loc.end_line:
                props.append(f"endLine={loc.end_line}")
            if loc.end_column and loc.end_line == loc.line:
                props.append(f"endColumn={loc.end_column}")
        props.append(f"title={_escape_property(f'{f.code} {f.name}')}")
        lines.append(f"::{_LEVEL.get(f.severity, 'warning')} {','.join(props)}::{_escape_data(f'{f.code} {f.message}')}")
    return "\n".join(lines) + ("\n" if lines else "")
