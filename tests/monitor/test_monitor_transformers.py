"""The transformers TrainerCallback with a real Trainer.train (a tiny BERT built from a config: no downloads)."""

from __future__ import annotations

import logging
import os

import pytest
import torch
import torch.nn.functional as F

os.environ.setdefault("HF_HUB_OFFLINE", "1")
transformers = pytest.importorskip("transformers")  # the `transformers` test extra installs it
pytest.importorskip("accelerate")
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments  # noqa: E402

import lossdoctor  # noqa: E402
from lossdoctor.monitor.transformers import LossDoctorCallback  # noqa: E402

C = 4
VOCAB = 40


class Tokens(torch.utils.data.Dataset):
    """Sequences whose first token names the class: learnable in a few dozen steps."""

    def __init__(self, n=256, length=12):
        g = torch.Generator().manual_seed(0)
        self.y = torch.randint(0, C, (n,), generator=g)
        self.x = torch.randint(C + 1, VOCAB, (n, length), generator=g)
        self.x[:, 0] = self.y + 1

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "attention_mask": torch.ones_like(self.x[i]), "labels": self.y[i]}


class NLLTrainer(Trainer):
    """A custom compute_loss with a classic bug: raw logits into nll_loss."""

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = F.nll_loss(outputs.logits, labels)
        return (loss, outputs) if return_outputs else loss


class Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def train(trainer_class, callback, tmp_path, steps=30, evaluate=False):
    torch.manual_seed(0)
    config = BertConfig(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=16, num_labels=C)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir=str(tmp_path), max_steps=steps, per_device_train_batch_size=16, learning_rate=1e-3,
        report_to=[], use_cpu=True, save_strategy="no", logging_steps=10, disable_tqdm=True,
        eval_strategy="steps" if evaluate else "no", eval_steps=15, per_device_eval_batch_size=32,
    )
    data = Tokens()
    trainer = trainer_class(model=model, args=args, train_dataset=data, eval_dataset=Tokens(64) if evaluate else None,
                            callbacks=[callback])
    handler = Capture()
    hf_logger = logging.getLogger("transformers")
    hf_logger.addHandler(handler)
    try:
        trainer.train()
    finally:
        hf_logger.removeHandler(handler)
    return trainer, handler.messages


def test_stock_trainer_on_a_tiny_bert_has_no_finding(tmp_path):
    original = F.cross_entropy
    callback = LossDoctorCallback()
    trainer, messages = train(Trainer, callback, tmp_path, evaluate=True)
    assert callback.findings == []
    assert not [m for m in messages if "lossdoctor" in m]
    assert F.cross_entropy is original and not lossdoctor.runtime.installed()
    # the loss BERT computes inside its own forward was seen, at training and evaluation time
    series = callback.monitor.series()
    assert sorted(s.training for s in series) == [False, True]
    train_series = next(s for s in series if s.training)
    assert len(train_series.values) == 30 and list(train_series.steps)[:2] == [0, 1]
    assert train_series.num_classes == C and train_series.loss_name == "cross_entropy"


def test_nll_on_logits_in_a_custom_compute_loss_is_logged_through_transformers(tmp_path):
    callback = LossDoctorCallback(plot=None, html=tmp_path / "report.html")
    trainer, messages = train(NLLTrainer, callback, tmp_path)
    codes = [f.code for f in callback.findings]
    assert codes == ["LD102", "LD702"]
    negative = callback.findings[1]
    assert negative.details["related"] == ["LD102"]
    assert negative.location.path == __file__
    assert any("LD102 logits-to-nll-loss" in m for m in messages)
    assert any("LD702 negative-classification-loss" in m for m in messages)
    assert "LD702" in (tmp_path / "report.html").read_text()


def test_close_uninstalls_after_a_train_that_raised(tmp_path):
    original = F.nll_loss
    callback = LossDoctorCallback(mode="raise")
    with pytest.raises(lossdoctor.LossDoctorError):
        train(NLLTrainer, callback, tmp_path, steps=3)
    assert lossdoctor.runtime.installed()  # transformers has no exception hook ...
    callback.close()  # ... so the user (or a finally:) closes it
    assert F.nll_loss is original and not lossdoctor.runtime.installed()
