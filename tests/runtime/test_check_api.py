"""lossdoctor.check(): names, modules, functionals; (N, C), K-dim and unbatched inputs."""

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor


def codes(findings):
    return sorted(f.code for f in findings)


def test_loss_given_by_name_module_or_functional():
    probs = F.softmax(torch.randn(8, 4, requires_grad=True), 1)
    y = torch.randint(0, 4, (8,))
    assert codes(lossdoctor.check(probs, y, loss="cross_entropy")) == ["LD101"]
    assert codes(lossdoctor.check(probs, y, loss=nn.CrossEntropyLoss())) == ["LD101"]
    assert codes(lossdoctor.check(probs, y, loss=F.cross_entropy)) == ["LD101"]
    assert codes(lossdoctor.check(probs, y, loss="nll_loss")) == ["LD103"]


def test_findings_carry_the_three_texts_and_the_callers_location():
    [f] = lossdoctor.check(torch.randn(4, 10), torch.tensor([1, 2, 10, 3]))
    assert f.code == "LD301" and f.loud and f.severity == "error"
    assert "target contains 10 but the input has 10 classes (valid 0..9)" in f.message
    assert f.fix_title and f.evidence.startswith("values:")
    assert f.location.path == __file__
    d = f.to_dict()
    assert {"code", "name", "severity", "message", "fix", "evidence", "path", "line"} <= set(d)


def test_module_options_are_used():
    x = torch.randn(4, 3)
    y = torch.tensor([0, 1, 255, 2])
    assert codes(lossdoctor.check(x, y, loss=nn.CrossEntropyLoss(ignore_index=255))) == []
    assert codes(lossdoctor.check(x, y, loss=nn.CrossEntropyLoss())) == ["LD301"]
    assert codes(lossdoctor.check(x, y.clamp(max=2), loss=nn.CrossEntropyLoss(weight=torch.ones(4)))) == ["LD406"]
    assert codes(lossdoctor.check(x, y, loss="cross_entropy", ignore_index=255)) == []


@pytest.mark.parametrize(
    "labels,hint",
    [
        (torch.arange(1, 11).repeat(4), "1-based"),
        (torch.arange(0, 12).repeat(3), "at least 12 outputs"),
        (torch.tensor([0, 3, -1, -1, 5]), "ignore_index=-1"),
    ],
)
def test_target_out_of_range_hints(labels, hint):
    [f] = lossdoctor.check(torch.randn(len(labels), 10), labels)
    assert f.code == "LD301" and hint in f.message + f.fix_title


def test_uint8_mask_with_255_void_label_hint():
    logits = torch.randn(2, 4, 3, 3)
    mask = torch.randint(0, 4, (2, 3, 3), dtype=torch.long)
    mask[0, 0, 0] = 255
    [f] = lossdoctor.check(logits, mask)
    assert f.code == "LD301" and "ignore_index=255" in f.message


def test_rescaled_index_mask_hint():
    mask = torch.randint(0, 4, (2, 3, 3)).float() / 255  # what ToTensor() does to an index mask
    [f] = lossdoctor.check(torch.randn(2, 4, 3, 3), mask)
    assert f.code == "LD203" and "1/255" in f.message


def test_k_dimensional_and_unbatched_inputs():
    assert codes(lossdoctor.check(torch.randn(2, 4, 5, 5), torch.randint(0, 4, (2, 5, 5)))) == []
    assert codes(lossdoctor.check(torch.randn(2, 4, 5, 5), torch.randint(0, 4, (2, 1, 5, 5)))) == ["LD403"]
    assert codes(lossdoctor.check(torch.randn(2, 4, 5, 5), torch.randint(0, 4, (2, 9, 9)))) == ["LD408"]
    assert codes(lossdoctor.check(torch.randn(2, 4, 6), torch.randint(0, 4, (2, 6)))) == []
    assert codes(lossdoctor.check(torch.randn(2, 6, 4), torch.randint(0, 4, (2, 6)))) == ["LD404"]
    assert codes(lossdoctor.check(torch.randn(10), torch.tensor(3))) == []
    assert codes(lossdoctor.check(torch.randn(10), torch.tensor(10))) == ["LD301"]
    assert codes(lossdoctor.check(torch.randn(10), torch.tensor([1, 2]))) == ["LD401"]


def test_rgb_label_image_and_per_sample_labels_for_segmentation():
    [f] = lossdoctor.check(torch.randn(2, 4, 5, 5), torch.randint(0, 4, (2, 5, 5, 3)))
    assert f.code == "LD403" and "RGB" in f.message
    [f] = lossdoctor.check(torch.randn(2, 4, 5, 5), torch.randint(0, 4, (2,)))
    assert f.code == "LD403" and "per-pixel" in f.fix_title


def test_batch_mismatch_hints():
    [f] = lossdoctor.check(torch.randn(8, 3), torch.tensor(1))
    assert f.code == "LD401" and "0-dim" in f.message
    [f] = lossdoctor.check(torch.randn(12, 3), torch.randint(0, 3, (4, 3)))
    assert f.code == "LD401" and "reshape(-1)" in f.message  # (N, L) labels beside (N*L, C) logits
    assert f.details["raises"] == "ValueError"  # PyTorch compares the batch sizes first
    [f] = lossdoctor.check(torch.randn(4, 3), torch.randint(0, 3, (4, 5)))
    assert f.code == "LD403" and f.details["raises"] == "RuntimeError"
    [f] = lossdoctor.check(torch.randn(6, 3), torch.randint(0, 3, (4,)))
    assert f.code == "LD401" and "6" in f.message and "4" in f.message


def test_bce_family():
    logits = torch.randn(8, 1)
    y = torch.randint(0, 2, (8,)).float()
    assert codes(lossdoctor.check(logits, y, loss="binary_cross_entropy_with_logits")) == ["LD405"]
    assert codes(lossdoctor.check(logits.squeeze(1), y, loss="binary_cross_entropy_with_logits")) == []
    assert codes(lossdoctor.check(logits.squeeze(1), y.long(), loss="binary_cross_entropy_with_logits")) == ["LD208"]
    assert codes(lossdoctor.check(logits.squeeze(1), y * 2, loss="binary_cross_entropy_with_logits")) == ["LD303"]
    assert codes(lossdoctor.check(logits.squeeze(1) * 5, y, loss="binary_cross_entropy")) == ["LD106"]
    pos = nn.BCEWithLogitsLoss(pos_weight=torch.tensor([3.0]))
    assert codes(lossdoctor.check(logits.squeeze(1), y, loss=pos)) == []


def test_regression_losses_broadcast_silently():
    [f] = lossdoctor.check(torch.randn(16, 1), torch.randn(16), loss="mse_loss")
    assert f.code == "LD405" and not f.loud and "[16, 16]" in f.message
    [f] = lossdoctor.check(torch.randn(16, 3), torch.randn(16), loss="l1_loss")
    assert f.code == "LD405" and f.loud


def test_non_finite_input_and_all_ignored_targets():
    x = torch.randn(4, 3)
    x[1, 2] = float("nan")
    assert codes(lossdoctor.check(x, torch.tensor([0, 1, 2, 0]))) == ["LD501"]
    assert codes(lossdoctor.check(torch.randn(4, 3), torch.full((4,), -100))) == ["LD302"]
    masked = torch.randn(4, 3)
    masked[:, 2] = float("-inf")  # masking a class with -inf is legitimate
    assert codes(lossdoctor.check(masked, torch.tensor([0, 1, 0, 1]))) == []


def test_tuple_and_model_output_inputs():
    y = torch.randint(0, 3, (4,))
    [f] = lossdoctor.check((torch.randn(4, 3), torch.randn(4, 3)), y)
    assert f.code == "LD605" and "output[0]" in f.message

    class Output:  # a ModelOutput-like object
        def __init__(self):
            self.logits = torch.randn(4, 3)

    [f] = lossdoctor.check(Output(), y)
    assert f.code == "LD605" and ".logits" in f.message


def test_swapped_arguments():
    y = torch.randint(0, 3, (4,))
    [f] = lossdoctor.check(y, torch.randn(4, 3), loss="cross_entropy")
    assert f.code == "LD608" and f.loud


def test_unknown_loss_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown loss"):
        lossdoctor.check(torch.randn(2, 2), torch.tensor([0, 1]), loss="focal")
    with pytest.raises(TypeError):
        lossdoctor.check(torch.randn(2, 2), torch.tensor([0, 1]), loss=nn.Linear(2, 2))


def test_negative_infinite_logits_on_the_target_are_nonfinite_logits_not_log_of_softmax():
    x = torch.randn(4, 3)
    x[0, 0] = float("-inf")  # e.g. diverged logits; the target class 0 of sample 0 is -inf
    assert codes(lossdoctor.check(x, torch.tensor([0, 1, 2, 0]))) == ["LD501"]
    logp = torch.log(torch.tensor([[1.0, 0.0], [0.5, 0.5]]))  # log of probabilities that reached 0
    assert codes(lossdoctor.check(logp, torch.tensor([1, 0]), loss="nll_loss")) == ["LD104"]
