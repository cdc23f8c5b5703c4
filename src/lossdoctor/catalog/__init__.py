"""Every diagnosis lossdoctor can make, as data.

This is the one source of truth shared by the runtime checks, the linter, the
explainer and the monitor.  Codes and names are a public contract: never
renumber or rename one.
"""

from __future__ import annotations

from collections.abc import Iterator

from ._model import SEVERITIES, SURFACES, Diagnosis
from ._activations import ENTRIES as _ACTIVATIONS
from ._targets import ENTRIES as _TARGETS
from ._values import ENTRIES as _VALUES
from ._shapes import ENTRIES as _SHAPES
from ._numerics import ENTRIES as _NUMERICS
from ._api import ENTRIES as _API
from ._dynamics import ENTRIES as _DYNAMICS

__all__ = ["Diagnosis", "SEVERITIES", "SURFACES", "all_diagnoses", "get", "find", "codes"]

_BY_CODE: dict[str, Diagnosis] = {}
_BY_NAME: dict[str, Diagnosis] = {}

for _entry in (*_ACTIVATIONS, *_TARGETS, *_VALUES, *_SHAPES, *_NUMERICS, *_API, *_DYNAMICS):
    if _entry.code in _BY_CODE:
        raise RuntimeError(f"duplicate diagnosis code {_entry.code}")
    if _entry.name in _BY_NAME:
        raise RuntimeError(f"duplicate diagnosis name {_entry.name}")
    _BY_CODE[_entry.code] = _entry
    _BY_NAME[_entry.name] = _entry


def all_diagnoses() -> Iterator[Diagnosis]:
    """Every diagnosis, in code order."""
    for code in sorted(_BY_CODE):
        yield _BY_CODE[code]


def codes() -> list[str]:
    return sorted(_BY_CODE)


def find(code_or_name: str) -> Diagnosis | None:
    """Look a diagnosis up by code (``LD101``, case-insensitive) or name."""
    key = code_or_name.strip()
    return _BY_CODE.get(key.upper()) or _BY_NAME.get(key.lower().replace("_", "-"))


def get(code_or_name: str) -> Diagnosis:
    """Like :func:`find`, but raise ``KeyError`` for an unknown code or name."""
    entry = find(code_or_name)
    if entry is None:
        raise KeyError(code_or_name)
    return entry
