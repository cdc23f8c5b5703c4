"""A loss computed inside an installed library is reported at the user's own line, via the library's."""

import pytest
import torch

import lossdoctor


def test_loss_inside_transformers_points_at_the_users_line():
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    config = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                     intermediate_size=32, num_labels=3)
    model = transformers.BertForSequenceClassification(config)
    tokens = torch.randint(0, 50, (4, 6))
    labels = torch.tensor([1, 2, 3, 1])  # 1-based: 3 is out of range for 3 labels
    with lossdoctor.watch(mode="collect"):
        with pytest.raises(IndexError) as info:
            model(input_ids=tokens, labels=labels)  # the user's line
    loc = info.value.finding.location
    assert loc.path == __file__ and loc.function == "test_loss_inside_transformers_points_at_the_users_line"
    assert loc.via and loc.via.startswith("transformers/") and "modeling_bert" in loc.via
    assert f"(via {loc.via})" in str(info.value)
