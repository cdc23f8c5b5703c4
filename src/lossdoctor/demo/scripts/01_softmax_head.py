"""A classifier whose last layer is nn.Softmax, trained with CrossEntropyLoss.

Tutorials still present this as the "correct implementation". It raises
nothing, but CrossEntropyLoss applies log_softmax itself: the loss cannot fall
below ln(1 + 9/e) = 1.46 for 10 classes and training crawls.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 20)
y = (X[:, :10].argmax(dim=1))  # a learnable rule: 10 classes

model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10), nn.Softmax(dim=1))
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(60):
    opt.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    opt.step()
print(f"final loss {loss.item():.3f} (a plain Linear head reaches < 0.5 here)")
