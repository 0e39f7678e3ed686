"""PyTorch side of the course. ``tf_utils`` has the same names and signatures.

Importing this module seeds PyTorch, so a notebook's numbers repeat on the same machine.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from helpers.course import SEED
from helpers.liveline import LiveLine

FRAMEWORK = "torch"


def setup(seed: int = SEED, report: bool = True) -> torch.device:
    """Seed PyTorch and return the device the notebook uses (a GPU when there is one)."""
    torch.manual_seed(seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        # The course's models are tiny: one thread is as fast as several, and on a shared 2-core
        # machine (Colab, CI) extra threads that wait for each other made cells 3-5x slower.
        torch.set_num_threads(1)
    if report:
        name = torch.cuda.get_device_name(0) if device.type == "cuda" else "CPU"
        print(f"PyTorch {torch.__version__.split('+')[0]} on {device.type} ({name})")
    return device


def count_params(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def to_numpy(t) -> np.ndarray:
    return t.detach().cpu().numpy()


def rnn_cell_weights(cell) -> dict[str, np.ndarray]:
    """Weights of ``nn.RNNCell`` / layer 0 of ``nn.RNN`` in the course's layout (x @ W, batch first).

    PyTorch stores ``weight_ih`` as (H, D) and computes x @ weight_ih.T, with two biases.
    Returns W_xh (D, H), W_hh (H, H), b_h (H,) = bias_ih + bias_hh.
    """
    sfx = "" if hasattr(cell, "weight_ih") else "_l0"
    W_ih, W_hh = getattr(cell, "weight_ih" + sfx), getattr(cell, "weight_hh" + sfx)
    b = getattr(cell, "bias_ih" + sfx) + getattr(cell, "bias_hh" + sfx)
    return {"W_xh": to_numpy(W_ih.T), "W_hh": to_numpy(W_hh.T), "b_h": to_numpy(b)}


@torch.no_grad()
def accuracy(model: nn.Module, X, y, device=None) -> float:
    """Fraction of rows of X (NumPy) whose arg-max logit equals y."""
    device = device or next(model.parameters()).device
    model.eval()
    logits = model(torch.as_tensor(X).to(device))
    return float((logits.argmax(-1).cpu() == torch.as_tensor(y)).float().mean())


def _shift_right(targets, start_token: int):
    """Teacher forcing's decoder inputs: (B, T) targets -> (B, T), start token in front."""
    return torch.cat([torch.full_like(targets[:, :1], start_token), targets[:, :-1]], dim=1)


def _train_epoch(model: nn.Module, opt, loss_fn, X_t, y_t, batch_size: int, generator,
                clip: float | None = None, start_token: int | None = None) -> float:
    """One pass over (X_t, y_t) in shuffled mini-batches; returns the mean training loss.

    ``loss_fn(model(xb), yb)`` gives a batch's mean loss; ``clip`` clips the global gradient norm.
    With ``start_token`` the model also reads the targets shifted right (teacher forcing):
    ``loss_fn(model(xb, _shift_right(yb, start_token)), yb)``.
    """
    device = next(model.parameters()).device
    model.train()
    order, total = torch.randperm(len(X_t), generator=generator), 0.0
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        xb, yb = X_t[idx].to(device), y_t[idx].to(device)
        out = model(xb) if start_token is None else model(xb, _shift_right(yb, start_token))
        loss = loss_fn(out, yb)
        opt.zero_grad()
        loss.backward()
        if clip is not None:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        total += loss.item() * len(idx)
    return total / len(order)


def fit(model: nn.Module, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
        batch_size: int = 64, seed: int = SEED, clip: float | None = None,
        X_test=None, y_test=None) -> dict:
    """Train a classifier with Adam and cross-entropy; NumPy in, plain history dict out.

    Returns {"train_loss": [...], "train_acc": [...], "val_acc": [...]}, one entry per epoch.
    With X_test, y_test it also records "test_acc" per epoch, so that the test accuracy can be
    read once, at the epoch chosen on validation (test_acc[argmax(val_acc)]), never maximised.
    """
    g = torch.Generator().manual_seed(seed)
    X_t, y_t = torch.as_tensor(X_train), torch.as_tensor(y_train)
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=lr), nn.CrossEntropyLoss()
    hist = {"train_loss": [], "train_acc": [], "val_acc": []}
    if X_test is not None:
        hist["test_acc"] = []
    line = LiveLine("training", epochs)
    for epoch in range(epochs):
        hist["train_loss"].append(_train_epoch(model, opt, loss_fn, X_t, y_t, batch_size, g, clip))
        hist["train_acc"].append(accuracy(model, X_train, y_train))
        hist["val_acc"].append(accuracy(model, X_val, y_val))
        if X_test is not None:
            hist["test_acc"].append(accuracy(model, X_test, y_test))
        line.update(epoch + 1, loss=hist["train_loss"][-1], val_acc=hist["val_acc"][-1])
    line.close()
    return hist


DEVICE = setup(report=False)


# --------------------------------------------------------------------------- topic 02
def spectral_radius(W) -> float:
    """Largest |eigenvalue| of a square matrix."""
    return float(torch.linalg.eigvals(W.detach()).abs().max())


@torch.no_grad()
def set_spectral_radius(W, rho: float):
    """Rescale the square matrix W in place so that its spectral radius is rho; returns W."""
    W.mul_(rho / spectral_radius(W))
    return W


def global_grad_norm(grads) -> float:
    """sqrt of the sum of squares of every gradient in the list (what clipping by norm measures).

    In PyTorch the list is ``[p.grad for p in model.parameters()]``.
    """
    flat = [g.detach().flatten() for g in grads if g is not None]
    return float(torch.cat(flat).norm()) if flat else 0.0


# --------------------------------------------------------------------------- topic 03
def fit_regression(model: nn.Module, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
                   batch_size: int = 100, seed: int = SEED, clip: float | None = 1.0) -> dict:
    """Train a model with one output per sequence on mean squared error; NumPy in, history out.

    Returns {"train_loss": [...], "val_mse": [...]}, one entry per epoch.
    """
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    X_t, y_t = torch.as_tensor(X_train), torch.as_tensor(y_train)
    X_v, y_v = torch.as_tensor(X_val).to(device), torch.as_tensor(y_val).to(device)
    opt, loss_fn = torch.optim.Adam(model.parameters(), lr=lr), nn.MSELoss()
    hist = {"train_loss": [], "val_mse": []}
    line = LiveLine("training", epochs)
    for epoch in range(epochs):
        hist["train_loss"].append(_train_epoch(model, opt, loss_fn, X_t, y_t, batch_size, g, clip))
        model.eval()
        with torch.no_grad():
            hist["val_mse"].append(float(loss_fn(model(X_v), y_v)))
        line.update(epoch + 1, loss=hist["train_loss"][-1], val_mse=hist["val_mse"][-1])
    line.close()
    return hist


def lstm_weights(layer) -> dict[str, np.ndarray]:
    """Weights of ``nn.LSTM`` (layer 0) / ``nn.LSTMCell`` in the course layout, gate order i, f, g, o.

    PyTorch stores weight_ih (4H, D) and weight_hh (4H, H), rows in gate order i, f, g, o, and two
    biases. Returns W_x (D, 4H), W_h (H, 4H), b (4H,) = bias_ih + bias_hh, for z = x W_x + h W_h + b.
    """
    sfx = "" if hasattr(layer, "weight_ih") else "_l0"
    W_ih, W_hh = getattr(layer, "weight_ih" + sfx), getattr(layer, "weight_hh" + sfx)
    b = getattr(layer, "bias_ih" + sfx) + getattr(layer, "bias_hh" + sfx)
    return {"W_x": to_numpy(W_ih.T), "W_h": to_numpy(W_hh.T), "b": to_numpy(b)}


def hidden_grad_norms(cell, head, x, y) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T: ``cell`` (nn.RNNCell, nn.GRUCell or nn.LSTMCell) reads x (B, T, D)
    from zero states, the loss is the cross-entropy of head(h_T) against y (B,); norms in float64."""
    h = torch.zeros(x.shape[0], cell.hidden_size)
    c = torch.zeros_like(h)
    hs = []
    for x_t in torch.as_tensor(x).unbind(1):                 # x_t: (B, D)
        if isinstance(cell, nn.LSTMCell):
            h, c = cell(x_t, (h, c))
        else:
            h = cell(x_t, h)
        h.retain_grad()                                      # keep dL/dh_t after backward()
        hs.append(h)
    nn.functional.cross_entropy(head(h), torch.as_tensor(y)).backward()
    return np.array([s.grad.double().norm().item() for s in hs])


def lstm_gradient_paths(weights: dict, head, x, y) -> dict[str, float]:
    """Split the gradient that reaches the first cell state c_1 into the direct path and the rest.

    weights: an LSTM in the course layout, {"W_x": (D, 4H), "W_h": (H, 4H), "b": (4H,)} (as
    ``lstm_weights`` gives it); head: (W_out (H, C), b_out (C,)); x: (B, T, D); y: (B,) class ids.
    The LSTM reads x from zero states; the loss is the mean cross-entropy of h_T W_out + b_out.
    In float64, returns the norms (over the batch and the units) of
      "last":   dL/dc_T, the gradient reaching the last cell state;
      "total":  dL/dc_1, through every path (autograd);
      "direct": dL/dc_T * f_T * ... * f_2, the path along the cell state alone, every gate held
                fixed: the part of dL/dc_1 that the forget gates carry by themselves.
    """
    W_x, W_h, b, W_out, b_out = (torch.as_tensor(w).detach().double().clone().requires_grad_()
                                 for w in (weights["W_x"], weights["W_h"], weights["b"], *head))
    x = torch.as_tensor(np.asarray(x), dtype=torch.float64)
    h = c = torch.zeros(x.shape[0], W_h.shape[0], dtype=torch.float64)
    cells, forget = [], []
    for x_t in x.unbind(1):                                  # x_t: (B, D)
        z_i, z_f, z_g, z_o = (x_t @ W_x + h @ W_h + b).chunk(4, dim=1)
        f = torch.sigmoid(z_f)
        c = f * c + torch.sigmoid(z_i) * torch.tanh(z_g)
        h = torch.sigmoid(z_o) * torch.tanh(c)
        c.retain_grad()
        cells.append(c)
        forget.append(f.detach())
    nn.functional.cross_entropy(h @ W_out + b_out, torch.as_tensor(np.asarray(y)).long()).backward()
    direct = cells[-1].grad * torch.stack(forget[1:]).prod(0)  # (B, H)
    return {"last": float(cells[-1].grad.norm()), "total": float(cells[0].grad.norm()),
            "direct": float(direct.norm())}


@torch.no_grad()
def init_forget_bias(layer, value: float):
    """Set the forget gate's bias of ``nn.LSTM`` layer 0 to ``value`` (bias_ih block f = value, bias_hh block f = 0)."""
    H = layer.hidden_size
    layer.bias_ih_l0[H:2 * H] = value
    layer.bias_hh_l0[H:2 * H] = 0.0
    return layer


# --------------------------------------------------------------------------- topic 02 exercises (course versions)
def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):
    """Backward of one step h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b), by hand.

    dh_t, h_prev, h_t: (B, H), x_t: (B, D), W_xh: (D, H), W_hh: (H, H) ->
    (dx_t (B, D), dh_prev (B, H), dW_xh (D, H), dW_hh (H, H), db (H,)). b is not needed: the
    tanh's derivative is written with its output, 1 - h_t**2.
    """
    da = dh_t * (1 - h_t ** 2)                       # (B, H): through the tanh
    return da @ W_xh.T, da @ W_hh.T, x_t.T @ da, h_prev.T @ da, da.sum(dim=0)


def sequence_mask(lengths, T: int) -> torch.Tensor:
    """(B, T) float mask of a padded batch: 1.0 where t < lengths[b] (a real step), 0.0 at the padding."""
    lengths = torch.as_tensor(lengths)
    return (torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]).float()


def masked_mean_loss(step_losses, lengths):
    """Mean of the per-step losses (B, T) over the real steps only (t < lengths[b]); a scalar tensor.

    Equals the mean loss of the unpadded sequences put end to end. Padded values never count,
    not even NaN or inf ones.
    """
    mask = sequence_mask(torch.as_tensor(lengths, device=step_losses.device), step_losses.shape[1])
    real = torch.where(mask > 0, step_losses, torch.zeros_like(step_losses))
    return real.sum() / mask.sum().to(step_losses.dtype)


def train_tbptt(cell, head, x, y, k: int, lr: float) -> list[float]:
    """Truncated backpropagation through time with plain SGD on one batch of long sequences.

    ``cell`` is an ``nn.RNNCell(D, H)``, ``head`` an ``nn.Linear(H, 1)``; x (B, T, D) and y (B, T)
    (tensors or NumPy). The sequence is cut into chunks of k steps (the last one may be shorter);
    the state is carried from chunk to chunk but detached at every boundary, and each chunk gets one
    SGD step (learning rate lr) on the mean squared error of its B x k predictions. Returns the chunk
    losses as floats, each computed before its chunk's update.
    """
    weight = next(cell.parameters())                 # data and state: its dtype and device
    x = torch.as_tensor(x, dtype=weight.dtype, device=weight.device)
    y = torch.as_tensor(y, dtype=weight.dtype, device=weight.device)
    opt = torch.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=lr)
    B, T = x.shape[0], x.shape[1]
    h = weight.new_zeros(B, cell.hidden_size)
    losses = []
    for start in range(0, T, k):
        h = h.detach()                               # keep the value, cut the graph
        errors = []
        for t in range(start, min(start + k, T)):
            h = cell(x[:, t], h)
            errors.append((head(h).squeeze(-1) - y[:, t]) ** 2)
        loss = torch.stack(errors).mean()
        opt.zero_grad()
        loss.backward()                              # through this chunk only
        opt.step()
        losses.append(loss.item())
    return losses


# ---- topic 03 (revision)
def _cpu_cores() -> int:
    """CPU cores this process may use (not the host's count, which a container may hide)."""
    import os
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _tagging_loss(logits, y):
    """Mean cross-entropy over every step: logits (B, T, C), labels y (B, T)."""
    return nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())


def _task_loss(task: str):
    """loss_fn(outputs, y) of a task: "regression" (B,), "classification" (B, C), "tagging" (B, T, C)."""
    return {"regression": nn.MSELoss(), "classification": nn.CrossEntropyLoss(),
            "tagging": _tagging_loss}[task]


def _side_by_side(models: list, train, epochs: int, done: list) -> list:
    """train(model, k) for every model, on a CPU in threads (one per core, each single-threaded).

    ``done[k]`` counts the epochs model k has finished; a status line shows their sum.
    Returns the results of ``train`` in the order of ``models``.
    """
    from concurrent.futures import ThreadPoolExecutor, wait

    line = LiveLine(f"{len(models)} model{'s' * (len(models) != 1)}", epochs * len(models))
    on_cpu = all(next(m.parameters()).device.type == "cpu" for m in models)
    workers = min(len(models), _cpu_cores()) if on_cpu else 1
    threads = torch.get_num_threads()
    if workers > 1:
        torch.set_num_threads(1)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(train, m, k) for k, m in enumerate(models)]
            while not all(f.done() for f in futures):
                wait(futures, timeout=0.5)
                line.update(sum(done))
            line.close()
            return [f.result() for f in futures]
    finally:
        torch.set_num_threads(threads)


def _seeds_per_model(seed, n_models: int) -> list[int]:
    """``seed`` (an int: the same for every model, or a list of one per model) as a list of n."""
    seeds = [seed] * n_models if isinstance(seed, (int, np.integer)) else [int(s) for s in seed]
    if len(seeds) != n_models:
        raise ValueError(f"seed: one int, or one seed per model ({n_models}), not {len(seeds)}")
    return seeds


def fit_runs(models: list, X_train, y_train, X_val, y_val, X_test=None, y_test=None,
             task: str = "regression", epochs: int = 10, lr: float = 1e-2,
             batch_size: int = 100, seed: int | list[int] = SEED,
             clip: float | None = None) -> list[dict]:
    """Train several independent models on the same data, each exactly as if it were alone.

    Every model gets its own Adam (learning rate lr), the loss of ``task`` ("regression": mean
    squared error on outputs (B,); "classification": cross-entropy on logits (B, C); "tagging":
    cross-entropy on logits (B, T, C) against one label per step, y (B, T)), its own
    global gradient norm clipped at ``clip``, and shuffled mini-batches from ``seed``: one int
    gives every model the same batches, a list (one seed per model) each model its own order.
    On a CPU the models train side by side in threads, one per core, each running its operations
    single-threaded: small recurrent models train faster this way than one after the other.
    Returns one history per model, {"train_loss", "val_mse"} or {"train_loss", "val_acc"} (for
    tagging: the share of steps tagged right), one entry per epoch; with X_test also "test_mse" /
    "test_acc" per epoch, to be read once, at the epoch chosen on validation.
    """
    if task not in ("regression", "classification", "tagging"):
        raise ValueError(f"task must be 'regression', 'classification' or 'tagging', not {task!r}")
    name = "mse" if task == "regression" else "acc"
    X_t, y_t = torch.as_tensor(X_train), torch.as_tensor(y_train)
    splits = {"val": (X_val, y_val)} if X_test is None else {"val": (X_val, y_val),
                                                              "test": (X_test, y_test)}

    @torch.no_grad()
    def score(model, X, y) -> float:
        model.eval()
        device = next(model.parameters()).device
        out = model(torch.as_tensor(X).to(device)).cpu()
        if task == "regression":
            return float(nn.functional.mse_loss(out, torch.as_tensor(y)))
        return float((out.argmax(-1) == torch.as_tensor(y)).float().mean())

    seeds = _seeds_per_model(seed, len(models))
    done = [0] * len(models)                              # epochs finished, per model

    def train(model, k: int = 0) -> dict:
        g = torch.Generator().manual_seed(seeds[k])      # model k's order of the batches
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        loss_fn = _task_loss(task)
        hist = {"train_loss": [], **{f"{s}_{name}": [] for s in splits}}
        for _ in range(epochs):
            hist["train_loss"].append(_train_epoch(model, opt, loss_fn, X_t, y_t, batch_size, g,
                                                   clip))
            for s, (X, y) in splits.items():
                hist[f"{s}_{name}"].append(score(model, X, y))
            done[k] += 1
        return hist

    return _side_by_side(models, train, epochs, done)


# ---- topic 02 (revision)
def largest_singular_value(W) -> float:
    """sigma_max(W) = ||W||_2, the most W can stretch a vector; never below the spectral radius."""
    return float(torch.linalg.matrix_norm(torch.as_tensor(W).detach().double(), ord=2))


# ---- topic 04
def time_train_steps(models: dict, X, y, task: str = "regression", batch_size: int = 50,
                     batches: int = 5, repeats: int = 7) -> dict[str, list[float]]:
    """Milliseconds one training step (forward, backward and a plain gradient step on a
    mini-batch of ``batch_size`` sequences of X (N, T, D)) takes for each of ``models``
    ({name: model}), measured ``repeats`` times each.

    Every model first runs two untimed warm-up steps; then the measurements are interleaved
    (model 1, model 2, ..., model 1, ...), each the mean over ``batches`` steps, so that a
    slow spell of the machine falls on every model alike. The weights change: time fresh copies.
    Returns {name: [ms per step, one per repeat]}.
    """
    import time

    def make_step(model):
        device = next(model.parameters()).device
        X_t, y_t = torch.as_tensor(X).to(device), torch.as_tensor(y).to(device)
        n = max(1, len(X) // batch_size)
        loss_fn, opt = _task_loss(task), torch.optim.SGD(model.parameters(), lr=1e-3)
        model.train()

        def step(i):
            rows = slice((i % n) * batch_size, (i % n + 1) * batch_size)
            xb, yb = X_t[rows], y_t[rows]
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
            if device.type == "cuda":
                torch.cuda.synchronize()
        return step

    steps = {name: make_step(model) for name, model in models.items()}
    for step in steps.values():                     # warm-up, not timed
        step(0), step(1)
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            for i in range(batches):
                step(i)
            times[name].append((time.perf_counter() - start) / batches * 1e3)
    return times


def time_per_epoch(model: nn.Module, X, y, task: str = "regression", batch_size: int = 50,
                   batches: int = 5, repeats: int = 3) -> list[float]:
    """Seconds one training epoch of ``model`` on (X, y) takes on this machine, measured ``repeats`` times:
    ``time_train_steps`` scaled to the len(X) / batch_size mini-batches of an epoch."""
    ms = time_train_steps({"model": model}, X, y, task, batch_size, batches, repeats)["model"]
    return [t / 1e3 * len(X) / batch_size for t in ms]


def operator_calls(fn) -> list[tuple[str, int, float]]:
    """Run ``fn()`` once under ``torch.profiler`` (CPU) and list the operators it called:
    [(name, calls, own CPU time in ms)], the most time first. The profiler's own log lines
    (written to the process's stderr) are kept out of the output."""
    import os
    from torch.profiler import ProfilerActivity, profile

    saved, null = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            fn()
    finally:
        os.dup2(saved, 2)
        os.close(saved), os.close(null)
    rows = [(e.key, e.count, e.self_cpu_time_total / 1e3) for e in prof.key_averages()]
    return sorted(rows, key=lambda r: -r[2])


# ---- topic 06: sequence tasks
def teacher_forcing_loss(logits, targets, pad: int = 0):
    """Mean cross-entropy over the real target positions: logits (B, T, V), targets (B, T);
    positions holding ``pad`` (after the end token) count for nothing."""
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=pad)


def fit_teacher_forced(models: list, inputs, targets, start_token: int, epochs: int = 8,
                       lr: float = 1e-2, batch_size: int = 100, seed: int = SEED,
                       clip: float | None = 1.0) -> list[list[float]]:
    """Train sequence models with teacher forcing, each exactly as if it were alone.

    ``model(inputs[idx], y_in)`` -> logits (B, T, V), where y_in is targets[idx] (B, T) shifted
    right behind ``start_token``; the loss is ``teacher_forcing_loss`` (PAD = 0 ignored).
    Every model gets its own Adam, its own global gradient norm clipped at ``clip``, and the
    same shuffled mini-batches (from ``seed``); on a CPU they train side by side, as in
    ``fit_runs``. Returns each model's mean training loss per epoch.
    """
    X_t, y_t = torch.as_tensor(inputs), torch.as_tensor(targets)
    done = [0] * len(models)

    def train(model, k: int) -> list[float]:
        g = torch.Generator().manual_seed(seed)          # the same batches for every model
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        losses = []
        for _ in range(epochs):
            losses.append(_train_epoch(model, opt, teacher_forcing_loss, X_t, y_t, batch_size,
                                       g, clip, start_token=start_token))
            done[k] += 1
        return losses

    return _side_by_side(models, train, epochs, done)


# ---- topic 08: limits of RNNs and the course's ladder
class BagClassifier(nn.Module):
    """The feed-forward network of topic 01 on a bag: inputs (B, T, D) summed over the steps, so
    that order is lost, then Linear -> ReLU -> Linear to class scores (B, C)."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 32):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, n_classes))

    def forward(self, x):
        return self.net(x.sum(dim=1))


class RecurrentClassifier(nn.Module):
    """(B, T, D) -> nn.RNN / nn.LSTM / nn.GRU (``layers``, optionally bidirectional) -> the last
    layer's final state (both directions' for a bidirectional one) -> class scores (B, C).
    LSTMs start with forget-gate bias 1 in every layer and direction, as Keras's do (topic 03)."""

    def __init__(self, kind: str, dim: int, n_classes: int, hidden: int = 32, layers: int = 1,
                 bidirectional: bool = False):
        super().__init__()
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](
            dim, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional)
        if kind == "lstm":                     # every layer and direction, as Keras
            with torch.no_grad():
                for name, bias in self.rnn.named_parameters():
                    if name.startswith("bias_"):
                        bias[hidden:2 * hidden] = 1.0 if name.startswith("bias_ih") else 0.0
        self.bidirectional = bidirectional
        self.head = nn.Linear(hidden * (2 if bidirectional else 1), n_classes)

    def forward(self, x):
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state        # (layers * dirs, B, H)
        last = torch.cat([h_n[-2], h_n[-1]], dim=1) if self.bidirectional else h_n[-1]
        return self.head(last)


class AttentionClassifier(nn.Module):
    """One self-attention layer that answers at the last step: (B, T, D) -> Linear to width H,
    plus sinusoidal positional encodings (unless ``positions`` is False) -> the last step's query
    attends to every step (nn.MultiheadAttention, ``heads`` heads) -> residual -> a two-layer
    MLP -> class scores (B, C). Sequences up to ``max_len`` steps."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 32, heads: int = 2,
                 max_len: int = 1024, positions: bool = True):
        super().__init__()
        from helpers.limits import sinusoidal_positions
        self.embed = nn.Linear(dim, hidden)
        self.positions = positions
        self.register_buffer("pe", torch.from_numpy(sinusoidal_positions(max_len, hidden)))
        self.attention = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, hidden), nn.ReLU(),
                                  nn.Linear(hidden, n_classes))

    def forward(self, x):
        z = self.embed(x)                                           # (B, T, H)
        if self.positions:
            z = z + self.pe[:x.shape[1]]
        query = z[:, -1:]                                           # (B, 1, H): the last step
        read, _ = self.attention(query, z, z, need_weights=False)   # (B, 1, H)
        return self.head((query + read)[:, 0])


def ladder_model(name: str, dim: int, n_classes: int, hidden: int = 32) -> nn.Module:
    """One of the course's architectures (``helpers.limits.LADDER``) as a classifier of sequences
    (B, T, dim) -> class scores (B, n_classes), hidden width ``hidden``."""
    from helpers.limits import LADDER_RECURRENT
    if name == "FFN on the bag":
        return BagClassifier(dim, n_classes, hidden)
    if name == "attention":
        return AttentionClassifier(dim, n_classes, hidden)
    if name not in LADDER_RECURRENT:
        raise ValueError(f"unknown model {name!r}")
    kind, layers, bidirectional = LADDER_RECURRENT[name]
    return RecurrentClassifier(kind, dim, n_classes, hidden, layers, bidirectional)
