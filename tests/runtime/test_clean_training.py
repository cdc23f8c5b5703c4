"""Correct, ordinary training code produces no finding at all (the no-false-alarm promise)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

import lossdoctor


def _assert_clean(report):
    assert not report.findings, "\n".join(str(f) for f in report.findings)
    assert not report.internal_errors, report.internal_errors


def test_mlp_classifier_trains_clean():
    torch.manual_seed(0)
    X = torch.randn(128, 20)
    y = X[:, :5].argmax(1)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 5))
    opt = torch.optim.SGD(model.parameters(), lr=0.3)
    with lossdoctor.watch(mode="raise") as report:
        for _ in range(30):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(X), y)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():  # evaluation without autograd: value checks only
            F.cross_entropy(model(X), y)
    assert loss.item() < 1.0
    assert report.calls == 31
    _assert_clean(report)


def test_sequence_model_with_n_c_l_logits_is_clean():
    torch.manual_seed(0)
    emb, rnn, head = nn.Embedding(50, 16), nn.GRU(16, 16, batch_first=True), nn.Linear(16, 7)
    tokens = torch.randint(0, 50, (4, 7))  # L == C == 7: the tricky case, done right
    tags = torch.randint(0, 7, (4, 7))
    with lossdoctor.watch(mode="raise") as report:
        out, _ = rnn(emb(tokens))
        logits = head(out)                      # (N, L, C)
        loss = F.cross_entropy(logits.permute(0, 2, 1), tags)  # (N, C, L)
        flat = F.cross_entropy(head(out).reshape(-1, 7), tags.reshape(-1))  # flattened idiom
        transposed = F.cross_entropy(head(out).transpose(1, 2), tags)
        (loss + flat + transposed).backward()
    _assert_clean(report)


def test_segmentation_loss_is_clean():
    torch.manual_seed(0)
    net = nn.Conv2d(3, 4, 3, padding=1)
    images = torch.randn(2, 3, 8, 8)
    masks = torch.randint(0, 4, (2, 8, 8))
    masks[:, :2] = 255  # void pixels
    with lossdoctor.watch(mode="raise") as report:
        logits = net(images)
        nn.CrossEntropyLoss(ignore_index=255)(logits, masks).backward()
        weight = torch.tensor([0.5, 1.0, 2.0, 1.0])
        F.cross_entropy(net(images), masks, weight=weight, ignore_index=255).backward()
        # flattening with the classes moved last first is right
        flat = net(images).permute(0, 2, 3, 1).reshape(-1, 4)
        F.cross_entropy(flat, masks.reshape(-1), ignore_index=255).backward()
    _assert_clean(report)


def test_multilabel_bce_with_logits_is_clean():
    torch.manual_seed(0)
    model = nn.Linear(12, 6)
    X = torch.randn(16, 12)
    tags = (torch.rand(16, 6) > 0.7).float()
    with lossdoctor.watch(mode="raise") as report:
        nn.BCEWithLogitsLoss(pos_weight=torch.full((6,), 2.0))(model(X), tags).backward()
        nn.BCELoss()(torch.sigmoid(model(X)).detach().clamp(0, 1), tags)  # no autograd history: fine
        with torch.no_grad():
            F.binary_cross_entropy_with_logits(model(X), tags)
    _assert_clean(report)


def test_label_smoothing_and_soft_targets_are_clean():
    torch.manual_seed(0)
    model = nn.Linear(10, 4)
    X = torch.randn(8, 10)
    y = torch.randint(0, 4, (8,))
    with lossdoctor.watch(mode="raise") as report:
        nn.CrossEntropyLoss(label_smoothing=0.1)(model(X), y).backward()
        soft = torch.softmax(torch.randn(8, 4), dim=1)  # mixup/distillation-style targets
        F.cross_entropy(model(X), soft).backward()
        teacher = torch.randn(8, 4)
        F.kl_div(F.log_softmax(model(X), 1), F.softmax(teacher, 1), reduction="batchmean").backward()
    _assert_clean(report)


def test_ignore_index_padding_is_clean():
    torch.manual_seed(0)
    head = nn.Linear(8, 5)
    h = torch.randn(3, 6, 8)
    labels = torch.randint(0, 5, (3, 6))
    labels[0, 4:] = -100
    labels[1, 3:] = -1
    with lossdoctor.watch(mode="raise") as report:
        logits = head(h).reshape(-1, 5)
        F.cross_entropy(logits, labels.reshape(-1).where(labels.reshape(-1) != -1, torch.tensor(-100))).backward()
        nn.CrossEntropyLoss(ignore_index=-1)(head(h).reshape(-1, 5), labels.masked_fill(labels == -100, -1).reshape(-1)).backward()
    _assert_clean(report)


def test_nll_with_log_softmax_and_unbatched_inputs_are_clean():
    torch.manual_seed(0)
    model = nn.Linear(10, 3)
    X = torch.randn(8, 10)
    y = torch.randint(0, 3, (8,))
    with lossdoctor.watch(mode="raise") as report:
        F.nll_loss(F.log_softmax(model(X), dim=1), y).backward()
        F.cross_entropy(model(X[0]), y[0]).backward()  # unbatched (C,) with a 0-dim target
        F.nll_loss(F.log_softmax(model(X[0]), dim=0), y[0]).backward()
        F.mse_loss(model(X), torch.randn(8, 3)).backward()
        F.l1_loss(model(X), torch.randn(8, 3)).backward()
        with torch.no_grad():
            F.nll_loss(F.log_softmax(model(X), dim=1), y)  # value evidence: real log-probs stay clean
            F.cross_entropy(model(X), y)
    _assert_clean(report)
