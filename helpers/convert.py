"""Weights copied between PyTorch and Keras, for every layer the course uses, both ways.

    torch_to_keras(module, keras_layer)     # copies module's weights into a built Keras layer
    keras_to_torch(keras_layer, module)     # and back

Pairs (the Keras side may be one layer, a list of layers or a ``keras.Sequential``):

==========================================  ===============================================
PyTorch                                     Keras
==========================================  ===============================================
nn.Linear(D, H)                             Dense(H)
nn.Embedding(V, E)                          Embedding(V, E)
nn.RNN(D, H) (tanh)                         SimpleRNN(H)
nn.LSTM(D, H)                               LSTM(H)
nn.GRU(D, H)                                GRU(H) with reset_after=True (the default)
bidirectional=True                          Bidirectional(layer)
num_layers=L                                L layers, one per PyTorch layer index
==========================================  ===============================================

What the conversion handles (and why each step is exact):

* Layout: PyTorch keeps a weight as (out, in) and computes x @ W.T; Keras keeps (in, out) and
  computes x @ W. Every matrix is transposed.
* Biases: PyTorch's recurrent layers have two, b_ih and b_hh; Keras's SimpleRNN and LSTM have one.
  Both are added to the same pre-activation, so Keras gets b_ih + b_hh, and PyTorch gets Keras's
  bias as b_ih with b_hh = 0: exact both ways (only the split of the sum is not kept).
* Gate order: the LSTM's blocks are i, f, g, o in both. The GRU's are r, z, n in PyTorch and
  z, r, h in Keras: the first two H-blocks are swapped.
* The GRU's two biases stay apart, in Keras's (2, 3H) bias: b_hn is multiplied by the reset gate,
  so b_in + b_hn would be a different cell. Keras's GRU(reset_after=False) is such a different
  cell (the reset gate before the product) and has no PyTorch equivalent: it is refused.
* Bidirectional: the forward_layer takes PyTorch's ``_l{k}`` weights, the backward_layer the
  ``_l{k}_reverse`` ones. Stacked: Keras layer k takes PyTorch's layer index k.

Anything else (another layer, another size, another activation) raises ``ValueError`` naming the
layer and the shapes, before any weight is written: a conversion is whole or it does not happen.
"""
from __future__ import annotations

import numpy as np

_RECURRENT = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}      # PyTorch -> Keras class name
_BLOCKS = {"RNN": 1, "LSTM": 4, "GRU": 3}


def _swap_rz(w: np.ndarray) -> np.ndarray:
    """Swap the first two H-blocks along axis 0 of a (3H, ...) array: r, z, n <-> z, r, n."""
    first, second, rest = np.split(w, 3, axis=0)
    return np.concatenate([second, first, rest], axis=0)


def _keras_layers(keras_layer) -> list:
    import keras
    if isinstance(keras_layer, keras.Sequential):
        return list(keras_layer.layers)
    if isinstance(keras_layer, (list, tuple)):
        return list(keras_layer)
    return [keras_layer]


def _describe(layer) -> str:
    return f"{type(layer).__name__} {getattr(layer, 'name', '')}".strip()


def _np(t) -> np.ndarray:
    return np.asarray(t.detach().cpu().numpy() if hasattr(t, "detach") else t, dtype=np.float32)


# --------------------------------------------------------------------------- plan
def _plan(module, keras_layer) -> list[tuple]:
    """Check that the two sides are the same model and list the recurrent pairs to copy:
    (kind, torch suffix like "_l0" or "_l0_reverse", Keras layer), or one ("linear" / "embedding",
    "", Keras layer). Raises ValueError, naming the layer and the shapes, on any mismatch."""
    import keras
    from torch import nn

    layers = _keras_layers(keras_layer)
    unbuilt = [_describe(layer) for layer in layers if not layer.built]
    if unbuilt:
        raise ValueError(f"Build the Keras layers first (layer.build(input_shape)): {unbuilt}")
    if isinstance(module, nn.Linear):
        (dense,) = _one(layers, keras.layers.Dense, module)
        want = (module.in_features, module.out_features)
        got = tuple(dense.kernel.shape)
        if got != want or dense.use_bias != (module.bias is not None):
            raise ValueError(f"nn.Linear({module.in_features}, {module.out_features}, "
                             f"bias={module.bias is not None}) does not fit {_describe(dense)} with "
                             f"kernel {got} and use_bias={dense.use_bias}")
        return [("linear", "", dense)]
    if isinstance(module, nn.Embedding):
        (emb,) = _one(layers, keras.layers.Embedding, module)
        got, want = tuple(emb.embeddings.shape), tuple(module.weight.shape)
        if got != want:
            raise ValueError(f"nn.Embedding{want} does not fit {_describe(emb)} with embeddings {got}")
        return [("embedding", "", emb)]
    kind = type(module).__name__
    if kind not in _RECURRENT:
        raise ValueError(f"No conversion for {kind}: the course converts nn.Linear, nn.Embedding, "
                         "nn.RNN, nn.LSTM and nn.GRU")
    if kind == "RNN" and module.nonlinearity != "tanh":
        raise ValueError(f"nn.RNN with nonlinearity={module.nonlinearity!r}: Keras's SimpleRNN "
                         "here must be tanh on both sides")
    if not module.bias:
        raise ValueError(f"nn.{kind}(bias=False) has no Keras equivalent in the course's layers")
    if getattr(module, "proj_size", 0):
        raise ValueError(f"nn.{kind} with proj_size={module.proj_size} has no Keras equivalent")
    if len(layers) != module.num_layers:
        raise ValueError(f"nn.{kind} has num_layers={module.num_layers} but the Keras side has "
                         f"{len(layers)} layer(s): {[_describe(layer) for layer in layers]}")
    pairs = []
    for k, layer in enumerate(layers):
        if module.bidirectional:
            if not isinstance(layer, keras.layers.Bidirectional):
                raise ValueError(f"nn.{kind}(bidirectional=True), layer {k}: the Keras layer is "
                                 f"{_describe(layer)}, not a Bidirectional")
            if layer.merge_mode != "concat":
                raise ValueError(f"{_describe(layer)} has merge_mode={layer.merge_mode!r}; PyTorch "
                                 "concatenates the directions (merge_mode='concat')")
            directions = [("", layer.forward_layer), ("_reverse", layer.backward_layer)]
        else:
            if isinstance(layer, keras.layers.Bidirectional):
                raise ValueError(f"nn.{kind}(bidirectional=False), layer {k}: the Keras layer is "
                                 f"{_describe(layer)}, which reads both directions")
            directions = [("", layer)]
        for suffix, rnn in directions:
            pairs.append((kind, f"_l{k}{suffix}", _check_recurrent(module, kind, k, suffix, rnn)))
    return pairs


def _one(layers, cls, module):
    if len(layers) != 1 or not isinstance(layers[0], cls):
        raise ValueError(f"{type(module).__name__} converts to one keras.layers.{cls.__name__}, "
                         f"not {[_describe(layer) for layer in layers]}")
    return layers


def _check_recurrent(module, kind, k, suffix, rnn):
    import keras
    want_cls = getattr(keras.layers, _RECURRENT[kind])
    if type(rnn) is not want_cls:
        raise ValueError(f"nn.{kind} layer {k}{suffix} converts to keras.layers.{want_cls.__name__}, "
                         f"not {_describe(rnn)}")
    cell = rnn.cell
    if kind == "GRU" and not cell.reset_after:
        raise ValueError(f"{_describe(rnn)} has reset_after=False (the reset gate before the "
                         "recurrent product, Cho et al. 2014): PyTorch's nn.GRU puts it after the "
                         "product, so no weights make the two compute the same. Use reset_after=True.")
    activation = getattr(cell.activation, "__name__", str(cell.activation))
    recurrent_act = getattr(getattr(cell, "recurrent_activation", None), "__name__", "sigmoid")
    if activation != "tanh" or recurrent_act != "sigmoid" or not cell.use_bias:
        raise ValueError(f"{_describe(rnn)} must use activation='tanh', recurrent_activation="
                         f"'sigmoid' and a bias to match nn.{kind}; it has {activation!r}, "
                         f"{recurrent_act!r}, use_bias={cell.use_bias}")
    n_in = module.input_size if k == 0 else module.hidden_size * (2 if module.bidirectional else 1)
    want = (n_in, _BLOCKS[kind] * module.hidden_size)
    got = tuple(cell.kernel.shape)
    if got != want:
        raise ValueError(f"nn.{kind} layer {k}{suffix} has weight_ih (out, in) = "
                         f"{(want[1], want[0])}, so Keras's kernel must be {want}; "
                         f"{_describe(rnn)} has {got}")
    return rnn


# --------------------------------------------------------------------------- both ways
def torch_to_keras(module, keras_layer) -> None:
    """Copy the weights of a PyTorch module into built Keras layer(s) of the same model, in place."""
    plan = _plan(module, keras_layer)
    params = {name: _np(p) for name, p in module.named_parameters()}
    for kind, suffix, layer in plan:
        if kind == "linear":
            layer.kernel.assign(params["weight"].T)
            if layer.use_bias:
                layer.bias.assign(params["bias"])
        elif kind == "embedding":
            layer.embeddings.assign(params["weight"])
        else:
            W_ih, W_hh = params["weight_ih" + suffix], params["weight_hh" + suffix]
            b_ih, b_hh = params["bias_ih" + suffix], params["bias_hh" + suffix]
            cell = layer.cell
            if kind == "GRU":                       # r, z, n -> z, r, h; the biases stay apart
                W_ih, W_hh, b_ih, b_hh = map(_swap_rz, (W_ih, W_hh, b_ih, b_hh))
                bias = np.stack([b_ih, b_hh])       # (2, 3H)
            else:
                bias = b_ih + b_hh                  # one bias: exact for RNN and LSTM
            cell.kernel.assign(W_ih.T)              # (in, blocks * H)
            cell.recurrent_kernel.assign(W_hh.T)
            cell.bias.assign(bias)


def keras_to_torch(keras_layer, module) -> None:
    """Copy the weights of built Keras layer(s) into a PyTorch module of the same model, in place."""
    import torch

    plan = _plan(module, keras_layer)
    new = {}
    for kind, suffix, layer in plan:
        if kind == "linear":
            new["weight"] = _np(layer.kernel).T
            if layer.use_bias:
                new["bias"] = _np(layer.bias)
        elif kind == "embedding":
            new["weight"] = _np(layer.embeddings)
        else:
            cell = layer.cell
            W_ih, W_hh, bias = _np(cell.kernel).T, _np(cell.recurrent_kernel).T, _np(cell.bias)
            if kind == "GRU":
                b_ih, b_hh = bias[0], bias[1]
                W_ih, W_hh, b_ih, b_hh = map(_swap_rz, (W_ih, W_hh, b_ih, b_hh))
            else:
                b_ih, b_hh = bias, np.zeros_like(bias)   # the sum is what matters
            new.update({"weight_ih" + suffix: W_ih, "weight_hh" + suffix: W_hh,
                        "bias_ih" + suffix: b_ih, "bias_hh" + suffix: b_hh})
    params = dict(module.named_parameters())
    with torch.no_grad():
        for name, value in new.items():
            params[name].copy_(torch.from_numpy(np.ascontiguousarray(value)))
