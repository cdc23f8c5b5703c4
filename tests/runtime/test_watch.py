"""watch() / install(): modes, once per call site, nesting, threads, exceptions."""

import threading
import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor
from lossdoctor import LossDoctorError, LossDoctorWarning


def _probs():
    torch.manual_seed(0)
    logits = torch.randn(8, 5, requires_grad=True)
    return F.softmax(logits, dim=1), torch.randint(0, 5, (8,))


def test_warn_mode_warns_once_per_call_site_and_code():
    probs, y = _probs()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with lossdoctor.watch() as report:
            for _ in range(10):
                F.cross_entropy(probs, y)  # one site, ten calls
            F.cross_entropy(probs, y)      # a second site
    ours = [w for w in caught if issubclass(w.category, LossDoctorWarning)]
    assert len(ours) == 2
    assert all(w.filename == __file__ for w in ours), "the warning must point at the user's line"
    assert "LD101" in str(ours[0].message)
    counts = sorted(r.count for r in report.records.values())
    assert counts == [1, 10]


def test_collect_mode_is_quiet_and_records():
    probs, y = _probs()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with lossdoctor.watch(mode="collect") as report:
            F.cross_entropy(probs, y)
    assert report.codes() == ["LD101"]
    f = report.findings[0]
    assert f.location.path == __file__ and f.location.function == "test_collect_mode_is_quiet_and_records"
    assert f.severity == "error" and f.name == "softmax-before-cross-entropy"
    assert "SoftmaxBackward0" in f.evidence


def test_raise_mode_raises_for_silent_errors_but_not_info():
    probs, y = _probs()
    with lossdoctor.watch(mode="raise"):
        with pytest.raises(LossDoctorError) as info:
            F.cross_entropy(probs, y)
        assert info.value.code == "LD101"
        # info-level (LD206: float one-hot targets work) never raises
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            F.cross_entropy(torch.randn(4, 3), F.one_hot(torch.tensor([0, 1, 2, 0]), 3).float())  # noqa: LD206 (the bug under test)


def test_loud_bugs_raise_in_every_mode_and_before_pytorch_runs():
    x = torch.randn(4, 10)
    y = torch.tensor([1, 2, 10, 3])
    for mode in ("warn", "raise", "collect"):
        with lossdoctor.watch(mode=mode) as report:
            with pytest.raises(IndexError) as info:
                nn.CrossEntropyLoss()(x, y)
        assert isinstance(info.value, LossDoctorError)
        assert info.value.__cause__ is None  # raised by lossdoctor, not chained to a PyTorch failure
        assert "Target 10 is out of bounds" not in str(info.value)
        assert "valid 0..9" in str(info.value) and "lossdoctor rule LD301" in str(info.value)
        assert report.codes() == ["LD301"]


def test_existing_except_clauses_keep_working():
    try:
        with lossdoctor.watch():
            F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 3]))
    except IndexError as exc:  # what user code written for PyTorch catches
        assert exc.finding.code == "LD301"
    else:
        pytest.fail("no error")


def test_module_and_functional_spellings_are_both_checked():
    probs, y = _probs()
    with lossdoctor.watch(mode="collect", monitor=False) as report:  # runtime findings only
        nn.CrossEntropyLoss()(probs, y)
        F.cross_entropy(probs, y)
        nn.NLLLoss()(probs, y)
    assert sorted(f.code for f in report.findings) == ["LD101", "LD101", "LD103"]


def test_module_options_reach_the_checks():
    x = torch.randn(6, 4)
    y = torch.tensor([0, 1, -1, 2, -1, 3])
    with lossdoctor.watch(mode="raise") as report:
        nn.CrossEntropyLoss(ignore_index=-1)(x, y)  # -1 is ignored: fine
        with pytest.raises(IndexError) as info:
            nn.CrossEntropyLoss()(x, y)  # default ignore_index=-100: -1 is out of range
    assert "ignore_index=-1" in str(info.value)
    with lossdoctor.watch(mode="collect"):
        with pytest.raises(RuntimeError) as info:
            nn.CrossEntropyLoss(weight=torch.ones(3))(x, y.clamp(min=0))
    assert info.value.code == "LD406"


def test_nesting_restores_torch_exactly():
    originals = F.cross_entropy, F.nll_loss
    with lossdoctor.watch(mode="collect", monitor=False) as outer:
        with lossdoctor.watch(mode="collect", monitor=False) as inner:
            probs, y = _probs()
            F.cross_entropy(probs, y)
        assert F.cross_entropy is not originals[0]  # the outer block still checks
        F.nll_loss(probs, y)
    assert (F.cross_entropy, F.nll_loss) == originals
    assert inner.codes() == ["LD101"]
    assert outer.codes() == ["LD101", "LD103"]


def test_an_exception_inside_the_block_restores_torch():
    original = F.cross_entropy
    with pytest.raises(KeyError):
        with lossdoctor.watch():
            raise KeyError("user code failed")
    assert F.cross_entropy is original


def test_threads_each_with_their_own_watch():
    original = F.cross_entropy
    results, errors = {}, []
    barrier = threading.Barrier(4)

    def worker(i):
        try:
            probs, y = _probs()
            with lossdoctor.watch(mode="collect") as report:
                barrier.wait()
                for _ in range(20):
                    F.cross_entropy(probs if i % 2 else probs.detach().log(), y)
                barrier.wait()
            results[i] = report.codes()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results[1] == results[3] == ["LD101"]
    assert results[0] == results[2] == ["LD108"]
    assert F.cross_entropy is original


def test_install_covers_all_threads_until_uninstall():
    original = F.cross_entropy
    report = lossdoctor.install(mode="collect")
    try:
        probs, y = _probs()
        t = threading.Thread(target=lambda: F.cross_entropy(probs, y))
        t.start()
        t.join()
    finally:
        lossdoctor.uninstall(report)
    assert F.cross_entropy is original
    assert report.codes() == ["LD101"]


def test_someone_elses_patch_is_left_alone():
    original = F.cross_entropy
    with lossdoctor.watch():
        theirs = lambda *a, **k: original(*a, **k)  # noqa: E731
        F.cross_entropy = theirs
    try:
        assert F.cross_entropy is theirs
    finally:
        F.cross_entropy = original


def test_value_checks_on_a_stride_after_the_first_calls():
    x = torch.randn(4, 3)
    good, bad = torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 2, 3])
    # Metadata checks always run; value checks on the first 2 calls, then every 5th.
    with lossdoctor.watch(mode="collect", value_check_first=2, value_check_every=5) as report:
        for _ in range(3):
            F.cross_entropy(x, good)  # calls 0, 1, 2 of this site... site counts per line
        outcomes = []
        for i in range(12):
            try:
                F.cross_entropy(x, bad)
                outcomes.append("torch")
            except IndexError as exc:
                outcomes.append("ours" if exc.__cause__ is None else "ours-after-torch")
    # Skipped value checks still end in lossdoctor's diagnosis, chained to PyTorch's error.
    assert set(outcomes) <= {"ours", "ours-after-torch"}
    assert outcomes[:2] == ["ours", "ours"] and "ours-after-torch" in outcomes


def test_one_hot_batches_of_a_mixup_site_are_not_reported():
    """Mixup applied to some batches only: the unmixed ones are one-hot, and that is not LD206."""
    torch.manual_seed(0)
    logits = torch.randn(8, 4, requires_grad=True)
    y = torch.randint(0, 4, (8,))
    one_hot = F.one_hot(y, 4).float()
    mixed = 0.7 * one_hot + 0.3 * one_hot.roll(1, 0)
    with lossdoctor.watch(mode="warn") as report:
        for targets in (one_hot, mixed, one_hot, one_hot):
            nn.CrossEntropyLoss()(logits, targets)
    assert report.codes() == []
    with lossdoctor.watch(mode="warn") as report:  # never mixed: the info finding stays
        nn.CrossEntropyLoss()(logits, one_hot)  # noqa: LD206 (the bug under test)
    assert report.codes() == ["LD206"]


def test_internal_errors_reach_every_report(monkeypatch):
    from lossdoctor.runtime import _session

    def boom(frame):
        raise RuntimeError("no frames")

    monkeypatch.setattr(_session, "_location_for", boom)
    x, y = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    for _ in range(2):  # the second session is told too, though the warning is given once per process
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with lossdoctor.watch() as report:
                F.cross_entropy(x, y)
        assert report.internal_errors


def test_the_error_is_raised_from_the_wrapper_not_from_deep_inside():
    import traceback

    with lossdoctor.watch():
        with pytest.raises(IndexError) as info:
            F.cross_entropy(torch.randn(4, 3), torch.tensor([0, 1, 2, 3]))
    frames = traceback.extract_tb(info.value.__traceback__)
    ours = [f for f in frames if "lossdoctor" in f.filename]
    assert len(ours) == 1 and ours[0].name == "wrapper", [(f.filename, f.name) for f in frames]
    assert frames[0].filename == __file__
