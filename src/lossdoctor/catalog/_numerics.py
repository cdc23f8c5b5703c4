"""LD5xx: numerics."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD501",
        name="nonfinite-logits",
        title="The loss input contains NaN or infinity",
        severity="error",
        kind="silent",
        surfaces="RM",
        message="`input` contains NaN or infinite values",
        fix="Find the operation that first produced the non-finite value (a division, `log`, `sqrt` or an overflow) and guard it",
        why="""\
PyTorch does not check loss inputs for NaN or infinity.  Measured with
`cross_entropy` on torch 2.13:
- a NaN logit makes that sample's loss NaN;
- a `+inf` logit makes it NaN too (`inf - inf` inside `log_softmax`);
- `-inf` on the target class gives `inf`, and a row that is all `-inf`
  gives NaN.

With `reduction='mean'` a single NaN sample turns the whole batch loss into
NaN; `backward()` then puts NaN into every weight gradient, the optimizer
step writes NaN into the weights, and from then on every output is NaN.
Training goes on without an error.

Where it usually comes from:
- dividing by a norm or a sum that can be zero, e.g. `x / x.norm(dim=1,
  keepdim=True)` on an all-zero (padding) row gives 0 / 0 = NaN
  (`F.normalize` adds an epsilon);
- `log` or `sqrt` of zero or of negative numbers in custom layers;
- activations that overflow after a too-large learning rate, or float16
  overflow above 65504 (LD503);
- NaN already in the data (missing values), or uninitialised memory from
  `torch.empty`.

When autograd records the producer, lossdoctor names it from the `grad_fn`
chain; `torch.autograd.set_detect_anomaly(True)` points at the backward
operation that first produces NaN.

`-inf` in classes that are *not* the target is a legitimate way to mask
classes: the loss stays finite (measured) and the masked classes get zero
probability and zero gradient.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
classifier = nn.Linear(4, 3)
features = torch.randn(4, 4)
features[2] = 0.0                                       # an all-zero (padding) sample
unit = features / features.norm(dim=1, keepdim=True)    # 0 / 0 = nan in that row
labels = torch.tensor([0, 1, 2, 1])
loss = F.cross_entropy(classifier(unit), labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
classifier = nn.Linear(4, 3)
features = torch.randn(4, 4)
features[2] = 0.0                                       # an all-zero (padding) sample
unit = F.normalize(features, dim=1)                     # eps keeps the zero row finite
labels = torch.tensor([0, 1, 2, 1])
loss = F.cross_entropy(classifier(unit), labels)
""",
        related=("LD502", "LD503", "LD104"),
    ),
    Diagnosis(
        code="LD502",
        name="nonfinite-loss",
        title="The loss is NaN or infinite",
        severity="error",
        kind="silent",
        surfaces="RM",
        message="the loss is `nan` or `inf`",
        fix="Find the first step whose loss is not finite and remove its cause (lower the learning rate, clip gradients, fix the inputs)",
        why="""\
A NaN or infinite loss does not stop training.  `backward()` turns it into NaN
gradients, `optimizer.step()` copies NaN into the weights, and every later
output and loss is NaN; the run continues and only the printed numbers show
it.  The step where the loss first stopped being finite is the one to look
at: its cause is still visible there, while later steps only show the
consequence.

The loss can overflow even when every logit is finite.  Measured on torch
2.13 with the example below (SGD at `lr=10`): the loss grows from 2.42 to
1.3e34 in 16 steps, and at step 17 it is `inf` while the largest logit is
still a finite 6.2e37: the gap between the largest logit and the target's
logit no longer fits in float32
(`F.cross_entropy(torch.tensor([[3e38, -3e38, 0.]]), torch.tensor([1]))` is
`inf` too).  At step 18 the logits are infinite and the loss is NaN, and it
stays NaN.

Common causes:
- a learning rate that is too high, no warm-up, or no gradient clipping;
- non-finite values in the loss input (LD501);
- every target ignored in a batch, or class weights that are zero for every
  class present (both 0 / 0 = `nan`, measured; LD302);
- float16 overflow in the loss reduction (LD503);
- `log(0)` in a hand-written loss.

With `torch.amp.GradScaler`, occasional infinite *gradients* are expected and
the scaler skips those steps; a non-finite *loss* value is not expected even
there.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=10.0)    # far too high
for step in range(20):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(features), labels)        # inf at step 17, then nan
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(20):
    optimizer.zero_grad()
    loss = F.cross_entropy(model(features), labels)
    loss.backward()
    optimizer.step()
""",
        related=("LD501", "LD302", "LD503", "LD703"),
    ),
    Diagnosis(
        code="LD503",
        name="half-precision-loss",
        title="Cross-entropy computed on `float16` logits outside autocast",
        severity="warning",
        kind="warning",
        surfaces="SR",
        message="`cross_entropy` received `float16` logits outside autocast; its reduction can overflow",
        fix="Compute the loss in float32: `F.cross_entropy(logits.float(), target)`, or run the forward pass under `torch.autocast`",
        why="""\
float16 holds at most 65504 and about three significant digits.  When the
logits are float16, `cross_entropy` and `nll_loss` compute in float16 too,
including the mean reduction, which sums every per-element loss before
dividing.  Measured on torch 2.13 CPU:
- `(8, 10, 64, 64)` segmentation logits (the example below): `inf` in
  float16, 2.5110 once converted to float32 (32768 pixel losses of about 2.5
  sum past 65504);
- `(20, 100, 1025)` sequence logits: `inf` against 5.0972;
- `(N, 10)` random logits: finite up to N = 20000 (2.7246 against 2.7227),
  `inf` at N = 40000, and `nan` at N = 100000, where even the element count
  no longer fits (`inf / inf`).

Autocast already handles this: `cross_entropy`, `nll_loss` and
`log_softmax` are on its float32 list, so under `torch.autocast` the loss is
computed in float32 even when the logits are half precision (measured: a
float32 loss from bfloat16 logits under CPU autocast).  The problem comes
from converting the model or the outputs by hand (`model.half()`,
`.half()`, `.to(torch.float16)`) and computing the loss on the result.
bfloat16 has float32's range and does not overflow, but it rounds the loss
to about three digits (2.75 against 2.73 for 40000 random rows).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
head = nn.Conv2d(3, 10, kernel_size=1).half()      # model converted to float16
images = torch.randn(8, 3, 64, 64).half()
masks = torch.randint(0, 10, (8, 64, 64))
logits = head(images)                               # float16 (8, 10, 64, 64)
loss = F.cross_entropy(logits, masks)               # inf: the float16 sum overflows
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
head = nn.Conv2d(3, 10, kernel_size=1).half()      # model converted to float16
images = torch.randn(8, 3, 64, 64).half()
masks = torch.randint(0, 10, (8, 64, 64))
logits = head(images)                               # float16 (8, 10, 64, 64)
loss = F.cross_entropy(logits.float(), masks)       # reduced in float32
""",
        related=("LD502", "LD501"),
    ),
]
