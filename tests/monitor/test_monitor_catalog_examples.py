"""The catalog's bad and good programs of the monitor's diagnoses, run under watch()."""

import pytest

from lossdoctor import catalog
from ld_testing import found_codes, run_example

MONITOR_CODES = ("LD502", "LD701", "LD702", "LD703")


@pytest.mark.parametrize("code", MONITOR_CODES)
def test_bad_example_is_caught_by_the_monitor(code):
    d = catalog.get(code)
    assert "M" in d.surfaces and d.bad.strip()
    report, err = run_example(d.bad)
    assert err is None
    assert code in {f.code for f in report.monitor.findings()}, sorted(found_codes(report, err))


@pytest.mark.parametrize("code", MONITOR_CODES)
def test_good_example_is_clean(code):
    report, err = run_example(catalog.get(code).good)
    assert err is None and not report.findings, [str(f) for f in report.findings]


def test_monitor_findings_cite_the_runtime_finding_the_catalog_relates():
    report, _ = run_example(catalog.get("LD701").bad)
    plateau = next(f for f in report.findings if f.code == "LD701")
    assert plateau.details["related"] == ["LD101"]
    report, _ = run_example(catalog.get("LD702").bad)
    negative = next(f for f in report.findings if f.code == "LD702")
    assert negative.details["related"] == ["LD102"]


def test_frozen_learning_rate_example_is_reported_as_frozen():
    report, _ = run_example(catalog.get("LD703").bad)
    flat = next(f for f in report.findings if f.code == "LD703")
    assert flat.details.get("frozen") and "has not changed" in flat.message
