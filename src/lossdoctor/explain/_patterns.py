"""Every error message lossdoctor recognises, as data.

One entry per wording: the catalog code(s) it can mean, a literal ``anchor``
(a cheap substring test run before the regex, so megabytes of unrelated log
never reach a regex), the regex with named groups, the torch versions the
wording is seen in, the function that turns a match into diagnoses, and real-
format example texts (each example is also a test: it must match and be
explained with ``codes[0]`` first).

Version ranges are where the wording appears in released torch builds; older
ranges come from error reports of those versions and are approximate at the
edges.  Regexes avoid nested quantifiers and are run on single lines of at most
``MAX_LINE`` characters, so matching stays linear in the input size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from . import _interpret as I

MAX_LINE = 8192


@dataclass(frozen=True)
class MessagePattern:
    id: str
    codes: tuple[str, ...]
    anchor: str
    regex: re.Pattern[str]
    interpret: Callable
    torch: str
    examples: tuple[tuple[str, str], ...] = ()
    # The first code of `codes` is the expected best diagnosis for the bare examples.


def _p(id, codes, anchor, regex, interpret, torch, examples=(), flags=0):
    return MessagePattern(id, tuple(codes.split()), anchor, re.compile(regex, flags), interpret, torch, tuple(examples))


PATTERNS: tuple[MessagePattern, ...] = (
    # ---- LD301: target out of range -------------------------------------------------
    _p("target-out-of-bounds", "LD301", "is out of bounds",
       r"Target (?P<value>-?\d+) is out of bounds", I.target_out_of_bounds, ">=1.6 (CPU)",
       [("2.13", "IndexError: Target 10 is out of bounds."),
        ("1.9", "IndexError: Target -1 is out of bounds.")]),
    _p("thnn-target-assert", "LD301", "cur_target",
       r"Assertion\s*[`'\"]?cur_target >= 0 && cur_target < n_classes", I.cuda_target_assert,
       "0.4-1.5 (CPU THNN, and CUDA THCUNN no-reduce kernels)",
       [("1.0", "RuntimeError: Assertion `cur_target >= 0 && cur_target < n_classes' failed.  at "
                "/pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:93"),
        ("1.0", "/opt/conda/conda-bld/pytorch_1549628766161/work/aten/src/THCUNN/ClassNLLCriterion.cu:56: void "
                "ClassNLLCriterion_updateOutput_no_reduce_kernel(int, THCDeviceTensor<Dtype, 2, int, DefaultPtrTraits>, "
                "THCDeviceTensor<long, 1, int, DefaultPtrTraits>, THCDeviceTensor<Dtype, 1, int, DefaultPtrTraits>, "
                "Dtype *, int, int) [with Dtype = float]: block: [0,0,0], thread: [3,0,0] Assertion "
                "`cur_target >= 0 && cur_target < n_classes` failed.")]),
    _p("cuda-target-assert", "LD301", "n_classes",
       r"Assertion\s*[`'\"]?t >= 0 && t < n_classes", I.cuda_target_assert,
       "all CUDA builds (THCUNN in 1.x, ATen Loss.cu / NLLLoss2d.cu in 1.8+ and 2.x)",
       [("1.4", "/pytorch/aten/src/THCUNN/ClassNLLCriterion.cu:106: void cunn_ClassNLLCriterion_updateOutput_kernel"
                "(Dtype *, Dtype *, Dtype *, long *, Dtype *, int, int, int, int, long) [with Dtype = float, "
                "Acctype = float]: block: [0,0,0], thread: [5,0,0] Assertion `t >= 0 && t < n_classes` failed."),
        ("1.7", "/pytorch/aten/src/THCUNN/SpatialClassNLLCriterion.cu:106: cunn_SpatialClassNLLCriterion_updateOutput_kernel: "
                "block: [0,0,0], thread: [725,0,0] Assertion `t >= 0 && t < n_classes` failed."),
        ("1.12", "../aten/src/ATen/native/cuda/Loss.cu:242: nll_loss_forward_reduce_cuda_kernel_2d: block: [0,0,0], "
                 "thread: [7,0,0] Assertion `t >= 0 && t < n_classes` failed."),
        ("2.1", "../aten/src/ATen/native/cuda/NLLLoss2d.cu:104: nll_loss2d_forward_kernel: block: [3,0,0], "
                "thread: [512,0,0] Assertion `t >= 0 && t < n_classes` failed.")]),
    _p("device-side-assert", "LD301 LD106", "device-side assert",
       r"device-side assert(?:ion)?s? triggered", I.device_side_assert, "all CUDA builds",
       [("1.0", "RuntimeError: cuda runtime error (59) : device-side assert triggered at "
                "/pytorch/aten/src/THC/generic/THCTensorMathPointwise.cu:207"),
        ("1.3", "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCCachingHostAllocator.cpp line=278 error=59 : "
                "device-side assert triggered"),
        ("1.10", "RuntimeError: CUDA error: device-side assert triggered\nCUDA kernel errors might be asynchronously "
                 "reported at some other API call,so the stacktrace below might be incorrect.\nFor debugging consider "
                 "passing CUDA_LAUNCH_BLOCKING=1."),
        ("2.9", "torch.AcceleratorError: CUDA error: device-side assert triggered\nSearch for `cudaErrorAssert' in "
                "https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html for more information.\n"
                "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.")]),
    _p("cublas-after-assert", "LD301", "_STATUS_",
       r"(?:CUBLAS|CUDNN)_STATUS_(?P<status>EXECUTION_FAILED|INTERNAL_ERROR|MAPPING_ERROR)", I.cublas_after_assert,
       "CUDA builds; a side effect of an earlier assert",
       [("1.10", "RuntimeError: CUDA error: CUBLAS_STATUS_EXECUTION_FAILED when calling `cublasSgemm( handle, opa, "
                 "opb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc)`")]),

    # ---- LD106 / LD303 / LD107: BCE value ranges and autocast ------------------------
    _p("bce-input-range", "LD106", "elements of input should be between 0 and 1",
       r"all elements of input should be between 0 and 1", I.bce_input_range, ">=1.5 (CPU)",
       [("2.13", "RuntimeError: all elements of input should be between 0 and 1")]),
    _p("thnn-bce-input-assert", "LD106", "<= 1.",
       r"Assertion\s*[`'\"]?(?:x|input) >= 0\. && (?:x|input) <= 1\.", I.bce_input_range,
       "0.3-1.4 (THNN/THCUNN BCECriterion)",
       [("1.0", "RuntimeError: Assertion `x >= 0. && x <= 1.' failed. input value should be between 0~1, but got "
                "1.274309 at /pytorch/aten/src/THNN/generic/BCECriterion.c:62"),
        ("0.3", "/opt/conda/conda-bld/pytorch_1512386481460/work/torch/lib/THCUNN/BCECriterion.cu:30: Acctype "
                "bce_functor<Dtype, Acctype>::operator()(Tuple) [with Dtype = float, Acctype = float]: block: "
                "[16,0,0], thread: [31,0,0] Assertion `input >= 0. && input <= 1.` failed.")]),
    _p("cuda-bce-input-assert", "LD106", "input_val",
       r"Assertion\s*[`'\"]?input_val >= zero && input_val <= one", I.bce_input_range, ">=1.8 (CUDA)",
       [("2.0", "../aten/src/ATen/native/cuda/Loss.cu:94: operator(): block: [91,0,0], thread: [96,0,0] Assertion "
                "`input_val >= zero && input_val <= one` failed.")]),
    _p("bce-target-range", "LD303", "elements of target should be between 0 and 1",
       r"all elements of target should be between 0 and 1", I.bce_target_range, ">=2.1 (CPU)",
       [("2.13", "RuntimeError: all elements of target should be between 0 and 1")]),
    _p("cuda-bce-target-assert", "LD303", "target_val",
       r"Assertion\s*[`'\"]?target_val >= zero && target_val <= one", I.bce_target_range, ">=2.1 (CUDA)",
       [("2.1", "../aten/src/ATen/native/cuda/Loss.cu:102: operator(): block: [0,0,0], thread: [4,0,0] Assertion "
                "`target_val >= zero && target_val <= one` failed.")]),
    _p("bce-autocast", "LD107", "unsafe to autocast",
       r"binary_cross_entropy and torch\.nn\.BCELoss are unsafe to autocast", I.bce_autocast, ">=1.6 (CUDA autocast)",
       [("2.13", "RuntimeError: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to autocast.\n"
                 "Many models use a sigmoid layer right before the binary cross entropy layer.\nIn this case, combine "
                 "the two layers using torch.nn.functional.binary_cross_entropy_with_logits\nor torch.nn.BCEWithLogitsLoss."
                 "  binary_cross_entropy_with_logits and BCEWithLogits are\nsafe to autocast.")]),

    # ---- LD201 / LD202 / LD403: target layout -----------------------------------------
    _p("multi-target", "LD201 LD403 LD202 LD608", "multi-target not supported",
       r"(?:(?P<prefix>0D or 1D|1D) target tensor expected, )?multi-target not supported", I.multi_target,
       "0.4-1.4 `multi-target not supported at .../ClassNLLCriterion.c:21`; 1.5-1.9 `1D target tensor expected, "
       "multi-target not supported`; >=1.10 `0D or 1D target tensor expected, multi-target not supported`",
       [("1.0", "RuntimeError: multi-target not supported at /pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:21"),
        ("1.3", "RuntimeError: multi-target not supported at /pytorch/aten/src/THCUNN/generic/ClassNLLCriterion.cu:15"),
        ("1.7", "RuntimeError: 1D target tensor expected, multi-target not supported"),
        ("2.13", "RuntimeError: 0D or 1D target tensor expected, multi-target not supported")]),
    _p("spatial-targets", "LD403", "spatial targets supported",
       r"only batches of spatial targets supported \((?:non-empty )?3D tensors\)(?: but got targets of "
       r"(?:dimension: (?P<ndim>\d+)|size: : \[(?P<size>[\d, ]*)\]))?", I.spatial_targets,
       "1.0-1.4 `(non-empty 3D tensors) but got targets of size: : [...]`; 1.5-1.x `(3D tensors) but got targets of "
       "size: : [...]`; 1.x-2.x `... of dimension: 4`",
       [("1.4", "RuntimeError: 1only batches of spatial targets supported (non-empty 3D tensors) but got targets of "
                "size: : [16, 1, 256, 256]"),
        ("1.7", "RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of size: : "
                "[2, 256, 256, 3]"),
        ("2.13", "RuntimeError: only batches of spatial targets supported (3D tensors) but got targets of dimension: 4")]),
    _p("probabilities-target-dtype", "LD202", "target with class probabilities",
       r"Expected floating point type for target with class probabilities, got (?P<dtype>\w+)",
       I.probabilities_target_dtype, ">=1.10",
       [("2.13", "RuntimeError: Expected floating point type for target with class probabilities, got Long")]),

    # ---- LD203: class-index dtype -------------------------------------------------------
    _p("target-dtype-long-or-byte", "LD203", "Long or Byte",
       r"expected target dtype to be Long or Byte, but got (?P<dtype>\w+)", I.target_dtype, ">=2.6",
       [("2.13", "RuntimeError: expected target dtype to be Long or Byte, but got Float"),
        ("2.13", "RuntimeError: expected target dtype to be Long or Byte, but got Int")]),
    _p("scalar-type-long-found", "LD203", "expected scalar type Long but found",
       r"expected scalar type Long but found (?P<dtype>\w+)", I.scalar_type_long, "1.6-2.5",
       [("1.12", "RuntimeError: expected scalar type Long but found Float"),
        ("2.1", "RuntimeError: expected scalar type Long but found Int")]),
    _p("object-scalar-type-long-target", "LD203", "scalar type Long but got scalar type",
       r"Expected object of scalar type Long but got scalar type (?P<dtype>\w+) for argument #\d+ '(?:target|t)'"
       r"(?: in call to (?P<call>\w+))?", I.target_dtype, "1.0-1.7",
       [("1.4", "RuntimeError: Expected object of scalar type Long but got scalar type Float for argument #2 "
                "'target' in call to _thnn_nll_loss_forward"),
        ("1.7", "RuntimeError: Expected object of scalar type Long but got scalar type Int for argument #2 'target' "
                "in call to _thnn_nll_loss2d_forward")]),
    _p("object-type-longtensor-target", "LD203", "LongTensor but found type",
       r"Expected object of type torch\.(?:cuda\.)?LongTensor but found type torch\.(?:cuda\.)?(?P<dtype>\w+) for "
       r"argument #\d+ 'target'", I.target_dtype, "0.4",
       [("0.4", "RuntimeError: Expected object of type torch.cuda.LongTensor but found type torch.cuda.FloatTensor "
                "for argument #2 'target'")]),

    # The CUDA NLL kernels dispatch twice: on the input's dtype under the kernel's own name,
    # then on the target's dtype (Byte or Long only) under the same name + `_index`.  So
    # `"nll_loss_..._index" not implemented for 'Int'` is about the TARGET (int32 labels).
    _p("nll-index-kernel-not-implemented", "LD203", "_index\" not implemented for",
       r"\"(?P<kernel>nll_loss\w*_index)\" not implemented for '(?:torch\.)?(?:cuda\.)?(?P<dtype>\w+)'",
       I.index_kernel_dtype,
       "about 1.10-2.5 (CUDA `Loss.cu`; older builds say `expected scalar type Long`, 2.6+ `expected target dtype "
       "to be Long or Byte`)",
       [("1.12", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Int'"),
        ("1.12", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d_index\" not implemented for 'Float'"),
        ("2.1", "RuntimeError: \"nll_loss_forward_no_reduce_cuda_kernel_index\" not implemented for 'Int'"),
        ("2.1", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_1d_index\" not implemented for 'Double'"),
        ("2.1", "RuntimeError: \"nll_loss_backward_reduce_cuda_kernel_2d_index\" not implemented for 'Float'"),
        ("2.1", "RuntimeError: \"nll_loss_backward_no_reduce_cuda_kernel_index\" not implemented for 'Short'")]),

    # ---- LD207 / LD608: integer logits ---------------------------------------------------
    # (a kernel name ending in `_index` is the target dispatch above, never the logits)
    _p("softmax-not-implemented", "LD207 LD608", "not implemented for",
       r"\"(?P<kernel>(?:log_)?softmax\w*|host_softmax|log_sigmoid\w*|cross_entropy\w*|nll_loss\w*)(?<!_index)\" not "
       r"implemented for '(?:torch\.)?(?:cuda\.)?(?P<dtype>Long|Int|Short|Char|Byte|Bool)(?:Tensor)?'", I.integer_logits,
       "1.0-1.4 `... for 'torch.LongTensor'`; >=1.5 `... for 'Long'`",
       [("1.0", "RuntimeError: \"log_softmax_lastdim_kernel_impl\" not implemented for 'torch.LongTensor'"),
        ("1.2", "RuntimeError: \"host_softmax\" not implemented for 'torch.cuda.LongTensor'"),
        ("2.13", "NotImplementedError: \"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'"),
        ("2.13", "NotImplementedError: \"nll_loss_out_frame\" not implemented for 'Long'"),
        ("1.12", "RuntimeError: \"nll_loss_forward_reduce_cuda_kernel_2d\" not implemented for 'Long'")]),

    # ---- LD208: BCE target dtype ------------------------------------------------------------
    _p("result-type-cast", "LD208", "can't be cast to the desired output type",
       r"result type (?P<result>\w+) can't be cast to the desired output type (?P<out>\w+)", I.result_type_cast,
       ">=1.5",
       [("2.13", "RuntimeError: result type Float can't be cast to the desired output type Long")]),
    _p("found-dtype-expected", "LD208 LD608", "Found dtype",
       r"Found dtype (?P<found>\w+) but expected (?P<expected>\w+)", I.found_dtype, ">=1.7",
       [("2.13", "RuntimeError: Found dtype Long but expected Float")]),
    _p("object-scalar-type-float-arg", "LD208 LD406", "scalar type Float but got scalar type",
       r"Expected object of scalar type Float but got scalar type (?P<dtype>\w+) for argument #\d+ '(?P<arg>target|weight)'",
       I.old_float_target, "1.0-1.6",
       [("1.4", "RuntimeError: Expected object of scalar type Float but got scalar type Long for argument #2 'target' "
                "in call to _thnn_binary_cross_entropy_forward")]),

    # ---- LD401 / LD407: batch sizes ------------------------------------------------------------
    _p("batch-size-mismatch", "LD401 LD407", "to match target batch_size",
       r"Expected input batch_size \((?P<input>\d+)\) to match target batch_size \((?P<target>\d+)\)",
       I.batch_size_mismatch, ">=0.4",
       [("2.13", "ValueError: Expected input batch_size (32) to match target batch_size (16)."),
        ("1.4", "ValueError: Expected input batch_size (60) to match target batch_size (10).")]),

    # ---- LD402 / LD404: target size for (N, C, d1...) logits ----------------------------------------
    _p("target-size", "LD402 LD404 LD408", "Expected target size",
       r"Expected target size (?P<expected>[\[(][\d, ]*[\])]), got (?:torch\.Size\()?(?P<got>\[[\d, ]*\])",
       I.target_size, "1.x `Expected target size (32, 3), got torch.Size([32])`; 2.x `... [32, 3], got [32]`",
       [("2.13", "RuntimeError: Expected target size [32, 3], got [32]"),
        ("1.8", "ValueError: Expected target size (32, 10), got torch.Size([32])")]),

    # ---- LD405 / LD407: BCE shapes ----------------------------------------------------------------------
    _p("bce-target-size", "LD405 LD407", "must be the same as input size",
       r"Target size \(torch\.Size\((?P<target>\[[\d, ]*\])\)\) must be the same as input size "
       r"\(torch\.Size\((?P<input>\[[\d, ]*\])\)\)", I.bce_target_size, ">=0.4 (BCEWithLogitsLoss)",
       [("2.13", "ValueError: Target size (torch.Size([32])) must be the same as input size (torch.Size([32, 1]))")]),
    _p("bce-target-size-deprecated", "LD405 LD407", "that is different to the input size",
       r"Using a target size \(torch\.Size\((?P<target>\[[\d, ]*\])\)\) that is different to the input size "
       r"\(torch\.Size\((?P<input>\[[\d, ]*\])\)\) is deprecated", I.bce_target_size, ">=1.0 (BCELoss)",
       [("2.13", "ValueError: Using a target size (torch.Size([32])) that is different to the input size "
                 "(torch.Size([32, 1])) is deprecated. Please ensure they have the same size.")]),
    _p("mse-broadcast-warning", "LD405", "will likely lead to incorrect results due to broadcasting",
       r"Using a target size \(torch\.Size\((?P<target>\[[\d, ]*\])\)\) that is different to the input size "
       r"\(torch\.Size\((?P<input>\[[\d, ]*\])\)\)\. This will likely lead to incorrect results due to broadcasting",
       I.mse_broadcast_warning, ">=0.4 (MSELoss/L1Loss UserWarning)",
       [("2.13", "UserWarning: Using a target size (torch.Size([32])) that is different to the input size "
                 "(torch.Size([32, 1])). This will likely lead to incorrect results due to broadcasting. Please "
                 "ensure they have the same size.")]),

    # ---- LD406: class weights ----------------------------------------------------------------------
    _p("weight-all-classes", "LD406", "weight tensor should be defined either for all",
       r"weight tensor should be defined either for all (?P<classes>\d+) classes or no classes but got weight tensor "
       r"of shape:? ?(?P<shape>\[[\d, ]*\])", I.weight_size, ">=1.0",
       [("2.13", "RuntimeError: weight tensor should be defined either for all 3 classes or no classes but got "
                 "weight tensor of shape: [2]"),
        ("1.4", "RuntimeError: weight tensor should be defined either for all 10 classes or no classes but got weight "
                "tensor of shape: [9] at /pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:32")]),
    _p("scalar-type-float-found", "LD406", "expected scalar type Float but found",
       r"expected scalar type Float but found (?P<dtype>\w+)", I.scalar_type_float, ">=1.6",
       [("2.13", "RuntimeError: expected scalar type Float but found Long")]),

    # ---- LD408: spatial sizes ---------------------------------------------------------------------
    _p("size-mismatch-input-target", "LD408", "size mismatch (got input",
       r"size mismatch \(got input: (?P<input>\[[\d, ]*\]) ?, target: (?P<target>\[[\d, ]*\])", I.spatial_size_mismatch,
       ">=1.11",
       [("2.13", "RuntimeError: size mismatch (got input: [2, 2, 68, 68] , target: [2, 256, 256]")]),
    _p("spatial-sizes-dont-match", "LD408", "spatial sizes don't match",
       r"input and target batch or spatial sizes don't match: target (?P<target>\[[\dx, ]*\]), input "
       r"(?P<input>\[[\dx, ]*\])", I.spatial_size_mismatch, "0.4-1.10",
       [("1.4", "RuntimeError: input and target batch or spatial sizes don't match: target [2 x 256 x 256], input "
                "[2 x 2 x 68 x 68] at /pytorch/aten/src/THNN/generic/SpatialClassNLLCriterion.c:61"),
        ("1.10", "RuntimeError: input and target batch or spatial sizes don't match: target [2, 256, 256], input "
                 "[2, 2, 68, 68]")]),
    _p("spatial-assert", "LD408", "input0 == target0",
       r"Assertion\s*[`'\"]?input0 == target0 && input2 == target1", I.spatial_assert,
       "0.3-1.0 (THNN)",
       [("0.4", "RuntimeError: Assertion `input0 == target0 && input2 == target1 && input3 == target2' failed. "
                "size mismatch (got input: 2x2x68x68, target: 2x256x256) at /pytorch/aten/src/THNN/generic/"
                "SpatialClassNLLCriterion.c:52")]),

    # ---- LD601 / LD603 / LD605 / LD606 / LD607: API misuse ---------------------------------------
    _p("bool-ambiguous", "LD601", "value of Tensor with more than one",
       r"[Bb]ool(?:ean)? value of Tensor with more than one (?:value|element) is ambiguous", I.bool_ambiguous, "all",
       [("2.13", "RuntimeError: Boolean value of Tensor with more than one value is ambiguous"),
        ("0.4", "RuntimeError: bool value of Tensor with more than one value is ambiguous")]),
    _p("grad-scalar-outputs", "LD603", "grad can be implicitly created only for scalar outputs",
       r"grad can be implicitly created only for scalar outputs", I.grad_scalar, "all",
       [("2.13", "RuntimeError: grad can be implicitly created only for scalar outputs")]),
    _p("must-be-tensor-not", "LD605", "must be Tensor, not",
       r"(?:(?P<func>\w+)\(\): )?argument '(?P<arg>input|target|self)' \(position \d\) must be Tensor, not "
       r"(?P<type>[\w.]+)", I.not_a_tensor, ">=1.0",
       [("2.13", "TypeError: cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not tuple"),
        ("2.1", "TypeError: cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not InceptionOutputs"),
        ("1.4", "TypeError: log_softmax(): argument 'input' (position 1) must be Tensor, not tuple")]),
    _p("object-no-attribute", "LD605", "object has no attribute",
       r"'(?P<type>tuple|list|dict|OrderedDict|\w*Output\w*)' object has no attribute '(?P<attr>log_softmax|size|dim|"
       r"sigmoid|view|float|long|softmax|type|shape)'", I.no_attribute, "0.4-1.x (cross_entropy); all (BCE/MSE)",
       [("0.4", "AttributeError: 'tuple' object has no attribute 'log_softmax'"),
        ("1.1", "AttributeError: 'InceptionOutputs' object has no attribute 'log_softmax'")]),
    _p("same-device", "LD606", "Expected all tensors to be on the same device",
       r"Expected all tensors to be on the same device(?:, but (?:found at least two devices, (?P<dev1>[\w:]+) and "
       r"(?P<dev2>[\w:]+)!(?: \(when checking argument for argument (?P<arg>\w+) in method (?P<method>\w+)\))?|got "
       r"(?P<arg2>\w+) is on (?P<got>[\w:]+), different from other tensors on (?P<expected>[\w:]+) \(when checking "
       r"argument in method (?P<method2>\w+)\)))?", I.same_device, ">=1.6",
       [("1.12", "RuntimeError: Expected all tensors to be on the same device, but found at least two devices, "
                 "cuda:0 and cpu! (when checking argument for argument target in method wrapper_nll_loss_forward)"),
        ("2.13", "RuntimeError: Expected all tensors to be on the same device, but got target is on cpu, different "
                 "from other tensors on cuda:0 (when checking argument in method wrapper_CUDA_nll_loss_forward)")]),
    _p("device-type-arg", "LD606", "but got device type",
       r"Expected object of device type (?P<expected>\w+) but got device type (?P<got>\w+) for argument #\d+ "
       r"'(?P<arg>\w+)'(?: in call to (?P<call>\w+))?", I.same_device, "1.0-1.5",
       [("1.4", "RuntimeError: Expected object of device type cuda but got device type cpu for argument #2 'target' "
                "in call to _thnn_nll_loss_forward")]),
    _p("backend-arg", "LD606", "but got backend",
       r"Expected object of backend (?P<expected>\w+) but got backend (?P<got>\w+) for argument #\d+ '(?P<arg>\w+)'",
       I.same_device, "0.4-1.0",
       [("0.4", "RuntimeError: Expected object of backend CUDA but got backend CPU for argument #2 'target'")]),
    _p("meta-device", "LD606", "is not on the expected device",
       r"Tensor on device (?P<got>[\w:]+) is not on the expected device (?P<expected>[\w:]+)!", I.same_device,
       ">=2.0 (meta and fake tensors)",
       [("2.13", "RuntimeError: Tensor on device meta is not on the expected device cpu!")]),
    _p("lossdoctor-finding", "LD301", "LD",
       r"\b(?P<code>LD\d{3}) (?:\[(?P<name>[a-z0-9-]+)\]|(?P<name2>[a-z0-9-]+):) (?P<message>.+)$", I.lossdoctor_finding,
       "any (raised by lossdoctor's own runtime checks)",
       [("2.13", "lossdoctor.LossDoctorIndexError: train.py:14: LD301 [target-out-of-range] target contains 10, "
                 "but the input has 10 classes (valid: 0..9)"),
        ("2.13", "lossdoctor.LossDoctorIndexError: LD301 target-out-of-range: target contains 10, but the input has "
                 "10 classes (valid: 0..9)")]),
    _p("no-grad-fn", "LD607", "does not require grad and does not have a grad_fn",
       r"element 0 of tensors does not require grad and does not have a grad_fn", I.no_grad_fn, "all",
       [("2.13", "RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn")]),
)


def _fix_groups(groups: dict) -> dict:
    # alternatives spelled with a suffix in the regex (arg2, method2) fold into one name
    for k in ("arg", "method", "name"):
        if not groups.get(k) and groups.get(k + "2"):
            groups[k] = groups[k + "2"]
    return groups


ANCHORS: tuple[str, ...] = tuple(sorted({p.anchor for p in PATTERNS}))
BY_ID = {p.id: p for p in PATTERNS}
