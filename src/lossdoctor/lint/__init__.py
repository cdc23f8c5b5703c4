"""``lossdoctor lint``: find loss bugs in source code without running it.

The engine parses each file once with the standard library's ``ast`` and
walks it once, following which names hold a loss, probabilities, logits,
one-hot targets, ... (``_walker``); rules registered against catalog codes
(``rules/``) turn what flows into a loss call into findings.  No torch
import, ever.

    >>> from lossdoctor.lint import lint_source
    >>> [f.code for f in lint_source("import torch\\nimport torch.nn.functional as F\\n"
    ...                              "def f(x, y):\\n    return F.cross_entropy(F.softmax(x, 1), y)\\n")]
    ['LD101']
"""

from __future__ import annotations

from typing import Any

from ._registry import lint_rule

__all__ = ["lint_rule", "lint_source", "lint_paths", "lint_codes"]


def lint_source(source: str, path: str = "<string>", select: list[str] | None = None) -> list[Any]:
    """Lint one program given as text; return its findings (``lossdoctor.Finding``)."""
    from ._engine import lint_text, resolve_selection, to_finding

    selected = resolve_selection(select, [])
    res = lint_text(source, selected=selected, path=path)
    if res.get("error"):
        from ._engine import UsageError

        raise UsageError(f"{path}:{res['error']['line']}: {res['error']['message']}")
    return [to_finding(f, path) for f in res["findings"] if f["code"] in selected]


def lint_paths(paths: list[str], **kwargs: Any):
    from ._engine import lint_paths as _lint_paths

    return _lint_paths(paths, **kwargs)


def lint_codes() -> list[str]:
    from ._engine import lint_codes as _codes

    return _codes()
