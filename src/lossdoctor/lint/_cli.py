"""``lossdoctor lint [PATHS]``: the command line of the static linter.

Imports nothing heavy at import time (never torch): the engine is loaded in
``main``.
"""

from __future__ import annotations

import argparse


def configure(command: str, parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to lint (default: .)")
    sel = parser.add_argument_group("rule selection")
    sel.add_argument("--select", action="append", metavar="CODES",
                     help="only these rules: codes (LD101), prefixes (LD1, ALL) or names, comma-separated")
    sel.add_argument("--ignore", action="append", default=[], metavar="CODES", help="skip these rules")
    sel.add_argument("--extend-select", action="append", default=[], metavar="CODES",
                     help="add rules to the selection")
    out = parser.add_argument_group("output")
    out.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text")
    out.add_argument("--statistics", action="store_true", help="count findings per rule")
    out.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary or source")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    fix = parser.add_argument_group("fixes")
    fix.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    fix.add_argument("--unsafe-fixes", action="store_true",
                     help="also offer (and with --fix, apply) fixes that change behaviour")
    fix.add_argument("--diff", action="store_true", help="show the fixes as a diff; write nothing")
    run = parser.add_argument_group("engine")
    run.add_argument("--jobs", "-j", type=int, default=None, metavar="N", help="processes to use (default: all cores)")
    run.add_argument("--no-cache", action="store_true", help="ignore and do not write .lossdoctor_cache/")


def main(command: str, args: argparse.Namespace) -> int:
    import sys

    from . import _config, _engine
    from ..report import render, render_statistics

    def fail(message: str) -> int:
        print(f"lossdoctor lint: error: {message}", file=sys.stderr)
        return 2

    paths = args.paths or ["."]
    if args.jobs is not None and args.jobs < 1:
        return fail("--jobs must be at least 1")
    try:
        config = _config.find_config(paths)
        select = _config.split_codes(args.select) if args.select else config.select
        selected = _engine.resolve_selection(select, [*config.ignore, *_config.split_codes(args.ignore)],
                                             [*config.extend_select, *_config.split_codes(args.extend_select)])
        for codes in config.per_file_ignores.values():
            _engine.resolve_selection(codes, [])
    except (_config.ConfigError, _engine.UsageError) as exc:
        return fail(str(exc))
    _engine.recursion_guard()
    try:
        lint = _engine.lint_paths(paths, selected=selected, config=config, jobs=args.jobs,
                                  use_cache=not args.no_cache)
        outcome = None
        if args.fix or args.diff:
            from ._fixer import fix_jobs

            fixable = {f.location.path for f in lint.findings if f.details.get("fix")}
            jobs = [j for j in lint.jobs.values() if j.display in fixable]
            outcome = fix_jobs(jobs, selected=selected, unsafe=args.unsafe_fixes, diff_only=args.diff,
                               config=config)
            if outcome.fixed and not args.diff:
                lint = _engine.lint_paths(paths, selected=selected, config=config, jobs=args.jobs,
                                          use_cache=not args.no_cache)
    except Exception as exc:  # pragma: no cover - last line of defence: no traceback for users
        return fail(f"internal error ({type(exc).__name__}: {exc}); please report it")

    for path, line, col, message in lint.errors:
        where = f"{path}:{line}:{col}" if line else path
        print(f"{where}: error: {message}", file=sys.stderr)
    if not args.quiet:
        for path, note in lint.notes:
            print(f"{path}: note: {note}", file=sys.stderr)
    if outcome is not None:
        for path, line, col, message in outcome.errors:
            print(f"{path}:{line}:{col}: error: {message}", file=sys.stderr)

    findings = lint.findings
    if args.diff and outcome is not None:
        sys.stdout.write("".join(outcome.diffs))
        if not args.quiet:
            n = outcome.fixed
            print(f"Would fix {n} finding{'s' if n != 1 else ''}." if n else "No fixes available.", file=sys.stderr)
        return 0 if args.exit_zero or not outcome.diffs else 1
    if args.statistics and args.format == "text":
        sys.stdout.write(render_statistics(findings))
    elif args.format == "text":
        sys.stdout.write(render(findings, "text", show_source=not args.quiet, show_fixes=not args.quiet,
                                unsafe_fixes=args.unsafe_fixes))
        if not args.quiet:
            _summary(findings, lint, outcome, args)
    elif args.format == "sarif":
        sys.stdout.write(render(findings, "sarif", errors=lint.errors) + "\n")
    else:
        sys.stdout.write(render(findings, args.format) + ("\n" if args.format == "json" else ""))

    failing = [f for f in findings if _engine.is_failure(f)]
    if args.exit_zero:
        return 0
    return 1 if failing or lint.errors else 0


def _summary(findings, lint, outcome, args) -> None:
    fixed = outcome.fixed if outcome is not None else 0
    n = len(findings)
    if n == 0 and not fixed:
        print("All checks passed!" if not lint.errors else "No findings (some files could not be linted).")
        return
    safe = sum(1 for f in findings if f.details.get("fix", {}).get("applicability") == "safe")
    unsafe = sum(1 for f in findings if f.details.get("fix", {}).get("applicability") == "unsafe")
    s = "s" if n != 1 else ""
    if fixed:
        print(f"Found {n + fixed} finding{'s' if n + fixed != 1 else ''} ({fixed} fixed, {n} remaining).")
    else:
        print(f"Found {n} finding{s}.")
    if safe:
        print(f"[*] {safe} fixable with `--fix`.")
    if unsafe and not args.unsafe_fixes:
        print(f"{unsafe} more fixable with `--fix --unsafe-fixes` (these change behaviour; review them).")
    elif unsafe:
        print(f"[*] {unsafe} fixable with `--fix --unsafe-fixes`.")
