"""What the linter knows about PyTorch's API, by fully qualified name.

Every callee is resolved to a qualified name (``F.softmax`` ->
``torch.nn.functional.softmax``) before it is looked up here, so import
aliases never matter and an unrelated ``softmax`` of another library does
not match.
"""

from __future__ import annotations

_NN = ("torch.nn.", "torch.nn.modules.loss.", "torch.nn.modules.activation.", "torch.nn.modules.linear.")
_F = ("torch.nn.functional.",)

# Loss family of each loss class and functional loss.
_LOSS_CLASSES = {
    "CrossEntropyLoss": "ce",
    "NLLLoss": "nll",
    "NLLLoss2d": "nll",
    "BCELoss": "bce",
    "BCEWithLogitsLoss": "bcel",
    "KLDivLoss": "kl",
    "MSELoss": "mse",
    "L1Loss": "regression",
    "SmoothL1Loss": "regression",
    "HuberLoss": "regression",
}
_LOSS_FUNCTIONS = {
    "cross_entropy": "ce",
    "nll_loss": "nll",
    "binary_cross_entropy": "bce",
    "binary_cross_entropy_with_logits": "bcel",
    "kl_div": "kl",
    "mse_loss": "mse",
    "l1_loss": "regression",
    "smooth_l1_loss": "regression",
    "huber_loss": "regression",
}

LOSS_CLASSES: dict[str, str] = {p + n: fam for p in _NN for n, fam in _LOSS_CLASSES.items()}
LOSS_FUNCTIONS: dict[str, str] = {p + n: fam for p in _F for n, fam in _LOSS_FUNCTIONS.items()}
LOSS_FUNCTIONS.update({"torch.binary_cross_entropy_with_logits": "bcel", "torch.kl_div": "kl"})

# Positional names of the constructor arguments of each loss class, to tell
# `nn.CrossEntropyLoss(weight)` (fine) from `nn.CrossEntropyLoss(out, y)`.
LOSS_CLASS_SIGNATURES = {
    "CrossEntropyLoss": ("weight", "size_average", "ignore_index", "reduce", "reduction", "label_smoothing"),
    "NLLLoss": ("weight", "size_average", "ignore_index", "reduce", "reduction"),
    "BCELoss": ("weight", "size_average", "reduce", "reduction"),
    "BCEWithLogitsLoss": ("weight", "size_average", "reduce", "reduction", "pos_weight"),
    "KLDivLoss": ("size_average", "reduce", "reduction", "log_target"),
    "MSELoss": ("size_average", "reduce", "reduction"),
    "L1Loss": ("size_average", "reduce", "reduction"),
    "SmoothL1Loss": ("size_average", "reduce", "reduction", "beta"),
    "HuberLoss": ("reduction", "delta"),
}

SOFTMAX = {"torch.softmax", "torch.nn.functional.softmax", "torch.special.softmax", "torch.Tensor.softmax"}
LOG_SOFTMAX = {"torch.log_softmax", "torch.nn.functional.log_softmax", "torch.special.log_softmax"}
# softmax functions whose `dim` may be omitted (PyTorch then guesses it).
SOFTMAX_OPTIONAL_DIM = {"torch.nn.functional.softmax", "torch.nn.functional.log_softmax"}
SIGMOID = {"torch.sigmoid", "torch.nn.functional.sigmoid", "torch.special.expit"}
# Activations that clamp or squash logits (LD111), by the op name shown to users.
CLAMPING = {
    "torch.relu": "relu", "torch.nn.functional.relu": "relu", "torch.nn.functional.relu6": "relu6",
    "torch.tanh": "tanh", "torch.nn.functional.tanh": "tanh",
    "torch.nn.functional.softplus": "softplus",
    "torch.sigmoid": "sigmoid", "torch.nn.functional.sigmoid": "sigmoid", "torch.special.expit": "sigmoid",
}
CLAMPING_METHODS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid"}
LOG = {"torch.log", "torch.Tensor.log"}
ONE_HOT = {"torch.nn.functional.one_hot"}
EYE = {"torch.eye"}
ARGMAX = {"torch.argmax", "torch.round", "torch.argmin"}
MAX = {"torch.max", "torch.min"}
SQUEEZE = {"torch.squeeze"}
UNSQUEEZE = {"torch.unsqueeze"}
AUTOCAST = {"torch.autocast", "torch.cuda.amp.autocast", "torch.cpu.amp.autocast", "torch.amp.autocast"}
NO_GRAD = {"torch.no_grad", "torch.inference_mode"}
HALF_DTYPES = {"torch.float16", "torch.half"}
FLOAT_DTYPES = {"torch.float32", "torch.float", "torch.float64", "torch.double", "torch.bfloat16"}
INT_DTYPES = {"torch.long", "torch.int64", "torch.int", "torch.int32", "torch.int16", "torch.uint8"}

# Module constructors whose output kind is known: name -> (tags, op name).
_MODULE_OUTPUTS = {
    "Softmax": (("probs",), "nn.Softmax"),
    "LogSoftmax": (("logprobs",), "nn.LogSoftmax"),
    "Sigmoid": (("sigmoid", "clamped"), "nn.Sigmoid"),
    "ReLU": (("clamped",), "nn.ReLU"),
    "ReLU6": (("clamped",), "nn.ReLU6"),
    "Tanh": (("clamped",), "nn.Tanh"),
    "Softplus": (("clamped",), "nn.Softplus"),
    "Linear": (("logits",), "nn.Linear"),
    "LazyLinear": (("logits",), "nn.LazyLinear"),
    "Bilinear": (("logits",), "nn.Bilinear"),
}
MODULE_OUTPUTS = {p + n: v for p in _NN for n, v in _MODULE_OUTPUTS.items()}
SEQUENTIAL = {p + "Sequential" for p in _NN} | {"torch.nn.modules.container.Sequential"}
MODULE_BASES = {p + "Module" for p in _NN} | {
    "torch.nn.modules.module.Module",
    "lightning.LightningModule", "lightning.pytorch.LightningModule", "pytorch_lightning.LightningModule",
}

# Tensor methods that return a tensor of the same kind (probabilities stay
# probabilities), possibly with another dtype or device.
PASSTHROUGH_METHODS = {
    "to", "cuda", "cpu", "contiguous", "clone", "float", "double", "bfloat16", "type",
    "requires_grad_", "clamp", "clamp_", "clamp_min", "clip",
}
# Methods that keep the semantic kind but not the shape facts.
RESHAPE_METHODS = {"view", "reshape", "flatten"}

# Layers that add one trailing dim to their (index) input.
EMBEDDING = {p + "Embedding" for p in _NN} | {"torch.nn.modules.sparse.Embedding"}

# Tensor factories whose rank can be read off a literal size.
FACTORIES = {"torch.randn", "torch.rand", "torch.zeros", "torch.ones", "torch.empty", "torch.randint", "torch.full"}

# Layers whose output has the rank of their input (a softmax after them keeps
# the input's batch dim where it was).
RANK_KEEPING = {p + n for p in _NN for n in (
    "Dropout", "LayerNorm", "BatchNorm1d", "Identity", "GELU", "LeakyReLU", "ELU", "SiLU", "Mish", "PReLU",
    "Hardtanh", "Hardswish", "GroupNorm", "RMSNorm",
)} | set(MODULE_OUTPUTS)
