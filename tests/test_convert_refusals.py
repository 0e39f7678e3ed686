"""helpers/convert.py refuses what it cannot convert exactly, with one ValueError that names the
layers and their shapes, before any weight is written on either side.

Each case below would, if accepted, give a different model (or fail half-way); each is checked
against a snapshot of every weight of both arguments taken before the call.

    .venv/bin/python -m tests.test_convert_refusals     # prints every refusal and its message
"""
import re

import numpy as np
import pytest

torch = pytest.importorskip("torch")
keras = pytest.importorskip("keras")
from torch import nn  # noqa: E402
from torch.nn.utils import prune  # noqa: E402

from helpers.convert import keras_to_torch, torch_to_keras  # noqa: E402

D, H = 4, 5


def built(layer, shape=(None, None, D)):
    """The Keras layer, built on `shape`, with random weights (so that a write would show)."""
    layer.build(shape)
    rng = np.random.default_rng(0)
    for w in layer.weights:
        if "float" in str(w.dtype):
            w.assign(rng.uniform(-0.5, 0.5, tuple(w.shape)).astype(w.dtype))
    return layer


def pruned(module, name="weight"):
    prune.l1_unstructured(module, name, amount=0.3)
    return module


def quantized_dense():
    dense = built(keras.layers.Dense(H), (None, D))
    dense.quantize("int8")
    return dense


def lora_dense():
    dense = built(keras.layers.Dense(H), (None, D))
    dense.enable_lora(2)
    return dense


def built_attention(heads, key_dim):
    mha = keras.layers.MultiHeadAttention(heads, key_dim)
    mha.build((None, None, D), (None, None, D))
    return mha


def stack_with_a_wrong_second_layer():
    """Layer 0 fits; layer 1 has the wrong size: layer 0 must not be written either."""
    return [built(keras.layers.LSTM(H, return_sequences=True)),
            built(keras.layers.LSTM(H + 1), (None, None, H))]


LSTM_K = lambda **kw: built(keras.layers.LSTM(H, **kw))            # noqa: E731
T2K, K2T = "to_keras", "to_torch"

# id: (direction, make the PyTorch side, make the Keras side, a regex the message must match)
CASES = {
    "go_backwards SimpleRNN": (T2K, lambda: nn.RNN(D, H),
                               lambda: built(keras.layers.SimpleRNN(H, go_backwards=True)),
                               "go_backwards=True"),
    "go_backwards LSTM, Keras -> PyTorch": (K2T, lambda: nn.LSTM(D, H),
                                            lambda: LSTM_K(go_backwards=True), "go_backwards"),
    "go_backwards GRU in layer 1 of 2": (
        T2K, lambda: nn.GRU(D, H, num_layers=2),
        lambda: [built(keras.layers.GRU(H, return_sequences=True)),
                 built(keras.layers.GRU(H, go_backwards=True), (None, None, H))],
        "layer 1: go_backwards"),
    "Bidirectional whose forward layer reads backwards": (
        T2K, lambda: nn.LSTM(D, H, bidirectional=True),
        lambda: built(keras.layers.Bidirectional(keras.layers.LSTM(H, go_backwards=True),
                                                 backward_layer=keras.layers.LSTM(H))),
        "forward layer: go_backwards"),
    "stateful LSTM": (T2K, lambda: nn.LSTM(D, H),
                      lambda: built(keras.layers.LSTM(H, stateful=True), (2, 3, D)),
                      "stateful=True"),
    "Linear <-> Dense(activation='relu')": (
        T2K, lambda: nn.Linear(D, H), lambda: built(keras.layers.Dense(H, "relu"), (None, D)),
        "activation 'relu'"),
    "Dense(activation='softmax') -> Linear": (K2T, lambda: nn.Linear(D, H),
                                              lambda: built(keras.layers.Dense(H, "softmax"),
                                                            (None, D)), "'softmax'"),
    "Linear + ReLU <-> Dense(activation='tanh')": (
        T2K, lambda: nn.Sequential(nn.Linear(D, H), nn.ReLU()),
        lambda: built(keras.layers.Dense(H, "tanh"), (None, D)), "'tanh'.*'relu'"),
    "Linear + Softmax(dim=0)": (T2K, lambda: nn.Sequential(nn.Linear(D, H), nn.Softmax(dim=0)),
                                lambda: built(keras.layers.Dense(H, "softmax"), (None, D)),
                                r"dim=0"),
    "Sequential of three modules": (
        T2K, lambda: nn.Sequential(nn.Linear(D, H), nn.ReLU(), nn.Linear(H, H)),
        lambda: built(keras.layers.Dense(H, "relu"), (None, D)), "nn.Sequential converts only"),
    "Embedding(max_norm=1)": (T2K, lambda: nn.Embedding(11, D, max_norm=1.0),
                              lambda: built(keras.layers.Embedding(11, D), (None, None)),
                              "max_norm"),
    "Embedding(padding_idx=0)": (K2T, lambda: nn.Embedding(11, D, padding_idx=0),
                                 lambda: built(keras.layers.Embedding(11, D), (None, None)),
                                 "padding_idx=0"),
    "Embedding(scale_grad_by_freq=True)": (
        T2K, lambda: nn.Embedding(11, D, scale_grad_by_freq=True),
        lambda: built(keras.layers.Embedding(11, D), (None, None)), "scale_grad_by_freq"),
    "the same Keras layer twice": (T2K, lambda: nn.LSTM(D, H, num_layers=2),
                                   lambda: [LSTM_K(return_sequences=True)] * 2,
                                   "same Keras layer object"),
    "quantized (int8) Dense": (T2K, lambda: nn.Linear(D, H), quantized_dense, "quantized"),
    "Dense with LoRA weights": (T2K, lambda: nn.Linear(D, H), lora_dense, "lora"),
    "float64 module into a float32 layer": (T2K, lambda: nn.LSTM(D, H).double(), LSTM_K,
                                            r"dtypes \['float32', 'float64'\]"),
    "float32 layer into a float64 module": (K2T, lambda: nn.GRU(D, H).double(),
                                            lambda: built(keras.layers.GRU(H)), "dtypes"),
    "Linear(bias=False) <-> Dense(use_bias=True)": (
        T2K, lambda: nn.Linear(D, H, bias=False), lambda: built(keras.layers.Dense(H), (None, D)),
        "bias=False.*use_bias=True"),
    "LSTM(bias=True) <- LSTM(use_bias=False)": (K2T, lambda: nn.LSTM(D, H),
                                                lambda: LSTM_K(use_bias=False),
                                                "bias=True.*use_bias=False"),
    "pruned Linear": (T2K, lambda: pruned(nn.Linear(D, H)),
                      lambda: built(keras.layers.Dense(H), (None, D)), "prune.remove"),
    "pruned LSTM, Keras -> PyTorch": (K2T, lambda: pruned(nn.LSTM(D, H), "weight_hh_l0"), LSTM_K,
                                      "pruned"),
    "weight-normed Linear": (T2K, lambda: nn.utils.parametrizations.weight_norm(nn.Linear(D, H)),
                             lambda: built(keras.layers.Dense(H), (None, D)), "reparametrised"),
    "arguments swapped (torch_to_keras)": (
        "swapped_t2k", lambda: nn.LSTM(D, H), LSTM_K,
        "torch_to_keras.*PyTorch argument is Keras's LSTM.*swapped"),
    "arguments swapped (keras_to_torch)": (
        "swapped_k2t", lambda: nn.LSTM(D, H), LSTM_K,
        "keras_to_torch.*PyTorch argument is Keras's LSTM.*swapped"),
    "unbuilt Keras layer": (T2K, lambda: nn.LSTM(D, H), lambda: keras.layers.LSTM(H),
                            r"not built.*layer.build\(\(None, None, D\)\)"),
    "GRU(reset_after=False)": (T2K, lambda: nn.GRU(D, H),
                               lambda: built(keras.layers.GRU(H, reset_after=False)),
                               "reset_after=False"),
    "RNN(tanh) <-> SimpleRNN(relu)": (T2K, lambda: nn.RNN(D, H),
                                      lambda: built(keras.layers.SimpleRNN(H, activation="relu")),
                                      "activation='relu'.*nonlinearity='tanh'"),
    "LSTM(recurrent_activation='hard_sigmoid')": (
        K2T, lambda: nn.LSTM(D, H),
        lambda: LSTM_K(recurrent_activation="hard_sigmoid"), "hard_sigmoid"),
    "LSTM of another size": (T2K, lambda: nn.LSTM(D, H), lambda: built(keras.layers.LSTM(H + 1)),
                             r"\(4, 20\).*\(4, 24\)"),
    "LSTM <-> GRU": (K2T, lambda: nn.GRU(D, H), LSTM_K, "keras.layers.GRUCell"),
    "2 layers <-> 1": (T2K, lambda: nn.LSTM(D, H, num_layers=2), LSTM_K, "num_layers=2"),
    "a stack whose second layer does not fit": (T2K, lambda: nn.LSTM(D, H, num_layers=2),
                                                stack_with_a_wrong_second_layer, "layer 1"),
    "bidirectional <-> one direction": (T2K, lambda: nn.LSTM(D, H, bidirectional=True), LSTM_K,
                                        "Bidirectional"),
    "Bidirectional(merge_mode='sum')": (
        T2K, lambda: nn.GRU(D, H, bidirectional=True),
        lambda: built(keras.layers.Bidirectional(keras.layers.GRU(H), merge_mode="sum")),
        "merge_mode='sum'"),
    "LSTM(proj_size=2)": (T2K, lambda: nn.LSTM(D, H, proj_size=2), LSTM_K, "proj_size=2"),
    "LSTMCell <-> GRUCell": (T2K, lambda: nn.LSTMCell(D, H),
                             lambda: built(keras.layers.GRUCell(H), (None, D)),
                             "nn.LSTMCell converts"),
    "GRUCell <- Bidirectional": (K2T, lambda: nn.GRUCell(D, H),
                                 lambda: built(keras.layers.Bidirectional(keras.layers.GRU(H))),
                                 "Bidirectional"),
    "Conv1d(padding=1) <-> Conv1D('valid')": (
        T2K, lambda: nn.Conv1d(D, H, 3, padding=1),
        lambda: built(keras.layers.Conv1D(H, 3), (None, None, D)), "padding=1"),
    "Conv1d <-> Conv1D('causal')": (T2K, lambda: nn.Conv1d(D, H, 3, padding=1),
                                    lambda: built(keras.layers.Conv1D(H, 3, padding="causal"),
                                                  (None, None, D)), "'causal'"),
    "Conv1d stride 1 <-> Conv1D strides 2": (
        K2T, lambda: nn.Conv1d(D, H, 3),
        lambda: built(keras.layers.Conv1D(H, 3, strides=2), (None, None, D)), "stride 1"),
    "Conv1d(padding_mode='reflect')": (
        T2K, lambda: nn.Conv1d(D, H, 3, padding="same", padding_mode="reflect"),
        lambda: built(keras.layers.Conv1D(H, 3, padding="same"), (None, None, D)), "reflect"),
    "Conv1D(activation='relu')": (K2T, lambda: nn.Conv1d(D, H, 3),
                                  lambda: built(keras.layers.Conv1D(H, 3, activation="relu"),
                                                (None, None, D)), "'relu'"),
    "MultiheadAttention(add_bias_kv=True)": (
        T2K, lambda: nn.MultiheadAttention(D, 2, add_bias_kv=True),
        lambda: built_attention(2, 2), "add_bias_kv"),
    "MultiheadAttention with 2 heads <-> 1 head": (
        K2T, lambda: nn.MultiheadAttention(D, 2), lambda: built_attention(1, 4), "num_heads 2"),
    "a layer with no conversion (Conv2d)": (T2K, lambda: nn.Conv2d(D, H, 3),
                                            lambda: built(keras.layers.Conv2D(H, 3),
                                                          (None, 8, 8, D)),
                                            "no conversion for Conv2d"),
}


def _snapshot(*sides):
    """Copies of every weight (and PyTorch buffer, e.g. a pruning mask) of both sides."""
    out = []
    for side in sides:
        if isinstance(side, nn.Module):
            out += [v.detach().clone().numpy() for v in side.state_dict().values()]
        else:
            for layer in (side if isinstance(side, list) else [side]):
                out += [np.array(w) for w in layer.weights]
    return out


def refuse(direction, make_torch, make_keras):
    """Run one case; return (the ValueError, snapshots before and after)."""
    module, layer = make_torch(), make_keras()
    before = _snapshot(module, layer)
    call = {T2K: lambda: torch_to_keras(module, layer), K2T: lambda: keras_to_torch(layer, module),
            "swapped_t2k": lambda: torch_to_keras(layer, module),
            "swapped_k2t": lambda: keras_to_torch(module, layer)}[direction]
    with pytest.raises(ValueError) as info:
        call()
    return info.value, before, _snapshot(module, layer)


@pytest.mark.parametrize("name", list(CASES))
def test_refused_before_anything_is_written(name):
    direction, make_torch, make_keras, pattern = CASES[name]
    error, before, after = refuse(direction, make_torch, make_keras)
    message = str(error)
    assert re.search(pattern, message, re.S), message
    assert re.search(r"\(\d+(, \d+)*,?\)", message), f"no shape in: {message}"
    assert len(before) == len(after)
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_what_each_refusal_would_have_hidden():
    """Three refusals, measured: converting anyway gives another function."""
    x = np.random.default_rng(1).normal(size=(2, 6, D)).astype(np.float32)
    torch.manual_seed(0)
    module = nn.LSTM(D, H, batch_first=True)
    backwards = LSTM_K(go_backwards=True)
    forwards = LSTM_K()
    torch_to_keras(module, forwards)
    for a, b in zip(backwards.weights, forwards.weights):
        a.assign(b)                                        # the weights a silent copy would give
    assert np.abs(np.asarray(backwards(x)) - np.asarray(forwards(x))).max() > 0.05
    relu = built(keras.layers.Dense(H, "relu"), (None, D))
    plain = built(keras.layers.Dense(H), (None, D))
    for a, b in zip(relu.weights, plain.weights):
        a.assign(b)
    assert np.abs(np.asarray(relu(x)) - np.asarray(plain(x))).max() > 0.05
    emb = nn.Embedding(11, D, max_norm=1.0)
    k_emb = built(keras.layers.Embedding(11, D), (None, None))
    k_emb.embeddings.assign(emb.weight.detach().numpy())
    tokens = np.arange(11)[None]
    with torch.no_grad():
        looked_up = emb(torch.from_numpy(tokens)).numpy()
    assert np.abs(looked_up - np.asarray(k_emb(tokens))).max() > 0.05


if __name__ == "__main__":
    print("| refused | message (after the description of both sides) |")
    print("|---|---|")
    for name, (direction, make_torch, make_keras, _) in CASES.items():
        msg = str(refuse(direction, make_torch, make_keras)[0])
        reason = msg.split("]: ", 1)[1] if msg.startswith("Cannot convert") else msg
        print(f"| {name} | {reason.replace('|', '/')} |")
