"""Every fixture file: exactly the `# expect:` lines are flagged, the `# OK` part stays clean."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from lossdoctor.lint import _config, _engine
from lossdoctor.lint._fixer import fix_text

from .conftest import FIXTURES, expectations, fixture_files


@pytest.fixture(scope="module")
def fixture_run():
    """One lint of the whole fixture tree (cross-module cases need their neighbours)."""
    config = _config.Config(root=FIXTURES)
    selected = _engine.resolve_selection(None, [])
    return _engine.lint_paths([str(FIXTURES)], selected=selected, config=config, jobs=1, use_cache=False)


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_expectations(path: Path, fixture_run):
    expected, ok_line = expectations(path)
    found = {(f.location.line, f.code) for f in fixture_run.findings
             if Path(f.location.path).resolve() == path.resolve()}
    assert not [e for e in fixture_run.errors if Path(e[0]).resolve() == path.resolve()]
    assert found == expected, f"missing: {sorted(expected - found)}; unexpected: {sorted(found - expected)}"
    if expected and path.parent == FIXTURES:
        assert ok_line is not None, "a fixture needs an `# OK` section of code that must stay clean"
        assert all(line < ok_line for line, _ in expected), "`# expect:` markers belong above `# OK`"


def test_every_lint_code_has_a_fixture():
    have = {p.stem for p in FIXTURES.glob("LD*.py") if not p.name.endswith(".fixed.py")}
    assert set(_engine.lint_codes()) <= have


GOLDENS = sorted(FIXTURES.glob("*.fixed.py"))


@pytest.mark.parametrize("golden", GOLDENS, ids=lambda p: p.name)
def test_fix_golden(golden: Path):
    source = golden.with_name(golden.name.replace(".fixed.py", ".py"))
    selected = _engine.resolve_selection(None, [])
    fixed, n = fix_text(source.read_text(encoding="utf-8"), selected=selected, unsafe=True)
    assert n > 0
    assert fixed == golden.read_text(encoding="utf-8")
    ast.parse(fixed)
    again, n2 = fix_text(fixed, selected=selected, unsafe=True)
    assert (again, n2) == (fixed, 0), "fixing a fixed file must change nothing"


def test_safe_fixes_alone_leave_unsafe_ones(tmp_path):
    src = tmp_path / "LD107.py"
    shutil.copy(FIXTURES / "LD107.py", src)
    selected = _engine.resolve_selection(None, [])
    fixed, n = fix_text(src.read_text(), selected=selected, unsafe=False)
    assert n == 0 and fixed == src.read_text()


@pytest.mark.parametrize("path", fixture_files(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_every_fixed_file_parses_and_is_a_fixed_point(path: Path):
    selected = _engine.resolve_selection(None, [])
    text = path.read_text(encoding="utf-8")
    fixed, _ = fix_text(text, selected=selected, unsafe=True)
    ast.parse(fixed)
    assert fix_text(fixed, selected=selected, unsafe=True) == (fixed, 0)
    # Fixes touch only what they fix: every line without a finding is unchanged.
    if fixed != text:
        touched = set()
        for f in _engine.lint_text(text, selected=selected)["findings"]:
            if f["fix"]:
                touched.update(range(f["line"], f["end_line"] + 1))
                for start, end, _ in f["fix"]["edits"]:
                    touched.update(range(text.count("\n", 0, start) + 1, text.count("\n", 0, end) + 2))
        kept = [ln for i, ln in enumerate(text.splitlines(), 1) if i not in touched]
        assert all(ln in fixed.splitlines() for ln in kept if ln.strip())
