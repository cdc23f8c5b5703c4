"""JSON: a list of plain records, one per finding."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def finding_record(f) -> dict[str, Any]:
    loc = f.location
    fix = f.details.get("fix") if f.details else None
    rec: dict[str, Any] = {
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "fix": f.fix_title,
        "path": loc.path if loc else None,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "end_line": loc.end_line if loc else None,
        "end_column": loc.end_column if loc else None,
    }
    if f.details and "cell" in f.details:
        rec["cell"] = f.details["cell"]
    if fix:
        rec["applicability"] = fix.get("applicability")
    return rec


def render_json(findings: Sequence) -> str:
    return json.dumps([finding_record(f) for f in findings], indent=2)
