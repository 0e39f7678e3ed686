"""Helpers added for topic 03 (revision): the LSTM diagram and the figures, and fit_runs / the
fast recurrent path in both frameworks."""
import inspect

import numpy as np
import pytest

from helpers import data, plots


# --------------------------------------------------------------------------- figures
def _text_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer)) for ax in fig.axes for t in ax.texts
            if t.get_text().strip()]


def test_lstm_cell_diagram_has_no_overlapping_text():
    fig = plots.lstm_cell_diagram()
    boxes = _text_boxes(fig)
    labels = [name for name, _ in boxes]
    for needed in ("$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$f_t$", "$i_t$", "$g_t$",
                   "$o_t$"):
        assert needed in labels, needed
    overlaps = [(a, b) for k, (a, box_a) in enumerate(boxes) for b, box_b in boxes[k + 1:]
                if box_a.overlaps(box_b)]
    assert not overlaps, overlaps


def test_lstm_cell_diagram_draws_the_highway_straight_and_points_arrows_forward():
    from matplotlib.patches import Circle, FancyArrowPatch

    fig = plots.lstm_cell_diagram()
    ax = fig.axes[0]
    highway = [line for line in ax.lines if line.get_linewidth() >= 2.5]
    heights = {float(y) for line in highway for y in line.get_ydata()}
    assert len(highway) >= 2 and len(heights) == 1           # one straight line across the top
    top = heights.pop()
    nodes = [p for p in ax.patches if isinstance(p, Circle)]
    assert len(nodes) == 4                                   # forget x, add +, i*g x, output x
    assert sum(np.isclose(n.center[1], top) for n in nodes) == 2   # only x and + on the highway
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    assert len(arrows) >= 10
    for arrow in arrows:                                     # data flows right or up...
        (x0, y0), (x1, y1) = arrow._posA_posB
        right, up = y1 == y0 and x1 > x0, x1 == x0 and y1 > y0
        down_to_output = x1 == x0 and y1 < y0 and x0 == 8.9  # ...but tanh(c_t) drops to o_t x
        assert right or up or down_to_output, (x0, y0, x1, y1)


def test_runs_by_seed_draws_one_line_per_run_with_a_colour_per_setting():
    fig = plots.runs_by_seed({"a": [[3, 2, 1], [3, 3, 2]], "b": [[1, 1, 1], [2, 1, 1]]},
                             ylabel="loss", logy=True, hlines=[(2.5, "ref"), (0.5, "goal")])
    ax = fig.axes[0]
    runs = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert len(runs) == 4
    assert runs[0].get_color() == runs[1].get_color() != runs[2].get_color()
    assert runs[0].get_linestyle() != runs[1].get_linestyle()
    assert ax.get_yscale() == "log"
    assert {t.get_text() for t in ax.get_legend().get_texts()} >= {"a, seed 0", "b, seed 1",
                                                                    "ref", "goal"}


def test_accuracy_by_length_runs_shows_every_seed_and_the_mean():
    acc = {"rnn": [[1.0, 1.0, 0.9], [0.2, 0.3, 0.25]], "lstm": [[1.0, 1.0, 1.0], [0.7, 1.0, 1.0]]}
    fig = plots.accuracy_by_length_runs([20, 40], acc, chance=0.25)
    ax = fig.axes[0]
    means = [line for line in ax.lines if line.get_marker() == "o"]
    dots = [line for line in ax.lines if line.get_marker() == "."]
    assert len(means) == 2 and len(dots) == 6
    np.testing.assert_allclose(means[0].get_ydata(), [0.9666667, 0.25], rtol=1e-5)
    assert "mean of 3 seeds" in ax.get_legend().get_texts()[0].get_text()


def test_state_gradient_norms_has_two_panels_and_one_colour_per_model():
    T = 5
    h = {"rnn": np.ones((3, T)), "lstm": np.ones((3, T)) * 2}
    c = {"lstm": np.ones((3, T)) * 3}
    fig = plots.state_gradient_norms(h, c)
    ax_h, ax_c = fig.axes
    assert len(ax_h.lines) == 6 and len(ax_c.lines) == 3
    lstm_colour = ax_h.lines[3].get_color()
    assert all(line.get_color() == lstm_colour for line in ax_c.lines)
    assert ax_h.get_yscale() == "log"


# --------------------------------------------------------------------------- fit_runs
def test_fit_runs_has_the_same_signature_in_both_frameworks():
    torch_utils = pytest.importorskip("helpers.torch_utils")
    tf_utils = pytest.importorskip("helpers.tf_utils")
    assert (inspect.signature(torch_utils.fit_runs) == inspect.signature(tf_utils.fit_runs))


def _torch_regressor(seed, cell="lstm", forget_bias=1.0, hidden=8):
    import torch
    from torch import nn

    from helpers import torch_utils as fw

    class Regressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = (nn.LSTM if cell == "lstm" else nn.RNN)(2, hidden, batch_first=True)
            if cell == "lstm":
                fw.init_forget_bias(self.rnn, forget_bias)
            self.head = nn.Linear(hidden, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1]).squeeze(-1)

    torch.manual_seed(seed)
    return Regressor()


def test_torch_fit_runs_trains_each_model_exactly_as_alone():
    from helpers import torch_utils as fw

    X, y = data.adding_problem(300, seq_len=12, seed=0)
    args = (X[:200], y[:200], X[200:], y[200:])
    kw = dict(epochs=3, lr=1e-2, batch_size=50, clip=1.0)
    together = fw.fit_runs([_torch_regressor(0), _torch_regressor(1, "rnn"),
                            _torch_regressor(2)], *args, **kw)
    alone = fw.fit_runs([_torch_regressor(1, "rnn")], *args, **kw)
    assert together[1] == alone[0]                  # the threads do not touch each other
    assert set(together[0]) == {"train_loss", "val_mse"} and len(together[0]["val_mse"]) == 3
    assert together[0] != together[2]               # different initialisations, different runs


def test_torch_fit_runs_gives_each_model_its_own_order_of_batches_from_a_seed_list():
    from helpers import torch_utils as fw

    X, y = data.adding_problem(300, seq_len=12, seed=0)
    args = (X[:200], y[:200], X[200:], y[200:])
    kw = dict(epochs=2, lr=1e-2, batch_size=50, clip=1.0)
    together = fw.fit_runs([_torch_regressor(0), _torch_regressor(0)], *args, seed=[3, 4], **kw)
    for run, seed in zip(together, (3, 4)):
        assert run == fw.fit_runs([_torch_regressor(0)], *args, seed=seed, **kw)[0]
    assert together[0] != together[1]               # same initialisation, another order
    with pytest.raises(ValueError, match="one seed per model"):
        fw.fit_runs([_torch_regressor(0)], *args, seed=[1, 2], **kw)


def test_torch_fit_runs_classification_records_test_accuracy_per_epoch():
    import torch
    from torch import nn

    from helpers import torch_utils as fw

    torch.manual_seed(0)

    class Classifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.head = nn.RNN(8, 16, batch_first=True), nn.Linear(16, 4)

        def forward(self, x):
            return self.head(self.rnn(x)[0][:, -1])

    X, y = data.first_token_task(400, seq_len=5, seed=0)
    (hist,) = fw.fit_runs([Classifier()], X[:300], y[:300], X[300:350], y[300:350], X[350:],
                          y[350:], task="classification", epochs=4, lr=1e-2, batch_size=50)
    assert set(hist) == {"train_loss", "val_acc", "test_acc"}
    assert len(hist["test_acc"]) == 4 and hist["val_acc"][-1] > 0.5
    with pytest.raises(ValueError):
        fw.fit_runs([Classifier()], X, y, X, y, task="ranking")


def _keras_model(seed, cell="lstm", out=1, D=2, forget_bias=None, hidden=8):
    import keras
    import tensorflow as tf

    from helpers import tf_utils as fw

    class Model(keras.Model):
        def __init__(self):
            super().__init__()
            layer = {"lstm": keras.layers.LSTM, "rnn": keras.layers.SimpleRNN,
                     "gru": keras.layers.GRU}[cell.split("-")[0]]
            if cell.endswith("-stack"):                # two layers, then the last output
                self.rnn = keras.Sequential([layer(hidden, return_sequences=True), layer(hidden)])
            else:
                self.rnn = layer(hidden)
            self.head = keras.layers.Dense(out)
            self(np.zeros((1, 4, D), np.float32))
            if forget_bias is not None:
                fw.init_forget_bias(self.rnn, forget_bias)

        def call(self, x):
            y = self.head(self.rnn(x))
            return tf.squeeze(y, -1) if out == 1 else y

    keras.utils.set_random_seed(seed)
    return Model()


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru", "rnn-stack", "gru-stack"])
def test_tf_fast_path_matches_the_keras_layer_and_its_gradient(cell):
    """The fast path of fit_runs gives each layer's outputs and gradients, also when layers of
    the same kind and size run stacked together (three seeds, as the notebooks train them), and
    for stacks of two layers (topic 05)."""
    import tensorflow as tf

    from helpers import tf_utils as fw

    models = [_keras_model(seed, cell, forget_bias=2.0 if cell == "lstm" else None)
              for seed in range(3)]
    x = tf.constant(data.adding_problem(6, seq_len=15, seed=1)[0])
    with tf.GradientTape(persistent=True) as tape:
        refs = [m.rnn(x) for m in models]
        fasts = fw._last_outputs([m.rnn for m in models], x)
        loss_ref = tf.add_n([tf.reduce_sum(r ** 2) for r in refs])
        loss_fast = tf.add_n([tf.reduce_sum(f ** 2) for f in fasts])
    for fast, ref in zip(fasts, refs):
        np.testing.assert_allclose(fast, ref, atol=1e-6)
    weights = [v for m in models for v in m.rnn.trainable_variables]
    for g_ref, g_fast in zip(tape.gradient(loss_ref, weights), tape.gradient(loss_fast, weights)):
        np.testing.assert_allclose(tf.convert_to_tensor(g_fast), g_ref, atol=1e-5)


def test_tf_fast_path_refuses_a_gru_with_the_reset_before_the_product():
    import keras
    import tensorflow as tf

    from helpers import tf_utils as fw

    layer = keras.layers.GRU(4, reset_after=False)
    layer.build((None, 3, 2))
    with pytest.raises(TypeError, match="reset_after"):
        fw._last_outputs([layer], tf.zeros((1, 3, 2)))


def test_tf_fit_runs_trains_each_model_as_alone_with_keras_adam():
    import keras

    from helpers import tf_utils as fw

    X, y = data.adding_problem(300, seq_len=12, seed=0)
    args = (X[:200], y[:200], X[200:], y[200:])
    kw = dict(epochs=2, lr=1e-2, batch_size=50, clip=1.0)
    together = fw.fit_runs([_keras_model(0), _keras_model(1, "rnn"), _keras_model(2)],
                           *args, **kw)
    alone = fw.fit_runs([_keras_model(1, "rnn")], *args, **kw)
    np.testing.assert_allclose(together[1]["val_mse"], alone[0]["val_mse"], rtol=1e-5)
    # one full-batch step of fit_runs is one step of keras.optimizers.Adam on the same gradient
    ours, ref = _keras_model(3), _keras_model(3)
    fw.fit_runs([ours], X[:50], y[:50], X[:50], y[:50], epochs=1, lr=1e-2, batch_size=50)
    ref.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="mse")
    ref.train_on_batch(X[:50], y[:50])
    for a, b in zip(ours.trainable_variables, ref.trainable_variables):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_tf_fit_runs_gives_each_model_its_own_order_of_batches_from_a_seed_list():
    from helpers import tf_utils as fw

    X, y = data.adding_problem(300, seq_len=12, seed=0)
    args = (X[:200], y[:200], X[200:], y[200:])
    kw = dict(epochs=2, lr=1e-2, batch_size=50, clip=1.0)
    together = fw.fit_runs([_keras_model(0), _keras_model(0, "rnn"), _keras_model(0)], *args,
                           seed=[3, 4, 3], **kw)
    for run, (seed, cell) in zip(together, [(3, "lstm"), (4, "rnn"), (3, "lstm")]):
        alone = fw.fit_runs([_keras_model(0, cell)], *args, seed=seed, **kw)[0]
        np.testing.assert_allclose(run["val_mse"], alone["val_mse"], rtol=1e-5)
        np.testing.assert_allclose(run["train_loss"], alone["train_loss"], rtol=1e-5)
    with pytest.raises(ValueError, match="one seed per model"):
        fw.fit_runs([_keras_model(0)], *args, seed=[1, 2], **kw)


def test_tf_fit_runs_trains_a_model_without_a_fast_path_as_keras_computes_it():
    """A model that is not head(rnn(x)) is not run on the fast path; it trains as Keras computes
    it: one full-batch step equals keras.optimizers.Adam's on the same batch."""
    import keras
    import tensorflow as tf

    from helpers import tf_utils as fw

    class Other(keras.Model):                          # head(rnn(x)) is not what it computes
        def __init__(self):
            super().__init__()
            self.rnn, self.head = keras.layers.LSTM(4), keras.layers.Dense(1)
            self(np.zeros((1, 3, 2), np.float32))

        def call(self, x):
            return tf.squeeze(2.0 * self.head(self.rnn(x)), -1)

    X, y = data.adding_problem(50, seq_len=5, seed=0)
    probe = tf.constant(X[:2, :3])
    keras.utils.set_random_seed(0)
    assert fw._split_fast([Other(), _keras_model(0)], probe) == [False, True]
    keras.utils.set_random_seed(0)
    ours = Other()
    keras.utils.set_random_seed(0)
    ref = Other()
    fw.fit_runs([ours], X, y, X, y, epochs=1, lr=1e-2, batch_size=50)
    ref.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-2), loss="mse")
    ref.train_on_batch(X, y)
    for a, b in zip(ours.trainable_variables, ref.trainable_variables):
        np.testing.assert_allclose(a, b, atol=1e-6)


# --------------------------------------------------------------------------- gradient paths
def _lstm_case(seed=0, D=3, H=4, C=2, B=5, T=6, W_h_scale=0.5):
    rng = np.random.default_rng(seed)
    weights = {"W_x": rng.normal(0, 0.5, (D, 4 * H)), "W_h": rng.normal(0, W_h_scale, (H, 4 * H)),
               "b": rng.normal(0, 0.5, 4 * H)}
    head = (rng.normal(0, 0.5, (H, C)), rng.normal(0, 0.5, C))
    return weights, head, rng.normal(0, 1, (B, T, D)), rng.integers(0, C, B)


def _torch_c1_gradient(weights, head, x, y):
    """||dL/dc_1|| and ||dL/dc_T|| from nn.LSTMCell holding the weights (an independent route)."""
    import torch
    from torch import nn

    D, H = weights["W_x"].shape[0], weights["W_h"].shape[0]
    cell = nn.LSTMCell(D, H).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(weights["W_x"].T))
        cell.weight_hh.copy_(torch.from_numpy(weights["W_h"].T))
        cell.bias_ih.copy_(torch.from_numpy(weights["b"]))
        cell.bias_hh.zero_()
    h = c = torch.zeros(x.shape[0], H, dtype=torch.float64)
    cs = []
    for x_t in torch.from_numpy(x).unbind(1):
        h, c = cell(x_t, (h, c))
        c.retain_grad()
        cs.append(c)
    logits = h @ torch.from_numpy(head[0]) + torch.from_numpy(head[1])
    nn.functional.cross_entropy(logits, torch.from_numpy(y)).backward()
    return float(cs[0].grad.norm()), float(cs[-1].grad.norm())


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_lstm_gradient_paths_total_is_the_gradient_at_the_first_cell_state(framework):
    fw = pytest.importorskip(f"helpers.{'torch_utils' if framework == 'torch' else 'tf_utils'}")
    weights, head, x, y = _lstm_case()
    paths = fw.lstm_gradient_paths(weights, head, x, y)
    total, last = _torch_c1_gradient(weights, head, x, y)
    assert paths["total"] == pytest.approx(total, rel=1e-9)
    assert paths["last"] == pytest.approx(last, rel=1e-9)
    assert 0 < paths["direct"] and paths["direct"] != pytest.approx(paths["total"], rel=1e-3)


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_lstm_gradient_paths_direct_is_everything_when_no_gate_reads_h(framework):
    """With W_h = 0 no gate reads h_{t-1}: c_{t-1} reaches c_t only through f_t * c_{t-1}, so the
    direct path is the whole gradient, and equals dL/dc_T times the product of the forget gates."""
    fw = pytest.importorskip(f"helpers.{'torch_utils' if framework == 'torch' else 'tf_utils'}")
    weights, head, x, y = _lstm_case(seed=1, W_h_scale=0.0)
    paths = fw.lstm_gradient_paths(weights, head, x, y)
    assert paths["direct"] == pytest.approx(paths["total"], rel=1e-9)
    H = weights["W_h"].shape[0]
    f = 1 / (1 + np.exp(-(x @ weights["W_x"][:, H:2 * H] + weights["b"][H:2 * H])))  # (B, T, H)
    assert paths["direct"] <= paths["last"] * f[:, 1:].prod(1).max() * np.sqrt(f.shape[0] * H)


def test_lstm_gradient_paths_agree_between_frameworks():
    torch_utils = pytest.importorskip("helpers.torch_utils")
    tf_utils = pytest.importorskip("helpers.tf_utils")
    weights, head, x, y = _lstm_case(seed=2, T=9)
    a, b = torch_utils.lstm_gradient_paths(weights, head, x, y), tf_utils.lstm_gradient_paths(
        weights, head, x, y)
    for key in ("last", "direct", "total"):
        assert a[key] == pytest.approx(b[key], rel=1e-9)


# --------------------------------------------------------------------------- notebook 03's live rows
from notebook_support import cell_output as _cell_output  # noqa: E402


FRAMEWORKS_03 = [("torch", "03_lstm_pytorch.ipynb"), ("tensorflow", "03_lstm_tensorflow.ipynb")]


@pytest.mark.parametrize("framework, notebook", FRAMEWORKS_03)
def test_notebook_03_live_forget_bias_run_lands_on_its_stored_row(framework, notebook):
    import re

    from helpers import lstm03

    text = _cell_output(notebook, "one run of the stored sweep")
    m = re.search(r"live, b_f = \+2, seed 0: first epoch below MSE 0\.05:\s+(\w+); last epoch: "
                  r"held-out ([\d.]+), training ([\d.]+)", text)
    assert m, text
    stored = next(r for r in lstm03.forget_bias_runs(framework) if r["b_f"] == 2.0 and r["seed"] == 0)
    assert stored["first_below"] != "never" and abs(int(m[1]) - stored["first_below"]) <= 1
    assert stored["val_mse"][-1] / 2 <= float(m[2]) <= 2 * stored["val_mse"][-1]
    assert len(lstm03.forget_bias_runs(framework)) == 12          # 4 biases x 3 seeds


@pytest.mark.parametrize("framework, notebook", FRAMEWORKS_03)
def test_notebook_03_live_first_token_runs_land_on_their_stored_rows(framework, notebook):
    import re

    from helpers import lstm03

    text = _cell_output(notebook, "seed 0 of each cell live")
    stored = lstm03.first_token_runs(framework)
    assert set(stored) == set(lstm03.FIRST_TOKEN_TASK["cells"])
    for name, runs in stored.items():
        assert {T: len(accs) for T, accs in runs.items()} == {20: 3, 40: 3}
        m = re.search(re.escape(name) + r" .*live, T = 40, seed 0: ([\d.]+)", text)
        assert m, (name, text)
        assert abs(float(m[1]) - runs[40][0]) <= 0.05


@pytest.mark.parametrize("framework, notebook", FRAMEWORKS_03)
def test_notebook_03_live_gradient_paths_lie_in_the_stored_range(framework, notebook):
    """The notebook splits the gradient of nn.LSTMCell / keras LSTMCell models at initialisation;
    the stored table, of the classifiers the tool trains, at initialisation too: the direct path's
    share must agree within a factor of 3 for every b_f."""
    import re

    from helpers import lstm03

    text = _cell_output(notebook, "lstm_gradient_paths(")
    stored = lstm03.gradient_paths_runs(framework)
    for b_f in (0, 1, 2):
        m = re.search(rf"b_f = {b_f}: direct .*?direct / all ([\d.e+-]+)(?: to ([\d.e+-]+))?", text)
        assert m, text
        live = [float(m[1]), float(m[2] or m[1])]
        init = [r["direct"] / r["total"] for r in stored if r["b_f"] == b_f and r["stage"] == "init"]
        assert len(init) == 3 and min(init) / 3 <= min(live) and max(live) <= 3 * max(init)
