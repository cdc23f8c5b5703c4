"""Monitor.plot (PNG through matplotlib) and Monitor.html (self-contained page, inline SVG)."""

from __future__ import annotations

import math
import re

import pytest
import torch
from torch import nn

import lossdoctor
from monitor_toys import mlp, train


@pytest.fixture(scope="module")
def session():
    """Two buggy training loops in one watch(): a chance plateau and a negative NLL loss."""
    torch.manual_seed(0)
    with lossdoctor.watch("collect") as report:
        train(mlp(50, last=nn.Softmax(dim=1)), nn.CrossEntropyLoss(), num_classes=50, steps=120)
        train(mlp(50), nn.NLLLoss(), num_classes=50, steps=40, lr=0.01)
    return report


def test_png_is_written_and_is_a_png(session, tmp_path):
    pytest.importorskip("matplotlib")
    path = session.monitor.plot(tmp_path / "loss.png")
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height >= 2 * 300  # one panel per call site


def test_png_of_an_empty_monitor_says_so(tmp_path):
    pytest.importorskip("matplotlib")
    path = lossdoctor.Monitor().plot(tmp_path / "empty.png")
    assert open(path, "rb").read()[:4] == b"\x89PNG"


def test_png_of_a_diverging_run_with_nan_values(tmp_path):
    pytest.importorskip("matplotlib")
    m = lossdoctor.Monitor()
    for v in [2.0, 1e6, 1e30, float("inf"), float("nan")]:
        m.update(v, num_classes=10)
    assert open(m.plot(tmp_path / "nan.png"), "rb").read()[:4] == b"\x89PNG"


def test_html_is_self_contained_with_curves_markers_and_findings(session, tmp_path):
    path = session.monitor.html(tmp_path / "report.html", findings=session.findings)
    text = open(path, encoding="utf-8").read()
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text.lower() and "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    assert text.count("<svg") == 2 and text.count("<polyline") == 2
    for code in ("LD101", "LD701", "LD102", "LD702"):
        assert code in text
    # the LD701 marker sits on the curve at the step it fired
    assert re.search(r"<circle [^>]*><title>LD701 at step 99: ", text)
    assert f"chance ln(50) = {math.log(50):.3f}" in text
    # findings table escapes the backticked code and angle brackets in messages
    assert "`CrossEntropyLoss`" in text


def test_html_escapes_user_text(tmp_path):
    m = lossdoctor.Monitor()
    m.update(-1.0, loss_name="nll_loss", name="<b>evil</b>")
    text = open(m.html(tmp_path / "x.html"), encoding="utf-8").read()
    assert "<b>evil</b>" not in text and "&lt;b&gt;evil&lt;/b&gt;" in text


def test_long_curves_are_thinned_in_svg(tmp_path):
    m = lossdoctor.Monitor(stride=1000)
    for i in range(20000):
        m.update(1.0 / (1 + i), name="long")
    text = open(m.html(tmp_path / "long.html"), encoding="utf-8").read()
    points = re.search(r'points="([^"]*)"', text).group(1).split()
    assert len(points) <= 1600
