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
