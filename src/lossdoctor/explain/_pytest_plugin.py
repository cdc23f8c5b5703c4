"""pytest plugin: ``pytest --lossdoctor`` runs the tests with the runtime checks on
and adds the explanation of loss errors to failure reports.

Registered through the ``pytest11`` entry point, so it is loaded in every pytest
run where lossdoctor is installed; without ``--lossdoctor`` it does nothing and
imports nothing beyond this module.
"""

from __future__ import annotations

import pytest

_SECTION = "lossdoctor"


def pytest_addoption(parser) -> None:
    group = parser.getgroup("lossdoctor", "loss-function bug checks")
    group.addoption("--lossdoctor", action="store_true", default=False,
                    help="check every torch loss call while the tests run, and explain loss errors in failures")
    group.addoption("--lossdoctor-mode", choices=("warn", "raise"), default="warn",
                    help="warn (default): silent loss bugs are warnings; raise: they fail the test")


def _enabled(config) -> bool:
    return bool(config.getoption("lossdoctor", default=False))


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session) -> None:
    config = session.config
    if not _enabled(config):
        return
    try:
        from ..runtime import install
    except Exception as exc:  # torch missing or runtime broken: keep the explanations
        config._lossdoctor_report = None
        config._lossdoctor_note = f"runtime checks unavailable ({type(exc).__name__}: {exc})"
        return
    config._lossdoctor_report = install(config.getoption("lossdoctor_mode"))
    config._lossdoctor_note = None


def pytest_sessionfinish(session, exitstatus) -> None:
    report = getattr(session.config, "_lossdoctor_report", None)
    if report is not None:
        from ..runtime import uninstall

        uninstall(report)
        session.config._lossdoctor_report = None
        session.config._lossdoctor_findings = len(getattr(report, "findings", []) or [])


def pytest_report_header(config):
    if not _enabled(config):
        return None
    note = getattr(config, "_lossdoctor_note", None)
    return f"lossdoctor: {note}" if note else f"lossdoctor: runtime checks on (mode={config.getoption('lossdoctor_mode')})"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if not _enabled(item.config) or call.excinfo is None:
        return
    report = outcome.get_result()
    if not report.failed:
        return
    from . import _already_explained, explain_exception

    exc = call.excinfo.value
    exp = explain_exception(exc)
    if exp is not None:
        report.sections.append((_SECTION, exp.render_text(verbose=not _already_explained(exc))))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _enabled(config):
        return
    n = getattr(config, "_lossdoctor_findings", None)
    if n:
        terminalreporter.write_line(f"lossdoctor: {n} loss finding(s) during the run (see the warnings above)")
