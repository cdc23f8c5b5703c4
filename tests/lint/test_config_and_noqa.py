"""[tool.lossdoctor] in pyproject.toml, and inline suppressions."""
from __future__ import annotations

import textwrap

import pytest

from lossdoctor.lint import lint_source

BUG = "import torch\nimport torch.nn.functional as F\nloss = F.cross_entropy(F.softmax(x, dim=1), y){}\n"


@pytest.mark.parametrize("comment, flagged", [
    ("", True),
    ("  # noqa", False),
    ("  # noqa: LD101", False),
    ("  # noqa:LD101,E501", False),
    ("  # noqa: LD1", False),
    ("  # noqa: LD104", True),
    ("  # lossdoctor: ignore[LD101]", False),
    ("  # lossdoctor: ignore[LD104]", True),
    ("  # lossdoctor: ignore[softmax]", True),
])
def test_inline_suppression(comment, flagged):
    assert bool(lint_source(BUG.format(comment))) is flagged


def test_file_level_suppression():
    assert lint_source("# lossdoctor: noqa\n" + BUG.format("")) == []
    # Only on a line of its own: inside other text it does not silence the file.
    assert lint_source("x = 1  # lossdoctor: noqa\n" + BUG.format(""))


def write_project(tmp_path, table: str):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n\n[tool.lossdoctor]\n" + textwrap.dedent(table))
    pkg = tmp_path / "src"
    (pkg / "gen").mkdir(parents=True, exist_ok=True)
    (pkg / "train.py").write_text(BUG.format(""))
    (pkg / "gen" / "auto.py").write_text(BUG.format(""))
    (tmp_path / "tests").mkdir(exist_ok=True)
    (tmp_path / "tests" / "test_x.py").write_text(BUG.format(""))
    return tmp_path


def test_config_select_and_ignore(tmp_path, run_cli):
    write_project(tmp_path, 'ignore = ["LD101"]\n')
    code, out, _ = run_cli("src", "--no-cache", cwd=tmp_path)
    assert code == 0 and "LD101" not in out
    # The command line's --select replaces the configured selection; ignore still applies.
    write_project(tmp_path, 'select = ["LD2"]\n')
    code, out, _ = run_cli("src", "--no-cache", cwd=tmp_path)
    assert "LD101" not in out
    code, out, _ = run_cli("src", "--no-cache", "--select", "LD1", cwd=tmp_path)
    assert "LD101" in out


def test_config_exclude_and_per_file_ignores(tmp_path, run_cli):
    write_project(tmp_path, '''\
        exclude = ["src/gen"]
        [tool.lossdoctor.per-file-ignores]
        "tests/*" = ["LD1"]
        ''')
    code, out, _ = run_cli(".", "--no-cache", "--format", "json", cwd=tmp_path)
    assert "src/train.py" in out
    assert "auto.py" not in out and "test_x.py" not in out


def test_config_found_from_a_subdirectory(tmp_path, run_cli):
    write_project(tmp_path, 'ignore = ["softmax-before-cross-entropy"]\n')
    code, out, _ = run_cli("train.py", "--no-cache", cwd=tmp_path / "src")
    assert code == 0


def test_bad_config_is_a_usage_error(tmp_path, run_cli):
    write_project(tmp_path, 'selekt = ["LD1"]\n')
    code, _, err = run_cli("src", cwd=tmp_path)
    assert code == 2 and "unknown [tool.lossdoctor] key(s): selekt" in err
    write_project(tmp_path, 'select = ["LD9"]\n')
    code, _, err = run_cli("src", cwd=tmp_path)
    assert code == 2 and "LD9" in err
