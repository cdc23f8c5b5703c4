"""lossdoctor never changes the user's numbers: losses and gradients are bitwise identical."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor

CASES = {
    "cross_entropy": lambda m, X, y: F.cross_entropy(m(X), y),
    "ce_module_weighted_smoothed": lambda m, X, y: nn.CrossEntropyLoss(weight=torch.linspace(0.5, 2, 5), label_smoothing=0.1)(m(X), y),
    "ce_softmax_bug": lambda m, X, y: F.cross_entropy(F.softmax(m(X), 1), y),
    "nll_log_softmax": lambda m, X, y: F.nll_loss(F.log_softmax(m(X), 1), y),
    "nll_on_logits_bug": lambda m, X, y: F.nll_loss(m(X), y),
    "bce_with_logits": lambda m, X, y: F.binary_cross_entropy_with_logits(m(X), F.one_hot(y, 5).float()),
    "bce_sigmoid": lambda m, X, y: nn.BCELoss()(torch.sigmoid(m(X)), F.one_hot(y, 5).float()),
    "kl_div": lambda m, X, y: F.kl_div(F.log_softmax(m(X), 1), F.softmax(torch.ones(5), 0).expand(len(y), 5), reduction="batchmean"),
    "mse": lambda m, X, y: F.mse_loss(m(X), F.one_hot(y, 5).float()),
    "l1_none": lambda m, X, y: F.l1_loss(m(X), F.one_hot(y, 5).float(), reduction="none").sum(),
}


def _run(case, watched: bool):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 16), nn.Tanh(), nn.Linear(16, 5))
    X = torch.randn(32, 12)
    y = torch.randint(0, 5, (32,))
    losses = []
    ctx = lossdoctor.watch(mode="collect") if watched else torch.enable_grad()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with ctx:
        for _ in range(3):
            opt.zero_grad()
            loss = CASES[case](model, X, y)
            loss.backward()
            losses.append(loss.detach().clone())
            grads = [p.grad.clone() for p in model.parameters()]
            opt.step()
    return losses, grads, torch.random.get_rng_state()


@pytest.mark.parametrize("case", sorted(CASES))
def test_losses_and_gradients_are_bitwise_identical(case):
    off_losses, off_grads, off_rng = _run(case, watched=False)
    on_losses, on_grads, on_rng = _run(case, watched=True)
    for a, b in zip(off_losses, on_losses):
        assert torch.equal(a, b) and a.dtype == b.dtype
    for a, b in zip(off_grads, on_grads):
        assert torch.equal(a, b)
    assert torch.equal(off_rng, on_rng), "lossdoctor consumed random numbers"
