"""Every runtime (R) diagnosis: its catalog bad example is caught, its good example stays clean."""

import pytest

from lossdoctor import catalog
from lossdoctor.runtime import _checks
from ld_testing import found_codes, run_example

RUNTIME = [d for d in catalog.all_diagnoses() if d.on("R")]


def _ids(d):
    return f"{d.code}-{d.name}"


def test_every_runtime_diagnosis_has_a_check():
    emitted = {code for chk in _checks.CHECKS for code in chk.codes}
    missing = [d.code for d in RUNTIME if d.code not in emitted]
    assert not missing, f"R diagnoses without a runtime check: {missing}"


def test_every_check_reports_a_catalog_code():
    known = set(catalog.codes())
    for chk in _checks.CHECKS:
        for code in chk.codes:
            assert code in known, f"{chk.fn.__name__} reports unknown code {code}"
            assert catalog.get(code).on("R") or catalog.get(code).on("M"), f"{code} is not marked R in the catalog"


@pytest.mark.parametrize("diagnosis", RUNTIME, ids=_ids)
def test_bad_example_is_caught(diagnosis):
    if not diagnosis.bad.strip():
        pytest.skip(f"{diagnosis.code} has no bad example yet")
    report, err = run_example(diagnosis.bad)
    assert diagnosis.code in found_codes(report, err), (
        f"{diagnosis.code} not found; got {sorted(found_codes(report, err))}, error {err!r}"
    )


@pytest.mark.parametrize("diagnosis", RUNTIME, ids=_ids)
def test_good_example_is_clean(diagnosis):
    if not diagnosis.good.strip():
        pytest.skip(f"{diagnosis.code} has no good example yet")
    report, err = run_example(diagnosis.good)
    assert err is None, f"good example raised {err!r}"
    assert not report.findings, [str(f) for f in report.findings]


@pytest.mark.parametrize("diagnosis", [d for d in RUNTIME if d.raises], ids=_ids)
def test_loud_error_is_pytorchs_own_type(diagnosis):
    """Where PyTorch raises on the bad example, lossdoctor's error is an instance of the same type."""
    if not diagnosis.bad.strip():
        pytest.skip(f"{diagnosis.code} has no bad example yet")
    torch_error = None
    try:
        exec(compile(diagnosis.bad, "<bad>", "exec"), {"__name__": "__main__"})
    except Exception as exc:
        torch_error = exc
    if torch_error is None:
        pytest.skip(f"{diagnosis.code}'s bad example shows the silent case")
    report, err = run_example(diagnosis.bad)
    assert err is not None
    assert isinstance(err, type(torch_error)), f"{type(err).__mro__} is not a {type(torch_error).__name__}"
    from lossdoctor import LossDoctorError

    assert isinstance(err, LossDoctorError), f"PyTorch's own error came through: {err!r}"
