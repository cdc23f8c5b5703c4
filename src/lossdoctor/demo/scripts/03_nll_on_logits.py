"""NLLLoss fed raw logits: the loss goes negative and means nothing.

NLLLoss only picks -input[target]; it expects log_softmax outputs.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.randn(128, 20)
y = torch.randint(0, 5, (128,))
model = nn.Linear(20, 5)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(30):
    opt.zero_grad()
    loss = nn.NLLLoss()(model(X), y)
    loss.backward()
    opt.step()
print(f"final loss {loss.item():.3f} (negative: a loss that should never be)")
