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


def train_teacher_forced(model, inputs, targets, epochs, seed, lr=1e-2, batch_size=100):
    """Teacher forcing: model(*inputs[idx], shift_right(targets[idx])) -> logits (B, T, V),
    cross-entropy against targets (B, T), PAD positions ignored. Returns the last loss."""
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    n = len(targets)
    for _ in range(epochs):
        for idx in torch.randperm(n, generator=g).split(batch_size):
            y = targets[idx]
            y_in = torch.cat([torch.full_like(y[:, :1], START), y[:, :-1]], dim=1)
            logits = model(*(a[idx] for a in inputs), y_in)
            loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten(),
                                               ignore_index=data.PAD)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
    return loss.item()


# %% [markdown]
# TODO: generation at temperatures, 3 seeds: share grammatical and distinct sentences per T.

# %%
START = data.S_START                       # the generator's start word
cond, words = map(torch.from_numpy, data.sentence_task(3000, seed=0))
TEMPERATURES = (0.0, 0.5, 1.0, 1.5, 2.0)


def generate(model, c, temperature, n=300, max_len=14, seed=0):
    """n sentences for condition c, each word sampled at the temperature (0: argmax)."""
    g = torch.Generator().manual_seed(seed)
    h = model.h0(torch.full((n,), c))
    word, out = torch.full((n, 1), START), []
    with torch.no_grad():
        for _ in range(max_len):
            o, h = model.rnn(model.emb(word), h)
            logits = model.out(o[:, -1])
            if temperature == 0:
                word = logits.argmax(-1, keepdim=True)
            else:
                word = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=g)
            out.append(word)
    return torch.cat(out, 1).numpy()


table = {}
for seed in (0, 1, 2):
    torch.manual_seed(seed)
    gen = Generator()
    train_teacher_forced(gen, (cond,), words, epochs=8, seed=seed)
    for T in TEMPERATURES:
        s = generate(gen, 0, T, seed=seed)
        gram = np.mean([data.is_grammatical(r, 0) for r in s])
        ends = [list(r).index(data.S_END) + 1 if data.S_END in r else len(r) for r in s]
        distinct = len({tuple(r[:e]) for r, e in zip(s, ends)})
        table.setdefault(T, []).append((gram, distinct))
for T, rows in table.items():
    print(f"T = {T:<4} grammatical " + " ".join(f"{g:.2f}" for g, _ in rows)
          + "   distinct of 300 " + " ".join(f"{d:>3}" for _, d in rows))

# %% [markdown]
# ## 5. Sequence to sequence: an encoder-decoder
# TODO text: the encoder's final state is the decoder's h0 (topic 01 listed it as a choice of h0);
# teacher forcing; greedy decoding at test time; exposure bias.

# %%
DV = len(data.DIGIT_VOCAB)


class Seq2Seq(nn.Module):
    """src (B, S) digit ids -> GRU encoder -> its final state starts a GRU decoder, which reads the
    target shifted right (teacher forcing) -> logits (B, T, V). With attention=True each decoder
    step also reads a dot-product-weighted average of the encoder's outputs."""

    def __init__(self, H=64, E=16, attention=False):
        super().__init__()
        self.emb = nn.Embedding(DV, E, padding_idx=data.PAD)
        self.enc = nn.GRU(E, H, batch_first=True)
        self.dec = nn.GRU(E, H, batch_first=True)
        self.attention = attention
        self.out = nn.Linear(2 * H if attention else H, DV)

    def encode(self, src):
        return self.enc(self.emb(src))                 # outputs (B, S, H), h (1, B, H)

    def decode(self, words_in, h, enc_out, src_real):
        d, h = self.dec(self.emb(words_in), h)          # (B, T, H)
        weights = None
        if self.attention:
            scores = d @ enc_out.transpose(1, 2)        # (B, T, S): dot products
            scores = scores.masked_fill(~src_real[:, None, :], float("-inf"))
            weights = scores.softmax(-1)                # over the source positions
            d = torch.cat([d, weights @ enc_out], -1)   # + the context (B, T, H)
        return self.out(d), h, weights

    def forward(self, src, words_in):
        enc_out, h = self.encode(src)
        return self.decode(words_in, h, enc_out, src != data.PAD)[0]


def greedy(model, src, steps):
    """Greedy decoding: each prediction is the next input. -> (B, steps) ids."""
    enc_out, h = model.encode(src)
    word, out = torch.full((len(src), 1), data.START), []
    with torch.no_grad():
        for _ in range(steps):
            logits, h, _ = model.decode(word, h, enc_out, src != data.PAD)
            word = logits.argmax(-1)
            out.append(word)
    return torch.cat(out, 1)


START = data.START
src, tgt, lengths = map(torch.from_numpy, data.reverse_task(2500, 2, 14, seed=0))
src_te, tgt_te, len_te = map(torch.from_numpy, data.reverse_task(1000, 2, 14, seed=1))
by_length = {}
for attention in (False, True):
    for seed in (0, 1, 2):
        torch.manual_seed(seed)
        model = Seq2Seq(attention=attention)
        train_teacher_forced(model, (src,), tgt, epochs=8, seed=seed)
        pred = greedy(model, src_te, tgt_te.shape[1])
        real = tgt_te != data.PAD
        token_acc = ((pred == tgt_te) & real).sum(1) / real.sum(1)
        exact = ((pred == tgt_te) | ~real).all(1).float()
        by_length[attention, seed] = [(float(token_acc[len_te == n].mean()),
                                       float(exact[len_te == n].mean())) for n in range(2, 15, 2)]
for (attention, seed), rows in by_length.items():
    print("attention" if attention else "plain    ", seed,
          " ".join(f"{t:.2f}/{e:.2f}" for t, e in rows))
