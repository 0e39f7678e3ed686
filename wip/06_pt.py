# %% [markdown]
# # 06 Sequence tasks (PyTorch)
#
# Every model so far read a sequence and gave one answer at the end, or one label per step.
# Recurrent layers can be wired to a task in four ways, and this notebook trains a small model for each of them on the course's running thread: the sentences about a cat and a mouse, and strings of digits.
# The fourth way, the **encoder-decoder**, squeezes a whole input into one state vector; we measure what that bottleneck costs as the input grows, and remove it with **attention**, the idea that led to Transformers.
#
# **Learning objectives**
# 1. Wire a recurrent layer to the four kinds of task: many-to-one, many-to-many aligned, one-to-many and sequence to sequence, with the right output layer and loss for each.
# 2. Train a generator and an encoder-decoder with teacher forcing, then run them on their own predictions: sampling with a temperature, and greedy decoding.
# 3. Measure the encoder-decoder's accuracy against the input length, three seeds, with and without dot-product attention written out, and read the attention weights of one example.
#
# **Runtime:** about 25 s on a laptop CPU (2 cores; measured 22-24 s); a GPU is used when there is one.

# %% [markdown]
# **Framework-specific (PyTorch):** the imports and the course's PyTorch helpers.
# As in topics 03 to 05, we ask PyTorch for one thread per operation: faster for models this small.

# %%
import numpy as np
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from helpers import data, plots
from helpers import torch_utils as fw
from helpers.checks import check
from helpers.quiz import quiz

DEVICE = fw.setup()
torch.set_num_threads(1)            # small models: one thread per operation is faster

# %% [markdown]
# ## Warm-up quiz
#
# Three questions on topic 05: bidirectional layers, their final states and stacking.

# %%
quiz("06_sequence_tasks", "warmup", framework="torch")

# %% [markdown]
# ## 1. Four ways to wire a recurrent layer
#
# The recurrent layer is the same in all four; what changes is what goes in, what comes out, and which outputs the loss reads.
#
# | pattern | reads | writes | examples |
# |---|---|---|---|
# | many-to-one | a sequence | one output, after the last step | the sentiment of a review; the order task of topics 01-02 |
# | many-to-many, aligned | a sequence | one output per input step | part-of-speech tags, named entities; topic 05's tagger |
# | one-to-many | one input: a vector or a token | a sequence, one element per step | a caption for an image, a melody in a given style |
# | sequence to sequence | a sequence | another sequence, of its own length | translation, summarisation, speech to text |
#
# Aligned means one output per input step, at the same step: a part-of-speech tagger writes one tag per word.
# When input and output have lengths of their own, as in translation, no step of the output belongs to a step of the input, and the model first reads everything, then writes: that is sequence to sequence.
#
# ### Exercise 1: which pattern is it?
#
# Eight applications; pick the pattern of each. The feedback explains every answer.

# %%
quiz("06_sequence_tasks", "patterns", framework="torch")

# %% [markdown]
# ## 2. Many-to-one and many-to-many: one layer, two readouts
#
# **Many-to-one** is what the course has done since topic 01: run the layer over the sequence and put a linear layer on the last state, (B, H) -> (B, C).
# **Many-to-many, aligned** keeps every step's output, (B, T, H), and puts **the same** linear layer on each of them.
#
# **Framework-specific (PyTorch):** `nn.Linear` acts on the last axis of any tensor, so `head(out)` with `out` of shape (B, T, H) gives (B, T, C): one set of weights, applied at every step, exactly as a loop over the steps would:

# %% tags=nbval-check-output
torch.manual_seed(0)
B, T, H, C = 2, 5, 4, 3
rnn, head = nn.LSTM(6, H, batch_first=True), nn.Linear(H, C)
out, (h_n, _) = rnn(torch.randn(B, T, 6))                # out (B, T, H), h_n (1, B, H)
per_step = head(out)                                      # (B, T, C)
loop = torch.stack([head(out[:, t]) for t in range(T)], dim=1)
print("many-to-one:  head(h_n[-1])", tuple(head(h_n[-1]).shape))
print("many-to-many: head(out)    ", tuple(per_step.shape))
print("same as a loop over the steps:", torch.allclose(per_step, loop))

# %% [markdown]
# The loss of an aligned task is the mean of one loss per step.
# **Framework-specific (PyTorch):** `nn.functional.cross_entropy` wants the classes on axis 1, so the usual move is to flatten batch and time into one axis, (B·T, C) against (B·T,) labels; it gives the same number as averaging the per-step losses:

# %%
labels = torch.tensor([[0, 2, 1, 1, 0], [2, 2, 0, 1, 1]])             # (B, T)
flat = nn.functional.cross_entropy(per_step.flatten(0, 1), labels.flatten())
steps = torch.stack([nn.functional.cross_entropy(per_step[:, t], labels[:, t])
                     for t in range(T)])
print(f"flattened: {flat.item():.4f}   mean of the {T} per-step losses: "
      f"{steps.mean().item():.4f}")

# %% [markdown]
# Both readouts, trained on the sentences of the running thread: the order task (many-to-one: is "cat" before "mouse"?) and topic 05's next-animal tags (many-to-many: which animal comes next after each word?).
# The layers are the same LSTM of 16 units in both models; only the readout differs.
# One seed each, 4 epochs: a recap, the measurements with seeds are in topics 02 and 05.

# %%
class Readout(nn.Module):
    """(B, T) word ids -> embedding -> LSTM -> linear on the last state (B, C),
    many-to-one, or on every step's output (B, T, C), many-to-many."""

    def __init__(self, V, C, every_step, H=16, E=8):
        super().__init__()
        self.emb = nn.Embedding(V, E)
        self.rnn = nn.LSTM(E, H, batch_first=True, bidirectional=every_step)
        self.head = nn.Linear(2 * H if every_step else H, C)
        self.every_step = every_step

    def forward(self, words):
        out, (h_n, _) = self.rnn(self.emb(words))
        return self.head(out) if self.every_step else self.head(h_n[-1])


V = len(data.ORDER_VOCAB)
X_ord, y_ord = data.order_task(3000, seq_len=12, seed=0)
X_tag, y_tag = data.next_animal_task(3000, seq_len=12, seed=0)
torch.manual_seed(0)
one, many = Readout(V, 2, every_step=False), Readout(V, 3, every_step=True)
for model, X, y, task in ((one, X_ord, y_ord, "classification"),
                          (many, X_tag, y_tag, "tagging")):
    splits = X[:2000], y[:2000], X[2000:2500], y[2000:2500], X[2500:], y[2500:]
    hist = fw.fit_runs([model], *splits, task=task, epochs=4, lr=1e-2, batch_size=50,
                       clip=1.0)[0]
    print(f"{task:<15} output {tuple(model(torch.from_numpy(X[:50])).shape)!s:<12}"
          f" test accuracy {hist['test_acc'][-1]:.3f}")

# %% [markdown]
# Both models reached 1.000 on the held-out sentences: the same recurrent layer serves either readout, and only the head, the output shape and the loss change.
# (The tagger is bidirectional because its labels depend on later words, as topic 05 measured; a left-to-right tagger would stop at the ceiling that topic 05 computed.)
#
# ## 3. One-to-many: generating sentences
#
# A generator writes a sequence from one input.
# It has nothing to read at steps 1, 2, ...: so it reads **its own previous output**, one step at a time, and its state carries what it has written so far.
# What it gets at step 0 is the one input that conditions the whole sequence:
# - an image captioner encodes the picture with a convolutional network and puts that vector into the state $h_0$ (or feeds it as the first input), then writes words from a start token;
# - a music model gets a style, an instrument or the first few notes, and continues from there;
# - a language model gets only a start token: what it writes is conditioned on nothing but the data it was trained on.
#
# Ours writes sentences like "the big cat chased a mouse" from a tiny grammar over the running thread's words, conditioned on the subject: 0 for cat, 1 for mouse.
# The condition goes through a linear layer and a tanh into $h_0$, as a captioner's image vector would.

# %% tags=nbval-check-output
cond, sentences = data.sentence_task(3000, seed=0)          # (3000,), (3000, 13)
for c, s in zip(cond[:3], sentences[:3]):
    words = [data.SENTENCE_VOCAB[i] for i in s if i != data.PAD]
    print(f"condition {c}: " + " ".join(words))

# %%
SV = len(data.SENTENCE_VOCAB)


class Generator(nn.Module):
    """condition (B,) in {0, 1} -> h0 (1, B, H);
    words_in (B, T) -> next-word logits (B, T, V)."""

    def __init__(self, H=48, E=16):
        super().__init__()
        self.init = nn.Linear(2, H)              # the condition -> the first state
        self.emb = nn.Embedding(SV, E)
        self.rnn = nn.GRU(E, H, batch_first=True)
        self.out = nn.Linear(H, SV)

    def h0(self, cond):
        return torch.tanh(self.init(nn.functional.one_hot(cond, 2).float()))[None]

    def step(self, words, h):
        """One step: words (B, 1), h (1, B, H) -> logits (B, V), new h."""
        o, h = self.rnn(self.emb(words), h)
        return self.out(o[:, -1]), h

    def forward(self, cond, words_in):
        out, _ = self.rnn(self.emb(words_in), self.h0(cond))
        return self.out(out)


# %% [markdown]
# ### Training with teacher forcing
#
# At step $t$ the generator must predict word $t$ from the words before it.
# In training we know those words, so we feed the **true** previous words instead of the model's guesses: the decoder's input is the target sentence shifted right by one step, behind a start token.
# This is **teacher forcing**: all $T$ steps are computed in one call of the layer, and every step learns from a correct history.
#
# | step | 0 | 1 | 2 | 3 | ... |
# |---|---|---|---|---|---|
# | input | `<start>` | the | big | cat | ... |
# | target | the | big | cat | chased | ... |
#
# ### Exercise 2: `shift_right`

# %%
# ✏️ EXERCISE shift_right: the decoder's inputs for teacher forcing
def shift_right(targets, start_token):
    """targets: (B, T) int64 token ids -> (B, T): start_token, then targets[:, :-1]."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("shift_right", "torch")

# %% [markdown]
# The loss is the cross-entropy of every step against its target, as in an aligned task, except that the padding after `<end>` counts for nothing (`ignore_index`).
# `fw.fit_teacher_forced` trains with exactly that: `model(inputs, shifted targets)` -> (B, T, V), one Adam per model, gradient norm clipped at 1, mini-batches of 100.
# One batch of it, written out:

# %%
torch.manual_seed(0)
gen = Generator()
y = torch.from_numpy(sentences[:4])
y_in = torch.cat([torch.full_like(y[:, :1], data.S_START), y[:, :-1]], dim=1)
logits = gen(torch.from_numpy(cond[:4]), y_in)                        # (4, 13, V)
print("logits", tuple(logits.shape), " loss of the untrained model:",
      f"{fw.teacher_forcing_loss(logits, y).item():.2f}", f" (log V = {np.log(SV):.2f})")

# %% [markdown]
# Three generators, three seeds, 8 epochs of 3000 sentences:

# %%
SEEDS = (0, 1, 2)
gens = []
for seed in SEEDS:
    torch.manual_seed(seed)
    gens.append(Generator())
gen_losses = fw.fit_teacher_forced(gens, cond, sentences, start_token=data.S_START,
                                   epochs=8, seed=0)
print("final training loss per seed:", " ".join(f"{l[-1]:.3f}" for l in gen_losses))

# %% [markdown]
# ### Sampling with a temperature
#
# To write, the generator starts from `<start>` and, at every step, turns its logits into a distribution over the next word and picks one; the pick is its next input.
# The **temperature** $T$ divides the logits before the softmax, $p = \mathrm{softmax}(z / T)$:
# $T = 1$ keeps the model's distribution; $T < 1$ sharpens it towards the most likely word; $T > 1$ flattens it towards uniform; $T \to 0$ is the argmax, the same sentence every time.
#
# ### Exercise 3: `sample_with_temperature`
#
# The exercise draws each row's sample from a given uniform number $u$ in [0, 1), by the inverse of the cumulative distribution: the first word whose cumulative probability exceeds $u$.
# With $u$ given, a sample is a function of its inputs, so the check can compare yours with the reference exactly.

# %%
# ✏️ EXERCISE sample_with_temperature: one token per row, drawn at a temperature
def sample_with_temperature(logits, temperature, u):
    """logits: (B, V), temperature: float >= 0, u: (B,) uniform in [0, 1)
    -> (B,) int64 ids. Temperature 0 returns the argmax."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("sample_with_temperature", "torch")

# %% [markdown]
# Each generator writes 300 sentences about the cat at five temperatures.
# We count the share that follow the grammar with the right subject (`data.is_grammatical`) and the number of distinct sentences among the 300.

# %%
TEMPERATURES = (0.0, 0.5, 1.0, 1.5, 2.0)


@torch.no_grad()
def generate(model, c, temperature, n=300, max_len=14, seed=0):
    """n sentences (n, max_len) for condition c, each word drawn at the temperature."""
    g = torch.Generator().manual_seed(seed)
    h = model.h0(torch.full((n,), c))
    word, out = torch.full((n, 1), data.S_START), []
    for _ in range(max_len):
        logits, h = model.step(word, h)                           # (n, V)
        if temperature == 0:
            word = logits.argmax(-1, keepdim=True)
        else:
            p = torch.softmax(logits / temperature, dim=-1)
            word = torch.multinomial(p, 1, generator=g)           # (n, 1): fed back in
        out.append(word)
    return torch.cat(out, dim=1).numpy()


def until_end(ids):
    ids = list(ids)
    return tuple(ids[:ids.index(data.S_END) + 1] if data.S_END in ids else ids)


samples, grammatical, distinct = {}, [], []
for k, T in enumerate(TEMPERATURES):
    rows_g, rows_d = [], []
    for seed, model in zip(SEEDS, gens):
        s = generate(model, 0, T, seed=10 * seed + k)            # its own random numbers
        samples[T, seed] = s
        rows_g.append(np.mean([data.is_grammatical(r, 0) for r in s]))
        rows_d.append(len({until_end(r) for r in s}))
    grammatical.append(rows_g)
    distinct.append(rows_d)
    print(f"T = {T:<4} grammatical " + " ".join(f"{g:.2f}" for g in rows_g)
          + "   distinct of 300: " + " ".join(f"{d:>3}" for d in rows_d))
fig = plots.samples_by_temperature(
    TEMPERATURES, grammatical, distinct, n=300,
    title="300 sentences about the cat, per seed and temperature")

# %%
for T in (0.0, 1.0, 2.0):
    print(f"T = {T}")
    for r in samples[T, 0][:3]:
        print("   ", " ".join(data.SENTENCE_VOCAB[i] for i in until_end(r)))

# %% [markdown]
# The temperature trades correctness for variety, and the three seeds agree on the trade:
# - At $T = 0$ each generator wrote one sentence 300 times (seed 0: "a cat saw a mouse"): grammatical, and no variety at all.
# - At $T = 0.5$ every sentence was still grammatical, and 151 to 173 of the 300 were distinct.
# - At $T = 1$, the model's own distribution, 0.97 to 0.98 were grammatical, with 227 to 241 distinct.
# - At $T = 1.5$ and $T = 2$ the variety grew only a little more (up to 287 distinct), while the grammatical share fell to 0.81-0.85 and then 0.44-0.53: a flattened distribution gives the wrong words a real chance, such as "near" where a verb belongs.
#
# Text generators in use sample with $T$ somewhere below 1, often with the choice further limited to the most likely words (top-k or nucleus sampling).
#
# ## 4. Sequence to sequence: an encoder-decoder
#
# A translator cannot write one output word per input word: the output has its own length and its own order.
# An **encoder-decoder** splits the work in two recurrent layers:
# - the **encoder** reads the whole source and ends in a final state, a summary of everything it read;
# - the **decoder** is a generator, like the one of section 3, whose first state $h_0$ is the encoder's final state: topic 01 listed "an encoder's final state" as one choice of $h_0$, and here it is.
#
# The decoder trains with teacher forcing, reading the target shifted right behind `<start>`, and learns to write `<end>` when it has finished.
#
# The task has exact answers and runs in seconds: **reverse a string of 2 to 14 digits**.
# 2500 strings train, and 1000 others, with lengths drawn the same way, are held out.

# %% tags=nbval-check-output
src, tgt, lengths = data.reverse_task(2500, 2, 14, seed=0)     # (2500, 14), (2500, 15)
src_te, tgt_te, len_te = data.reverse_task(1000, 2, 14, seed=1)   # held out
for row in range(2):
    print("source:", " ".join(data.DIGIT_VOCAB[i] for i in src[row] if i != data.PAD),
          "  target:", " ".join(data.DIGIT_VOCAB[i] for i in tgt[row] if i != data.PAD))

# %%
DV = len(data.DIGIT_VOCAB)


class Seq2Seq(nn.Module):
    """src (B, S) digit ids, padded -> GRU encoder -> its final state starts a GRU
    decoder, which reads words_in (B, T) -> logits (B, T, V). With attention=True, each
    decoder step also reads a dot-product-weighted average of the encoder's outputs."""

    def __init__(self, attention=False, H=64, E=16):
        super().__init__()
        self.emb = nn.Embedding(DV, E)
        self.enc = nn.GRU(E, H, batch_first=True)
        self.dec = nn.GRU(E, H, batch_first=True)
        self.attention = attention
        self.out = nn.Linear(2 * H if attention else H, DV)

    def encode(self, src):
        """-> the encoder's outputs (B, S, H), 0 at the padding, and its final state
        (1, B, H) at each row's last real digit (packed, as in topic 05)."""
        lengths = (src != data.PAD).sum(dim=1).cpu()
        packed = pack_padded_sequence(self.emb(src), lengths, batch_first=True,
                                      enforce_sorted=False)
        out, h = self.enc(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out, h

    def decode(self, words_in, h, enc_out, src_real):
        """words_in (B, T), h (1, B, H) -> logits (B, T, V), new h, attention weights."""
        d, h = self.dec(self.emb(words_in), h)                   # (B, T, H)
        weights = None
        if self.attention:
            scores = d @ enc_out.transpose(1, 2)           # (B, T, S): dot products
            scores = scores.masked_fill(~src_real[:, None, :], float("-inf"))
            weights = scores.softmax(dim=-1)               # over the source positions
            d = torch.cat([d, weights @ enc_out], dim=-1)  # and the context (B, T, H)
        return self.out(d), h, weights

    def forward(self, src, words_in):
        enc_out, h = self.encode(src)
        return self.decode(words_in, h, enc_out, src != data.PAD)[0]


# %% [markdown]
# Three seeds, GRU encoder and decoder with 64 units each, one shared embedding of 16 for the digits, 8 epochs (200 updates):

# %%
plain = []
for seed in SEEDS:
    torch.manual_seed(seed)
    plain.append(Seq2Seq(attention=False))
plain_losses = fw.fit_teacher_forced(plain, src, tgt, start_token=data.START, epochs=8,
                                     seed=0)
print("final training loss per seed:", " ".join(f"{l[-1]:.3f}" for l in plain_losses))

# %% [markdown]
# ### Greedy decoding
#
# At test time there is no target to shift: the decoder starts from `<start>`, and each step's most likely token becomes the next step's input, until it writes `<end>`.
# This is **greedy decoding**: it picks the best token at each step, not the best sequence (beam search keeps the $k$ best partial sequences instead, at $k$ times the cost).
#
# ### Exercise 4: `greedy_decode`

# %%
# ✏️ EXERCISE greedy_decode: feed each prediction back in
def greedy_decode(step, h0, start_token, end_token, max_len):
    """step(tokens (B,) int64, h (B, H)) -> (logits (B, V), new h (B, H)); h0: (B, H).
    Returns (B, max_len) int64: the predicted tokens, then end_token after a row's
    first end_token."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("greedy_decode", "torch")

# %%
@torch.no_grad()
def greedy(model, src, steps):
    """Greedy decoding of a batch (B, S) -> predictions (B, steps), and the attention
    weights (B, steps, S) when the model has attention."""
    enc_out, h = model.encode(src)
    word, out, att = torch.full((len(src), 1), data.START), [], []
    for _ in range(steps):
        logits, h, w = model.decode(word, h, enc_out, src != data.PAD)
        word = logits.argmax(dim=-1)                              # (B, 1): fed back in
        out.append(word)
        att.append(w)
    return torch.cat(out, dim=1), (torch.cat(att, dim=1) if model.attention else None)


def scores_by_length(pred, tgt, lengths):
    """Per-token accuracy (the real target positions, END included) and exact match,
    one value per length in LENGTHS."""
    real = tgt != data.PAD
    token = ((pred == tgt) & real).sum(1) / real.sum(1)
    exact = ((pred == tgt) | ~real).all(1)
    return ([float(token[lengths == n].mean()) for n in LENGTHS],
            [float(exact[lengths == n].float().mean()) for n in LENGTHS])


LENGTHS = list(range(2, 15, 2))
src_t, tgt_t, len_t = (torch.from_numpy(a) for a in (src_te, tgt_te, len_te))
results = {}
for name, models in (("plain", plain),):
    for seed, model in zip(SEEDS, models):
        pred, _ = greedy(model, src_t, tgt_t.shape[1])
        forced = model(src_t, torch.cat([torch.full_like(tgt_t[:, :1], data.START),
                                          tgt_t[:, :-1]], dim=1)).argmax(-1)
        results[name, seed] = scores_by_length(pred, tgt_t, len_t), scores_by_length(
            forced, tgt_t, len_t)
print("length:                  " + " ".join(f"{n:>5}" for n in LENGTHS))
for (name, seed), ((tok, ex), (tok_f, _)) in results.items():
    print(f"{name}, seed {seed}, greedy   " + " ".join(f"{a:>5.2f}" for a in tok))
    print(f"{name}, seed {seed}, forced   " + " ".join(f"{a:>5.2f}" for a in tok_f))
    print(f"{name}, seed {seed}, exact    " + " ".join(f"{a:>5.2f}" for a in ex))

# %% [markdown]
# Two things show in these rows.
#
# **Exposure bias.** On the same held-out strings, the decoder scored higher per token when it read the true previous digits ("forced") than when it read its own ("greedy"): 0.63 to 0.66 against 0.40 to 0.44 at 14 digits.
# Teacher forcing only ever showed it correct histories; decoding on its own, one wrong digit becomes the next input, and the errors compound.
# The gap is called exposure bias: the model was never exposed to its own mistakes. Scheduled sampling (Bengio et al., 2015) narrows it by feeding the model's own predictions during training some of the time.
#
# **Length.** Even with the true history, the accuracy falls with the length of the string: from 1.00 at 2 digits to 0.63 to 0.66 at 14.
# Exact matches, whole strings right, fall faster: 0.96 to 0.99 at 4 digits, 0.25 to 0.28 at 8, none at 12 or 14.
#
# The TensorFlow twin's plain model, from Keras's initial weights, learns more slowly (its training loss ends higher than the 0.575 to 0.604 here), and its curves fall faster with length; the story is the same.
#
# ## 5. The bottleneck, and attention
#
# Whatever the length of the string, the decoder receives it through one vector of 64 numbers: the encoder's final state.
# Two digits fit in it easily; fourteen digits, each one of ten, in order, do not, after 200 updates.
# That is the **bottleneck** of the encoder-decoder.
#
# **Attention** (Bahdanau et al., 2014; Luong et al., 2015) removes it: the decoder keeps access to **all** the encoder's outputs, one per source position, and at every step reads a weighted average of them, its **context**.
# The weights come from the decoder's state itself: with Luong's dot-product score,
# $$e_{t,s} = d_t \cdot o_s, \qquad \alpha_{t,s} = \frac{\exp e_{t,s}}{\sum_{s'} \exp e_{t,s'}}, \qquad c_t = \sum_s \alpha_{t,s}\, o_s,$$
# where $d_t$ is the decoder's output at step $t$, $o_s$ the encoder's output at source position $s$, and padded positions get $e_{t,s} = -\infty$, so no weight.
# The head reads $[d_t; c_t]$. Nothing else changes: `Seq2Seq(attention=True)` above has exactly these lines in `decode`, and a head twice as wide (the parameter counts are printed below).
#
# ### Exercise 5: `attention_weights`

# %%
# ✏️ EXERCISE attention_weights: dot-product attention over the encoder's outputs
def attention_weights(query, keys, lengths):
    """query: (B, H) decoder state, keys: (B, S, H) encoder outputs, lengths: (B,)
    int64 real source lengths -> weights (B, S) (0 at padding, rows sum to 1),
    context (B, H)."""
    # YOUR CODE HERE
    raise NotImplementedError

# %% tags=nbval-check-output
check("attention_weights", "torch")

# %%
attn = []
for seed in SEEDS:
    torch.manual_seed(seed)
    attn.append(Seq2Seq(attention=True))
attn_losses = fw.fit_teacher_forced(attn, src, tgt, start_token=data.START, epochs=8,
                                    seed=0)
print("final training loss per seed:", " ".join(f"{l[-1]:.3f}" for l in attn_losses))
print(f"parameters: plain {fw.count_params(plain[0]):,}, with attention "
      f"{fw.count_params(attn[0]):,}")
for seed, model in zip(SEEDS, attn):
    pred, _ = greedy(model, src_t, tgt_t.shape[1])
    results["attention", seed] = scores_by_length(pred, tgt_t, len_t), None
token_acc = {name: np.array([results[name, s][0][0] for s in SEEDS]).T
             for name in ("plain", "attention")}
exact = {name: np.array([results[name, s][0][1] for s in SEEDS]).T
         for name in ("plain", "attention")}
print("length:               " + " ".join(f"{n:>10}" for n in LENGTHS))
for name in ("plain", "attention"):
    print(f"{name:<10} per token  " + " ".join(
        f"{a.min():.2f}-{a.max():.2f}" for a in token_acc[name]))
    print(f"{name:<10} exact      " + " ".join(
        f"{a.min():.2f}-{a.max():.2f}" for a in exact[name]))
fig = plots.seq2seq_by_length(LENGTHS, {"encoder-decoder": token_acc["plain"],
                                        "with attention": token_acc["attention"]},
                              {"encoder-decoder": exact["plain"],
                               "with attention": exact["attention"]}, chance=0.1,
                              title="Reversing digits: 1000 held-out strings, 3 seeds")

# %% [markdown]
# The curves separate from 6 digits on, and the seeds' ranges do not overlap from there:
# - per token, at 8 digits the plain encoder-decoder is at 0.72-0.78 and the one with attention at 0.95-0.97; at 14 digits, 0.40-0.44 against 0.62-0.82;
# - whole strings show it more starkly: at 8 digits the plain model reverses 25-28% of them exactly, the one with attention 85-89%; at 12 digits none against 52-63%.
#
# Below 6 digits the state is wide enough, and attention buys nothing (at 4 digits it is even slightly lower per token, 0.97-0.98 against 0.99).
# Attention falls too at the longest strings, with a wide spread (0.16-0.38 exact at 14 digits): 200 updates are few, and long strings are hard for any model.
# What attention removed is the bottleneck, the one vector every digit had to pass through, not the difficulty of long strings.
#
# The weights of one held-out string of 12 digits, for seed 0: row $t$ is output step $t$, and its colours say how much of each source position the context $c_t$ took.

# %%
row = int(np.flatnonzero(len_te == 12)[0])                  # the first 12-digit string
pred, weights = greedy(attn[0], src_t[row:row + 1], 13)      # weights (1, 13, 14)
read = [data.DIGIT_VOCAB[i] for i in src_te[row, :12]]
wrote = [data.DIGIT_VOCAB[p] + ("" if p == t else f" (not {data.DIGIT_VOCAB[t]})")
         for p, t in zip(pred[0].tolist(), tgt_te[row, :13])]
print("source:", " ".join(read))
print("wrote: ", " | ".join(wrote))
fig = plots.attention_heatmap(weights[0, :, :12], read, wrote,
                              title="Where each output step looked (seed 0)")

# %% [markdown]
# The weights lie along the anti-diagonal: output step 0 reads the last source position, step 1 the one before it, and so on.
# The model learned to read the source backwards, one position per step, which is what reversing is; nobody told it where to look, the weights come from dot products of learned states.
#
# In this example it went wrong once: at step 4, where its weights spread over several positions, it wrote a 2 where the 5 belonged, then wrote the 5 and went on correctly, one step late.
# Per-token accuracy counts all 9 later digits wrong although the model made one mistake, and the string is not an exact match: it is one more case of a decoder's own output feeding its next steps.

# %% [markdown]
# ## Closing quiz

# %%
quiz("06_sequence_tasks", "closing", framework="torch")

# %% [markdown]
# ## Summary
#
# - One recurrent layer serves four patterns; the readout decides. Many-to-one puts the head on the last state, (B, H); aligned many-to-many puts the same head on every step, (B, T, H) -> (B, T, C), with the loss averaged over the steps.
# - A one-to-many generator gets its conditioning input at step 0 (here in $h_0$; a captioner's image vector, a music model's style) and reads its own previous output afterwards. It trains with teacher forcing, on the targets shifted right behind a start token.
# - The temperature divides the logits: $T \to 0$ is the argmax (one sentence, 300 times), $T = 1$ the model's distribution (0.97-0.98 grammatical), $T = 2$ nearly uniform (0.44-0.53 grammatical).
# - An encoder-decoder hands the encoder's final state to the decoder as $h_0$, trains with teacher forcing and decodes greedily. Reading its own predictions it scored 0.40-0.44 per token at 14 digits against 0.63-0.66 with the true history: exposure bias.
# - All of the input passes through one state vector: the plain model's exact matches fell from 0.96-0.99 at 4 digits to 0.25-0.28 at 8. Dot-product attention over the encoder's outputs, written out in a few lines, kept 0.85-0.89 at 8 digits, and its weights learned the reversal's anti-diagonal.
#
# ## What next
#
# **07 Real data** (coming next in the course): a real text corpus and a real time series, end to end, offline, with honest baselines.
#
# ## Further reading
#
# - I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning with Neural Networks", NeurIPS 2014: the LSTM encoder-decoder (with the source reversed).
# - K. Cho et al., "Learning Phrase Representations using RNN Encoder-Decoder for Statistical Machine Translation", EMNLP 2014: the encoder-decoder and the GRU.
# - D. Bahdanau, K. Cho, Y. Bengio, "Neural Machine Translation by Jointly Learning to Align and Translate", ICLR 2015 (arXiv 2014): attention over the encoder's states.
# - M.-T. Luong, H. Pham, C. D. Manning, "Effective Approaches to Attention-based Neural Machine Translation", EMNLP 2015: dot-product ("global") attention, as written here.
# - S. Bengio, O. Vinyals, N. Jaitly, N. Shazeer, "Scheduled Sampling for Sequence Prediction with Recurrent Neural Networks", NeurIPS 2015: exposure bias and one remedy.
# - O. Vinyals, A. Toshev, S. Bengio, D. Erhan, "Show and Tell: A Neural Image Caption Generator", CVPR 2015: an image's features at step 0 of a recurrent generator.
# - A. Karpathy, "The Unreasonable Effectiveness of Recurrent Neural Networks", 2015: character-level generation and temperature.
# - A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017: attention without recurrence, the Transformer (topic 08).
