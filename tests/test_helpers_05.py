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
