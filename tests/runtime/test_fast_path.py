"""The hot path's shortcut never hides a finding: whatever it accepts, the full checks pass too."""

import warnings

import pytest
import torch

from lossdoctor import catalog
from lossdoctor.runtime import _checks, _session
from ld_testing import run_example


def _metadata_findings(call):
    call.facts.clear()
    out = []
    for chk in _checks.pre_checks(call.loss):
        if not chk.values:
            f = chk.fn(call)
            if f is not None:
                out.append(f.code)
    return out


@pytest.fixture
def call_log(monkeypatch):
    log: list = []
    monkeypatch.setattr(_session, "CALL_LOG", log)
    _session._VALUE_CHECKS.clear()
    return log


def test_fast_path_agrees_with_the_full_checks_on_every_catalog_example(call_log):
    for d in catalog.all_diagnoses():
        for source in (d.bad, d.good):
            if source.strip() and d.on("R"):
                run_example(source)
    accepted = [call for call, ok in call_log if ok]
    assert len(accepted) > 20, "the corpus should exercise the fast path"
    assert any(not ok for _, ok in call_log)
    for call in accepted:
        assert _metadata_findings(call) == [], call


def test_fast_path_agrees_on_shapes_and_dtypes_of_every_kind(call_log):
    import lossdoctor
    import torch.nn.functional as F

    torch.manual_seed(0)
    cases = []
    for xs, ts in [((4, 3), (4,)), ((4, 3), (3,)), ((4, 3), (4, 1)), ((3,), ()), ((3,), (1,)), ((2, 3, 5), (2, 5)),
                   ((2, 5, 5), (2, 5)), ((2, 3, 4, 4), (2, 4, 4)), ((2, 3, 4, 4), (2, 1, 4, 4)), ((4, 3), (4, 3))]:
        for tdtype in (torch.int64, torch.int32, torch.uint8, torch.float32):
            cases.append((torch.randn(*xs), torch.zeros(ts, dtype=tdtype)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with lossdoctor.watch(mode="collect"):
            for x, y in cases:
                for fn in (F.cross_entropy, F.nll_loss):
                    try:
                        fn(x, y)
                    except Exception:
                        pass
                try:
                    F.binary_cross_entropy_with_logits(x, y)
                except Exception:
                    pass
    for call, ok in call_log:
        if ok:
            assert _metadata_findings(call) == [], call
