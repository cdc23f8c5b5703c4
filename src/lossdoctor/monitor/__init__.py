"""The training monitor: diagnoses that show only over time, framework callbacks, plots.

``Monitor`` watches loss values per call site (fed by ``watch()`` or by hand
through ``Monitor.update``) and reports ``loss-stuck-at-chance`` (LD701),
``negative-classification-loss`` (LD702), ``nonfinite-loss`` (LD502) and
``loss-not-decreasing`` (LD703), each tied to the runtime findings made at the
same call site.  ``lossdoctor.monitor.lightning`` and
``lossdoctor.monitor.transformers`` hold the framework callbacks;
``merge_reports`` combines the per-rank reports of a distributed run.

Importing this package does not import torch.
"""

from __future__ import annotations

from ._merge import (
    DistributedRun,
    RankInfo,
    begin_rank_report,
    distributed_rank,
    finish_rank_report,
    gather_rank_reports,
    load_report,
    merge_reports,
    rank_report_path,
    render_merged,
    write_rank_report,
)
from ._monitor import KNOWN_LOSSES, Monitor
from ._rules import Settings

__all__ = [
    "Monitor",
    "Settings",
    "KNOWN_LOSSES",
    "DistributedRun",
    "render_merged",
    "RankInfo",
    "distributed_rank",
    "begin_rank_report",
    "finish_rank_report",
    "gather_rank_reports",
    "write_rank_report",
    "rank_report_path",
    "merge_reports",
    "load_report",
]
