import time, numpy as np, torch
from torch import nn
from helpers import data
torch.set_num_threads(1)
V = len(data.SENTENCE_VOCAB)
class Generator(nn.Module):
    def __init__(self, H=48, E=16):
        super().__init__()
        self.init = nn.Linear(2, H)          # the condition -> h0
        self.emb = nn.Embedding(V, E)
        self.rnn = nn.GRU(E, H, batch_first=True)
        self.out = nn.Linear(H, V)
    def h0(self, cond):
        return torch.tanh(self.init(nn.functional.one_hot(cond, 2).float()))[None]
    def forward(self, cond, y_in):
        out, _ = self.rnn(self.emb(y_in), self.h0(cond))
        return self.out(out)
cond, tok = data.sentence_task(3000, seed=0)
cond, tok = torch.from_numpy(cond), torch.from_numpy(tok)
y_in = torch.cat([torch.full((len(tok), 1), data.S_START), tok[:, :-1]], 1)
torch.manual_seed(0); m = Generator(); opt = torch.optim.Adam(m.parameters(), 1e-2)
t = time.time()
for ep in range(8):
    perm = torch.randperm(len(tok))
    for i in range(0, len(tok), 100):
        idx = perm[i:i+100]
        loss = nn.functional.cross_entropy(m(cond[idx], y_in[idx]).flatten(0, 1), tok[idx].flatten(), ignore_index=0)
        opt.zero_grad(); loss.backward(); opt.step()
print("train", round(time.time() - t, 1), "s, loss", round(loss.item(), 3))
def sample(c, T, n=300, max_len=14, seed=0):
    g = torch.Generator().manual_seed(seed)
    cc = torch.full((n,), c); h = m.h0(cc); y = torch.full((n, 1), data.S_START); out = []
    with torch.no_grad():
        for _ in range(max_len):
            o, h = m.rnn(m.emb(y), h); logits = m.out(o[:, -1])
            if T == 0: y = logits.argmax(-1, keepdim=True)
            else: y = torch.multinomial(torch.softmax(logits / T, -1), 1, generator=g)
            out.append(y)
    return torch.cat(out, 1).numpy()
for T in (0, 0.5, 1.0, 1.5, 2.0):
    s = sample(0, T)
    gram = np.mean([data.is_grammatical(r, 0) for r in s])
    distinct = len({tuple(r[: (list(r).index(data.S_END) + 1) if data.S_END in r else None]) for r in s})
    ex = " ".join(data.SENTENCE_VOCAB[i] for i in s[0] if i != 0)
    print(T, "grammatical", round(gram, 2), "distinct", distinct, "|", ex[:80])
