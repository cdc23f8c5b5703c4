"""The results cache: reused for unchanged files, invalidated by content and settings,
robust to corruption and to runs at the same time."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from lossdoctor.lint import _config, _engine

from .conftest import FIXTURES, expectations


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    for name in ("LD101.py", "LD104.py", "LD604.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    return tmp_path


def lint(tree, select=None, use_cache=True):
    config = _config.find_config([str(tree)])
    selected = _engine.resolve_selection(select, [])
    return _engine.lint_paths([str(tree)], selected=selected, config=config, jobs=1, use_cache=use_cache)


def summary(run):
    return [(f.location.path, f.location.line, f.code, f.message) for f in run.findings]


def cache_files(tree):
    return sorted((tree / ".lossdoctor_cache").glob("results-*.json"))


def test_unchanged_files_come_from_the_cache(tree):
    cold = lint(tree)
    assert cold.cached == 0 and cache_files(tree)
    warm = lint(tree)
    assert warm.cached == 3
    assert summary(warm) == summary(cold)


def test_changed_content_is_linted_again(tree):
    lint(tree)
    (tree / "LD104.py").write_text("import torch\nx = torch.zeros(1)\n")
    run = lint(tree)
    assert run.cached == 2
    assert not [f for f in run.findings if f.location.path.endswith("LD104.py")]


def test_settings_are_part_of_the_key(tree):
    lint(tree)
    run = lint(tree, select=["LD104"])
    assert run.cached == 0 and {f.code for f in run.findings} == {"LD104"}
    assert len(cache_files(tree)) == 2


def test_no_cache_neither_reads_nor_writes(tree):
    lint(tree, use_cache=False)
    assert not (tree / ".lossdoctor_cache").exists()


@pytest.mark.parametrize("garbage", [b"", b"{not json", b"\x00\xff" * 100, b'{"format": 1, "entries": []}',
                                     b'[1, 2, 3]'])
def test_a_corrupt_cache_is_ignored_and_rewritten(tree, garbage):
    expected = summary(lint(tree))
    for f in cache_files(tree):
        f.write_bytes(garbage)
    assert summary(lint(tree)) == expected
    data = json.loads(cache_files(tree)[0].read_text())
    assert len(data["entries"]) == 3


def test_corrupt_entries_are_misses(tree):
    expected = summary(lint(tree))
    f = cache_files(tree)[0]
    data = json.loads(f.read_text())
    for key in data["entries"]:
        data["entries"][key] = ["wrong", None]
    f.write_text(json.dumps(data))
    run = lint(tree)
    assert run.cached == 0 and summary(run) == expected


def test_concurrent_runs(tree):
    for i in range(30):
        shutil.copy(FIXTURES / "LD101.py", tree / f"copy{i}.py")
    cmd = [sys.executable, "-m", "lossdoctor", "lint", ".", "--format", "json", "--jobs", "1"]
    procs = [subprocess.Popen(cmd, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 1 for p in procs), [o[1] for o in outs]
    results = [json.loads(o[0]) for o in outs]
    assert all(r == results[0] for r in results) and len(results[0]) >= 30 * len(expectations(FIXTURES / "LD101.py")[0])
    data = json.loads(cache_files(tree)[0].read_text())  # whole, valid JSON: the last writer won
    assert len(data["entries"]) == 33
    assert not list((tree / ".lossdoctor_cache").glob("*.tmp"))
