"""`lossdoctor demo`: run the bundled buggy training scripts and show what is found.

Each script runs twice in this process: once as plain PyTorch (what the user
sees today: an obscure error, or nothing at all) and once under ``watch()``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import runpy
import sys
import warnings
from pathlib import Path

SCRIPTS = Path(__file__).parent / "scripts"


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME", help="run only these scripts (a number or part of a name)")
    parser.add_argument("--list", action="store_true", help="list the bundled scripts")
    parser.add_argument("--show-source", action="store_true", help="print each script before running it")


def scripts(names: list[str] | None = None) -> list[Path]:
    found = sorted(SCRIPTS.glob("[0-9]*.py"))
    if names:
        found = [p for p in found if any(_matches(p, n) for n in names)]
    return found


def _matches(path: Path, name: str) -> bool:
    number = path.stem.split("_", 1)[0]
    return number == name.zfill(2) if name.isdigit() else name.replace("-", "_") in path.stem


def _summary(path: Path) -> str:
    doc = (_docstring(path) or "").strip().splitlines()
    return doc[0] if doc else path.stem


def _docstring(path: Path) -> str | None:
    import ast

    try:
        return ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    except SyntaxError:
        return None


def _run_plain(path: Path) -> tuple[str, BaseException | None]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            runpy.run_path(str(path), run_name="__main__")
        except Exception as exc:  # the point of the demo: show PyTorch's own error
            return out.getvalue(), exc
    return out.getvalue(), None


def _run_watched(path: Path):
    from ..runtime import watch

    out = io.StringIO()
    err = None
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with watch(mode="collect") as report:
            try:
                runpy.run_path(str(path), run_name="__main__")
            except Exception as exc:
                err = exc
    return report, err


def main(command: str, args: argparse.Namespace) -> int:
    chosen = scripts(args.names)
    if args.list:
        for p in scripts():
            print(f"{p.stem:<28} {_summary(p)}")
        return 0
    if not chosen:
        print(f"lossdoctor demo: no bundled script matches {' '.join(args.names)}; `lossdoctor demo --list` lists them")
        return 2
    try:
        import torch  # noqa: F401
    except ImportError:
        print("lossdoctor demo needs torch: pip install torch (>= 2.1)", file=sys.stderr)
        return 2
    from .._errors import LossDoctorError

    print(f"lossdoctor demo: {len(chosen)} small training scripts, each run as plain PyTorch and then under lossdoctor.watch()\n")
    total = 0
    for i, path in enumerate(chosen, 1):
        print(f"[{i}/{len(chosen)}] {path.name}: {_summary(path)}")
        if args.show_source:
            for line in path.read_text(encoding="utf-8").splitlines():
                print(f"    | {line}")
        stdout, plain_err = _run_plain(path)
        if plain_err is not None:
            first = str(plain_err).strip().splitlines()[0] if str(plain_err).strip() else ""
            print(f"  PyTorch alone: {type(plain_err).__name__}: {first}")
        else:
            last = stdout.strip().splitlines()[-1] if stdout.strip() else "ran to the end"
            print(f"  PyTorch alone: no error ({last})")
        report, err = _run_watched(path)
        findings = report.findings
        if isinstance(err, LossDoctorError) and all(f.code != err.finding.code for f in findings):
            findings = [err.finding, *findings]
        if not findings:
            print("  lossdoctor:    nothing to report")
        for f in findings:
            total += 1
            where = f"{os.path.basename(f.location.path)}:{f.location.line}" if f.location else "?"
            stopped = " (stopped before PyTorch ran the call)" if f.loud else ""
            print(f"  lossdoctor:    {f.code} {f.name} [{f.severity}] at {where}{stopped}")
            print(f"                 {f.message}")
            if f.evidence:
                print(f"                 evidence: {f.evidence}")
            print(f"                 fix: {f.fix_title}")
        print()
    print(f"{total} findings in {len(chosen)} scripts. `lossdoctor rule CODE` explains a code; "
          "`lossdoctor run your_script.py` checks your own training.")
    return 0
