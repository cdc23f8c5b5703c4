"""A token tagger whose logits are (batch, length, classes), with length == classes.

CrossEntropyLoss reads dim 1 as the classes. With 12 tokens and 12 tags the
shapes happen to match, so nothing raises, and the loss is computed over the
wrong axis.
"""
import torch
import torch.nn as nn

torch.manual_seed(0)
tokens = torch.randn(8, 12, 32)        # (batch, length=12, features)
tags = torch.randint(0, 12, (8, 12))   # (batch, length), 12 tag classes
head = nn.Linear(32, 12)
logits = head(tokens)                   # (8, 12, 12): classes last
loss = nn.CrossEntropyLoss()(logits, tags)
