"""Tiny Hugging Face models (random weights, built from configs, no download) train clean under watch().

transformers computes its losses with torch's functionals (cross_entropy with -100 padding,
BCEWithLogits for multi-label, MSE for regression); none of them may draw a finding.
"""

import pytest

transformers = pytest.importorskip("transformers")

import torch  # noqa: E402

import lossdoctor  # noqa: E402


def _bert(**kw):
    return transformers.BertConfig(
        vocab_size=60, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=24, max_position_embeddings=32, **kw,
    )


def _train_and_eval(model, **batch):
    """Two training steps and one evaluation under watch(mode='raise'); return the report."""
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with lossdoctor.watch(mode="raise") as report:
        model.train()
        for _ in range(2):
            out = model(**batch)
            opt.zero_grad()
            out.loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():  # no autograd history: the value checks decide alone
            assert torch.isfinite(model(**batch).loss)
    assert report.calls >= 3
    assert not report.internal_errors, report.internal_errors
    return report


def _assert_clean(report):
    assert not report.findings, "\n".join(f"{f.code}: {f.message}" for f in report.findings)


@pytest.fixture
def ids():
    torch.manual_seed(0)
    ids = torch.randint(5, 60, (4, 10))
    mask = torch.ones_like(ids)
    mask[2, 7:] = 0
    return ids, mask


@pytest.mark.parametrize(
    "problem,num_labels,labels",
    [
        ("single_label_classification", 3, lambda: torch.tensor([0, 2, 1, 2])),
        ("multi_label_classification", 5, lambda: (torch.rand(4, 5) > 0.5).float()),
        ("regression", 1, lambda: torch.randn(4)),
        ("regression", 3, lambda: torch.randn(4, 3)),
    ],
)
def test_sequence_classification_is_clean(ids, problem, num_labels, labels):
    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(_bert(num_labels=num_labels, problem_type=problem))
    _assert_clean(_train_and_eval(model, input_ids=ids[0], attention_mask=ids[1], labels=labels()))


def test_token_classification_with_ignored_positions_is_clean(ids):
    torch.manual_seed(0)
    # 10 labels for 10 tokens: the (N*L, C) logits come from a (N, L, C) view with L == C
    model = transformers.BertForTokenClassification(_bert(num_labels=10))
    labels = torch.randint(0, 10, (4, 10))
    labels[:, 0] = -100  # [CLS]
    labels[2, 7:] = -100  # padding
    _assert_clean(_train_and_eval(model, input_ids=ids[0], attention_mask=ids[1], labels=labels))


def test_masked_and_causal_lm_are_clean(ids):
    torch.manual_seed(0)
    mlm_labels = torch.full_like(ids[0], -100)
    mlm_labels[:, 3] = ids[0][:, 3]
    _assert_clean(_train_and_eval(transformers.BertForMaskedLM(_bert()), input_ids=ids[0], labels=mlm_labels))
    gpt2 = transformers.GPT2LMHeadModel(
        transformers.GPT2Config(vocab_size=60, n_embd=16, n_layer=1, n_head=2, n_positions=32, bos_token_id=0, eos_token_id=0)
    )
    lm_labels = ids[0].masked_fill(ids[1] == 0, -100)
    _assert_clean(_train_and_eval(gpt2, input_ids=ids[0], attention_mask=ids[1], labels=lm_labels))


def test_seq2seq_with_padded_labels_is_clean(ids):
    torch.manual_seed(0)
    t5 = transformers.T5ForConditionalGeneration(
        transformers.T5Config(vocab_size=60, d_model=16, d_kv=8, d_ff=24, num_layers=1, num_heads=2,
                              decoder_start_token_id=0, pad_token_id=0)
    )
    labels = torch.randint(1, 60, (4, 6))
    labels[1, 4:] = -100
    _assert_clean(_train_and_eval(t5, input_ids=ids[0], attention_mask=ids[1], labels=labels))


def test_vit_image_classification_is_clean():
    torch.manual_seed(0)
    vit = transformers.ViTForImageClassification(
        transformers.ViTConfig(image_size=16, patch_size=8, hidden_size=16, num_hidden_layers=1,
                               num_attention_heads=2, intermediate_size=24, num_labels=4)
    )
    _assert_clean(_train_and_eval(vit, pixel_values=torch.randn(2, 3, 16, 16), labels=torch.tensor([1, 3])))
