"""How fast `lossdoctor lint` is, against the floor of reading and parsing.

Usage: python benchmarks/lint_speed.py PATH [--repeat N]

In one run, on the same files: a plain loop that reads and `ast.parse`s every
file (the floor any AST linter pays), a cold lint on one process with no
cache, and a warm lint that finds every result in the cache.  Prints lines
per second and the two ratios the README quotes (targets: cold <= 1.5x the
parse loop; warm < 10% of cold).
"""

from __future__ import annotations

import argparse
import ast
import gc
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N runs of each")
    args = parser.parse_args(argv)

    from lossdoctor.lint import _config, _engine

    _engine.recursion_guard()
    with tempfile.TemporaryDirectory() as cache_root:
        config = _config.Config(root=Path(cache_root))
        jobs, _ = _engine.discover([args.path], config)
        files = [j.path for j in jobs]
        lines = sum(p.read_bytes().count(b"\n") for p in files)
        selected = _engine.resolve_selection(None, [])

        def parse_loop() -> None:
            for p in files:
                data = p.read_bytes()
                try:
                    ast.parse(data)
                except (SyntaxError, ValueError, RecursionError):
                    pass

        parsed: list[int] = []

        def cold() -> None:
            run = _engine.lint_paths([args.path], selected=selected, config=config, jobs=1, use_cache=False)
            parsed[:] = [sum(1 for r in run.results.values() if r.get("parsed"))]

        def cold_all_cores() -> None:
            _engine.lint_paths([args.path], selected=selected, config=config, jobs=None, use_cache=False)

        def warm() -> None:
            _engine.lint_paths([args.path], selected=selected, config=config, jobs=1, use_cache=True)

        def best(fn) -> float:
            times = []
            for _ in range(args.repeat):
                gc.collect()
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            return min(times)

        t_parse = best(parse_loop)
        t_cold = best(cold)
        t_cores = best(cold_all_cores)
        warm()  # fill the cache
        t_warm = best(warm)
        t_parse = min(t_parse, best(parse_loop))  # again, after the lints, to even out machine noise

    print(f"tree: {args.path}: {len(files)} files, {lines} lines; lint parsed {parsed[0]} of them "
          "(the others never mention torch, or name no loss, softmax or activation)")
    print(f"read + ast.parse loop : {t_parse:7.2f} s  {lines / t_parse:10,.0f} lines/s")
    print(f"lint, cold (1 job)    : {t_cold:7.2f} s  {lines / t_cold:10,.0f} lines/s  "
          f"{t_cold / t_parse:.2f}x the parse loop (target <= 1.5x)")
    print(f"lint, cold (all {_config.cpu_count()} cores): {t_cores:5.2f} s  {lines / t_cores:10,.0f} lines/s")
    print(f"lint, warm (cached)   : {t_warm:7.2f} s  {lines / t_warm:10,.0f} lines/s  "
          f"{100 * t_warm / t_cold:.1f}% of cold (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
