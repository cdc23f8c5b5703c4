"""Across modules: settle loss calls whose input is a model class imported from
another file of the linted tree (``from .models import Net``).

Each file's result lists its model classes (what ``forward`` returns) and the
loss calls that wait on an imported class; once every file is linted (or read
from the cache) those calls are decided here, without parsing anything again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import _suppress
from ._events import LossCall, Operand
from ._registry import handlers
from ._values import Value


def resolve_deferred(run, selected: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
    from ._engine import RuleContext

    pending = [(k, r) for k, r in run.results.items() if r.get("deferred")]
    if not pending:
        return {}
    by_module: dict[str, str] = {}
    for key, job in run.jobs.items():
        if job.module:
            by_module.setdefault(job.module, key)
    rules = handlers(selected)["loss_call"]
    out: dict[str, list[dict[str, Any]]] = {}
    for key, res in pending:
        importer = Path(key)
        found: list[dict[str, Any]] = []
        for d in res["deferred"]:
            call = LossCall(d["family"], d["qual"], d["callee"], tuple(d["loc"]),
                            _operand(d["input"], run, by_module, importer),
                            _operand(d["target"], run, by_module, importer), autocast=d["autocast"])
            lines = {int(k): v for k, v in d.get("lines", {}).items()}
            ctx = RuleContext(None, found, [lines.get(i, "") for i in range(1, max(lines, default=0) + 1)])
            for rule in rules:
                rule.check(ctx, call)
        noqa = {int(k): v for k, v in res.get("noqa", {}).items()}
        kept = [f for f in found if not _suppress.is_suppressed(f["code"], f["line"], noqa)]
        if kept:
            out[key] = kept
    return out


def _operand(op: dict[str, Any] | None, run, by_module: dict[str, str], importer: Path) -> Operand | None:
    if op is None:
        return None
    loc = tuple(op["loc"])
    if not op.get("ext"):
        tags = frozenset(op["tags"])
        return Operand(Value(tags) if tags else None, op["text"], loc)
    found = _lookup(op["ext"][0], op["ext"][1], run, by_module, importer)
    if found is None:
        return Operand(None, op["text"], loc)
    summary, where = found
    tags = set(summary["tags"]) | {"model_output"}
    if op.get("half"):
        tags.add("half")
    meta: dict[str, Any] = {"via": f"{op['ext'][1]}.forward"}
    if summary.get("origin"):
        meta["origin"] = tuple(summary["origin"])
        job = run.jobs.get(where)
        meta["origin_file"] = job.display if job is not None else where
    for k in ("dim", "op"):
        if summary.get(k) is not None:
            meta[k] = summary[k]
    return Operand(Value(frozenset(tags), None, meta), op["text"], loc)


def _lookup(module: str, name: str, run, by_module: dict[str, str], importer: Path, depth: int = 0):
    if depth > 3 or not name:
        return None
    key = by_module.get(module)
    if key is None:
        # Script-style import of a sibling file: `from model import Net` next to train.py.
        base = importer.parent.joinpath(*module.split("."))
        for cand in (base.with_suffix(".py"), base / "__init__.py"):
            if str(cand) in run.results:
                key = str(cand)
                break
    if key is None:
        return None
    res = run.results.get(key) or {}
    cls = res.get("classes", {}).get(name)
    if cls is not None:
        return cls, key
    # A module that was never parsed (no mention of torch) may still re-export a class.
    exports = res.get("exports", {}) if res.get("parsed") else _imports_of(Path(key), run)
    exported = exports.get(name)
    if exported:
        return _lookup(exported[0], exported[1], run, by_module, Path(key), depth + 1)
    return None


def _imports_of(path: Path, run) -> dict[str, list[str]]:
    """Re-exports of a module that was skipped for never mentioning torch (a package's
    ``__init__.py``, typically); parsed here, on demand, once."""
    import ast

    memo = run.__dict__.setdefault("_reexports", {})
    if path in memo:
        return memo[path]
    out: dict[str, list[str]] = {}
    job = run.jobs.get(str(path))
    try:
        tree = ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    if tree is not None and job is not None:
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if node.level:
                    base = job.package.split(".") if job.package else []
                    if node.level > 1:
                        base = base[: max(0, len(base) - (node.level - 1))]
                    mod = ".".join([*base, mod] if mod else base)
                for alias in node.names:
                    out[alias.asname or alias.name] = [mod, alias.name]
    memo[path] = out
    return out
