"""LD3xx: target values and ranges."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD301",
        name="target-out-of-range",
        title="A class-index target lies outside `[0, C-1]`",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`target` holds a class index outside `[0, C-1]` for an input with C classes",
        fix="Use 0-based class indices (`target - 1`) or give the model C outputs",
        why="""\
`CrossEntropyLoss` and `NLLLoss` use each class-index target to pick one entry
of the class dimension, so every target must be an integer in 0..C-1, or equal
to `ignore_index` (-100 unless set).  On the CPU, torch 2.13 checks this and
raises `IndexError: Target 3 is out of bounds.` (measured with C = 3 and a
target of 3; a target of -1 gives `Target -1 is out of bounds.`).  The same
check covers sequence and pixel inputs `(N, C, d1, ...)`, and label smoothing
does not relax it.

On CUDA the check happens inside the kernel: the process prints
``Assertion `t >= 0 && t < n_classes` failed`` and raises `CUDA error:
device-side assert triggered`, often at a later, unrelated line because
kernels run asynchronously.  After a device-side assert the CUDA context is
broken: every later CUDA call in the process fails too, and only a restart
recovers.  lossdoctor therefore checks target ranges before the loss kernel
runs, while the error can still be reported cleanly.

Typical causes, and what the numbers say:
- labels numbered from 1 (smallest label 1, largest exactly C): subtract 1;
- a model with too few output units (largest label >= the number of logits),
  e.g. `nn.Linear(128, 9)` for ten classes, or a class added to the data after
  the model was built;
- `-1` (or 255 for unlabelled pixels) used as padding: pass it as
  `ignore_index=-1` (or 255) rather than remapping it;
- labels from another label space, e.g. ImageNet ids 0..999 fed to a 10-class
  head.

Class-probability targets (float `(N, C)` tensors) have no index range and
are not concerned.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)                # three classes
features = torch.randn(4, 4)
labels = torch.tensor([1, 2, 3, 1])    # numbered 1..3 instead of 0..2
criterion = nn.CrossEntropyLoss()
loss = criterion(model(features), labels)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)                    # three classes
features = torch.randn(4, 4)
labels = torch.tensor([1, 2, 3, 1]) - 1    # shift 1..3 to 0..2
criterion = nn.CrossEntropyLoss()
loss = criterion(model(features), labels)
""",
        raises="IndexError",
        related=("LD302", "LD203", "LD406"),
    ),
    Diagnosis(
        code="LD302",
        name="all-targets-ignored",
        title="Every target equals `ignore_index`, so the mean loss is `nan`",
        severity="error",
        kind="silent",
        surfaces="RM",
        message="every target equals `ignore_index`; with `reduction='mean'` the loss is `nan`",
        fix="Skip batches without a labelled target, or sum the loss and divide by max(1, number of labelled targets)",
        why="""\
With `reduction='mean'`, `CrossEntropyLoss` and `NLLLoss` divide the summed
per-target losses by the number (or total class weight) of targets that are
not `ignore_index`.  When every target is ignored, that is 0 / 0, and torch
2.13 returns `nan` without an error or a warning.  Measured: plain
`cross_entropy`, `nll_loss`, `label_smoothing=0.1`, a class `weight`, pixel
targets `(N, H, W)` all equal to `ignore_index=255`, and an empty `(0, C)`
batch all give `nan`.  Class weights that are zero for every class present in
the batch give `nan` the same way.

The gradient of such a batch is zero, not `nan` (measured), so one batch does
not corrupt the weights by itself; but the `nan` ends up in the logged loss,
turns the epoch average into `nan`, and misleads anything that watches the
loss (early stopping, `ReduceLROnPlateau`, best-checkpoint selection, a
`isnan` guard that aborts the run).

Typical causes:
- a batch made only of padding, e.g. token classification or language-model
  fine-tuning where the prompt is masked with -100 and truncation cut off the
  whole answer;
- segmentation crops that contain only "void" pixels (255);
- a label mask built the wrong way round, so everything is set to
  `ignore_index`;
- a filtering step that leaves an empty batch.

`reduction='sum'` (gives 0) and `reduction='none'` do not divide and are not
affected; a few ignored targets among labelled ones are fine.""",
        bad="""\
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(2, 5, 4, requires_grad=True)    # (batch, classes, tokens)
labels = torch.full((2, 4), -100)                     # every token is padding
loss = F.cross_entropy(logits, labels)                # nan
""",
        good="""\
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(2, 5, 4, requires_grad=True)    # (batch, classes, tokens)
labels = torch.full((2, 4), -100)                     # every token is padding
loss_sum = F.cross_entropy(logits, labels, reduction="sum")
n_labelled = (labels != -100).sum().clamp(min=1)
loss = loss_sum / n_labelled                          # 0 when nothing is labelled
""",
        related=("LD502", "LD301"),
    ),
    Diagnosis(
        code="LD303",
        name="bce-target-out-of-range",
        title="Binary cross-entropy targets lie outside `[0, 1]`",
        severity="error",
        kind="loud/silent",
        surfaces="RE",
        message="BCE `target` has values outside `[0, 1]`",
        fix="Map the targets into `[0, 1]` (e.g. `mask / 255` for a 0/255 mask)",
        why="""\
Binary cross-entropy, -[y log p + (1 - y) log(1 - p)], is a likelihood only
for targets y in [0, 1].  Outside that range it is unbounded below: for
y > 1 the loss keeps falling as the logit grows (and for y < 0 as it
shrinks), so the model is rewarded for ever larger outputs instead of for
matching the target, and the value means nothing; it can even be negative.

- `BCELoss` / `F.binary_cross_entropy` check the target on torch 2.13 and
  raise `RuntimeError: all elements of target should be between 0 and 1`
  (measured for targets 2, -1 and 255).  On CUDA the check is a device-side
  assert.
- `BCEWithLogitsLoss` / `F.binary_cross_entropy_with_logits` do not check at
  all: a 0/255 mask gave -64.56 against random logits and 64.43 in the
  example below, and -1 targets are accepted too (measured).  Nothing
  warns.

Typical causes:
- binary masks stored as 8-bit images (0 and 255) and loaded without scaling;
- multi-class labels 0..K-1 fed to a binary loss;
- -1 used for "unknown" (use a per-element `weight` of 0 instead);
- the input normalisation (`Normalize(mean, std)`) applied to the mask too.

Soft targets inside [0, 1] (label smoothing, distillation) are legitimate and
not concerned.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
head = nn.Conv2d(3, 1, kernel_size=1)
images = torch.randn(2, 3, 8, 8)
mask = (torch.rand(2, 1, 8, 8) > 0.5).float() * 255    # 0/255 as stored in a PNG
criterion = nn.BCEWithLogitsLoss()
loss = criterion(head(images), mask)                    # runs, meaningless
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
head = nn.Conv2d(3, 1, kernel_size=1)
images = torch.randn(2, 3, 8, 8)
mask = (torch.rand(2, 1, 8, 8) > 0.5).float() * 255    # 0/255 as stored in a PNG
criterion = nn.BCEWithLogitsLoss()
loss = criterion(head(images), mask / 255)              # targets in {0, 1}
""",
        raises="RuntimeError",
        torch_versions=(
            "`BCELoss` checks its target only in releases after 2.0 (the check was added in 2023; "
            "2.2 and 2.13 raise, 2.0 and 1.x return a meaningless value silently); "
            "`BCEWithLogitsLoss` does not check, up to at least 2.13"
        ),
        related=("LD702", "LD208", "LD106"),
    ),
]
