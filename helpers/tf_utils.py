"""TensorFlow / Keras side of the course. ``torch_utils`` has the same names and signatures.

Importing this module quiets TensorFlow's C++ logs (before TensorFlow loads) and seeds it.
"""
from __future__ import annotations

import logging

from helpers.course import SEED, quiet_framework_logs
from helpers.liveline import LiveLine

quiet_framework_logs()

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

FRAMEWORK = "tensorflow"


def setup(seed: int = SEED, report: bool = True) -> str:
    """Seed TensorFlow/Keras and return the device the notebook uses (a GPU when there is one)."""
    keras.utils.set_random_seed(seed)
    gpus = tf.config.list_physical_devices("GPU")
    device = "/GPU:0" if gpus else "/CPU:0"
    if report:
        print(f"TensorFlow {tf.__version__} (Keras {keras.__version__}) on "
              f"{'gpu (' + gpus[0].name + ')' if gpus else 'cpu (CPU)'}")
    return device


def count_params(model) -> int:
    """Number of trainable parameters (the model must be built)."""
    return int(sum(np.prod(v.shape) for v in model.trainable_weights))


def to_numpy(t) -> np.ndarray:
    return np.asarray(t)


def rnn_cell_weights(cell) -> dict[str, np.ndarray]:
    """Weights of ``keras.layers.SimpleRNNCell`` / ``SimpleRNN`` in the course's layout (x @ W).

    Keras already stores kernel (D, H) and recurrent_kernel (H, H) for x @ W, with one bias.
    Returns W_xh (D, H), W_hh (H, H), b_h (H,).
    """
    cell = getattr(cell, "cell", cell)
    return {"W_xh": np.asarray(cell.kernel), "W_hh": np.asarray(cell.recurrent_kernel),
            "b_h": np.asarray(cell.bias)}


def accuracy(model, X, y, device=None) -> float:
    """Fraction of rows of X (NumPy) whose arg-max logit equals y.

    ``predict_on_batch`` runs the model as a compiled graph: an eager call would step a
    recurrent layer through time in Python, several times slower.
    """
    logits = model.predict_on_batch(np.asarray(X))
    return float(np.mean(np.argmax(np.asarray(logits), axis=-1) == y))


def fit(model, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
        batch_size: int = 64, seed: int = SEED, clip: float | None = None,
        X_test=None, y_test=None) -> dict:
    """Train a classifier with Adam and cross-entropy; NumPy in, plain history dict out.

    Returns {"train_loss": [...], "train_acc": [...], "val_acc": [...]}, one entry per epoch.
    With X_test, y_test it also records "test_acc" per epoch, so that the test accuracy can be
    read once, at the epoch chosen on validation (test_acc[argmax(val_acc)]), never maximised.
    """
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr, global_clipnorm=clip),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = {"train_loss": [], "train_acc": [], "val_acc": []}
    if X_test is not None:
        hist["test_acc"] = []
    line = LiveLine("training", epochs)
    for epoch in range(epochs):
        h = model.fit(X_train, y_train, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
        hist["train_loss"].append(float(h.history["loss"][0]))
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
    return float(np.max(np.abs(np.linalg.eigvals(np.asarray(W, dtype=np.float64)))))


def set_spectral_radius(W, rho: float):
    """Rescale the square variable W in place so that its spectral radius is rho; returns W."""
    W.assign(W * (rho / spectral_radius(W)))
    return W


def global_grad_norm(grads) -> float:
    """sqrt of the sum of squares of every gradient in the list (what clipping by norm measures)."""
    return float(tf.linalg.global_norm([g for g in grads if g is not None]))


# --------------------------------------------------------------------------- topic 03
def fit_regression(model, X_train, y_train, X_val, y_val, epochs: int = 10, lr: float = 1e-2,
                   batch_size: int = 100, seed: int = SEED, clip: float | None = 1.0) -> dict:
    """Train a model with one output per sequence on mean squared error; NumPy in, history out.

    Returns {"train_loss": [...], "val_mse": [...]}, one entry per epoch.
    """
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr, global_clipnorm=clip), loss="mse")
    line = LiveLine("training", epochs)
    show = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: line.update(
        epoch + 1, loss=logs.get("loss"), val_mse=logs.get("val_loss")))
    h = model.fit(X_train, y_train, batch_size=batch_size, epochs=epochs, shuffle=True,
                  validation_data=(X_val, y_val), verbose=0, callbacks=[show])
    line.close()
    return {"train_loss": [float(v) for v in h.history["loss"]],
            "val_mse": [float(v) for v in h.history["val_loss"]]}


def lstm_weights(layer) -> dict[str, np.ndarray]:
    """Weights of ``keras.layers.LSTM`` / ``LSTMCell`` in the course layout, gate order i, f, g, o.

    Keras stores kernel (D, 4H) and recurrent_kernel (H, 4H) with columns in gate order
    i, f, c (the candidate, our g), o, and one bias: already the course layout.
    Returns W_x (D, 4H), W_h (H, 4H), b (4H,), for z = x W_x + h W_h + b.
    """
    cell = getattr(layer, "cell", layer)
    return {"W_x": np.asarray(cell.kernel), "W_h": np.asarray(cell.recurrent_kernel),
            "b": np.asarray(cell.bias)}


def hidden_grad_norms(cell, head, x, y) -> np.ndarray:
    """||dL/dh_t|| for t = 1..T: ``cell`` (a Keras SimpleRNNCell, GRUCell or LSTMCell) reads x
    (B, T, D) from zero states, the loss is the cross-entropy of head(h_T) against y (B,)."""
    x = tf.constant(np.asarray(x, np.float32))
    h = tf.zeros((x.shape[0], cell.units))
    state = [h, h] if isinstance(cell, keras.layers.LSTMCell) else [h]
    hs = []
    with tf.GradientTape() as tape:                          # records every step
        for x_t in tf.unstack(x, axis=1):                    # x_t: (B, D)
            h, state = cell(x_t, state)
            hs.append(h)
        loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
            tf.constant(np.asarray(y)), head(h), from_logits=True))
    return np.array([float(tf.norm(tf.cast(g, tf.float64))) for g in tape.gradient(loss, hs)])


def lstm_gradient_paths(weights: dict, head, x, y) -> dict[str, float]:
    """Split the gradient that reaches the first cell state c_1 into the direct path and the rest.

    weights: an LSTM in the course layout, {"W_x": (D, 4H), "W_h": (H, 4H), "b": (4H,)} (as
    ``lstm_weights`` gives it); head: (W_out (H, C), b_out (C,)); x: (B, T, D); y: (B,) class ids.
    The LSTM reads x from zero states; the loss is the mean cross-entropy of h_T W_out + b_out.
    In float64, returns the norms (over the batch and the units) of
      "last":   dL/dc_T, the gradient reaching the last cell state;
      "total":  dL/dc_1, through every path (GradientTape);
      "direct": dL/dc_T * f_T * ... * f_2, the path along the cell state alone, every gate held
                fixed: the part of dL/dc_1 that the forget gates carry by themselves.
    """
    W_x, W_h, b, W_out, b_out = (tf.constant(np.asarray(w), tf.float64)
                                 for w in (weights["W_x"], weights["W_h"], weights["b"], *head))
    x = tf.constant(np.asarray(x), tf.float64)
    h = c = tf.zeros((x.shape[0], W_h.shape[0]), tf.float64)
    cells, forget = [], []
    with tf.GradientTape() as tape:
        tape.watch([W_x, W_h, b])                            # record every step
        for x_t in tf.unstack(x, axis=1):                    # x_t: (B, D)
            z_i, z_f, z_g, z_o = tf.split(x_t @ W_x + h @ W_h + b, 4, axis=1)
            f = tf.sigmoid(z_f)
            c = f * c + tf.sigmoid(z_i) * tf.tanh(z_g)
            h = tf.sigmoid(z_o) * tf.tanh(c)
            cells.append(c)
            forget.append(f)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            tf.constant(np.asarray(y), tf.int64), h @ W_out + b_out))
    first, last = tape.gradient(loss, [cells[0], cells[-1]])
    direct = last * tf.reduce_prod(tf.stack(forget[1:]), axis=0)   # (B, H)
    return {"last": float(tf.norm(last)), "total": float(tf.norm(first)),
            "direct": float(tf.norm(direct))}


def init_forget_bias(layer, value: float):
    """Set the forget gate's bias of a built ``keras.layers.LSTM`` to ``value`` (block f of its single bias)."""
    cell = getattr(layer, "cell", layer)
    H = cell.units
    b = np.asarray(cell.bias).copy()
    b[H:2 * H] = value
    cell.bias.assign(b)
    return layer


# --------------------------------------------------------------------------- topic 02 exercises (course versions)
def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):
    """Backward of one step h_t = tanh(x_t @ W_xh + h_prev @ W_hh + b), by hand.

    dh_t, h_prev, h_t: (B, H), x_t: (B, D), W_xh: (D, H), W_hh: (H, H) ->
    (dx_t (B, D), dh_prev (B, H), dW_xh (D, H), dW_hh (H, H), db (H,)). b is not needed: the
    tanh's derivative is written with its output, 1 - h_t**2.
    """
    da = dh_t * (1 - h_t ** 2)                       # (B, H): through the tanh
    return (tf.matmul(da, W_xh, transpose_b=True), tf.matmul(da, W_hh, transpose_b=True),
            tf.matmul(x_t, da, transpose_a=True), tf.matmul(h_prev, da, transpose_a=True),
            tf.reduce_sum(da, axis=0))


def sequence_mask(lengths, T: int):
    """(B, T) float mask of a padded batch: 1.0 where t < lengths[b] (a real step), 0.0 at the padding."""
    return tf.sequence_mask(lengths, T, dtype=tf.float32)


def masked_mean_loss(step_losses, lengths):
    """Mean of the per-step losses (B, T) over the real steps only (t < lengths[b]); a scalar tensor.

    Equals the mean loss of the unpadded sequences put end to end. Padded values never count,
    not even NaN or inf ones.
    """
    mask = tf.cast(sequence_mask(lengths, tf.shape(step_losses)[1]), step_losses.dtype)
    real = tf.where(mask > 0, step_losses, tf.zeros_like(step_losses))
    return tf.reduce_sum(real) / tf.reduce_sum(mask)


def train_tbptt(cell, head, x, y, k: int, lr: float) -> list[float]:
    """Truncated backpropagation through time with plain SGD on one batch of long sequences.

    ``cell`` is a ``keras.layers.SimpleRNNCell(H)``, ``head`` a ``keras.layers.Dense(1)`` (built here
    if they are not yet); x (B, T, D) and y (B, T) (tensors or NumPy). The sequence is cut into chunks
    of k steps (the last one may be shorter); the state is carried from chunk to chunk but cut at every
    boundary (a fresh GradientTape per chunk, tf.stop_gradient for clarity), and each chunk gets one SGD
    step (learning rate lr) on the mean squared error of its B x k predictions. Returns the chunk losses
    as floats, each computed before its chunk's update.
    """
    x = tf.convert_to_tensor(x, dtype=tf.float32)
    y = tf.convert_to_tensor(y, dtype=tf.float32)
    B, T = int(x.shape[0]), int(x.shape[1])
    if not cell.built:
        cell.build((None, int(x.shape[-1])))
    if not head.built:
        head.build((None, cell.units))
    variables = cell.trainable_variables + head.trainable_variables
    h = tf.zeros((B, cell.units))
    losses = []
    for start in range(0, T, k):
        h = tf.stop_gradient(h)                      # keep the value, cut the graph
        with tf.GradientTape() as tape:              # records this chunk only
            errors = []
            for t in range(start, min(start + k, T)):
                _, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(lr * g)
        losses.append(float(loss))
    return losses


# ---- topic 03 (revision)
def _last_output(layer, x):
    """The last output of a built ``keras.layers.LSTM`` on x (B, T, D): (B, H).

    The same numbers and gradients as ``layer(x)``, computed faster on a CPU: the LSTM runs as
    TensorFlow's fused op BlockLSTM, the whole sequence in one C++ kernel, which wants the gate
    blocks in the order i, c, f, o (Keras: i, f, c, o) and adds ``forget_bias`` (here 0) itself.
    """
    cell = layer.cell
    x_tm = tf.transpose(x, [1, 0, 2])                                 # (T, B, D): time first
    H = cell.units
    h0 = tf.zeros((tf.shape(x)[0], H))
    icfo = np.concatenate([np.arange(H), np.arange(2 * H, 3 * H), np.arange(H, 2 * H),
                           np.arange(3 * H, 4 * H)])
    w = tf.gather(tf.concat([cell.kernel, cell.recurrent_kernel], axis=0), icfo, axis=1)
    zeros = tf.zeros((H,))
    out = tf.raw_ops.BlockLSTM(
        seq_len_max=tf.cast(tf.shape(x)[1], tf.int64), x=x_tm, cs_prev=h0, h_prev=h0, w=w,
        wci=zeros, wcf=zeros, wco=zeros, b=tf.gather(cell.bias, icfo), forget_bias=0.0,
        cell_clip=-1.0, use_peephole=False)
    return out[6][-1]                                             # h of every step -> h_T


# ---- topic 04
def _layer_stack(rnn) -> list:
    """The recurrent layers of a model's ``.rnn``: one layer, or a ``keras.Sequential`` stack."""
    return list(rnn.layers) if isinstance(rnn, keras.Sequential) else [rnn]


def _last_outputs_stacked(stacks, x):
    """The last outputs (B, H) of several models' recurrent stacks of one structure on x.

    ``stacks``: M lists of built SimpleRNN or GRU layers, the same kinds and sizes in the same
    order, every layer but the last returning its whole sequence. The models are independent;
    their weights are stacked along a new first axis (M models), so that every time step is one
    batched matrix product for all of them: the same numbers and gradients as each model alone, in
    a graph M times smaller. Each layer's input term is computed for the whole sequence at once.
    SimpleRNNs then step through time in a Python loop (inside tf.function: one small graph per
    step, faster here than a tf.while_loop); GRUs in ``_gru_sequence``'s compiled loops.
    """
    seq = tf.transpose(x, [1, 0, 2])                                  # (T, B, D): time first
    for depth in range(len(stacks[0])):
        layers = [stack[depth] for stack in stacks]
        cells = [layer.cell for layer in layers]

        def stack(name):                                              # (M, ...) of one weight
            return tf.stack([tf.convert_to_tensor(getattr(c, name)) for c in cells])

        kernel, recurrent = stack("kernel"), stack("recurrent_kernel")   # (M, D, K), (M, H, K)
        pattern = "tbd,mdk->tmbk" if depth == 0 else "tmbd,mdk->tmbk"   # shared x or (T, M, B, D)
        if isinstance(layers[0], keras.layers.SimpleRNN):
            h = tf.zeros((len(cells), tf.shape(x)[0], cells[0].units))   # (M, B, H)
            states = []
            for xw_t in tf.unstack(tf.einsum(pattern, seq, kernel) + stack("bias")[:, None]):
                h = tf.tanh(xw_t + h @ recurrent)                        # (M, B, H)
                states.append(h)
            seq = tf.stack(states)                                        # (T, M, B, H)
        else:
            bias = stack("bias")                                          # (M, 2, 3H)
            a = tf.einsum(pattern, seq, kernel) + bias[:, :1]             # (T, M, B, 3H)
            seq = _gru_sequence(a, recurrent, bias[:, 1:])                # (T, M, B, H)
    return tf.unstack(seq[-1])


def _gru_gates(a_t, h, recurrent, b_h):
    """One GRU step's gates from input term a_t (M, B, 3H) and state h (M, B, H), Keras's blocks
    z, r, h: s = sigmoid of the z|r block (M, B, 2H), z, r, the recurrent n block g_n (bias in)
    and the candidate n, each (M, B, H)."""
    H = h.shape[-1]
    g_zr, g_n = tf.split(h @ recurrent + b_h, [2 * H, H], axis=-1)
    a_zr, a_n = tf.split(a_t, [2 * H, H], axis=-1)
    s = tf.sigmoid(a_zr + g_zr)
    z, r = tf.split(s, 2, axis=-1)
    return s, z, r, g_n, tf.tanh(a_n + r * g_n)


@tf.function(jit_compile=True)
def _gru_states(a, recurrent, b_h):
    """Every state h_0 = 0, h_1, ..., h_T (T+1, M, B, H) of M GRUs, one compiled loop."""
    T, M, B = a.shape[0], a.shape[1], a.shape[2]
    h0 = tf.zeros((M, B, recurrent.shape[1]))

    def step(t, h, hs):
        _, z, _, _, n = _gru_gates(a[t], h, recurrent, b_h)
        h = n + z * (h - n)                                           # z h + (1 - z) n
        return t + 1, h, hs.write(t + 1, h)

    hs = tf.TensorArray(tf.float32, size=T + 1).write(0, h0)
    return tf.while_loop(lambda t, h, hs: t < T, step, (0, h0, hs),
                         maximum_iterations=T)[2].stack()


@tf.function(jit_compile=True)
def _gru_backward(a, recurrent, b_h, hs, d_out):
    """Backpropagation through time from dL/dh_t of every step, d_out (T, M, B, H):
    dL/da (T, M, B, 3H), dL/dW_h, dL/db_h."""
    T = a.shape[0]
    W_t = tf.transpose(recurrent, [0, 2, 1])                          # (M, 3H, H)

    def step(t, dh, dW, db, da):
        dh = dh + d_out[t]                                            # from above and from t + 1
        h = hs[t]                                                     # h_{t-1} of step t
        s, z, r, g_n, n = _gru_gates(a[t], h, recurrent, b_h)
        dn_pre = dh * (1 - z) * (1 - n * n)                           # through tanh
        d_zr = tf.concat([dh * (h - n), dn_pre * g_n], -1) * s * (1 - s)   # through sigmoid
        dg = tf.concat([d_zr, dn_pre * r], -1)                        # d(h W_h + b_h)
        dW += tf.transpose(h, [0, 2, 1]) @ dg
        db += tf.reduce_sum(dg, axis=1, keepdims=True)
        return t - 1, dh * z + dg @ W_t, dW, db, da.write(t, tf.concat([d_zr, dn_pre], -1))

    da = tf.TensorArray(tf.float32, size=T)
    loop = tf.while_loop(lambda t, *_: t >= 0, step,
                         (T - 1, tf.zeros_like(d_out[0]), tf.zeros_like(recurrent),
                          tf.zeros_like(b_h), da),
                         maximum_iterations=T)
    return loop[4].stack(), loop[2], loop[3]


@tf.custom_gradient
def _gru_sequence(a, recurrent, b_h):
    """The states h_1 ... h_T (T, M, B, H) of M GRUs (reset after the product) from input terms
    a (T, M, B, 3H), recurrent kernels (M, H, 3H) and recurrent biases (M, 1, 3H). Forward and
    backward pass are each one XLA-compiled loop with a hand-written gradient (checked against
    Keras's in the tests): a graph of two ops instead of thousands, traced and run faster on a
    CPU. Its inputs are cut from the tape, which would otherwise record the loops' insides."""
    a, recurrent, b_h = (tf.stop_gradient(w) for w in (a, recurrent, b_h))   # see the docstring
    hs = _gru_states(a, recurrent, b_h)
    return hs[1:], lambda d_out: _gru_backward(a, recurrent, b_h, hs, d_out)


def _fast_key(rnn):
    """How ``_last_outputs`` runs a model's ``.rnn``: ("lstm",) alone, a key shared by stacks it
    can batch together, or None when it has no fast path for it."""
    layers = _layer_stack(rnn)
    if len(layers) == 1 and type(layers[0]) is keras.layers.LSTM:
        return ("lstm",)
    key = []
    for layer in layers:
        if type(layer) not in (keras.layers.SimpleRNN, keras.layers.GRU):
            return None
        if isinstance(layer, keras.layers.GRU) and not layer.cell.reset_after:
            return None
        key.append((type(layer).__name__, layer.cell.units))
    return tuple(key)


def _last_outputs(rnns, x):
    """The last outputs of several models' recurrent parts on x: a list of (B, H), one per model.

    Each entry of ``rnns`` is a model's ``.rnn`` with a fast path (``_fast_key``): an LSTM runs
    alone (``_last_output``); SimpleRNN and GRU stacks of the same structure run together
    (``_last_outputs_stacked``).
    """
    outs, groups = [None] * len(rnns), {}
    for k, rnn in enumerate(rnns):
        key = _fast_key(rnn)
        if key is None:
            raise TypeError("fit_runs runs fast an LSTM, or SimpleRNN and GRU layers "
                            "(reset_after=True) alone or in a keras.Sequential, "
                            f"not {type(rnn).__name__}")
        if key == ("lstm",):
            outs[k] = _last_output(rnn, x)
        else:
            groups.setdefault(key, []).append(k)
    for ks in groups.values():
        for k, out in zip(ks, _last_outputs_stacked([_layer_stack(rnns[k]) for k in ks], x)):
            outs[k] = out
    return outs


def _split_fast(models, probe) -> list[bool]:
    """Which models ``fit_runs`` may run on its fast path: those holding ``.rnn`` (with a fast
    path) and ``.head`` whose outputs on ``probe`` are ``head(rnn(x))``, computed both ways."""
    fast = [hasattr(m, "rnn") and hasattr(m, "head") and _fast_key(m.rnn) is not None
            for m in models]
    ks = [k for k, f in enumerate(fast) if f]
    for k, h in zip(ks, _last_outputs([models[k].rnn for k in ks], probe) if ks else []):
        got, want = h @ models[k].head.kernel + models[k].head.bias, models[k](probe)
        fast[k] = (int(tf.size(want)) == int(tf.size(got)) and
                   float(tf.reduce_max(tf.abs(got - tf.reshape(want, tf.shape(got))))) <= 1e-4)
    return fast


def _side_by_side_adam(weights: list, lr: float, clip: float | None):
    """An update for several independent models at once: ``weights`` is one list of variables
    per model; the returned apply(grads), grads in the order of the flattened weights, clips each
    model's global gradient norm at ``clip`` and takes one Adam step on every weight.

    Adam as Keras computes it (beta_1 0.9, beta_2 0.999, epsilon 1e-7), one fused op per weight:
    it traces and runs faster than keras.optimizers.Adam, and updates every weight on its own.
    """
    flat = [v for ws in weights for v in ws]
    moments = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in flat]
    step = tf.Variable(0.0)

    def apply(grads):
        grads = [tf.convert_to_tensor(g) for g in grads]           # dense, not sparse
        start, clipped = 0, []
        for ws in weights:
            g = grads[start:start + len(ws)]
            start += len(ws)
            clipped += g if clip is None else tf.clip_by_global_norm(g, clip)[0]
        step.assign_add(1.0)
        for v, g, (m, s) in zip(flat, clipped, moments):
            tf.raw_ops.ResourceApplyAdam(
                var=v.handle, m=m.handle, v=s.handle, beta1_power=0.9 ** step,
                beta2_power=0.999 ** step, lr=tf.constant(lr, tf.float32), beta1=0.9,
                beta2=0.999, epsilon=1e-7, grad=g)

    return apply


def _epoch_losses(train_step, X, y, n_models: int, epochs: int, batch_size: int,
                  seed: int | list[int]):
    """Yield, after each epoch, every model's mean training loss over it, (n_models,).

    ``train_step(x, y)`` trains on one mini-batch and returns the models' losses on it; the
    batches are a fresh shuffle of (X, y) every epoch, from ``seed``. With a list of G seeds
    (one order of the batches per group of models) it gets G batches stacked, x (G, B, ...) and
    y (G, B, ...), the g-th from ``seed[g]``. A status line counts the epochs.
    """
    seeds = [seed] if isinstance(seed, (int, np.integer)) else list(seed)
    rngs = [np.random.default_rng(s) for s in seeds]
    line = LiveLine("1 model" if n_models == 1 else f"{n_models} models side by side", epochs)
    for epoch in range(epochs):
        orders, total = [rng.permutation(len(X)) for rng in rngs], np.zeros(n_models)
        for i in range(0, len(X), batch_size):
            idx = [order[i:i + batch_size] for order in orders]
            if len(idx) == 1:
                xb, yb = tf.constant(X[idx[0]]), tf.constant(y[idx[0]])
            else:
                xb = tf.constant(np.stack([X[j] for j in idx]))
                yb = tf.constant(np.stack([y[j] for j in idx]))
            total += train_step(xb, yb).numpy() * len(idx[0])
        yield total / len(X)
        line.update(epoch + 1)
    line.close()


TASKS = ("regression", "classification", "tagging")


def _seeds_per_model(seed, n_models: int) -> list[int]:
    """``seed`` (an int: the same for every model, or a list of one per model) as a list of n."""
    seeds = [seed] * n_models if isinstance(seed, (int, np.integer)) else [int(s) for s in seed]
    if len(seeds) != n_models:
        raise ValueError(f"seed: one int, or one seed per model ({n_models}), not {len(seeds)}")
    return seeds


def _task_loss(out, y, task: str):
    """The mean loss of ``task``: squared error of outputs (B,) or (B, 1) against y (B,), or
    cross-entropy of logits (B, C) against y (B,), or of logits (B, T, C) against y (B, T)."""
    if task == "regression":
        return tf.reduce_mean((tf.reshape(out, [-1]) - y) ** 2)
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, out))


def fit_runs(models: list, X_train, y_train, X_val, y_val, X_test=None, y_test=None,
             task: str = "regression", epochs: int = 10, lr: float = 1e-2,
             batch_size: int = 100, seed: int | list[int] = SEED,
             clip: float | None = None) -> list[dict]:
    """Train several independent models on the same data, each exactly as if it were alone.

    Every model gets Adam (learning rate lr; Adam updates every weight on its own), the loss of
    ``task`` ("regression": mean squared error on outputs (B,); "classification": cross-entropy
    on logits (B, C); "tagging": cross-entropy on logits (B, T, C) against one label per step,
    y (B, T)), its own global gradient norm clipped at ``clip``, and shuffled mini-batches from
    ``seed``: one int gives every model the same batches, a list (one seed per model) each model
    its own order. All models train in one compiled step, so TensorFlow runs them
    side by side on every CPU core. A model that holds ``.rnn`` (a Keras LSTM, or SimpleRNN /
    GRU layers alone or in a ``keras.Sequential``, returning the last output) and ``.head`` (a
    Dense layer on it), as most of the course's models do, runs on a fast path (``_last_outputs``,
    checked against the model on a few inputs); any other model runs as Keras computes it.
    Returns one history per model, {"train_loss", "val_mse"} or {"train_loss", "val_acc"} (for
    tagging: the share of steps tagged right), one entry per epoch; with X_test also "test_mse" /
    "test_acc" per epoch, to be read once, at the epoch chosen on validation.
    """
    if task not in TASKS:
        raise ValueError(f"task must be 'regression', 'classification' or 'tagging', not {task!r}")
    name = "mse" if task == "regression" else "acc"
    weights = [m.trainable_variables for m in models]
    flat = [v for ws in weights for v in ws]
    apply_gradients = _side_by_side_adam(weights, lr, clip)

    X_tr, y_tr = np.asarray(X_train, np.float32), np.asarray(y_train)
    splits = {"val": (X_val, y_val)} if X_test is None else {"val": (X_val, y_val),
                                                              "test": (X_test, y_test)}
    splits = {s: (tf.constant(X, tf.float32), tf.constant(y)) for s, (X, y) in splits.items()}
    fast = (_split_fast(models, splits["val"][0][:2, :3]) if task != "tagging"
            else [False] * len(models))                # tagging: every step's output, as Keras does

    seeds = _seeds_per_model(seed, len(models))
    orders = list(dict.fromkeys(seeds))               # distinct seeds: one order of batches each
    group = [orders.index(s) for s in seeds]          # model k reads the batches of orders[group[k]]

    def outputs(x, training, ks=None):                # one output per model of ks, in order
        ks = range(len(models)) if ks is None else ks
        fast_ks = [k for k in ks if fast[k]]
        outs = dict(zip(fast_ks, _last_outputs([models[k].rnn for k in fast_ks], x)
                        if fast_ks else []))
        outs = {k: h @ models[k].head.kernel + models[k].head.bias for k, h in outs.items()}
        return [outs[k] if k in outs else models[k](x, training=training) for k in ks]

    def losses(outs, y):
        return [_task_loss(o, y, task) for o in outs]

    @tf.function(autograph=False)           # plain Python loops: no need to convert
    def train_step(x, y):                   # x (B, ...) or, one per order of batches, (G, B, ...)
        with tf.GradientTape() as tape:
            if len(orders) == 1:
                per_model = losses(outputs(x, True), y)
            else:
                per_model = [None] * len(models)
                for g in range(len(orders)):
                    ks = [k for k in range(len(models)) if group[k] == g]
                    for k, loss in zip(ks, losses(outputs(x[g], True, ks), y[g])):
                        per_model[k] = loss
            total = tf.add_n(per_model)           # no shared weight: each model's own gradient
        apply_gradients(tape.gradient(total, flat))
        return tf.stack(per_model)

    @tf.function(autograph=False)           # plain Python loops: no need to convert
    def evaluate(x, y):
        outs = outputs(x, False)
        if task == "regression":
            return tf.stack(losses(outs, y))
        return tf.stack([tf.reduce_mean(tf.cast(tf.argmax(o, -1) == y, tf.float32)) for o in outs])

    hists = [{"train_loss": [], **{f"{s}_{name}": [] for s in splits}} for _ in models]
    for mean in _epoch_losses(train_step, X_tr, y_tr, len(models), epochs, batch_size,
                              orders[0] if len(orders) == 1 else orders):
        scores = {s: evaluate(*xy).numpy() for s, xy in splits.items()}
        for r, hist in enumerate(hists):
            hist["train_loss"].append(float(mean[r]))
            for s in splits:
                hist[f"{s}_{name}"].append(float(scores[s][r]))
    return hists


# ---- topic 02 (revision)
def largest_singular_value(W) -> float:
    """sigma_max(W) = ||W||_2, the most W can stretch a vector; never below the spectral radius."""
    return float(np.linalg.norm(np.asarray(W, dtype=np.float64), 2))


# ---- topic 04
_TIMING_STEPS: dict = {}          # id(model) -> (model, task, its compiled training step)


class _NotRetracing(logging.Filter):
    """Drops TensorFlow's "triggered tf.function retracing" warning, which counts the first
    compilation of each model's own step as a retrace once five or more models are timed."""

    def filter(self, record):
        return "tf.function retracing" not in record.getMessage()


def _timing_step(model, D: int, y_dtype, task: str):
    """One compiled training step of ``model`` for any batch size and sequence length (compiled once).
    Labels y are (B,), or (B, T) for tagging."""
    key = (id(model), D, task)
    if key in _TIMING_STEPS and _TIMING_STEPS[key][0] is model:
        return _TIMING_STEPS[key][1]
    weights = model.trainable_variables

    @tf.function(input_signature=[tf.TensorSpec([None, None, D], tf.float32),
                                  tf.TensorSpec([None, None] if task == "tagging" else [None],
                                                y_dtype)])
    def step(xb, yb):
        with tf.GradientTape() as tape:
            loss = _task_loss(model(xb, training=True), yb, task)
        for v, g in zip(weights, tape.gradient(loss, weights)):
            v.assign_sub(1e-3 * g)
        return loss

    _TIMING_STEPS[key] = (model, step)
    return step


def time_train_steps(models: dict, X, y, task: str = "regression", batch_size: int = 50,
                     batches: int = 5, repeats: int = 7) -> dict[str, list[float]]:
    """Milliseconds one training step (forward, backward and a plain gradient step on a
    mini-batch of ``batch_size`` sequences of X (N, T, D), the layers computed as Keras computes
    them, in one compiled step) takes for each of ``models`` ({name: model}), measured
    ``repeats`` times each.

    Every model first runs two untimed warm-up steps (the first compiles its step, which then
    serves every sequence length); then the measurements are interleaved (model 1, model 2, ...,
    model 1, ...), each the mean over ``batches`` steps, so that a slow spell of the machine
    falls on every model alike. The weights change: time fresh copies.
    Returns {name: [ms per step, one per repeat]}.
    """
    import time

    X_t, y_t = tf.constant(np.asarray(X, np.float32)), tf.constant(np.asarray(y))
    n = max(1, min(len(X) // batch_size, batches))
    batch = [(X_t[i * batch_size:(i + 1) * batch_size], y_t[i * batch_size:(i + 1) * batch_size])
             for i in range(n)]
    steps = {name: _timing_step(model, X_t.shape[2], y_t.dtype, task)
             for name, model in models.items()}
    quiet = _NotRetracing()              # one compiled step per model is not a retrace
    tf.get_logger().addFilter(quiet)
    try:
        for step in steps.values():                   # warm-up (and compile), not timed
            step(*batch[0]).numpy(), step(*batch[1 % n]).numpy()
    finally:
        tf.get_logger().removeFilter(quiet)
    times = {name: [] for name in models}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            for i in range(batches):
                loss = step(*batch[i % n])
            loss.numpy()                              # wait for the last step to finish
            times[name].append((time.perf_counter() - start) / batches * 1e3)
    return times


def time_per_epoch(model, X, y, task: str = "regression", batch_size: int = 50,
                   batches: int = 5, repeats: int = 3) -> list[float]:
    """Seconds one training epoch of ``model`` on (X, y) takes on this machine, measured ``repeats`` times:
    ``time_train_steps`` scaled to the len(X) / batch_size mini-batches of an epoch."""
    ms = time_train_steps({"model": model}, X, y, task, batch_size, batches, repeats)["model"]
    return [t / 1e3 * len(X) / batch_size for t in ms]


def step_ops(layer, D: int) -> dict[str, int]:
    """The operations one step of a Keras recurrent ``layer`` runs in its forward pass, as
    TensorFlow compiles it on a CPU (Keras's generic loop: its fused cuDNN kernels exist only on
    a GPU): {operation type: count} in the body of the loop over time, without constants,
    identities and no-ops. Input sequences have D features."""
    from collections import Counter

    fn = tf.function(lambda x: layer(x))
    graph = fn.get_concrete_function(tf.TensorSpec([None, None, D], tf.float32)).graph
    bodies = [f for f in graph.as_graph_def().library.function
              if "while_body" in f.signature.name]
    if len(bodies) != 1:
        raise ValueError(f"expected one loop over time, found {len(bodies)}")
    return dict(Counter(n.op for n in bodies[0].node_def
                        if n.op not in ("Const", "Identity", "NoOp")))


# ---- topic 06: sequence tasks
def teacher_forcing_loss(logits, targets, pad: int = 0):
    """Mean cross-entropy over the real target positions: logits (B, T, V), targets (B, T);
    positions holding ``pad`` (after the end token) count for nothing."""
    real = tf.cast(targets != pad, logits.dtype)
    ce = tf.nn.sparse_softmax_cross_entropy_with_logits(targets, logits)
    return tf.reduce_sum(ce * real) / tf.reduce_sum(real)


def fit_teacher_forced(models: list, inputs, targets, start_token: int, epochs: int = 8,
                       lr: float = 1e-2, batch_size: int = 100, seed: int = SEED,
                       clip: float | None = 1.0) -> list[list[float]]:
    """Train sequence models with teacher forcing, each exactly as if it were alone.

    ``model(inputs[idx], y_in)`` -> logits (B, T, V), where y_in is targets[idx] (B, T) shifted
    right behind ``start_token``; the loss is ``teacher_forcing_loss`` (PAD = 0 ignored).
    Every model gets its own Adam, its own global gradient norm clipped at ``clip``, and the
    same shuffled mini-batches (from ``seed``); all of them train in one compiled step, as in
    ``fit_runs``. Returns each model's mean training loss per epoch.
    """
    weights = [m.trainable_variables for m in models]
    flat = [v for ws in weights for v in ws]
    apply_gradients = _side_by_side_adam(weights, lr, clip)
    X, Y = np.asarray(inputs), np.asarray(targets)

    @tf.function(autograph=False)           # plain Python loops: no need to convert
    def train_step(x, y):
        y_in = tf.concat([tf.fill([tf.shape(y)[0], 1], tf.cast(start_token, y.dtype)),
                          y[:, :-1]], axis=1)
        with tf.GradientTape() as tape:
            per_model = [teacher_forcing_loss(m(x, y_in, training=True), y) for m in models]
            total = tf.add_n(per_model)           # no shared weight: each model's own gradient
        apply_gradients(tape.gradient(total, flat))
        return tf.stack(per_model)

    means = list(_epoch_losses(train_step, X, Y, len(models), epochs, batch_size, seed))
    return [[float(m[r]) for m in means] for r in range(len(models))]


# ---- topic 08: limits of RNNs and the course's ladder
class BagClassifier(keras.Model):
    """The feed-forward network of topic 01 on a bag: inputs (B, T, D) summed over the steps, so
    that order is lost, then Dense -> ReLU -> Dense to class scores (B, C). Built on creation."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 32):
        super().__init__()
        self.net = keras.Sequential([keras.layers.Dense(hidden, activation="relu"),
                                     keras.layers.Dense(n_classes)])
        self(tf.zeros((1, 1, dim)))                              # build: weights exist now

    def call(self, x, training=False):
        return self.net(tf.reduce_sum(x, axis=1))                # (B, D) -> (B, C)


class RecurrentClassifier(keras.Model):
    """(B, T, D) -> SimpleRNN / LSTM / GRU (``layers``, optionally bidirectional) -> the last
    layer's final state (both directions' concatenated for a bidirectional one: the forward
    direction's state after step T and the backward direction's after step 1) -> Dense to class
    scores (B, C). Keras's LSTMs start with forget-gate bias 1 (``unit_forget_bias``); GRUs reset
    after the product (``reset_after=True``), as PyTorch's. Built on creation.

    ``.rnn`` is the recurrent part, (B, T, D) -> (B, H) or (B, 2H): one layer, or a
    ``keras.Sequential`` stack whose layers but the last return their whole sequence; ``.head``
    the Dense on it. ``fit_runs`` runs a single LSTM and SimpleRNN / GRU stacks on its fast path.
    """

    def __init__(self, kind: str, dim: int, n_classes: int, hidden: int = 32, layers: int = 1,
                 bidirectional: bool = False):
        super().__init__()
        layer = {"rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM,
                 "gru": keras.layers.GRU}[kind]

        def make(last: bool):
            one = layer(hidden, return_sequences=not last)
            return keras.layers.Bidirectional(one) if bidirectional else one   # concat

        stack = [make(last=k == layers - 1) for k in range(layers)]
        self.rnn = stack[0] if layers == 1 else keras.Sequential(stack)
        self.head = keras.layers.Dense(n_classes)
        self(tf.zeros((1, 1, dim)))                              # build: weights exist now

    def call(self, x, training=False):
        return self.head(self.rnn(x, training=training))        # (B, H or 2H) -> (B, C)


class AttentionClassifier(keras.Model):
    """One self-attention layer that answers at the last step: (B, T, D) -> Dense to width H,
    plus sinusoidal positional encodings (unless ``positions`` is False) -> the last step's query
    attends to every step (keras.layers.MultiHeadAttention, ``heads`` heads of width
    H // heads) -> residual -> a two-layer MLP -> class scores (B, C). Sequences up to
    ``max_len`` steps. Built on creation."""

    def __init__(self, dim: int, n_classes: int, hidden: int = 32, heads: int = 2,
                 max_len: int = 1024, positions: bool = True):
        super().__init__()
        from helpers.limits import sinusoidal_positions
        self.embed = keras.layers.Dense(hidden)
        self.positions = positions
        self.pe = tf.constant(sinusoidal_positions(max_len, hidden))      # (max_len, H)
        self.attention = keras.layers.MultiHeadAttention(num_heads=heads,
                                                         key_dim=hidden // heads)
        self.head = keras.Sequential([keras.layers.Dense(hidden, activation="relu"),
                                      keras.layers.Dense(n_classes)])
        self(tf.zeros((1, 1, dim)))                              # build: weights exist now

    def call(self, x, training=False):
        z = self.embed(x)                                        # (B, T, H)
        if self.positions:
            z = z + self.pe[:tf.shape(x)[1]]
        query = z[:, -1:]                                        # (B, 1, H): the last step
        read = self.attention(query, z, z, training=training)    # (B, 1, H)
        return self.head((query + read)[:, 0])


def ladder_model(name: str, dim: int, n_classes: int, hidden: int = 32) -> keras.Model:
    """One of the course's architectures (``helpers.limits.LADDER``) as a classifier of sequences
    (B, T, dim) -> class scores (B, n_classes), hidden width ``hidden``; built."""
    from helpers.limits import LADDER_RECURRENT
    if name == "FFN on the bag":
        return BagClassifier(dim, n_classes, hidden)
    if name == "attention":
        return AttentionClassifier(dim, n_classes, hidden)
    if name not in LADDER_RECURRENT:
        raise ValueError(f"unknown model {name!r}")
    kind, layers, bidirectional = LADDER_RECURRENT[name]
    return RecurrentClassifier(kind, dim, n_classes, hidden, layers, bidirectional)
