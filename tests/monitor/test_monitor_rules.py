"""Monitor.update / observe on chosen value sequences: each rule's edges, batching, bad input."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest
import torch

import lossdoctor
from lossdoctor.monitor import Monitor, Settings


def feed(monitor, values, **kw):
    for v in values:
        monitor.update(torch.tensor(float(v)), **kw)
    return monitor.findings()


def codes(findings):
    return [f.code for f in findings]


def test_monitor_is_the_public_lazy_name_and_importing_it_loads_no_torch():
    assert lossdoctor.Monitor is Monitor
    code = "import sys, lossdoctor.monitor, lossdoctor; lossdoctor.Monitor; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- LD701 -------------------------------------------------------------------

def test_chance_plateau_needs_the_whole_window():
    ln10 = math.log(10)
    assert codes(feed(Monitor(), [ln10] * 99, num_classes=10)) == []
    found = feed(Monitor(), [ln10 + 0.01 * (-1) ** i for i in range(100)], num_classes=10)
    assert codes(found) == ["LD701"]
    f = found[0]
    assert f.details["step"] == 99 and f.details["first_step"] == 0 and f.details["window"] == 100
    assert "ln(10) = 2.3026" in f.message and "steps 0-99" in f.message
    assert "common causes" in f.message  # no runtime finding explains it here
    assert f.details["related"] == []


def test_chance_plateau_counts_consecutive_steps_only():
    ln10 = math.log(10)
    values = [ln10] * 60 + [1.0] + [ln10] * 60
    assert codes(feed(Monitor(), values, num_classes=10)) == []
    found = feed(Monitor(chance_window=50), values, num_classes=10)
    assert found[0].details["first_step"] == 0 and found[0].details["step"] == 49


def test_chance_band_is_relative_to_ln_c():
    ln50 = math.log(50)
    tol = 0.05 * ln50
    jitter = [0.001 * (-1) ** i for i in range(200)]
    assert codes(feed(Monitor(), [ln50 + 0.9 * tol + j for j in jitter[:100]], num_classes=50)) == ["LD701"]
    assert codes(feed(Monitor(), [ln50 + 1.2 * tol + j for j in jitter[:100]], num_classes=50)) == []
    # just outside the band and flat for 200 steps: not chance, but not learning either
    assert codes(feed(Monitor(), [ln50 + 1.2 * tol + j for j in jitter], num_classes=50)) == ["LD703"]


def test_no_chance_check_without_classes_or_for_sum_reduction_or_other_losses():
    ln10 = math.log(10)
    assert "LD701" not in codes(feed(Monitor(), [ln10] * 120))
    assert "LD701" not in codes(feed(Monitor(), [ln10] * 120, num_classes=10, reduction="sum"))
    assert "LD701" not in codes(feed(Monitor(), [ln10] * 120, num_classes=10, loss_name="mse_loss"))


# -- LD702 -------------------------------------------------------------------

def test_negative_classification_loss_first_step_and_count():
    found = feed(Monitor(), [0.5, 0.1, -0.2, 0.3, -0.4], num_classes=10, loss_name="nll_loss")
    assert codes(found) == ["LD702"]
    f = found[0]
    assert f.details["step"] == 2 and f.details["value"] == pytest.approx(-0.2)
    assert f.details["count"] == 2
    assert "2 of 5 values below 0, lowest -0.4000" in f.message
    assert "rule out probabilities" not in f.message  # [-1, 0] fits probabilities as well as logits


def test_zero_and_rounding_noise_are_not_negative():
    assert codes(feed(Monitor(), [0.0, -1e-9, 0.0], loss_name="cross_entropy")) == []


def test_negative_regression_loss_is_not_a_classification_finding():
    # MSE can't be negative, but kl_div with unnormalised targets can: not LD702's business
    assert codes(feed(Monitor(), [-0.5] * 5, loss_name="kl_div")) == []


def test_negative_bce_names_target_range():
    found = feed(Monitor(), [-0.3], loss_name="binary_cross_entropy_with_logits")
    assert codes(found) == ["LD702"]
    assert "targets outside [0, 1] (LD303)" in found[0].message
    # and it is real: BCE-with-logits on a target of 2 goes below 0 without any error
    real = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor([3.0]), torch.tensor([2.0]))
    assert codes(feed(Monitor(), [real], loss_name="binary_cross_entropy_with_logits")) == ["LD702"]


# -- LD502 -------------------------------------------------------------------

def test_nonfinite_loss_names_first_step_and_last_finite_value():
    found = feed(Monitor(), [2.0, 1.5, float("nan"), float("inf"), 1.0], num_classes=10)
    assert codes(found) == ["LD502"]
    f = found[0]
    assert f.details["step"] == 2 and math.isnan(f.details["value"])
    assert "returned nan at step 2" in f.message
    assert "last finite value was 1.5000 at step 1" in f.message
    assert "2 of 5 values non-finite" in f.message


def test_nonfinite_at_the_very_first_call():
    found = feed(Monitor(), [float("inf")], num_classes=10)
    assert "the very first call" in found[0].message


# -- LD703 -------------------------------------------------------------------

def test_flat_loss_that_never_improves_is_reported_after_its_window():
    values = [0.8 + 0.01 * math.sin(i) for i in range(200)]
    found = feed(Monitor(), values, loss_name="mse_loss")
    assert codes(found) == ["LD703"]
    assert found[0].details["step"] == 199
    assert "did not improve over its first 200 training steps" in found[0].message


def test_rising_loss_is_not_decreasing():
    found = feed(Monitor(flat_window=50), [1.0 + 0.01 * i for i in range(60)], loss_name="l1_loss")
    assert codes(found) == ["LD703"]


def test_a_run_that_learned_and_then_converged_is_not_flagged():
    values = [2.0 * math.exp(-i / 20) + 0.01 for i in range(1000)]
    assert feed(Monitor(), values, num_classes=10) == []


def test_a_drop_to_the_floor_within_the_first_block_is_an_improvement():
    # first values ~0.75, the floor ~0.63 from step 4 on: the first-20 mean (~0.64) hides the drop
    values = [0.76, 0.73, 0.70, 0.66] + [0.63 + 0.01 * math.sin(i) for i in range(300)]
    assert feed(Monitor(), values, loss_name="binary_cross_entropy_with_logits") == []


def test_flat_from_the_first_value_is_still_reported():
    values = [0.63 + 0.01 * math.sin(i) for i in range(200)]
    assert codes(feed(Monitor(), values, loss_name="binary_cross_entropy_with_logits")) == ["LD703"]


def test_user_given_steps_are_used():
    m = Monitor()
    for i, v in enumerate([1.0, -1.0]):
        m.update(v, step=100 + 10 * i, loss_name="nll_loss")
    assert m.findings()[0].details["step"] == 110


def test_named_curves_are_separate_series():
    m = Monitor()
    for _ in range(3):
        m.update(1.0, name="train")
        m.update(-1.0, name="other", loss_name="nll_loss")
    assert [s.label for s in m.series()] == ["train", "other"]
    assert codes(m.findings()) == ["LD702"]


# -- batching: no read per step ----------------------------------------------

def test_values_are_read_in_batches_on_the_stride():
    m = Monitor(stride=4)
    w = torch.ones(3, requires_grad=True)
    for i in range(6):
        m.observe(("site", 1), (w * i).sum(), loss_name="mse_loss", num_classes=None, reduction="mean", location=None)
    (series,) = m.series()
    assert list(series.values) == [0.0, 3.0, 6.0, 9.0]  # one batch of 4 read, 2 pending
    assert series.calls == 6
    m.findings()
    assert list(series.values) == [0.0, 3.0, 6.0, 9.0, 12.0, 15.0]


def test_observe_keeps_no_graph_and_averages_unreduced_losses():
    m = Monitor(stride=1000)
    x = torch.randn(4, 3, requires_grad=True)
    out = torch.nn.functional.cross_entropy(x, torch.tensor([0, 1, 2, 0]), reduction="none")
    m.observe("s", out, loss_name="cross_entropy", num_classes=3, reduction="none", location=None)
    pending = m.series()[0].pending[0]
    assert pending.grad_fn is None and not pending.requires_grad
    m.flush()
    assert m.series()[0].values[0] == pytest.approx(out.mean().item())


def test_eval_calls_are_a_separate_series_and_skip_the_time_rules():
    m = Monitor()
    with torch.no_grad():
        out = torch.tensor(math.log(10))
        for _ in range(300):
            m.observe("s", out, loss_name="cross_entropy", num_classes=10, reduction="mean", location=None)
    assert m.findings() == []
    assert [s.training for s in m.series()] == [False]


def test_half_precision_values_are_read_with_float32_ones():
    m = Monitor(stride=2)
    m.update(torch.tensor(1.0, dtype=torch.float16), name="a")
    m.update(torch.tensor(2.0, dtype=torch.bfloat16), name="a")
    assert list(m.series()[0].values) == [1.0, 2.0]


def test_runtime_notes_explain_and_reach_on_finding():
    seen = []
    m = Monitor(on_finding=seen.append)
    note = lossdoctor.Finding("LD103", "probabilities into nll_loss")
    m.note_finding("s", note)
    m.note_finding("s", note)  # once per code and site
    w = torch.ones(1, requires_grad=True)
    m.observe("s", -0.5 * w.sum(), loss_name="nll_loss", num_classes=10, reduction="mean", location=None)
    m.findings()
    assert [f.code for f in seen] == ["LD103", "LD702"]
    assert seen[1].details["related"] == ["LD103"]
    assert "LD103 probabilities-to-nll-loss was reported at this call site and explains it" in seen[1].message


def test_a_failing_on_finding_hook_never_breaks_training():
    def broken(finding):
        raise RuntimeError("logger down")

    m = Monitor(on_finding=broken, stride=1)
    with pytest.warns(lossdoctor.LossDoctorInternalWarning, match="logger down"):
        m.update(-1.0, loss_name="nll_loss", name="train")
    m.update(-2.0, loss_name="nll_loss", name="train")
    assert codes(m.findings()) == ["LD702"]


def test_update_calls_from_two_lines_are_two_curves():
    m = Monitor()
    m.update(1.0)
    m.update(2.0)
    assert len(m.series()) == 2 and m.series()[0].location.line + 1 == m.series()[1].location.line


def test_rank_from_environment(monkeypatch):
    monkeypatch.setenv("RANK", "3")
    assert feed(Monitor(), [-1.0], loss_name="nll_loss")[0].details["rank"] == 3
    monkeypatch.delenv("RANK")
    assert "rank" not in feed(Monitor(), [-1.0], loss_name="nll_loss")[0].details


def test_to_dict_is_json_ready():
    import json

    m = Monitor()
    feed(m, [1.0, float("nan")], num_classes=3)
    data = json.loads(json.dumps(m.to_dict()))
    assert data["series"][0]["values"] == [1.0, "nan"]
    assert data["findings"][0]["code"] == "LD502"


# -- bad input: clear messages -------------------------------------------------

@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        (dict(stride=0), ValueError, "stride must be a positive int"),
        (dict(stride=2.5), ValueError, "stride must be a positive int"),
        (dict(chance_window=1), ValueError, "chance_window must be at least 2"),
        (dict(chance_tol=2.0), ValueError, "chance_tol must be in"),
        (dict(flat_start=0), ValueError, "flat_start must be at least 1"),
        (dict(window=5), TypeError, "unknown setting"),
    ],
)
def test_bad_settings(kwargs, error, text):
    with pytest.raises(error, match=text):
        Monitor(**kwargs)


@pytest.mark.parametrize(
    "args, kwargs, error, text",
    [
        (("1.0",), {}, TypeError, "loss must be a tensor or a number, got str"),
        ((1.0,), dict(loss_name="hinge"), ValueError, "unknown loss_name 'hinge'"),
        ((1.0,), dict(num_classes=0), ValueError, "num_classes must be a positive int"),
        ((1.0,), dict(step="3"), TypeError, "step must be an int"),
        ((1.0,), dict(reduction="avg"), ValueError, "reduction must be one of"),
    ],
)
def test_bad_update_arguments(args, kwargs, error, text):
    with pytest.raises(error, match=text):
        Monitor().update(*args, **kwargs)


def test_settings_defaults_are_documented_values():
    s = Settings()
    assert (s.chance_window, s.chance_tol, s.flat_window) == (100, 0.05, 200)


def test_a_frozen_loss_is_not_decreasing_after_its_window():
    found = feed(Monitor(), [2.0, 1.9] + [1.834975] * 60, num_classes=10)
    assert codes(found) == ["LD703"]
    f = found[0]
    assert f.details["frozen"] and f.details["first_step"] == 2 and f.details["step"] == 51
    assert "has not changed for 50 training steps in a row" in f.message


def test_a_loss_converged_to_zero_is_not_frozen():
    assert feed(Monitor(), [1.0, 0.5] + [0.0] * 300, num_classes=10) == []


def test_a_loss_frozen_at_chance_is_the_chance_plateau_only():
    # a dead network: all-zero logits give exactly ln(C) with zero gradient
    found = feed(Monitor(), [math.log(10)] * 300, num_classes=10)
    assert codes(found) == ["LD701"]


def test_tiny_changes_are_not_frozen():
    assert codes(feed(Monitor(), [1.0 - 1e-4 * i for i in range(150)], num_classes=10)) == []
