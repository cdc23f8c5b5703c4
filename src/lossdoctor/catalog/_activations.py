"""Catalog entries (stub: to be written out in full)."""

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
    Diagnosis(code='LD102', name='logits-to-nll-loss', title='logits-to-nll-loss', severity='error', kind='silent', surfaces='SRM',
              message="TODO", fix="TODO", why='`NLLLoss` only picks `-input[target]`. Raw logits in: loss can be negative and is meaningless (measured: -0.14 on random data). R evidence: input is not log-probabilities (`logsumexp` over class dim far from 0) and not produced by `LogSoftmaxBackward0`.', bad="", good=""),
    Diagnosis(code='LD103', name='probabilities-to-nll-loss', title='probabilities-to-nll-loss', severity='error', kind='silent', surfaces='SRM',
              message="TODO", fix="TODO", why='Softmax probabilities (not their log) into `NLLLoss`: loss in [-1, 0], negative. R evidence: `SoftmaxBackward0`, or rows in [0,1] summing to 1.', bad="", good=""),
    Diagnosis(code='LD104', name='log-of-softmax', title='log-of-softmax', severity='error', kind='silent', surfaces='SR',
              message="TODO", fix="TODO", why='`torch.log(softmax(x))` underflows to `-inf` (measured: `inf` loss for logits ±1000). Use `log_softmax`. R evidence: `LogBackward0` whose input is `SoftmaxBackward0`; or `-inf` entries.', bad="", good=""),
    Diagnosis(code='LD105', name='sigmoid-before-bce-with-logits', title='sigmoid-before-bce-with-logits', severity='error', kind='silent', surfaces='SR',
              message="TODO", fix="TODO", why='`BCEWithLogitsLoss` applies sigmoid itself; a sigmoid before it squashes twice. R evidence: `SigmoidBackward0`, or all inputs in [0,1].', bad="", good=""),
    Diagnosis(code='LD106', name='logits-to-bce', title='logits-to-bce', severity='error', kind='loud/silent', surfaces='SRE',
              message="TODO", fix="TODO", why='`BCELoss` needs probabilities: values outside [0,1] raise `all elements of input should be between 0 and 1`; values that happen to be inside pass silently. Use `BCEWithLogitsLoss` on raw outputs.', bad="", good=""),
    Diagnosis(code='LD107', name='sigmoid-then-bce', title='sigmoid-then-bce', severity='warning', kind='warning', surfaces='SRE',
              message="TODO", fix="TODO", why='`BCELoss(sigmoid(x))` works but is less stable than `BCEWithLogitsLoss(x)`, and under CUDA autocast raises `binary_cross_entropy and BCELoss are unsafe to autocast`.', bad="", good=""),
    Diagnosis(code='LD108', name='log-softmax-before-cross-entropy', title='log-softmax-before-cross-entropy', severity='info', kind='info', surfaces='SR',
              message="TODO", fix="TODO", why='Redundant but harmless: `log_softmax` is idempotent, the loss is identical (measured). Suggest `NLLLoss` or dropping it.', bad="", good=""),
    Diagnosis(code='LD109', name='softmax-wrong-dim', title='softmax-wrong-dim', severity='error', kind='silent', surfaces='SR',
              message="TODO", fix="TODO", why='softmax/log_softmax over the batch dimension (`dim=0` on `(N, C)`), or with no `dim` at all. R evidence: columns, not rows, sum to 1.', bad="", good=""),
    Diagnosis(code='LD110', name='kl-div-input-not-log-probs', title='kl-div-input-not-log-probs', severity='error', kind='silent', surfaces='SR',
              message="TODO", fix="TODO", why='`F.kl_div`/`KLDivLoss` wants log-probabilities as input; probabilities give a negative, wrong divergence (measured: -1.37).', bad="", good=""),
    Diagnosis(code='LD111', name='activation-on-logits', title='activation-on-logits', severity='error', kind='silent', surfaces='SRM',
              message="TODO", fix="TODO", why="a `ReLU` (or another clamping activation: `Sigmoid`, `Tanh`, `Softplus`) as the last layer before `CrossEntropyLoss`: logits can't go negative (or are squashed), dead units give all-zero logits, the loss sits at ln(C) with zero gradient (measured: 2.3026, grad norm 0). R evidence: `ReluBackward0`/`SigmoidBackward0`/`TanhBackward0` producing the input.", bad="", good=""),
]
