"""lossdoctor: find, explain and fix loss-function bugs in PyTorch classification code.

Importing this package does not import torch: the runtime surface (``check``,
``watch``, ``install``) loads it on first use, so ``lossdoctor lint`` and
``lossdoctor explain`` start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._errors import LossDoctorError, LossDoctorWarning, LossDoctorInternalWarning
from ._finding import Finding, Location

__version__ = "0.1.0"

__all__ = [
    "Finding",
    "Location",
    "LossDoctorError",
    "LossDoctorWarning",
    "LossDoctorInternalWarning",
    "Report",
    "Monitor",
    "check",
    "install_excepthook",
    "explain_exception",
    "watch",
    "install",
    "uninstall",
    "__version__",
]

# Runtime names, resolved lazily so that ``import lossdoctor`` never imports torch.
_LAZY = {
    "check": "lossdoctor.runtime",
    "watch": "lossdoctor.runtime",
    "install": "lossdoctor.runtime",
    "uninstall": "lossdoctor.runtime",
    "Report": "lossdoctor.runtime",
    "Monitor": "lossdoctor.monitor",
    "install_excepthook": "lossdoctor.explain",
    "explain_exception": "lossdoctor.explain",
    "load_ipython_extension": "lossdoctor.explain._ipython",
    "unload_ipython_extension": "lossdoctor.explain._ipython",
}

if TYPE_CHECKING:  # pragma: no cover
    from .runtime import Report, check, install, uninstall, watch


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lossdoctor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
