"""Human-readable text, like ruff's: location, code, message, the source line
with a caret under the span, and the fix title."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence


def _where(f) -> str:
    loc = f.location
    if loc is None:
        return ""
    cell = f.details.get("cell") if f.details else None
    prefix = f"{loc.path}:cell {cell}" if cell is not None else loc.path
    return f"{prefix}:{loc.line}:{loc.column or 1}: "


def render_text(findings: Sequence, *, show_source: bool = True, show_fixes: bool = True,
                unsafe_fixes: bool = False) -> str:
    out: list[str] = []
    for f in findings:
        fix = f.details.get("fix") if f.details else None
        mark = " [*]" if fix and (fix.get("applicability") == "safe" or unsafe_fixes) else ""
        out.append(f"{_where(f)}{f.code}{mark} {f.message}")
        source = f.details.get("source") if f.details else None
        loc = f.location
        if show_source and source and loc is not None:
            num = str(loc.line)
            pad = " " * len(num)
            start = max(1, loc.column or 1)
            end = loc.end_column if loc.end_line == loc.line and loc.end_column and loc.end_column > start \
                else len(source.rstrip()) + 1
            caret = " " * (start - 1) + "^" * max(1, end - start)
            out.append(f"{pad} |")
            out.append(f"{num} | {source.expandtabs(1)}")
            out.append(f"{pad} | {caret} {f.code}")
            out.append(f"{pad} |")
        if show_fixes:
            if fix and fix.get("applicability") == "unsafe" and not unsafe_fixes:
                out.append(f"  = help: {f.fix_title} (unsafe fix, apply with --unsafe-fixes: {fix.get('why_unsafe')})")
            else:
                out.append(f"  = help: {f.fix_title}")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def render_statistics(findings: Sequence) -> str:
    counts = Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    fixable = Counter(f.code for f in findings if f.details and f.details.get("fix"))
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for code, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        star = "[*]" if fixable.get(code) else "   "
        lines.append(f"{n:>{width}}\t{code}\t{star} {names[code]}")
    return "\n".join(lines) + ("\n" if lines else "")
