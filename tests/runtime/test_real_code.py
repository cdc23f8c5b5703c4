"""Loss code patterns from widely used libraries that lossdoctor once flagged wrongly.

Each test rebuilds one pattern in plain torch (no torchvision/timm import, so it runs
in CI), checks that it stays clean under watch(), and checks that the real bug next to
it is still reported, so a fix can't silence a whole diagnosis.
"""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor
from lossdoctor import LossDoctorError
from lossdoctor.runtime import _checks
from lossdoctor.runtime._call import from_functional


def _watch(fn):
    """Run fn under watch(mode="collect"); return the report."""
    with lossdoctor.watch(mode="collect") as report:
        fn()
    assert not report.internal_errors, report.internal_errors
    return report


def _codes(report):
    return sorted(f.code for f in report.findings)


# --- LD409: a globally pooled conv head, (N, C, 1, 1) flattened to (N, C) -------------------


def _pooled_conv_head(num_classes=10):
    # The head of torchvision's SqueezeNet: a 1x1 conv to the classes, pooled to 1x1, flattened.
    return nn.Sequential(
        nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, num_classes, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten()
    )


def test_flattened_global_pooling_is_clean_with_and_without_autograd():
    torch.manual_seed(0)
    net = _pooled_conv_head()
    x, y = torch.randn(4, 3, 16, 16), torch.randint(0, 10, (4,))

    def train_and_eval():
        F.cross_entropy(net(x), y).backward()
        F.cross_entropy(net[:-1](x).view(4, -1), y).backward()
        with torch.no_grad():  # eval: the logits are a view of the (N, C, 1, 1) pooled map
            F.cross_entropy(net[:-1](x).view(4, -1), y)

    assert _codes(_watch(train_and_eval)) == []


def test_flattening_real_spatial_logits_without_permute_is_still_ld409():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 1)
    x, y = torch.randn(2, 3, 5, 5), torch.randint(0, 4, (50,))
    report = _watch(lambda: F.cross_entropy(conv(x).reshape(-1, 4), y))
    assert _codes(report) == ["LD409"]


# --- LD102: focal loss written as nll_loss on weighted log-probabilities --------------------


def _focal(logits, target, gamma=2.0):
    # A widely copied focal-loss formulation: NLL over (1 - p)**gamma * log p.
    logp = F.log_softmax(logits, dim=-1)
    return F.nll_loss((1 - logp.exp()) ** gamma * logp, target)


def test_focal_loss_through_nll_loss_is_clean():
    torch.manual_seed(0)
    head = nn.Linear(20, 5)
    x, y = torch.randn(32, 20), torch.randint(0, 5, (32,))

    def run():
        _focal(head(x), y).backward()
        with torch.no_grad():  # evaluation: only the values are there to judge
            _focal(head(x) * 5, y)

    assert _codes(_watch(run)) == []


def test_raw_logits_into_nll_loss_are_still_ld102_without_autograd():
    torch.manual_seed(0)
    head = nn.Linear(20, 5)
    x, y = torch.randn(32, 20), torch.randint(0, 5, (32,))

    def run():
        with torch.no_grad():
            F.nll_loss(head(x), y)  # noqa: LD102 (the bug under test)

    assert _codes(_watch(run)) == ["LD102"]


# --- LD608: symmetric losses and reverse KL with a detached first argument ------------------


def test_symmetric_losses_with_the_prediction_second_are_clean():
    torch.manual_seed(0)
    denoiser = nn.Linear(16, 16)
    autoencoder = nn.Sequential(nn.Linear(16, 4), nn.ReLU(), nn.Linear(4, 16))
    student, teacher = nn.Linear(16, 10), nn.Linear(16, 10)
    x = torch.randn(8, 16)

    def run():
        noise = torch.randn_like(x)
        F.mse_loss(noise, denoiser(x + noise)).backward()  # diffusion-style epsilon loss
        F.l1_loss(x, autoencoder(x)).backward()  # reconstruction, data first
        with torch.no_grad():
            t_logp = F.log_softmax(teacher(x), -1)
        s_logp = F.log_softmax(student(x), -1)
        # reverse KL(student || teacher), as GKD-style distillation writes it
        F.kl_div(t_logp, s_logp, reduction="batchmean", log_target=True).backward()

    assert _codes(_watch(run)) == []


def test_swapped_bce_with_logits_is_still_ld608():
    torch.manual_seed(0)
    head = nn.Linear(16, 3)
    x, labels = torch.randn(8, 16), (torch.rand(8, 3) > 0.5).float()
    report = _watch(lambda: F.binary_cross_entropy_with_logits(labels, head(x)))
    assert "LD608" in _codes(report)  # (LD303 too: the logits, as targets, leave [0, 1])


# --- LD405: a one-element target is a constant, not a broadcasting accident ----------------


def test_regression_toward_a_constant_is_clean():
    torch.manual_seed(0)
    head = nn.Linear(16, 4)
    x = torch.randn(8, 16)

    def run():
        F.mse_loss(head(x), torch.tensor(0.0)).backward()
        F.l1_loss(head(x), torch.ones(1)).backward()

    assert _codes(_watch(run)) == []


def test_column_against_row_targets_is_still_ld405():
    torch.manual_seed(0)
    head = nn.Linear(16, 1)
    x, y = torch.randn(8, 16), torch.randn(8)
    report = _watch(lambda: F.mse_loss(head(x), y))
    assert _codes(report) == ["LD405"]


# --- LD406: class weights with probability targets (mixup) in another float dtype -----------


@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_float32_class_weights_with_soft_targets_are_accepted(dtype):
    torch.manual_seed(0)
    logits = torch.randn(4, 5, dtype=dtype, requires_grad=True)
    soft = torch.softmax(torch.randn(4, 5), 1).to(dtype)  # mixed labels
    weight = torch.rand(5)  # float32, as class weights usually are
    expected = F.cross_entropy(logits, soft, weight=weight)  # PyTorch accepts it
    with lossdoctor.watch(mode="raise") as report:
        loss = F.cross_entropy(logits, soft, weight=weight, label_smoothing=0.1)
    assert torch.isfinite(loss) and torch.isfinite(expected)
    assert _codes(report) == []


def test_mismatched_weight_dtype_with_class_indices_still_raises_ld406():
    logits = torch.randn(4, 5, dtype=torch.float64)
    target = torch.randint(0, 5, (4,))
    with pytest.raises(RuntimeError):
        F.cross_entropy(logits, target, weight=torch.rand(5))  # PyTorch refuses it
    with lossdoctor.watch(mode="collect"), pytest.raises(LossDoctorError) as info:
        F.cross_entropy(logits, target, weight=torch.rand(5))
    assert info.value.finding.code == "LD406"
    assert isinstance(info.value, RuntimeError)


# --- Loud checks raise the type PyTorch raises first when one call has several problems ----

_MULTI_PROBLEM_CALLS = {
    "int32 target and a wrong-length weight": (lambda: ((4, 5), torch.randint(0, 5, (4,), dtype=torch.int32), {"weight": torch.rand(3)})),
    "batch mismatch and a wrong-dtype weight": (lambda: ((4, 5), torch.randint(0, 5, (5,)), {"weight": torch.rand(5, dtype=torch.float64)})),
    "K-dim batch mismatch and a wrong-length weight": (lambda: ((2, 5, 3), torch.randint(0, 5, (3, 3)), {"weight": torch.rand(4)})),
    "unbatched input, (C, 1) target": (lambda: ((5,), torch.randint(0, 5, (5, 1)), {})),
    "unbatched input, float target of another length": (lambda: ((5,), torch.rand(3), {})),
    "unbatched input, wrong weight and too many labels": (lambda: ((5,), torch.randint(0, 5, (3,)), {"weight": torch.rand(3)})),
    "segmentation logits, 0-dim target": (lambda: ((2, 5, 3, 3), torch.tensor(1), {})),
    "segmentation logits, 4-D target of another batch": (lambda: ((2, 5, 3, 3), torch.randint(0, 5, (3, 1, 3, 3)), {})),
    "2-D target of another batch": (lambda: ((12, 3), torch.randint(0, 3, (4, 3)), {})),
}


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("case", sorted(_MULTI_PROBLEM_CALLS))
def test_loud_error_type_matches_pytorchs_first_error(loss, case):
    shape, target, kwargs = _MULTI_PROBLEM_CALLS[case]()
    torch.manual_seed(0)
    logits = torch.randn(shape)
    fn = getattr(F, loss)
    with pytest.raises(Exception) as torch_info:
        fn(logits, target, **kwargs)
    torch_type = type(torch_info.value)
    with lossdoctor.watch(mode="collect"), pytest.raises(Exception) as ld_info:
        getattr(F, loss)(logits, target, **kwargs)
    assert isinstance(ld_info.value, torch_type), (
        f"PyTorch raises {torch_type.__name__} ({torch_info.value}); lossdoctor raised "
        f"{type(ld_info.value).__mro__} ({ld_info.value})"
    )


def test_zero_dim_input_to_nll_loss_is_left_to_pytorch():
    call = from_functional("nll_loss", (torch.randn(()), torch.tensor(1, dtype=torch.int32)), {})
    loud = [f for chk in _checks.pre_checks("nll_loss") if (f := chk.fn(call)) is not None and f.loud]
    assert loud == []  # PyTorch's own ValueError ("Expected 1 or more dimensions") is the right one


# --- LD107 stays: sigmoid + BCELoss (VAE decoders, DCGAN discriminators) --------------------


def test_sigmoid_then_bce_is_a_warning_and_the_only_finding():
    """pytorch/examples' VAE and DCGAN compute BCE on sigmoid outputs.  That is LD107 by design:
    a confidently wrong prediction saturates the sigmoid, BCE clamps its log at -100 and the
    gradient is exactly 0, where BCEWithLogitsLoss gives loss 20 and gradient 1 (measured below)."""
    logit = torch.tensor([20.0], requires_grad=True)
    F.binary_cross_entropy(torch.sigmoid(logit), torch.zeros(1)).backward()  # noqa: LD107 (the bug under test)
    assert logit.grad.item() == 0.0
    logit.grad = None
    F.binary_cross_entropy_with_logits(logit, torch.zeros(1)).backward()
    assert logit.grad.item() == pytest.approx(1.0)

    torch.manual_seed(0)
    decoder = nn.Linear(8, 784)
    images = torch.rand(4, 784)
    report = _watch(lambda: F.binary_cross_entropy(torch.sigmoid(decoder(torch.randn(4, 8))), images, reduction="sum"))
    assert _codes(report) == ["LD107"]
    assert report.findings[0].severity == "warning"


# --- LD105: a zero-initialised head evaluated before training -------------------------------


def test_constant_outputs_of_an_untrained_head_are_not_sigmoid_evidence():
    torch.manual_seed(0)
    head = nn.Linear(8, 40)
    nn.init.zeros_(head.weight)  # zero-initialised classifier (timm's jax-style head init does this)
    nn.init.constant_(head.bias, 0.2)
    x, labels = torch.randn(4, 8), (torch.rand(4, 40) > 0.5).float()

    def evaluate():
        with torch.no_grad():
            F.binary_cross_entropy_with_logits(head(x), labels)

    assert _codes(_watch(evaluate)) == []


def test_sigmoid_outputs_without_autograd_are_still_ld105():
    torch.manual_seed(0)
    head = nn.Linear(8, 40)
    x, labels = torch.randn(4, 8), (torch.rand(4, 40) > 0.5).float()

    def evaluate():
        with torch.no_grad():
            F.binary_cross_entropy_with_logits(torch.sigmoid(head(x)), labels)  # noqa: LD105 (the bug under test)

    assert _codes(_watch(evaluate)) == ["LD105"]


# --- LD206: soft targets are remembered as a fact of the call -------------------------------


def test_soft_targets_are_recorded_and_one_hot_targets_still_ld206():
    torch.manual_seed(0)
    logits = torch.randn(4, 5)
    labels = torch.tensor([0, 3, 1, 4])
    one_hot = F.one_hot(labels, 5).float()
    mixed = 0.7 * one_hot + 0.3 * one_hot.flip(0)  # a mixup batch
    check = next(c for c in _checks.CHECKS if c.fn is _checks.probability_targets)

    soft_call = from_functional("cross_entropy", (logits, mixed), {})
    assert check.fn(soft_call) is None and soft_call.facts.get("soft_targets") is True
    hard_call = from_functional("cross_entropy", (logits, one_hot), {})
    found = check.fn(hard_call)
    assert found is not None and found.code == "LD206" and "soft_targets" not in hard_call.facts


# --- LD109/LD108: log_softmax over the last dim, then reshaped or transposed for the loss ----


def _lm_logits(L=7, N=3, V=11):
    torch.manual_seed(0)
    return nn.Linear(8, V)(torch.randn(L, N, 8)), torch.randint(0, V, (L * N,)), V


def test_log_softmax_over_the_vocabulary_then_flattened_is_clean():
    # pytorch/examples' word language model: log_softmax(dim=-1) on (L, N, V), then view(-1, V)
    logits, y, V = _lm_logits()

    def run():
        F.nll_loss(F.log_softmax(logits, dim=-1).view(-1, V), y)
        F.nll_loss(F.log_softmax(logits, dim=2).reshape(-1, V), y)  # the same, with a positive dim
        # (N, V, L) for the K-dimensional NLL: the classes moved to dim 1 by a transpose
        F.nll_loss(F.log_softmax(logits, dim=-1).permute(1, 2, 0), y.view(7, 3).t())

    assert _codes(_watch(run)) == []


def test_log_softmax_over_a_sequence_dim_is_still_ld109():
    logits, y, V = _lm_logits()
    report = _watch(lambda: F.nll_loss(F.log_softmax(logits, dim=1).view(-1, V), y))
    assert _codes(report) == ["LD109"]
    assert "[7, 3, 11]" in report.findings[0].message


def test_cross_entropy_on_flattened_log_softmax_is_ld108_not_ld109():
    logits, y, V = _lm_logits()
    report = _watch(lambda: F.cross_entropy(F.log_softmax(logits, dim=2).reshape(-1, V), y))
    assert _codes(report) == ["LD108"]


# --- LD406: class weights in mixed precision ---------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_float32_class_weights_under_autocast_are_accepted(dtype):
    """The usual AMP recipe: logits in low precision, float32 class weights, the loss under autocast
    (which runs CE/NLL in float32 and casts both).  PyTorch accepts it; lossdoctor must not raise."""
    torch.manual_seed(0)
    head, conv = nn.Linear(8, 5), nn.Conv2d(3, 5, 1)
    x, y = torch.randn(16, 8), torch.randint(0, 5, (16,))
    images, masks = torch.randn(2, 3, 4, 4), torch.randint(0, 5, (2, 4, 4))
    weight = torch.rand(5)

    def run():
        with torch.autocast("cpu", dtype=dtype):
            logits = head(x)
            assert logits.dtype == dtype
            F.cross_entropy(logits, y, weight=weight).backward()
            nn.CrossEntropyLoss(weight=weight, ignore_index=4)(head(x), y).backward()
            F.nll_loss(F.log_softmax(head(x), 1), y, weight=weight).backward()
            F.cross_entropy(conv(images), masks, weight=weight, ignore_index=255).backward()

    with lossdoctor.watch(mode="raise") as report:
        run()
    assert _codes(report) == []


# --- torch.func: per-sample gradients (the PyTorch tutorial's vmap(grad(loss))) -------------


def test_per_sample_gradients_with_vmap_run_without_internal_errors():
    from torch.func import functional_call, grad, vmap

    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 5))
    params = {k: v.detach() for k, v in model.named_parameters()}
    data, labels = torch.randn(6, 8), torch.randint(0, 5, (6,))
    soft = torch.full((6, 5), 0.2)

    def ce(p, sample, label):
        return F.cross_entropy(functional_call(model, p, (sample.unsqueeze(0),)), label.unsqueeze(0))

    def nll(p, sample, label):
        return F.nll_loss(F.log_softmax(functional_call(model, p, (sample.unsqueeze(0),)), -1), label.unsqueeze(0))

    def bce(p, sample, target):
        return F.binary_cross_entropy_with_logits(functional_call(model, p, (sample.unsqueeze(0),)), target.unsqueeze(0))

    def run():
        for _ in range(2):
            vmap(grad(ce), in_dims=(None, 0, 0))(params, data, labels)
            vmap(grad(nll), in_dims=(None, 0, 0))(params, data, labels)
            vmap(grad(bce), in_dims=(None, 0, 0))(params, data, soft)

    report = _watch(run)  # _watch asserts no internal error was reported
    assert _codes(report) == []
    assert report.calls == 6


# --- LD205: soft targets built in bfloat16 ----------------------------------------------------


@pytest.mark.parametrize("num_classes", [10, 1000])
def test_soft_targets_rounded_in_bfloat16_are_distributions(num_classes):
    torch.manual_seed(0)
    labels = torch.randint(0, num_classes, (32,))
    one_hot = F.one_hot(labels, num_classes).to(torch.bfloat16)
    mixed = 0.37 * one_hot + 0.63 * one_hot.flip(0)  # mixup in the batch's dtype
    smoothed = torch.full((32, num_classes), 0.1 / num_classes, dtype=torch.bfloat16)
    smoothed.scatter_(1, labels[:, None], 0.9 + 0.1 / num_classes)
    assert (mixed.float().sum(1) - 1).abs().max() > 1e-3 or (smoothed.float().sum(1) - 1).abs().max() > 1e-3
    logits = torch.randn(32, num_classes, requires_grad=True)

    def run():
        F.cross_entropy(logits, mixed.float()).backward()
        F.cross_entropy(logits.bfloat16(), smoothed).backward()

    assert _codes(_watch(run)) == []


def test_targets_that_do_not_sum_to_one_are_still_ld205():
    torch.manual_seed(0)
    logits = torch.randn(8, 5, requires_grad=True)
    report = _watch(lambda: F.cross_entropy(logits, torch.rand(8, 5)))
    assert _codes(report) == ["LD205"]
