"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD301', name='target-out-of-range', title='target-out-of-range', severity='error', kind='loud', surfaces='RE',
              message="TODO", fix="TODO", why='a class index ≥ C or < 0 (and not `ignore_index`): CPU `IndexError: Target 3 is out of bounds.`; CUDA `device-side assert triggered` / ``Assertion `t >= 0 && t < n_classes` failed`` which poisons the CUDA context. Hints to give: labels 1-based (min 1, max C), too few output units (max ≥ C), `-1` used as padding (`ignore_index=-1`). On CUDA the check must run **before** the kernel.', bad="", good=""),
    Diagnosis(code='LD302', name='all-targets-ignored', title='all-targets-ignored', severity='error', kind='silent', surfaces='RM',
              message="TODO", fix="TODO", why="every target equals `ignore_index` (or empty batch) with `reduction='mean'`: loss is `nan` (measured).", bad="", good=""),
    Diagnosis(code='LD303', name='bce-target-out-of-range', title='bce-target-out-of-range', severity='error', kind='loud/silent', surfaces='RE',
              message="TODO", fix="TODO", why='BCE targets outside [0, 1]: `BCELoss` raises `all elements of target should be between 0 and 1` on torch 2.x; `BCEWithLogitsLoss` accepts them silently.', bad="", good=""),
]
