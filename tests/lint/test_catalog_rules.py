"""Every catalog diagnosis with surface S has a lint rule; its `bad` example is
flagged with its code and its `good` example stays clean (one source of truth)."""
from __future__ import annotations

import pytest

from lossdoctor.catalog import all_diagnoses, get
from lossdoctor.lint import lint_source
from lossdoctor.lint._registry import all_rules

STATIC = [d.code for d in all_diagnoses() if "S" in d.surfaces]


def test_every_static_diagnosis_has_a_rule():
    registered = {r.code for r in all_rules()}
    assert set(STATIC) - registered == set()


def test_every_rule_is_a_static_catalog_diagnosis():
    for rule in all_rules():
        assert "S" in get(rule.code).surfaces, f"{rule.name} registers {rule.code}, which has no S surface"


def test_rule_names_are_unique():
    names = [r.name for r in all_rules()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", STATIC)
def test_catalog_bad_example_is_flagged(code):
    d = get(code)
    if not d.bad.strip():
        pytest.skip(f"{code}: the catalog has no bad example yet")
    codes = {f.code for f in lint_source(d.bad, path=f"{code}-bad.py")}
    assert code in codes, f"{code}'s bad example is not flagged (found: {sorted(codes)})"


@pytest.mark.parametrize("code", STATIC)
def test_catalog_good_example_is_clean(code):
    d = get(code)
    if not d.good.strip():
        pytest.skip(f"{code}: the catalog has no good example yet")
    findings = lint_source(d.good, path=f"{code}-good.py")
    assert not findings, [str(f) for f in findings]
