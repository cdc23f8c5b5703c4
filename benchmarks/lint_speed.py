"""How fast `lossdoctor lint` is, against the floor of reading and parsing.

Usage: python benchmarks/lint_speed.py PATH [--repeat N]

In one run, on the same files: a plain loop that reads and `ast.parse`s every
file (the floor any AST linter pays), a cold lint on one process with no
cache, and a warm lint that finds every result in the cache.  Prints lines
per second and the two ratios the README quotes (targets: cold <= 1.5x the
parse loop; warm < 10% of cold).

The single-process figures are CPU time of this process (`time.process_time`),
so other work on a shared machine does not skew the ratios; wall-clock time
is printed beside them, and the all-cores run is wall-clock only.
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

        def best(fn) -> tuple[float, float]:
            """(CPU seconds, wall seconds), best of --repeat runs."""
            cpu, wall = [], []
            for _ in range(args.repeat):
                gc.collect()
                c, t = time.process_time(), time.perf_counter()
                fn()
                cpu.append(time.process_time() - c)
                wall.append(time.perf_counter() - t)
            return min(cpu), min(wall)

        parse_1 = best(parse_loop)
        cold_t = best(cold)
        cores_t = best(cold_all_cores)
        warm()  # fill the cache
        warm_t = best(warm)
        parse_2 = best(parse_loop)  # again, after the lints, to even out machine noise
        parse_t = (min(parse_1[0], parse_2[0]), min(parse_1[1], parse_2[1]))

    print(f"tree: {args.path}: {len(files)} files, {lines} lines; lint parsed {parsed[0]} of them "
          "(the others never mention torch, or name no loss, softmax or activation)")
    def row(label: str, t: tuple[float, float], extra: str = "") -> None:
        print(f"{label:<24}: {t[0]:7.2f} s CPU ({t[1]:6.2f} s wall)  {lines / t[0]:10,.0f} lines/s{extra}")

    row("read + ast.parse loop", parse_t)
    row("lint, cold (1 process)", cold_t, f"  {cold_t[0] / parse_t[0]:.2f}x the parse loop (target <= 1.5x)")
    print(f"{'lint, cold (' + str(_config.cpu_count()) + ' processes)':<24}: {cores_t[1]:7.2f} s wall"
          f"{'':18}{lines / cores_t[1]:10,.0f} lines/s")
    row("lint, warm (cached)", warm_t, f"  {100 * warm_t[0] / cold_t[0]:.1f}% of cold (target < 10%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
