"""Helpers shared by the test suite (on sys.path through pytest's `pythonpath`)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd=None, env: dict | None = None, timeout: int = 180, input: str | None = None):
    """Run the CLI as users do (`python -m lossdoctor ...`) in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "lossdoctor", *args],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, input=input,
    )


def run_example(source: str, mode: str = "collect", filename: str = "<example>"):
    """Exec a program under lossdoctor.watch(); return (report, the exception it raised or None)."""
    import lossdoctor

    namespace: dict = {"__name__": "__main__"}
    code = compile(source, filename, "exec")
    err = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lossdoctor.watch(mode=mode) as report:
            try:
                exec(code, namespace)
            except Exception as exc:  # loud bugs raise by design
                err = exc
    return report, err


def found_codes(report, err=None) -> set[str]:
    codes = {f.code for f in report.findings}
    finding = getattr(err, "finding", None)
    if finding is not None:
        codes.add(finding.code)
    return codes
