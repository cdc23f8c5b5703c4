"""``--fix`` / ``--diff``: apply the findings' edits until nothing is left to fix."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from . import _config
from ._engine import FileJob, _decode, lint_text, resolve_selection
from ._fixes import Fix, apply_fixes, unified_diff

MAX_PASSES = 10


@dataclass
class FixOutcome:
    fixed: int = 0  # findings fixed
    files: list[str] = field(default_factory=list)
    diffs: list[str] = field(default_factory=list)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)


def fix_text(text: str, *, selected: frozenset[str], unsafe: bool, module: str = "", package: str = "",
             ignored: frozenset[str] = frozenset()) -> tuple[str, int]:
    """Apply applicable fixes repeatedly (a fix can reveal another); return (new text, fixes applied)."""
    total = 0
    for _ in range(MAX_PASSES):
        res = lint_text(text, module=module, package=package, selected=selected)
        fixes = [Fix.from_dict(f["fix"]) for f in res["findings"]
                 if f.get("fix") and f["code"] not in ignored and (unsafe or f["fix"]["applicability"] == "safe")]
        if not fixes:
            break
        new, n = apply_fixes(text, fixes)
        if n == 0 or new == text:
            break
        try:
            ast.parse(new)
        except SyntaxError as exc:  # never write a file that no longer parses
            raise ValueError(f"a fix produced code that does not parse ({exc.msg}); nothing was changed") from None
        text, total = new, total + n
    return text, total


def fix_jobs(jobs: list[FileJob], *, selected: frozenset[str], unsafe: bool, diff_only: bool,
             config: _config.Config) -> FixOutcome:
    out = FixOutcome()
    pfi = [(pat, resolve_selection(codes, [])) for pat, codes in config.per_file_ignores.items()]
    for job in jobs:
        if job.notebook:
            _fix_notebook(job, selected=selected, unsafe=unsafe, diff_only=diff_only, config=config, pfi=pfi, out=out)
            continue
        try:
            data = job.path.read_bytes()
            text = _decode(data)
        except (OSError, ValueError):
            continue
        ignored = frozenset().union(*(codes for pat, codes in pfi if _config.matches(job.path, [pat], config.root)))
        try:
            new, n = fix_text(text, selected=selected, unsafe=unsafe, module=job.module, package=job.package,
                              ignored=ignored)
        except ValueError as exc:
            out.errors.append((job.display, 1, 1, str(exc)))
            continue
        if n == 0 or new == text:
            continue
        out.fixed += n
        out.files.append(job.display)
        if diff_only:
            out.diffs.append(unified_diff(job.display, text, new))
        else:
            bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
            Path(job.path).write_bytes(bom + new.encode("utf-8"))
    return out


def _fix_notebook(job: FileJob, *, selected, unsafe, diff_only, config, pfi, out: FixOutcome) -> None:
    from ._notebook import Notebook, NotebookError

    try:
        raw = _decode(job.path.read_bytes())
        nb = Notebook(raw)
    except (OSError, ValueError, NotebookError):
        return
    ignored = frozenset().union(*(codes for pat, codes in pfi if _config.matches(job.path, [pat], config.root)))
    total = 0
    # One fix per pass (cells shift under the others); a notebook has few.
    for _ in range(10 * MAX_PASSES):
        program, _, _ = nb.program()
        res = lint_text(program, module=job.module, package=job.package, selected=selected)
        fixes = [Fix.from_dict(f["fix"]) for f in res["findings"]
                 if f.get("fix") and f["code"] not in ignored and (unsafe or f["fix"]["applicability"] == "safe")]
        if not any(nb.apply([(e.start, e.end, e.text) for e in fix.edits]) for fix in fixes):
            break
        total += 1
    if not total:
        return
    new_program, _, _ = nb.program()
    try:
        ast.parse(new_program)
    except SyntaxError as exc:
        out.errors.append((job.display, 1, 1, f"a fix produced code that does not parse ({exc.msg}); "
                                              "nothing was changed"))
        return
    new_raw = nb.dumps()
    out.fixed += total
    out.files.append(job.display)
    if diff_only:
        out.diffs.append(unified_diff(job.display, raw, new_raw))
    else:
        job.path.write_text(new_raw, encoding="utf-8")
