import time, numpy as np, torch, sys
from torch import nn
torch.set_num_threads(1)
PAD, START, END = 0, 1, 2
V = 13
def make(n, lo, hi, seed):
    rng = np.random.default_rng(seed)
    L = rng.integers(lo, hi + 1, n)
    T = hi
    src = np.zeros((n, T), np.int64); tgt = np.zeros((n, T + 1), np.int64)
    for i, l in enumerate(L):
        d = rng.integers(3, 13, l)
        src[i, :l] = d
        tgt[i, :l] = d[::-1]; tgt[i, l] = END
    return src, tgt, L
class S2S(nn.Module):
    def __init__(self, H=64, E=16, attention=False):
        super().__init__()
        self.emb = nn.Embedding(V, E, padding_idx=PAD)
        self.enc = nn.GRU(E, H, batch_first=True)
        self.dec = nn.GRU(E, H, batch_first=True)
        self.attention = attention
        self.out = nn.Linear(2 * H if attention else H, V)
    def encode(self, src):
        return self.enc(self.emb(src))          # outs (B,S,H), h (1,B,H)
    def decode(self, y_in, h, enc_out, src_mask):
        d, h = self.dec(self.emb(y_in), h)      # (B,T,H)
        if self.attention:
            scores = d @ enc_out.transpose(1, 2)           # (B,T,S)
            scores = scores.masked_fill(~src_mask[:, None, :], -1e9)
            w = scores.softmax(-1)
            ctx = w @ enc_out
            d = torch.cat([d, ctx], -1)
        return self.out(d), h
    def forward(self, src, y_in):
        enc_out, h = self.encode(src)
        return self.decode(y_in, h, enc_out, src != PAD)[0]
def shift_right(t): return torch.cat([torch.full((t.shape[0], 1), START), t[:, :-1]], 1)
def greedy(m, src, T):
    enc_out, h = m.encode(src); mask = src != PAD
    y = torch.full((src.shape[0], 1), START); outs = []
    for _ in range(T):
        logits, h = m.decode(y, h, enc_out, mask)
        y = logits.argmax(-1); outs.append(y)
    return torch.cat(outs, 1)
hi = int(sys.argv[1]) if len(sys.argv) > 1 else 16
Xs, Ys, L = make(int(sys.argv[3]) if len(sys.argv) > 3 else 4000, 2, hi, 0); Xt, Yt, Lt = make(1000, 2, hi, 1)
Xs, Ys, Xt, Yt = map(torch.from_numpy, (Xs, Ys, Xt, Yt))
for att in (False, True):
    for seed in (0,):
        torch.manual_seed(seed); m = S2S(attention=att); opt = torch.optim.Adam(m.parameters(), 1e-2)
        t0 = time.time()
        for ep in range(int(sys.argv[2]) if len(sys.argv) > 2 else 10):
            perm = torch.randperm(len(Xs))
            for i in range(0, len(Xs), 100):
                idx = perm[i:i+100]
                logits = m(Xs[idx], shift_right(Ys[idx]))
                loss = nn.functional.cross_entropy(logits.flatten(0,1), Ys[idx].flatten(), ignore_index=PAD)
                opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
        with torch.no_grad():
            pred = greedy(m, Xt, hi + 1)
        real = Yt != PAD
        tok = ((pred == Yt) & real).sum(1).float() / real.sum(1)
        exact = ((pred == Yt) | ~real).all(1)
        by = {l: (round(float(tok[Lt == l].mean()), 2), round(float(exact[Lt == l].float().mean()), 2)) for l in range(2, hi + 1, 2)}
        print("att" if att else "plain", seed, round(time.time() - t0, 1), "s", by)
