"""Helpers added for topic 05: the next-animal tagging task and fit_runs's "tagging" task."""
import numpy as np
import pytest

from helpers import data


def test_next_animal_tags_name_the_next_animal_or_none():
    X, tags = data.next_animal_task(200, seq_len=9, seed=3)
    assert X.shape == tags.shape == (200, 9)
    np.testing.assert_array_equal(X, data.order_task(200, seq_len=9, seed=3)[0])
    for x, tag in zip(X, tags):
        for t in range(9):
            later = [w for w in x[t + 1:] if w in (data.CAT, data.MOUSE)]
            want = 2 if not later else (0 if later[0] == data.CAT else 1)
            assert tag[t] == want
    assert data.NEXT_ANIMAL_TAGS == ["cat", "mouse", "none"]


def _ceiling(X):
    """Expected accuracy of the best left-to-right tagger: a coin flip before the first animal."""
    first = ((X == data.CAT) | (X == data.MOUSE)).argmax(1)
    return 1 - 0.5 * first.sum() / X.size


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_fit_runs_tagging_trains_a_bidirectional_tagger_past_the_left_to_right_ceiling(framework):
    X, tags = data.next_animal_task(1500, seq_len=10, seed=1)
    X1 = data.one_hot(X, len(data.ORDER_VOCAB))
    args = (X1[:1000], tags[:1000], X1[1000:1250], tags[1000:1250], X1[1250:], tags[1250:])
    if framework == "torch":
        import torch
        from torch import nn

        from helpers import torch_utils as fw

        class Tagger(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = nn.LSTM(12, 12, batch_first=True, bidirectional=True)
                self.head = nn.Linear(24, 3)

            def forward(self, x):
                return self.head(self.rnn(x)[0])

        torch.manual_seed(0)
        model = Tagger()
    else:
        import keras

        from helpers import tf_utils as fw

        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.layers.Bidirectional(
            keras.layers.LSTM(12, return_sequences=True)), keras.layers.Dense(3)])
        model.build((None, None, 12))
    hist = fw.fit_runs([model], *args, task="tagging", epochs=8, lr=1e-2, batch_size=50,
                       clip=1.0)[0]
    assert set(hist) == {"train_loss", "val_acc", "test_acc"}
    assert hist["train_loss"][-1] < hist["train_loss"][0]
    best = int(np.argmax(hist["val_acc"]))
    assert hist["test_acc"][best] > _ceiling(X[1250:]) + 0.05 and hist["test_acc"][best] <= 1.0
    secs = fw.time_per_epoch(model, *args[:2], task="tagging", repeats=1)
    assert len(secs) == 1 and secs[0] > 0


# --------------------------------------------------------------------------- the depth sweep
def test_sign_agreement_target_counts_agreeing_minus_disagreeing_steps():
    X, y = data.sign_agreement_task(400, seq_len=9, seed=1)
    assert X.shape == (400, 9, 2) and y.shape == (400,) and X.dtype == y.dtype == np.float32
    agree = (X[..., 0] > 0) == (X[..., 1] > 0)                       # (400, 9)
    assert np.allclose(y, (agree.sum(1) - (~agree).sum(1)) / (2 * 3.0))
    assert abs(np.var(y) - 0.25) < 0.05                               # the scale the docstring gives
    one = data.sign_agreement_task(1, seq_len=1, seed=0)[1]           # one step: +-1/2
    assert abs(abs(float(one[0])) - 0.5) < 1e-6
    assert not np.array_equal(X, data.sign_agreement_task(400, seq_len=9, seed=2)[0])


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_deep_gru_has_the_parameters_the_sweep_promises(framework):
    """The width-matched one-layer GRUs are within 1% of the stacks they stand beside, and the
    dropout model has its stack's parameters (dropout adds none)."""
    pytest.importorskip("torch" if framework == "torch" else "keras")
    from helpers import depth05
    fw = __import__(f"helpers.{'torch_utils' if framework == 'torch' else 'tf_utils'}",
                    fromlist=["x"])
    n = {name: fw.count_params(depth05.deep_gru(fw, 2, H, L, p))
         for name, (H, L, p) in depth05.MODELS.items()}
    assert n["1 x 32"] == 3489 and n["2 x 32"] == 9825 and n["3 x 32"] == 16161
    assert abs(n["1 x 55"] / n["2 x 32"] - 1) < 0.01 and abs(n["1 x 72"] / n["3 x 32"] - 1) < 0.03
    assert n["2 x 32, dropout 0.2"] == n["2 x 32"]


@pytest.mark.parametrize("framework", ["torch", "tensorflow"])
def test_stored_depth_sweep_is_complete(framework):
    from helpers import depth05, gru04

    runs = gru04.read(framework, depth05.STORED)
    keys = {(r["task"], r["cell"], r["lr"], r["seed"]) for r in runs}
    assert len(runs) == len(keys) == (len(depth05.TASKS) * len(depth05.MODELS)
                                      * len(depth05.LEARNING_RATES) * len(depth05.SEEDS))
    for r in runs:
        E = depth05.TASKS[r["task"]]["epochs"]
        assert len(r["train_loss"]) == len(r["val"]) == len(r["test"]) == E
        assert 0 < r["ms_min"] <= r["ms_per_step"] <= r["ms_max"]


FRAMEWORKS_05 = [("torch", "05_bidirectional_and_stacked_pytorch.ipynb"),
                 ("tensorflow", "05_bidirectional_and_stacked_tensorflow.ipynb")]


@pytest.mark.parametrize("framework, notebook", FRAMEWORKS_05)
def test_notebook_05_live_depth_run_lands_on_its_stored_row(framework, notebook):
    """The live run (sign agreement, its chosen rate, seed 0) must cross MSE 0.05 within an
    epoch of its stored twin and end inside the stored seeds' range (x1.5 either way)."""
    import re

    from helpers import depth05, gru04
    from notebook_support import cell_output, check_live_row

    text = cell_output(notebook, "one run of the stored sweep, live")
    name = re.search(r"live: (.+) on the sign-agreement count", text)[1]
    task = "sign agreement, T = 30"
    runs = gru04.read(framework, depth05.STORED)
    chosen = gru04.summary(runs, depth05.TASKS, depth05.MODELS)[task, name]["lr"]
    stored = [r for r in runs if r["task"] == task and r["cell"] == name and r["lr"] == chosen]
    check_live_row(text, stored, chosen, depth05.SEEDS, ratio=1.5)
