"""A PyTorch Lightning callback: lossdoctor's checks and monitor for every ``fit``.

    from lossdoctor.monitor.lightning import LossDoctorCallback
    trainer = Trainer(callbacks=[LossDoctorCallback()])

Every loss call made during ``fit`` is checked (the torch losses are patched
from ``on_fit_start`` to the end of the fit), the loss values are watched over
training steps (``trainer.global_step``), and each finding is reported through
Lightning's logger (``logging.getLogger("lightning.pytorch")``) as soon as it is
made (``pytorch_lightning`` for that package's Trainer); ``trainer.logger`` gets the count as the metric ``lossdoctor/findings``.
Works with ``lightning`` (``lightning.pytorch``) and with ``pytorch_lightning``.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable

from .._finding import Finding
from ._monitor import DEFAULT_STRIDE
from ._training import TrainingSession


def _callback_bases() -> tuple[type, ...]:
    bases: list[type] = []
    try:
        from lightning.pytorch import Callback as _LightningCallback

        bases.append(_LightningCallback)
    except ImportError:
        pass
    try:  # the older package name has its own, distinct Callback class: accept both trainers
        from pytorch_lightning import Callback as _PLCallback

        if _PLCallback not in bases:
            bases.append(_PLCallback)
    except ImportError:
        pass
    if not bases:
        raise ImportError(
            "lossdoctor.monitor.lightning needs PyTorch Lightning: `pip install 'lossdoctor[lightning]'`"
        )
    return tuple(bases)


class LossDoctorCallback(*_callback_bases()):  # type: ignore[misc]
    """Check every loss call and watch the loss during ``Trainer.fit``.

    ``mode="collect"`` (default) logs silent bugs and keeps training (bugs
    PyTorch would raise on still raise, before the kernel runs);
    ``mode="raise"`` stops at silent bugs of error severity.  ``output``,
    ``plot`` and ``html`` write a JSON report, a PNG and an HTML page at the end
    of the fit.  Other keyword arguments are monitor settings
    (``chance_window``, ``flat_window``, ``stride``...).  After the fit,
    ``callback.findings`` holds every finding.
    """

    def __init__(self, mode: str = "collect", *, output: str | os.PathLike | None = None,
                 plot: str | os.PathLike | None = None, html: str | os.PathLike | None = None,
                 stride: int = DEFAULT_STRIDE, on_finding: Callable[[Finding], Any] | None = None,
                 **settings: Any) -> None:
        super().__init__()
        self._session = TrainingSession(mode, logging.getLogger("lightning.pytorch.callbacks.lossdoctor"),
                                        stride=stride, output=output, plot=plot, html=html,
                                        on_finding=on_finding, **settings)
        self._trainer: Any = None

    @property
    def findings(self) -> list[Finding]:
        return self._session.findings if not self._session.active else list(self._session.logged)

    @property
    def monitor(self):
        return self._session.monitor

    def on_fit_start(self, trainer: Any, pl_module: Any) -> None:
        self._trainer = trainer
        # Log under the package the Trainer comes from, so its logging set-up applies.
        package = "pytorch_lightning" if type(trainer).__module__.startswith("pytorch_lightning") else "lightning.pytorch"
        self._session.log = logging.getLogger(f"{package}.callbacks.lossdoctor")
        distributed = getattr(trainer, "world_size", 1) > 1
        self._session.start(rank=trainer.global_rank if distributed else None)

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        self._session.set_step(trainer.global_step)

    def on_validation_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int,
                                  dataloader_idx: int = 0) -> None:
        self._session.set_step(trainer.global_step)

    def on_fit_end(self, trainer: Any, pl_module: Any) -> None:
        self._finish(trainer)

    def on_exception(self, trainer: Any, pl_module: Any, exception: BaseException) -> None:
        self._finish(trainer)

    def teardown(self, trainer: Any, pl_module: Any, stage: str) -> None:
        self._finish(trainer)

    def _finish(self, trainer: Any) -> None:
        if not self._session.active:
            return
        findings = self._session.stop()
        for logger in getattr(trainer, "loggers", None) or []:
            try:
                logger.log_metrics({"lossdoctor/findings": float(len(findings))}, step=trainer.global_step)
            except Exception:  # a metrics backend refusing a value must not break the fit
                pass


__all__ = ["LossDoctorCallback"]
