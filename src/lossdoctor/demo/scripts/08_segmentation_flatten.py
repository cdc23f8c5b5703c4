"""Segmentation logits flattened with view(-1, C) without moving the classes last.

The shapes match the flattened mask, so nothing raises; each row mixes pixels
and classes.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
images = torch.randn(2, 3, 16, 16)
masks = torch.randint(0, 4, (2, 16, 16))
net = nn.Conv2d(3, 4, kernel_size=3, padding=1)
logits = net(images)                               # (2, 4, 16, 16)
loss = nn.CrossEntropyLoss()(logits.reshape(-1, 4), masks.reshape(-1))
