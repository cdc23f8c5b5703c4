"""The message-pattern table: complete, consistent, and its examples are tests."""

from __future__ import annotations

import pytest

from lossdoctor.catalog import all_diagnoses, find
from lossdoctor.explain import explain_text
from lossdoctor.explain._patterns import PATTERNS

EXAMPLES = [(p, v, text) for p in PATTERNS for v, text in p.examples]


def test_ids_unique_and_codes_exist():
    ids = [p.id for p in PATTERNS]
    assert len(ids) == len(set(ids))
    for p in PATTERNS:
        assert p.codes, p.id
        for code in p.codes:
            entry = find(code)
            assert entry is not None, f"{p.id}: unknown code {code}"
        assert p.examples, f"{p.id} has no example text"
        assert p.torch, f"{p.id} does not say which torch versions use this wording"
        assert p.anchor and all(p.anchor in text for _, text in p.examples), p.id


def test_every_e_diagnosis_has_a_pattern():
    covered = {p.codes[0] for p in PATTERNS} | {c for p in PATTERNS for c in p.codes}
    missing = [d.code for d in all_diagnoses() if d.on("E") and d.code not in covered]
    assert not missing


def test_every_pattern_code_is_on_the_e_surface():
    for p in PATTERNS:
        for code in p.codes:
            assert find(code).on("E"), f"{p.id}: {code} is not marked E in the catalog"


@pytest.mark.parametrize("pattern,version,text", EXAMPLES,
                         ids=[f"{p.id}-{v}-{i}" for i, (p, v, _) in enumerate(EXAMPLES)])
def test_example_explained_with_first_code(pattern, version, text):
    assert pattern.regex.search(text.splitlines()[0]) or any(pattern.regex.search(l) for l in text.splitlines())
    exp = explain_text(text, source_evidence=False)
    assert exp.diagnoses and exp.diagnoses[0].code == pattern.codes[0], [d.code for d in exp.diagnoses]


def test_numbers_from_the_message_reach_the_text():
    exp = explain_text("IndexError: Target 10 is out of bounds.")
    assert "10" in exp.best.message and "11 outputs" in exp.best.fix
    exp = explain_text("ValueError: Expected input batch_size (32) to match target batch_size (16).")
    assert "32" in exp.best.message and "16" in exp.best.message and "2x" in exp.best.message
    exp = explain_text("RuntimeError: weight tensor should be defined either for all 3 classes or no classes "
                       "but got weight tensor of shape: [2]")
    assert "2 entries" in exp.best.message and "3 classes" in exp.best.message
    exp = explain_text("RuntimeError: size mismatch (got input: [2, 2, 68, 68] , target: [2, 256, 256]")
    assert "(256, 256)" in exp.best.fix


def test_generic_wordings_need_context():
    # `result type ... can't be cast` also comes from in-place integer arithmetic
    tb = ("Traceback (most recent call last):\n  File \"count.py\", line 3, in <module>\n    counts += 0.5\n"
          "RuntimeError: result type Float can't be cast to the desired output type Long\n")
    assert not explain_text(tb).recognised
    # the same wording through binary_cross_entropy_with_logits is LD208
    tb2 = tb.replace('    counts += 0.5\n', '    loss = F.binary_cross_entropy_with_logits(out, y)\n')
    assert explain_text(tb2).best.code == "LD208" and explain_text(tb2).best.confidence == "high"


def test_regexes_stay_linear_on_hostile_lines():
    # lines built to make a backtracking regex explode: anchors present, no match
    hostile = "\n".join([
        "Expected target size [" + "1, " * 2000,
        "Target " + "9" * 5000 + " is out of bound",
        "Expected all tensors to be on the same device, but found at least two devices, " + "cuda:0 " * 1000,
        "'" + "a" * 5000 + "Output" * 300 + "' object has no attribute",
        ("RuntimeError" * 600)[:8000],
        "x" * 9000 + "Error: " + "y" * 9000,
    ])
    exp = explain_text(hostile)
    assert not exp.recognised
