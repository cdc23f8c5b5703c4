"""Catalog entries (stub: to be written out in full)."""

from ._model import Diagnosis

ENTRIES = [
    Diagnosis(code='LD701', name='loss-stuck-at-chance', title='loss-stuck-at-chance', severity='error', kind='silent', surfaces='M',
              message="TODO", fix="TODO", why='the loss sits at ln(C) (2.303 for 10 classes) for many steps: the model predicts uniform; commonly LD101, a dead network or a learning-rate problem.', bad="", good=""),
    Diagnosis(code='LD702', name='negative-classification-loss', title='negative-classification-loss', severity='error', kind='silent', surfaces='M',
              message="TODO", fix="TODO", why='a CE/NLL loss below 0: never legitimate with hard targets; points to LD102/LD103/LD205.', bad="", good=""),
    Diagnosis(code='LD703', name='loss-not-decreasing', title='loss-not-decreasing', severity='warning', kind='warning', surfaces='M',
              message="TODO", fix="TODO", why='no improvement over a window; report with the likeliest catalog causes seen so far.', bad="", good=""),
]
