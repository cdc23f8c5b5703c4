"""A tiny DistributedDataParallel training script (gloo, CPU) for the torchrun tests.

Every rank feeds raw logits to NLLLoss (LD102, then LD702 from the monitor);
rank 1 alone also squashes with a sigmoid before BCEWithLogits (LD105).
With ``--watch OUT`` the script itself runs under lossdoctor.watch() and hands
its report to lossdoctor.monitor.finish_rank_report; without it, it is a plain
script for ``lossdoctor run``.
"""

import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def main() -> int:
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)
    model = nn.parallel.DistributedDataParallel(nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4)))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    g = torch.Generator().manual_seed(100 + rank)
    criterion = nn.NLLLoss()
    for _ in range(12):
        x = torch.randn(32, 8, generator=g)
        y = torch.randint(0, 4, (32,), generator=g)
        logits = model(x)
        loss = criterion(logits, y)
        if rank == 1:
            loss = loss + 0.0 * F.binary_cross_entropy_with_logits(torch.sigmoid(logits[:, 0]), (y == 0).float())  # noqa: LD105 (the bug under test)
        opt.zero_grad()
        loss.backward()
        opt.step()
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--watch":
        import time

        import lossdoctor
        from lossdoctor.monitor import begin_rank_report, distributed_rank, finish_rank_report

        out = sys.argv[2]
        info = distributed_rank()
        started = begin_rank_report(out, info)
        with lossdoctor.watch("collect") as report:
            code = main()
        data = {"findings": report.to_dicts(), "exit_code": code, "calls": report.calls}
        finish_rank_report(out, data, info, started=started, timeout=60)
        sys.exit(code)
    sys.exit(main())
