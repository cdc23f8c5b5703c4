"""Extract errors, frames and known messages from pasted text, in one pass.

The input may be a Python traceback, an IPython/Jupyter or Colab traceback, a
pytest failure, a rich-formatted traceback, a CI log with a traceback somewhere
in it, or a bare message; with ANSI colours, Windows paths, ``\\r`` progress
bars and chained exceptions.  It is read in chunks and split into lines of at
most ``MAX_LINE`` characters; each chunk is first tested for the patterns'
literal anchors, so unrelated megabytes cost a few substring scans.  All regexes
run on single bounded lines and are anchored or free of nested quantifiers.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from typing import BinaryIO, Iterable, Iterator

from ._model import Frame
from ._patterns import ANCHORS, MAX_LINE, PATTERNS, MessagePattern, _fix_groups

CHUNK = 1 << 20
MAX_INPUT_CHARS = 256 * CHUNK  # beyond this the rest is skipped (and said so)
MAX_FRAMES = 300
MAX_ERRORS = 64
MAX_MESSAGE_LINES = 24
MAX_HITS = 500

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_MD_LINK = re.compile(r"\[([^\]\[]{0,500})\]\((?:[^()\s]{0,500})\)")

_PY_FRAME = re.compile(r'File "(?P<path>[^"]*)", line (?P<line>\d+)(?:, in (?P<func>.*))?$')
_IPY_FILE = re.compile(r"File (?P<path>\S.*?):(?P<line>\d+)(?:, in (?P<func>.*))?$")
_IPY_CELL = re.compile(r"Cell In ?\[(?P<n>\d*)\], line (?P<line>\d+)(?:, in (?P<func>.*))?$")
_IPY_INPUT = re.compile(r"Input In ?\[(?P<n>\d*)\](?:, in (?P<func>.*))?$")
_IPY7 = re.compile(r"(?P<path><ipython-input-[\w-]+>|(?:~|/|\.{1,2}/|[A-Za-z]:\\)\S*\.py) in (?P<func>\S.*)$")
_ARROW = re.compile(r"-*(?:>|❱)\s*(?P<line>\d+)\s(?P<src>.*)$")
_PYTEST_LOC = re.compile(r"(?P<path>(?:[A-Za-z]:)?[^\s:]+\.py):(?P<line>\d+):(?: in (?P<func>\S+)| (?P<exc>[\w.]+))?\s*$")
_RICH_LOC = re.compile(r"(?P<path>\S+\.py):(?P<line>\d+) in (?P<func>\S+)$")
_EXC_END = re.compile(r"(?:Error|Exception|Warning|Interrupt|Exit)(?=: |:$|$)")
_RANK = re.compile(r"\[(?:rank|default)\d+\]:\s?")
_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)?\s?")
_CARETS = frozenset("^~ ")
# A chunk holding none of these (and none of the patterns' anchors) cannot change the parse
# unless an error message or a frame is still open: it is counted and skipped unsplit.
_MARKERS = ("File ", "Traceback", "Error", "Exception", "Warning", "Interrupt", "Exit", "Cell In", "Input In",
            "-->", "❱", ".py", "<ipython-input")
_FAMILY = re.compile(
    r"(binary_cross_entropy_with_logits|BCEWithLogitsLoss|binary_cross_entropy|BCELoss|BCECriterion|"
    r"cross_entropy|CrossEntropyLoss|nll_loss\w*|NLLLoss\w*|ClassNLLCriterion|mse_loss|MSELoss|kl_div|KLDivLoss)")
_FAMILY_OF = {
    "binary_cross_entropy_with_logits": "bce_logits", "BCEWithLogitsLoss": "bce_logits",
    "binary_cross_entropy": "bce", "BCELoss": "bce", "BCECriterion": "bce",
    "cross_entropy": "ce", "CrossEntropyLoss": "ce",
    "ClassNLLCriterion": "nll", "mse_loss": "mse", "MSELoss": "mse", "kl_div": "kl", "KLDivLoss": "kl",
}

_LIBRARY_MARKERS = (
    "site-packages", "dist-packages", "/lib/python", "\\lib\\python", "/lib64/python", "<frozen ", "/usr/lib/",
    "/torch/nn/", "/torch/autograd/", "/torch/_tensor.py", "/torch/utils/", "/torch/_", "\\torch\\nn\\",
    "\\torch\\autograd\\", "\\torch\\_tensor.py", "/pytorch/aten/", "/lossdoctor/", "\\lossdoctor\\",
    "/IPython/", "/ipykernel/", "/runpy.py", "<string>", "/pytest/", "/_pytest/", "/pluggy/",
)


class InputError(Exception):
    """The input cannot be explained at all (binary, unreadable)."""


def is_library(path: str) -> bool:
    p = path.replace("\\\\", "\\")
    return any(m in p for m in _LIBRARY_MARKERS)


@dataclass
class ErrorBlock:
    type: str | None
    message_lines: list[str]
    frames: list[Frame]
    line_no: int

    @property
    def message(self) -> str:
        return "\n".join(self.message_lines).strip()

    @property
    def end_line(self) -> int:
        return self.line_no + len(self.message_lines)

    def user_frame(self) -> Frame | None:
        for f in reversed(self.frames):
            if not is_library(f.path):
                return f
        return None


@dataclass
class Hit:
    pattern: MessagePattern
    groups: dict
    line_no: int
    line: str
    count: int = 1


@dataclass
class Parsed:
    errors: list[ErrorBlock] = field(default_factory=list)  # the last MAX_ERRORS only
    n_errors: int = 0  # every error seen, kept or not
    hits: list[Hit] = field(default_factory=list)
    n_lines: int = 0
    n_chars: int = 0
    truncated: bool = False
    has_traceback: bool = False
    family_lines: list[str] = field(default_factory=list)

    def block_of(self, hit: Hit) -> ErrorBlock | None:
        for b in self.errors:
            if b.line_no <= hit.line_no < max(b.end_line, b.line_no + 1):
                return b
        # A message printed before the traceback (CUDA assertions) belongs to the error that follows it.
        later = [b for b in self.errors if b.line_no > hit.line_no]
        if later:
            return later[0]
        return self.errors[-1] if self.errors else None


def split_exception(line: str) -> tuple[str, str] | None:
    """``'RuntimeError: boom'`` -> ``('RuntimeError', 'boom')``; also finds it after a prefix."""
    for m in _EXC_END.finditer(line):
        i = m.start()
        while i > 0 and (line[i - 1].isalnum() or line[i - 1] in "._"):
            i -= 1
        name = line[i:m.end()].strip(".")
        if not name or not (name[0].isalpha() or name[0] == "_"):
            continue
        last = name.rsplit(".", 1)[-1]
        if not last[:1].isupper():
            continue
        prefix = line[:i]
        if prefix and prefix[-1] not in " \t:]>|)":
            continue
        if len(prefix) > 120:
            continue
        rest = line[m.end():]
        msg = rest[1:].lstrip() if rest.startswith(":") else ""
        return name, msg
    return None


class TextParser:
    """Feed decoded chunks (ending at line boundaries), then call :meth:`finish`."""

    def __init__(self) -> None:
        self.parsed = Parsed()
        self._frames: list[Frame] = []
        self._pending: Frame | None = None  # frame waiting for its source line
        self._pytest_src: str | None = None
        self._error: ErrorBlock | None = None
        self._hit_index: dict[tuple[str, str], Hit] = {}
        self._line_no = 0

    # -- chunks ----------------------------------------------------------------

    def feed(self, chunk: str) -> None:
        p = self.parsed
        p.n_chars += len(chunk)
        if "\x1b" in chunk:
            chunk = _ANSI.sub("", chunk)
        anchors = [a for a in ANCHORS if a in chunk]
        patterns = [pt for pt in PATTERNS if pt.anchor in anchors] if anchors else []
        if (not patterns and self._error is None and self._pending is None and self._pytest_src is None
                and not any(m in chunk for m in _MARKERS)):
            self._line_no += chunk.count("\n")
            p.n_lines = self._line_no
            return
        # Lines that can matter to the structure; everything else is skipped cheaply.
        for raw in chunk.split("\n"):
            self._line_no += 1
            if len(raw) > MAX_LINE:
                for k in range(0, len(raw), MAX_LINE):
                    self._line(raw[k:k + MAX_LINE], patterns)
                    self._line_no += 1
                continue
            self._line(raw, patterns)
        p.n_lines = self._line_no

    def _line(self, raw: str, patterns: list[MessagePattern]) -> None:
        if patterns:
            for pt in patterns:
                if pt.anchor in raw:
                    self._match(pt, raw)
        s = raw.strip()
        if not s:
            self._close_error()
            return
        content, indented = self._content(s)
        if content is None:
            return
        indented = indented or raw[:1] in (" ", "\t")
        if content.startswith("Traceback (most recent call last)"):
            self._close_error()
            self._frames = []
            self._pending = None
            self.parsed.has_traceback = True
            return
        if content.startswith(("During handling of the above exception", "The above exception was the direct cause")):
            self._close_error()
            return
        if self._frame(content, raw):
            return
        exc = split_exception(content) if ("Error" in content or "Exception" in content or "Warning" in content
                                           or "Interrupt" in content or "Exit" in content) else None
        if exc is not None and (self._error is None or self._looks_like_new_error(content)):
            self._close_error()
            typ, msg = exc
            p = self.parsed
            p.n_errors += 1
            if len(p.errors) >= MAX_ERRORS:
                p.errors.pop(0)
            block = ErrorBlock(typ, [msg] if msg else [], self._frames[-MAX_FRAMES:], self._line_no)
            p.errors.append(block)
            self._error = block
            self._frames = []
            self._pending = None
            return
        if self._pending is not None and indented and not set(content) <= _CARETS:
            self._pending = None
            f = self._frames[-1]
            self._frames[-1] = Frame(f.path, f.line, f.function, content)
            return
        if self._error is not None and len(self._error.message_lines) < MAX_MESSAGE_LINES:
            if not set(s) <= _CARETS:
                self._error.message_lines.append(content)

    def _looks_like_new_error(self, content: str) -> bool:
        # inside a multi-line message only a line that starts with the exception name opens a new error
        exc = split_exception(content)
        return exc is not None and content.startswith(exc[0])

    def _content(self, s: str) -> tuple[str | None, bool]:
        """The line without decoration (box characters, pytest/torchrun/timestamp prefixes), and
        whether what remains is indented (a source line under a frame)."""
        indented = False
        if s[0] in "│┃╭╰─━╮╯":
            s = s.strip("│┃╭╰╮╯─━ ")
            if not s:
                return None, False
        if s[0].isdigit() and s[:4].isdigit():
            m = _STAMP.match(s)
            if m:
                rest = s[m.end():]
                indented = rest[:1] in (" ", "\t")
                s = rest.strip()
        if s.startswith("[") and ("rank" in s[:12] or "default" in s[:12]):
            rest = _RANK.sub("", s, count=1)
            indented = rest[:1] in (" ", "\t")
            s = rest.strip()
        if not s:
            return None, False
        if s.startswith("E ") and (len(s) < 3 or s[1:3] == "  " or s[2] != " "):
            s = s[1:].strip()
        elif s.startswith(">>> ") or s.startswith("... "):
            s = s[4:].strip()
        elif s[0] == ">" and not s.startswith(("-->", ">>>")):
            # pytest marks the failing line with '>' (before naming the location); a
            # markdown quote looks the same, so the rest is also parsed as usual
            s = s.lstrip("> ").strip()
            self._pytest_src = s
        if "](" in s:
            s = _MD_LINK.sub(r"\1", s)
        return (s or None), indented

    def _add_frame(self, path: str, line: int | None, func: str | None, source: str | None = None) -> None:
        frames = self._frames
        if len(frames) >= MAX_FRAMES * 2:
            del frames[:MAX_FRAMES]
        frames.append(Frame(path, line, (func or "").strip() or None, source))
        if func or source:
            self._note_family(f"{func or ''} {path}")

    def _frame(self, content: str, raw: str) -> bool:
        c0 = content[:1]
        if c0 == "F" and content.startswith("File "):
            m = _PY_FRAME.match(content) or _IPY_FILE.match(content)
            if m:
                self._add_frame(m.group("path"), int(m.group("line")), m.group("func"))
                self._pending = self._frames[-1]
                self.parsed.has_traceback = True
                return True
        if c0 == "C" and content.startswith("Cell In"):
            m = _IPY_CELL.match(content)
            if m:
                self._add_frame(f"Cell In[{m.group('n')}]", int(m.group("line")), m.group("func"))
                self._pending = None
                self.parsed.has_traceback = True
                return True
        if c0 == "I" and content.startswith("Input In"):
            m = _IPY_INPUT.match(content)
            if m:
                self._add_frame(f"Input In[{m.group('n')}]", None, m.group("func"))
                self.parsed.has_traceback = True
                return True
        if c0 in "-❱":
            m = _ARROW.match(content)
            if m and self._frames:
                src = m.group("src").replace("│", " ").strip()
                f = self._frames[-1]
                self._frames[-1] = Frame(f.path, int(m.group("line")), f.function, src)
                self._note_family(src)
                return True
        if " in " in content and (".py in " in content or "<ipython-input" in content):
            m = _IPY7.match(content)
            if m:
                self._add_frame(m.group("path"), None, m.group("func"))
                self.parsed.has_traceback = True
                return True
        if ".py:" in content:
            m = _PYTEST_LOC.match(content)
            if m:
                src = self._pytest_src
                self._pytest_src = None
                self._add_frame(m.group("path"), int(m.group("line")), m.group("func"), src)
                self._pending = None if src else self._frames[-1]
                self.parsed.has_traceback = True
                return True
            m = _RICH_LOC.match(content)
            if m:
                self._add_frame(m.group("path"), int(m.group("line")), m.group("func"))
                self.parsed.has_traceback = True
                return True
        return False

    def _note_family(self, text: str) -> None:
        fl = self.parsed.family_lines
        if len(fl) < 2000 and _FAMILY.search(text):
            fl.append(text)

    def _close_error(self) -> None:
        self._error = None

    def _match(self, pt: MessagePattern, line: str) -> None:
        m = pt.regex.search(line)
        if not m:
            return
        key = (pt.id, m.group(0))
        hit = self._hit_index.get(key)
        if hit is not None:
            hit.count += 1
            return
        if len(self.parsed.hits) >= MAX_HITS:
            return
        groups = _fix_groups({k: v for k, v in m.groupdict().items() if v is not None})
        groups["_line"] = line.strip()[:2000]
        hit = Hit(pt, groups, self._line_no, line.strip()[:2000])
        self._hit_index[key] = hit
        self.parsed.hits.append(hit)

    def finish(self) -> Parsed:
        self._close_error()
        return self.parsed


# -- reading -----------------------------------------------------------------------------


def _looks_binary(head: bytes) -> bool:
    if not head:
        return False
    if b"\x00" in head:
        return True
    text = head.decode("utf-8", errors="replace")
    bad = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\t\n\r\x1b\x0c\x0b"))
    return bad > max(8, len(text) // 10)


def iter_chunks(stream: BinaryIO, limit: int = MAX_INPUT_CHARS) -> Iterator[str]:
    """Decode a byte stream into text chunks that end at line boundaries.

    Raises :class:`InputError` for binary input.  UTF-16 with a BOM (PowerShell's
    ``>`` redirection) is decoded; other bytes are read as UTF-8 with
    replacement.  ``\\r\\n`` and lone ``\\r`` count as line breaks.
    """
    head = stream.read(CHUNK)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
        if head.startswith(codecs.BOM_UTF8):
            head = head[3:]
        if _looks_binary(head[:65536]):
            raise InputError("the input looks binary (not text)")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    carry = ""
    total = 0
    data = head
    while data:
        text = carry + decoder.decode(data)
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        cut = text.rfind("\n")
        if cut < 0:
            if len(text) > CHUNK:
                cut = len(text) - 1
            else:
                carry = text
                data = stream.read(CHUNK)
                continue
        chunk, carry = text[:cut + 1], text[cut + 1:]
        total += len(chunk)
        yield chunk
        if total >= limit:
            raise _Truncated()
        data = stream.read(CHUNK)
    tail = carry + decoder.decode(b"", final=True)
    if tail:
        yield tail.replace("\r\n", "\n").replace("\r", "\n")


class _Truncated(Exception):
    pass


def parse_stream(stream: BinaryIO) -> Parsed:
    parser = TextParser()
    try:
        for chunk in iter_chunks(stream):
            parser.feed(chunk)
    except _Truncated:
        parser.parsed.truncated = True
    return parser.finish()


def parse_text(text: str) -> Parsed:
    parser = TextParser()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + CHUNK)
        if end < n:
            nl = text.rfind("\n", start, end)
            if nl > start:
                end = nl + 1
        parser.feed(text[start:end])
        start = end
        if start >= MAX_INPUT_CHARS:
            parser.parsed.truncated = True
            break
    return parser.finish()


def families(parsed: Parsed, block: ErrorBlock | None, extra: Iterable[str] = ()) -> tuple[set[str], dict[str, str]]:
    """Loss families named by the block's frames, its message, and the hit lines."""
    fams: set[str] = set()
    notes: dict[str, str] = {}
    texts: list[tuple[str, str]] = []
    if block is not None:
        for f in block.frames:
            if f.function:
                texts.append((f.function, "frame"))
            if f.source:
                texts.append((f.source, "source"))
            if f.path.replace("\\", "/").endswith("torch/nn/modules/loss.py") and (f.function or "") == "__init__":
                fams.add("loss_init")
                notes.setdefault("loss_init", "the traceback runs through a loss class's `__init__` "
                                 "(torch/nn/modules/loss.py)")
            if (f.function or "") == "legacy_get_string":
                fams.add("loss_init")
                notes.setdefault("loss_init", "the traceback runs through `_Reduction.legacy_get_string`, "
                                 "called only from a loss class's constructor")
            if (f.function or "") == "backward" and is_library(f.path):
                fams.add("backward")
        texts.append((block.message, "message"))
    for t in extra:
        texts.append((t, "message"))
    for text, kind in texts:
        for m in _FAMILY.finditer(text[:4000]):
            word = m.group(1)
            fam = _FAMILY_OF.get(word)
            if fam is None:
                fam = "nll" if word.lower().startswith("nll") else None
            if fam is None:
                continue
            fams.add(fam)
            if fam not in notes:
                if kind == "frame":
                    notes[fam] = f"the traceback passes through `{word}`"
                elif kind == "source":
                    notes[fam] = f"the failing line calls `{word}`: `{text.strip()[:120]}`"
                else:
                    notes[fam] = f"the message names `{word}`"
    return fams, notes
