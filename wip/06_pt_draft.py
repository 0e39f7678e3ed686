# %% [markdown]
# # 06 Sequence tasks (PyTorch)
#
# DRAFT (session 8, branch wip-06): sections 4-6 carry the code measured in wip/06_NOTES.md;
# texts marked TODO are to be written from the stored outputs.
#
# **Learning objectives**
# 1. Wire a recurrent layer to the four kinds of task: many-to-one, many-to-many aligned, one-to-many, sequence to sequence.
# 2. Train a generator with teacher forcing and sample from it with a temperature; train an encoder-decoder and decode it greedily.
# 3. Measure the encoder-decoder's bottleneck against input length, and remove it with dot-product attention written out.

# %%
import numpy as np
import torch
from torch import nn

from helpers import data, plots
from helpers import torch_utils as fw
from helpers.checks import check
from helpers.quiz import quiz

DEVICE = fw.setup()
torch.set_num_threads(1)

# %% [markdown]
# ## Warm-up quiz

# %%
quiz("06_sequence_tasks", "warmup", framework="torch")

# %% [markdown]
# ## 1. Four ways to wire a recurrent layer
#
# | pattern | reads | writes | examples |
# |---|---|---|---|
# | many-to-one | a sequence | one output | sentiment of a review, the order task of topic 01 |
# | many-to-many, aligned | a sequence | one output per step | part-of-speech tags, named entities, topic 05's tagger |
# | one-to-many | one input (a vector) | a sequence | a caption for an image, a melody from a style |
# | sequence to sequence | a sequence | another sequence, of its own length | translation, summarisation |
#
# ### Exercise: which pattern is it?

# %%
quiz("06_sequence_tasks", "patterns", framework="torch")

# %% [markdown]
# ## 4. One-to-many: generating sentences
# TODO text: the condition goes into the state at step 0 (captioning: the image's features;
# music: a style or the first notes); the generator reads its own previous word.

# %%
V = len(data.SENTENCE_VOCAB)


class Generator(nn.Module):
    """condition (B,) in {0, 1} -> h0 (1, B, H); words (B, T) -> next-word logits (B, T, V)."""

    def __init__(self, H=48, E=16):
        super().__init__()
        self.init = nn.Linear(2, H)                      # the condition -> the first state
        self.emb = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True)
        self.out = nn.Linear(H, V)

    def h0(self, cond):
        return torch.tanh(self.init(nn.functional.one_hot(cond, 2).float()))[None]

    def forward(self, cond, words_in):
        out, _ = self.rnn(self.emb(words_in), self.h0(cond))
        return self.out(out)
