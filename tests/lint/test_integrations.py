"""The flake8 plugin and the pre-commit hook, run with the real tools."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, expectations

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def test_flake8_plugin(tmp_path):
    pytest.importorskip("flake8")
    shutil.copy(FIXTURES / "LD101.py", tmp_path / "LD101.py")
    shutil.copy(FIXTURES / "LD604.py", tmp_path / "LD604.py")
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "LD", "LD101.py", "LD604.py"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert "LD101.py:11:28: LD101 " in proc.stdout
    assert sum(" LD101 " in ln for ln in lines) == len(expectations(FIXTURES / "LD101.py")[0]) and sum(" LD604 " in ln for ln in lines) == 2
    # flake8's own noqa handling works with the LD prefix.
    (tmp_path / "s.py").write_text("import torch.nn.functional as F\n"
                                   "F.cross_entropy(F.softmax(x, dim=1), y)  # noqa: LD101\n")
    proc = subprocess.run([sys.executable, "-m", "flake8", "--select", "LD", "s.py"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and proc.stdout == ""


def test_pre_commit_hook(tmp_path):
    pytest.importorskip("pre_commit")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    import yaml

    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    hook = dict(hooks[0])
    assert hook["id"] == "lossdoctor" and hook["language"] == "python"
    # Offline: the same hook as a local one, run from this environment.
    hook["language"] = "system"
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (tmp_path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    shutil.copy(FIXTURES / "LD101.py", tmp_path / "train.py")
    (tmp_path / "clean.py").write_text("import torch\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
           "PRE_COMMIT_HOME": str(tmp_path / ".pre-commit-home"), "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com"}
    run = lambda *cmd: subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert run("git", "init", "-q").returncode == 0
    run("git", "add", "train.py", "clean.py", ".pre-commit-config.yaml")
    proc = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "lossdoctor lint" in proc.stdout and "Failed" in proc.stdout
    assert "train.py:11:28: LD101" in proc.stdout
    (tmp_path / "train.py").write_text("import torch\n")
    run("git", "add", "train.py")
    proc = run(sys.executable, "-m", "pre_commit", "run", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout
