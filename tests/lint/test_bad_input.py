"""Bad input gives one clear line per file and the run goes on; never a traceback."""
from __future__ import annotations

import pytest

BUG = "import torch\nimport torch.nn.functional as F\nloss = F.cross_entropy(F.softmax(x, dim=1), y)\n"


@pytest.mark.parametrize("name, content, message", [
    ("broken.py", b"import torch\ndef f(:  # softmax\n", "broken.py:2:7: error: cannot parse: invalid syntax"),
    ("binary.py", b"torch\x00\x01\x02\xff" * 10, "binary.py:1:1: error: binary file (contains NUL bytes)"),
    ("latin.py", b"import torch\nname = '\xe9t\xe9'  # softmax\n", "latin.py:1:1: error: not valid UTF-8: byte 0xe9 at line 2"),
    ("nested.py", b"import torch  # softmax\nx = " + b"(" * 300 + b"1" + b")" * 300 + b"\n", "nested.py:2:"),
    ("deep.py", b"import torch  # softmax\nx = " + b"-" * 100000 + b"1\n", "deep.py:1:1: error: too deeply nested"),
    ("huge.py", b"import torch\n" + b"x = 1\n" * 2_000_000, "huge.py:1:1: error: file too large to lint"),
])
def test_bad_file_reports_and_run_continues(tmp_path, run_cli, name, content, message):
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.py").write_text(BUG)
    code, out, err = run_cli(".", "--no-cache", cwd=tmp_path)
    assert message in err
    assert "Traceback" not in err + out
    assert "good.py:3:24: LD101" in out  # the other file was still linted
    assert code == 1


def test_empty_file_named_explicitly_gets_a_note(tmp_path, run_cli):
    (tmp_path / "empty.py").write_text("")
    (tmp_path / "good.py").write_text(BUG)
    code, out, err = run_cli("empty.py", "good.py", "--no-cache", cwd=tmp_path)
    assert "empty.py: note: empty file, nothing to lint" in err
    assert "LD101" in out and code == 1


def test_empty_files_in_a_tree_are_quietly_skipped(tmp_path, run_cli):
    (tmp_path / "__init__.py").write_text("")
    code, out, err = run_cli(".", "--no-cache", cwd=tmp_path)
    assert code == 0 and err == ""


def test_declared_encoding_is_honoured(tmp_path, run_cli):
    (tmp_path / "enc.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + BUG.encode() + b"s = '\xe9'\n")
    code, out, err = run_cli("enc.py", "--no-cache", cwd=tmp_path)
    assert err == "" and "enc.py:4:24: LD101" in out


def test_broken_notebook(tmp_path, run_cli):
    (tmp_path / "nb.ipynb").write_text('{"cells": [torch, softmax')
    code, out, err = run_cli("nb.ipynb", "--no-cache", cwd=tmp_path)
    assert "nb.ipynb:1:1: error: not a valid notebook" in err and code == 1


def test_files_that_cannot_matter_are_not_parsed(tmp_path, run_cli):
    # Not Python at all, but it never mentions the library, or never names a loss,
    # a softmax or an activation: skipped before parsing.
    (tmp_path / "notes.py").write_text("this is not python (\n")
    (tmp_path / "io.py").write_text("import torch\nthis is not python (\n")
    code, out, err = run_cli(".", "--no-cache", cwd=tmp_path)
    assert code == 0 and err == ""
