"""What the framework callbacks share: turning lossdoctor on for one fit, reporting, writing files."""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable

from .._finding import Finding
from ._monitor import DEFAULT_STRIDE, Monitor

CALLBACK_MODES = ("collect", "raise")


class TrainingSession:
    """Install the runtime checks with a monitor for one fit/train; uninstall at the end.

    ``mode``: ``"collect"`` (default: report silent bugs through the framework's
    logger and keep training; bugs PyTorch would raise on still raise before the
    kernel runs) or ``"raise"`` (stop at silent bugs of error severity too).
    """

    def __init__(self, mode: str, log: logging.Logger, *, stride: int = DEFAULT_STRIDE,
                 output: str | os.PathLike | None = None, plot: str | os.PathLike | None = None,
                 html: str | os.PathLike | None = None, on_finding: Callable[[Finding], Any] | None = None,
                 **settings: Any) -> None:
        if mode not in CALLBACK_MODES:
            raise ValueError(f"lossdoctor callback: mode must be one of {', '.join(CALLBACK_MODES)}, got {mode!r}")
        self.mode = mode
        self.log = log
        self.output, self.plot, self.html = output, plot, html
        self.user_on_finding = on_finding
        # Validate settings now, in the user's constructor call, not at fit time.
        self.monitor = Monitor(stride=stride, **settings)
        self.monitor.on_finding = self._found
        self._monitor_args = dict(stride=stride, **settings)
        self.report: Any = None
        self.findings: list[Finding] = []
        self.logged: list[Finding] = []

    @property
    def active(self) -> bool:
        return self.report is not None

    def start(self, rank: int | None = None) -> None:
        """Install; ``rank`` is the framework's own process rank in a multi-process run."""
        if self.report is not None:
            return
        import lossdoctor

        self.monitor = Monitor(**self._monitor_args, **({"rank": rank} if rank is not None else {}))
        self.monitor.on_finding = self._found
        self.findings, self.logged = [], []
        report = lossdoctor.install(self.mode, monitor=True)
        report.monitor = self.monitor  # the session reads it at every call: ours, with our settings
        self.report = report

    def set_step(self, step: int | None) -> None:
        self.monitor.step = step

    def stop(self) -> list[Finding]:
        """Uninstall, flush the monitor (logging what it finds last) and write the requested files."""
        if self.report is None:
            return self.findings
        import lossdoctor

        report, self.report = self.report, None
        lossdoctor.uninstall(report)
        try:
            self.findings = list(report.findings)  # flushes the monitor: late findings are logged too
        except Exception as exc:  # reporting must never break the end of training
            self.log.warning("lossdoctor: could not build the report: %r", exc)
            return self.findings
        self._write_files(report)
        if self.findings:
            codes = ", ".join(sorted({f.code for f in self.findings}))
            self.log.warning("lossdoctor: %d finding(s) in this run: %s (`lossdoctor rule CODE` explains each)",
                             len(self.findings), codes)
        return self.findings

    def _found(self, finding: Finding) -> None:
        self.logged.append(finding)
        level = logging.INFO if finding.severity == "info" else logging.WARNING
        rank = finding.details.get("rank", self.monitor.rank)
        where = f"{finding.location}: " if finding.location else ""
        text = f"lossdoctor: {where}{finding.code} {finding.name}: {finding.message}"
        if rank is not None:
            text += f" [rank {rank}]"
        text += f"\n  fix: {finding.fix_title}"
        self.log.log(level, text)
        if self.user_on_finding is not None:
            self.user_on_finding(finding)

    def _write_files(self, report: Any) -> None:
        try:
            if self.output:
                data = {"findings": report.to_dicts(), "exit_code": 0, "calls": report.calls}
                if self.monitor.rank is not None:
                    data["rank"] = self.monitor.rank
                with open(self.output, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, indent=2, default=str)
                    fh.write("\n")
            if self.plot:
                self.monitor.plot(self.plot)
            if self.html:
                self.monitor.html(self.html, findings=self.findings)
        except Exception as exc:
            self.log.warning("lossdoctor: could not write the report files: %r", exc)
