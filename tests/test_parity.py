"""helpers/convert.py: converted weights give the same function in PyTorch and Keras.

Outputs, final states and the gradients of every weight are compared after converting either
way: fixed pairs, seeded random configurations (cell type, activation, bias, directions, layers,
D != H, B = 1, T = 1, padded batches, zero or non-zero initial states, batch_first=False), a
course-sized case (H = 64, T = 50, B = 32), float64 (to 1e-10), cells, Conv1d, Linear with its
activation, Embedding, multi-head attention. The gradients are mapped into Keras's layout with
index arrays written here (_expected_keras_grads, measure_attention's recipe), not with
helpers.convert, so a mapping error cannot cancel out.
float32 differences are relative (max |a - b| / max |b|), float64 ones absolute.

    .venv/bin/python -m tests.test_parity      # prints the table of maximum differences
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402

from helpers.convert import keras_to_torch, torch_to_keras  # noqa: E402

RTOL32 = 1e-5                       # float32: relative to the largest |value| of the tensor
ATOL64 = 1e-10                      # float64: absolute
BLOCKS = {"RNN": 1, "LSTM": 4, "GRU": 3}
KERAS_CLS = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}


# --------------------------------------------------------------------------- building
def _scale(H):
    """Random weights in (-a, a): a = 0.6 for small layers; PyTorch's default 1 / sqrt(H) for
    large ones (0.6 at H = 64 makes a chaotic RNN, whose gradients amplify any rounding)."""
    return 0.6 if H <= 8 else H ** -0.5


def _randomize_torch(module, rng, a=0.6):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.from_numpy(rng.uniform(-a, a, tuple(p.shape))))


def _randomize_keras(layers, rng, a=0.6):
    for layer in layers:                    # Keras starts biases at 0: make them count
        for w in layer.weights:
            w.assign(rng.uniform(-a, a, tuple(w.shape)).astype(w.dtype))


def _recurrent_pair(cfg):
    """(module, Keras layers), built, weights random on the source side, then converted."""
    kind, dtype = cfg["kind"], cfg["dtype"]
    extra = {"nonlinearity": cfg["act"]} if kind == "RNN" else {}
    module = getattr(nn, kind)(cfg["D"], cfg["H"], num_layers=cfg["layers"],
                               bidirectional=cfg["bidir"], batch_first=cfg["batch_first"],
                               bias=cfg["bias"], **extra).to(getattr(torch, dtype))
    cls = getattr(keras.layers, KERAS_CLS[kind])
    act = {"activation": cfg["act"]} if kind == "RNN" else {}
    layers, n_in = [], cfg["D"]
    for _ in range(cfg["layers"]):
        layer = cls(cfg["H"], return_sequences=True, return_state=True, use_bias=cfg["bias"],
                    dtype=dtype, **act)
        if cfg["bidir"]:
            layer = keras.layers.Bidirectional(layer, dtype=dtype)
        layer.build((None, None, n_in))
        layers.append(layer)
        n_in = cfg["H"] * (2 if cfg["bidir"] else 1)
    rng = np.random.default_rng(cfg["seed"])
    if cfg["direction"] == "to_keras":
        _randomize_torch(module, rng, _scale(cfg["H"]))
        torch_to_keras(module, layers)
    else:
        _randomize_keras(layers, rng, _scale(cfg["H"]))
        keras_to_torch(layers, module)
    return module, layers


def _data(cfg):
    """x (B, T, D), h0 / c0 (layers * dirs, B, H) or None, lengths (B,) or None, probes."""
    rng = np.random.default_rng(cfg["seed"] + 1)
    B, T, H, dt = cfg["B"], cfg["T"], cfg["H"], cfg["dtype"]
    n = cfg["layers"] * (2 if cfg["bidir"] else 1)
    x = rng.normal(size=(B, T, cfg["D"])).astype(dt)
    h0 = rng.normal(scale=0.5, size=(n, B, H)).astype(dt) if cfg["init"] else None
    c0 = (rng.normal(scale=0.5, size=(n, B, H)).astype(dt)
          if cfg["init"] and cfg["kind"] == "LSTM" else None)
    lengths = None
    if cfg["padded"]:
        lengths = rng.integers(1, T + 1, size=B)
        lengths[0] = T                                      # one full row
    return x, h0, c0, lengths


def _torch_run(module, cfg, x, h0, c0, lengths):
    """(outputs (B, T, dirs * H), h_n, c_n or None) as differentiable tensors."""
    inp = torch.from_numpy(x if cfg["batch_first"] else x.transpose(1, 0, 2).copy())
    if lengths is not None:
        inp = pack_padded_sequence(inp, torch.as_tensor(lengths), batch_first=cfg["batch_first"],
                                   enforce_sorted=False)
    state = None
    if h0 is not None:
        state = ((torch.from_numpy(h0), torch.from_numpy(c0)) if cfg["kind"] == "LSTM"
                 else torch.from_numpy(h0))
    out, hidden = module(inp, state)
    if lengths is not None:
        out, _ = pad_packed_sequence(out, batch_first=cfg["batch_first"], total_length=cfg["T"])
    if not cfg["batch_first"]:
        out = out.transpose(0, 1)
    h_n, c_n = hidden if cfg["kind"] == "LSTM" else (hidden, None)
    return out, h_n, c_n


def _keras_run(layers, cfg, x, h0, c0, lengths):
    """The same with the Keras layers: states gathered into PyTorch's (layers * dirs, B, H)."""
    dirs = 2 if cfg["bidir"] else 1
    lstm = cfg["kind"] == "LSTM"
    mask = None if lengths is None else tf.sequence_mask(lengths, cfg["T"])
    y, hs, cs = tf.constant(x), [], []
    for k, layer in enumerate(layers):
        init = None
        if h0 is not None:
            init = []
            for d in range(dirs):
                init.append(tf.constant(h0[k * dirs + d]))
                if lstm:
                    init.append(tf.constant(c0[k * dirs + d]))
        y, *states = layer(y, initial_state=init, mask=mask)
        per_dir = 2 if lstm else 1
        for d in range(dirs):
            hs.append(states[d * per_dir])
            if lstm:
                cs.append(states[d * per_dir + 1])
    return y, tf.stack(hs), (tf.stack(cs) if lstm else None)


def _keras_vars(layers, cfg):
    """[(k, suffix, [kernel, recurrent_kernel, (bias)])] for every layer and direction."""
    out = []
    for k, layer in enumerate(layers):
        dirs = ([("", layer.forward_layer), ("_reverse", layer.backward_layer)] if cfg["bidir"]
                else [("", layer)])
        for suffix, rnn in dirs:
            cell = rnn.cell
            out.append((k, suffix, [cell.kernel, cell.recurrent_kernel]
                        + ([cell.bias] if cfg["bias"] else [])))
    return out


def _expected_keras_grads(kind, tgrads, tail, H, bias):
    """PyTorch's gradients for one layer and direction (names ending in `tail`, like "_l0"),
    in Keras's layout, by index arrays: rows reordered (GRU: r, z, n -> z, r, h), transposed;
    an RNN's or LSTM's Keras bias gets d/d(b_ih), which equals d/d(b_hh) (asserted)."""
    rows = np.arange(BLOCKS[kind] * H)
    if kind == "GRU":
        rows = np.concatenate([rows[H:2 * H], rows[:H], rows[2 * H:]])
    want = [tgrads["weight_ih" + tail][rows].T, tgrads["weight_hh" + tail][rows].T]
    if bias:
        g_ih, g_hh = tgrads["bias_ih" + tail], tgrads["bias_hh" + tail]
        if kind == "GRU":
            want.append(np.stack([g_ih[rows], g_hh[rows]]))
        else:
            assert np.abs(g_ih - g_hh).max() <= 1e-6 * np.abs(g_ih).max() + 1e-12
            want.append(g_ih)
    return want


def _gap(a, b, dtype):
    """max |a - b|, relative to max |b| in float32, absolute in float64."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff = np.abs(a - b).max() if a.size else 0.0
    if dtype == "float64":
        return float(diff)
    return float(diff / max(np.abs(b).max(), 1e-30)) if b.size else 0.0


def measure_recurrent(cfg):
    """{'output', 'state', 'grad'}: the largest difference of each, after converting cfg."""
    module, layers = _recurrent_pair(cfg)
    x, h0, c0, lengths = _data(cfg)
    dt = cfg["dtype"]
    real = np.ones((cfg["B"], cfg["T"], 1), dt)
    if lengths is not None:                         # padded steps: left out of every comparison
        real = (np.arange(cfg["T"])[None, :, None] < lengths[:, None, None]).astype(dt)
    t_out = _torch_run(module, cfg, x, h0, c0, lengths)
    rng = np.random.default_rng(cfg["seed"] + 2)
    probes = [rng.normal(size=tuple(a.shape)).astype(dt) for a in t_out if a is not None]
    probes[0] = probes[0] * real

    def loss(run, lib):                             # the same weighted sum in both frameworks
        parts = [r for r in run if r is not None]
        if lib == "torch":
            return sum((a * torch.from_numpy(p)).sum() for a, p in zip(parts, probes))
        return tf.add_n([tf.reduce_sum(a * p) for a, p in zip(parts, probes)])

    loss(t_out, "torch").backward()
    tgrads = {n: p.grad.numpy() for n, p in module.named_parameters()}
    kvars = _keras_vars(layers, cfg)
    flat = [v for _, _, vs in kvars for v in vs]
    with tf.GradientTape() as tape:
        k_out = _keras_run(layers, cfg, x, h0, c0, lengths)
        k_loss = loss(k_out, "tensorflow")
    k_grads = iter(tape.gradient(k_loss, flat))
    grad_gap = 0.0
    for k, suffix, vs in kvars:
        want = _expected_keras_grads(cfg["kind"], tgrads, f"_l{k}{suffix}", cfg["H"], cfg["bias"])
        for w in want:
            grad_gap = max(grad_gap, _gap(next(k_grads), w, dt))
    states = [(t_out[1], k_out[1])] + ([(t_out[2], k_out[2])] if t_out[2] is not None else [])
    return {"output": _gap(np.asarray(k_out[0]) * real, t_out[0].detach().numpy() * real, dt),
            "state": max(_gap(np.asarray(k), t.detach().numpy(), dt) for t, k in states),
            "grad": grad_gap}


def _assert_close(gaps, dtype, what):
    tol = ATOL64 if dtype == "float64" else RTOL32
    assert max(v for v in gaps.values() if v is not None) < tol, (what, gaps)


# --------------------------------------------------------------------------- configurations
def _cfg(kind="LSTM", layers=1, bidir=False, D=4, H=5, B=3, T=7, padded=False, init=True,
         batch_first=True, direction="to_keras", bias=True, act="tanh", dtype="float32", seed=0):
    return dict(kind=kind, layers=layers, bidir=bidir, D=D, H=H, B=B, T=T, padded=padded,
                init=init, batch_first=batch_first, direction=direction, bias=bias, act=act,
                dtype=dtype, seed=seed)


FIXED = {"rnn": _cfg("RNN"), "rnn-relu": _cfg("RNN", act="relu"), "lstm": _cfg("LSTM"),
         "gru": _cfg("GRU"), "bi-lstm": _cfg("LSTM", bidir=True),
         "bi-gru": _cfg("GRU", bidir=True), "stacked-lstm": _cfg("LSTM", 2),
         "stacked-bi-gru": _cfg("GRU", 2, True), "stacked-rnn": _cfg("RNN", 3),
         "bi-rnn": _cfg("RNN", bidir=True), "lstm-no-bias": _cfg("LSTM", bias=False),
         "bi-gru-no-bias": _cfg("GRU", 2, True, bias=False)}


def random_configs(n=36, seed=2024):
    """n seeded random recurrent configurations, float32 and (one in four) float64."""
    rng = np.random.default_rng(seed)
    configs = []
    for i in range(n):
        kind = ["RNN", "LSTM", "GRU"][i % 3]
        D = int(rng.integers(1, 7))
        H = int(rng.choice([h for h in range(2, 8) if h != D]))
        B, T = int(rng.choice([1, 2, 4])), int(rng.choice([1, 2, 6]))
        configs.append(_cfg(
            kind, layers=int(rng.integers(1, 4)), bidir=bool(rng.integers(2)), D=D, H=H, B=B, T=T,
            padded=bool(B > 1 and T > 1 and rng.random() < 0.8), init=bool(rng.integers(2)),
            batch_first=bool(rng.integers(2)), direction=["to_keras", "to_torch"][i % 2],
            bias=bool(rng.random() < 0.8), act=str(rng.choice(["tanh", "relu"])),
            dtype="float64" if i % 4 == 3 else "float32", seed=100 + i))
    return configs


RANDOM = random_configs()
COURSE = {f"{kind.lower()}-{d}": _cfg(kind, D=16, H=64, B=32, T=50, padded=True, direction=d)
          for kind, d in (("LSTM", "to_keras"), ("GRU", "to_torch"))}


@pytest.mark.parametrize("name", list(FIXED))
@pytest.mark.parametrize("direction", ["to_keras", "to_torch"])
@pytest.mark.parametrize("padded", [False, True], ids=["full", "padded"])
def test_fixed_pairs_agree(name, direction, padded):
    cfg = dict(FIXED[name], direction=direction, padded=padded)
    _assert_close(measure_recurrent(cfg), "float32", (name, direction, padded))


@pytest.mark.parametrize("i", range(len(RANDOM)))
def test_random_configurations_agree(i):
    cfg = RANDOM[i]
    _assert_close(measure_recurrent(cfg), cfg["dtype"], cfg)


@pytest.mark.parametrize("name", list(COURSE))
def test_course_sized_float32_agrees_relatively(name):
    """H = 64, T = 50, B = 32: absolute gradient gaps reach ~1e-4 in float32, relative ~1e-6."""
    _assert_close(measure_recurrent(COURSE[name]), "float32", name)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_float64_stays_float64_and_agrees_to_1e_10(kind):
    cfg = _cfg(kind, layers=2, bidir=True, D=8, H=32, B=4, T=30, padded=True, dtype="float64")
    module, layers = _recurrent_pair(cfg)
    assert all(w.dtype == "float64" for layer in layers for w in layer.weights)
    gaps = measure_recurrent(cfg)
    assert max(gaps.values()) < ATOL64, gaps
    back = getattr(nn, kind)(8, 32, num_layers=2, bidirectional=True).double()
    keras_to_torch(layers, back)
    assert all(p.dtype == torch.float64 for p in back.parameters())


@pytest.mark.parametrize("name", list(FIXED))
def test_round_trips(name):
    """PyTorch -> Keras -> PyTorch gives back every weight, GRU biases included; a SimpleRNN's or
    LSTM's one Keras bias keeps the sum b_ih + b_hh, not its split. Keras -> PyTorch -> Keras
    gives back every tensor."""
    cfg = FIXED[name]
    module, layers = _recurrent_pair(cfg)
    back, _ = _recurrent_pair(dict(cfg, seed=9))
    keras_to_torch(layers, back)
    orig, got = dict(module.named_parameters()), dict(back.named_parameters())
    for key in orig:
        if key.startswith("bias_ih") and cfg["kind"] != "GRU":
            hh = key.replace("bias_ih", "bias_hh")
            assert torch.equal(orig[key] + orig[hh], got[key] + got[hh]), key
        elif not (key.startswith("bias_hh") and cfg["kind"] != "GRU"):
            assert torch.equal(orig[key], got[key]), key
    _, layers2 = _recurrent_pair(dict(cfg, seed=11))
    torch_to_keras(back, layers2)
    for a, b in zip([w for layer in layers for w in layer.weights],
                    [w for layer in layers2 for w in layer.weights]):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# --------------------------------------------------------------------------- cells
CELL_CASES = [(kind, act, bias, holder, direction)
              for kind, act in (("RNN", "tanh"), ("RNN", "relu"), ("LSTM", "tanh"),
                                ("GRU", "tanh"))
              for bias in (True, False) for holder in ("cell", "layer")
              for direction in ("to_keras", "to_torch")]


def measure_cell(kind, act, bias, holder, direction, D=3, H=4, B=2, T=5, seed=0):
    """An nn.{kind}Cell against Keras's cell, stepped by hand, or the layer holding it."""
    extra = {"nonlinearity": act} if kind == "RNN" else {}
    module = getattr(nn, kind + "Cell")(D, H, bias=bias, **extra)
    k_cell = getattr(keras.layers, KERAS_CLS[kind] + "Cell")(
        H, use_bias=bias, **({"activation": act} if kind == "RNN" else {}))
    target = k_cell
    if holder == "layer":
        target = keras.layers.RNN(k_cell, return_sequences=True, return_state=True)
        target.build((None, None, D))
    else:
        k_cell.build((None, D))
    rng = np.random.default_rng(seed)
    if direction == "to_keras":
        _randomize_torch(module, rng)
        torch_to_keras(module, target)
    else:
        _randomize_keras([target], rng)
        keras_to_torch(target, module)
    x = rng.normal(size=(B, T, D)).astype(np.float32)
    h0 = rng.normal(scale=0.5, size=(B, H)).astype(np.float32)
    c0 = rng.normal(scale=0.5, size=(B, H)).astype(np.float32)
    probe = rng.normal(size=(B, T, H)).astype(np.float32)
    h, c, outs = torch.from_numpy(h0), torch.from_numpy(c0), []
    for t in range(T):
        if kind == "LSTM":
            h, c = module(torch.from_numpy(x[:, t]), (h, c))
        else:
            h = module(torch.from_numpy(x[:, t]), h)
        outs.append(h)
    t_out = torch.stack(outs, 1)
    (t_out * torch.from_numpy(probe)).sum().backward()
    tgrads = {n: p.grad.numpy() for n, p in module.named_parameters()}
    init = [tf.constant(h0)] + ([tf.constant(c0)] if kind == "LSTM" else [])
    variables = [k_cell.kernel, k_cell.recurrent_kernel] + ([k_cell.bias] if bias else [])
    with tf.GradientTape() as tape:
        if holder == "layer":
            k_out = target(x, initial_state=init)[0]
        else:
            states, outs = init, []
            for t in range(T):
                y, states = k_cell(x[:, t], states)
                states = states if isinstance(states, (list, tuple)) else [states]
                outs.append(y)
            k_out = tf.stack(outs, 1)
        k_loss = tf.reduce_sum(k_out * probe)
    want = _expected_keras_grads(kind, tgrads, "", H, bias)
    grads = tape.gradient(k_loss, variables)
    return {"output": _gap(k_out, t_out.detach().numpy(), "float32"), "state": None,
            "grad": max(_gap(g, w, "float32") for g, w in zip(grads, want))}


@pytest.mark.parametrize("case", CELL_CASES, ids=lambda c: "-".join(map(str, c)))
def test_cells_agree(case):
    _assert_close(measure_cell(*case), "float32", case)


# --------------------------------------------------------------------------- Conv1d
# (kernel size, stride, dilation, PyTorch padding, Keras padding, groups, bias)
CONV_CASES = [(3, 1, 1, 0, "valid", 1, True), (3, 1, 1, "same", "same", 1, True),
              (4, 1, 2, "same", "same", 1, False), (3, 1, 1, 1, "same", 1, True),
              (5, 2, 1, 0, "valid", 2, False), (2, 3, 1, "valid", "valid", 2, True)]


def measure_conv(k, s, d, t_pad, k_pad, groups, bias, direction, C_in=4, C_out=6, B=2, T=11):
    module = nn.Conv1d(C_in, C_out, k, stride=s, padding=t_pad, dilation=d, groups=groups,
                       bias=bias)
    conv = keras.layers.Conv1D(C_out, k, strides=s, padding=k_pad, dilation_rate=d,
                               groups=groups, use_bias=bias)
    conv.build((None, T, C_in))
    rng = np.random.default_rng(k * 10 + s)
    if direction == "to_keras":
        _randomize_torch(module, rng)
        torch_to_keras(module, conv)
    else:
        _randomize_keras([conv], rng)
        keras_to_torch(conv, module)
    x = rng.normal(size=(B, T, C_in)).astype(np.float32)                 # Keras: (B, T, C)
    t_out = module(torch.from_numpy(x.transpose(0, 2, 1).copy())).transpose(1, 2)
    probe = rng.normal(size=tuple(t_out.shape)).astype(np.float32)
    (t_out * torch.from_numpy(probe)).sum().backward()
    with tf.GradientTape() as tape:
        k_out = conv(x)
        k_loss = tf.reduce_sum(k_out * probe)
    grads = tape.gradient(k_loss, [conv.kernel] + ([conv.bias] if bias else []))
    want = [module.weight.grad.numpy().transpose(2, 1, 0)]          # (out, in, k) -> (k, in, out)
    if bias:
        want.append(module.bias.grad.numpy())
    assert tuple(k_out.shape) == tuple(t_out.shape)
    return {"output": _gap(k_out, t_out.detach().numpy(), "float32"), "state": None,
            "grad": max(_gap(g, w, "float32") for g, w in zip(grads, want))}


@pytest.mark.parametrize("direction", ["to_keras", "to_torch"])
@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "-".join(map(str, c)))
def test_conv1d_agrees(case, direction):
    _assert_close(measure_conv(*case, direction), "float32", (case, direction))


# --------------------------------------------------------------------------- Linear, Embedding
LINEAR_CASES = [(None, "linear", True), (None, "linear", False), (nn.ReLU, "relu", True),
                (nn.Tanh, "tanh", False), (nn.Sigmoid, "sigmoid", True),
                (lambda: nn.Softmax(dim=-1), "softmax", True)]


def measure_linear(make_act, activation, bias, direction, D=5, H=3, B=4):
    lin = nn.Linear(D, H, bias=bias)
    module = lin if make_act is None else nn.Sequential(lin, make_act())
    dense = keras.layers.Dense(H, activation=None if activation == "linear" else activation,
                               use_bias=bias)
    dense.build((None, D))
    rng = np.random.default_rng(3)
    if direction == "to_keras":
        _randomize_torch(module, rng)
        torch_to_keras(module, dense)
    else:
        _randomize_keras([dense], rng)
        keras_to_torch(dense, module)
    x = rng.normal(size=(B, 2, D)).astype(np.float32)
    probe = rng.normal(size=(B, 2, H)).astype(np.float32)
    t_out = module(torch.from_numpy(x))
    (t_out * torch.from_numpy(probe)).sum().backward()
    with tf.GradientTape() as tape:
        k_out = dense(x)
        k_loss = tf.reduce_sum(k_out * probe)
    grads = tape.gradient(k_loss, [dense.kernel] + ([dense.bias] if bias else []))
    want = [lin.weight.grad.numpy().T] + ([lin.bias.grad.numpy()] if bias else [])
    return {"output": _gap(k_out, t_out.detach().numpy(), "float32"), "state": None,
            "grad": max(_gap(g, w, "float32") for g, w in zip(grads, want))}


@pytest.mark.parametrize("direction", ["to_keras", "to_torch"])
@pytest.mark.parametrize("case", LINEAR_CASES, ids=lambda c: f"{c[1]}-bias{c[2]}")
def test_linear_with_its_activation_agrees(case, direction):
    _assert_close(measure_linear(*case, direction), "float32", (case, direction))


def measure_embedding(direction, V=11, E=4, B=3, T=7):
    emb, k_emb = nn.Embedding(V, E), keras.layers.Embedding(V, E)
    k_emb.build((None, None))
    rng = np.random.default_rng(4)
    if direction == "to_keras":
        torch_to_keras(emb, k_emb)
    else:
        _randomize_keras([k_emb], rng)
        keras_to_torch(k_emb, emb)
    tokens = rng.integers(0, V, size=(B, T))
    probe = rng.normal(size=(B, T, E)).astype(np.float32)
    t_out = emb(torch.from_numpy(tokens))
    (t_out * torch.from_numpy(probe)).sum().backward()
    with tf.GradientTape() as tape:
        k_out = k_emb(tokens)
        k_loss = tf.reduce_sum(k_out * probe)
    g = tf.convert_to_tensor(tape.gradient(k_loss, k_emb.embeddings))
    return {"output": _gap(k_out, t_out.detach().numpy(), "float32"), "state": None,
            "grad": _gap(g, emb.weight.grad.numpy(), "float32")}


@pytest.mark.parametrize("direction", ["to_keras", "to_torch"])
def test_embedding_agrees(direction):
    _assert_close(measure_embedding(direction), "float32", direction)


# --------------------------------------------------------------------------- attention
# (embed dim E, heads, kdim, vdim, bias, padded keys)
MHA_CASES = [(6, 2, None, None, True, False), (6, 3, None, None, False, True),
             (8, 2, 4, 5, True, True), (4, 1, None, None, True, False)]


def measure_attention(E, heads, kdim, vdim, bias, padded, direction, B=3, Tq=4, Tk=6):
    """nn.MultiheadAttention(batch_first=True) against keras.layers.MultiHeadAttention: outputs
    and gradients, the keys optionally padded (key_padding_mask <-> attention_mask)."""
    module = nn.MultiheadAttention(E, heads, bias=bias, kdim=kdim, vdim=vdim, batch_first=True)
    hd, kdim, vdim = E // heads, kdim or E, vdim or E
    mha = keras.layers.MultiHeadAttention(heads, hd, use_bias=bias)
    mha.build((None, None, E), (None, None, vdim), (None, None, kdim))
    rng = np.random.default_rng(E + heads)
    if direction == "to_keras":
        _randomize_torch(module, rng)
        torch_to_keras(module, mha)
    else:
        _randomize_keras([mha], rng)
        keras_to_torch(mha, module)
    q = rng.normal(size=(B, Tq, E)).astype(np.float32)
    k = rng.normal(size=(B, Tk, kdim)).astype(np.float32)
    v = rng.normal(size=(B, Tk, vdim)).astype(np.float32)
    lengths = np.array([Tk, 2, 4][:B]) if padded else np.full(B, Tk)
    keep = np.arange(Tk)[None, :] < lengths[:, None]                     # (B, Tk): real keys
    probe = rng.normal(size=(B, Tq, E)).astype(np.float32)
    t_out, _ = module(*(torch.from_numpy(a) for a in (q, k, v)),
                      key_padding_mask=torch.from_numpy(~keep) if padded else None)
    (t_out * torch.from_numpy(probe)).sum().backward()
    dense = [mha.query_dense, mha.key_dense, mha.value_dense]
    variables = [d.kernel for d in dense] + [mha.output_dense.kernel]
    if bias:
        variables += [d.bias for d in dense] + [mha.output_dense.bias]
    with tf.GradientTape() as tape:
        mask = np.broadcast_to(keep[:, None, :], (B, Tq, Tk)) if padded else None
        k_out = mha(q, v, key=k, attention_mask=mask)
        k_loss = tf.reduce_sum(k_out * probe)
    grads = tape.gradient(k_loss, variables)
    # the recipe: output unit h * hd + j of PyTorch is head h, unit j of Keras
    rows = np.arange(E).reshape(heads, hd)                               # (heads, hd)
    g = {n: p.grad.numpy() for n, p in module.named_parameters()}
    if "in_proj_weight" in g:
        g_q, g_k, g_v = np.split(g["in_proj_weight"], 3)
    else:
        g_q, g_k, g_v = g["q_proj_weight"], g["k_proj_weight"], g["v_proj_weight"]
    want = [w[rows].transpose(2, 0, 1) for w in (g_q, g_k, g_v)]          # (in, heads, hd)
    want.append(g["out_proj.weight"][:, rows].transpose(1, 2, 0))         # (heads, hd, E)
    if bias:
        want += [b[rows] for b in np.split(g["in_proj_bias"], 3)] + [g["out_proj.bias"]]
    # relative to the largest gradient of the layer: the key bias's gradient is 0 up to
    # rounding (adding one vector to every key shifts all scores of a query alike)
    scale = max(np.abs(w).max() for w in want)
    grad = max(np.abs(np.asarray(a) - w).max() for a, w in zip(grads, want)) / scale
    return {"output": _gap(k_out, t_out.detach().numpy(), "float32"), "state": None,
            "grad": float(grad)}


@pytest.mark.parametrize("direction", ["to_keras", "to_torch"])
@pytest.mark.parametrize("case", MHA_CASES, ids=lambda c: "-".join(map(str, c)))
def test_multihead_attention_agrees(case, direction):
    _assert_close(measure_attention(*case, direction), "float32", (case, direction))


# --------------------------------------------------------------------------- the GRU traps
def test_the_known_gru_traps_give_large_errors():
    """Without the r/z swap, or with the two biases summed into one row, the GRU is another cell:
    the comparison above can fail."""
    cfg = _cfg("GRU", init=False)
    module, layers = _recurrent_pair(cfg)
    x, _, _, _ = _data(cfg)

    def gap():
        return np.abs(_torch_run(module, cfg, x, None, None, None)[0].detach().numpy()
                      - np.asarray(_keras_run(layers, cfg, x, None, None, None)[0])).max()

    assert gap() < 1e-5
    cell = layers[0].cell
    kernel, recurrent, bias = (np.asarray(w) for w in (cell.kernel, cell.recurrent_kernel,
                                                       cell.bias))

    def swap(w):                                   # undo the swap along the blocks' axis
        z, r, n = np.split(w, 3, axis=-1)
        return np.concatenate([r, z, n], axis=-1)

    for w, v in zip((cell.kernel, cell.recurrent_kernel, cell.bias), (kernel, recurrent, bias)):
        w.assign(swap(v))
    no_swap = gap()
    cell.kernel.assign(kernel)
    cell.recurrent_kernel.assign(recurrent)
    cell.bias.assign(np.stack([bias[0] + bias[1], np.zeros_like(bias[1])]))
    summed = gap()
    assert no_swap > 0.1 and summed > 0.05, (no_swap, summed)


# --------------------------------------------------------------------------- the table
def _families():
    """(family, float dtype, list of zero-argument measurements)."""
    both = ("to_keras", "to_torch")
    return [
        ("fixed recurrent pairs, both ways, full and padded", "float32",
         [lambda c=dict(FIXED[n], direction=d, padded=p): measure_recurrent(c)
          for n in FIXED for d in both for p in (False, True)]),
        ("random recurrent configurations", "float32",
         [lambda c=c: measure_recurrent(c) for c in RANDOM if c["dtype"] == "float32"]),
        ("random recurrent configurations", "float64",
         [lambda c=c: measure_recurrent(c) for c in RANDOM if c["dtype"] == "float64"]),
        ("course-sized LSTM/GRU (H=64, T=50, B=32, padded)", "float32",
         [lambda c=c: measure_recurrent(c) for c in COURSE.values()]),
        ("2-layer bidirectional RNN/LSTM/GRU (H=32, T=30, B=4, padded)", "float64",
         [lambda k=k: measure_recurrent(_cfg(k, 2, True, 8, 32, 4, 30, padded=True,
                                             dtype="float64")) for k in BLOCKS]),
        ("cells (RNN tanh/relu, LSTM, GRU; cell or layer)", "float32",
         [lambda c=c: measure_cell(*c) for c in CELL_CASES]),
        ("Conv1d <-> Conv1D", "float32",
         [lambda c=c, d=d: measure_conv(*c, d) for c in CONV_CASES for d in both]),
        ("Linear (+ activation) <-> Dense", "float32",
         [lambda c=c, d=d: measure_linear(*c, d) for c in LINEAR_CASES for d in both]),
        ("Embedding", "float32", [lambda d=d: measure_embedding(d) for d in both]),
        ("MultiheadAttention <-> MultiHeadAttention", "float32",
         [lambda c=c, d=d: measure_attention(*c, d) for c in MHA_CASES for d in both]),
    ]


if __name__ == "__main__":
    print("| configuration family | dtype | count | max output | max state | max gradient |")
    print("|---|---|---|---|---|---|")
    for family, dtype, runs in _families():
        gaps = [run() for run in runs]
        worst = {key: max((g[key] for g in gaps if g[key] is not None), default=None)
                 for key in ("output", "state", "grad")}
        cols = " | ".join("(none)" if v is None else f"{v:.1e}" for v in worst.values())
        kind = "relative" if dtype == "float32" else "absolute"
        print(f"| {family} | {dtype} ({kind}) | {len(runs)} | {cols} |")
