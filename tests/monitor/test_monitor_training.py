"""Real short training runs under watch(): what the monitor reports, tied to the runtime's findings."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
from torch import nn

import lossdoctor
from monitor_toys import blobs, mlp, train

C = 50


def watched(model, criterion, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # collect mode must not warn at all
        with lossdoctor.watch("collect") as report:
            losses = train(model, criterion, num_classes=C, **kw)
    return report, losses


def by_code(report):
    out = {}
    for f in report.findings:
        out.setdefault(f.code, f)
    return out


def test_correct_mlp_on_separable_blobs_has_no_finding():
    torch.manual_seed(0)
    report, losses = watched(mlp(C), nn.CrossEntropyLoss())
    assert losses[-1] < 0.5 * losses[0]  # it really learned
    assert report.findings == []
    assert report.monitor is not None and len(report.monitor.series()) == 1


def test_correct_mlp_with_eval_loop_at_the_same_call_site_has_no_finding():
    # the same criterion line used for training and for a frozen-model evaluation each "epoch"
    torch.manual_seed(0)
    model, criterion = mlp(C), nn.CrossEntropyLoss()
    x, y = blobs(C)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def step(xb, yb):
        return criterion(model(xb), yb)

    with lossdoctor.watch("collect") as report:
        for epoch in range(3):
            for i in range(0, 1024, 64):
                loss = step(x[i:i + 64], y[i:i + 64])
                opt.zero_grad()
                loss.backward()
                opt.step()
            with torch.no_grad():  # 250 evaluation calls with a fixed model: flat by construction
                for _ in range(250):
                    step(x[1024:1088], y[1024:1088])
    assert report.findings == []
    kinds = sorted(s.training for s in report.monitor.series())
    assert kinds == [False, True]


def test_softmax_before_cross_entropy_plateaus_at_chance_and_the_plateau_cites_ld101():
    torch.manual_seed(0)
    report, losses = watched(mlp(C, last=nn.Softmax(dim=1)), nn.CrossEntropyLoss())
    found = by_code(report)
    assert "LD101" in found
    plateau = found["LD701"]
    window = report.monitor.settings.chance_window
    # within its window: the first `window` steps already sit at ln(C)
    assert plateau.details["first_step"] == 0
    assert plateau.details["step"] == window - 1
    assert plateau.details["related"][0] == "LD101"
    assert "LD101 softmax-before-cross-entropy" in plateau.message
    assert f"ln({C}) = {math.log(C):.4f}" in plateau.message
    assert f"for {window} training steps (steps 0-{window - 1}" in plateau.message
    assert plateau.fix_title == lossdoctor.catalog.get("LD101").fix
    assert all(abs(v - math.log(C)) < 0.2 for v in losses[:window])
    assert plateau.location is not None and plateau.location.path == found["LD101"].location.path
    assert plateau.location.line == found["LD101"].location.line
    assert "LD703" not in found  # one story, not two


def test_nll_loss_on_raw_logits_goes_negative():
    torch.manual_seed(0)
    report, losses = watched(mlp(C), nn.NLLLoss())
    found = by_code(report)
    assert "LD102" in found
    negative = found["LD702"]
    first = next(i for i, v in enumerate(losses) if v < 0)
    assert negative.details["step"] == first
    assert negative.details["value"] == pytest.approx(losses[first])
    assert negative.details["related"] == ["LD102"]
    assert f"returned {losses[first]:.4f} at step {first}" in negative.message
    assert "values below -1 rule out probabilities" in negative.message
    assert negative.details["count"] == sum(v < 0 for v in losses)


def test_huge_learning_rate_reports_the_first_nonfinite_step():
    torch.manual_seed(0)
    report, losses = watched(mlp(C), nn.CrossEntropyLoss(), lr=50.0)
    first = next(i for i, v in enumerate(losses) if not math.isfinite(v))
    found = by_code(report)
    nonfinite = found["LD502"]
    assert nonfinite.details["step"] == first
    assert f"at step {first}, its first non-finite value" in nonfinite.message
    assert f"the last finite value was" in nonfinite.message
    assert "LD501" in found  # the logits went non-finite too, and the runtime saw it


def test_nonfinite_loss_with_nonfinite_logits_from_the_start_says_so():
    x = torch.randn(8, 5)
    x[0, 0] = float("nan")
    y = torch.randint(0, 5, (8,))
    w = torch.ones(5, 5, requires_grad=True)
    with lossdoctor.watch("collect") as report:
        for _ in range(3):
            torch.nn.functional.cross_entropy(x @ w, y)
    found = by_code(report)
    assert "LD501" in found
    assert found["LD502"].details["step"] == 0
    assert "the input logits were already non-finite" in found["LD502"].message
    assert found["LD502"].details["related"][0] == "LD501"


def test_monitor_findings_are_tagged_with_the_rank(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    torch.manual_seed(0)
    report, _ = watched(mlp(C), nn.NLLLoss(), steps=10)
    monitor_findings = [f for f in report.findings if f.code == "LD702"]
    assert monitor_findings and monitor_findings[0].details["rank"] == 1


def test_watch_without_monitor_records_nothing_over_time():
    torch.manual_seed(0)
    with lossdoctor.watch("collect", monitor=False) as report:
        train(mlp(C), nn.NLLLoss(), num_classes=C, steps=10)
    assert report.monitor is None
    assert {f.code for f in report.findings} == {"LD102"}
