"""The runtime surface: checks on the real tensors of every loss call.

The names below load torch on first use; importing this package (as the CLI
does to register `lossdoctor run`) does not.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Report", "check", "install", "installed", "uninstall", "watch"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import _session

        return getattr(_session, name)
    raise AttributeError(f"module 'lossdoctor.runtime' has no attribute {name!r}")
