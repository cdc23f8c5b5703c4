"""LD4xx: shapes and layouts."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD401",
        name="batch-size-mismatch",
        title="The logits and the targets have different batch sizes",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`input` and `target` have different batch sizes",
        fix="Flatten logits and targets the same way: `features.flatten(1)` instead of `view(-1, K)`, and `target.reshape(-1)` when the logits are `(N*L, C)`",
        why="""\
For `(N, C)` logits (or `(N, C, d1, ...)`), `CrossEntropyLoss` and `NLLLoss`
expect targets of shape `(N,)` (or `(N, d1, ...)`), and the first thing they
compare is dim 0.  Torch 2.13 raises `ValueError: Expected input batch_size
(32) to match target batch_size (8).` (measured; `nll_loss` uses the same
text).  A 0-dim target next to batched logits is reported as batch size 0:
`Expected input batch_size (4) to match target batch_size (0).`  (A 0-dim
target is valid only with an unbatched `(C,)` input.)

The mismatch almost always comes from a reshape, not from the data:
- `x.view(-1, K)` before the classifier with K smaller than the features per
  sample: `view` silently makes more rows.  Features of shape `(8, 16, 4, 4)`
  viewed as `(-1, 64)` give 32 rows for 8 labels, typically because K was
  computed for another input size.  `x.flatten(1)` (or
  `x.view(x.size(0), -1)`) keeps the batch, so a wrong K becomes a clear
  error in the next `Linear` instead;
- sequence or pixel logits flattened to `(N*L, C)` while the targets stay
  `(N, L)`: `Expected input batch_size (28) to match target batch_size (4).`
  Flatten the targets too (`target.reshape(-1)`);
- one sample's label stored as a 0-dim tensor (`torch.tensor(2)`) while the
  logits keep a batch of one: `label.view(1)`;
- logits and labels from different batches or filtered by different masks.

A `DataLoader` is not a cause: it yields inputs and targets of the same
length, and a short last batch shrinks both together.  It matters only when
code hard-codes the batch size (`view(batch_size, -1)`), which is the first
cause in another form.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
conv = nn.Conv2d(3, 16, kernel_size=3, padding=1)
fc = nn.Linear(16 * 2 * 2, 10)              # sized for 4x4 images
images = torch.randn(8, 3, 8, 8)            # but the images are 8x8
labels = torch.randint(0, 10, (8,))
features = F.max_pool2d(conv(images), 2)    # (8, 16, 4, 4)
logits = fc(features.view(-1, 16 * 2 * 2))  # (32, 10): 4 rows per image
loss = F.cross_entropy(logits, labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
conv = nn.Conv2d(3, 16, kernel_size=3, padding=1)
fc = nn.Linear(16 * 4 * 4, 10)
images = torch.randn(8, 3, 8, 8)
labels = torch.randint(0, 10, (8,))
features = F.max_pool2d(conv(images), 2)    # (8, 16, 4, 4)
logits = fc(features.flatten(1))            # (8, 10): one row per image
loss = F.cross_entropy(logits, labels)
""",
        raises="ValueError",
        related=("LD404", "LD409", "LD403"),
    ),
    Diagnosis(
        code="LD402",
        name="extra-output-dim",
        title="The logits carry an extra dimension (e.g. from `unsqueeze`)",
        severity="error",
        kind="loud",
        surfaces="SRE",
        message="`input` has an extra dimension: `(N, 1, C)` logits for `(N,)` targets",
        fix="Drop the extra dimension so the logits are `(N, C)`: remove the `unsqueeze`, or `squeeze(1)` it",
        why="""\
`CrossEntropyLoss` reads dim 1 of its input as the classes and every later
dim as a position (sequence or pixel).  Logits of shape `(N, 1, C)` are
therefore read as one class at C positions, and the loss wants a target of
shape `(N, C)`: torch 2.13 raises `RuntimeError: Expected target size [32, 3],
got [32]` for `(32, 1, 3)` logits and `(32,)` labels (measured; `nll_loss`
the same).  With `unsqueeze(-1)`, `(N, C, 1)`, the message becomes
`Expected target size [32, 1], got [32]`.  The sizes printed are the logits'
batch and trailing dims, not a class count, which is why the message is hard
to read.

Typical causes:
- `unsqueeze(0)`/`unsqueeze(1)` meant to add a batch dimension to an output
  that already has one;
- a recurrent or attention model whose last step is taken with a slice that
  keeps the time axis (`out[:, -1:, :]` instead of `out[:, -1, :]`), so the
  classifier outputs `(N, 1, C)`;
- pooling with `keepdim=True` before the classifier.

Real sequence or pixel outputs `(N, C, L)` with `(N, L)` targets are the
intended K-dimensional form and not concerned (see LD404 for `(N, L, C)`).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(8, 3)
features = torch.randn(32, 8)
labels = torch.randint(0, 3, (32,))
logits = model(features).unsqueeze(1)    # (32, 1, 3)
loss = F.cross_entropy(logits, labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(8, 3)
features = torch.randn(32, 8)
labels = torch.randint(0, 3, (32,))
logits = model(features)                 # (32, 3)
loss = F.cross_entropy(logits, labels)
""",
        raises="RuntimeError",
        related=("LD404", "LD403", "LD408"),
    ),
    Diagnosis(
        code="LD403",
        name="target-extra-dim",
        title="The targets carry an extra dimension: `(N, 1)` labels or `(N, 1, H, W)` masks",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`target` has an extra size-1 dimension: `(N, 1)` class indices for `(N, C)` logits",
        fix="Squeeze the extra target dimension: `target.squeeze(1)`",
        why="""\
Class-index targets have one dimension fewer than the logits: `(N,)` for
`(N, C)`, `(N, H, W)` for `(N, C, H, W)`.  Torch 2.13 (measured, same for
`nll_loss`):
- `(N, 1)` targets with `(N, C)` logits: `RuntimeError: 0D or 1D target
  tensor expected, multi-target not supported`;
- `(N, 1, H, W)` masks with `(N, C, H, W)` logits: `RuntimeError: only
  batches of spatial targets supported (3D tensors) but got targets of
  dimension: 4`.

Typical causes: labels read as a column (`df[["label"]]`, or a dataset
returning `torch.tensor([y])`), and masks loaded with a channel axis (a
one-channel image turned into a `(1, H, W)` tensor).  `squeeze(1)` fixes
both.  Watch for two look-alikes that squeezing does not fix:
- an `(N, H, W, 3)` RGB or RGBA label image gives the same 4-D message; its
  colours must be mapped to class ids first;
- masks converted by `ToTensor()` are also rescaled to floats in [0, 1], so
  they need `(mask * 255).long()` as well (LD203).

`(N, C)` one-hot or multi-hot targets are a different problem (LD201, LD202,
LD204), and so are per-object labels `(N, K)` that need one target per
sample or per pixel.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(4, 4)
labels = torch.tensor([[0], [2], [1], [1]])    # one label per row, as a column
loss = F.cross_entropy(model(features), labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(4, 4)
labels = torch.tensor([[0], [2], [1], [1]]).squeeze(1)    # (4,)
loss = F.cross_entropy(model(features), labels)
""",
        raises="RuntimeError",
        related=("LD201", "LD202", "LD203", "LD401"),
    ),
    Diagnosis(
        code="LD404",
        name="class-dim-last",
        title="Sequence or pixel logits have the classes last: `(N, L, C)` instead of `(N, C, L)`",
        severity="error",
        kind="loud/silent",
        surfaces="SRE",
        message="`input` looks like `(N, L, C)` with the classes last, but `cross_entropy` reads dim 1 as the classes",
        fix="Move the classes to dim 1 (`logits.permute(0, 2, 1)`) or flatten both to `(N*L, C)` and `(N*L,)`",
        why="""\
For per-token or per-pixel classification, `CrossEntropyLoss` expects logits
`(N, C, L)` (or `(N, C, H, W)`) and targets `(N, L)`.  A `Linear` head applied
to `(N, L, H)` features, as in a tagger, a batch-first RNN or a transformer,
gives `(N, L, C)`: the classes last.  Passed on as is:
- L != C: loud.  The loss takes L as the class count and C as the length:
  `RuntimeError: Expected target size [4, 5], got [4, 7]` for `(4, 7, 5)`
  logits and `(4, 7)` targets (measured on torch 2.13).
- L == C: silent.  The shapes agree, and the softmax runs over positions
  instead of classes.  In the example below (4 sentences of 5 tokens, 5 tags)
  the loss is 1.7131 instead of the correct 1.6043 (measured), and the
  gradients push each token's scores towards the wrong normalisation.  This
  happens with fixed-length inputs whose length equals the number of
  classes, e.g. 2 classes and pairs, or 10 tags on 10-token windows.

lossdoctor's evidence for the silent case is an inference, not a certainty:
the logits come straight from a `Linear`/`matmul` (`ViewBackward0` over
`AddmmBackward0`, measured for `nn.Linear` on a 3-D input) whose output
features equal the size of the last dim, contiguous with last-dim stride 1.
The same holds for `(N, H, W, C)` channels-last heads; use
`permute(0, 3, 1, 2)` there.

Logits from a `Conv1d`/`Conv2d` are already `(N, C, ...)` and not concerned.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
tagger = nn.Linear(8, 5)                # 5 tags
hidden = torch.randn(4, 5, 8)           # (sentences, tokens, features): 5 tokens
tags = torch.randint(0, 5, (4, 5))      # (sentences, tokens)
logits = tagger(hidden)                 # (sentences, tokens, tags)
loss = F.cross_entropy(logits, tags)    # runs, with tokens taken as classes
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
tagger = nn.Linear(8, 5)                # 5 tags
hidden = torch.randn(4, 5, 8)           # (sentences, tokens, features): 5 tokens
tags = torch.randint(0, 5, (4, 5))      # (sentences, tokens)
logits = tagger(hidden)                 # (sentences, tokens, tags)
loss = F.cross_entropy(logits.permute(0, 2, 1), tags)    # (sentences, tags, tokens)
""",
        raises="RuntimeError",
        related=("LD409", "LD402", "LD401"),
    ),
    Diagnosis(
        code="LD405",
        name="bce-shape-mismatch",
        title="Binary loss input and target shapes differ: `(N, 1)` against `(N,)`",
        severity="error",
        kind="loud/silent",
        surfaces="RE",
        message="`input` is `(N, 1)` but `target` is `(N,)`",
        fix="Give input and target the same shape: `logits.squeeze(1)` (or `target.view(-1, 1)`)",
        why="""\
Binary cross-entropy and the regression losses compare input and target
element by element, so their shapes must be equal.  A binary head
`nn.Linear(H, 1)` outputs `(N, 1)`, while labels usually come as `(N,)`.
Measured on torch 2.13:
- `BCEWithLogitsLoss`: `ValueError: Target size (torch.Size([32])) must be
  the same as input size (torch.Size([32, 1]))`;
- `BCELoss`: `ValueError: Using a target size (torch.Size([32])) that is
  different to the input size (torch.Size([32, 1])) is deprecated. Please
  ensure they have the same size.`;
- `MSELoss` and `L1Loss`: no error.  `(N, 1)` and `(N,)` broadcast to
  `(N, N)`, so every prediction is compared with every target; only a
  `UserWarning` (`... This will likely lead to incorrect results due to
  broadcasting.`) is printed.  For 32 random pairs the broadcast MSE is 2.1872
  instead of 2.3178, and its minimiser predicts the batch mean for every
  sample.

The same mismatch appears the other way round, with `(N,)` outputs (after a
`squeeze`) and `(N, 1)` labels read as a column.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 1)
features = torch.randn(32, 4)
labels = torch.randint(0, 2, (32,)).float()
logits = model(features)                 # (32, 1)
loss = F.binary_cross_entropy_with_logits(logits, labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 1)
features = torch.randn(32, 4)
labels = torch.randint(0, 2, (32,)).float()
logits = model(features).squeeze(1)      # (32,)
loss = F.binary_cross_entropy_with_logits(logits, labels)
""",
        raises="ValueError",
        related=("LD407", "LD208", "LD303"),
    ),
    Diagnosis(
        code="LD406",
        name="class-weight-mismatch",
        title="The class `weight` does not have one float entry per class",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`weight` has K entries but the input has C classes",
        fix="Pass one floating-point weight per class: `len(weight) == C`, same dtype as the logits",
        why="""\
`CrossEntropyLoss(weight=w)` and `NLLLoss(weight=w)` scale each target's loss
by `w[target]`, so `w` must be a 1-D tensor with exactly C entries and the
logits' floating-point dtype.  Torch 2.13 raises `RuntimeError` (measured):
- wrong length: `weight tensor should be defined either for all 3 classes or
  no classes but got weight tensor of shape: [2]` (a `(1, 3)` weight gets
  the same message); with `(N, C, H, W)` logits the text is shorter:
  `weight tensor should be defined either for all or no classes`; with
  probability targets it starts with `cross_entropy: `;
- wrong dtype: `expected scalar type Float but found Long` for integer
  weights, `... found Double` for float64 weights next to float32 logits.

Typical causes:
- weights computed from label counts with `torch.bincount(labels)` (or
  `np.bincount`) on a split where the highest class is missing, so the
  vector is too short: pass `minlength=C`;
- a background or "other" class forgotten when writing the weights by hand;
- `torch.tensor([1, 5, 10])` (integers) or weights built with NumPy
  (float64): use `dtype=torch.float32`.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)                           # three classes
features = torch.randn(6, 4)
labels = torch.tensor([0, 0, 1, 0, 1, 1])         # class 2 absent from this split
counts = torch.bincount(labels)                   # 2 entries, not 3
criterion = nn.CrossEntropyLoss(weight=counts.sum() / counts.float())
loss = criterion(model(features), labels)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)                           # three classes
features = torch.randn(6, 4)
labels = torch.tensor([0, 0, 1, 0, 1, 1])         # class 2 absent from this split
counts = torch.bincount(labels, minlength=3).clamp(min=1)
criterion = nn.CrossEntropyLoss(weight=counts.sum() / counts.float())
loss = criterion(model(features), labels)
""",
        raises="RuntimeError",
        related=("LD301", "LD606"),
    ),
    Diagnosis(
        code="LD407",
        name="squeezed-batch-dim",
        title="`squeeze()` without a dim removed the batch dimension of a batch of one",
        severity="error",
        kind="silent/loud",
        surfaces="SRE",
        message="`squeeze()` with no `dim` dropped the batch dimension (batch of one)",
        fix="Squeeze only the dimension you mean: `squeeze(1)` or `squeeze(-1)`",
        why="""\
`squeeze()` with no argument removes every dimension of size 1.  On the
`(N, 1)` output of a binary head it returns `(N,)`, which is what is meant,
until N is 1: a last batch of one sample (`len(dataset) % batch_size == 1`),
`batch_size=1`, or single-sample inference.  Then the batch dimension goes
too and the result is 0-dim.  Training runs for many batches and fails (or
goes wrong) only there.  Measured on torch 2.13:
- `BCEWithLogitsLoss` with a `(1,)` target: `ValueError: Target size
  (torch.Size([1])) must be the same as input size (torch.Size([]))`;
- `MSELoss`: runs, with a broadcasting `UserWarning`;
- `CrossEntropyLoss` on `(1, C).squeeze()`: the `(C,)` result is accepted as
  one unbatched sample and the value is right (0.5684 both ways); code that
  later uses dim 1 (`argmax(dim=1)`) breaks instead;
- segmentation logits `(1, C, H, W).squeeze()` become `(C, H, W)`, which the
  loss reads as C sequences: `ValueError: Expected input batch_size (3) to
  match target batch_size (1).`  If the target is squeezed as well and H
  equals C, it runs silently on the wrong reading (1.8313 instead of 1.9188
  for C = H = W = 4).

`squeeze()` also removes a class dim of size 1 or a spatial dim of size 1
when that is not intended.  Naming the dim (`squeeze(1)`, `squeeze(-1)`)
removes exactly one axis, and only if it has size 1.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 1)
features = torch.randn(1, 4)              # the last batch holds one sample
labels = torch.tensor([1.0])
logits = model(features).squeeze()        # (1, 1) -> () instead of (1,)
loss = F.binary_cross_entropy_with_logits(logits, labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 1)
features = torch.randn(1, 4)              # the last batch holds one sample
labels = torch.tensor([1.0])
logits = model(features).squeeze(1)       # (1, 1) -> (1,)
loss = F.binary_cross_entropy_with_logits(logits, labels)
""",
        raises="ValueError",
        related=("LD405", "LD401", "LD402"),
    ),
    Diagnosis(
        code="LD408",
        name="spatial-size-mismatch",
        title="Segmentation logits and target masks have different heights or widths",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`input` is `(N, C, H, W)` but `target` is `(N, H', W')` with another height or width",
        fix="Make the logits as large as the masks: pad the convolutions, or `F.interpolate` the logits to `target.shape[-2:]`",
        why="""\
Per-pixel cross-entropy pairs logit `[n, :, i, j]` with target `[n, i, j]`, so
both must have the same height and width.  Torch 2.13 raises
`RuntimeError: size mismatch (got input: [2, 2, 28, 28] , target: [2, 32, 32]`
(measured; the message has no closing parenthesis).  For 3-D `(N, C, L)`
logits and 5-D volumes the text is instead `Expected target size [2, 6],
got [2, 8]`, the same form as LD402 and LD404.

Typical causes:
- convolutions without padding: each unpadded 3x3 convolution trims one
  pixel per side (two 3x3 layers turn 32x32 into 28x28);
- a backbone with output stride 8 or 16 and no upsampling back to the label
  resolution;
- odd input sizes, where pooling rounds down and the transposed convolution
  does not restore the pixel (33 -> 16 -> 32);
- labels resized or cropped by a transform that was not applied to the
  images (or the other way round).

Fixes: interpolate the logits to the label size (bilinear), or resize the
labels with `mode="nearest"` (never bilinear: it invents class ids), or pad
the convolutions, or crop the labels to the valid region.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 2, 3))    # no padding
images = torch.randn(2, 3, 32, 32)
masks = torch.randint(0, 2, (2, 32, 32))
logits = net(images)                     # (2, 2, 28, 28)
loss = F.cross_entropy(logits, masks)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 2, 3, padding=1))
images = torch.randn(2, 3, 32, 32)
masks = torch.randint(0, 2, (2, 32, 32))
logits = net(images)                     # (2, 2, 32, 32)
loss = F.cross_entropy(logits, masks)
""",
        raises="RuntimeError",
        torch_versions=(
            "torch 2.13: `size mismatch (got input: [...] , target: [...]`; older releases: "
            "`input and target batch or spatial sizes don't match` on the CPU and "
            "``Assertion `input0 == target0 && input2 == target1 && input3 == target2' failed`` on CUDA"
        ),
        related=("LD401", "LD404", "LD403"),
    ),
    Diagnosis(
        code="LD409",
        name="flatten-without-permute",
        title="`(N, C, H, W)` logits flattened with `view(-1, C)` without moving the classes last",
        severity="error",
        kind="silent",
        surfaces="R",
        message="`input` was reshaped to `(-1, C)` from `(N, C, ...)` without a permute: its rows mix classes and positions",
        fix="Move the classes last before flattening (`logits.permute(0, 2, 3, 1).reshape(-1, C)`), or pass the 4-D logits directly",
        why="""\
In memory, `(N, C, H, W)` logits store all H*W scores of class 0 for the
first image, then all scores of class 1, and so on.  `reshape(-1, C)` (or
`view(-1, C)`) cuts that sequence into consecutive groups of C values, so a
"row" holds C neighbouring pixels of one class map, not the C class scores
of one pixel.  The result has N*H*W rows, exactly as many as the flattened
target, so nothing fails.  In the example below the loss is 1.1445 instead of
the correct 1.2354 (measured on torch 2.13).  The model can still lower this
loss somewhat, which hides the bug, but its per-pixel predictions are
meaningless.  The same applies to `(N, C, L)` sequence logits.

There is rarely a reason to flatten: `CrossEntropyLoss` takes `(N, C, H, W)`
logits with `(N, H, W)` targets directly.  When flattening is needed (to
select pixels, or for a loss that wants 2-D input), permute the classes last
first.

Evidence: the loss input is a view (`._base` set, or `ViewBackward0` with
saved sizes such as `(2, 3, 4, 4)`) of a tensor with three or more dims whose
dim 1 equals C and whose last dim does not.  Tensors that are already
channels-last, such as `(N, H, W, C)` from a `Linear` head, flatten
correctly with `reshape(-1, C)` and are not concerned.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
head = nn.Conv2d(1, 3, kernel_size=1)          # 3 classes per pixel
images = torch.randn(2, 1, 4, 4)
masks = torch.randint(0, 3, (2, 4, 4))
logits = head(images)                          # (2, 3, 4, 4)
loss = F.cross_entropy(logits.reshape(-1, 3), masks.reshape(-1))
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
head = nn.Conv2d(1, 3, kernel_size=1)          # 3 classes per pixel
images = torch.randn(2, 1, 4, 4)
masks = torch.randint(0, 3, (2, 4, 4))
logits = head(images)                          # (2, 3, 4, 4)
loss = F.cross_entropy(logits, masks)          # same as permute(0, 2, 3, 1).reshape(-1, 3)
""",
        related=("LD404", "LD401"),
    ),
]
