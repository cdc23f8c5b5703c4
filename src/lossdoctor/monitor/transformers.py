"""A Hugging Face ``transformers`` ``TrainerCallback``: lossdoctor's checks and monitor for ``train()``.

    from lossdoctor.monitor.transformers import LossDoctorCallback
    trainer = Trainer(model=model, args=args, train_dataset=ds, callbacks=[LossDoctorCallback()])

Every loss call made during ``train()`` is checked (including the loss a model
computes inside its own ``forward``), the loss values are watched over
``state.global_step``, and each finding is reported through the transformers
logger (``transformers.utils.logging``) as soon as it is made.
"""

from __future__ import annotations

import os
from typing import Any, Callable

from transformers import TrainerCallback
from transformers.utils import logging as _hf_logging

from .._finding import Finding
from ._monitor import DEFAULT_STRIDE
from ._training import TrainingSession


class LossDoctorCallback(TrainerCallback):
    """Check every loss call and watch the loss during ``Trainer.train``.

    ``mode="collect"`` (default) logs silent bugs and keeps training (bugs
    PyTorch would raise on still raise, before the kernel runs);
    ``mode="raise"`` stops at silent bugs of error severity.  ``output``,
    ``plot`` and ``html`` write a JSON report, a PNG and an HTML page at the end
    of training.  Other keyword arguments are monitor settings
    (``chance_window``, ``flat_window``, ``stride``...).  After training,
    ``callback.findings`` holds every finding.
    """

    def __init__(self, mode: str = "collect", *, output: str | os.PathLike | None = None,
                 plot: str | os.PathLike | None = None, html: str | os.PathLike | None = None,
                 stride: int = DEFAULT_STRIDE, on_finding: Callable[[Finding], Any] | None = None,
                 **settings: Any) -> None:
        self._session = TrainingSession(mode, _hf_logging.get_logger("transformers.lossdoctor"),
                                        stride=stride, output=output, plot=plot, html=html,
                                        on_finding=on_finding, **settings)

    @property
    def findings(self) -> list[Finding]:
        return self._session.findings if not self._session.active else list(self._session.logged)

    @property
    def monitor(self):
        return self._session.monitor

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        distributed = getattr(args, "world_size", 1) > 1
        self._session.start(rank=args.process_index if distributed else None)
        self._session.set_step(state.global_step)

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._session.set_step(state.global_step)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._session.stop()

    def close(self) -> list[Finding]:
        """Uninstall now (for a ``train()`` that raised: transformers has no exception hook)."""
        return self._session.stop()


__all__ = ["LossDoctorCallback"]
