"""torch.log(softmax(x)) with NLLLoss: fine until the model gets confident.

A softmax that rounds to 0 turns into log(0) = -inf and the loss into inf.
"""
import torch
import torch.nn.functional as F

torch.manual_seed(0)
logits = (torch.randn(16, 4) * 200).requires_grad_()  # a confident model
y = torch.randint(0, 4, (16,))
loss = F.nll_loss(torch.log(F.softmax(logits, dim=1)), y)
print(f"loss = {loss.item()}")
