"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD501', name='nonfinite-logits', title='nonfinite-logits', severity='error', kind='silent', surfaces='RM',
              message="TODO", fix="TODO", why='NaN or ±inf in the loss input; say where it came from when autograd tells.', bad="", good=""),
    Diagnosis(code='LD502', name='nonfinite-loss', title='nonfinite-loss', severity='error', kind='silent', surfaces='RM',
              message="TODO", fix="TODO", why='the loss value is NaN/inf; name the first step it happened.', bad="", good=""),
    Diagnosis(code='LD503', name='half-precision-loss', title='half-precision-loss', severity='warning', kind='warning', surfaces='SR',
              message="TODO", fix="TODO", why='CE/NLL computed on float16 inputs outside autocast: the mean over many elements overflows to `inf` (measured: (20, 100, 1025) fp16 → inf, fp32 → 4.645). Autocast already runs these losses in float32. Fix: `input.float()` or autocast.', bad="", good=""),
]
