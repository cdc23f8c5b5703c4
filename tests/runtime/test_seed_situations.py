"""Situations of the seed articles, rewritten, with the diagnoses PyTorch's real behaviour calls for.

Several articles are wrong (shared/seeds/README.md); these tests pin what PyTorch does.
"""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor
from ld_testing import found_codes


def _mlp(out=10, softmax=False):
    layers = [nn.Linear(10, 50), nn.ReLU(), nn.Linear(50, out)]
    if softmax:
        layers.append(nn.Softmax(dim=1))
    return nn.Sequential(*layers)


def _collect(fn):
    err = None
    with lossdoctor.watch(mode="collect") as report:
        try:
            fn()
        except Exception as exc:
            err = exc
    return report, err


def test_softmax_as_the_last_layer_is_caught_though_pytorch_says_nothing():
    # An article calls this the "correct implementation"; it is the double-softmax bug.
    torch.manual_seed(0)
    X, y = torch.randn(64, 10), torch.randint(0, 10, (64,))
    model = _mlp(softmax=True)
    loss = nn.CrossEntropyLoss()(model(X), y)  # PyTorch: no error at all
    assert torch.isfinite(loss)
    report, err = _collect(lambda: nn.CrossEntropyLoss()(model(X), y))
    assert err is None and found_codes(report) == {"LD101"}
    # The floor the catalog quotes: even a perfect softmax output can't go below ln(1 + 9/e).
    perfect = F.one_hot(y, 10).float()
    floor = nn.CrossEntropyLoss()(perfect, y).item()
    assert floor == pytest.approx(torch.log(torch.tensor(1 + 9 / torch.e)).item(), abs=1e-4)


def test_omitting_the_softmax_is_correct():
    # An article claims raw logits give "inaccurate loss calculations": they are what the loss wants.
    torch.manual_seed(0)
    X, y = torch.randn(64, 10), torch.randint(0, 10, (64,))
    report, err = _collect(lambda: nn.CrossEntropyLoss()(_mlp()(X), y))
    assert err is None and not report.findings


def test_double_softmax_is_silent_not_a_shape_mismatch():
    torch.manual_seed(0)
    X, y = torch.randn(16, 10), torch.randint(0, 3, (16,))
    out = F.softmax(nn.Linear(10, 3)(X), dim=1)
    nn.CrossEntropyLoss()(out, y)  # lossdoctor: ignore[LD101] (deliberate: the bug under test); no shape error
    report, err = _collect(lambda: nn.CrossEntropyLoss()(out, y))
    assert err is None and "LD101" in found_codes(report)


def test_float_one_hot_targets_work_and_are_only_info():
    # Articles say one-hot targets "will result in a shape mismatch error" / "will throw an error".
    torch.manual_seed(0)
    logits, y = torch.randn(16, 3, requires_grad=True), torch.randint(0, 3, (16,))
    one_hot = F.one_hot(y, 3).float()
    assert torch.equal(F.cross_entropy(logits, one_hot), F.cross_entropy(logits, y)) or torch.allclose(
        F.cross_entropy(logits, one_hot), F.cross_entropy(logits, y)
    )
    report, err = _collect(lambda: F.cross_entropy(logits, one_hot))
    assert err is None and found_codes(report) == {"LD206"}
    assert report.findings[0].severity == "info"


def test_integer_one_hot_targets_raise_with_argmax_fix():
    torch.manual_seed(0)
    logits, y = torch.randn(16, 3), torch.randint(0, 3, (16,))
    report, err = _collect(lambda: F.cross_entropy(logits, F.one_hot(y, 3)))
    assert isinstance(err, RuntimeError) and err.finding.code == "LD202"
    assert "argmax" in err.finding.fix_title and "one-hot" in err.finding.message


def test_mse_on_softmax_and_one_hot_runs_but_is_flagged():
    torch.manual_seed(0)
    model = nn.Linear(10, 3)
    X, y = torch.randn(16, 10), torch.randint(0, 3, (16,))
    report, err = _collect(lambda: nn.MSELoss()(F.softmax(model(X), dim=1), F.one_hot(y, 3).float()))
    assert err is None and found_codes(report) == {"LD602"}


def test_one_hot_into_nll_loss_raises_multi_target():
    torch.manual_seed(0)
    x, y = torch.randn(8, 3), torch.randint(0, 3, (8,))
    with pytest.raises(RuntimeError, match="multi-target not supported"):
        F.nll_loss(F.log_softmax(x, 1), F.one_hot(y, 3).float())  # noqa: LD201 (the bug under test)
    report, err = _collect(lambda: F.nll_loss(F.log_softmax(x, 1), F.one_hot(y, 3).float()))
    assert err.finding.code == "LD201" and isinstance(err, RuntimeError)


def test_float32_labels_because_everything_should_be_float32():
    torch.manual_seed(0)
    x, y = torch.randn(8, 3), torch.randint(0, 3, (8,)).float()
    report, err = _collect(lambda: nn.CrossEntropyLoss()(x, y))
    assert isinstance(err, RuntimeError) and err.finding.code == "LD203"
    assert "long" in err.finding.fix_title


def test_out_of_range_labels_from_randint_minus_one_to_four():
    torch.manual_seed(0)
    x = torch.randn(32, 3)
    y = torch.randint(-1, 4, (32,))
    report, err = _collect(lambda: nn.CrossEntropyLoss()(x, y))
    assert isinstance(err, IndexError) and err.finding.code == "LD301"
    assert "valid 0..2" in err.finding.message


def test_unsqueezed_output_is_an_extra_dim():
    torch.manual_seed(0)
    out, y = torch.randn(32, 3), torch.randint(0, 3, (32,))
    report, err = _collect(lambda: nn.CrossEntropyLoss()(out.unsqueeze(1), y))
    assert isinstance(err, RuntimeError) and err.finding.code == "LD402"
    assert "squeeze(1)" in err.finding.fix_title


def test_log_of_softmax_goes_infinite_for_large_logits():
    logits = torch.tensor([[1000.0, -1000.0], [-1000.0, 1000.0]], requires_grad=True)
    y = torch.tensor([1, 0])
    assert torch.isinf(F.nll_loss(torch.log(F.softmax(logits, 1)), y))
    report, err = _collect(lambda: F.nll_loss(torch.log(F.softmax(logits, 1)), y))
    assert "LD104" in found_codes(report)
    with torch.no_grad():  # without autograd the -inf values and the inf loss are the evidence
        report, err = _collect(lambda: F.nll_loss(torch.log(F.softmax(logits, 1)), y))
    assert "LD104" in found_codes(report)


def test_batch_size_mismatch_comes_from_reshaping_not_the_dataloader():
    torch.manual_seed(0)
    feats = torch.randn(8, 4, 6)  # (batch, 4 positions, 6 features)
    head = nn.Linear(24, 3)
    y = torch.randint(0, 3, (8,))
    bad = head(feats.view(-1, 24)[:4])  # wrong view: 4 rows for 8 labels
    report, err = _collect(lambda: F.cross_entropy(bad, y))
    assert isinstance(err, ValueError) and err.finding.code == "LD401"
    assert "4" in err.finding.message and "8" in err.finding.message

    # A DataLoader yields inputs and targets of the same length, a short last batch included.
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(torch.randn(10, 24), torch.randint(0, 3, (10,))), batch_size=4)
    with lossdoctor.watch(mode="raise") as report:
        for xb, yb in loader:
            F.cross_entropy(head(xb), yb)
    assert not report.findings
