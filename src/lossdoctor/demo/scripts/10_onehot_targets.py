"""Float one-hot targets into CrossEntropyLoss.

Often described as "a shape mismatch error": since torch 1.10 it works and
gives the same loss as class indices; it only costs C times the memory.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
X = torch.randn(16, 10)
y = torch.randint(0, 3, (16,))
logits = nn.Linear(10, 3)(X)
loss = nn.CrossEntropyLoss()(logits, F.one_hot(y, 3).float())
