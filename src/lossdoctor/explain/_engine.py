"""From parsed text (or a live exception) to an :class:`Explanation`.

Every matched message yields candidates; candidates for the same code merge
(best score wins, evidence is pooled); code evidence and lint findings raise a
candidate; weak candidates far below the best are dropped, so one precise
diagnosis is not buried under guesses.
"""

from __future__ import annotations

import linecache
import os
import re
from typing import Iterable

from ._context import Candidate, Context
from ._model import ErrorInfo, Evidence, ExplainedDiagnosis, Explanation, Frame
from ._source import SourceFacts, read_source
from ._traceback import ErrorBlock, Hit, Parsed, families, is_library

MAX_DIAGNOSES = 4
DROP_BELOW = 0.25  # never shown
DROP_BEHIND = 0.45  # shown only within this distance of the best
_FINDING_TEXT = re.compile(r"\b(?P<code>LD\d{3}) \[(?P<name>[a-z0-9-]+)\] (?P<message>.*)$")


def _catalog(code: str):
    from ..catalog import find

    return find(code)


def _useful(text: str | None) -> bool:
    return bool(text) and text.strip() not in ("TODO", "")


def explain_parsed(parsed: Parsed, *, source_evidence: bool = True) -> Explanation:
    notes = []
    if parsed.truncated:
        notes.append(f"the input was cut after {parsed.n_chars:,} characters")
    n_errors = max(parsed.n_errors, len(parsed.errors))
    if n_errors > 1:
        notes.append(f"{n_errors:,} errors in the input (chained or repeated); all were searched")

    source_cache: dict[tuple[str | None, int | None], SourceFacts] = {}
    seen = {h.pattern.id for h in parsed.hits}
    merged: dict[str, tuple[Candidate, Hit]] = {}

    for hit in parsed.hits:
        block = parsed.block_of(hit)
        ctx = _context(parsed, block, hit, seen, source_cache, source_evidence)
        try:
            cands = hit.pattern.interpret(dict(hit.groups), ctx)
        except Exception as exc:  # a broken interpreter must not hide the others
            notes.append(f"internal: pattern {hit.pattern.id} failed ({type(exc).__name__})")
            continue
        if hit.count > 1:
            for c in cands:
                c.evidence.append(Evidence("message", f"this message appears {hit.count} times in the input"))
        for c in cands:
            _merge(merged, c, hit)
        if source_evidence and ctx.source is not None and ctx.source.has_file:
            _lint_boost(merged, ctx.source)

    ranked = sorted(merged.values(), key=lambda ch: -ch[0].score)
    best = ranked[0][0].score if ranked else 0.0
    keep = [(c, h) for c, h in ranked if c.score >= DROP_BELOW and c.score >= best - DROP_BEHIND][:MAX_DIAGNOSES]

    diagnoses = [_diagnosis(c) for c, _ in keep]
    primary = parsed.block_of(keep[0][1]) if keep else (parsed.errors[-1] if parsed.errors else None)
    if keep and primary is not None and not _block_has_hit(primary, keep[0][1]) and keep[0][1].line_no > primary.end_line:
        primary = None
    error = _error_info(primary, keep[0][1] if keep else None)
    frame = primary.user_frame() if primary is not None else None
    return Explanation(error=error, frame=frame, diagnoses=diagnoses, notes=notes)


def _block_has_hit(block: ErrorBlock, hit: Hit) -> bool:
    return block.line_no <= hit.line_no < max(block.end_line, block.line_no + 1)


def _error_info(block: ErrorBlock | None, hit: Hit | None) -> ErrorInfo | None:
    if block is not None:
        msg = block.message
        if hit is not None and not _block_has_hit(block, hit) and hit.line not in msg:
            # e.g. a CUDA assertion printed above the traceback: keep the final error, it is what the user saw
            pass
        return ErrorInfo(block.type, msg[:4000])
    if hit is not None:
        return ErrorInfo(None, hit.line[:4000])
    return None


def _context(parsed: Parsed, block: ErrorBlock | None, hit: Hit, seen: set[str],
             cache: dict, source_evidence: bool) -> Context:
    extra = [h.line for h in parsed.hits]
    fams, notes = families(parsed, block, extra)
    ctx = Context(families=fams, family_evidence=notes, seen=seen, has_traceback=bool(block and block.frames))
    frame = block.user_frame() if block is not None else None
    if frame is not None:
        ctx.quoted = frame.source
        ctx.quoted_where = (frame.path, frame.line)
        key = (frame.path, frame.line)
        if key not in cache:
            cache[key] = _load_source(frame, read_file=source_evidence)
        ctx.source = cache[key]
    return ctx


def _load_source(frame: Frame, *, read_file: bool) -> SourceFacts:
    facts = SourceFacts.load(frame.path, frame.line, frame.source, read_file=read_file)
    if read_file and not facts.has_file and frame.path and not os.path.exists(frame.path):
        # IPython cells and other in-memory code are in linecache, not on disk
        lines = [ln.rstrip("\n") for ln in linecache.getlines(frame.path)]
        if lines and frame.source and frame.line and 0 < frame.line <= len(lines) \
                and " ".join(lines[frame.line - 1].split()) != " ".join(frame.source.split()):
            lines = []
        if lines:
            quoted = frame.source or (lines[frame.line - 1].strip() if frame.line and frame.line <= len(lines) else None)
            facts = SourceFacts(frame.path, frame.line, quoted, lines)
    return facts


def _merge(merged: dict[str, tuple[Candidate, Hit]], c: Candidate, hit: Hit) -> None:
    old = merged.get(c.code)
    if old is None:
        merged[c.code] = (c, hit)
        return
    base, bhit = old
    if c.score > base.score:
        c.evidence = _pool(c.evidence, base.evidence)
        merged[c.code] = (c, hit)
    else:
        base.evidence = _pool(base.evidence, c.evidence)


def _pool(a: list[Evidence], b: list[Evidence]) -> list[Evidence]:
    out = list(a)
    texts = {e.text for e in a}
    for e in b:
        if e.text not in texts:
            out.append(e)
            texts.add(e.text)
    return out[:8]


def _lint_boost(merged: dict[str, tuple[Candidate, Hit]], source: SourceFacts) -> None:
    if getattr(source, "_lint_done", False):
        return
    source._lint_done = True  # type: ignore[attr-defined]
    for f in source.lint_findings():
        code = getattr(f, "code", None)
        if code not in merged:
            continue
        cand, hit = merged[code]
        loc = getattr(f, "location", None)
        line = getattr(loc, "line", None)
        cand.score = min(0.99, cand.score + 0.1)
        cand.evidence.append(Evidence("lint", f"lint reports {code}: {getattr(f, 'message', '')}", source.path, line))


def _diagnosis(c: Candidate) -> ExplainedDiagnosis:
    entry = _catalog(c.code)
    name = entry.name if entry else c.code
    fix = c.fix or (entry.fix if entry and _useful(entry.fix) else "")
    why = entry.why if entry and _useful(entry.why) else ""
    return ExplainedDiagnosis(c.code, name, round(c.score, 3), c.message, fix, c.evidence, why)


# -- live exceptions --------------------------------------------------------------------


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and the ones it was raised from or during, oldest first."""
    out: list[BaseException] = []
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen and len(out) < 16:
        seen.add(id(cur))
        out.append(cur)
        cur = cur.__cause__ or (None if cur.__suppress_context__ else cur.__context__)
    return list(reversed(out))


def parsed_from_exception(exc: BaseException) -> Parsed:
    """Build the same structure the text parser produces, from a live exception."""
    import traceback

    from ._traceback import TextParser

    parser = TextParser()
    line_no = 0
    for e in _chain(exc):
        frames = []
        for fs in traceback.extract_tb(e.__traceback__)[-300:]:
            frames.append(Frame(fs.filename, fs.lineno, fs.name, (fs.line or "").strip() or None))
        message = _exception_message(e)
        lines = message.splitlines() or [""]
        parser._line_no = line_no
        block = ErrorBlock(type(e).__qualname__ if type(e).__module__ in ("builtins", "lossdoctor")
                           else f"{type(e).__module__}.{type(e).__qualname__}", [], frames, line_no + 1)
        parser.parsed.errors.append(block)
        parser.parsed.n_errors += 1
        from ._patterns import PATTERNS

        for ln in lines[:200]:
            parser._line_no += 1
            ln = ln[:8192]
            block.message_lines.append(ln)
            for pt in PATTERNS:
                if pt.anchor in ln:
                    parser._match(pt, ln)
        for fr in frames:
            parser._note_family(f"{fr.name if hasattr(fr, 'name') else fr.function} {fr.path}")
            if fr.source:
                parser._note_family(fr.source)
        line_no = parser._line_no + 1
    parser.parsed.has_traceback = True
    parser.parsed.n_lines = line_no
    return parser.parsed


def _exception_message(e: BaseException) -> str:
    try:
        text = str(e)
    except Exception:
        text = ""
    if isinstance(e, KeyError) and e.args:
        text = str(e.args[0])
    return text


def explain_lossdoctor_error(exc: BaseException) -> Explanation | None:
    """A lossdoctor runtime check already knows the diagnosis: report it as is."""
    from .._errors import LossDoctorError

    chain = _chain(exc)
    ours = next((e for e in reversed(chain) if isinstance(e, LossDoctorError)), None)
    if ours is None:
        return None
    finding = ours.finding
    import traceback

    frames = [Frame(fs.filename, fs.lineno, fs.name, (fs.line or "").strip() or None)
              for fs in traceback.extract_tb(ours.__traceback__)]
    user = next((f for f in reversed(frames) if not is_library(f.path)), None)
    if user is None and getattr(finding, "location", None) is not None:
        loc = finding.location
        src = linecache.getline(loc.path, loc.line).strip() or None
        user = Frame(loc.path, loc.line, loc.function, src)
    ev = [Evidence("runtime", getattr(finding, "evidence", "") or "a lossdoctor runtime check inspected the tensors "
                   "before PyTorch ran the call")]
    entry = _catalog(finding.code)
    fix = getattr(finding, "fix", "") or (entry.fix if entry and _useful(entry.fix) else "")
    diag = ExplainedDiagnosis(finding.code, entry.name if entry else finding.code, 0.97, finding.message, fix, ev,
                              entry.why if entry and _useful(entry.why) else "")
    return Explanation(ErrorInfo(type(ours).__name__, _exception_message(ours)[:4000]), user, [diag])
