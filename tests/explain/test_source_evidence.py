"""Evidence from the user's file decides between guesses, and is labelled as such."""

from __future__ import annotations

import textwrap

from lossdoctor.explain import explain_text

TRAIN = textwrap.dedent("""\
    import torch
    import torch.nn as nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(784, 512), nn.ReLU())
            self.head = nn.Linear(512, 10)

        def forward(self, x):
            return self.head(self.body(x))

    def load_labels(raw):
        labels = torch.tensor(raw) + 1
        return labels

    model = Net().cuda()
    criterion = nn.CrossEntropyLoss()
    for x, raw in loader:
        y = load_labels(raw).cuda()
        loss = criterion(model(x.cuda()), y)
        loss.backward()
    """)

CUDA_TB = """\
Traceback (most recent call last):
  File "{path}", line 22, in <module>
    loss.backward()
RuntimeError: CUDA error: device-side assert triggered
CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.
For debugging consider passing CUDA_LAUNCH_BLOCKING=1
"""


def test_device_side_assert_plus_code_is_one_precise_diagnosis(tmp_path):
    f = tmp_path / "train.py"
    f.write_text(TRAIN)
    exp = explain_text(CUDA_TB.format(path=f))
    assert [d.code for d in exp.diagnoses] == ["LD301"]
    best = exp.best
    assert best.confidence == "high"
    assert "1-based" in best.message or "shifts the labels" in best.message
    by_source = {e.source: [] for e in best.evidence}
    for e in best.evidence:
        by_source[e.source].append(e)
    assert "message" in by_source and "code" in by_source
    code_texts = " | ".join(e.text for e in by_source["code"])
    assert "nn.Linear(512, 10)" in code_texts and "+ 1" in code_texts
    lines = {e.line for e in by_source["code"]}
    assert {8, 14} <= lines
    rendered = exp.render_text()
    assert "from the message:" in rendered and "from the code:" in rendered


def test_same_text_without_the_file_is_hedged(tmp_path):
    exp = explain_text(CUDA_TB.format(path=tmp_path / "gone.py"))
    assert exp.best.code == "LD301" and exp.best.confidence == "medium"
    assert all(e.source != "code" for e in exp.best.evidence)


def test_no_source_flag_keeps_message_only(tmp_path):
    f = tmp_path / "train.py"
    f.write_text(TRAIN)
    exp = explain_text(CUDA_TB.format(path=f), source_evidence=False)
    assert exp.best.confidence == "medium"


def test_stale_file_is_not_trusted(tmp_path):
    # the traceback quotes a line that is no longer in the file: use the quote, not the file
    f = tmp_path / "train.py"
    f.write_text(TRAIN)
    tb = CUDA_TB.format(path=f).replace("    loss.backward()", "    optimizer.step()")
    exp = explain_text(tb)
    assert all(e.source != "code" for e in exp.best.evidence)


def test_ambiguous_message_decided_by_the_failing_line():
    base = ('Traceback (most recent call last):\n  File "x.py", line 3, in <module>\n    {line}\n'
            "RuntimeError: 0D or 1D target tensor expected, multi-target not supported\n")
    cases = {
        "loss = F.nll_loss(logp, F.one_hot(y, 10))": "LD201",
        "loss = criterion(out, y.unsqueeze(1))": "LD403",
        "loss = F.cross_entropy(labels, logits)": "LD608",
    }
    for line, code in cases.items():
        exp = explain_text(base.format(line=line), source_evidence=False)
        assert exp.best.code == code and exp.best.confidence == "high", (line, [d.code for d in exp.diagnoses])
        assert any(e.source == "traceback" for e in exp.best.evidence)
