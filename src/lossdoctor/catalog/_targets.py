"""Catalog entries LD2xx: target encoding and dtypes."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD201",
        name="one-hot-target-to-nll-loss",
        title="`NLLLoss` received one-hot targets, not class indices",
        severity="error",
        kind="loud",
        surfaces="SRE",
        message="`nll_loss` received a one-hot `(N, C)` target; it takes class indices of shape `(N,)`",
        fix="Convert the target to class indices: `target.argmax(dim=1)`",
        why="""\
`NLLLoss` (and `F.nll_loss`) takes one class index per sample: a `(N,)`
integer target for `(N, C)` input.  A one-hot `(N, C)` target is rejected before
anything is computed: `RuntimeError: 0D or 1D target tensor expected,
multi-target not supported` (torch 2.13, measured for int64 and float32
one-hot targets alike).  Unlike `CrossEntropyLoss`, `NLLLoss` has no
class-probability mode, so `.float()` does not help.

Convert with `target.argmax(dim=1)`, or better keep the labels as indices from
the start and never build the one-hot.  For genuinely soft labels use
`CrossEntropyLoss` on the logits with float targets of the input's shape.

The same message appears for an `(N, 1)` column of labels, which needs
`squeeze(1)` instead (LD403): the target's shape tells the two apart.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
target = F.one_hot(labels, num_classes=3)
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
target = F.one_hot(labels, num_classes=3)
loss = criterion(model(x), target.argmax(dim=1))
""",
        raises="RuntimeError",
        torch_versions=(
            "wording since 1.10; earlier releases say `1D target tensor expected, multi-target not supported`"
        ),
        related=("LD202", "LD403", "LD206"),
    ),
    Diagnosis(
        code="LD202",
        name="integer-one-hot-target",
        title="`CrossEntropyLoss` received an integer one-hot target",
        severity="error",
        kind="loud",
        surfaces="SRE",
        message="`cross_entropy` received an integer one-hot `(N, C)` target; it expects class indices `(N,)`",
        fix="Convert the target to class indices: `target.argmax(dim=1)`",
        why="""\
Since torch 1.10 `CrossEntropyLoss` accepts two kinds of target: class indices
(shape `(N,)`, integer) and class probabilities (the input's shape, floating
point).  A target with the input's shape is taken as probabilities, so an
integer one-hot target, such as the int64 tensor `F.one_hot` returns, raises
`RuntimeError: Expected floating point type for target with class
probabilities, got Long` (`Int`, `Byte` or `Bool` for the other integer
dtypes; torch 2.13, measured).

The message invites `.float()`.  That runs and gives the same loss (0.9661
for the example below either way), but it is the roundabout form (LD206).  If the
labels are hard, `argmax(dim=1)` gives class indices: the idiom, 8 bytes per
sample, and compatible with `ignore_index`.  Use `.float()` only if soft labels
were intended.

The same message also appears when integer predictions of shape `(N,)` (from
`argmax`) are passed as the input together with `(N,)` labels: the shapes then
match as well (LD607).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
target = F.one_hot(labels, num_classes=3)
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
target = F.one_hot(labels, num_classes=3)
loss = criterion(model(x), target.argmax(dim=1))
""",
        raises="RuntimeError",
        torch_versions=(
            "1.10 and later; before 1.10 a 2-D target raised `1D target tensor expected, multi-target not supported`"
        ),
        related=("LD201", "LD206", "LD607"),
    ),
    Diagnosis(
        code="LD203",
        name="class-indices-wrong-dtype",
        title="Class-index targets are not `int64`",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="class-index target has the wrong dtype; `cross_entropy`/`nll_loss` need `torch.long`",
        fix="Convert the target with `.long()` (after checking that its values are whole class numbers)",
        why="""\
Class-index targets must be `torch.int64` (`long`); `uint8` is also accepted for
`(N,)` targets.  Float, double, half, int32, int16, int8 and bool targets are
rejected by `CrossEntropyLoss` and `NLLLoss` alike: `RuntimeError: expected
target dtype to be Long or Byte, but got Float` (torch 2.13, measured).  For
targets with extra dimensions (sequences `(N, L)`, segmentation masks
`(N, H, W)`), `uint8` is rejected too, with the older wording `expected scalar
type Long but found Byte` (measured).

Usual sources: labels read from a float CSV or NumPy column,
`torch.Tensor(labels)` (always float32), int32 arrays (NumPy's default integer
on Windows before NumPy 2), and segmentation masks converted with `ToTensor()`.

`.long()` fixes the dtype, but check the values first because it truncates.
Values that are not whole numbers are not class indices.  Multiples of 1/255
mean `ToTensor()` rescaled an index mask: load masks with `PILToTensor()` or
`torch.as_tensor(numpy.array(mask))` instead.  Other fractions usually mean the
targets are probabilities (give them the input's shape) or the task is
regression.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.tensor([0.0, 2.0, 1.0, 1.0, 0.0, 2.0, 2.0, 1.0])
loss = criterion(model(x), labels)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.tensor([0.0, 2.0, 1.0, 1.0, 0.0, 2.0, 2.0, 1.0])
loss = criterion(model(x), labels.long())
""",
        raises="RuntimeError",
        torch_versions=(
            "wording `expected target dtype to be Long or Byte, but got Float` is recent; older releases say "
            "`expected scalar type Long but found Float` or (1.x) `Expected object of scalar type Long but got "
            "scalar type Float for argument #2 'target'`"
        ),
        related=("LD208", "LD204", "LD301"),
    ),
    Diagnosis(
        code="LD204",
        name="multi-hot-target-to-cross-entropy",
        title="Multi-label (multi-hot) targets passed to `CrossEntropyLoss`",
        severity="error",
        kind="silent",
        surfaces="R",
        message="`cross_entropy` received multi-hot targets (rows with several 1s); softmax makes the labels compete",
        fix="Use `BCEWithLogitsLoss` for multi-label targets",
        why="""\
With a float target of the input's shape, `CrossEntropyLoss` computes
`-sum(target * log_softmax(input))` per sample and does not check that the
target rows are distributions.  Multi-hot rows with several 1s are accepted
silently (torch 2.13).  Softmax makes the classes share one unit of
probability, so the best the model can do on a row with k labels is 1/k on each:
the loss floor is k * ln(k) (1.386 for two labels) instead of 0.  Measured: a
row with two labels converged to probabilities 0.4995 and 0.4995, i.e. "maybe
this, maybe that" where the data says "both".  Rows with no label contribute 0
and drop out of training.

Multi-label classification needs an independent yes/no per class:
`BCEWithLogitsLoss` on the logits with the same float multi-hot targets (the
same row converged to 0.992 for each present label).  Threshold
`sigmoid(logits)` per class at prediction time.

The check fires when every target value is 0 or 1 and some row sums to more
than 1.  Rows summing to 1 are one-hot (LD206) or soft labels; other values
that are not distributions are LD205.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 5)
criterion = nn.CrossEntropyLoss()
x = torch.randn(4, 4)
tags = torch.tensor([
    [1.0, 0.0, 1.0, 0.0, 0.0],
    [0.0, 1.0, 1.0, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 1.0],
    [0.0, 0.0, 0.0, 1.0, 0.0],
])
loss = criterion(model(x), tags)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 5)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(4, 4)
tags = torch.tensor([
    [1.0, 0.0, 1.0, 0.0, 0.0],
    [0.0, 1.0, 1.0, 0.0, 0.0],
    [1.0, 0.0, 0.0, 0.0, 1.0],
    [0.0, 0.0, 0.0, 1.0, 0.0],
])
loss = criterion(model(x), tags)
""",
        torch_versions="1.10 and later (earlier releases reject float targets for `CrossEntropyLoss`)",
        related=("LD205", "LD206"),
    ),
    Diagnosis(
        code="LD205",
        name="soft-target-not-distribution",
        title="Soft targets for `CrossEntropyLoss` are not probability distributions",
        severity="error",
        kind="silent",
        surfaces="R",
        message="class-probability target rows do not sum to 1 or contain negative values",
        fix="Normalise the target rows to sum to 1 (or use `label_smoothing=` for smoothed labels)",
        why="""\
Float class-probability targets (the input's shape, accepted since torch 1.10)
are used as given: `CrossEntropyLoss` computes `-sum(target * log_softmax(input))`
and never checks that each row is a probability distribution.  torch 2.13
silently accepts `torch.rand` targets (row sums 1.2 to 3.3 in a measurement),
negative entries and all-zero rows.

A row summing to s scales that sample's loss and gradient by s (a row summing
to 2 gives exactly twice the normalised loss, measured).  Negative entries make
the loss unbounded below: with target [0.8, 0.5, -0.3] it went from 1.10 to
-26.7 in 200 SGD steps.  All-zero rows drop the sample.

A common source is hand-written label smoothing, `one_hot * (1 - eps) + eps`,
whose rows sum to 1 + eps * (C - 1) (1.4 for eps = 0.1 and C = 5); the
built-in `label_smoothing=eps` argument does it correctly.  Others are teacher
outputs normalised over the wrong dimension and scores that were never passed
through a softmax.  Rows that are non-negative and sum to 1 within rounding are
fine whatever their shape.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 5)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 5, (8,))
eps = 0.1
smoothed = F.one_hot(labels, num_classes=5).float() * (1 - eps) + eps
loss = criterion(model(x), smoothed)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 5)
criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
x = torch.randn(8, 4)
labels = torch.randint(0, 5, (8,))
loss = criterion(model(x), labels)
""",
        torch_versions="1.10 and later (earlier releases reject float targets for `CrossEntropyLoss`)",
        related=("LD204", "LD206", "LD702"),
    ),
    Diagnosis(
        code="LD206",
        name="one-hot-target-to-cross-entropy",
        title="Float one-hot targets for `CrossEntropyLoss`; class indices are the idiom",
        severity="info",
        kind="info",
        surfaces="SR",
        message="`cross_entropy` received float one-hot targets; class indices give the same loss with less memory",
        fix="Pass class indices instead: `target.argmax(dim=1)`",
        why="""\
Since torch 1.10 `CrossEntropyLoss` treats a float target of the input's shape
as class probabilities, so float one-hot targets work and give the same loss as
class indices (0.96614 both ways for the example below on torch 2.13; they
differ by 1e-7, rounding).  This is why it is only reported as info.  Indices are
still the better form:

- Memory: float32 `(N, C)` targets take 4 * C bytes per sample against 8 bytes
  for an int64 index, C/2 times as much (500 times for 1000 classes).
- Options behave differently.  With `weight=`, the "mean" reduction divides by N
  for probability targets but by the summed weights of the target classes for
  indices (2.568 against 1.141 with weights [1, 2, 3], measured).
  `ignore_index` raises `ignore_index is not supported for floating point
  target`.
- torch before 1.10 rejects float targets altogether.

Keep the labels as indices from the dataset on, or convert with
`target.argmax(dim=1)`.  Float targets are right for real soft labels (mixup,
distillation).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
target = F.one_hot(labels, num_classes=3).float()
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
loss = criterion(model(x), labels)
""",
        torch_versions="works since 1.10; earlier releases raise for float `(N, C)` targets",
        related=("LD202", "LD204", "LD205"),
    ),
    Diagnosis(
        code="LD207",
        name="integer-logits",
        title="The loss input is an integer tensor, not float logits",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="the loss input has an integer dtype; `cross_entropy` needs floating-point logits",
        fix="Pass the model's floating-point logits (or build test logits with `dtype=torch.float32`)",
        why="""\
`CrossEntropyLoss` starts with `log_softmax`, which has no kernel for integer or
bool tensors.  An int64 input raises `NotImplementedError:
"log_softmax_lastdim_kernel_impl" not implemented for 'Long'` on torch 2.13
(`'Int'`, `'Byte'` or `'Bool'` for other dtypes; `"log_softmax_kernel_impl"`
for spatial `(N, C, H, W)` input; `NLLLoss` reports `"nll_loss_out_frame" not
implemented for 'Long'`; all measured).

Integer logits mean the tensor is not the model's raw output: logits written
by hand without decimal points (`torch.tensor([[2, 0, -1]])` is int64), an
output that was rounded or cast with `.long()`, token ids, or labels in the
input slot (LD608).  A cast would also cut the autograd graph, so even a loss
that ran could not train the model.

Releases up to at least 2.0 raised the same text as `RuntimeError`.
`NotImplementedError` is a subclass of `RuntimeError`, so `except RuntimeError`
catches both.""",
        bad="""\
import torch
import torch.nn as nn

criterion = nn.CrossEntropyLoss()
logits = torch.tensor([[2, 0, -1], [0, 3, 1]])
labels = torch.tensor([0, 1])
loss = criterion(logits, labels)
""",
        good="""\
import torch
import torch.nn as nn

criterion = nn.CrossEntropyLoss()
logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 3.0, 1.0]])
labels = torch.tensor([0, 1])
loss = criterion(logits, labels)
""",
        raises="NotImplementedError",
        torch_versions="`NotImplementedError` on recent releases; older ones raise `RuntimeError` with the same text",
        related=("LD608", "LD607"),
    ),
    Diagnosis(
        code="LD208",
        name="bce-target-wrong-dtype",
        title="`BCEWithLogitsLoss`/`BCELoss` received integer targets",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="binary cross-entropy target has an integer dtype; it must be float like the input",
        fix="Convert the target with `.float()`",
        why="""\
Binary cross-entropy treats each target element as a probability, so the target
must have the input's floating dtype.  Integer 0/1 labels (from
`torch.randint`, `torch.tensor([1, 0, 1])` or an integer NumPy column) fail on
torch 2.13 (measured):

- `BCEWithLogitsLoss`: `RuntimeError: result type Float can't be cast to the
  desired output type Long` (`Int`, `Byte` for int32 and uint8; bool targets
  fail with a message about subtracting bool tensors).
- `BCELoss`: `RuntimeError: Found dtype Long but expected Float`.  This check
  is strict: a float64 target with float32 input fails too (`Found dtype Double
  but expected Float`), where `BCEWithLogitsLoss` accepts it.

`target.float()` (or `target.to(logits.dtype)`) fixes it; the values stay 0
and 1.  Unlike `CrossEntropyLoss`, which wants integer class indices (LD203),
the binary losses want floats.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1))
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1))
loss = criterion(model(x), target.float())
""",
        raises="RuntimeError",
        related=("LD203", "LD303", "LD405"),
    ),
]
