"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD201', name='one-hot-target-to-nll-loss', title='one-hot-target-to-nll-loss', severity='error', kind='loud', surfaces='SRE',
              message="TODO", fix="TODO", why='`NLLLoss` with `(N, C)` one-hot targets: `0D or 1D target tensor expected, multi-target not supported`. Fix: `target.argmax(dim=1)`.', bad="", good=""),
    Diagnosis(code='LD202', name='integer-one-hot-target', title='integer-one-hot-target', severity='error', kind='loud', surfaces='SRE',
              message="TODO", fix="TODO", why='`CrossEntropyLoss` with a long `(N, C)` target: `Expected floating point type for target with class probabilities, got Long`. Fix: `argmax(dim=1)` (or `.float()` if soft labels were meant).', bad="", good=""),
    Diagnosis(code='LD203', name='class-indices-wrong-dtype', title='class-indices-wrong-dtype', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='class-index targets stored as float/int32/int16: `expected target dtype to be Long or Byte, but got Float` (older torch: `expected scalar type Long but found Float`). Fix: `.long()`; if float values are not integral, the labels are not class indices at all (values that are multiples of 1/255 mean `ToTensor()` rescaled an index mask).', bad="", good=""),
    Diagnosis(code='LD204', name='multi-hot-target-to-cross-entropy', title='multi-hot-target-to-cross-entropy', severity='error', kind='silent', surfaces='R',
              message="TODO", fix="TODO", why='float `(N, C)` targets whose rows sum > 1 (multi-label data): `CrossEntropyLoss` silently treats them as unnormalised distributions. Use `BCEWithLogitsLoss`.', bad="", good=""),
    Diagnosis(code='LD205', name='soft-target-not-distribution', title='soft-target-not-distribution', severity='error', kind='silent', surfaces='R',
              message="TODO", fix="TODO", why='float probability targets with negatives or rows not summing to 1 (measured: random targets accepted silently).', bad="", good=""),
    Diagnosis(code='LD206', name='one-hot-target-to-cross-entropy', title='one-hot-target-to-cross-entropy', severity='info', kind='info', surfaces='SR',
              message="TODO", fix="TODO", why='float one-hot targets to `CrossEntropyLoss` work since torch 1.10 (identical loss, measured) but cost C× more target memory and break on older torch; class indices are the idiom.', bad="", good=""),
    Diagnosis(code='LD207', name='integer-logits', title='integer-logits', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='integer/bool input: `"log_softmax_lastdim_kernel_impl" not implemented for \'Long\'`. The model output was cast or is not the model output.', bad="", good=""),
    Diagnosis(code='LD208', name='bce-target-wrong-dtype', title='bce-target-wrong-dtype', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why="integer targets to `BCEWithLogitsLoss`/`BCELoss`: `result type Float can't be cast to the desired output type Long`. Fix: `.float()`.", bad="", good=""),
]
