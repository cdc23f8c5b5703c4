"""Placeholder: the explain surface is being built."""
