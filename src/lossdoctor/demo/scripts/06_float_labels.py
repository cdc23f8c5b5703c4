"""Labels cast to float32 because "all tensors should have the same dtype".

Class-index targets must be int64 (long).
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(32, 8)
y = torch.randint(0, 3, (32,)).float()
loss = nn.CrossEntropyLoss()(nn.Linear(8, 3)(X), y)
