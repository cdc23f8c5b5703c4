"""`lossdoctor explain` as users run it: input handling, output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lossdoctor.cli import main

TB = """Traceback (most recent call last):
  File "train.py", line 9, in <module>
    loss = criterion(model(x), labels)
IndexError: Target 10 is out of bounds.
"""


def run(*args: str, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lossdoctor", "explain", *args], input=stdin,
                          capture_output=True, timeout=timeout)


def test_explains_a_file(tmp_path, capsys):
    f = tmp_path / "err.txt"
    f.write_text(TB)
    assert main(["explain", str(f)]) == 0
    out = capsys.readouterr().out
    assert "LD301 target-out-of-range" in out and "fix:" in out and "train.py:9" in out


def test_json_layout(tmp_path, capsys):
    f = tmp_path / "err.txt"
    f.write_text(TB)
    assert main(["explain", "--format", "json", str(f)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"diagnoses", "error", "frame"} <= set(data)
    d = data["diagnoses"][0]
    assert {"code", "name", "confidence", "message", "fix"} <= set(d)
    assert d["code"] == "LD301" and d["name"] == "target-out-of-range" and d["confidence"] == "high"
    assert data["error"] == {"type": "IndexError", "message": "Target 10 is out of bounds."}
    assert data["frame"] == {"path": "train.py", "line": 9, "source": "loss = criterion(model(x), labels)"}


def test_message_option_and_stdin(capsys):
    assert main(["explain", "-m", "RuntimeError: all elements of input should be between 0 and 1"]) == 0
    assert "LD106" in capsys.readouterr().out
    p = run("-", stdin=TB.encode())
    assert p.returncode == 0 and b"LD301" in p.stdout


def test_unknown_error_says_so_exit_1(capsys):
    assert main(["explain", "-m", "RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x5 and 6x7)"]) == 1
    out = capsys.readouterr().out
    assert "does not recognise this as a loss-function error" in out


def test_garbage_text_exit_1(capsys):
    assert main(["explain", "-m", "lorem ipsum dolor sit amet\n" * 50]) == 1
    assert "found no PyTorch loss error" in capsys.readouterr().out


@pytest.mark.parametrize("content,expect", [
    (b"", "no input"),
    (b"\x00\x01\x02\x03binary\xff\xfe\x00" * 500, "looks binary"),
    (bytes(range(256)) * 64, "looks binary"),
])
def test_unusable_input_exit_2(tmp_path, content, expect):
    f = tmp_path / "in.bin"
    f.write_bytes(content)
    p = run(str(f))
    assert p.returncode == 2
    assert expect in p.stderr.decode() and b"Traceback" not in p.stderr


def test_missing_file_and_directory_exit_2(tmp_path):
    p = run(str(tmp_path / "nope.txt"))
    assert p.returncode == 2 and b"no such file" in p.stderr and b"Traceback" not in p.stderr
    p = run(str(tmp_path))
    assert p.returncode == 2 and b"directory" in p.stderr


def test_utf16_from_powershell(tmp_path):
    f = tmp_path / "ps.txt"
    f.write_bytes(TB.replace("\n", "\r\n").encode("utf-16"))
    p = run(str(f))
    assert p.returncode == 0 and b"LD301" in p.stdout


def test_ansi_and_windows_paths(capsys):
    text = ('Traceback (most recent call last):\r\n  File "C:\\Users\\me\\proj\\train.py", line 12, in <module>\r\n'
            '    loss = crit(out, y.float())\r\n\x1b[0;31mRuntimeError\x1b[0m: expected target dtype to be Long or '
            'Byte, but got Float\r\n')
    assert main(["explain", "--format", "json", "-m", text]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["diagnoses"][0]["code"] == "LD203"
    assert data["frame"]["path"] == "C:\\Users\\me\\proj\\train.py" and data["frame"]["line"] == 12


def test_huge_input_is_streamed(tmp_path):
    # 10 MB of log noise (one very long line included), the error at the very end
    f = tmp_path / "huge.log"
    with open(f, "w") as out:
        line = "2024-05-01 12:00:00 INFO step 123 loss=2.302 lr=0.001 throughput=812.4 img/s\n"
        out.write(line * (9_000_000 // len(line)))
        out.write("z" * 1_000_000 + "\n")
        out.write(TB)
    assert f.stat().st_size > 10_000_000
    p = run(str(f))
    assert p.returncode == 0 and b"LD301" in p.stdout


def test_huge_binary_is_refused_early(tmp_path):
    f = tmp_path / "huge.bin"
    f.write_bytes(os.urandom(10_000_000))
    p = run(str(f))
    assert p.returncode == 2 and b"binary" in p.stderr


def test_explain_does_not_import_torch(tmp_path):
    f = tmp_path / "err.txt"
    f.write_text(TB)
    code = ("import sys\nfrom lossdoctor.cli import main\nrc = main(['explain', sys.argv[1]])\n"
            "assert 'torch' not in sys.modules, 'torch was imported'\nprint('rc', rc)\n")
    p = subprocess.run([sys.executable, "-c", code, str(f)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "rc 0" in p.stdout
