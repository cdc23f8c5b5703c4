"""Placeholder: the lint surface is being built."""
