"""What the runtime checks cost, measured in one run (quote the ratios, not the absolute times).

    python benchmarks/runtime_overhead.py [--repeat N]

For each case the plain call and the watched call are timed in alternating
rounds, as CPU time of this thread (torch runs on one thread here), so other
processes on a shared machine skew both alike; the overhead is the median of
the paired differences:

- `F.cross_entropy` alone vs under `watch()` for (64, 10), (256, 1000) and
  (32, 1000, 128) inputs, at the default settings (value checks on the first
  8 calls from a site, then every 10th), with metadata checks only, and with
  value checks on every call;
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
    start = time.thread_time()
    for _ in range(inner):
        fn()
    return (time.thread_time() - start) / inner


def compare(make_call, watch_factory, rounds: int, inner: int) -> tuple[float, float]:
    """CPU seconds per call, plain and checked, from paired alternating rounds inside one session.

    ``make_call(fn)`` returns a thunk calling the loss through ``fn``; the plain
    thunk holds the original ``F.cross_entropy``, the checked one the function
    ``watch()`` installed, so both run in the same long-lived session (as in a
    training run, where the first-calls value checks are long past).  Each round
    times both back to back; the overhead is the median of the paired
    differences, which cancels the machine's slow drifts.
    """
    plain = make_call(F.cross_entropy)
    plain_t, diffs = [], []
    with watch_factory():
        checked = make_call(F.cross_entropy)
        for _ in range(50):  # past the first value-checked calls of the call site
            checked()
            plain()
        for r in range(rounds):
            if r % 2:
                p = _median_time(plain, inner)
                c = _median_time(checked, inner)
            else:
                c = _median_time(checked, inner)
                p = _median_time(plain, inner)
            plain_t.append(p)
            diffs.append(c - p)
    base = statistics.median(plain_t)
    return base, base + statistics.median(diffs)


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
        make = lambda fn, x=x, y=y: (lambda: fn(x, y))  # noqa: E731
        inner = max(1, int(2e-2 / max(_median_time(make(F.cross_entropy), 3), 1e-7)))
        base, default = compare(make, _watch(monitor=False), rounds, inner)
        _, metadata = compare(make, _watch(monitor=False, value_check_first=0, value_check_every=0), rounds, inner)
        _, every = compare(make, _watch(monitor=False, value_check_first=0, value_check_every=1), rounds, inner)
        rows.append((label, base, default, metadata, every))
    return rows


def mlp_step_case(rounds: int):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X = torch.randn(128, 64)
    y = torch.randint(0, 10, (128,))

    def make(loss_fn):
        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(X), y)
            loss.backward()
            opt.step()

        return step

    inner = max(1, int(5e-2 / max(_median_time(make(F.cross_entropy), 3), 1e-7)))
    base, checked = compare(make, _watch(monitor=False), rounds, inner)
    _, monitored = compare(make, _watch(monitor=True), rounds, inner)
    return base, checked, monitored


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="alternating rounds per case (default 40)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"lossdoctor {lossdoctor.__version__}, torch {torch.__version__}, python {sys.version.split()[0]}, 1 thread, CPU")
    print()
    print("F.cross_entropy, CPU time per call, and the overhead of watch() as % of the plain call")
    print(f"  {'input':<16} {'plain':>10}   {'default':>16}   {'metadata only':>16}   {'values every call':>17}")
    for label, base, default, metadata, every in loss_cases(args.repeat):
        cells = [f"{t * 1e6:7.1f} us {100 * (t / base - 1):+5.0f}%" for t in (default, metadata, every)]
        print(f"  {label:<16} {base * 1e6:7.1f} us   {cells[0]:>16}   {cells[1]:>16}   {cells[2]:>17}")
    base, checked, monitored = mlp_step_case(args.repeat)
    print()
    print("MLP training step on CPU (128x64 -> 256 -> 256 -> 10: forward, CE, backward, SGD), default settings")
    print(f"  plain                          {base * 1e6:8.1f} us")
    print(f"  watch(monitor=False)           {checked * 1e6:8.1f} us  overhead {100 * (checked / base - 1):6.2f}%")
    print(f"  watch() with the loss monitor  {monitored * 1e6:8.1f} us  overhead {100 * (monitored / base - 1):6.2f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
