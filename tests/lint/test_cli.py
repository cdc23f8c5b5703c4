"""`lossdoctor lint` end to end: output formats, exit codes, selection, fixes."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap

import pytest

from .conftest import FIXTURES, expectations

BUG = textwrap.dedent("""\
    import torch
    import torch.nn.functional as F


    def step(logits, labels):
        probs = F.softmax(logits, dim=1)
        return F.cross_entropy(probs, labels)
""")
INFO_ONLY = textwrap.dedent("""\
    import torch
    import torch.nn.functional as F


    def step(logits, labels):
        return F.cross_entropy(logits, torch.eye(10)[labels])
""")


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return tmp_path


def test_text_output_like_ruff(project, run_cli):
    (project / "train.py").write_text(BUG)
    code, out, _ = run_cli("train.py", "--no-cache", cwd=project)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("train.py:7:28: LD101 ")
    assert lines[0] == ("train.py:7:28: LD101 `F.cross_entropy` received softmax probabilities (`probs` comes from "
                        "`F.softmax(logits, dim=1)`, line 6); it applies `log_softmax` itself")
    assert lines[2] == "7 |     return F.cross_entropy(probs, labels)"
    assert lines[3] == "  |                            ^^^^^ LD101"
    assert any(line.startswith("  = help: ") for line in lines)
    assert "Found 1 finding." in out


def test_clean_tree_exits_zero(project, run_cli):
    (project / "ok.py").write_text("import torch\nx = torch.zeros(3)\n")
    code, out, _ = run_cli(".", "--no-cache", cwd=project)
    assert code == 0 and "All checks passed!" in out


def test_info_findings_are_reported_but_do_not_fail(project, run_cli):
    (project / "t.py").write_text(INFO_ONLY)
    code, out, _ = run_cli("t.py", "--no-cache", cwd=project)
    assert "LD206" in out
    assert code == 0


def test_exit_zero(project, run_cli):
    (project / "train.py").write_text(BUG)
    code, out, _ = run_cli("train.py", "--no-cache", "--exit-zero", cwd=project)
    assert code == 0 and "LD101" in out


def test_json_format(project, run_cli):
    (project / "train.py").write_text(BUG)
    code, out, _ = run_cli("train.py", "--no-cache", "--format", "json", cwd=project)
    assert code == 1
    records = json.loads(out)
    assert len(records) == 1
    rec = records[0]
    for key in ("code", "name", "severity", "message", "fix", "path", "line", "column", "end_line", "end_column"):
        assert key in rec
    assert (rec["code"], rec["name"], rec["severity"]) == ("LD101", "softmax-before-cross-entropy", "error")
    assert (rec["path"], rec["line"], rec["column"], rec["end_line"], rec["end_column"]) == ("train.py", 7, 28, 7, 33)


def test_github_format(project, run_cli):
    (project / "train.py").write_text(BUG)
    code, out, _ = run_cli("train.py", "--no-cache", "--format", "github", cwd=project)
    assert out.startswith("::error file=train.py,line=7,col=28,")
    assert "title=LD101 softmax-before-cross-entropy::LD101 " in out


@pytest.mark.parametrize("selector, found", [
    (["--select", "LD101"], True),
    (["--select", "LD1"], True),
    (["--select", "softmax-before-cross-entropy"], True),
    (["--select", "LD2"], False),
    (["--ignore", "LD101"], False),
    (["--ignore", "LD10"], False),
    (["--select", "LD2", "--extend-select", "LD101"], True),
    (["--select", "ALL", "--ignore", "softmax-before-cross-entropy"], False),
])
def test_selection(project, run_cli, selector, found):
    (project / "train.py").write_text(BUG)
    code, out, _ = run_cli("train.py", "--no-cache", *selector, cwd=project)
    assert ("LD101" in out) is found
    assert code == (1 if found else 0)


def test_unknown_selector_is_a_usage_error(project, run_cli):
    code, _, err = run_cli(".", "--select", "LD999x", cwd=project)
    assert code == 2 and "unknown rule selector" in err


def test_missing_path_is_reported(project, run_cli):
    code, _, err = run_cli("nope.py", "--no-cache", cwd=project)
    assert code == 1 and "nope.py: error: no such file or directory" in err


def test_statistics(project, run_cli):
    shutil.copy(FIXTURES / "LD104.py", project / "a.py")
    code, out, _ = run_cli("a.py", "--no-cache", "--statistics", cwd=project)
    assert out.splitlines() == ["8\tLD104\t[*] log-of-softmax"]  # 5 lines, one with 3


def test_quiet_prints_findings_only(project, run_cli):
    (project / "train.py").write_text(BUG)
    _, out, _ = run_cli("train.py", "--no-cache", "--quiet", cwd=project)
    assert [ln for ln in out.splitlines() if ln.strip()] == [out.splitlines()[0]]


def test_fix_writes_safe_fixes_only(project, run_cli):
    shutil.copy(FIXTURES / "LD104.py", project / "LD104.py")
    shutil.copy(FIXTURES / "LD107.py", project / "LD107.py")
    code, out, _ = run_cli("LD104.py", "LD107.py", "--no-cache", "--fix", cwd=project)
    assert (project / "LD104.py").read_text() == (FIXTURES / "LD104.fixed.py").read_text()
    assert (project / "LD107.py").read_text() == (FIXTURES / "LD107.py").read_text()  # unsafe: untouched
    assert "4 fixed" in out
    assert code == 1  # what cannot be fixed is still reported


def test_unsafe_fixes(project, run_cli):
    shutil.copy(FIXTURES / "LD107.py", project / "LD107.py")
    run_cli("LD107.py", "--no-cache", "--fix", "--unsafe-fixes", cwd=project)
    assert (project / "LD107.py").read_text() == (FIXTURES / "LD107.fixed.py").read_text()


def test_diff_shows_without_writing(project, run_cli):
    shutil.copy(FIXTURES / "LD601.py", project / "LD601.py")
    before = (project / "LD601.py").read_text()
    code, out, _ = run_cli("LD601.py", "--no-cache", "--diff", cwd=project)
    assert code == 1
    assert "-    loss = nn.CrossEntropyLoss(out, y)  # expect: LD601" in out
    assert "+    loss = nn.CrossEntropyLoss()(out, y)  # expect: LD601" in out
    assert (project / "LD601.py").read_text() == before


def test_fix_keeps_crlf_and_bom(project, run_cli):
    src = "\ufeffimport torch\r\nimport torch.nn.functional as F\r\n\r\ndef f(x):\r\n    return torch.log(F.softmax(x, 1))  # note\r\n"
    (project / "w.py").write_bytes(src.encode("utf-8"))
    run_cli("w.py", "--no-cache", "--fix", cwd=project)
    assert (project / "w.py").read_bytes() == src.replace("torch.log(F.softmax(x, 1))", "F.log_softmax(x, 1)").encode("utf-8")


def test_lint_never_imports_torch(project):
    (project / "train.py").write_text(BUG)
    script = ("import sys; from lossdoctor.cli import main; code = main(['lint', 'train.py', '--no-cache', '--quiet']); "
              "assert 'torch' not in sys.modules, 'torch was imported'; print('exit', code)")
    proc = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "exit 1" in proc.stdout and "LD101" in proc.stdout


def test_jobs_gives_the_same_findings(project, run_cli):
    for i in range(20):
        shutil.copy(FIXTURES / "LD101.py", project / f"m{i}.py")
    _, one, _ = run_cli(".", "--no-cache", "--jobs", "1", "--format", "json", cwd=project)
    _, two, _ = run_cli(".", "--no-cache", "--jobs", "2", "--format", "json", cwd=project)
    assert json.loads(one) == json.loads(two) and len(json.loads(one)) == 20 * len(expectations(FIXTURES / "LD101.py")[0])


def test_notebook_cells(project, run_cli):
    nb = {"cells": [
        {"cell_type": "markdown", "source": ["# Training"]},
        {"cell_type": "code", "source": ["%matplotlib inline\n", "import torch\n", "import torch.nn.functional as F"]},
        {"cell_type": "code", "source": ["logits = torch.randn(4, 3)\n", "y = torch.tensor([0, 1, 2, 0])\n",
                                         "loss = F.cross_entropy(F.softmax(logits, dim=1), y)"]},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (project / "nb.ipynb").write_text(json.dumps(nb))
    code, out, _ = run_cli("nb.ipynb", "--no-cache", cwd=project)
    assert code == 1
    assert out.startswith("nb.ipynb:cell 3:3:24: LD101 ")
    _, js, _ = run_cli("nb.ipynb", "--no-cache", "--format", "json", cwd=project)
    rec = json.loads(js)[0]
    assert (rec["cell"], rec["line"], rec["column"]) == (3, 3, 24)


def test_notebook_fix(project, run_cli):
    nb = {"cells": [
        {"cell_type": "code", "source": ["%%time\n", "import torch"], "metadata": {}, "outputs": [],
         "execution_count": None},
        {"cell_type": "code", "source": ["import torch.nn.functional as F\n", "!nvidia-smi\n",
                                         "logp = torch.log(F.softmax(x, dim=1))  # keep\n",
                                         "nll = F.nll_loss(logp, y)"], "metadata": {}, "outputs": [],
         "execution_count": None},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = project / "nb.ipynb"
    path.write_text(json.dumps(nb, indent=1) + "\n")
    code, out, _ = run_cli("nb.ipynb", "--no-cache", "--fix", cwd=project)
    fixed = json.loads(path.read_text())
    assert fixed["cells"][1]["source"] == ["import torch.nn.functional as F\n", "!nvidia-smi\n",
                                           "logp = F.log_softmax(x, dim=1)  # keep\n", "nll = F.nll_loss(logp, y)"]
    assert fixed["cells"][0] == nb["cells"][0]
    assert path.read_text() == json.dumps(fixed, indent=1) + "\n"
    assert code == 0 and "1 fixed" in out


SEQUENTIAL_SOFTMAX = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    model = nn.Sequential(
        nn.Linear(20, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
        nn.Softmax(dim=1),
    )
    criterion = nn.CrossEntropyLoss()
    x = torch.randn(8, 20)
    y = torch.randint(0, 10, (8,))
    out = model(x)
    loss = criterion(out, y)
""")


def test_messages_use_the_names_the_user_wrote(project, run_cli):
    (project / "train.py").write_text(SEQUENTIAL_SOFTMAX)
    _, out, _ = run_cli("train.py", "--no-cache", "--quiet", cwd=project)
    assert out.splitlines()[0] == (
        "train.py:14:18: LD101 `criterion` received softmax probabilities (`out` is the output of an "
        "`nn.Sequential` ending in `nn.Softmax(dim=1)`, line 8); `CrossEntropyLoss` applies `log_softmax` itself")
    assert "`cross_entropy`" not in out


def _outside_code(message: str) -> str:
    return "".join(part for i, part in enumerate(message.split("`")) if i % 2 == 0)


def test_no_message_chains_colons():
    from lossdoctor.lint import _config, _engine

    run = _engine.lint_paths([str(FIXTURES)], selected=_engine.resolve_selection(None, []),
                             config=_config.Config(root=FIXTURES), jobs=1, use_cache=False)
    assert len(run.findings) > 40
    chained = [f.message for f in run.findings if _outside_code(f.message).count(": ") > 1]
    assert chained == []
