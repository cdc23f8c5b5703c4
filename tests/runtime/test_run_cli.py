"""`lossdoctor run`: same argv, __main__ and exit code as python; a report at the end, crash or not."""

import json
import sys
import textwrap

import pytest

from ld_testing import run_cli


def _script(tmp_path, body, name="train.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return path


def test_argv_main_and_exit_code_are_preserved(tmp_path):
    script = _script(tmp_path, """
        import sys, json
        print(json.dumps({"argv": sys.argv, "name": __name__}))
        sys.exit(int(sys.argv[2]))
    """)
    res = run_cli("run", str(script), "--epochs", "7", "--mode", "x", cwd=tmp_path)
    assert res.returncode == 7, res.stderr
    first = json.loads(res.stdout.splitlines()[0])
    assert first == {"argv": [str(script), "--epochs", "7", "--mode", "x"], "name": "__main__"}
    plain = __import__("subprocess").run([sys.executable, str(script), "--epochs", "7", "--mode", "x"], capture_output=True, text=True)
    assert plain.returncode == res.returncode


@pytest.mark.parametrize("body,code", [
    ("pass", 0),
    ("import sys; sys.exit(3)", 3),
    ("import sys; sys.exit('fatal: bad config')", 1),
    ("raise ValueError('boom')", 1),
])
def test_exit_codes_match_python(tmp_path, body, code):
    script = _script(tmp_path, body)
    res = run_cli("run", str(script), cwd=tmp_path)
    assert res.returncode == code
    assert "lossdoctor: 0 findings" in res.stderr
    if "ValueError" in body:
        assert "ValueError: boom" in res.stderr and "Traceback" in res.stderr


def test_report_of_silent_and_loud_bugs_in_json(tmp_path):
    script = _script(tmp_path, """
        import torch, torch.nn as nn, torch.nn.functional as F
        torch.manual_seed(0)
        x = torch.randn(16, 10, requires_grad=True)
        y = torch.randint(0, 10, (16,))
        for _ in range(5):
            loss = F.cross_entropy(F.softmax(x, dim=1), y)
        nn.CrossEntropyLoss()(x, y + 1)
    """)
    out = tmp_path / "report.json"
    res = run_cli("run", "--format", "json", "--output", str(out), str(script), cwd=tmp_path)
    assert res.returncode == 1
    data = json.loads(out.read_text())
    assert data["exit_code"] == 1
    by_code = {f["code"]: f for f in data["findings"]}
    assert {"LD101", "LD301"} <= set(by_code)
    for f in data["findings"]:
        assert {"code", "name", "severity", "message", "fix", "evidence", "path", "line", "count"} <= set(f)
    assert by_code["LD101"]["count"] == 5 and by_code["LD101"]["line"] == 7
    assert by_code["LD301"]["path"] == str(script) and by_code["LD301"]["line"] == 8
    assert "LD301" in res.stderr  # the error itself is printed like any crash


def test_text_report_and_run_module(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "train.py").write_text(textwrap.dedent("""
        import sys
        import torch, torch.nn.functional as F
        assert sys.argv[1:] == ["--lr", "0.1"], sys.argv
        x = torch.randn(8, 5)
        F.nll_loss(x, torch.randint(0, 5, (8,)))
    """))
    res = run_cli("run", "-m", "pkg.train", "--lr", "0.1", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "LD102 logits-to-nll-loss" in res.stderr
    assert "pkg/train.py:6" in res.stderr or "train.py:6" in res.stderr


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("run", cwd=tmp_path).returncode == 2
    res = run_cli("run", "missing.py", cwd=tmp_path)
    assert res.returncode == 2 and "missing.py" in res.stderr and "Traceback" not in res.stderr



def test_plot_and_html_pictures_of_the_loss(tmp_path):
    pytest.importorskip("matplotlib")
    script = _script(tmp_path, """
        import torch, torch.nn as nn
        torch.manual_seed(0)
        X = torch.randn(64, 8)
        y = X[:, :4].argmax(1)
        model = nn.Sequential(nn.Linear(8, 4), nn.Softmax(dim=1))
        opt = torch.optim.SGD(model.parameters(), lr=0.5)
        for _ in range(40):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(X), y)
            loss.backward()
            opt.step()
    """)
    png, html = tmp_path / "loss.png", tmp_path / "report.html"
    res = run_cli("run", "--plot", str(png), "--html", str(html), str(script), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = html.read_text()
    assert "<svg" in page and "LD101" in page and "http" not in page.split("<svg", 1)[0].lower().replace("http-equiv", "")
    assert run_cli("run", "--no-monitor", "--plot", str(png), str(script), cwd=tmp_path).returncode == 2


def test_bad_targets_and_outputs_are_one_line_messages(tmp_path):
    script = _script(tmp_path, "import sys; sys.exit(3)")
    for args, code in [
        (["-m", "no_such_module_here"], 1),            # like `python -m no_such_module_here`
        ([str(tmp_path)], 1),                           # a folder without __main__.py
        (["--output", str(tmp_path / "no" / "r.json"), str(script)], 2),
        (["--output", str(tmp_path), str(script)], 2),
        (["--value-check-every", "-5", str(script)], 2),
    ]:
        res = run_cli("run", *args, cwd=tmp_path)
        assert res.returncode == code, (args, res.stderr)
        assert "Traceback" not in res.stderr and res.stderr.strip(), args
    res = run_cli("run", "--output", str(tmp_path / "r.json"), str(script), cwd=tmp_path)
    assert res.returncode == 3 and (tmp_path / "r.json").exists()  # the script's own exit code


def test_a_script_that_does_not_compile_is_reported_as_python_would(tmp_path):
    script = _script(tmp_path, "x = (\n")
    res = run_cli("run", str(script), cwd=tmp_path)
    assert res.returncode == 1
    assert "SyntaxError" in res.stderr and "was never closed" in res.stderr
    assert "_cli.py" not in res.stderr and "runpy" not in res.stderr
