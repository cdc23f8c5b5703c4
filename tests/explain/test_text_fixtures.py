"""Real-format error texts from older torch versions and other front ends.

Each file in tests/fixtures/explain/texts/ is an own minimal text in the format
users paste (THNN/THCUNN paths, IPython and Colab tracebacks, rich boxes, pytest
reports, CI logs, torchrun prefixes, Windows paths, ANSI colours, chained
errors), with a header naming the torch version it is typical of and the code
that must come first (``none``: not a loss error, nothing may be claimed).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lossdoctor.explain import explain_text
from lossdoctor.explain._model import MEDIUM

TEXTS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "explain" / "texts").glob("*.txt"))


def load(path: Path) -> tuple[dict[str, str], str]:
    raw = path.read_text(encoding="utf-8")
    head, _, body = raw.partition("\n---\n")
    meta = {}
    for line in head.splitlines():
        key, _, value = line.lstrip("# ").partition(":")
        meta[key.strip()] = value.strip()
    return meta, body


def test_fixture_headers():
    assert len(TEXTS) >= 20
    for p in TEXTS:
        meta, body = load(p)
        assert {"torch", "format", "expect"} <= set(meta), p.name
        assert body.strip(), p.name


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.stem)
def test_text_is_explained(path):
    meta, body = load(path)
    exp = explain_text(body, source_evidence=False)
    codes = [d.code for d in exp.diagnoses if d.score >= MEDIUM]
    if meta["expect"] == "none":
        assert not exp.recognised, f"{path.name}: claimed {codes}"
        assert "does not recognise" in exp.render_text() or "found no" in exp.render_text()
        return
    assert codes and codes[0] == meta["expect"], f"{path.name}: expected {meta['expect']} first, got {codes}"
    assert exp.error is not None


def test_frames_are_extracted_from_each_format():
    frames = {}
    for p in TEXTS:
        _, body = load(p)
        exp = explain_text(body, source_evidence=False)
        frames[p.stem] = exp.frame
    assert frames["torch1.7_windows_nll2d_float_target"].path == "E:\\work\\lanes\\utils\\loss.py"
    assert frames["torch1.7_windows_nll2d_float_target"].line == 37
    assert frames["torch1.13_colab_long_logits"].source == "loss = loss_fn(pred.long(), y_batch)"
    assert frames["torch1.12_scalar_type_long"].path == "Cell In[12]"
    assert frames["torch1.12_scalar_type_long"].line == 4
    assert frames["torch2.0_rich_device_mismatch"].path == "/home/u/project/modeling.py"
    assert frames["torch2.1_pytest_bce_shape"].path == "tests/test_train.py"
    assert frames["torch2.1_pytest_bce_shape"].source == "loss = criterion(out, y)"
    assert frames["torch2.9_torchrun_accelerator_error"].line == 77
    assert frames["torch1.12_ipython8_ansi_target_size"].source == "loss = criterion(logits, tags)"
    assert frames["torch1.9_ci_log_padding"].path == "scripts/train_tagger.py"
    assert frames["torch1.9_ci_log_padding"].source == "loss = F.cross_entropy(logits.transpose(1, 2), tags)"


def test_chained_errors_report_the_loss_error():
    _, body = load(next(p for p in TEXTS if p.stem == "torch1.12_chained_batch_size"))
    exp = explain_text(body)
    assert exp.error.type == "ValueError"
    assert exp.frame.path == "/srv/app/trainer.py" and exp.frame.line == 210
    assert any("2 errors" in n for n in exp.notes)
    assert "32x" in exp.best.message  # 256 rows vs 8 targets


def test_repeated_assertions_are_counted_not_repeated():
    _, body = load(next(p for p in TEXTS if p.stem == "torch1.4_cuda_assert_flood"))
    exp = explain_text(body)
    assert [d.code for d in exp.diagnoses] == ["LD301"]
    assert any("3 times" in e.text for e in exp.best.evidence)
