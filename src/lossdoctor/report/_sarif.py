"""SARIF 2.1.0, with rule metadata from the catalog (for GitHub code scanning)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def _rule(code: str) -> dict[str, Any]:
    from ..catalog import get

    d = get(code)
    return {
        "id": d.code,
        "name": "".join(w.capitalize() for w in d.name.split("-")),
        "shortDescription": {"text": d.title},
        "fullDescription": {"text": d.why.strip() or d.title},
        "help": {"text": f"{d.fix}\n\n{d.why.strip()}".strip(),
                 "markdown": f"**Fix:** {d.fix}\n\n{d.why.strip()}".strip()},
        "defaultConfiguration": {"level": _LEVEL.get(d.severity, "warning")},
        "properties": {"tags": [d.kind, *(f"surface:{s}" for s in d.surfaces)], "diagnosisName": d.name},
    }


def render_sarif(findings: Sequence, tool_version: str | None = None,
                 errors: Sequence[tuple[str, int, int, str]] = ()) -> str:
    from .. import __version__

    codes = sorted({f.code for f in findings})
    index = {c: i for i, c in enumerate(codes)}
    results = []
    for f in findings:
        loc = f.location
        region: dict[str, Any] = {}
        if loc is not None:
            region = {"startLine": max(1, loc.line), "startColumn": max(1, loc.column or 1)}
            if loc.end_line:
                region["endLine"] = max(loc.end_line, region["startLine"])
            if loc.end_column and loc.end_column >= 1:
                region["endColumn"] = loc.end_column
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": _LEVEL.get(f.severity, "warning"),
            "message": {"text": f.message},
        }
        if loc is not None:
            physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path.replace("\\", "/")}, "region": region}
            result["locations"] = [{"physicalLocation": physical}]
        if f.details and "cell" in f.details:
            result["properties"] = {"cell": f.details["cell"]}
        results.append(result)
    notifications = [{"level": "error", "message": {"text": msg},
                      "locations": [{"physicalLocation": {"artifactLocation": {"uri": path},
                                                          **({"region": {"startLine": line}} if line else {})}}]}
                     for path, line, _, msg in errors]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "lossdoctor", "version": tool_version or __version__,
                            "rules": [_rule(c) for c in codes]}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": True, "toolExecutionNotifications": notifications}]
    return json.dumps({"version": "2.1.0", "$schema": SCHEMA, "runs": [run]}, indent=2)
