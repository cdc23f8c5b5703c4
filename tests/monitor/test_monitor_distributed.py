"""Real 2-process runs under torchrun (gloo on CPU): every rank checked, one merged report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("ddp_train.py")
ROOT = Path(__file__).resolve().parents[2]


def torchrun(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
    )


def by_code(merged):
    return {f["code"]: f for f in merged["findings"]}


def test_watch_on_every_rank_and_one_merged_report(tmp_path):
    out = tmp_path / "report.json"
    proc = torchrun(str(SCRIPT), "--watch", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    merged = json.loads(out.read_text())
    found = by_code(merged)
    assert merged["ranks"] == [0, 1] and merged["missing_ranks"] == [] and merged["exit_code"] == 0
    # each finding once, with the ranks it came from
    assert sorted(found) == ["LD102", "LD105", "LD702"]
    assert len(merged["findings"]) == 3
    assert found["LD102"]["ranks"] == [0, 1]
    assert found["LD702"]["ranks"] == [0, 1]
    assert found["LD105"]["ranks"] == [1]
    assert found["LD102"]["path"] == str(SCRIPT) and found["LD102"]["line"] == found["LD702"]["line"]
    # the per-rank files stay for inspection, each tagged with its rank
    for rank in (0, 1):
        data = json.loads((tmp_path / f"report.rank{rank}.json").read_text())
        assert data["rank"] == rank and data["world_size"] == 2


def test_lossdoctor_run_under_torchrun_merges_on_rank_0(tmp_path):
    out = tmp_path / "report.json"
    proc = torchrun("-m", "lossdoctor", "run", "--mode", "collect", "--format", "json", "--output", str(out),
                    str(SCRIPT), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    merged = json.loads(out.read_text())
    found = by_code(merged)
    assert found["LD102"]["ranks"] == [0, 1] and found["LD702"]["ranks"] == [0, 1] and found["LD105"]["ranks"] == [1]
    assert len(merged["findings"]) == 3
