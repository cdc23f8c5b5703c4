"""Multi-label tagging: a sigmoid before BCEWithLogitsLoss, which applies its own."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(16, 12)
tags = (torch.rand(16, 6) > 0.7).float()
model = nn.Sequential(nn.Linear(12, 6), nn.Sigmoid())
loss = nn.BCEWithLogitsLoss()(model(X), tags)
