"""Per-rank reports and their merge (no processes here; the real torchrun run is in test_monitor_distributed)."""

from __future__ import annotations

import argparse
import json
import os
import threading
import time

import pytest

from lossdoctor.monitor import (
    RankInfo,
    begin_rank_report,
    distributed_rank,
    finish_rank_report,
    gather_rank_reports,
    load_report,
    merge_reports,
    rank_report_path,
    write_rank_report,
)
from lossdoctor.monitor import _cli


def finding(code, line, message="m", count=1, path="train.py"):
    return {"code": code, "name": code.lower(), "severity": "error", "message": message, "fix": "f",
            "evidence": "", "path": path, "line": line, "count": count}


def test_distributed_rank_reads_torchrun_environment():
    assert distributed_rank({}) is None
    assert distributed_rank({"RANK": "0", "WORLD_SIZE": "1"}) is None  # one process: nothing to merge
    assert distributed_rank({"RANK": "1", "WORLD_SIZE": "2", "LOCAL_RANK": "1"}) == RankInfo(1, 2, 1)
    assert distributed_rank({"RANK": "x", "WORLD_SIZE": "2"}) is None
    assert distributed_rank({"RANK": "2", "WORLD_SIZE": "2"}) is None


def test_rank_paths_sit_next_to_the_output(tmp_path):
    assert rank_report_path(tmp_path / "report.json", 1) == tmp_path / "report.rank1.json"
    assert rank_report_path(tmp_path / "out", 0) == tmp_path / "out.rank0.json"


def test_merge_lists_each_finding_once_with_its_ranks():
    r0 = {"rank": 0, "exit_code": 0, "findings": [finding("LD101", 12), finding("LD702", 30, "at step 2", 5)]}
    r1 = {"rank": 1, "exit_code": 0, "findings": [finding("LD101", 12), finding("LD702", 30, "at step 4", 7),
                                                  finding("LD301", 40)]}
    merged = merge_reports([r0, r1])
    by = {f["code"]: f for f in merged["findings"]}
    assert [f["code"] for f in merged["findings"]] == ["LD101", "LD702", "LD301"]
    assert by["LD101"]["ranks"] == [0, 1] and "messages" not in by["LD101"]
    assert by["LD702"]["ranks"] == [0, 1] and by["LD702"]["count"] == 12
    assert by["LD702"]["message"] == "at step 2" and by["LD702"]["messages"] == {"1": "at step 4"}
    assert by["LD301"]["ranks"] == [1]
    assert merged["ranks"] == [0, 1] and merged["exit_code"] == 0


def test_merge_exit_code_is_the_first_failing_rank():
    merged = merge_reports([{"rank": 0, "exit_code": 0, "findings": []},
                            {"rank": 1, "exit_code": 3, "findings": []},
                            {"rank": 2, "exit_code": 1, "findings": []}])
    assert merged["exit_code"] == 3
    assert merged["exit_codes"] == {"0": 0, "1": 3, "2": 1}


def test_merge_rejects_what_is_not_a_report():
    with pytest.raises(ValueError, match="expected a JSON object"):
        merge_reports([[1, 2]])
    with pytest.raises(ValueError, match="every finding needs a 'code'"):
        merge_reports([{"findings": [{"message": "x"}]}])


def test_rank0_gathers_the_other_ranks_files(tmp_path):
    out = tmp_path / "report.json"
    started = time.time()
    write_rank_report(out, {"findings": [finding("LD101", 1)], "exit_code": 0}, RankInfo(1, 2, 1), started)
    merged = finish_rank_report(out, {"findings": [finding("LD101", 1)], "exit_code": 0}, RankInfo(0, 2, 0),
                                started=started, timeout=5)
    assert merged["findings"][0]["ranks"] == [0, 1]
    assert merged["missing_ranks"] == []
    assert json.loads(out.read_text()) == merged
    assert rank_report_path(out, 0).exists()


def test_rank0_waits_for_a_late_rank_within_its_bound(tmp_path):
    out = tmp_path / "report.json"
    started = time.time()

    def late():
        time.sleep(0.5)
        write_rank_report(out, {"findings": [finding("LD702", 9)], "exit_code": 0}, RankInfo(1, 2, 1), started)

    t = threading.Thread(target=late)
    t.start()
    merged = finish_rank_report(out, {"findings": [], "exit_code": 0}, RankInfo(0, 2, 0), started=started, timeout=20)
    t.join()
    assert [f["ranks"] for f in merged["findings"]] == [[1]]


def test_rank0_gives_up_after_the_timeout_and_says_which_rank_is_missing(tmp_path):
    out = tmp_path / "report.json"
    t0 = time.monotonic()
    merged = finish_rank_report(out, {"findings": [], "exit_code": 0}, RankInfo(0, 3, 0), started=time.time(), timeout=0.3)
    assert time.monotonic() - t0 < 5
    assert merged["missing_ranks"] == [1, 2]


def test_stale_rank_files_of_an_earlier_run_are_ignored_or_removed(tmp_path):
    out = tmp_path / "report.json"
    old = time.time() - 3600
    write_rank_report(out, {"findings": [finding("LD999", 1)], "exit_code": 0}, RankInfo(1, 2, 1), old)
    merged = gather_rank_reports(out, 2, own={"findings": []}, started=time.time(), timeout=0.2)
    assert merged["findings"] == [] and merged["missing_ranks"] == [1]
    begin_rank_report(out, RankInfo(1, 2, 1))
    assert not rank_report_path(out, 1).exists()


def test_other_ranks_only_write_their_file(tmp_path):
    out = tmp_path / "report.json"
    assert finish_rank_report(out, {"findings": []}, RankInfo(1, 2, 1), started=time.time()) is None
    assert not out.exists()
    assert json.loads(rank_report_path(out, 1).read_text())["rank"] == 1


def test_load_report_errors_are_clear(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match="is not JSON"):
        load_report(bad)
    other = tmp_path / "other.json"
    other.write_text('{"findings": 3}')
    with pytest.raises(ValueError, match="not a lossdoctor JSON report"):
        load_report(other)
    with pytest.raises(ValueError, match="cannot read"):
        load_report(tmp_path / "missing.json")
    named = tmp_path / "r.rank4.json"
    named.write_text('{"findings": []}')
    assert load_report(named)["rank"] == 4


def cli(*argv):
    parser = argparse.ArgumentParser()
    _cli.configure("merge", parser)
    return _cli.main("merge", parser.parse_args(list(argv)))


def test_merge_command(tmp_path, capsys):
    for rank in (0, 1):
        write_rank_report(tmp_path / "r.json", {"findings": [finding("LD101", 3)], "exit_code": 0},
                          RankInfo(rank, 2, rank), time.time())
    files = [str(rank_report_path(tmp_path / "r.json", r)) for r in (0, 1)]
    assert cli(*files, "-o", str(tmp_path / "merged.json")) == 0
    assert json.loads((tmp_path / "merged.json").read_text())["findings"][0]["ranks"] == [0, 1]
    assert cli(*files, "--format", "text") == 0
    out = capsys.readouterr().out
    assert "1 finding from 2 ranks" in out and "(rank 0, 1)" in out


def test_merge_command_bad_file_exits_2_with_a_message(tmp_path, capsys):
    assert cli(str(tmp_path / "nope.json")) == 2
    assert "lossdoctor merge: cannot read" in capsys.readouterr().err


def env(rank, world=2, **extra):
    return {"RANK": str(rank), "WORLD_SIZE": str(world), "LOCAL_RANK": str(rank), "LOCAL_WORLD_SIZE": str(world),
            "MASTER_PORT": "29555", **extra}


def test_distributed_run_is_none_outside_torchrun():
    from lossdoctor.monitor import DistributedRun

    assert DistributedRun.start("out.json", environ={}) is None
    assert DistributedRun.start(None, environ={"RANK": "0", "WORLD_SIZE": "1"}) is None
    # several machines and no --output: no shared place to merge in, each rank reports alone
    assert DistributedRun.start(None, environ=env(0, world=4, LOCAL_WORLD_SIZE="2")) is None


def test_distributed_run_with_output_writes_the_merged_report_in_the_asked_format(tmp_path):
    from lossdoctor.monitor import DistributedRun

    out = tmp_path / "report.txt"
    runs = [DistributedRun.start(out, environ=env(r), timeout=10) for r in (0, 1)]
    assert runs[1].finish({"findings": [finding("LD101", 5)], "exit_code": 0}, format="text") is None
    assert runs[0].finish({"findings": [finding("LD101", 5)], "exit_code": 0}, format="text") is None
    text = out.read_text()
    assert "1 finding from 2 ranks" in text and "LD101" in text and "(rank 0, 1)" in text


def test_distributed_run_without_output_returns_the_merged_text_on_rank_0(tmp_path):
    from lossdoctor.monitor import DistributedRun

    tag = str(os.getpid())
    runs = [DistributedRun.start(None, environ=env(r, TORCHELASTIC_RUN_ID=tag), timeout=10) for r in (0, 1)]
    assert runs[0].path == runs[1].path and runs[0].path.parent.name.startswith("lossdoctor-")
    assert runs[1].finish({"findings": [finding("LD702", 8)], "exit_code": 0}) is None
    merged = json.loads(runs[0].finish({"findings": [], "exit_code": 0}))
    assert merged["findings"][0]["ranks"] == [1]
    assert not runs[0].path.parent.exists()  # no --output: nothing left behind
