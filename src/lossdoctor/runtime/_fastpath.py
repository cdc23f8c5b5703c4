"""The hot path's shortcut: recognise an ordinary, correct loss call in a few predicates.

Most calls in a training loop are fine.  ``quick_accept`` answers, from metadata
alone, "no metadata check can find anything here", and the session then skips
straight to the (strided) value checks.  It must be conservative: whatever it
accepts, the full set of metadata checks would also pass (a test holds this
over every call the test suite makes).
"""

from __future__ import annotations

import torch

from ._call import LossCall

_PLAIN = (torch.Tensor, torch.nn.Parameter)
_FLOAT_OK = frozenset({torch.float32, torch.float64, torch.bfloat16})
_INT64 = torch.int64
# Autograd nodes after which the input still needs a closer look (activations, logs, views, copies).
_SUSPICIOUS = (
    "Softmax", "LogSoftmax", "Log", "Relu", "Threshold", "Sigmoid", "Tanh", "Softplus", "Hardtanh",
    "Elu", "Gelu", "View", "UnsafeView", "ReshapeAlias", "Clone", "ToCopy", "Expand", "Squeeze",
    "Unsqueeze", "Permute", "Transpose", "TBackward", "Select", "Slice", "Index", "Alias",
)


def quick_accept(call: LossCall) -> bool:
    if call.weight is not None or call.pos_weight is not None:
        return False
    return quick_accept_args(call.loss, call.input, call.target)


def quick_accept_args(loss: str, x, y) -> bool:
    """The same, from the raw (input, target) of a call with no weight options."""
    if loss == "cross_entropy" or loss == "nll_loss":
        return _class_index_ok(loss, x, y)
    if loss == "binary_cross_entropy_with_logits":
        return _bce_logits_ok(x, y)
    return False


def _same_device(x, y) -> bool:
    if x.is_cpu:  # the common case, without building two torch.device objects
        return y.is_cpu
    return x.device == y.device


def _class_index_ok(loss: str, x, y) -> bool:
    if type(x) not in _PLAIN or type(y) not in _PLAIN:
        return False
    if x.dtype not in _FLOAT_OK or y.dtype is not _INT64 or not _same_device(x, y):
        return False
    n = x.dim()
    xs, ys = x.shape, y.shape
    if n == 2:
        if y.dim() != 1 or ys[0] != xs[0]:
            return False
    elif n == 1:
        if y.dim() != 0:
            return False
    elif n >= 3:
        if ys != (xs[0], *xs[2:]) or xs[1] == xs[-1]:
            return False
    else:
        return False
    fn = x.grad_fn
    if fn is None:
        return True
    name = fn.name()
    if loss == "nll_loss":
        return False  # what produced NLL's input always matters (log_softmax, and over which dim)
    return not name.startswith(_SUSPICIOUS)


def _bce_logits_ok(x, y) -> bool:
    if type(x) not in _PLAIN or type(y) not in _PLAIN or x.shape != y.shape:
        return False
    if x.dtype not in _FLOAT_OK or y.dtype is not x.dtype or not _same_device(x, y):
        return False
    if y.requires_grad and not x.requires_grad:
        return False  # the arguments may be swapped (LD608)
    fn = x.grad_fn
    return fn is None or not fn.name().startswith(_SUSPICIOUS)
