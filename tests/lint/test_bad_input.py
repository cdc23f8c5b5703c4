"""Bad input gives one clear line per file and the run goes on; never a traceback."""
from __future__ import annotations

import pytest

BUG = "import torch\nimport torch.nn.functional as F\nloss = F.cross_entropy(F.softmax(x, dim=1), y)\n"


DEEP_CHAIN = b"import torch\nimport torch.nn as nn\nact = nn.ReLU()\nx = a" + b".b" * 3000 + b"\ny = 1\n"


# None of these names a loss, softmax or activation: a PyTorch file that does
# not parse is reported all the same.
@pytest.mark.parametrize("name, content, message", [
    ("broken.py", b"import torch\ndef f(:\n", "broken.py:2:7: error: cannot parse: invalid syntax"),
    ("unclosed.py", b"import torch\nx = (\n", "unclosed.py:2:5: error: cannot parse: '(' was never closed"),
    ("binary.py", b"torch\x00\x01\x02\xff" * 10, "binary.py:1:1: error: binary file (contains NUL bytes)"),
    ("latin.py", b"import torch\nname = '\xe9t\xe9'\n", "latin.py:1:1: error: not valid UTF-8: byte 0xe9 at line 2"),
    ("nested.py", b"import torch\nx = " + b"(" * 300 + b"1" + b")" * 300 + b"\n", "nested.py:2:"),
    # The parser gives up without a line: the line is found by a scan of the tokens.
    ("deep.py", b"import torch\n\nx = " + b"-" * 100000 + b"1\n", "deep.py:3:1: error: too deeply nested to parse\n"),
    ("chain.py", b"import torch\nx = 1\ny = (1 +\n" + b"+".join([b"1"] * 100000) + b")\n",
     "chain.py:3:1: error: too deeply nested to parse\n"),
    # Parsed, but too deep for the walker: the same scan places it.
    ("walk.py", DEEP_CHAIN, "walk.py:4:1: error: too deeply nested to analyse; skipped"),
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


def test_files_that_never_mention_torch_are_not_parsed(tmp_path, run_cli):
    (tmp_path / "notes.py").write_text("this is not python (\n")
    code, out, err = run_cli(".", "--no-cache", cwd=tmp_path)
    assert code == 0 and err == "" and "All checks passed!" in out


def test_a_torch_file_that_names_no_loss_is_checked_for_syntax_only(tmp_path, run_cli):
    (tmp_path / "io.py").write_text("import torch\nthis is not python (\n")
    (tmp_path / "ok.py").write_text("import torch\nx = torch.zeros(3)\n")
    code, out, err = run_cli(".", "--no-cache", cwd=tmp_path)
    assert err.splitlines() == ["io.py:2:20: error: cannot parse: '(' was never closed"]
    assert code == 1 and "All checks passed!" not in out


def test_nesting_with_no_line_to_blame_says_so(tmp_path):
    from lossdoctor.lint._engine import _too_deep

    err = _too_deep("import torch\nx = 1\n", "too deeply nested to parse")
    assert (err["line"], err["message"]) == (0, "too deeply nested to parse (line unknown)")


@pytest.mark.parametrize("path, kind", [("/dev/null", "a character device"), ("fifo.py", "a named pipe")])
def test_a_path_that_is_not_a_regular_file(tmp_path, run_cli, path, kind):
    import os

    if path == "fifo.py":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(tmp_path / path)  # reading it would block forever
    elif not os.path.exists(path):
        pytest.skip(f"no {path} here")
    for cache in ("--no-cache", None):
        code, out, err = run_cli(path, *([cache] if cache else []), cwd=tmp_path)
        assert err == f"{path}: error: not a regular file ({kind}); only Python files and notebooks are linted\n"
        assert "no such file" not in err and code == 1
