"""Lint rules, grouped by theme like the catalog (importing this registers them all)."""

from . import activations, api, numerics, shapes, targets  # noqa: F401
