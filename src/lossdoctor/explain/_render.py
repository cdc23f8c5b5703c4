"""Plain-text rendering of an :class:`Explanation`."""

from __future__ import annotations

import re
import textwrap

from ._model import MEDIUM, Explanation

_SOURCE_WORDS = {
    "message": "from the message",
    "traceback": "from the traceback",
    "code": "from the code",
    "lint": "from lint",
    "runtime": "from lossdoctor's runtime check",
}


def _wrap(text: str, indent: str, width: int = 100) -> str:
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False)


def short_why(why: str, limit: int = 320) -> str:
    """The first sentences of the catalog's explanation, up to about ``limit`` characters."""
    text = " ".join(why.split())
    if len(text) <= limit:
        return text
    cut = 0
    for m in re.finditer(r"[.](?=\s)", text):
        if m.end() > limit:
            break
        cut = m.end()
    return (text[:cut] if cut > 80 else text[:limit].rsplit(" ", 1)[0] + " ...")


def render_text(exp: Explanation, *, verbose: bool = True) -> str:
    out: list[str] = []
    if exp.error is not None:
        first = str(exp.error).splitlines()[0] if str(exp.error) else ""
        out.append(first[:300] + ("..." if len(first) > 300 else ""))
    if exp.frame is not None:
        where = f"{exp.frame.path}:{exp.frame.line}" if exp.frame.line else exp.frame.path
        out.append(f"  at {where}")
        if exp.frame.source:
            out.append(f"    {exp.frame.source[:200]}")
    if out:
        out.append("")

    strong = [d for d in exp.diagnoses if d.score >= MEDIUM]
    weak = [d for d in exp.diagnoses if d.score < MEDIUM]
    if not strong:
        if exp.error is not None:
            out.append("lossdoctor does not recognise this as a loss-function error.")
        else:
            out.append("lossdoctor found no PyTorch loss error in this input.")
        if weak:
            out.append("Weak hints (low confidence, check before acting):")
            for d in weak:
                out.append(_wrap(f"{d.code} {d.name}: {d.message}", "  "))
                if d.fix:
                    out.append(_wrap(f"fix: {d.fix}", "    "))
        out.extend(f"note: {n}" for n in exp.notes)
        return "\n".join(out).rstrip() + "\n"

    for i, d in enumerate(strong):
        head = f"{d.code} {d.name} ({d.confidence} confidence)"
        if i == 1:
            out.append("Also possible:" if len(strong) > 1 else "")
        out.append(head if i == 0 else "  " + head)
        ind = "  " if i == 0 else "    "
        out.append(_wrap(d.message, ind))
        if d.fix:
            out.append(_wrap(f"fix: {d.fix}", ind))
        if verbose and d.evidence:
            out.append(f"{ind}evidence:")
            for e in d.evidence:
                where = f" ({e.path}:{e.line})" if e.path and e.line and e.source in ("code", "lint") else ""
                out.append(_wrap(f"{_SOURCE_WORDS.get(e.source, e.source)}: {e.text}{where}", ind + "  "))
        if verbose and d.why and i == 0:
            out.append(_wrap(f"why: {short_why(d.why)}", ind))
        out.append(f"{ind}more: lossdoctor rule {d.code}")
        out.append("")
    for n in exp.notes:
        out.append(f"note: {n}")
    return "\n".join(out).rstrip() + "\n"
