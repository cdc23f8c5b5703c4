"""One report for a distributed run: per-rank JSON files, merged without collectives.

Under ``torchrun`` every rank runs lossdoctor on its own and never talks to the
other ranks (no ``torch.distributed`` call of lossdoctor's own, so it can never
hang or reorder the user's collectives).  Each rank writes its JSON report next
to the requested output with a rank suffix (``report.json`` ->
``report.rank1.json``); rank 0, when it ends, waits a bounded time for the
other ranks' files and writes the merged report to the output itself.  The
merged report lists each finding once, with the ranks it came from.

Lifecycle (what ``lossdoctor run`` calls)::

    info = distributed_rank()                 # None unless WORLD_SIZE > 1
    begin_rank_report(output, info)           # at start: drop this rank's stale file
    ...                                       # run the script
    merged = finish_rank_report(output, report, info, timeout=60)
    # rank 0: the merged report (also written to `output`); other ranks: None
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

DEFAULT_TIMEOUT = 60.0
# Rank files that started this long before rank 0 are left over from an earlier run.
STALE_SLACK = 120.0


class RankInfo(NamedTuple):
    rank: int
    world_size: int
    local_rank: int | None


def distributed_rank(environ: dict[str, str] | None = None) -> RankInfo | None:
    """The rank of this process from torchrun's environment, or None if not distributed."""
    env = os.environ if environ is None else environ
    try:
        rank = int(env.get("RANK", ""))
        world = int(env.get("WORLD_SIZE", ""))
    except ValueError:
        return None
    if world < 2 or not 0 <= rank < world:
        return None
    try:
        local = int(env["LOCAL_RANK"]) if env.get("LOCAL_RANK") else None
    except ValueError:
        local = None
    return RankInfo(rank, world, local)


def rank_report_path(output: str | os.PathLike, rank: int) -> Path:
    """``report.json`` -> ``report.rank1.json`` (the same folder, so every rank agrees on it)."""
    path = Path(output)
    suffix = path.suffix or ".json"
    return path.with_name(f"{path.stem if path.suffix else path.name}.rank{rank}{suffix}")


def begin_rank_report(output: str | os.PathLike, info: RankInfo) -> float:
    """Remove this rank's file of an earlier run; return the start time to pass to ``finish``."""
    try:
        rank_report_path(output, info.rank).unlink()
    except FileNotFoundError:
        pass
    except OSError:
        pass
    return time.time()


def write_rank_report(output: str | os.PathLike, report: dict[str, Any], info: RankInfo,
                      started: float | None = None) -> Path:
    """Write one rank's report atomically (a reader never sees half a file)."""
    path = rank_report_path(output, info.rank)
    data = dict(report)
    data["rank"] = info.rank
    data["world_size"] = info.world_size
    data["started"] = started if started is not None else data.get("started", time.time())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def gather_rank_reports(output: str | os.PathLike, world_size: int, *, own: dict[str, Any] | None = None,
                        started: float | None = None, timeout: float = DEFAULT_TIMEOUT,
                        poll: float = 0.05) -> dict[str, Any]:
    """Rank 0: wait up to ``timeout`` seconds for every rank's file, then merge what is there.

    ``own`` is rank 0's report (used instead of its file).  Ranks whose file did
    not arrive in time are listed under ``missing_ranks``.
    """
    reports: dict[int, dict[str, Any]] = {}
    if own is not None:
        reports[0] = dict(own, rank=0)
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        for rank in range(world_size):
            if rank in reports:
                continue
            report = _read_rank_file(rank_report_path(output, rank))
            if report is None:
                continue
            if started is not None and float(report.get("started", started)) < started - STALE_SLACK:
                continue  # an earlier run's file
            reports[rank] = report
        if len(reports) == world_size or time.monotonic() >= deadline:
            break
        time.sleep(poll)
    merged = merge_reports(reports[r] for r in sorted(reports))
    merged["world_size"] = world_size
    merged["missing_ranks"] = [r for r in range(world_size) if r not in reports]
    return merged


def finish_rank_report(output: str | os.PathLike, report: dict[str, Any], info: RankInfo,
                       *, started: float | None = None, timeout: float = DEFAULT_TIMEOUT,
                       render: Callable[[dict[str, Any]], str] | None = None,
                       write_output: bool = True) -> dict[str, Any] | None:
    """Write this rank's file; on rank 0 also gather, merge and write ``output``.

    ``render`` turns the merged report into the text written to ``output``
    (default: JSON).  Returns the merged report on rank 0 and None on the
    other ranks.
    """
    write_rank_report(output, report, info, started)
    if info.rank != 0:
        return None
    merged = gather_rank_reports(output, info.world_size, own=dict(report, started=started),
                                 started=started, timeout=timeout)
    if write_output:
        text = render(merged) if render is not None else json.dumps(merged, indent=2, default=str) + "\n"
        path = Path(output)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    return merged


class DistributedRun:
    """One rank of a torchrun job under ``lossdoctor run``: what the CLI needs, in two calls.

    ``DistributedRun.start(args.output)`` returns None outside a distributed run
    (then nothing changes).  Otherwise ``finish(report_dict, format=...)``
    writes this rank's JSON next to the output; on rank 0 it waits (bounded)
    for the other ranks, merges, writes the merged report to ``--output`` in
    the requested format, and returns the merged report's text when there is
    no ``--output`` (for the CLI to print).  Other ranks get None back and
    should print at most a one-line note.  Without ``--output`` the rank files
    go to a private temporary folder shared by the ranks of this machine
    (named after torchrun's process id), and the merged report is printed.
    """

    def __init__(self, info: RankInfo, path: Path, user_output: bool, started: float, timeout: float) -> None:
        self.info, self.path, self.user_output, self.started, self.timeout = info, path, user_output, started, timeout

    @classmethod
    def start(cls, output: str | os.PathLike | None, *, timeout: float = DEFAULT_TIMEOUT,
              environ: dict[str, str] | None = None) -> "DistributedRun | None":
        env = os.environ if environ is None else environ
        info = distributed_rank(env)
        if info is None:
            return None
        if output:
            path, user_output = Path(output), True
        else:
            local = env.get("LOCAL_WORLD_SIZE")
            if local is not None and local != env.get("WORLD_SIZE"):
                return None  # several machines and no shared output: each rank reports on its own
            import tempfile

            run = f"{os.getppid()}-{env.get('MASTER_PORT', '')}-{env.get('TORCHELASTIC_RUN_ID', '')}"
            path, user_output = Path(tempfile.gettempdir()) / f"lossdoctor-{run}" / "report.json", False
        started = begin_rank_report(path, info)
        return cls(info, path, user_output, started, timeout)

    @property
    def rank(self) -> int:
        return self.info.rank

    def finish(self, report: dict[str, Any], *, format: str = "json") -> str | None:
        render = (lambda merged: render_merged(merged, format))
        merged = finish_rank_report(self.path, report, self.info, started=self.started, timeout=self.timeout,
                                    render=render, write_output=self.user_output)
        if merged is None or self.user_output:
            return None
        for rank in range(self.info.world_size):  # the private folder is ours: leave nothing behind
            try:
                rank_report_path(self.path, rank).unlink()
            except OSError:
                pass
        try:
            self.path.parent.rmdir()
        except OSError:
            pass
        return render(merged)


def render_merged(merged: dict[str, Any], format: str = "json") -> str:
    """The merged report as JSON or as text."""
    if format == "json":
        return json.dumps(merged, indent=2, default=str) + "\n"
    from ._cli import render_merged_text

    return render_merged_text(merged)


def merge_reports(reports: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Combine per-rank JSON reports: each finding once, with the ranks it came from.

    Findings are the same when code, path and line agree (their messages may
    differ in numbers, e.g. the step; the lowest rank's message is kept and the
    others are listed under ``messages`` by rank).  ``count`` adds up; the exit
    code is the first non-zero one in rank order.
    """
    merged: dict[tuple, dict[str, Any]] = {}
    exit_codes: dict[str, Any] = {}
    ranks: list[int] = []
    for position, report in enumerate(reports):
        if not isinstance(report, dict):
            raise ValueError(f"report {position}: expected a JSON object, got {type(report).__name__}")
        rank = report.get("rank", position)
        ranks.append(rank)
        if "exit_code" in report:
            exit_codes[str(rank)] = report["exit_code"]
        findings = report.get("findings", [])
        if not isinstance(findings, list):
            raise ValueError(f"report of rank {rank}: 'findings' must be a list")
        for finding in findings:
            if not isinstance(finding, dict) or "code" not in finding:
                raise ValueError(f"report of rank {rank}: every finding needs a 'code'")
            key = (finding.get("code"), finding.get("path"), finding.get("line"))
            entry = merged.get(key)
            if entry is None:
                entry = {k: v for k, v in finding.items() if k not in ("rank",)}
                entry["ranks"] = []
                entry["messages"] = {}
                entry["count"] = 0
                merged[key] = entry
            if rank not in entry["ranks"]:
                entry["ranks"].append(rank)
            entry["count"] += int(finding.get("count", 1) or 1)
            message = finding.get("message")
            if message != entry.get("message"):
                entry["messages"][str(rank)] = message
    findings_out = []
    for entry in merged.values():
        entry["ranks"].sort()
        if not entry["messages"]:
            del entry["messages"]
        findings_out.append(entry)
    nonzero = [code for _, code in sorted(exit_codes.items(), key=lambda kv: _rank_order(kv[0])) if code]
    return {
        "findings": findings_out,
        "exit_code": nonzero[0] if nonzero else 0,
        "ranks": sorted(set(ranks), key=_rank_order),
        "exit_codes": exit_codes,
    }


def load_report(path: str | os.PathLike) -> dict[str, Any]:
    """Read a JSON report file, with a clear error for a file that is not one."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ValueError(f"{path} is not a lossdoctor JSON report (not UTF-8 text; a binary file?)") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings", []), list):
        raise ValueError(f"{path} is not a lossdoctor JSON report (no 'findings' list)")
    if "rank" not in data:
        rank = _rank_from_name(Path(path).name)
        if rank is not None:
            data["rank"] = rank
    return data


def _read_rank_file(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _rank_from_name(name: str) -> int | None:
    parts = name.split(".")
    for part in parts:
        if part.startswith("rank") and part[4:].isdigit():
            return int(part[4:])
    return None


def _rank_order(rank: Any) -> tuple[int, Any]:
    try:
        return (0, int(rank))
    except (TypeError, ValueError):
        return (1, str(rank))


__all__ = [
    "DistributedRun",
    "render_merged",
    "RankInfo",
    "distributed_rank",
    "rank_report_path",
    "begin_rank_report",
    "write_rank_report",
    "gather_rank_reports",
    "finish_rank_report",
    "merge_reports",
    "load_report",
]
