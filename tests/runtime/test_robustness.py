"""A bug inside lossdoctor never breaks the user's call: reported once, then the loss runs as usual."""

import warnings

import pytest
import torch
import torch.nn.functional as F

import lossdoctor
from lossdoctor import LossDoctorInternalWarning
from lossdoctor.runtime import _checks, _session


@pytest.fixture
def broken_check(monkeypatch, request):
    """Replace one registered check by one that crashes (fault injection, real tensors)."""
    name = getattr(request, "param", "target_out_of_range")
    index = next(i for i, c in enumerate(_checks.CHECKS) if c.fn.__name__ == name)
    original = _checks.CHECKS[index]

    def crash(call):
        raise ZeroDivisionError("injected")

    _checks.CHECKS[index] = _checks.RuntimeCheck(original.code, crash, original.losses, original.stage, original.values, original.also)
    _checks.reset_cache()
    _session._VALUE_CHECKS.clear()
    monkeypatch.setattr(_session, "_reported_internal", set())
    yield original
    _checks.CHECKS[index] = original
    _checks.reset_cache()
    _session._VALUE_CHECKS.clear()


def test_internal_error_is_reported_once_and_the_loss_is_unchanged(broken_check):
    torch.manual_seed(0)
    logits = torch.randn(8, 4, requires_grad=True)
    y = torch.randint(0, 4, (8,))
    expected = F.cross_entropy(logits, y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lossdoctor.watch(mode="raise") as report:
            results = [F.cross_entropy(logits, y) for _ in range(5)]
    internal = [w for w in caught if issubclass(w.category, LossDoctorInternalWarning)]
    assert len(internal) == 1 and "injected" in str(internal[0].message)
    assert len(report.internal_errors) == 1
    assert all(torch.equal(r, expected) for r in results)


@pytest.mark.parametrize("broken_check", ["cross_entropy_input_provenance"], indirect=True)
def test_other_checks_still_run_when_one_crashes(broken_check):
    logits = torch.randn(8, 4, requires_grad=True).view(8, 4)  # a view: every metadata check runs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lossdoctor.watch(mode="collect"):
            with pytest.raises(IndexError) as info:
                F.cross_entropy(logits, torch.full((8,), 4))
    assert info.value.finding.code == "LD301"


def test_a_crash_while_building_the_call_is_also_contained(monkeypatch):
    monkeypatch.setattr(_session, "_reported_internal", set())

    def boom(frame):
        raise RuntimeError("no frames")

    monkeypatch.setattr(_session, "_location_for", boom)
    x, y = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lossdoctor.watch() as report:
            out = F.cross_entropy(x, y)
    assert torch.equal(out, F.cross_entropy(x, y))
    assert report.internal_errors and any(issubclass(w.category, LossDoctorInternalWarning) for w in caught)


def test_meta_and_subclass_tensors_skip_value_checks_quietly():
    x = torch.randn(4, 3, device="meta")
    y = torch.zeros(4, dtype=torch.long, device="meta")
    with lossdoctor.watch(mode="raise") as report:
        out = F.cross_entropy(x, y)
    assert out.device.type == "meta"
    assert not report.internal_errors and not report.findings


def test_device_mismatch_is_caught_before_pytorch():
    x = torch.randn(4, 3, device="meta")
    y = torch.tensor([0, 1, 2, 0])
    with pytest.raises(RuntimeError):
        F.cross_entropy(x, y)
    with lossdoctor.watch(mode="collect"):
        with pytest.raises(RuntimeError) as info:
            F.cross_entropy(x, y)
    assert info.value.finding.code == "LD606"


def test_meta_tensors_on_the_hot_path_and_the_monitor_stay_quiet():
    x = torch.randn(4, 3, device="meta")
    y = torch.zeros(4, dtype=torch.long, device="meta")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lossdoctor.watch(mode="raise") as report:
            for _ in range(200):  # past the first calls: the hot path, and several monitor reads
                F.cross_entropy(x, y)
            report.findings
    assert not report.internal_errors and not report.findings
    assert not [w for w in caught if issubclass(w.category, LossDoctorInternalWarning)]
