"""Toy data and training loops for the monitor tests (real torch, CPU, a few seconds each)."""

from __future__ import annotations

import torch
from torch import nn


def blobs(num_classes: int = 50, n: int = 2048, dim: int = 20, spread: float = 2.0, seed: int = 0):
    """A linearly separable toy set: one Gaussian blob per class."""
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(num_classes, dim, generator=g) * spread
    y = torch.randint(0, num_classes, (n,), generator=g)
    x = centers[y] + torch.randn(n, dim, generator=g)
    return x, y


def mlp(num_classes: int = 50, dim: int = 20, last=None) -> "nn.Module":
    layers = [nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, num_classes)]
    if last is not None:
        layers.append(last)
    return nn.Sequential(*layers)


def train(model, criterion, *, num_classes: int = 50, steps: int = 150, lr: float = 0.1, seed: int = 0) -> list[float]:
    """Plain SGD on minibatches of the blobs; returns the loss values (read after training)."""
    torch.manual_seed(seed)
    x, y = blobs(num_classes)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    g = torch.Generator().manual_seed(seed + 1)
    losses = []
    for _ in range(steps):
        idx = torch.randint(0, len(x), (64,), generator=g)
        loss = criterion(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.detach())
    return [float(v) for v in losses]
