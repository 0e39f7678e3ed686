"""Prototype: character-level LM on CMUdict words; unigram/bigram/trigram baselines; GRU."""
import time, numpy as np, torch
from torch import nn
torch.set_num_threads(1)
words = open("data/cmudict_words.txt").read().split()
rng = np.random.default_rng(0); perm = rng.permutation(len(words))
tr, va, te = [[words[i] for i in perm[a:b]] for a, b in ((0, 16000), (16000, 18000), (18000, 20000))]
PAD, START, END = 0, 1, 2
chars = "abcdefghijklmnopqrstuvwxyz"; V = 3 + 26
enc = lambda w: [START] + [3 + chars.index(c) for c in w] + [END]
def ngram_ppl(n, k=0.1):
    from collections import Counter
    ctx, full = Counter(), Counter()
    for w in tr:
        s = [START] * (n - 1) + enc(w)[1:]
        for i in range(n - 1, len(s)):
            c = tuple(s[i - n + 1:i]); ctx[c] += 1; full[c + (s[i],)] += 1
    nll, cnt = 0.0, 0
    for w in te:
        s = [START] * (n - 1) + enc(w)[1:]
        for i in range(n - 1, len(s)):
            c = tuple(s[i - n + 1:i]); p = (full[c + (s[i],)] + k) / (ctx[c] + k * (V - 2))
            nll -= np.log(p); cnt += 1
    return float(np.exp(nll / cnt))
for n in (1, 2, 3, 4):
    print(f"{n}-gram test perplexity {ngram_ppl(n):.2f}")
def batchify(ws):
    seqs = [enc(w) for w in ws]; T = max(map(len, seqs)) - 1
    x = torch.zeros(len(ws), T, dtype=torch.long); y = torch.zeros(len(ws), T, dtype=torch.long)
    for i, s in enumerate(seqs):
        x[i, :len(s) - 1] = torch.tensor(s[:-1]); y[i, :len(s) - 1] = torch.tensor(s[1:])
    return x, y
class LM(nn.Module):
    def __init__(s, H=128, E=16):
        super().__init__(); s.emb = nn.Embedding(V, E); s.rnn = nn.GRU(E, H, batch_first=True); s.out = nn.Linear(H, V)
    def forward(s, x): return s.out(s.rnn(s.emb(x))[0])
def ppl(m, ws):
    x, y = batchify(ws)
    with torch.no_grad():
        l = nn.functional.cross_entropy(m(x).flatten(0, 1), y.flatten(), ignore_index=PAD, reduction="sum")
    return float(torch.exp(l / (y != PAD).sum()))
for seed in (0,):
    torch.manual_seed(seed); m = LM(); opt = torch.optim.Adam(m.parameters(), 5e-3); t0 = time.time()
    order = np.random.default_rng(seed)
    for ep in range(8):
        idx = order.permutation(len(tr))
        for i in range(0, len(tr), 64):
            x, y = batchify([tr[j] for j in idx[i:i+64]])
            loss = nn.functional.cross_entropy(m(x).flatten(0, 1), y.flatten(), ignore_index=PAD)
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
        print(f"epoch {ep+1}: val ppl {ppl(m, va):.2f}  {time.time()-t0:.1f}s")
    print("test ppl", ppl(m, te))
