"""flake8 plugin: ``flake8 --select LD`` runs lossdoctor's lint rules.

Registered under the ``flake8.extension`` entry point with the prefix ``LD``.
flake8 lints file by file, so findings that need another module of the tree
(a model class imported from elsewhere) are only made by ``lossdoctor lint``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .. import __version__


class LossDoctorChecker:
    name = "lossdoctor"
    version = __version__

    def __init__(self, tree: ast.Module, filename: str, lines: list[str]) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type[Any]]]:
        from ._engine import lint_text, module_name, recursion_guard

        text = "".join(self.lines)
        if "torch" not in text:
            return
        recursion_guard()
        module = package = ""
        if self.filename not in ("stdin", "-", "<stdin>"):
            try:
                module, package = module_name(Path(self.filename))
            except OSError:
                pass
        res = lint_text(text, module=module, package=package, path=self.filename, tree=self.tree)
        for f in res["findings"]:
            yield f["line"], f["column"] - 1, f"{f['code']} {f['message']}", type(self)
