"""Every E diagnosis, explained from the message torch 2.13 really produces.

The programs in tests/fixtures/explain/torch213/ (one or more per code, own
minimal programs) and the catalog's own `bad` examples are run with the
installed torch; their real tracebacks must be explained with the right code
first.  Run with source evidence (the files exist) and without (message and
quoted line only).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lossdoctor.catalog import all_diagnoses
from lossdoctor.explain import explain_text

from _corpus import run_programs

HERE = Path(__file__).resolve().parent
PROGRAMS = sorted((HERE.parent / "fixtures" / "explain" / "torch213").glob("LD*.py"))
E_CODES = [d.code for d in all_diagnoses() if d.on("E")]
# LD107's error is raised only under CUDA autocast; its 2.13 wording (checked against
# libtorch_cpu's strings) is covered by the pattern examples and a fixture text instead.
NEEDS_CUDA = {"LD107"}


def _expect(path: Path) -> tuple[str, str | None]:
    m = re.search(r"^# expect: (LD\d{3})(?: (.+))?$", path.read_text(), re.M)
    assert m, f"{path.name} has no '# expect:' line"
    return m.group(1), m.group(2)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, str | None]:
    work = tmp_path_factory.mktemp("corpus213")
    paths = []
    for p in PROGRAMS:
        dst = work / p.name
        dst.write_text(p.read_text())
        paths.append(dst)
    for d in all_diagnoses():
        if d.on("E") and d.bad.strip():
            dst = work / f"catalog_bad_{d.code}.py"
            dst.write_text(d.bad)
            paths.append(dst)
    tb = run_programs(paths, work)
    return {Path(k).name: v for k, v in tb.items()}


def test_every_e_code_has_a_torch213_program():
    covered = {_expect(p)[0] for p in PROGRAMS}
    missing = sorted(set(E_CODES) - covered - NEEDS_CUDA)
    assert not missing, f"no torch 2.13 program for {missing}"


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda p: p.stem)
@pytest.mark.parametrize("source_evidence", [True, False], ids=["with-source", "message-only"])
def test_program_error_is_explained(corpus, program, source_evidence):
    code, must_say = _expect(program)
    text = corpus[program.name]
    assert text is not None, f"{program.name} did not raise under torch 2.13"
    exp = explain_text(text, source_evidence=source_evidence)
    got = [d.code for d in exp.diagnoses]
    assert got and got[0] == code, f"{program.name}: expected {code} first, got {got}\n{text[-600:]}"
    assert exp.recognised
    assert exp.frame is not None and exp.frame.path.endswith(program.name), exp.frame
    assert exp.error is not None and exp.error.type
    if must_say and source_evidence:
        rendered = exp.render_text()
        assert must_say in rendered, rendered


@pytest.mark.parametrize("code", [c for c in E_CODES])
def test_catalog_bad_example_is_explained(corpus, code):
    text = corpus.get(f"catalog_bad_{code}.py", "absent")
    if text == "absent":
        pytest.skip(f"{code} has no bad example yet")
    if text is None:
        pytest.skip(f"{code}'s bad example runs silently on torch 2.13 (the silent variant, or CUDA-only)")
    exp = explain_text(text)
    got = [d.code for d in exp.diagnoses]
    assert got and got[0] == code, f"catalog bad example of {code}: got {got}\n{text[-800:]}"


def test_source_evidence_is_labelled(corpus):
    text = corpus["LD301_one_based_labels.py"]
    exp = explain_text(text)
    best = exp.best
    assert best.code == "LD301" and best.confidence == "high"
    sources = {e.source for e in best.evidence}
    assert {"message", "code"} <= sources
    assert any("Linear(64, 10)" in e.text for e in best.evidence if e.source == "code")
    assert any("labels + 1" in e.text for e in best.evidence if e.source == "code")
    assert "1-based" in best.message and "10" in best.message
