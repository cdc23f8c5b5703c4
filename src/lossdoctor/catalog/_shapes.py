"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD401', name='batch-size-mismatch', title='batch-size-mismatch', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='`Expected input batch_size (32) to match target batch_size (16).` Typical causes: `view(-1, K)` with the wrong K, targets not flattened like the logits, a 0-dim target, loader batches of different sizes.', bad="", good=""),
    Diagnosis(code='LD402', name='extra-output-dim', title='extra-output-dim', severity='error', kind='loud', surfaces='SRE',
              message="TODO", fix="TODO", why='an extra dim on the logits (e.g. `unsqueeze(1)`): `Expected target size [32, 3], got [32]`.', bad="", good=""),
    Diagnosis(code='LD403', name='target-extra-dim', title='target-extra-dim', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='`(N, 1)` targets: `0D or 1D target tensor expected, multi-target not supported`; `(N, 1, H, W)` segmentation targets: `only batches of spatial targets supported (3D tensors) but got targets of dimension: 4`. Fix: `squeeze(1)`; but an `(N, H, W, 3)` RGB/RGBA label image needs its colours mapped to class ids, and per-segment labels need per-sample (or per-pixel) targets.', bad="", good=""),
    Diagnosis(code='LD404', name='class-dim-last', title='class-dim-last', severity='error', kind='loud/silent', surfaces='SRE',
              message="TODO", fix="TODO", why='`(N, L, C)` sequence/pixel logits where `(N, C, L)` is expected. L ≠ C: `Expected target size [4, 5], got [4, 7]`; L == C: **silent**, wrong loss. R evidence for the silent case: the logits come from a `Linear`/`matmul` (`ViewBackward0`/`UnsafeViewBackward0` over `AddmmBackward0`, …) whose output features equal the size of the **last** dim, contiguous with last-dim stride 1. Fix: `permute(0, 2, 1)` or flatten both to `(N*L, C)` / `(N*L,)`.', bad="", good=""),
    Diagnosis(code='LD405', name='bce-shape-mismatch', title='bce-shape-mismatch', severity='error', kind='loud/silent', surfaces='RE',
              message="TODO", fix="TODO", why='BCE input `(N, 1)` vs target `(N,)`: `Target size (torch.Size([32])) must be the same as input size (torch.Size([32, 1]))`; with `MSELoss`/`L1Loss` it **broadcasts silently** to `(N, N)` (only a UserWarning).', bad="", good=""),
    Diagnosis(code='LD406', name='class-weight-mismatch', title='class-weight-mismatch', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='`weight` length ≠ C (`weight tensor should be defined either for all 3 classes…`) or integer weight (`expected scalar type Float but found Long`).', bad="", good=""),
    Diagnosis(code='LD407', name='squeezed-batch-dim', title='squeezed-batch-dim', severity='error', kind='silent/loud', surfaces='SRE',
              message="TODO", fix="TODO", why='`output.squeeze()` with a batch of one drops the batch dim; later shapes break or, for some losses, compute the wrong thing silently. Use `squeeze(dim)`.', bad="", good=""),
    Diagnosis(code='LD408', name='spatial-size-mismatch', title='spatial-size-mismatch', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why="`(N, C, H, W)` logits and `(N, H', W')` targets with the same batch but different spatial sizes (valid convolutions, labels downsampled at another stride). 2.13: `size mismatch (got input: [2, 2, 68, 68] , target: [2, 256, 256]`; older: `input and target batch or spatial sizes don't match`, ``Assertion `input0 == target0 && input2 == target1 && input3 == target2' failed``. Fix: interpolate the logits to the label size (or resize labels with nearest).", bad="", good=""),
    Diagnosis(code='LD409', name='flatten-without-permute', title='flatten-without-permute', severity='error', kind='silent', surfaces='R',
              message="TODO", fix="TODO", why='`(N, C, H, W)` logits flattened with `reshape(-1, C)`/`view(-1, C)` without moving C last first: shapes match the flattened target, rows mix pixels and classes (measured: 1.7438 vs correct 1.7333). R evidence: the input is a view (`._base`, or `ViewBackward0`/`_saved_self_sym_sizes`) of a ≥3-D tensor whose dim 1 equals C and whose last dim does not. Fix: `permute(0, 2, 3, 1).reshape(-1, C)`, or pass the 4-D logits directly.', bad="", good=""),
]
