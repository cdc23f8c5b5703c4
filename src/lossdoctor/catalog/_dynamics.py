"""LD7xx: training dynamics, seen by the monitor."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD701",
        name="loss-stuck-at-chance",
        title="The loss stays at chance level, ln(C), for many steps",
        severity="error",
        kind="silent",
        surfaces="M",
        message="the loss has stayed near ln(C), the chance level for C classes, for many steps",
        fix="Look for a softmax before `CrossEntropyLoss`, a dead or clamping last layer, or a learning-rate problem",
        why="""\
ln(C) is the cross-entropy of a uniform guess: 0.693 for two classes, 2.303
for ten, 4.605 for a hundred.  A freshly initialised network starts close to
it.  If the loss is still there after many steps, the model outputs
(nearly) the same distribution for every input and has learned nothing
about the inputs.

Measured on torch 2.13 with the example below (100 well-separated classes,
400 samples, SGD at lr 0.1): with an `nn.Softmax(dim=1)` before
`CrossEntropyLoss` (LD101) the loss moved from 4.6054 to 4.6020 in 200
steps, never more than 0.004 from ln(100), and training accuracy was 5%.
The same network without the softmax went from 4.92 to 0.17, at 99.75%
accuracy.  In another run (ten classes), a `ReLU` as the last layer (LD111)
with lr 3.0 had killed every output unit after nine steps: all logits 0, the
loss exactly 2.3026, and the gradient exactly zero from then on.

Common causes:
- softmax before `CrossEntropyLoss` (LD101), or a clamping activation on
  the logits (LD111);
- a learning rate far too small, or parameters that never get updated;
- labels shuffled independently of the inputs, or inputs that are constant
  after preprocessing (all zeros, one image repeated).

With imbalanced classes, a model that only learned the class frequencies
sits at the entropy of the label distribution, which is below ln(C).  The
first steps of a run are naturally near ln(C) and not concerned.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(100, 16) * 3                  # 100 well-separated classes
labels = torch.randint(0, 100, (400,))
features = centers[labels] + torch.randn(400, 16)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 100), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(200):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)       # stays at ln(100) = 4.605
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(100, 16) * 3                  # 100 well-separated classes
labels = torch.randint(0, 100, (400,))
features = centers[labels] + torch.randn(400, 16)
model = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 100))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(200):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)
    loss.backward()
    optimizer.step()
""",
        related=("LD101", "LD111", "LD703"),
    ),
    Diagnosis(
        code="LD702",
        name="negative-classification-loss",
        title="A cross-entropy or NLL loss went below zero",
        severity="error",
        kind="silent",
        surfaces="M",
        message="the classification loss is negative, which it cannot be with valid inputs and targets",
        fix="Give `NLLLoss` log-probabilities (`log_softmax`), or use `CrossEntropyLoss` on the raw logits",
        why="""\
With class-index targets, cross-entropy is -log p(target) and p <= 1, so the
loss is never below 0.  With probability targets that form a valid
distribution it is never below their entropy, which is also >= 0.  A
negative value means the loss is fed something it was not designed for:
- `NLLLoss` on raw logits (LD102): it returns `-logit[target]`, which the
  model can push down without limit by inflating the target logit.
  Measured on torch 2.13 with the example below: 0.0047 at step 0, -0.50 at
  step 1, -2169 at step 30, -2.0e12 at step 99, with 17% training accuracy;
- `NLLLoss` on probabilities instead of log-probabilities (LD103): the loss
  lies in [-1, 0];
- probability targets with negative entries or rows that do not sum to 1
  (LD205);
- `BCEWithLogitsLoss` with targets above 1 (LD303): a 0/255 mask gave -64.6.

The fix for the first two is `CrossEntropyLoss` on logits, or
`log_softmax` followed by `NLLLoss`.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
criterion = nn.NLLLoss()                            # expects log-probabilities
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(100):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)       # raw logits: goes negative
    loss.backward()
    optimizer.step()
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
criterion = nn.CrossEntropyLoss()                   # log_softmax + NLLLoss in one
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(100):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)
    loss.backward()
    optimizer.step()
""",
        related=("LD102", "LD103", "LD205", "LD303"),
    ),
    Diagnosis(
        code="LD703",
        name="loss-not-decreasing",
        title="The loss has not improved for many steps",
        severity="warning",
        kind="warning",
        surfaces="M",
        message="the loss has not improved over the last steps",
        fix="Check that the optimizer still updates the model (learning rate, scheduler, parameters), then the causes lossdoctor reported earlier",
        why="""\
A loss that stays flat while it is still far from its floor means the
parameters no longer change, or change in a way that does not help.
Measured on torch 2.13 with the example below: an `ExponentialLR(gamma=0.5)`
meant to run once per epoch is stepped after every batch, so the learning
rate is 0.1 * 0.5**50, about 1e-16, after the first 50 batches.  The loss
falls from 2.42 to 1.835 in 13 steps and then stays at 1.8350 for the
remaining 187 steps, with 38.5% training accuracy.  Stepping the scheduler
once per epoch, the same run reaches 0.056 and 100%.

Common causes:
- the learning rate is 0 or tiny (a scheduler stepped too often, a decay
  factor applied to the wrong unit), or so large that the loss bounces on a
  plateau;
- the optimizer does not update the model being trained: it was built from
  the parameters of another instance (the model was re-created afterwards),
  `optimizer.step()` is missing, or the parameters are frozen;
- no gradient reaches the model (LD607), or the model cannot move away from
  chance (LD701, LD101, LD111);
- a loss already at its floor: then training has converged, which is fine.

Plateaus are normal for a while (warm-up, just before a learning-rate drop),
so this is a warning, reported with the likeliest causes lossdoctor has
already seen in the run.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
for epoch in range(4):
    for batch in range(50):
        optimizer.zero_grad()
        loss = criterion(model(features), labels)
        loss.backward()
        optimizer.step()
        scheduler.step()        # meant once per epoch: lr is ~1e-16 after 50 batches
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
centers = torch.randn(10, 8) * 3
labels = torch.randint(0, 10, (200,))
features = centers[labels] + torch.randn(200, 8)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 10))
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.5)
for epoch in range(4):
    for batch in range(50):
        optimizer.zero_grad()
        loss = criterion(model(features), labels)
        loss.backward()
        optimizer.step()
    scheduler.step()            # once per epoch
""",
        related=("LD701", "LD101", "LD111", "LD607"),
    ),
]
