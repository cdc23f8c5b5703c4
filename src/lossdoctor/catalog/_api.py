"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD601', name='loss-class-called-with-tensors', title='loss-class-called-with-tensors', severity='error', kind='loud', surfaces='SE',
              message="TODO", fix="TODO", why='`nn.CrossEntropyLoss(output, target)` builds a module with tensors as constructor args: `Boolean value of Tensor with more than one value is ambiguous`. Instantiate first, then call.', bad="", good=""),
    Diagnosis(code='LD602', name='mse-for-classification', title='mse-for-classification', severity='warning', kind='warning', surfaces='SR',
              message="TODO", fix="TODO", why='`MSELoss` on softmax outputs vs one-hot targets: learns slowly and is not a likelihood; use `CrossEntropyLoss` on logits with class indices.', bad="", good=""),
    Diagnosis(code='LD603', name='backward-on-unreduced-loss', title='backward-on-unreduced-loss', severity='error', kind='loud', surfaces='SE',
              message="TODO", fix="TODO", why="`reduction='none'` then `.backward()`: `grad can be implicitly created only for scalar outputs`. Reduce first (`.mean()`).", bad="", good=""),
    Diagnosis(code='LD604', name='loss-tensor-accumulated', title='loss-tensor-accumulated', severity='warning', kind='warning', surfaces='S',
              message="TODO", fix="TODO", why="`total += loss` in a loop keeps every step's graph alive (memory grows); use `loss.item()` / `loss.detach()`.", bad="", good=""),
    Diagnosis(code='LD605', name='model-output-not-tensor', title='model-output-not-tensor', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why="a tuple / `ModelOutput` / `InceptionOutputs` passed as input: `argument 'input' (position 1) must be Tensor, not tuple`. Pick `.logits` / `[0]`.", bad="", good=""),
    Diagnosis(code='LD606', name='device-mismatch', title='device-mismatch', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='input and target (or weight) on different devices: `Expected all tensors to be on the same device`.', bad="", good=""),
    Diagnosis(code='LD607', name='prediction-not-differentiable', title='prediction-not-differentiable', severity='error', kind='loud', surfaces='SE',
              message="TODO", fix="TODO", why='the loss input comes from `argmax` / `max(...).indices` / `.long()` of the model output: `element 0 of tensors does not require grad and does not have a grad_fn` at `backward()` (`torch.round` keeps a grad_fn but its gradient is zero: same outcome, silently). Use the logits (or a differentiable relaxation).', bad="", good=""),
    Diagnosis(code='LD608', name='loss-arguments-swapped', title='loss-arguments-swapped', severity='error', kind='loud/silent', surfaces='SRE',
              message="TODO", fix="TODO", why='`F.cross_entropy(labels, logits)`: an integer 1-D first argument and a float 2-D second one. CE raises `"log_softmax_lastdim_kernel_impl" not implemented for \'Long\'`; BCE/MSE with float labels run silently. Order is `(input, target)`.', bad="", good=""),
]
