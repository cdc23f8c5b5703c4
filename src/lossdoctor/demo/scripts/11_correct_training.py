"""A correct loop: raw logits into CrossEntropyLoss, int64 class indices. Nothing to report."""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(256, 20)
y = X[:, :10].argmax(dim=1)
model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 10))
criterion = nn.CrossEntropyLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(60):
    opt.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    opt.step()
print(f"final loss {loss.item():.3f}")
