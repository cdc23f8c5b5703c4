from __future__ import annotations

import re
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lint"
_EXPECT = re.compile(r"#\s*expect:\s*(?P<codes>LD\d{3}(?:\s*,\s*LD\d{3})*)")


def expectations(path: Path) -> tuple[set[tuple[int, str]], int | None]:
    """(line, code) pairs from `# expect: LD101` markers, and the line of `# OK`."""
    expected: set[tuple[int, str]] = set()
    ok_line = None
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() == "# OK":
            ok_line = i
        m = _EXPECT.search(line)
        if m:
            for code in m.group("codes").split(","):
                expected.add((i, code.strip()))
    return expected, ok_line


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if not p.name.endswith(".fixed.py"))


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run `lossdoctor lint ARGS` in this process; return (exit code, stdout, stderr)."""
    from lossdoctor.cli import main

    def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(["lint", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
