"""The runtime surface: checks on the real tensors of every loss call."""

from ._session import Report, check, install, installed, uninstall, watch

__all__ = ["Report", "check", "install", "installed", "uninstall", "watch"]
