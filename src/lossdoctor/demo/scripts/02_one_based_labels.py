"""Labels stored as 1..10 for a 10-output model.

On CPU PyTorch says `Target 10 is out of bounds`; on CUDA the same bug is a
`device-side assert triggered` that poisons the whole process. lossdoctor stops
it before the kernel runs and says why.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(64, 20)
labels = torch.randint(0, 10, (64,)) + 1  # the dataset's class ids start at 1

model = nn.Linear(20, 10)
loss = nn.CrossEntropyLoss()(model(X), labels)
