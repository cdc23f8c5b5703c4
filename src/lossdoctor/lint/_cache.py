"""Results cache for unchanged files, in ``.lossdoctor_cache/`` at the project root.

One JSON file per settings fingerprint (lossdoctor version, selected codes),
mapping each path to the hash of its content and its lint result.  Writes go
to a temporary file that atomically replaces the old one, so concurrent runs
never see half a file (the last writer wins); anything unreadable is treated
as an empty cache and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

DIRNAME = ".lossdoctor_cache"
_FORMAT = 1


def content_key(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Cache:
    def __init__(self, root: Path, fingerprint: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.dir = root / DIRNAME
        self.file = self.dir / f"results-{fingerprint[:20]}.json"
        self.fingerprint = fingerprint
        self.entries: dict[str, list[Any]] = {}
        self.dirty = False
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with open(self.file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError):
            return
        if (isinstance(data, dict) and data.get("format") == _FORMAT and data.get("fingerprint") == self.fingerprint
                and isinstance(data.get("entries"), dict)):
            self.entries = data["entries"]

    def get(self, path: str, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        entry = self.entries.get(path)
        if isinstance(entry, list) and len(entry) == 2 and entry[0] == key and isinstance(entry[1], dict):
            return entry[1]
        return None

    def put(self, path: str, key: str, result: dict[str, Any]) -> None:
        if self.enabled:
            self.entries[path] = [key, result]
            self.dirty = True

    def save(self) -> None:
        if not (self.enabled and self.dirty):
            return
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            gitignore = self.dir / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Created by lossdoctor: the lint results cache.\n*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=".results-", suffix=".tmp", dir=self.dir)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump({"format": _FORMAT, "fingerprint": self.fingerprint, "entries": self.entries}, fh,
                              separators=(",", ":"))
                os.chmod(tmp, 0o644)
                os.replace(tmp, self.file)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a read-only tree still lints; it is just not cached
        self.dirty = False
