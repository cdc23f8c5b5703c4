"""The lint engine: files in, findings out.

``lint_text`` lints one program (one parse, one walk) and returns a plain,
JSON-serialisable result: local findings, the module's model classes (for
other modules that import them) and the loss calls that wait on those.
``lint_paths`` finds the files, reuses cached results for unchanged ones,
lints the rest on ``jobs`` processes, then settles cross-module findings.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import os
import re
import sys
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import __version__
from .._finding import Finding, Location
from ..catalog import all_diagnoses, find
from . import _config, _suppress
from ._cache import Cache, content_key
from ._events import Loc, LossCall, Operand
from ._fixes import Fix
from ._notebook import NotebookError, cell_position, notebook_source
from ._registry import all_rules, handlers as rule_handlers
from ._values import Value
from ._walker import SEMANTIC, SourceText, Walker

MAX_BYTES = 10 * 1024 * 1024
_SKIP_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv", ".eggs",
              "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".lossdoctor_cache", "site-packages"}


# A file can only matter to a rule if it names a loss, a softmax or an activation,
# or defines a layer whose output kind other modules may need (`Linear`).  Files
# that mention none of these are skipped without parsing.
_WORDS = (r"Loss|_loss|cross_entropy|kl_div|softmax|Softmax|sigmoid|Sigmoid|expit|relu|ReLU|tanh|Tanh|softplus|"
          r"Softplus|Linear")
_RELEVANT = re.compile(_WORDS)
_RELEVANT_BYTES = re.compile(_WORDS.encode())


class UsageError(ValueError):
    """Bad options or configuration (exit code 2)."""


def lint_codes() -> list[str]:
    """Every catalog code that has a lint rule, in code order."""
    registered = {r.code for r in all_rules()}
    return [d.code for d in all_diagnoses() if d.code in registered]


def resolve_selection(select: list[str] | None, ignore: list[str], extend_select: list[str] = ()) -> frozenset[str]:
    """Codes (``LD101``), prefixes (``LD1``, ``ALL``) or names -> the set of lint codes."""
    available = lint_codes()

    def expand(token: str) -> set[str]:
        t = token.strip()
        if not t:
            return set()
        if t.upper() == "ALL":
            return set(available)
        up = t.upper()
        if up.startswith("LD") and up[2:].isdigit():
            hits = {c for c in available if c.startswith(up)}
            if hits or find(up):
                return hits
        d = find(t)
        if d is not None:
            return {d.code} if d.code in available else set()
        raise UsageError(f"unknown rule selector `{token}` (use a code like LD101, a prefix like LD1, or a name)")

    chosen: set[str] = set(available) if select is None else set().union(*map(expand, select)) if select else set()
    for t in extend_select:
        chosen |= expand(t)
    for t in ignore:
        chosen -= expand(t)
    return frozenset(chosen)


# ---------------------------------------------------------------- one file
class RuleContext:
    """What a rule sees: the source (None for cross-module findings) and ``report``."""

    def __init__(self, src: SourceText | None, findings: list[dict[str, Any]], lines: list[str] | None = None):
        self.src = src
        self.findings = findings
        self._lines = lines

    @property
    def lines(self) -> list[str]:
        if self._lines is not None:
            return self._lines
        return self.src.lines if self.src is not None else []

    def fix_title(self, code: str) -> str:
        d = find(code)
        return d.fix if d is not None and d.fix and d.fix != "TODO" else f"Fix {code}"

    def report(self, code: str, at: Any, detail: str, fix: Fix | None = None, call: LossCall | None = None) -> None:
        if isinstance(at, Operand):
            loc = at.loc
        elif isinstance(at, ast.AST):
            loc = self.src.loc(at)  # type: ignore[union-attr]
        else:
            loc = tuple(at)
        line = loc[0]
        lines = self.lines
        source = lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else ""
        self.findings.append({
            "code": code, "message": compose_message(code, detail, call), "evidence": detail,
            "line": loc[0], "column": loc[1] + 1, "end_line": loc[2], "end_column": loc[3] + 1,
            "fix": fix.to_dict() if fix is not None else None, "source": source,
        })


# The loss function a catalog message names generically, per loss family.
_GENERIC_LOSS = {"ce": "cross_entropy", "nll": "nll_loss", "bce": "binary_cross_entropy",
                 "bcel": "binary_cross_entropy_with_logits", "kl": "kl_div", "mse": "mse_loss"}


def compose_message(code: str, detail: str, call: LossCall | None = None) -> str:
    """The catalog's message for ``code``, in the user's names, with the concrete ``detail``.

    The loss the catalog names generically (`cross_entropy`) becomes the callee
    as written (`criterion`, `F.cross_entropy`); where that hides which loss it
    is, the clause after it names the class (`CrossEntropyLoss`).  The detail
    goes in parentheses after the message's first clause, so a message has at
    most one colon (the catalog's own).
    """
    d = find(code)
    base = d.message if d is not None and d.message and d.message != "TODO" else (d.title if d else code)
    if call is not None:
        base = _in_user_names(base, call)
    if not detail:
        return base
    cut = min((i for i in (base.find("; "), base.find(": ")) if i >= 0), default=-1)
    if cut < 0:
        return f"{base} ({detail})"
    return f"{base[:cut]} ({detail}){base[cut:]}"


def _in_user_names(base: str, call: LossCall) -> str:
    generic = _GENERIC_LOSS.get(call.family)
    if generic is None:
        return base
    tick = f"`{generic}`"
    short = call.short
    written = call.callee if len(call.callee) <= 40 else short
    if base.startswith(tick):
        base = f"`{written}`" + base[len(tick):]
        if short not in written:
            base = base.replace("; it ", f"; `{short}` ", 1)
    return base.replace(tick, f"`{short}`")


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        try:
            encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)[:2]).__next__)
        except SyntaxError:
            encoding = "utf-8"
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf-8-sig"):
            try:
                return data.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                pass
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValueError(f"not valid UTF-8: byte 0x{data[exc.start]:02x} at line {line}") from None


def empty_result() -> dict[str, Any]:
    return {"findings": [], "classes": {}, "exports": {}, "deferred": [], "noqa": {}, "error": None, "note": None,
            "cells": None}


def lint_bytes(data: bytes, *, notebook: bool, module: str, package: str, selected: frozenset[str]) -> dict[str, Any]:
    """Lint the raw bytes of one file; never raises for bad input."""
    res = empty_result()
    if len(data) > MAX_BYTES:
        res["error"] = {"line": 1, "column": 1, "message": f"file too large to lint ({len(data) // 1024} KiB > "
                                                           f"{MAX_BYTES // 1024} KiB)"}
        return res
    if not data or data.isspace():
        res["note"] = "empty file, nothing to lint"
        return res
    if b"\0" in data[:8192]:
        res["error"] = {"line": 1, "column": 1, "message": "binary file (contains NUL bytes), not Python source"}
        return res
    if b"torch" not in data:
        return res  # cannot involve a PyTorch loss: skipped without parsing
    try:
        text = _decode(data)
    except ValueError as exc:
        res["error"] = {"line": 1, "column": 1, "message": str(exc)}
        return res
    cells = None
    if notebook:
        try:
            text, cells = notebook_source(text)
        except NotebookError as exc:
            res["error"] = {"line": 1, "column": 1, "message": str(exc)}
            return res
    res.update(lint_text(text, module=module, package=package, selected=selected))
    res["cells"] = cells
    return res


def lint_text(text: str, *, module: str = "", package: str = "", selected: frozenset[str] | None = None,
              path: str = "<string>", tree: ast.Module | None = None) -> dict[str, Any]:
    """One parse and one walk of a program; the result is plain data (see module docstring)."""
    res = empty_result()
    if "torch" not in text or _suppress.file_suppressed(text):
        return res
    # A file that names no loss, softmax or activation cannot hold a finding, but it
    # is still parsed: a syntax error in a PyTorch file is worth a line of output.
    relevant = _RELEVANT.search(text) is not None
    if selected is None:
        selected = frozenset(lint_codes())
    try:
        if tree is None:
            tree = compile(text, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        res["error"] = {"line": exc.lineno or 1, "column": exc.offset or 1,
                        "message": f"cannot parse: {exc.msg}"}
        return res
    except (ValueError, RecursionError, MemoryError) as exc:
        if isinstance(exc, (RecursionError, MemoryError)):
            res["error"] = _too_deep(text, "too deeply nested to parse")  # CPython gives up on very deep nesting
        else:
            res["error"] = {"line": 1, "column": 1, "message": f"cannot parse: {exc or type(exc).__name__}"}
        return res
    if not relevant:
        return res
    src = SourceText(text)
    findings: list[dict[str, Any]] = []
    walker = Walker(src, rule_handlers(selected), module, package)
    walker.ctx = RuleContext(src, findings)
    try:
        walker.run(tree)
    except RecursionError:
        res["error"] = _too_deep(text, "too deeply nested to analyse; skipped")
        return res
    res["parsed"] = True
    if "noqa" in text or "lossdoctor" in text:
        res["noqa"] = {str(k): v for k, v in _suppress.line_suppressions(src.lines).items()}
    res["findings"] = [f for f in findings if not _suppress.is_suppressed(f["code"], f["line"], _noqa(res))]
    res["classes"] = _class_summaries(walker)
    res["exports"] = {k: list(v) for k, v in walker.exports.items()}
    res["deferred"] = walker.deferred_calls
    for d in res["deferred"]:
        d["lines"] = {str(op["loc"][0]): src.lines[op["loc"][0] - 1].rstrip("\r\n")
                      for op in (d["input"], d["target"]) if op is not None}
    return res


# A logical line with more operators and brackets than this is a candidate for
# nesting too deep for CPython's parser (its limits are in the thousands).
_DEEP_TOKENS = 500


def _too_deep(text: str, what: str) -> dict[str, Any]:
    """The error for a program nested too deeply to parse or walk, on the line that does it.

    Neither the parser's RecursionError nor MemoryError carries a line; the
    culprit is found by tokenizing (only on this rare path): the logical line
    with the most operator tokens, if it has more than a few hundred.
    Otherwise the line is reported as unknown.
    """
    line = _deepest_line(text)
    if line is None:
        return {"line": 0, "column": 0, "message": f"{what} (line unknown)"}
    return {"line": line, "column": 1, "message": what}


def _deepest_line(text: str) -> int | None:
    import io

    best, best_line = _DEEP_TOKENS, None
    count, start = 0, None
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if start is None:
                start = tok.start[0]
            if tok.type == tokenize.OP:
                count += 1
            elif tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if count > best:
                    best, best_line = count, start
                count, start = 0, None
            elif tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT) and count == 0:
                start = None
    except (tokenize.TokenError, SyntaxError, RecursionError, MemoryError):
        pass
    if count > best:
        best_line = start
    return best_line


def _noqa(res: dict[str, Any]) -> dict[int, list[str]]:
    return {int(k): v for k, v in res["noqa"].items()}


def _class_summaries(walker: Walker) -> dict[str, Any]:
    out = {}
    for name, info in walker.classes.items():
        if not (info.is_module or info.has_forward):
            continue
        r = info.returns
        out[name] = {"tags": sorted(r.tags & SEMANTIC) if r is not None else [],
                     "origin": list(r.meta["origin"]) if r is not None and "origin" in r.meta else None,
                     "dim": r.meta.get("dim") if r is not None else None,
                     "op": r.meta.get("op") if r is not None else None}
    return out


# ------------------------------------------------------------- many files
@dataclass
class FileJob:
    path: Path
    display: str
    module: str
    package: str
    notebook: bool
    explicit: bool


@dataclass
class LintRun:
    findings: list[Finding] = field(default_factory=list)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)  # (path, line, col, message)
    notes: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0
    cached: int = 0
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, FileJob] = field(default_factory=dict)


def module_name(path: Path) -> tuple[str, str]:
    """(dotted module name, package) of a file, from the ``__init__.py`` files above it."""
    return _module_name(os.path.abspath(path), {})


def _module_name(abspath: str, memo: dict[str, list[str]]) -> tuple[str, str]:
    directory, name = os.path.split(abspath)
    stem = name[:-3] if name.endswith(".py") else os.path.splitext(name)[0]
    parts = list(_package_parts(directory, memo))
    if name != "__init__.py":
        parts.append(stem)
    module = ".".join(parts)
    package = module if name == "__init__.py" else module.rpartition(".")[0]
    return module, package


def _package_parts(directory: str, memo: dict[str, list[str]]) -> list[str]:
    """The package a directory is, as name parts (``[]`` when it has no ``__init__.py``)."""
    hit = memo.get(directory)
    if hit is not None:
        return hit
    parent, name = os.path.split(directory)
    if parent != directory and os.path.isfile(os.path.join(directory, "__init__.py")):
        parts = [*_package_parts(parent, memo), name]
    else:
        parts = []
    memo[directory] = parts
    return parts


def discover(paths: list[str], config: _config.Config) -> tuple[list[FileJob], list[str]]:
    jobs: list[FileJob] = []
    missing: list[str] = []
    seen: set[str] = set()
    cwd = os.getcwd()
    memo: dict[str, list[str]] = {}
    exclude = config.exclude

    def add(abspath: str, explicit: bool) -> None:
        if abspath in seen:
            return
        seen.add(abspath)
        if abspath.startswith(cwd + os.sep):
            display = abspath[len(cwd) + 1:]
        else:
            display = abspath
        if os.sep != "/":
            display = display.replace(os.sep, "/")
        mod, pkg = _module_name(abspath, memo)
        jobs.append(FileJob(Path(abspath), display, mod, pkg, abspath.endswith(".ipynb"), explicit))

    for raw in paths:
        p = Path(raw)
        if p.is_file() or (p.exists() and not p.is_dir()):
            # Not a regular file (`/dev/null`, a pipe): the worker says so without reading it.
            if not _config.matches(p, exclude, config.root):
                add(os.path.abspath(raw), True)
        elif p.is_dir():
            for dirpath, dirnames, filenames in os.walk(os.path.abspath(raw)):
                dirnames[:] = sorted(n for n in dirnames if n not in _SKIP_DIRS and not n.startswith(".")
                                     and not os.path.exists(os.path.join(dirpath, n, "pyvenv.cfg"))
                                     and not (exclude and _config.matches(Path(dirpath, n), exclude, config.root)))
                for name in sorted(filenames):
                    if name.endswith((".py", ".ipynb")):
                        f = os.path.join(dirpath, name)
                        if not (exclude and _config.matches(Path(f), exclude, config.root)):
                            add(f, False)
        else:
            missing.append(raw)
    return jobs, missing


class NotRegularFile(OSError):
    pass


def read_source(path: str) -> bytes:
    """The bytes of a regular file; OSError (with a plain ``strerror``) for anything else.

    Opened without blocking and checked before reading: a named pipe or a device
    (``/dev/null``, ``/dev/zero``) is never read.
    """
    import stat

    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a character device" if stat.S_ISCHR(mode) else "a block device" if stat.S_ISBLK(mode)
                    else "a named pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                    else "a directory" if stat.S_ISDIR(mode) else "not a regular file")
            raise NotRegularFile(f"not a regular file ({kind}); only Python files and notebooks are linted")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _worker(args: tuple[str, bool, str, str, frozenset[str]]) -> tuple[str, str, dict[str, Any]]:
    path, notebook, module, package, selected = args
    try:
        data = read_source(path)
    except OSError as exc:
        res = empty_result()
        message = str(exc) if isinstance(exc, NotRegularFile) else f"cannot read: {exc.strerror or exc}"
        res["error"] = {"line": 0, "column": 0, "message": message}
        return path, "", res
    try:
        res = lint_bytes(data, notebook=notebook, module=module, package=package, selected=selected)
    except Exception as exc:  # a bug in lossdoctor: say so for this file and go on
        res = empty_result()
        res["error"] = {"line": 1, "column": 1,
                        "message": f"internal error in lossdoctor ({type(exc).__name__}: {exc}); please report it"}
        res["internal"] = True
    return path, content_key(data), res


def fingerprint(selected: frozenset[str]) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    h.update(",".join(sorted(selected)).encode())
    # Code changes during development must invalidate the cache too.
    here = Path(__file__).parent
    for f in sorted([*here.glob("*.py"), *(here / "rules").glob("*.py")]):
        try:
            st = f.stat()
            h.update(f"{f.name}:{st.st_size}:{st.st_mtime_ns}".encode())
        except OSError:
            pass
    return h.hexdigest()


def lint_paths(paths: list[str], *, selected: frozenset[str], config: _config.Config, jobs: int | None = None,
               use_cache: bool = True, per_file_ignores: dict[str, list[str]] | None = None) -> LintRun:
    run = LintRun()
    files, missing = discover(paths, config)
    for m in missing:
        run.errors.append((m, 0, 0, "no such file or directory"))
    run.files = len(files)
    cache = Cache(config.root, fingerprint(selected), enabled=use_cache)
    todo: list[FileJob] = []
    for job in files:
        key_path = str(job.path)
        run.jobs[key_path] = job
        if use_cache:
            try:
                data = read_source(str(job.path))
            except OSError:
                todo.append(job)
                continue
            hit = cache.get(key_path, content_key(data))
            if hit is not None:
                run.results[key_path] = hit
                run.cached += 1
                continue
        todo.append(job)
    args = [(str(j.path), j.notebook, j.module, j.package, selected) for j in todo]
    n_jobs = max(1, jobs or _config.cpu_count())
    # Syntax trees hold no reference cycles: the cyclic collector would only
    # re-scan millions of live nodes (about 15% of the run).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        if n_jobs > 1 and len(args) >= 16:
            results = _parallel(args, n_jobs)
        else:
            results = map(_worker, args)
        for path, key, res in results:
            run.results[path] = res
            if key and not res.get("internal"):
                cache.put(path, key, res)
    finally:
        if gc_was_enabled:
            gc.enable()
    cache.save()
    _collect(run, selected, config, per_file_ignores or config.per_file_ignores)
    return run


def _parallel(args: list, n_jobs: int) -> Iterable:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:  # pragma: no cover - platforms without fork
        ctx = None
    chunk = max(1, min(32, len(args) // (n_jobs * 4) or 1))
    try:
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
            return list(pool.map(_worker, args, chunksize=chunk))
    except (OSError, RuntimeError):  # no processes to be had: lint in this one
        return list(map(_worker, args))


def _collect(run: LintRun, selected: frozenset[str], config: _config.Config,
             per_file_ignores: dict[str, list[str]]) -> None:
    from ._project import resolve_deferred

    extra = resolve_deferred(run, selected)
    pfi = [(pat, resolve_selection(codes, [])) for pat, codes in per_file_ignores.items()]
    for key_path in sorted(run.results, key=lambda k: run.jobs[k].display if k in run.jobs else k):
        res = run.results[key_path]
        job = run.jobs.get(key_path)
        display = job.display if job else key_path
        if res.get("error"):
            e = res["error"]
            run.errors.append((display, e["line"], e["column"], e["message"]))
        if res.get("note") and job is not None and job.explicit:
            run.notes.append((display, res["note"]))
        ignored: set[str] = set()
        for pat, codes in pfi:
            if job is not None and _config.matches(job.path, [pat], config.root):
                ignored |= codes
        for f in [*res["findings"], *extra.get(key_path, [])]:
            if f["code"] not in selected or f["code"] in ignored:
                continue
            run.findings.append(to_finding(f, display, res.get("cells")))
    run.findings.sort(key=lambda f: (f.location.path, f.details.get("cell", 0), f.location.line, f.location.column,
                                     f.code))


def to_finding(f: dict[str, Any], path: str, cells: list | None = None) -> Finding:
    line, end_line = f["line"], f["end_line"]
    details: dict[str, Any] = {"source": f.get("source", "")}
    if cells is not None:
        cell, line = cell_position(f["line"], cells)
        _, end_line = cell_position(f["end_line"], cells)
        details["cell"] = cell
    if f.get("fix"):
        details["fix"] = f["fix"]
    loc = Location(path, line, f["column"], end_line, f["end_column"])
    return Finding(f["code"], f["message"], evidence=f.get("evidence", ""), fix="", location=loc,
                   loud=bool(find(f["code"]) and find(f["code"]).loud), details=details)


def is_failure(f: Finding) -> bool:
    return f.severity in ("error", "warning")


def recursion_guard() -> None:
    # Deeply nested expressions: the walker recurses once per nesting level.
    if sys.getrecursionlimit() < 5000:
        sys.setrecursionlimit(5000)


__all__ = ["LintRun", "UsageError", "lint_codes", "lint_paths", "lint_text", "resolve_selection", "Value",
           "LossCall", "Loc"]
