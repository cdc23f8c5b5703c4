"""SARIF output validates against the OASIS SARIF 2.1.0 schema."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES

# The repository's parent directory holds shared/ (CI clones the repo with shared/ beside it).
SCHEMA = Path(__file__).resolve().parents[2] / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.exists():
        if os.environ.get("CI"):  # CI clones with shared/ beside the repository: never skip there
            pytest.fail(f"SARIF schema not found at {SCHEMA}")
        pytest.skip(f"SARIF schema not found at {SCHEMA} (shared/ is not beside the repository)")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_sarif_validates(tmp_path, run_cli, validator):
    for name in ("LD101.py", "LD104.py", "LD206.py", "LD604.py"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "broken.py").write_text("import torch\ndef (:  # softmax\n")
    code, out, _ = run_cli(".", "--no-cache", "--format", "sarif", cwd=tmp_path)
    assert code == 1
    log = json.loads(out)
    errors = sorted(validator.iter_errors(log), key=str)
    assert not errors, [e.message for e in errors[:5]]
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"LD101", "LD104", "LD206", "LD604"}
    assert rules["LD101"]["defaultConfiguration"]["level"] == "error"
    assert rules["LD206"]["defaultConfiguration"]["level"] == "note"
    assert rules["LD101"]["help"]["text"]  # texts come from the catalog
    result = next(r for r in run["results"] if r["ruleId"] == "LD101")
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "LD101"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 11 and region["startColumn"] == 28
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any("cannot parse" in n["message"]["text"] for n in notes)


def test_empty_sarif_validates(tmp_path, run_cli, validator):
    (tmp_path / "ok.py").write_text("import torch\n")
    code, out, _ = run_cli(".", "--no-cache", "--format", "sarif", cwd=tmp_path)
    assert code == 0
    assert not list(validator.iter_errors(json.loads(out)))
