"""``[tool.lossdoctor]`` in pyproject.toml, found from the linted paths upward."""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_KEYS = {"select", "ignore", "extend-select", "exclude", "extend-exclude", "per-file-ignores"}


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    path: Path | None = None  # the pyproject.toml it came from
    root: Path = field(default_factory=Path.cwd)
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            raise ConfigError(f"{path}: reading pyproject.toml needs Python 3.11+ or the `tomli` package") from None
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def find_config(paths: list[str]) -> Config:
    """The nearest pyproject.toml with a [tool.lossdoctor] table above the first path."""
    start = Path(paths[0] if paths else ".").resolve()
    if not start.is_dir():
        start = start.parent
    fallback_root: Path | None = None
    for d in (start, *start.parents):
        candidate = d / "pyproject.toml"
        if candidate.is_file():
            try:
                mentions = "lossdoctor" in candidate.read_text(encoding="utf-8", errors="replace")
            except OSError:
                mentions = False
            # Only a file that names the tool is parsed (and so needs a TOML reader).
            table = _load_toml(candidate).get("tool", {}).get("lossdoctor") if mentions else None
            if table is not None:
                return _parse(table, candidate)
            fallback_root = fallback_root or d
        if (d / ".git").exists():
            fallback_root = fallback_root or d
            break
    return Config(root=fallback_root or Path.cwd())


def _parse(table: Any, path: Path) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.lossdoctor] must be a table")
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown [tool.lossdoctor] key(s): {', '.join(sorted(unknown))}")

    def strings(key: str) -> list[str]:
        v = table.get(key, [])
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{path}: [tool.lossdoctor] {key} must be a list of strings")
        return v

    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict) or not all(isinstance(v, list) for v in pfi.values()):
        raise ConfigError(f"{path}: [tool.lossdoctor] per-file-ignores must map patterns to lists of codes")
    return Config(path=path, root=path.parent, select=strings("select") if "select" in table else None,
                  ignore=strings("ignore"), extend_select=strings("extend-select"),
                  exclude=strings("exclude") + strings("extend-exclude"),
                  per_file_ignores={k: list(v) for k, v in pfi.items()})


def matches(path: Path, patterns: list[str], root: Path) -> bool:
    """gitignore-ish matching of a path against glob patterns, relative to the config root."""
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    parts = rel.split("/")
    for pat in patterns:
        p = pat.rstrip("/")
        if fnmatch.fnmatch(rel, p) or fnmatch.fnmatch(path.name, p):
            return True
        if "/" not in p and any(fnmatch.fnmatch(part, p) for part in parts):
            return True
        if fnmatch.fnmatch(rel, p + "/*") or rel.startswith(p + "/"):
            return True
    return False


def split_codes(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [c for v in value for c in split_codes(v)]
    return [c.strip() for c in value.split(",") if c.strip()]


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
