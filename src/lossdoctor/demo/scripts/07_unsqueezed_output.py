"""An extra unsqueeze on the model output."""
import torch
import torch.nn as nn

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 3))
X = torch.randn(32, 10)
y = torch.randint(0, 3, (32,))
loss = nn.CrossEntropyLoss()(model(X).unsqueeze(1), y)
