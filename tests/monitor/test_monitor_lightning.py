"""The Lightning callback with a real Trainer.fit (tiny CPU model, ~100 steps)."""

from __future__ import annotations

import json
import logging

import pytest
import torch
from torch import nn

import lossdoctor
from monitor_toys import blobs, mlp

L = pytest.importorskip("lightning.pytorch")  # the `lightning` test extra installs it
from lossdoctor.monitor.lightning import LossDoctorCallback  # noqa: E402

C = 50


class Classifier(L.LightningModule):
    def __init__(self, last=None, criterion=None):
        super().__init__()
        self.net = mlp(C, last=last)
        self.criterion = criterion or nn.CrossEntropyLoss()

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self.net(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.criterion(self.net(x), y))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def loaders():
    x, y = blobs(C)
    g = torch.Generator().manual_seed(0)
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[:1792], y[:1792]), batch_size=64,
                                        shuffle=True, generator=g)
    val = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x[1792:], y[1792:]), batch_size=64)
    return train, val


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def captured():
    handler = Capture()
    logger = logging.getLogger("lightning.pytorch")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def fit(model, callback, steps=120, tmp_path=None, validate=False):
    torch.manual_seed(0)
    trainer = L.Trainer(
        max_steps=steps, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
        enable_progress_bar=False, enable_model_summary=False, callbacks=[callback],
        limit_val_batches=4 if validate else 0, num_sanity_val_steps=0, default_root_dir=tmp_path,
    )
    train, val = loaders()
    trainer.fit(model, train, val if validate else None)
    return trainer


def test_correct_model_fit_has_no_finding_and_leaves_torch_unpatched(captured, tmp_path):
    original = torch.nn.functional.cross_entropy
    callback = LossDoctorCallback()
    fit(Classifier(), callback, tmp_path=tmp_path, validate=True)
    assert callback.findings == []
    assert not [r for r in captured.records if "lossdoctor" in r.getMessage()]
    assert torch.nn.functional.cross_entropy is original
    assert not lossdoctor.runtime.installed()
    # training and validation calls at one line: two curves, steps are trainer.global_step
    series = callback.monitor.series()
    assert sorted(s.training for s in series) == [False, True]
    train_series = next(s for s in series if s.training)
    assert list(train_series.steps)[:3] == [0, 1, 2] and len(train_series.values) == 120


def test_softmax_before_cross_entropy_is_logged_through_lightning(captured, tmp_path):
    out = tmp_path / "report.json"
    callback = LossDoctorCallback(output=out, html=tmp_path / "report.html")
    fit(Classifier(last=nn.Softmax(dim=1)), callback, tmp_path=tmp_path)
    codes = [f.code for f in callback.findings]
    assert codes == ["LD101", "LD701"]
    plateau = callback.findings[1]
    assert plateau.details["related"] == ["LD101"] and plateau.details["step"] == 99
    messages = [r.getMessage() for r in captured.records if r.name.startswith("lightning.pytorch")]
    assert any("LD101 softmax-before-cross-entropy" in m for m in messages)
    assert any("LD701 loss-stuck-at-chance" in m for m in messages)
    assert any("2 finding(s) in this run: LD101, LD701" in m for m in messages)
    report = json.loads(out.read_text())
    assert [f["code"] for f in report["findings"]] == ["LD101", "LD701"]
    assert "<svg" in (tmp_path / "report.html").read_text()


def test_raise_mode_stops_the_fit_and_still_uninstalls(tmp_path):
    original = torch.nn.functional.nll_loss
    callback = LossDoctorCallback(mode="raise")
    with pytest.raises(lossdoctor.LossDoctorError) as info:
        fit(Classifier(criterion=nn.NLLLoss()), callback, steps=5, tmp_path=tmp_path)
    assert info.value.code == "LD102"
    assert torch.nn.functional.nll_loss is original
    assert not lossdoctor.runtime.installed()


def test_bad_callback_arguments_fail_at_construction():
    with pytest.raises(ValueError, match="mode must be one of collect, raise"):
        LossDoctorCallback(mode="warn")
    with pytest.raises(TypeError, match="unknown setting"):
        LossDoctorCallback(window=3)


def test_the_same_callback_works_with_the_pytorch_lightning_package(tmp_path):
    PL = pytest.importorskip("pytorch_lightning")
    handler = Capture()
    logging.getLogger("pytorch_lightning").addHandler(handler)

    class Old(PL.LightningModule):
        def __init__(self):
            super().__init__()
            self.net, self.criterion = mlp(C), nn.NLLLoss()

        def training_step(self, batch, batch_idx):
            x, y = batch
            return self.criterion(self.net(x), y)

        def configure_optimizers(self):
            return torch.optim.SGD(self.parameters(), lr=0.01)

    callback = LossDoctorCallback()
    try:
        torch.manual_seed(0)
        trainer = PL.Trainer(max_steps=10, accelerator="cpu", devices=1, logger=False, enable_checkpointing=False,
                             enable_progress_bar=False, enable_model_summary=False, callbacks=[callback],
                             default_root_dir=tmp_path)
        trainer.fit(Old(), loaders()[0])
    finally:
        logging.getLogger("pytorch_lightning").removeHandler(handler)
    assert [f.code for f in callback.findings] == ["LD102", "LD702"]
    assert any("LD702 negative-classification-loss" in r.getMessage() for r in handler.records)
