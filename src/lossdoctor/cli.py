"""The ``lossdoctor`` command line.

Each subcommand lives with its surface, in a small ``_cli`` module that exposes
``configure(parser)`` and ``main(args) -> int``; those modules import nothing
heavy (never torch) at import time, so ``lossdoctor lint``/``explain``/``rule``
start fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__

# name -> (module, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("lossdoctor.runtime._cli", "run a Python script with every loss call checked"),
    "demo": ("lossdoctor.demo._cli", "run the bundled buggy training scripts and show what lossdoctor finds"),
    "lint": ("lossdoctor.lint._cli", "find loss bugs in source code without running it"),
    "explain": ("lossdoctor.explain._cli", "explain a PyTorch loss error from a traceback or message"),
    "merge": ("lossdoctor.monitor._cli", "merge the per-rank reports of a distributed run into one"),
    "rules": ("lossdoctor.catalog._cli", "list every diagnosis"),
    "rule": ("lossdoctor.catalog._cli", "show one diagnosis: why it is wrong and how to fix it"),
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, object]]:
    parser = argparse.ArgumentParser(
        prog="lossdoctor",
        description="Find, explain and fix loss-function bugs in PyTorch classification code.",
    )
    parser.add_argument("--version", action="version", version=f"lossdoctor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules: dict[str, object] = {}
    for name, (module_name, help_) in SUBCOMMANDS.items():
        module = importlib.import_module(module_name)
        sp = sub.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".")
        module.configure(name, sp)
        modules[name] = module
    return parser, modules


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, modules = build_parser()
    # `run` passes everything after the script name through untouched.
    args = parser.parse_args(argv) if not _is_run(argv) else _parse_run(parser, argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(modules[args.command].main(args.command, args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _is_run(argv: list[str]) -> bool:
    return bool(argv) and argv[0] == "run"


def _parse_run(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    from .runtime._cli import split_run_argv

    own, target = split_run_argv(argv[1:])
    args = parser.parse_args(["run", *own])
    args.target = target
    return args


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
