"""Prototype: CO2 monthly forecasting, baselines vs a GRU on normalised differences."""
import time, csv, numpy as np, torch
from torch import nn
torch.set_num_threads(1)
rows = list(csv.DictReader(open("data/co2_monthly.csv")))
months = [r["month"] for r in rows]; y = np.array([float(r["co2_ppm"]) for r in rows])
i_val, i_test = months.index("1990-01"), months.index("1996-01")
print(len(y), i_val, i_test)
def mae(a, b): return float(np.mean(np.abs(a - b)))
t_idx = np.arange(i_test, len(y))
print("naive test MAE", mae(y[t_idx], y[t_idx - 1]), " seasonal naive", mae(y[t_idx], y[t_idx - 12]))
v_idx = np.arange(i_val, i_test)
print("naive val MAE", mae(y[v_idx], y[v_idx - 1]), " seasonal naive", mae(y[v_idx], y[v_idx - 12]))
d = np.diff(y, prepend=np.nan)            # d[t] = y[t] - y[t-1]
mu, sd = np.nanmean(d[1:i_val]), np.nanstd(d[1:i_val])
z = (d - mu) / sd
W = 24
def windows(first, last):
    ts = np.arange(max(first, W + 1), last)
    X = np.stack([z[t - W:t] for t in ts])[:, :, None]
    return torch.tensor(X, dtype=torch.float32), torch.tensor(z[ts], dtype=torch.float32), ts
Xtr, ytr, _ = windows(0, i_val); Xva, yva, tva = windows(i_val, i_test); Xte, yte, tte = windows(i_test, len(y))
print(Xtr.shape, Xva.shape, Xte.shape)
class M(nn.Module):
    def __init__(s, H=32):
        super().__init__(); s.rnn = nn.GRU(1, H, batch_first=True); s.head = nn.Linear(H, 1)
    def forward(s, x): return s.head(s.rnn(x)[1][-1])[:, 0]
for seed in (0, 1, 2):
    torch.manual_seed(seed); m = M(); opt = torch.optim.Adam(m.parameters(), 1e-2)
    best, best_state, bad = 1e9, None, 0; t0 = time.time()
    g = torch.Generator().manual_seed(seed)
    for ep in range(60):
        m.train()
        for idx in torch.randperm(len(Xtr), generator=g).split(32):
            loss = nn.functional.mse_loss(m(Xtr[idx]), ytr[idx]); opt.zero_grad(); loss.backward(); opt.step()
        m.eval()
        with torch.no_grad():
            pv = m(Xva).numpy() * sd + mu
        v = mae(y[tva], y[tva - 1] + pv)
        if v < best: best, best_state, bad, best_ep = v, {k: t.clone() for k, t in m.state_dict().items()}, 0, ep
        else:
            bad += 1
            if bad >= 8: break
    m.load_state_dict(best_state)
    with torch.no_grad(): pt = m(Xte).numpy() * sd + mu
    # recursive 24 months from the end of val
    zz = list(z[:i_test]); preds = []; last = y[i_test - 1]
    with torch.no_grad():
        for h in range(24):
            dz = float(m(torch.tensor(np.array(zz[-W:]), dtype=torch.float32)[None, :, None])[0])
            zz.append(dz); last = last + dz * sd + mu; preds.append(last)
    preds = np.array(preds)
    snaive = y[i_test - 12:i_test]; snaive = np.concatenate([snaive, snaive]) # repeat last year
    print(f"seed {seed}: best epoch {best_ep}, val MAE {best:.3f}, test one-step MAE {mae(y[tte], y[tte-1] + pt):.3f}, "
          f"24-step MAE {mae(y[i_test:i_test+24], preds):.3f} (seasonal naive repeat {mae(y[i_test:i_test+24], snaive):.3f}), {time.time()-t0:.1f}s")
