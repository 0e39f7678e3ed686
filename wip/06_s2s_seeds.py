import time, numpy as np, torch, sys
from concurrent.futures import ThreadPoolExecutor
torch.set_num_threads(1)
import os
exec(open(os.path.join(os.path.dirname(__file__), "06_proto_s2s.py")).read().split("hi = int(sys.argv[1])")[0])
hi, epochs, n = 14, 8, 2500
Xs, Ys, L = make(n, 2, hi, 0); Xt, Yt, Lt = make(1000, 2, hi, 1)
Xs, Ys, Xt, Yt = map(torch.from_numpy, (Xs, Ys, Xt, Yt))
def run(att, seed):
    torch.manual_seed(seed); m = S2S(attention=att); opt = torch.optim.Adam(m.parameters(), 1e-2)
    g = torch.Generator().manual_seed(0)
    for ep in range(epochs):
        perm = torch.randperm(n, generator=g)
        for i in range(0, n, 100):
            idx = perm[i:i+100]
            logits = m(Xs[idx], shift_right(Ys[idx]))
            loss = nn.functional.cross_entropy(logits.flatten(0,1), Ys[idx].flatten(), ignore_index=PAD)
            opt.zero_grad(); loss.backward(); nn.utils.clip_grad_norm_(m.parameters(), 1.0); opt.step()
    with torch.no_grad():
        pred = greedy(m, Xt, hi + 1)
    real = Yt != PAD
    tok = ((pred == Yt) & real).sum(1).float() / real.sum(1)
    exact = ((pred == Yt) | ~real).all(1).float()
    return [round(float(tok[Lt == l].mean()), 2) for l in range(2, hi + 1, 2)], [round(float(exact[Lt == l].mean()), 2) for l in range(2, hi + 1, 2)]
t = time.time()
with ThreadPoolExecutor(2) as ex:
    res = list(ex.map(lambda a: run(*a), [(att, s) for att in (False, True) for s in (0, 1, 2)]))
print("total", round(time.time() - t, 1))
for (att, s), r in zip([(att, s) for att in (False, True) for s in (0, 1, 2)], res): print("att" if att else "plain", s, r)
