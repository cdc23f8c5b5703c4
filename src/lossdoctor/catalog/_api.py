"""LD6xx: API misuse around the loss."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(
        code="LD601",
        name="loss-class-called-with-tensors",
        title="Loss class called with tensors: `nn.CrossEntropyLoss(output, target)`",
        severity="error",
        kind="loud",
        surfaces="SE",
        message="`nn.CrossEntropyLoss(...)` was given the tensors as constructor arguments",
        fix="Create the loss first (`criterion = nn.CrossEntropyLoss()`), then call it: `criterion(output, target)`",
        why="""\
`nn.CrossEntropyLoss` is a class.  Its constructor takes options, not data:
positionally `weight`, `size_average`, `ignore_index`, `reduce`, ...
`nn.CrossEntropyLoss(output, target)` therefore passes the logits as
`weight` and the labels as the deprecated `size_average` flag.  The
constructor tests that flag with `if size_average and reduce:`
(`torch/nn/_reduction.py`), and the truth value of a tensor with several
elements is undefined, so torch 2.13 raises `RuntimeError: Boolean value of
Tensor with more than one value is ambiguous` (measured; the same for
`NLLLoss`, `BCELoss`, `BCEWithLogitsLoss` and `MSELoss`).  The traceback ends
inside `legacy_get_string`, far from anything that looks like a boolean.

With a batch of one, the label tensor has one element and the constructor
succeeds: `loss` is then a loss *module* (with a deprecation warning about
`size_average`), and the next line fails with `AttributeError:
'CrossEntropyLoss' object has no attribute 'backward'` (measured).

Either build the module once and call it, or use the functional form
`F.cross_entropy(output, target)`.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
loss = nn.CrossEntropyLoss(model(features), labels)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
criterion = nn.CrossEntropyLoss()
loss = criterion(model(features), labels)
""",
        raises="RuntimeError",
        related=("LD608", "LD603"),
    ),
    Diagnosis(
        code="LD602",
        name="mse-for-classification",
        title="`MSELoss` between softmax probabilities and one-hot targets used for classification",
        severity="warning",
        kind="warning",
        surfaces="SR",
        message="`mse_loss` on softmax probabilities against one-hot targets; classification wants `cross_entropy` on logits",
        fix="Use `F.cross_entropy(logits, class_indices)` instead of MSE on probabilities",
        why="""\
Mean squared error between `softmax(logits)` and a one-hot vector runs and
decreases, but it trains a classifier badly.  Its gradient passes through
the softmax and vanishes exactly when the model is confidently wrong.
Measured on torch 2.13 for logits `[10, 0, 0]` with true class 1: the
gradient norm with respect to the logits is 1.414 for cross-entropy and
0.00011 for MSE on probabilities, over ten thousand times smaller.  MSE is
also bounded (0.667 there, against a cross-entropy of 10.0), so confident
mistakes cost little.

On a toy set of 10 well-separated classes with the same network and SGD at
lr 0.1, cross-entropy reached 100% training accuracy within 25 steps; MSE on
softmax outputs was at 69.5% after 200 steps (measured).  Cross-entropy is
the negative log-likelihood of the labels, so it also yields probabilities
that mean something; MSE does not.

MSE stays the right choice for regression targets.  Squared error on raw
logits against one-hot targets is sometimes chosen deliberately in research;
this diagnosis is about the probabilities-against-one-hot form.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
probs = F.softmax(model(features), dim=1)
loss = F.mse_loss(probs, F.one_hot(labels, num_classes=3).float())
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
loss = F.cross_entropy(model(features), labels)
""",
        related=("LD101", "LD206", "LD607"),
    ),
    Diagnosis(
        code="LD603",
        name="backward-on-unreduced-loss",
        title="`backward()` called on an unreduced loss (`reduction='none'`)",
        severity="error",
        kind="loud",
        surfaces="SE",
        message="`backward()` on a loss computed with `reduction='none'`, which is a tensor of per-sample losses",
        fix="Reduce the per-sample losses before `backward()`: `loss.mean().backward()` (after weighting or masking them)",
        why="""\
With `reduction='none'`, a loss returns one value per sample (shape `(N,)`,
or `(N, d1, ...)` for sequences and images).  `backward()` without an
explicit gradient needs a single number, so torch 2.13 raises
`RuntimeError: grad can be implicitly created only for scalar outputs`
(measured for `cross_entropy` and `binary_cross_entropy_with_logits`).  With
a batch of one, the `(1,)` loss has a single element and `backward()` works
(measured), so code tested on one sample breaks on the first real batch.

`reduction='none'` is chosen to weight, mask or select samples (hard-example
mining, focal loss, per-token masks); finish that step with an explicit
reduction.  `.mean()` matches the default `reduction='mean'`; `.sum()` (and
`loss.backward(torch.ones_like(loss))`, which is the same) scales the
gradients by the batch size, which changes the effective learning rate.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
criterion = nn.CrossEntropyLoss(reduction="none")
loss = criterion(model(features), labels)    # shape (8,)
loss.backward()
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
criterion = nn.CrossEntropyLoss(reduction="none")
loss = criterion(model(features), labels)    # shape (8,)
loss.mean().backward()
""",
        raises="RuntimeError",
        related=("LD604", "LD601"),
    ),
    Diagnosis(
        code="LD604",
        name="loss-tensor-accumulated",
        title="Loss tensors summed across steps keep every step's autograd graph alive",
        severity="warning",
        kind="warning",
        surfaces="S",
        message="`total += loss` accumulates a tensor that carries its autograd graph; use `loss.item()`",
        fix="Accumulate a Python number: `total += loss.item()` (or `loss.detach()`)",
        why="""\
A loss tensor carries its `grad_fn`.  `total += loss` makes `total` a tensor
whose graph (`AddBackward0`) links to every step's graph, so nothing that
graph references can be freed while `total` lives.  Measured on torch 2.13
CPU, over 100 batches through a 256-2048-10 network with batch 64:
- an evaluation loop (no `backward()`, no `torch.no_grad()`) that sums loss
  tensors grew by 77 MiB, about 0.8 MiB per batch of saved activations;
  summing `loss.item()` instead grew by nothing;
- in a training loop `backward()` frees the saved activations, so the growth
  was smaller (3.7 MiB of graph nodes over 100 steps) but still unbounded,
  and `total` ends up as a tensor with `grad_fn=<AddBackward0>`.

On a GPU this shows up as memory creeping up over an epoch and a CUDA
out-of-memory error late in training.  `loss.item()` returns a Python float
(it waits for the GPU, which is fine for logging); `loss.detach()` keeps a
tensor without the graph.

It does not apply when the sum is meant to be backpropagated: several loss
terms of one step, or gradient accumulation that calls `total.backward()`
once after the loop.""",
        bad="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
features = torch.randn(32, 4)
labels = torch.randint(0, 3, (32,))
running_loss = 0.0
for step in range(10):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)
    loss.backward()
    optimizer.step()
    running_loss += loss             # keeps each step's graph alive
print(running_loss / 10)
""",
        good="""\
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Linear(4, 3)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
features = torch.randn(32, 4)
labels = torch.randint(0, 3, (32,))
running_loss = 0.0
for step in range(10):
    optimizer.zero_grad()
    loss = criterion(model(features), labels)
    loss.backward()
    optimizer.step()
    running_loss += loss.item()      # a plain float
print(running_loss / 10)
""",
        related=("LD603",),
    ),
    Diagnosis(
        code="LD605",
        name="model-output-not-tensor",
        title="The loss received a tuple or model-output object instead of the logits tensor",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`input` is a `tuple`, not a tensor; pass the logits (`outputs[0]` or `outputs.logits`)",
        fix="Pass the logits tensor: unpack `logits, aux = model(x)`, or use `outputs.logits` / `outputs[0]`",
        why="""\
Losses take tensors.  Many models return more than one thing: `(logits,
features)`, an `nn.LSTM`'s `(output, (h, c))`, torchvision's Inception v3
and GoogLeNet in training mode (`InceptionOutputs(logits, aux_logits)`), or
a Hugging Face `ModelOutput` (a dict subclass with `.loss` and `.logits`).
Passing that container to the loss fails, and how depends on the loss
(measured on torch 2.13):
- `cross_entropy`: `TypeError: cross_entropy_loss(): argument 'input'
  (position 1) must be Tensor, not tuple`; the last word names the container
  (`list`, `dict`, `collections.OrderedDict`, `InceptionOutputs` for a
  namedtuple of that name);
- `nll_loss`: the same with `nll_loss_nd()`;
- `binary_cross_entropy_with_logits`, `mse_loss`: `AttributeError: 'tuple'
  object has no attribute 'size'`, because they compare sizes in Python
  first.

A container in the target position gives `argument 'target' (position 2)
must be Tensor`.  For Inception-style auxiliary heads the usual training
loss is `ce(out.logits, y) + 0.4 * ce(out.aux_logits, y)`.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        features = torch.relu(self.body(x))
        return self.head(features), features    # logits and embeddings


torch.manual_seed(0)
model = Net()
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
outputs = model(features)
loss = F.cross_entropy(outputs, labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 8)
        self.head = nn.Linear(8, 3)

    def forward(self, x):
        features = torch.relu(self.body(x))
        return self.head(features), features    # logits and embeddings


torch.manual_seed(0)
model = Net()
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
logits, _ = model(features)
loss = F.cross_entropy(logits, labels)
""",
        raises="TypeError",
        related=("LD608", "LD607"),
    ),
    Diagnosis(
        code="LD606",
        name="device-mismatch",
        title="Loss input, target or `weight` are on different devices",
        severity="error",
        kind="loud",
        surfaces="RE",
        message="`input`, `target` and `weight` are not all on the same device",
        fix="Move the targets (and class weights) to the logits' device: `target.to(logits.device)`",
        why="""\
PyTorch never moves tensors between devices implicitly, so the logits, the
targets and a class `weight` must all live on one device.  The 2.13 library
formats the error as `RuntimeError: Expected all tensors to be on the same
device, but got target is on cpu, different from other tensors on cuda:0
(when checking argument in method wrapper_CUDA_nll_loss_forward)`;
elementwise kernels (binary cross-entropy, MSE) and older releases say
`Expected all tensors to be on the same device, but found at least two
devices, cuda:0 and cpu!`.  With the `meta` device, which the examples use
so that they run without a GPU, 2.13 raises `RuntimeError: Tensor on device
meta is not on the expected device cpu!` (measured for meta logits and CPU
labels).

Typical causes:
- the training loop moves the inputs (`x.to(device)`) but not the labels;
- class weights created on the CPU and passed to `F.cross_entropy(...,
  weight=w)`; a loss *module* keeps `weight` as a buffer, which
  `criterion.to(device)` moves;
- a model split over several GPUs (`device_map="auto"`), whose logits end
  up on the last GPU while the labels stay on the first.""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

# "meta" stands in for a GPU on machines without one
device = torch.device("cuda" if torch.cuda.is_available() else "meta")
torch.manual_seed(0)
model = nn.Linear(4, 3).to(device)
features = torch.randn(8, 4).to(device)
labels = torch.randint(0, 3, (8,))            # left on the CPU
loss = F.cross_entropy(model(features), labels)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

# "meta" stands in for a GPU on machines without one
device = torch.device("cuda" if torch.cuda.is_available() else "meta")
torch.manual_seed(0)
model = nn.Linear(4, 3).to(device)
features = torch.randn(8, 4).to(device)
labels = torch.randint(0, 3, (8,)).to(device)
loss = F.cross_entropy(model(features), labels)
""",
        raises="RuntimeError",
        torch_versions=(
            "wording: torch 2.13 `... but got target is on cpu, different from other tensors on "
            "cuda:0 (when checking argument in method ...)`; older releases `... but found at least "
            "two devices, cuda:0 and cpu! (when checking argument for argument target in method ...)`"
        ),
        related=("LD406",),
    ),
    Diagnosis(
        code="LD607",
        name="prediction-not-differentiable",
        title="The loss input is `argmax` (or another non-differentiable step) of the model output",
        severity="error",
        kind="loud",
        surfaces="SE",
        message="the loss input comes from `argmax`, so no gradient can reach the model",
        fix="Compute the loss on the logits (`F.cross_entropy(logits, target)`) and keep `argmax` for metrics",
        why="""\
`argmax`, `max(...).indices`, `.long()` and comparisons produce integer or
boolean tensors with no `grad_fn`; a loss computed from them (after a
`.float()`) does not require grad, and `backward()` raises
`RuntimeError: element 0 of tensors does not require grad and does not have
a grad_fn` (measured on torch 2.13 for all three).

`torch.round` is worse because it is silent: it keeps a `grad_fn`
(`RoundBackward0`) but its derivative is zero everywhere, so `backward()`
runs and every weight gradient is exactly 0 (measured).  `sign` and `floor`
behave the same way, while thresholding with `torch.where(p > 0.5, 1.0, 0.0)`
drops the graph entirely, like `argmax`.

This usually comes from wanting to optimise accuracy directly, or from
treating class ids as numbers to regress.  Train on the logits with
cross-entropy; if a discrete choice really has to be inside the model, use a
relaxation (`F.gumbel_softmax(..., hard=True)`, a straight-through
estimator, or the expectation under the softmax).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
predicted = model(features).argmax(dim=1)
loss = F.mse_loss(predicted.float(), labels.float())
loss.backward()
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
logits = model(features)
loss = F.cross_entropy(logits, labels)
loss.backward()
accuracy = (logits.argmax(dim=1) == labels).float().mean()    # metric only
""",
        raises="RuntimeError",
        related=("LD602", "LD608"),
    ),
    Diagnosis(
        code="LD608",
        name="loss-arguments-swapped",
        title="Loss arguments swapped: the targets passed as `input` and the logits as `target`",
        severity="error",
        kind="loud/silent",
        surfaces="SRE",
        message="the first argument looks like targets and the second like predictions; the order is `(input, target)`",
        fix="Pass the model output first and the targets second: `loss_fn(logits, target)`",
        why="""\
Every PyTorch loss takes `(input, target)`: prediction first.  Metric
libraries often use the opposite order (`y_true, y_pred`), which is where
the swap comes from.  Measured on torch 2.13:
- `F.cross_entropy(labels, logits)` with long `(N,)` labels and float
  `(N, C)` logits: `NotImplementedError: "log_softmax_lastdim_kernel_impl"
  not implemented for 'Long'`: the loss starts by taking `log_softmax` of
  the labels.  The message mentions neither the order nor the labels;
- `F.nll_loss(labels, logits)`, and `cross_entropy` with float labels:
  `RuntimeError: 0D or 1D target tensor expected, multi-target not
  supported`, because the 2-D logits are now the target;
- binary cross-entropy with float 0/1 labels and outputs of the same shape:
  silent.  `binary_cross_entropy_with_logits(labels, logits)` returns a
  finite value and sends gradient into the model through the target
  argument, so it trains on a meaningless objective;
  in one measured case `binary_cross_entropy(labels, probs)` returned 50.1
  with NaN gradients.

Mean squared and absolute error are symmetric, so swapping their arguments
is harmless (same value and gradient, measured).""",
        bad="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
logits = model(features)
loss = F.cross_entropy(labels, logits)
""",
        good="""\
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Linear(4, 3)
features = torch.randn(8, 4)
labels = torch.randint(0, 3, (8,))
logits = model(features)
loss = F.cross_entropy(logits, labels)
""",
        raises="NotImplementedError",
        related=("LD207", "LD201", "LD605"),
    ),
]
