"""The command line: rules, rule, demo, version, and start-up without torch."""

import json
import subprocess
import sys

from ld_testing import ROOT, run_cli


def test_import_and_rule_commands_do_not_import_torch():
    code = (
        "import sys, lossdoctor, lossdoctor.cli, lossdoctor.catalog\n"
        "from lossdoctor.cli import main\n"
        "main(['rules']); main(['rule', 'LD101']); main(['rule', 'target-out-of-range'])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_rules_lists_every_code():
    from lossdoctor import catalog

    res = run_cli("rules")
    assert res.returncode == 0
    for code in catalog.codes():
        assert code in res.stdout
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert len(data) == len(catalog.codes())


def test_rule_page_by_code_or_name():
    res = run_cli("rule", "ld301")
    assert res.returncode == 0 and "target-out-of-range" in res.stdout and "Fix" in res.stdout
    assert run_cli("rule", "softmax-before-cross-entropy").stdout.startswith("LD101")
    bad = run_cli("rule", "softmax-before-crossentropy")
    assert bad.returncode == 2 and "did you mean" in bad.stdout and "Traceback" not in bad.stderr


def test_docs_rules_are_generated_from_the_catalog():
    from lossdoctor.catalog._render import docs_files

    docs = ROOT / "docs" / "rules"
    expected = docs_files()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in docs.glob("*.md")}
    stale = sorted(name for name in expected if on_disk.get(name) != expected[name])
    extra = sorted(set(on_disk) - set(expected))
    assert not stale and not extra, (
        f"docs/rules is stale ({stale or extra}); run `python -m lossdoctor.catalog._render docs/rules`"
    )


def test_version_and_help():
    assert run_cli("--version").stdout.startswith("lossdoctor ")
    res = run_cli()
    assert res.returncode == 2 and "COMMAND" in res.stdout


def test_demo_runs_and_finds_the_bundled_bugs():
    res = run_cli("demo")
    assert res.returncode == 0, res.stderr
    for code in ("LD101", "LD301", "LD102", "LD404", "LD104", "LD203", "LD402", "LD409", "LD105", "LD206"):
        assert code in res.stdout, code
    assert "Target 10 is out of bounds" in res.stdout  # PyTorch's own message, shown beside ours
    assert "nothing to report" in res.stdout  # the correct script stays clean
    assert run_cli("demo", "--list").returncode == 0
    assert run_cli("demo", "no-such-demo").returncode == 2
