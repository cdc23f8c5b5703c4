"""Pinned corrections: CUDA `_index` kernels, the 2-D NLL kernel, error counts, catalog fixes."""

from __future__ import annotations

import pytest

from lossdoctor.catalog import get
from lossdoctor.explain import explain_text

# In Loss.cu the `*_index` dispatch names (AT_DISPATCH_NLL_LOSS_INDEX_TYPES) switch on the
# TARGET's dtype, which may be Byte or Long only: the dtype in the message is the target's.
INDEX_KERNEL_TEXTS = [
    ("Int", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Int'"),
    ("Float", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Float'"),
    ("Char", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Char'"),
    ("Double", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_1d_index\" not implemented for 'Double'"),
    ("Int", "RuntimeError: \"nll_loss_forward_no_reduce_cuda_kernel_index\" not implemented for 'Int'"),
    ("Float", "RuntimeError: \"nll_loss_backward_reduce_cuda_kernel_2d_index\" not implemented for 'Float'"),
    ("Int", "RuntimeError: \"nll_loss_backward_no_reduce_cuda_kernel_index\" not implemented for 'Int'"),
]


@pytest.mark.parametrize("dtype,text", INDEX_KERNEL_TEXTS, ids=[t.split('"')[1] + "-" + d for d, t in INDEX_KERNEL_TEXTS])
def test_index_kernel_names_the_target_dtype(dtype, text):
    exp = explain_text(text, source_evidence=False)
    codes = [d.code for d in exp.diagnoses]
    assert codes and codes[0] == "LD203", codes
    assert "LD207" not in codes, codes
    assert exp.best.confidence == "high"
    assert dtype in exp.best.message


def test_input_dtype_kernels_stay_integer_logits():
    # the same kernels without `_index` dispatch on the input (logits) dtype
    for text in ("RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d\" not implemented for 'Long'",
                 "NotImplementedError: \"nll_loss_out_frame\" not implemented for 'Long'"):
        exp = explain_text(text, source_evidence=False)
        assert exp.best.code == "LD207", [d.code for d in exp.diagnoses]


def test_2d_nll_kernel_is_not_called_segmentation():
    text = ("../aten/src/ATen/native/cuda/Loss.cu:242: nll_loss_forward_reduce_cuda_kernel_2d: block: [0,0,0], "
            "thread: [7,0,0] Assertion `t >= 0 && t < n_classes` failed.")
    exp = explain_text(text, source_evidence=False)
    assert exp.best.code == "LD301"
    assert not any("segmentation" in e.text for e in exp.best.evidence), [e.text for e in exp.best.evidence]


@pytest.mark.parametrize("text", [
    "../aten/src/ATen/native/cuda/NLLLoss2d.cu:104: nll_loss2d_forward_kernel: block: [3,0,0], thread: [512,0,0] "
    "Assertion `t >= 0 && t < n_classes` failed.",
    "/pytorch/aten/src/THCUNN/SpatialClassNLLCriterion.cu:106: cunn_SpatialClassNLLCriterion_updateOutput_kernel: "
    "block: [0,0,0], thread: [725,0,0] Assertion `t >= 0 && t < n_classes` failed.",
])
def test_spatial_nll_kernels_are_called_segmentation(text):
    exp = explain_text(text, source_evidence=False)
    assert exp.best.code == "LD301"
    assert any("segmentation" in e.text for e in exp.best.evidence)


def test_error_count_is_the_real_count():
    n = 20_001
    text = "".join(f"ValueError: bad value {i}\n" for i in range(n))
    exp = explain_text(text, source_evidence=False)
    notes = " ".join(exp.notes)
    assert "20,001 errors" in notes, exp.notes
    assert "64 errors" not in notes


def test_two_errors_are_counted():
    text = "ValueError: one\nKeyError: two\n"
    assert any(n.startswith("2 errors") for n in explain_text(text, source_evidence=False).notes)


# -- fix texts come from the catalog unless they carry the message's numbers ----------

GENERIC = [
    ("LD603", "RuntimeError: grad can be implicitly created only for scalar outputs"),
    ("LD106", "RuntimeError: all elements of input should be between 0 and 1"),
    ("LD303", "RuntimeError: all elements of target should be between 0 and 1"),
    ("LD203", "RuntimeError: expected target dtype to be Long or Byte, but got Float"),
    ("LD207", "NotImplementedError: \"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
    ("LD208", "RuntimeError: Found dtype Long but expected Float"),
    ("LD606", "RuntimeError: Expected all tensors to be on the same device, but got target is on cpu, different "
              "from other tensors on cuda:0 (when checking argument in method wrapper_CUDA_nll_loss_forward)"),
    ("LD607", "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn"),
    ("LD301", "RuntimeError: CUDA error: device-side assert triggered"),
    ("LD301", "../aten/src/ATen/native/cuda/Loss.cu:242: nll_loss_forward_reduce_cuda_kernel_2d: block: [0,0,0], "
              "thread: [7,0,0] Assertion `t >= 0 && t < n_classes` failed."),
    ("LD201", "RuntimeError: 0D or 1D target tensor expected, multi-target not supported"),
    ("LD405", "ValueError: Target size (torch.Size([32, 3])) must be the same as input size (torch.Size([32, 5]))"),
    ("LD401", "ValueError: Expected input batch_size (32) to match target batch_size (16)."),
    ("LD402", "RuntimeError: Expected target size [32, 3], got [32]"),
    ("LD601", "RuntimeError: Boolean value of Tensor with more than one value is ambiguous"),
    ("LD605", "AttributeError: 'tuple' object has no attribute 'log_softmax'"),
]


@pytest.mark.parametrize("code,text", GENERIC, ids=[f"{c}-{i}" for i, (c, _) in enumerate(GENERIC)])
def test_generic_fix_is_the_catalog_fix(code, text):
    exp = explain_text(text, source_evidence=False)
    assert exp.best.code == code, [d.code for d in exp.diagnoses]
    assert exp.best.fix == get(code).fix


def test_every_alternative_without_numbers_uses_the_catalog_fix():
    exp = explain_text("RuntimeError: 0D or 1D target tensor expected, multi-target not supported",
                       source_evidence=False)
    assert len(exp.diagnoses) >= 2
    for d in exp.diagnoses:
        assert d.fix == get(d.code).fix, d.code


@pytest.mark.parametrize("text,needle", [
    ("IndexError: Target -1 is out of bounds.", "ignore_index=-1"),
    ("IndexError: Target 10 is out of bounds.", "11 outputs"),
    ("RuntimeError: weight tensor should be defined either for all 3 classes or no classes but got weight "
     "tensor of shape: [2]", "(3)"),
    ("RuntimeError: size mismatch (got input: [2, 2, 68, 68] , target: [2, 256, 256]", "(256, 256)"),
    ("TypeError: cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not InceptionOutputs",
     "InceptionOutputs"),
    ("RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of size: : "
     "[2, 256, 256, 3]", "(2, 256, 256, 3)"),
])
def test_fixes_with_numbers_from_the_message_stay_tailored(text, needle):
    exp = explain_text(text, source_evidence=False)
    assert needle in exp.best.fix, exp.best.fix
    assert exp.best.fix != get(exp.best.code).fix
