"""Explanations where errors happen: excepthook, IPython, a real notebook kernel, pytest.

Each runs in its own process (a script, an IPython shell, a Jupyter kernel, a
pytest run) with the installed torch, so the runtime patching and the hooks
never leak into this test session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

OUT_OF_RANGE = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    model = nn.Linear(8, 10)
    labels = torch.arange(4) + 7  # 7, 8, 9, 10
    loss = nn.CrossEntropyLoss()(model(torch.randn(4, 8)), labels)
    """)


def _python(code: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env)


# -- excepthook ----------------------------------------------------------------------------


def test_excepthook_explains_after_the_original_traceback(tmp_path):
    script = tmp_path / "train.py"
    script.write_text("import lossdoctor\nlossdoctor.install_excepthook()\n" + OUT_OF_RANGE)
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert p.returncode == 1
    err = p.stderr
    tb_at = err.index("Traceback (most recent call last)")
    assert "IndexError: Target 10 is out of bounds." in err
    explained_at = err.index("lossdoctor: this looks like a loss-function bug")
    assert tb_at < err.index("IndexError: Target 10") < explained_at  # the original traceback comes first, intact
    tail = err[explained_at:]
    assert "LD301 target-out-of-range (high confidence)" in tail
    assert "train.py:8" in tail and "Linear(8, 10)" in tail and "1-based" in tail


def test_excepthook_stays_quiet_for_other_errors(tmp_path):
    script = tmp_path / "other.py"
    script.write_text("import lossdoctor\nlossdoctor.install_excepthook()\nimport torch\ntorch.zeros(2) @ torch.zeros(3)\n")
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "Traceback" in p.stderr
    assert "lossdoctor" not in p.stderr


def test_explain_exception_in_process():
    torch = pytest.importorskip("torch")
    from lossdoctor import explain_exception

    try:
        torch.nn.functional.cross_entropy(torch.randn(3, 4), torch.tensor([0.0, 1.0, 2.0]))
    except RuntimeError as exc:
        exp = explain_exception(exc)
    assert exp is not None and exp.best.code == "LD203"
    assert exp.frame.path == __file__
    assert explain_exception(ZeroDivisionError("division by zero")) is None


# -- IPython ----------------------------------------------------------------------------------

IPYTHON_SESSION = textwrap.dedent('''\
    from IPython.core.interactiveshell import InteractiveShell
    ip = InteractiveShell.instance(colors="nocolor")
    ip.run_line_magic("load_ext", "lossdoctor")
    print("=== cell 1: runtime on")
    ip.run_cell("import torch, torch.nn.functional as F\\nlogits = torch.randn(4, 10)\\ny = torch.tensor([1, 2, 10, 3])")
    r = ip.run_cell("loss = F.cross_entropy(logits, y)")
    print("=== error type", type(r.error_in_exec).__name__)
    ip.run_line_magic("lossdoctor", "off")
    print("=== cell 2: runtime off")
    r = ip.run_cell("loss = F.cross_entropy(logits, y)")
    print("=== error type", type(r.error_in_exec).__name__)
    print("=== cell 3: not a loss error")
    ip.run_cell("1 / 0")
    ip.run_line_magic("lossdoctor", "status")
    ip.run_line_magic("unload_ext", "lossdoctor")
    print("=== cell 4: unloaded")
    ip.run_cell("loss = F.cross_entropy(logits, y)")
    print("=== end")
    ''')


def test_ipython_extension_in_a_real_shell(tmp_path):
    pytest.importorskip("IPython")
    p = _python(IPYTHON_SESSION, tmp_path, timeout=180)
    assert p.returncode == 0, p.stderr[-3000:]
    out = p.stdout
    sections = dict(s.split("\n", 1) for s in out.split("=== ")[1:])
    assert "runtime checks on" in out.split("=== ")[0]
    # runtime on: lossdoctor's own check raises before PyTorch, and the explanation follows the traceback
    cell1 = sections["cell 1: runtime on"]
    assert "LossDoctorIndexError" in cell1 and "LD301 target-out-of-range (high confidence)" in cell1
    assert cell1.index("Traceback") < cell1.index("this looks like a loss-function bug")
    assert "error type LossDoctorIndexError" in out
    # runtime off: PyTorch's own error, explained from its message
    cell2 = sections["cell 2: runtime off"]
    assert "IndexError: Target 10 is out of bounds." in cell2
    assert "LD301 target-out-of-range" in cell2 and "this looks like a loss-function bug" in cell2
    assert "error type IndexError" in out
    cell3 = sections["cell 3: not a loss error"]
    assert "ZeroDivisionError" in cell3 and "loss-function bug" not in cell3
    assert "runtime checks off" in cell3
    cell4 = sections["cell 4: unloaded"]
    assert "IndexError" in cell4 and "loss-function bug" not in cell4


# -- a real notebook in a real kernel -------------------------------------------------------------


def _kernel_spec(tmp_path: Path) -> str:
    """A kernel spec that runs this very interpreter (the test venv), found through JUPYTER_PATH."""
    name = "lossdoctor-test-python"
    spec_dir = tmp_path / "jupyter" / "kernels" / name
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "lossdoctor test", "language": "python",
    }))
    return name


def test_notebook_explains_under_the_failing_cell(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    name = _kernel_spec(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext lossdoctor"),
        nbformat.v4.new_code_cell("import sys, torch, torch.nn as nn\nprint(sys.executable)"),
        nbformat.v4.new_code_cell("%lossdoctor off"),
        nbformat.v4.new_code_cell("logits = torch.randn(8, 5)\ntarget = torch.randint(0, 5, (8, 1))\n"
                                  "loss = nn.CrossEntropyLoss()(logits, target)"),
        nbformat.v4.new_code_cell("%lossdoctor on"),
        nbformat.v4.new_code_cell("loss = nn.CrossEntropyLoss()(logits, target)"),
        nbformat.v4.new_code_cell("print('still alive')"),
    ]
    client = nbclient.NotebookClient(nb, kernel_name=name, timeout=90, allow_errors=True,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()

    def text(cell):
        parts = []
        for o in cell.outputs:
            if o.output_type == "stream":
                parts.append(o.text)
            elif o.output_type == "error":
                parts.append(f"<error {o.ename}: {o.evalue}>")
        return "".join(parts)

    cells = nb.cells
    assert "runtime checks on" in text(cells[0])
    assert text(cells[1]).strip() == sys.executable  # the kernel runs the test interpreter
    # runtime off: PyTorch's RuntimeError, then lossdoctor's explanation in the same cell's output
    failing = text(cells[3])
    assert "<error RuntimeError: 0D or 1D target tensor expected, multi-target not supported>" in failing
    assert "this looks like a loss-function bug" in failing
    assert "LD403 target-extra-dim" in failing and "squeeze(1)" in failing
    assert failing.index("<error RuntimeError") < failing.index("LD403")
    # runtime on: lossdoctor's check raises first, and is explained (briefly) too
    assert "runtime checks on" in text(cells[4])
    checked = text(cells[5])
    assert "<error LossDoctorRuntimeError" in checked and "LD403" in checked
    assert "still alive" in text(cells[6])


# -- pytest plugin ------------------------------------------------------------------------------

TEST_MODULE = textwrap.dedent("""\
    import torch
    import torch.nn.functional as F


    def test_good():
        assert F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 0])) > 0


    def test_bce_shapes():
        out = torch.randn(16, 1)
        y = torch.randint(0, 2, (16,)).float()
        F.binary_cross_entropy_with_logits(out, y)


    def test_not_a_loss():
        assert 1 + 1 == 3
    """)


def test_pytest_plugin_explains_failures(pytester):
    pytester.makepyfile(test_losses=TEST_MODULE)
    result = pytester.runpytest_subprocess("--lossdoctor", "-p", "no:cacheprovider", "-W", "ignore")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "lossdoctor: runtime checks on (mode=warn)" in out
    assert "- lossdoctor -" in out  # a report section
    assert "LD405 bce-shape-mismatch" in out
    # exactly one report section, inside the failure report of the loss test
    assert out.count("- lossdoctor -") == 1
    bce_block = out[out.index("_ test_bce_shapes _"):out.index("_ test_not_a_loss _")]
    assert "- lossdoctor -" in bce_block and "LD405" in bce_block[bce_block.index("- lossdoctor -"):]
    # the non-loss failure gets no lossdoctor section
    not_a_loss = out[out.index("test_not_a_loss"):]
    assert "- lossdoctor -" not in not_a_loss.split("short test summary")[0]


def test_pytest_plugin_is_inert_without_the_option(pytester):
    pytester.makepyfile(test_losses=TEST_MODULE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "ignore")
    result.assert_outcomes(passed=1, failed=2)
    out = result.stdout.str()
    assert "- lossdoctor -" not in out and "runtime checks on" not in out
