"""Catalog entries LD1xx: activations (softmax, log_softmax, sigmoid) and the loss."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD101",
        name="softmax-before-cross-entropy",
        title="`CrossEntropyLoss` received probabilities, not logits",
        severity="error",
        kind="silent",
        surfaces="SR",
        message="`cross_entropy` received softmax probabilities; it applies `log_softmax` itself",
        fix="Remove the softmax and pass the raw logits",
        why="""\
`CrossEntropyLoss` (and `F.cross_entropy`) computes `log_softmax` of its input
internally.  Feeding it the output of a `softmax` applies softmax twice: every
input then lies in [0, 1], so the second softmax can never be confident.  For C
classes the loss cannot fall below ln(1 + (C - 1)/e) (1.46 for C = 10, measured
on torch 2.13), the gradients shrink by about a factor of C, and training stalls
near chance.  PyTorch raises no error and no warning.

Keep the softmax for inference only (`probs = logits.softmax(dim=1)` after the
loss), or remove the `nn.Softmax` layer from the model.""",
        bad="""\
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(8, 10, requires_grad=True)
labels = torch.randint(0, 10, (8,))
probs = F.softmax(logits, dim=1)
loss = F.cross_entropy(probs, labels)
""",
        good="""\
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = torch.randn(8, 10, requires_grad=True)
labels = torch.randint(0, 10, (8,))
loss = F.cross_entropy(logits, labels)
probs = F.softmax(logits, dim=1)  # for reporting only
""",
        related=("LD701", "LD108"),
    ),
    Diagnosis(
        code="LD102",
        name="logits-to-nll-loss",
        title="`NLLLoss` received raw logits, not log-probabilities",
        severity="error",
        kind="silent",
        surfaces="SRM",
        message="`nll_loss` received raw logits; it expects log-probabilities from `log_softmax`",
        fix="Apply `log_softmax(dim=1)` before `NLLLoss`, or use `CrossEntropyLoss` on the logits",
        why="""\
`NLLLoss` (and `F.nll_loss`) does no normalisation of its own: for each sample
it takes `-input[i, target[i]]` and averages.  That is a log-likelihood only if
the rows are log-probabilities, i.e. the output of `log_softmax`.  Given raw
logits, the "loss" is just minus the mean logit of the true class.  On random
logits (`randn(8, 10)`, seed 0, torch 2.13) it is -0.48 where the real
cross-entropy is 2.42; with other seeds it is +0.42 or +0.61.  The number means
nothing.

Training makes it worse.  The gradient is -1/N on each true-class logit and
exactly 0 on every other logit, so the optimiser raises the true-class logits
without bound and never lowers the wrong classes.  In the example below the
loss goes from 0.16 to -1.95 in 20 SGD steps and keeps falling; a negative
classification loss (LD702) is the usual visible symptom.  PyTorch raises no
error and no warning.

Not a bug when the input has been through `log_softmax` (`F.log_softmax` or a
final `nn.LogSoftmax(dim=1)` layer): `log_softmax` followed by `NLLLoss` is
exactly `CrossEntropyLoss` on the logits.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 5))
criterion = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(32, 4)
y = torch.randint(0, 5, (32,))
for step in range(20):
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 5))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(32, 4)
y = torch.randint(0, 5, (32,))
for step in range(20):
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        related=("LD103", "LD702", "LD101"),
    ),
    Diagnosis(
        code="LD103",
        name="probabilities-to-nll-loss",
        title="`NLLLoss` received probabilities, not log-probabilities",
        severity="error",
        kind="silent",
        surfaces="SRM",
        message="`nll_loss` received softmax probabilities; it expects their logarithm",
        fix="Use `log_softmax` instead of `softmax` before `NLLLoss`, or pass the logits to `CrossEntropyLoss`",
        why="""\
`NLLLoss` returns `-input[i, target[i]]` averaged over the batch and expects
log-probabilities.  Given softmax probabilities, it returns minus the mean
probability of the true class: always between -1 (every sample right with
certainty) and 0 (every sample confidently wrong), measured on torch 2.13.  On
random logits (`randn(8, 10)`, seed 0) it gives -0.13 where cross-entropy gives
2.42.

The missing log also removes the strong push that cross-entropy gives to
confident mistakes.  For logits [10, 0, 0] with true class 1, the gradient
reaching the logits is 4.5e-5 instead of about 1.0 with `log_softmax`
(measured).  Training barely moves: in the example below the loss goes from
-0.214 to -0.224 in 20 steps, while the fixed program goes from 1.567 to 1.435.
The loss is negative throughout (LD702).  No error, no warning.

A `softmax` used only to report probabilities, after the loss, is fine.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 5))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(32, 4)
y = torch.randint(0, 5, (32,))
for step in range(20):
    probs = F.softmax(model(x), dim=1)
    loss = F.nll_loss(probs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 5))
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(32, 4)
y = torch.randint(0, 5, (32,))
for step in range(20):
    log_probs = F.log_softmax(model(x), dim=1)
    loss = F.nll_loss(log_probs, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        related=("LD102", "LD104", "LD101", "LD702"),
    ),
    Diagnosis(
        code="LD104",
        name="log-of-softmax",
        title="`log(softmax(x))` underflows to `-inf`; use `log_softmax`",
        severity="error",
        kind="silent",
        surfaces="SR",
        message="`log` of a `softmax` output: probabilities that underflow to 0 become `-inf`",
        fix="Replace `torch.log(softmax(x, dim))` with `log_softmax(x, dim)`",
        why="""\
On paper `log(softmax(x))` equals `log_softmax(x)`.  In float32 it does not:
once a logit is more than about 103 below the largest one in its row, its
softmax probability underflows to exactly 0 and the `log` turns it into
`-inf`.  `log_softmax` computes `x - logsumexp(x)` in one step and stays
finite.  Measured on torch 2.13 for the pair [gap, 0]: at gap 103 the two-step
version already gives -103.28 instead of -103.0 (denormal range), at gap 104
it gives `-inf` where `log_softmax` gives -104.0.

When a `-inf` lands on a true class, `nll_loss` returns `inf` and the backward
pass produces NaN: logits [1000, -1000, 0] with target 1 give loss `inf` and a
NaN gradient row, against 1000.2 with `log_softmax`.  That one row makes the
whole weight and bias gradient of the last `Linear` layer NaN, and the next
optimiser step writes NaN into all of its parameters (measured).  With ordinary logits the
two agree (0.9661 for the example below), so the bug stays hidden until the
model becomes confident or its outputs grow.  PyTorch raises nothing.

The same holds for `torch.log(torch.sigmoid(x))` (`-inf` at x = -200, where
`F.logsigmoid` gives -200.0).  If the loss is cross-entropy, skip both steps and
give `CrossEntropyLoss` the logits.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
log_probs = torch.log(F.softmax(model(x), dim=1))
loss = F.nll_loss(log_probs, y)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
log_probs = F.log_softmax(model(x), dim=1)
loss = F.nll_loss(log_probs, y)
""",
        related=("LD103", "LD501", "LD502"),
    ),
    Diagnosis(
        code="LD105",
        name="sigmoid-before-bce-with-logits",
        title="`BCEWithLogitsLoss` received probabilities, not logits",
        severity="error",
        kind="silent",
        surfaces="SR",
        message="`binary_cross_entropy_with_logits` received sigmoid outputs; it applies `sigmoid` itself",
        fix="Remove the `sigmoid` and pass the raw logits",
        why="""\
`BCEWithLogitsLoss` (and `F.binary_cross_entropy_with_logits`) applies
`sigmoid` to its input internally, in a numerically stable form.  Given the
output of a `sigmoid`, it squashes a second time: inputs in (0, 1) become
probabilities in (0.5, 0.731).  Even a perfect model cannot get the loss below
0.3133 (= -log sigmoid(1)) on positives and 0.6931 (= ln 2) on negatives:
logits of +20 and -20 score 0.503 instead of 1e-9 (measured on torch 2.13).

Both sigmoids damp the gradient: at logit 3 with target 0 the gradient is
0.033 instead of 0.953 (measured).  Training slows to a crawl and the loss
plateaus well above zero.  PyTorch raises no error and no warning.

The runtime check is certain when autograd shows `SigmoidBackward0` producing
the input; when the values merely all lie in [0, 1] it reports an inference,
since small logits can fall there by chance.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
probs = torch.sigmoid(model(x))  # for reporting only
""",
        related=("LD101", "LD107", "LD106"),
    ),
    Diagnosis(
        code="LD106",
        name="logits-to-bce",
        title="`BCELoss` received raw logits, not probabilities",
        severity="error",
        kind="loud/silent",
        surfaces="SRE",
        message="`binary_cross_entropy` received raw logits; it expects probabilities in [0, 1]",
        fix="Use `BCEWithLogitsLoss` on the raw outputs",
        why="""\
`BCELoss` (and `F.binary_cross_entropy`) takes probabilities and computes
`-(t * log(p) + (1 - t) * log(1 - p))`.  It checks the range first: any input
outside [0, 1], or NaN, raises `RuntimeError: all elements of input should be
between 0 and 1` (torch 2.13, measured).  The raw output of a final `Linear`
layer is a logit and usually leaves that range on the first batch (the example
below spans -1.21 to 0.72).

The silent case is worse: logits that all happen to land inside [0, 1], such as
small outputs early in training or a final `ReLU` whose outputs stay below 1,
pass the check and are treated as probabilities.  The loss is then wrong
(`torch.rand` inputs gave 1.598 in a measurement) until some later batch
crosses the boundary and raises.

`BCEWithLogitsLoss` takes the logits directly, applies the sigmoid inside in a
stable form, and works for any real value.  Apply `torch.sigmoid` separately
where probabilities are needed for reporting.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCELoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
""",
        raises="RuntimeError",
        related=("LD107", "LD105", "LD303"),
    ),
    Diagnosis(
        code="LD107",
        name="sigmoid-then-bce",
        title="`sigmoid` followed by `BCELoss`; `BCEWithLogitsLoss` is the stable form",
        severity="warning",
        kind="warning",
        surfaces="SRE",
        message="`sigmoid` then `binary_cross_entropy`: saturates for large logits and is unsafe under autocast",
        fix="Drop the `sigmoid` and use `BCEWithLogitsLoss` on the logits",
        why="""\
`BCELoss(sigmoid(x))` gives the right value for moderate logits, but in two
steps, and the probability is rounded to float32 in between.  From a logit of
about 17 up, `sigmoid` returns exactly 1.0 (measured on torch 2.13),
`log(1 - p)` is `-inf`, `BCELoss` clamps it to -100, and the saturated sigmoid
passes back a zero gradient.  A confidently wrong sample (logit 20, target 0)
then costs 100 with gradient 0; `BCEWithLogitsLoss` gives 20 with gradient 1.0.
At the other end, logit -50 with target 1 gets a gradient of -1.9e-10
instead of -1.0.  The mistakes the model is most sure about are the ones it stops learning
from.

Under CUDA autocast `binary_cross_entropy` is refused outright:
`RuntimeError: torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss
are unsafe to autocast`.  CPU autocast with bfloat16 does not raise on 2.13
(measured), so code tested on CPU can break when moved to a GPU with AMP.

`BCEWithLogitsLoss` fuses the two steps with the log-sum-exp trick and has
neither problem.  Keep `torch.sigmoid` for the predictions you report.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
criterion = nn.BCELoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 1)
criterion = nn.BCEWithLogitsLoss()
x = torch.randn(8, 4)
target = torch.randint(0, 2, (8, 1)).float()
loss = criterion(model(x), target)
probs = torch.sigmoid(model(x))  # for reporting only
""",
        related=("LD106", "LD105"),
    ),
    Diagnosis(
        code="LD108",
        name="log-softmax-before-cross-entropy",
        title="`CrossEntropyLoss` received log-probabilities; the extra `log_softmax` is redundant",
        severity="info",
        kind="info",
        surfaces="SR",
        message="`cross_entropy` received `log_softmax` output; it applies `log_softmax` itself (redundant)",
        fix="Drop the `log_softmax`, or keep it and use `NLLLoss`",
        why="""\
`CrossEntropyLoss` applies `log_softmax` to its input.  Applying it to values
that are already log-probabilities changes nothing: each row already has
`logsumexp` 0, so `log_softmax` is idempotent.  Measured on torch 2.13: the loss
is identical (0.9661 both ways in the example below) and the gradients agree to
within 7.5e-9.  Unlike a plain softmax before the loss (LD101), training is not
affected.

It still costs an extra pass (about twice the loss time on a (1000, 1000) CPU
input, measured), and it suggests that `CrossEntropyLoss` needs normalised
inputs, which is how LD101 gets written.  Either drop the `log_softmax` and give
the loss the logits, or keep it and switch to `NLLLoss`, which is exactly the
remaining half of `CrossEntropyLoss`.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
""",
        related=("LD101", "LD102"),
    ),
    Diagnosis(
        code="LD109",
        name="softmax-wrong-dim",
        title="`softmax` normalises over the wrong dimension",
        severity="error",
        kind="silent",
        surfaces="SR",
        message="`softmax` normalises over a dimension that is not the class dimension (or over a guessed one)",
        fix="Pass the class dimension explicitly: `softmax(x, dim=1)`",
        why="""\
`softmax` and `log_softmax` normalise along the dimension they are given.  For
`(N, C)` logits the classes are dim 1.  With `dim=0` each column (one class
across the batch) sums to 1 instead, so a sample's "probabilities" depend on
the other samples in the batch and do not sum to 1 over its classes.  In the
example below the rows sum to 0.26-0.53 and the loss is 2.007 instead of 0.966
(torch 2.13).  With a batch of one every entry becomes 1 (log-probability 0):
the loss is exactly 0 and there is no gradient.

The model still learns something, which is why this survives.  In a 200-step
measurement on separable data, accuracy reached 95% but the loss stuck at 3.65
(with `dim=1`: 100% and 0.12), and predictions at inference time change with the
batch a sample comes in.  PyTorch raises nothing.

Leaving `dim` out is no better: PyTorch warns `Implicit dimension choice for
softmax has been deprecated` and guesses dim 0 for 0-, 1- and 3-D inputs and
dim 1 otherwise.  The guess is right for `(N, C)` but picks the batch for
`(N, C, L)` sequence logits (measured).  Always pass `dim`.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=0))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 3), nn.LogSoftmax(dim=1))
criterion = nn.NLLLoss()
x = torch.randn(8, 4)
y = torch.randint(0, 3, (8,))
loss = criterion(model(x), y)
""",
        related=("LD101", "LD404"),
    ),
    Diagnosis(
        code="LD110",
        name="kl-div-input-not-log-probs",
        title="`kl_div` received probabilities, not log-probabilities",
        severity="error",
        kind="silent",
        surfaces="SR",
        message="`kl_div` input is probabilities; it expects log-probabilities",
        fix="Pass `log_softmax(logits, dim=1)` as the input of `kl_div`",
        why="""\
`F.kl_div(input, target)` (and `nn.KLDivLoss`) computes
`target * (log(target) - input)` element by element: `input` must already be
log-probabilities, while `target` is probabilities (or log-probabilities with
`log_target=True`).  The argument order is the reverse of the maths: it returns
KL(target || exp(input)).

Given probabilities as `input`, the result is not a divergence.  In the
distillation example below it is -1.67 where the true KL is 0.236, and two
identical distributions score -1.72 instead of 0 (torch 2.13, measured).
Minimising it maximises `sum(target * p)`, which pushes the student to put all
its mass on one class instead of matching the teacher: over 5000 SGD steps the
student's top probability rose to 0.999 while the true KL grew from 0.82 to
4.15.  PyTorch raises no error.

Use `reduction="batchmean"` as well: the default "mean" divides by the number
of elements rather than the batch size and emits a UserWarning saying so.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
teacher = nn.Linear(4, 5)
student = nn.Linear(4, 5)
x = torch.randn(8, 4)
with torch.no_grad():
    teacher_probs = F.softmax(teacher(x), dim=1)
student_probs = F.softmax(student(x), dim=1)
loss = F.kl_div(student_probs, teacher_probs, reduction="batchmean")
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
teacher = nn.Linear(4, 5)
student = nn.Linear(4, 5)
x = torch.randn(8, 4)
with torch.no_grad():
    teacher_probs = F.softmax(teacher(x), dim=1)
student_log_probs = F.log_softmax(student(x), dim=1)
loss = F.kl_div(student_log_probs, teacher_probs, reduction="batchmean")
""",
        related=("LD103", "LD104"),
    ),
    Diagnosis(
        code="LD111",
        name="activation-on-logits",
        title="An activation clamps the logits before `CrossEntropyLoss`",
        severity="error",
        kind="silent",
        surfaces="SRM",
        message="`cross_entropy` received logits clamped by a final activation (`ReLU`, `Sigmoid`, `Tanh`)",
        fix="Remove the final activation so the last `Linear` layer's output goes to the loss",
        why="""\
`CrossEntropyLoss` reads its input as logits: unbounded real scores whose
differences set the class probabilities.  A final `ReLU` makes every logit
non-negative and turns zero into a dead end: a unit at zero passes back no
gradient, and a sample whose units are all at zero gets uniform probabilities,
loss ln(C) and zero gradient (measured on torch 2.13: 2.3026 = ln 10, parameter
gradient norm 0).  After the 30 steps of the example below, 31% of the
samples have all-zero logits, accuracy is 41% and the loss 0.83; without the
final `ReLU` the same program reaches 95% and 0.20.

`Sigmoid` and `Tanh` bound the logits instead: with `Sigmoid` the loss cannot
fall below ln(1 + (C - 1)/e) (1.461 for C = 10, the same floor as LD101), with
`Tanh` below ln(1 + (C - 1)/e^2) (0.797 for C = 10), measured.  `Softplus`
keeps logits positive like `ReLU`; its gradient fades towards zero instead of
being cut off.  PyTorch raises nothing; the loss often sits near ln(C) (LD701).

Activations between hidden layers are fine: only the one right before the loss
is the problem.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.ReLU())
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
x = torch.randn(64, 4)
y = (x @ torch.randn(4, 3)).argmax(dim=1)
for step in range(30):
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
x = torch.randn(64, 4)
y = (x @ torch.randn(4, 3)).argmax(dim=1)
for step in range(30):
    loss = criterion(model(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
""",
        related=("LD701", "LD101"),
    ),
]
