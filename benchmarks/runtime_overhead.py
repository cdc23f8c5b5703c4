"""What the runtime checks cost, measured in one run (quote the ratios, not the absolute times).

    python benchmarks/runtime_overhead.py [--repeat N]

For each case the plain call and the watched call are timed in alternating
rounds (so machine noise hits both alike) and the medians compared:

- `F.cross_entropy` alone vs under `watch()` for (64, 10), (256, 1000) and
  (32, 1000, 128) inputs, with value checks on every call (the CPU default)
  and with value checks on the accelerator stride (metadata checks only on
  most calls);
- one training step of a small MLP on CPU (forward, loss, backward, SGD step)
  without and with `watch()`, with and without the loss monitor.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor

torch.set_num_threads(1)  # steadier timings on shared machines


def _median_time(fn, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def compare(plain, watched_factory, rounds: int, inner: int) -> tuple[float, float]:
    """Median seconds per call of `plain` and of `plain` inside the watch() that `watched_factory` opens."""
    plain_t, watched_t = [], []
    for _ in range(3):  # warm up both paths
        plain()
    with watched_factory():
        for _ in range(3):
            plain()
    for _ in range(rounds):
        plain_t.append(_median_time(plain, inner))
        with watched_factory():
            watched_t.append(_median_time(plain, inner))
    return statistics.median(plain_t), statistics.median(watched_t)


def _watch(**kw):
    return lambda: lossdoctor.watch(mode="collect", **kw)


def loss_cases(rounds: int) -> list[tuple[str, float, float, float]]:
    torch.manual_seed(0)
    rows = []
    shapes = {"(64, 10)": ((64, 10), (64,)), "(256, 1000)": ((256, 1000), (256,)), "(32, 1000, 128)": ((32, 1000, 128), (32, 128))}
    for label, (xs, ts) in shapes.items():
        x = torch.randn(*xs, requires_grad=True)
        c = xs[1]
        y = torch.randint(0, c, ts)
        call = lambda x=x, y=y: F.cross_entropy(x, y)  # noqa: E731
        inner = max(1, int(2e-2 / max(_median_time(call, 3), 1e-7)))
        base, every = compare(call, _watch(monitor=False), rounds, inner)
        _, strided = compare(call, _watch(monitor=False, value_check_first=0, value_check_every=100), rounds, inner)
        rows.append((label, base, every, strided))
    return rows


def mlp_step_case(rounds: int):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X = torch.randn(128, 64)
    y = torch.randint(0, 10, (128,))
    crit = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = crit(model(X), y)
        loss.backward()
        opt.step()

    inner = max(1, int(5e-2 / max(_median_time(step, 3), 1e-7)))
    base, checked = compare(step, _watch(monitor=False), rounds, inner)
    _, monitored = compare(step, _watch(monitor=True), rounds, inner)
    return base, checked, monitored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="alternating rounds per case (default 15)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"lossdoctor {lossdoctor.__version__}, torch {torch.__version__}, python {sys.version.split()[0]}, 1 thread, CPU")
    print()
    print("F.cross_entropy per call          plain     watched (values every call)   watched (values on stride)")
    for label, base, every, strided in loss_cases(args.repeat):
        print(
            f"  {label:<30} {base * 1e6:8.1f} us  {every * 1e6:8.1f} us  overhead {100 * (every / base - 1):6.1f}%"
            f"   {strided * 1e6:8.1f} us  overhead {100 * (strided / base - 1):6.1f}%"
        )
    base, checked, monitored = mlp_step_case(args.repeat)
    print()
    print("MLP training step (128x64 -> 256 -> 256 -> 10, forward + CE + backward + SGD)")
    print(f"  plain                          {base * 1e6:8.1f} us")
    print(f"  watch(monitor=False)           {checked * 1e6:8.1f} us  overhead {100 * (checked / base - 1):6.2f}%")
    print(f"  watch() with the loss monitor  {monitored * 1e6:8.1f} us  overhead {100 * (monitored / base - 1):6.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
