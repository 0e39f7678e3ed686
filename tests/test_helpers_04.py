"""Topic 04's helpers: the gradient reaching each step of a vanilla RNN, an LSTM or a GRU."""
import numpy as np
import pytest

from helpers import data, plots


def _probe(T=12, B=16):
    return data.first_token_task(B, seq_len=T, seed=1)


def test_torch_hidden_grad_norms_keep_the_gradient_when_the_update_gate_is_shut():
    """A GRU with z_t = 1 copies h_{t-1} to h_t: every step passes the gradient on unchanged."""
    torch = pytest.importorskip("torch")
    from helpers import torch_utils as fw

    x, y = map(torch.from_numpy, _probe())
    torch.manual_seed(0)
    cell, head = torch.nn.GRUCell(8, 6), torch.nn.Linear(6, 4)
    with torch.no_grad():
        cell.bias_ih[6:12] = 50.0                           # block z of r, z, n: z = 1
    norms = fw.hidden_grad_norms(cell, head, x, y)
    assert norms.shape == (12,) and np.allclose(norms, norms[-1], rtol=1e-6)
    torch.manual_seed(0)
    rnn = fw.hidden_grad_norms(torch.nn.RNNCell(8, 6), head, x, y)
    assert rnn[0] < rnn[-1]                                 # a vanilla RNN's gradient fades


def test_tf_hidden_grad_norms_keep_the_gradient_when_the_update_gate_is_shut():
    keras = pytest.importorskip("keras")
    from helpers import tf_utils as fw

    x, y = _probe()
    keras.utils.set_random_seed(0)
    cell, head = keras.layers.GRUCell(6), keras.layers.Dense(4)
    cell.build((None, 8))
    bias = np.asarray(cell.bias).copy()                     # (2, 3H): input and recurrent biases
    bias[0, :6] = 50.0                                      # Keras's block order z, r, h: z = 1
    cell.bias.assign(bias)
    norms = fw.hidden_grad_norms(cell, head, x, y)
    assert norms.shape == (12,) and np.allclose(norms, norms[-1], rtol=1e-5)
    lstm = keras.layers.LSTMCell(6)
    assert fw.hidden_grad_norms(lstm, head, x, y).shape == (12,)


def test_state_gradient_norms_draws_one_panel_without_cell_states():
    fig = plots.state_gradient_norms({"GRU": np.ones((3, 5)), "vanilla RNN": np.ones(5)}, {})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 4


# --------------------------------------------------------------------------- timing and its causes
def test_torch_time_train_steps_interleaves_the_models_and_times_every_repeat():
    torch = pytest.importorskip("torch")
    from helpers import torch_utils as fw

    calls = []

    class Tagged(torch.nn.Module):
        def __init__(self, tag):
            super().__init__()
            self.tag, self.lin = tag, torch.nn.Linear(2, 1)

        def forward(self, x):
            calls.append(self.tag)
            return self.lin(x[:, -1]).squeeze(-1)

    X, y = data.adding_problem(20, seq_len=3, seed=0)
    ms = fw.time_train_steps({"a": Tagged("a"), "b": Tagged("b")}, X, y, batch_size=5,
                             batches=2, repeats=3)
    assert set(ms) == {"a", "b"} and all(len(t) == 3 and min(t) > 0 for t in ms.values())
    # two warm-up steps each, then a, a, b, b repeated: interleaved, not all of a first
    assert calls == ["a", "a", "b", "b"] + ["a", "a", "b", "b"] * 3
    secs = fw.time_per_epoch(Tagged("c"), X, y, batch_size=5, batches=2, repeats=2)
    assert len(secs) == 2 and min(secs) > 0


def test_torch_operator_calls_name_the_fused_lstm_kernel_and_not_the_grus():
    """On a CPU nn.LSTM runs oneDNN's fused layer; switched off, and for nn.GRU, it does not."""
    torch = pytest.importorskip("torch")
    from helpers import torch_utils as fw

    x = torch.randn(4, 6, 2)
    names = {}
    for kind in ("LSTM", "GRU"):
        layer = getattr(torch.nn, kind)(2, 3, batch_first=True)
        calls = fw.operator_calls(lambda: layer(x)[0].sum().backward())
        assert all(n >= 1 and t >= 0 for _, n, t in calls)
        assert [t for _, _, t in calls] == sorted((t for _, _, t in calls), reverse=True)
        names[kind] = {name for name, _, _ in calls}
    assert "aten::gru" in names["GRU"] and "aten::mkldnn_rnn_layer" not in names["GRU"]
    if torch.backends.mkldnn.is_available():
        assert "aten::mkldnn_rnn_layer" in names["LSTM"]
        torch.backends.mkldnn.enabled = False
        try:
            off = {n for n, _, _ in fw.operator_calls(lambda: layer(x)[0].sum().backward())}
        finally:
            torch.backends.mkldnn.enabled = True
        assert "aten::mkldnn_rnn_layer" not in off


def test_tf_step_ops_count_one_step_of_each_keras_layer():
    keras = pytest.importorskip("keras")
    from helpers import tf_utils as fw

    counts = {}
    for kind in ("SimpleRNN", "LSTM", "GRU"):
        layer = getattr(keras.layers, kind)(4)
        layer.build((None, None, 3))
        ops = fw.step_ops(layer, 3)
        assert ops["MatMul"] == 2 and "Const" not in ops      # x W_x and h W_h, gates fused
        counts[kind] = sum(ops.values())
    assert counts["SimpleRNN"] < counts["LSTM"] < counts["GRU"]
    assert fw.step_ops(keras.layers.LSTM(4), 3)["Sigmoid"] == 3    # i, f, o


def test_tf_time_train_steps_returns_every_repeat_of_every_model():
    keras = pytest.importorskip("keras")
    from helpers import tf_utils as fw

    X, y = data.adding_problem(20, seq_len=3, seed=0)
    models = {}
    for kind in ("SimpleRNN", "GRU"):
        models[kind] = keras.Sequential([keras.Input((None, 2)), getattr(keras.layers, kind)(3),
                                         keras.layers.Dense(1), keras.layers.Reshape(())])
    ms = fw.time_train_steps(models, X, y, batch_size=5, batches=2, repeats=3)
    assert set(ms) == set(models) and all(len(t) == 3 and min(t) > 0 for t in ms.values())


# --------------------------------------------------------------------------- the stored sweep
def _run(task, cell, lr, seed, val, train_loss=0.1):
    E = len(val)
    return {"task": task, "cell": cell, "params": 10, "lr": lr, "seed": seed,
            "train_loss": [train_loss] * E, "val": list(val), "test": [v + 1 for v in val]}


def test_gru04_summary_chooses_each_cells_rate_on_validation_and_reads_test_there():
    from helpers import gru04

    task, cell = "adding, T = 50", "GRU, 32"
    runs = []
    for seed in gru04.SEEDS:
        runs.append(_run(task, cell, 3e-3, seed, [0.2, 0.1, 0.08]))       # median best 0.08
        runs.append(_run(task, cell, 1e-2, seed, [0.2, 0.01 * (seed + 1), 0.3]))   # 0.02
        runs.append(_run(task, cell, 3e-2, seed, [0.04 if seed == 0 else 0.5] * 3))  # 0.5
    s = gru04.summary(runs)[task, cell]
    assert s["lr"] == 1e-2 and s["val_by_lr"][3e-3] == pytest.approx(0.08)
    assert s["test"] == pytest.approx([1.01, 1.02, 1.03])           # test at the best epoch
    assert s["first"] == [2, 2, 2] and s["seeds"] == [0, 1, 2]
    acc = "first token, T = 20"
    runs = [_run(acc, cell, lr, s, [0.5, 0.95 if lr == 3e-2 else 0.6]) for lr in
            gru04.LEARNING_RATES for s in gru04.SEEDS]
    s = gru04.summary(runs)[acc, cell]
    assert s["lr"] == 3e-2 and s["first"] == [2, 2, 2]             # accuracy: the highest
    runs = [_run(acc, cell, lr, s, [0.5, 1.0, 1.0] if lr == 1e-2 else [0.5, 0.9, 1.0])
            for lr in gru04.LEARNING_RATES for s in gru04.SEEDS]
    assert gru04.summary(runs)[acc, cell]["lr"] == 1e-2              # a tie: the sooner


def test_gru04_first_reaching_counts_from_one_and_respects_the_direction():
    from helpers import gru04

    assert gru04.first_reaching([0.3, 0.05, 0.04], "mse", 0.05) == 3       # strictly below
    assert gru04.first_reaching([0.3, 0.9, 0.95], "acc", 0.9) == 2         # at least
    assert gru04.first_reaching([0.3], "mse", 0.05) is None


def test_median_bands_draws_a_median_and_a_band_per_label():
    import matplotlib
    matplotlib.use("Agg")
    runs = np.array([[3.0, 2.0, 1.0], [5.0, 4.0, 0.5], [4.0, 3.0, 2.0]])
    fig = plots.median_bands({"a": {"x": runs, "y": runs / 2}, "b": {"x": runs}},
                             ylabels={"a": "MSE"}, hlines={"a": [(1.0, "threshold")]},
                             logy=("a",))
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and fig.axes[1].get_yscale() == "linear"
    assert np.allclose(ax.lines[0].get_ydata(), [4.0, 3.0, 1.0])            # the median
    assert ax.lines[0].get_color() == fig.axes[1].lines[0].get_color()     # one colour per label


# --------------------------------------------------------------------------- notebook 04's live row
FRAMEWORKS_04 = [("torch", "04_gru_pytorch.ipynb"), ("tensorflow", "04_gru_tensorflow.ipynb")]


from notebook_support import cell_output as _cell_output, check_live_row  # noqa: E402


@pytest.mark.parametrize("framework, notebook", FRAMEWORKS_04)
def test_notebook_04_live_gru_run_lands_on_its_stored_row(framework, notebook):
    """The live GRU run (adding problem, T = 50, the chosen rate, seed 0) must cross MSE 0.05
    within an epoch of its stored twin and end inside the stored seeds' range (x3 either way)."""
    from helpers import gru04

    text = _cell_output(notebook, "one run of the stored sweep, live")
    task, cell = "adding, T = 50", "GRU, 32"
    chosen = gru04.summary(gru04.read(framework))[task, cell]["lr"]
    stored = [r for r in gru04.read(framework)
              if r["task"] == task and r["cell"] == cell and r["lr"] == chosen]
    check_live_row(text, stored, chosen, gru04.SEEDS, ratio=3)


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_stored_lstm_vs_gru_sweep_is_complete(framework):
    from helpers import gru04

    runs = gru04.read(framework)
    keys = {(r["task"], r["cell"], r["lr"], r["seed"]) for r in runs}
    assert len(runs) == len(keys) == len(gru04.TASKS) * len(gru04.CELLS) * 3 * 3
    for r in runs:
        E = gru04.TASKS[r["task"]]["epochs"]
        assert len(r["train_loss"]) == len(r["val"]) == len(r["test"]) == E
