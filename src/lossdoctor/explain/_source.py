"""Evidence from the user's code: the failing line, the lines around it, the file.

The traceback always quotes the failing line; when the file it names exists on
this machine, the whole file is read (bounded) and searched with a few cheap,
line-by-line heuristics, and the lint rules run over it when the lint surface
is installed.  Nothing here imports torch.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property

from ._model import Evidence

MAX_SOURCE_BYTES = 2_000_000
MAX_SOURCE_LINES = 50_000
WINDOW = 30  # lines either side of the failing line searched for call-site facts

_LABELISH = r"(?:y|ys|yb|y_?true|y_?train|y_?batch|labels?|targets?|tgts?|gts?|cls|class_?ids?|class_?idx|label_?ids?|mask|masks|seg|annotations?)"
_LABEL_NAME = re.compile(rf"(?:^|[\s.\[(,])(?:batch_?|true_?|gt_?|train_?|val_?|test_?)?{_LABELISH}(?:_\w+)?\b", re.I)
_ASSIGN = re.compile(r"^\s*(?P<lhs>[\w.\[\]'\" ,]+?)\s*(?P<op>\+=|=)(?!=)\s*(?P<rhs>.*)$")
_PLUS_ONE = re.compile(r"\+\s*1(?![\d.])")
_LINEAR = re.compile(r"\bLinear\(\s*(?P<fin>[^,()]{1,60}(?:\([^()]{0,40}\))?)\s*,\s*(?:out_features\s*=\s*)?(?P<out>\d+)\b")
_LINEAR_KW = re.compile(r"\bLinear\([^)]{0,120}?\bout_features\s*=\s*(?P<out>\d+)")
_NUM_CLASSES = re.compile(r"\b(?P<name>num_classes|n_classes|nclasses|num_labels|n_labels|nb_classes|classes)\s*[:=]\s*(?P<n>\d+)\b")


def _strip_comment(line: str) -> str:
    # Good enough for heuristics: drop a trailing comment outside obvious strings.
    if "#" in line and line.count('"') % 2 == 0 and line.count("'") % 2 == 0:
        return line.split("#", 1)[0]
    return line


@dataclass(frozen=True)
class SourceHit:
    line: int
    text: str
    value: int | None = None


class SourceFacts:
    """The failing line (as quoted) and, when readable, the user's file."""

    def __init__(self, path: str | None, line: int | None, quoted: str | None, lines: list[str] | None):
        self.path = path
        self.line = line
        self.quoted = quoted.strip() if quoted else None
        self.lines = lines  # None when the file is not available

    @classmethod
    def load(cls, path: str | None, line: int | None, quoted: str | None, *, read_file: bool = True) -> "SourceFacts":
        lines = None
        if read_file and path:
            lines = read_source(path)
        if lines is not None and line and 0 < line <= len(lines) and quoted:
            # A traceback from another version of the file: trust the quote, not the file.
            if _norm(lines[line - 1]) != _norm(quoted):
                lines = None
        return cls(path, line, quoted, lines)

    @property
    def has_file(self) -> bool:
        return self.lines is not None

    @property
    def failing_line(self) -> str | None:
        if self.lines is not None and self.line and 0 < self.line <= len(self.lines):
            return self.lines[self.line - 1].strip()
        return self.quoted

    def _numbered(self, scope: str) -> list[tuple[int, str]]:
        if self.lines is None:
            if self.quoted is None:
                return []
            return [(self.line or 0, self.quoted)]
        if scope == "file":
            return list(enumerate(self.lines, 1))
        if scope == "line":
            fl = self.failing_line
            return [(self.line or 0, fl)] if fl else []
        lo = max(1, (self.line or 1) - WINDOW)
        hi = min(len(self.lines), (self.line or 1) + WINDOW)
        return [(i, self.lines[i - 1]) for i in range(lo, hi + 1)]

    def evidence(self, hit: SourceHit, text: str) -> Evidence:
        source = "code" if self.has_file else "traceback"
        return Evidence(source, text, self.path if self.has_file or hit.line else None, hit.line or None)

    # -- searches ---------------------------------------------------------------

    def search(self, pattern: re.Pattern[str], scope: str = "window") -> list[SourceHit]:
        out = []
        for i, text in self._numbered(scope):
            code = _strip_comment(text)
            if len(code) > 2000:
                continue
            if pattern.search(code):
                out.append(SourceHit(i, text.strip()))
        return out

    def on_failing_line(self, pattern: re.Pattern[str]) -> SourceHit | None:
        hits = self.search(pattern, "line")
        return hits[0] if hits else None

    @cached_property
    def linear_outputs(self) -> list[SourceHit]:
        """Every ``Linear(in, out)`` in the file (or the quoted line), with ``out``."""
        out = []
        for i, text in self._numbered("file"):
            code = _strip_comment(text)
            if "Linear" not in code or len(code) > 2000:
                continue
            for m in _LINEAR.finditer(code):
                out.append(SourceHit(i, text.strip(), int(m.group("out"))))
            for m in _LINEAR_KW.finditer(code):
                out.append(SourceHit(i, text.strip(), int(m.group("out"))))
        return out

    @cached_property
    def num_classes(self) -> list[SourceHit]:
        out = []
        for i, text in self._numbered("file"):
            code = _strip_comment(text)
            if len(code) > 2000:
                continue
            m = _NUM_CLASSES.search(code)
            if m:
                out.append(SourceHit(i, text.strip(), int(m.group("n"))))
        return out

    @cached_property
    def labels_plus_one(self) -> list[SourceHit]:
        """Assignments that add 1 to something label-like (``y = y + 1``, ``labels += 1``)."""
        out = []
        for i, text in self._numbered("file"):
            code = _strip_comment(text)
            if "1" not in code or "+" not in code or len(code) > 2000:
                continue
            m = _ASSIGN.match(code)
            if not m:
                continue
            lhs, op, rhs = m.group("lhs"), m.group("op"), m.group("rhs")
            if not _LABEL_NAME.search(" " + lhs):
                continue
            if (op == "+=" and rhs.strip() == "1") or (op == "=" and _PLUS_ONE.search(rhs)):
                out.append(SourceHit(i, text.strip()))
        return out

    def lint_findings(self) -> list:
        """Lint findings for the file, when the lint surface is installed."""
        if not self.has_file or not self.path:
            return []
        return run_lint(self.path)


def _norm(s: str) -> str:
    return " ".join(s.split())


def read_source(path: str) -> list[str] | None:
    """The file's lines, or None if it is missing, too big or not text."""
    try:
        if not os.path.isfile(path):
            return None
        if os.path.getsize(path) > MAX_SOURCE_BYTES:
            return None
        with open(path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError:
        return None
    if b"\x00" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    lines = text.splitlines()
    return lines[:MAX_SOURCE_LINES]


def run_lint(path: str) -> list:
    """Run ``lossdoctor.lint`` over one file if that surface is available.

    The lint surface is optional here: any import problem or failure inside it
    yields no findings rather than breaking the explanation.
    """
    try:
        from ..lint import lint_source  # noqa: PLC0415
    except Exception:  # pragma: no cover - lint surface absent or broken
        return []
    lines = read_source(path)
    if lines is None:
        return []
    try:
        findings = list(lint_source("\n".join(lines) + "\n", path) or [])
    except Exception:  # a syntax error in the user's file, or a lint bug: no lint evidence
        return []
    return [f for f in findings if getattr(f, "code", None)]
