"""`lossdoctor merge` on a file that is not text: one clear line naming the file, exit 2."""

from __future__ import annotations

import os
import subprocess
import sys


def test_merge_binary_file_names_the_file_and_exits_2(tmp_path):
    good = tmp_path / "report.rank0.json"
    good.write_text('{"findings": []}', encoding="utf-8")
    binary = tmp_path / "weights.bin"
    binary.write_bytes(b"\x80\xff\xfe\x00PK\x03\x04" + bytes(range(256)))
    proc = subprocess.run([sys.executable, "-m", "lossdoctor", "merge", str(good), str(binary)],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(binary) in lines[0] and "not a lossdoctor JSON report" in lines[0]
    assert "codec" not in lines[0] and "Traceback" not in proc.stderr
    assert proc.stdout == ""
