"""Run many small programs in one Python process and collect their tracebacks.

Importing torch once for the whole corpus keeps the torch-2.13 tests fast; each
program runs from its own file, so tracebacks name real files with real lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RUNNER = r'''
import json, runpy, sys, traceback, warnings
warnings.simplefilter("ignore")
out = {}
for path in json.load(open(sys.argv[1])):
    try:
        runpy.run_path(path, run_name="__main__")
        out[path] = None
    except BaseException:
        out[path] = traceback.format_exc()
json.dump(out, open(sys.argv[2], "w"))
'''


def run_programs(paths: list[Path], workdir: Path) -> dict[str, str | None]:
    """Traceback text of each program (None when it ran without raising)."""
    listing = workdir / "programs.json"
    result = workdir / "tracebacks.json"
    runner = workdir / "run_corpus.py"
    runner.write_text(RUNNER)
    listing.write_text(json.dumps([str(p) for p in paths]))
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run([sys.executable, str(runner), str(listing), str(result)], cwd=workdir,
                          capture_output=True, text=True, timeout=300, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"corpus runner failed:\n{proc.stderr[-4000:]}")
    return json.loads(result.read_text())
