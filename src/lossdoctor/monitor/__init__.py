"""Placeholder: the training monitor is being built."""
