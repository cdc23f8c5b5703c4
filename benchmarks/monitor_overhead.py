"""What the loss monitor costs per training step, measured in one run (quote the ratios).

    python benchmarks/monitor_overhead.py [--repeat N]

- ``Monitor.observe`` alone, per call, at the default stride (values read back
  in one batch every 64 calls) and at stride 1 (read back every call, which is
  what a per-step ``loss.item()`` would cost);
- one training step of a small MLP on CPU (forward, cross-entropy, backward,
  SGD step): plain; plain plus a direct ``Monitor.observe`` of the loss;
  under ``watch(monitor=False)`` (runtime checks only); under ``watch()``
  (checks and monitor).  The monitor's own cost is the difference between the
  last two, and between the first two.

Cases are timed in alternating rounds so that machine noise hits all alike;
medians are compared.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
import warnings

import torch
import torch.nn as nn

import lossdoctor
from lossdoctor.monitor import Monitor

torch.set_num_threads(1)  # steadier timings on shared machines


def per_call(fn, inner: int) -> float:
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return (time.perf_counter() - start) / inner


def alternate(cases: dict, rounds: int, inner: int) -> dict[str, float]:
    """Median seconds per call of each (setup-context, fn) case, timed in alternating rounds."""
    times: dict[str, list[float]] = {name: [] for name in cases}
    for name, (ctx, fn) in cases.items():  # warm up every path
        with ctx():
            per_call(fn, 3)
    for _ in range(rounds):
        for name, (ctx, fn) in cases.items():
            with ctx():
                times[name].append(per_call(fn, inner))
    return {name: statistics.median(ts) for name, ts in times.items()}


def observe_cost(rounds: int) -> dict[str, float]:
    w = torch.ones(10, requires_grad=True)
    loss = (w * 2).sum()  # a 0-dim loss tensor with a graph, like a real one
    batched, every = Monitor(), Monitor(stride=1)
    location = lossdoctor.Location("train.py", 1)

    def observe(m):
        return lambda: m.observe(("train.py", 1, "cross_entropy"), loss, loss_name="cross_entropy",
                                 num_classes=10, reduction="mean", location=location)

    def nothing():
        return None

    cases = {
        "empty loop": (contextlib.nullcontext, nothing),
        "observe, stride 64": (contextlib.nullcontext, observe(batched)),
        "observe, stride 1": (contextlib.nullcontext, observe(every)),
    }
    return alternate(cases, rounds, inner=2000)


def mlp_step_cost(rounds: int) -> dict[str, float]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    X = torch.randn(128, 64)
    y = torch.randint(0, 10, (128,))
    crit = nn.CrossEntropyLoss()
    monitor = Monitor()
    location = lossdoctor.Location("train.py", 1)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = crit(model(X), y)
        loss.backward()
        opt.step()
        return loss

    def step_observed():
        loss = step()
        monitor.observe(("train.py", 1, "cross_entropy"), loss, loss_name="cross_entropy", num_classes=10,
                        reduction="mean", location=location)

    def watch(**kw):
        return lambda: lossdoctor.watch(mode="collect", **kw)

    inner = max(1, int(5e-2 / max(per_call(step, 3), 1e-7)))
    cases = {
        "plain": (contextlib.nullcontext, step),
        "plain + Monitor.observe": (contextlib.nullcontext, step_observed),
        "watch(monitor=False)": (watch(monitor=False), step),
        "watch() (checks + monitor)": (watch(monitor=True), step),
    }
    return alternate(cases, rounds, inner)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="alternating rounds per case (default 15)")
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    print(f"lossdoctor {lossdoctor.__version__}, torch {torch.__version__}, python {sys.version.split()[0]}, 1 thread, CPU")
    print()
    t = observe_cost(args.repeat)
    empty = t["empty loop"]
    observe_us = (t["observe, stride 64"] - empty) * 1e6
    print("Monitor.observe per call (0-dim loss with a graph)")
    for name in ("observe, stride 64", "observe, stride 1"):
        print(f"  {name:<28} {(t[name] - empty) * 1e6:7.2f} us")
    print()
    t = mlp_step_cost(args.repeat)
    base = t["plain"]
    print("MLP training step (128x64 -> 256 -> 256 -> 10, forward + CE + backward + SGD)")
    for name, value in t.items():
        extra = "" if name == "plain" else f"  x{value / base:.4f}  ({100 * (value / base - 1):+.2f}%)"
        print(f"  {name:<28} {value * 1e6:8.1f} us{extra}")
    monitor_only = t["plain + Monitor.observe"] / base
    in_watch = t["watch() (checks + monitor)"] / t["watch(monitor=False)"]
    print()
    print(f"Monitor.observe at the default stride = {observe_us:.2f} us = {100 * observe_us / (base * 1e6):.3f}% "
          "of a plain MLP step (the steadiest figure on a busy machine)")
    print(f"monitor's added cost per step: {100 * (monitor_only - 1):+.2f}% of a plain step (direct observe), "
          f"{100 * (in_watch - 1):+.2f}% on top of the runtime checks (watch() vs watch(monitor=False))")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
