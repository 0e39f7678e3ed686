"""helpers/convert.py: the same weights give the same numbers in PyTorch and Keras.

For every layer the course uses: outputs and final states within 1e-5 after converting either
way (from non-zero initial states, and over a padded batch: packed in PyTorch, masked in Keras),
gradients of the same loss within 1e-5, round trips, the known traps shown to fail, and clear
errors for what cannot be converted.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

from helpers.convert import keras_to_torch, torch_to_keras  # noqa: E402

TOL = 1e-5
B, T, D, H = 3, 7, 4, 5
LENGTHS = [7, 3, 5]                               # (B,): one full row, two padded

# name: (kind, num_layers, bidirectional)
RECURRENT = {"rnn": ("RNN", 1, False), "lstm": ("LSTM", 1, False), "gru": ("GRU", 1, False),
             "bi-lstm": ("LSTM", 1, True), "bi-gru": ("GRU", 1, True),
             "stacked-lstm": ("LSTM", 2, False), "stacked-bi-gru": ("GRU", 2, True),
             "stacked-rnn": ("RNN", 3, False), "bi-rnn": ("RNN", 1, True)}


def _pair(name, seed=0):
    """A PyTorch recurrent module with random weights (biases too) and its Keras layers, built."""
    kind, layers, bidirectional = RECURRENT[name]
    torch.manual_seed(seed)
    module = getattr(nn, kind)(D, H, num_layers=layers, bidirectional=bidirectional,
                               batch_first=True)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.6, 0.6)
    cls = {"RNN": keras.layers.SimpleRNN, "LSTM": keras.layers.LSTM, "GRU": keras.layers.GRU}[kind]
    keras_layers, n_in = [], D
    for _ in range(layers):
        layer = cls(H, return_sequences=True, return_state=True)
        if bidirectional:
            layer = keras.layers.Bidirectional(layer)
        layer.build((None, None, n_in))
        keras_layers.append(layer)
        n_in = H * (2 if bidirectional else 1)
    return kind, module, keras_layers


def _inputs(kind, name, seed=1):
    """x (B, T, D) and non-zero initial states (h0, c0 or None) in PyTorch's layout."""
    _, layers, bidirectional = RECURRENT[name]
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    n = layers * (2 if bidirectional else 1)
    h0 = rng.normal(scale=0.5, size=(n, B, H)).astype(np.float32)
    c0 = rng.normal(scale=0.5, size=(n, B, H)).astype(np.float32) if kind == "LSTM" else None
    return x, h0, c0


def _torch_run(module, kind, x, h0, c0, lengths=None):
    """(outputs (B, T, dirs * H), h_n, c_n or None) as tensors, differentiable."""
    state = (torch.from_numpy(h0), torch.from_numpy(c0)) if kind == "LSTM" else torch.from_numpy(h0)
    inp = torch.from_numpy(x)
    if lengths is not None:
        inp = pack_padded_sequence(inp, torch.tensor(lengths), batch_first=True,
                                   enforce_sorted=False)
    out, hidden = module(inp, state)
    if lengths is not None:
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=T)
    h_n, c_n = hidden if kind == "LSTM" else (hidden, None)
    return out, h_n, c_n


def _keras_run(layers, kind, x, h0, c0, lengths=None):
    """The same as _torch_run with the Keras layers: states gathered into PyTorch's layout."""
    dirs = 2 if isinstance(layers[0], keras.layers.Bidirectional) else 1
    mask = None if lengths is None else tf.sequence_mask(lengths, T)
    y, hs, cs = tf.constant(x), [], []
    for k, layer in enumerate(layers):
        init = []
        for d in range(dirs):
            init.append(tf.constant(h0[k * dirs + d]))
            if kind == "LSTM":
                init.append(tf.constant(c0[k * dirs + d]))
        y, *states = layer(y, initial_state=init, mask=mask)
        per_dir = 2 if kind == "LSTM" else 1
        for d in range(dirs):
            hs.append(states[d * per_dir])
            if kind == "LSTM":
                cs.append(states[d * per_dir + 1])
    return y, tf.stack(hs), (tf.stack(cs) if kind == "LSTM" else None)


def _real(a, lengths):
    """Zero the padded steps of (B, T, F), where the frameworks put different things."""
    a = np.asarray(a)
    if lengths is None:
        return a
    return a * (np.arange(T)[None, :, None] < np.array(lengths)[:, None, None])


def _max_gaps(t_run, k_run, lengths):
    gaps = [np.abs(_real(t_run[0].detach().numpy(), lengths) - _real(k_run[0], lengths)).max(),
            np.abs(t_run[1].detach().numpy() - np.asarray(k_run[1])).max()]
    if t_run[2] is not None:
        gaps.append(np.abs(t_run[2].detach().numpy() - np.asarray(k_run[2])).max())
    return gaps


@pytest.mark.parametrize("padded", [False, True], ids=["full", "padded"])
@pytest.mark.parametrize("name", list(RECURRENT))
def test_recurrent_layers_agree_after_converting_either_way(name, padded):
    lengths = LENGTHS if padded else None
    kind, module, layers = _pair(name)
    x, h0, c0 = _inputs(kind, name)
    torch_to_keras(module, layers)
    gaps = _max_gaps(_torch_run(module, kind, x, h0, c0, lengths),
                     _keras_run(layers, kind, x, h0, c0, lengths), lengths)
    assert max(gaps) < TOL, (name, "torch -> keras", gaps)
    # the other way: fresh Keras weights into a fresh PyTorch module
    kind, module2, layers2 = _pair(name, seed=5)
    for layer in layers2:                          # Keras starts biases at 0: make them count
        for w in layer.weights:
            w.assign(np.random.default_rng(7).uniform(-0.6, 0.6, w.shape))
    keras_to_torch(layers2, module2)
    gaps = _max_gaps(_torch_run(module2, kind, x, h0, c0, lengths),
                     _keras_run(layers2, kind, x, h0, c0, lengths), lengths)
    assert max(gaps) < TOL, (name, "keras -> torch", gaps)


def _torch_grads_as_keras(module, kind, layers):
    """PyTorch's gradients put into Keras's layout, by converting a copy of the module whose
    'weights' are the gradients (b_hh's gradient dropped where Keras keeps one bias: both
    PyTorch biases enter the same sum, so each one's gradient is the Keras bias's)."""
    import copy
    grads = copy.deepcopy(module)
    with torch.no_grad():
        for (name, g), p in zip(grads.named_parameters(), module.parameters()):
            g.copy_(p.grad)
            if kind != "GRU" and name.startswith("bias_hh"):
                g.zero_()
    target = [copy.deepcopy(layer) for layer in layers]
    torch_to_keras(grads, target)
    return [np.asarray(w) for layer in target for w in layer.trainable_weights]


@pytest.mark.parametrize("name", list(RECURRENT))
def test_gradients_agree_for_every_weight(name):
    kind, module, layers = _pair(name)
    x, h0, c0 = _inputs(kind, name)
    torch_to_keras(module, layers)
    rng = np.random.default_rng(3)
    t_out = _torch_run(module, kind, x, h0, c0, LENGTHS)
    probes = [rng.normal(size=tuple(a.shape)).astype(np.float32) for a in t_out if a is not None]
    mask = _real(np.ones((B, T, 1)), LENGTHS).astype(np.float32)    # padded steps: no loss

    def loss(run, lib):                            # the same weighted sum in both frameworks
        total = 0.0
        for a, probe in zip((r for r in run if r is not None), (probes[0] * mask, *probes[1:])):
            if lib == "torch":
                total = total + (a * torch.from_numpy(probe)).sum()
            else:
                total = total + tf.reduce_sum(a * probe)
        return total

    loss(t_out, "torch").backward()
    weights = [w for layer in layers for w in layer.trainable_weights]
    with tf.GradientTape() as tape:
        k_loss = loss(_keras_run(layers, kind, x, h0, c0, LENGTHS), "tensorflow")
    k_grads = tape.gradient(k_loss, weights)
    expected = _torch_grads_as_keras(module, kind, layers)
    worst = max(np.abs(np.asarray(g) - e).max() for g, e in zip(k_grads, expected))
    assert worst < TOL, (name, worst)


def test_linear_and_embedding_agree_with_their_gradients():
    torch.manual_seed(0)
    lin, emb = nn.Linear(D, 3), nn.Embedding(11, D)
    dense, k_emb = keras.layers.Dense(3), keras.layers.Embedding(11, D)
    dense.build((None, D))
    k_emb.build((None, None))
    torch_to_keras(lin, dense)
    torch_to_keras(emb, k_emb)
    tokens = np.random.default_rng(0).integers(0, 11, size=(B, T))
    t_out = lin(emb(torch.from_numpy(tokens)))
    t_out.pow(2).sum().backward()
    with tf.GradientTape() as tape:
        k_out = dense(k_emb(tokens))
        k_loss = tf.reduce_sum(k_out ** 2)
    assert np.abs(t_out.detach().numpy() - np.asarray(k_out)).max() < TOL
    g_kernel, g_bias, g_emb = tape.gradient(k_loss, [dense.kernel, dense.bias, k_emb.embeddings])
    assert np.abs(lin.weight.grad.numpy().T - np.asarray(g_kernel)).max() < TOL
    assert np.abs(lin.bias.grad.numpy() - np.asarray(g_bias)).max() < TOL
    assert np.abs(emb.weight.grad.numpy() - np.asarray(tf.convert_to_tensor(g_emb))).max() < TOL
    # and back: Keras -> PyTorch -> Keras gives the same tensors
    lin2, emb2 = nn.Linear(D, 3), nn.Embedding(11, D)
    keras_to_torch(dense, lin2)
    keras_to_torch(k_emb, emb2)
    assert torch.equal(lin2.weight, lin.weight) and torch.equal(lin2.bias, lin.bias)
    assert torch.equal(emb2.weight, emb.weight)


@pytest.mark.parametrize("name", list(RECURRENT))
def test_round_trips(name):
    """PyTorch -> Keras -> PyTorch gives back every weight, GRU biases included; a SimpleRNN's or
    LSTM's single Keras bias keeps the sum b_ih + b_hh, not its split, so there the sum comes
    back. Keras -> PyTorch -> Keras gives back every tensor."""
    kind, module, layers = _pair(name)
    torch_to_keras(module, layers)
    _, back, _ = _pair(name, seed=9)
    keras_to_torch(layers, back)
    orig, got = dict(module.named_parameters()), dict(back.named_parameters())
    for key in orig:
        if key.startswith("bias") and kind != "GRU":
            other = key.replace("bias_ih", "bias_sum").replace("bias_hh", "bias_sum")
            s_orig = orig[key.replace("_hh", "_ih")] + orig[key.replace("_ih", "_hh")]
            s_got = got[key.replace("_hh", "_ih")] + got[key.replace("_ih", "_hh")]
            assert torch.equal(s_orig, s_got), other
        else:
            assert torch.equal(orig[key], got[key]), key
    _, _, layers2 = _pair(name, seed=11)
    torch_to_keras(back, layers2)
    for a, b in zip([w for layer in layers for w in layer.weights],
                    [w for layer in layers2 for w in layer.weights]):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _gru_output_gap(layers, module, x, h0):
    out_t = _torch_run(module, "GRU", x, h0, None)[0].detach().numpy()
    return np.abs(out_t - np.asarray(_keras_run(layers, "GRU", x, h0, None)[0])).max()


def test_the_known_gru_traps_give_large_errors():
    """Without the r/z swap, or with the two biases summed into one row, the GRU is another cell."""
    kind, module, layers = _pair("gru")
    x, h0, _ = _inputs(kind, "gru")
    torch_to_keras(module, layers)
    assert _gru_output_gap(layers, module, x, h0) < TOL
    cell = layers[0].cell
    kernel, recurrent, bias = (np.asarray(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))

    def swap(w):                                   # undo the swap along the blocks' axis
        z, r, n = np.split(w, 3, axis=-1)
        return np.concatenate([r, z, n], axis=-1)

    cell.kernel.assign(swap(kernel))
    cell.recurrent_kernel.assign(swap(recurrent))
    cell.bias.assign(swap(bias))
    no_swap = _gru_output_gap(layers, module, x, h0)
    cell.kernel.assign(kernel)
    cell.recurrent_kernel.assign(recurrent)
    cell.bias.assign(np.stack([bias[0] + bias[1], np.zeros_like(bias[1])]))
    summed = _gru_output_gap(layers, module, x, h0)
    assert no_swap > 0.1 and summed > 0.05, (no_swap, summed)


def test_what_cannot_be_converted_is_refused_with_a_clear_error():
    gru = keras.layers.GRU(H, reset_after=False)
    gru.build((None, None, D))
    with pytest.raises(ValueError, match="reset_after=False"):
        torch_to_keras(nn.GRU(D, H, batch_first=True), gru)
    small = keras.layers.LSTM(H + 1)
    small.build((None, None, D))
    with pytest.raises(ValueError, match=r"\(4, 20\).*\(4, 24\)"):
        torch_to_keras(nn.LSTM(D, H), small)
    lstm = keras.layers.LSTM(H)
    lstm.build((None, None, D))
    with pytest.raises(ValueError, match="keras.layers.GRU"):
        keras_to_torch(lstm, nn.GRU(D, H))
    with pytest.raises(ValueError, match="num_layers=2"):
        torch_to_keras(nn.LSTM(D, H, num_layers=2), lstm)
    with pytest.raises(ValueError, match="Bidirectional"):
        torch_to_keras(nn.LSTM(D, H, bidirectional=True), lstm)
    with pytest.raises(ValueError, match="Build the Keras layers first"):
        torch_to_keras(nn.LSTM(D, H), keras.layers.LSTM(H))
    with pytest.raises(ValueError, match="No conversion for Conv1d"):
        torch_to_keras(nn.Conv1d(D, H, 3), lstm)
    relu = keras.layers.SimpleRNN(H, activation="relu")
    relu.build((None, None, D))
    with pytest.raises(ValueError, match="tanh"):
        torch_to_keras(nn.RNN(D, H), relu)
    # nothing was written before the error: the refused layer keeps its weights
    before = [np.asarray(w).copy() for w in small.weights]
    with pytest.raises(ValueError):
        torch_to_keras(nn.LSTM(D, H), small)
    for a, b in zip(before, small.weights):
        np.testing.assert_array_equal(a, np.asarray(b))
