"""How fast `lossdoctor explain` is: start-up on a small traceback, and 10 MB inputs.

    python benchmarks/explain_speed.py

Prints wall-clock seconds (best of 3 runs, each a fresh process) for:
- a 4-line traceback (start-up dominated; torch is never imported);
- 10 MB of log noise with the traceback at the end (marker-free chunks are skipped);
- 10 MB of lines full of traceback markers (every line goes through the parser);
- 10 MB of random bytes (refused as binary after the first chunk).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time

TB = ('Traceback (most recent call last):\n  File "train.py", line 9, in <module>\n'
      '    loss = criterion(model(x), labels)\nIndexError: Target 10 is out of bounds.\n')


def best_of(path: str, n: int = 3) -> tuple[float, int]:
    times, rc = [], 0
    for _ in range(n):
        t = time.perf_counter()
        rc = subprocess.run([sys.executable, "-m", "lossdoctor", "explain", path], capture_output=True).returncode
        times.append(time.perf_counter() - t)
    return min(times), rc


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        small = os.path.join(d, "tb.txt")
        with open(small, "w") as f:
            f.write(TB)
        noise = os.path.join(d, "noise.log")
        line = "2024-05-01 12:00:00 INFO step 123 loss=2.302 lr=0.001 throughput=812.4 img/s\n"
        with open(noise, "w") as f:
            f.write(line * (10_000_000 // len(line)) + TB)
        dense = os.path.join(d, "dense.log")
        rng = random.Random(0)
        words = ["File", "Error", "line", "module.py", "in", "forward", "Traceback"]
        with open(dense, "w") as f:
            size = 0
            while size < 10_000_000:
                s = " ".join(rng.choice(words) for _ in range(12)) + "\n"
                f.write(s)
                size += len(s)
            f.write(TB)
        binary = os.path.join(d, "random.bin")
        with open(binary, "wb") as f:
            f.write(os.urandom(10_000_000))
        baseline = min(_t([sys.executable, "-c", "pass"]) for _ in range(3))
        print(f"python start-up (baseline)        {baseline:.3f} s")
        for label, path in [("4-line traceback", small), ("10 MB log noise + traceback", noise),
                            ("10 MB dense traceback markers", dense), ("10 MB random bytes", binary)]:
            t, rc = best_of(path)
            print(f"{label:<34}{t:.3f} s  (exit {rc})")


def _t(cmd: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, capture_output=True)
    return time.perf_counter() - t


if __name__ == "__main__":
    main()
