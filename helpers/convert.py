"""Weights copied between PyTorch and Keras, both ways, for the pairs below and nothing else.

    torch_to_keras(module, keras_layer)     # copies module's weights into built Keras layer(s)
    keras_to_torch(keras_layer, module)     # and back

Converted (the Keras side may be one layer, a list of layers or a ``keras.Sequential``):

===============================================  ==============================================
PyTorch                                          Keras
===============================================  ==============================================
nn.Linear(D, H, bias=b)                          Dense(H, use_bias=b), activation None/"linear"
nn.Sequential(nn.Linear(D, H), act)              Dense(H, activation=a): act nn.ReLU, nn.Tanh,
                                                 nn.Sigmoid or nn.Softmax(dim=-1) <-> a "relu",
                                                 "tanh", "sigmoid" or "softmax"
nn.Embedding(V, E)                               Embedding(V, E)
nn.RNN(D, H, nonlinearity="tanh" | "relu")       SimpleRNN(H, activation="tanh" | "relu")
nn.LSTM(D, H)                                    LSTM(H)
nn.GRU(D, H)                                     GRU(H) with reset_after=True (the default)
bidirectional=True                               Bidirectional(layer), merge_mode="concat"
num_layers=L                                     L layers, one per PyTorch layer index
bias=False (recurrent layers and cells)          use_bias=False
nn.RNNCell / nn.LSTMCell / nn.GRUCell            SimpleRNNCell / LSTMCell / GRUCell, or the
                                                 recurrent layer (SimpleRNN, LSTM, GRU, RNN)
                                                 that holds such a cell
nn.Conv1d(C_in, C_out, k, stride, padding,       Conv1D(C_out, k, strides, padding, dilation_rate,
          dilation, groups, bias)                       groups, use_bias), activation None
nn.MultiheadAttention(E, heads, bias=b,          MultiHeadAttention(heads, key_dim=E // heads,
                      kdim=None, vdim=None)                         use_bias=b)
===============================================  ==============================================

What the conversion handles (and why each step is exact):

* Layout: PyTorch keeps a weight as (out, in) and computes x @ W.T; Keras keeps (in, out) and
  computes x @ W. Every matrix is transposed. A Conv1d weight (out, in / groups, k) is Keras's
  kernel (k, in / groups, out). (Inputs differ too: Conv1d reads (B, C, T), Conv1D (B, T, C).)
* Attention: PyTorch packs the query, key and value projections in one (3E, E) in_proj_weight
  (or keeps three when kdim / vdim differ from E); its head h uses output units h * E/heads ...
  (h + 1) * E/heads - 1. Keras keeps one kernel (in, heads, E/heads) per projection and an output
  kernel (heads, E/heads, E): the same numbers, split and transposed. Both scale the scores by
  1 / sqrt(E/heads). (Masks differ: key_padding_mask is True for a padded key, Keras's
  attention_mask True for a key to attend to; the call order is (query, key, value) in PyTorch,
  (query, value, key) in Keras.)
* Biases: PyTorch's recurrent layers have two, b_ih and b_hh; Keras's SimpleRNN and LSTM have one.
  Both are added to the same pre-activation, so Keras gets b_ih + b_hh, and PyTorch gets Keras's
  bias as b_ih with b_hh = 0: the same function both ways (only the split of the sum is not kept).
* Gate order: the LSTM's blocks are i, f, g, o in both. The GRU's are r, z, n in PyTorch and
  z, r, h in Keras: the first two H-blocks are swapped.
* The GRU's two biases stay apart, in Keras's (2, 3H) bias: b_hn is multiplied by the reset gate,
  so b_in + b_hn would be a different cell.
* Bidirectional: the forward_layer takes PyTorch's ``_l{k}`` weights, the backward_layer the
  ``_l{k}_reverse`` ones. Stacked: Keras layer k takes PyTorch's layer index k.
* Dtypes: the values keep their dtype; both sides must have the same one (float64 converts to
  float64). Different dtypes are refused rather than rounded.

"The same function" means equal up to the rounding of the dtype: float32 outputs and gradients
differ by ~1e-7 relative (different kernels sum in different orders); in float64 by ~1e-15.

Refused, with a ``ValueError`` that names both sides and their weight shapes, raised after the
whole conversion is checked and before any weight is written (a conversion is whole or it does
not happen):

* anything not in the table (nn.Conv2d, a Transformer layer, an nn.Sequential other than
  Linear + activation, ...); attention with add_bias_kv, add_zero_attn, or Keras's use_gate,
  sliding_window, other attention_axes or another number of heads;
* a Keras layer that reads backwards (``go_backwards=True``, also as a Bidirectional's forward
  layer), ``stateful=True``, GRU(reset_after=False) (the reset gate before the recurrent
  product: a different cell), other activations, a quantized layer (int8, ...), LoRA weights;
* nn.Embedding with max_norm (rows renormalised during the lookup), padding_idx (the same
  outputs, but PyTorch never updates that row and Keras does: set ``padding_idx=None`` first if
  only the forward pass matters) or scale_grad_by_freq; LSTM proj_size; Conv1d padding_mode
  other than "zeros", Keras padding="causal" or "same" with strides > 1;
* a module with reparametrised weights (``torch.nn.utils.prune``: call ``prune.remove`` first;
  weight norm, parametrizations), an unbuilt Keras layer, the same Keras layer given twice,
  different sizes, dtypes or layer counts, arguments in the wrong order.
Dropout rates, initializers and regularizers are training settings, not weights: not converted.
"""
from __future__ import annotations

import numpy as np

_RECURRENT = {"RNN": "SimpleRNNCell", "LSTM": "LSTMCell", "GRU": "GRUCell"}   # -> Keras cell
_CELLS = {"RNNCell": "RNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}             # -> kind
_BLOCKS = {"RNN": 1, "LSTM": 4, "GRU": 3}
_ACTIVATIONS = {"ReLU": "relu", "Tanh": "tanh", "Sigmoid": "sigmoid", "Softmax": "softmax"}


# --------------------------------------------------------------------------- descriptions
def _keras_layers(keras_layer) -> list:
    import keras
    if isinstance(keras_layer, keras.Sequential):
        return list(keras_layer.layers)
    if isinstance(keras_layer, (list, tuple)):
        return list(keras_layer)
    return [keras_layer]


def _describe_keras(layer) -> str:
    """'LSTM lstm_1 (kernel (4, 20), recurrent_kernel (5, 20), bias (20,))', or '... (unbuilt)'."""
    name = f"{type(layer).__name__} {getattr(layer, 'name', '')}".strip()
    if not getattr(layer, "built", False):
        return f"{name} (unbuilt)"
    shapes = ", ".join(f"{w.path.split('/')[-1]} {tuple(w.shape)}" for w in layer.weights)
    return f"{name} ({shapes})"


def _describe_torch(module) -> str:
    """'LSTM(4, 5) (weight_ih_l0 (20, 4), ...)': the module and its parameters' shapes."""
    params = ", ".join(f"{n} {tuple(p.shape)}" for n, p in module.named_parameters())
    return f"{repr(module).replace(chr(10), ' ')} ({params})"


def _describe_any(obj) -> str:
    import keras
    from torch import nn
    if isinstance(obj, nn.Module):
        return f"PyTorch's {_describe_torch(obj)}"
    if isinstance(obj, keras.layers.Layer):
        return f"Keras's {_describe_keras(obj)}"
    return f"a {type(obj).__name__}"


class _Refusal(Exception):
    """Raised inside the checks; turned into one ValueError naming both sides."""


def _refuse(reason: str):
    raise _Refusal(reason)


def _kname(activation) -> str:
    return getattr(activation, "__name__", str(activation))


def _np(value) -> np.ndarray:
    """A tensor or Keras variable as a NumPy array, dtype kept."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


# --------------------------------------------------------------------------- the plan
# A plan is a list of entries (torch parameter names, Keras variable, to_keras, to_torch):
# to_keras(*torch arrays) -> the Keras variable's value; to_torch(value) -> the torch arrays.
# An entry may also hold a tuple of Keras variables; then to_keras returns a tuple of values and
# to_torch takes one value per variable (e.g. PyTorch's packed in_proj_weight <-> Keras's
# query, key and value kernels).
def _as_multi(names, var, to_keras, to_torch):
    return names, (var,), lambda *a: (to_keras(*a),), to_torch


def _same(w):
    return w


def _transpose(w):
    return w.T


def _swap_rz(w: np.ndarray) -> np.ndarray:
    """Swap the first two H-blocks along axis 0 of a (3H, ...) array: r, z, n <-> z, r, n."""
    first, second, rest = np.split(w, 3, axis=0)
    return np.concatenate([second, first, rest], axis=0)


def _entries_linear(dense, prefix, module):
    if dense.use_bias != (module.bias is not None):
        _refuse(f"bias={module.bias is not None} in PyTorch but use_bias={dense.use_bias} in "
                "Keras")
    entries = [((prefix + "weight",), dense.kernel, _transpose, lambda k: (k.T,))]
    if dense.use_bias:
        entries.append(((prefix + "bias",), dense.bias, _same, lambda b: (b,)))
    return entries


def _plan_linear(module, layers, activation="linear", prefix=""):
    import keras
    dense = _single(layers, keras.layers.Dense)
    if _kname(dense.activation) != activation:
        _refuse(f"the Dense applies activation {_kname(dense.activation)!r}, the PyTorch side "
                f"{activation!r}: convert nn.Sequential(nn.Linear, nn.ReLU()) <-> "
                "Dense(activation='relu') (or Tanh, Sigmoid, Softmax(dim=-1)), or a plain "
                "nn.Linear <-> Dense(activation=None)")
    return _entries_linear(dense, prefix, module)


def _plan_sequential(module, layers):
    from torch import nn
    parts = list(module)
    if (len(parts) != 2 or not isinstance(parts[0], nn.Linear)
            or type(parts[1]).__name__ not in _ACTIVATIONS):
        _refuse("an nn.Sequential converts only as (nn.Linear, activation) with the activation "
                f"one of nn.{', nn.'.join(_ACTIVATIONS)}")
    act = parts[1]
    if isinstance(act, nn.Softmax) and act.dim != -1:
        _refuse(f"nn.Softmax(dim={act.dim}): Keras's softmax acts on the last axis; use dim=-1")
    return _plan_linear(parts[0], layers, _ACTIVATIONS[type(act).__name__], prefix="0.")


def _plan_embedding(module, layers):
    import keras
    emb = _single(layers, keras.layers.Embedding)
    if module.max_norm is not None:
        _refuse(f"max_norm={module.max_norm}: PyTorch renormalises the rows it looks up (and "
                "writes them back); Keras's Embedding does not")
    if module.padding_idx is not None:
        _refuse(f"padding_idx={module.padding_idx}: the outputs agree, but PyTorch gives that "
                "row no gradient and Keras does, so training differs; set module.padding_idx = "
                "None first if only the forward pass matters")
    if module.scale_grad_by_freq:
        _refuse("scale_grad_by_freq=True changes PyTorch's gradients; Keras has no equivalent")
    return [(("weight",), emb.embeddings, _same, lambda e: (e,))]


def _plan_conv1d(module, layers):
    import keras
    conv = _single(layers, keras.layers.Conv1D)
    if _kname(conv.activation) != "linear":
        _refuse(f"Conv1D activation {_kname(conv.activation)!r}: nn.Conv1d has none")
    if module.padding_mode != "zeros":
        _refuse(f"padding_mode={module.padding_mode!r}: Keras's Conv1D pads with zeros")
    k, d, s = module.kernel_size[0], module.dilation[0], module.stride[0]
    settings = {"kernel size": (k, conv.kernel_size[0]), "stride": (s, conv.strides[0]),
                "dilation": (d, conv.dilation_rate[0]), "groups": (module.groups, conv.groups)}
    for what, (t, kv) in settings.items():
        if t != kv:
            _refuse(f"{what} {t} in PyTorch, {kv} in Keras")
    pad = module.padding if isinstance(module.padding, str) else module.padding[0]
    if conv.padding == "valid":
        ok = pad in ("valid", 0)
    elif conv.padding == "same":
        # both pad d * (k - 1) zeros in all, the odd one at the end; PyTorch's "same" needs s = 1
        ok = s == 1 and (pad == "same" or 2 * pad == d * (k - 1))
    else:
        ok = False
    if not ok:
        _refuse(f"padding={pad!r} (stride {s}) in PyTorch, padding={conv.padding!r} in Keras: "
                "they pad differently (Keras 'valid' <-> padding=0; Keras 'same' with strides=1 "
                "<-> padding='same')")
    if conv.use_bias != (module.bias is not None):
        _refuse(f"bias={module.bias is not None} in PyTorch but use_bias={conv.use_bias} in Keras")
    entries = [(("weight",), conv.kernel, lambda w: w.transpose(2, 1, 0),
                lambda k: (k.transpose(2, 1, 0),))]
    if conv.use_bias:
        entries.append((("bias",), conv.bias, _same, lambda b: (b,)))
    return entries


def _plan_attention(module, layers):
    import keras
    mha = _single(layers, keras.layers.MultiHeadAttention)
    E, heads, hd = module.embed_dim, module.num_heads, module.head_dim
    if module.bias_k is not None or module.add_zero_attn:
        _refuse("add_bias_kv / add_zero_attn add keys that Keras's MultiHeadAttention has not")
    settings = {"num_heads": (heads, mha.num_heads), "key_dim": (hd, mha.key_dim),
                "value_dim": (hd, mha.value_dim)}
    for what, (t, kv) in settings.items():
        if t != kv:
            _refuse(f"{what} {t} in PyTorch (embed_dim {E} / num_heads {heads}), {kv} in Keras")
    config = mha.get_config()
    if config.get("use_gate") or config.get("sliding_window") is not None:
        _refuse("use_gate / sliding_window: nn.MultiheadAttention has neither")
    if tuple(config.get("attention_axes") or (1,)) != (1,):
        _refuse(f"attention_axes={config['attention_axes']}: PyTorch attends over the sequence "
                "axis only")
    bias = module.in_proj_bias is not None
    if bias != mha.use_bias or bias != (module.out_proj.bias is not None):
        _refuse(f"bias={bias} in PyTorch but use_bias={mha.use_bias} in Keras")
    dense = [mha.query_dense, mha.key_dense, mha.value_dense]

    def kernel_in(w):                  # (E, in) -> (in, heads, hd): head h = rows h * hd...
        return w.T.reshape(w.shape[1], heads, hd)

    def kernel_out(k):                 # (in, heads, hd) -> (E, in)
        return k.reshape(k.shape[0], heads * hd).T

    if module._qkv_same_embed_dim:     # one packed (3E, E) weight: q, k, v stacked
        entries = [(("in_proj_weight",), tuple(d.kernel for d in dense),
                    lambda w: tuple(kernel_in(p) for p in np.split(w, 3)),
                    lambda *ks: (np.concatenate([kernel_out(k) for k in ks]),))]
    else:                              # kdim / vdim != embed_dim: three weights
        entries = [((f"{n}_proj_weight",), d.kernel, kernel_in,
                    lambda k: (kernel_out(k),)) for n, d in zip("qkv", dense)]
    entries.append((("out_proj.weight",), mha.output_dense.kernel,
                    lambda w: w.T.reshape(heads, hd, E), lambda k: (k.reshape(E, E).T,)))
    if bias:
        entries.append((("in_proj_bias",), tuple(d.bias for d in dense),
                        lambda b: tuple(p.reshape(heads, hd) for p in np.split(b, 3)),
                        lambda *bs: (np.concatenate([b.reshape(-1) for b in bs]),)))
        entries.append((("out_proj.bias",), mha.output_dense.bias, _same, lambda b: (b,)))
    return entries


def _single(layers, cls):
    if len(layers) != 1 or not isinstance(layers[0], cls):
        _refuse(f"this converts to one keras.layers.{cls.__name__}")
    return layers[0]


def _check_rnn_layer(rnn, where):
    """A Keras recurrent layer (not a cell): reads forwards, not stateful."""
    if getattr(rnn, "go_backwards", False):
        _refuse(f"{where}: go_backwards=True reads the sequence backwards, PyTorch's forward "
                "direction does not (outputs and states would differ)")
    if getattr(rnn, "stateful", False):
        _refuse(f"{where}: stateful=True carries the state from one call to the next; PyTorch's "
                "modules start from the h0 they are given")


def _recurrent_entries(module, kind, k, suffix, cell, n_in):
    """The entries of one direction of one layer (k, suffix), after checking the Keras cell."""
    import keras
    where = f"layer {k}{suffix}" if k is not None else "the cell"
    torch_name = f"nn.{kind}" if k is not None else f"nn.{kind}Cell"
    want_cls = getattr(keras.layers, _RECURRENT[kind])
    if type(cell) is not want_cls:
        _refuse(f"{where}: {torch_name} converts to keras.layers.{want_cls.__name__} (or the "
                f"layer holding one), not {type(cell).__name__}")
    if kind == "GRU" and not cell.reset_after:
        _refuse(f"{where}: reset_after=False (the reset gate before the recurrent product, Cho "
                "et al. 2014) is another cell than nn.GRU's (after the product): no weights make "
                "them compute the same. Use reset_after=True")
    want_act = getattr(module, "nonlinearity", "tanh")
    act, rec_act = _kname(cell.activation), _kname(getattr(cell, "recurrent_activation",
                                                             "sigmoid"))
    if kind == "RNN" and act != want_act:
        _refuse(f"{where}: Keras uses activation={act!r}, {torch_name} nonlinearity={want_act!r}")
    if kind != "RNN" and (act != "tanh" or rec_act != "sigmoid"):
        _refuse(f"{where}: Keras uses activation={act!r}, recurrent_activation={rec_act!r}; "
                f"{torch_name} computes 'tanh' and 'sigmoid' gates")
    if cell.use_bias != bool(module.bias):
        _refuse(f"{where}: bias={bool(module.bias)} in PyTorch but use_bias={cell.use_bias} in "
                "Keras")
    H = module.hidden_size
    if tuple(cell.kernel.shape) != (n_in, _BLOCKS[kind] * H) or cell.units != H:
        _refuse(f"{where}: PyTorch's weight_ih (out, in) = {(_BLOCKS[kind] * H, n_in)} needs a "
                f"Keras kernel (in, out) = {(n_in, _BLOCKS[kind] * H)}, not "
                f"{tuple(cell.kernel.shape)}")
    order = _swap_rz if kind == "GRU" else _same
    tail = "" if k is None else f"_l{k}{suffix}"
    names = {w: f"{w}{tail}" for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    entries = [((names["weight_ih"],), cell.kernel, lambda w: order(w).T,
                lambda kern: (order(kern.T),)),
               ((names["weight_hh"],), cell.recurrent_kernel, lambda w: order(w).T,
                lambda kern: (order(kern.T),))]
    if cell.use_bias:
        if kind == "GRU":                           # r, z, n -> z, r, h; the biases stay apart
            entries.append(((names["bias_ih"], names["bias_hh"]), cell.bias,
                            lambda bi, bh: np.stack([order(bi), order(bh)]),
                            lambda b: (order(b[0]), order(b[1]))))
        else:                                       # one bias: their sum, the same function
            entries.append(((names["bias_ih"], names["bias_hh"]), cell.bias,
                            lambda bi, bh: bi + bh, lambda b: (b, np.zeros_like(b))))
    return entries


def _plan_recurrent(module, layers, kind):
    import keras
    if getattr(module, "proj_size", 0):
        _refuse(f"proj_size={module.proj_size}: Keras's LSTM has no projection")
    if len(layers) != module.num_layers:
        _refuse(f"num_layers={module.num_layers} in PyTorch but {len(layers)} Keras layer(s)")
    dirs = 2 if module.bidirectional else 1
    entries = []
    for k, layer in enumerate(layers):
        n_in = module.input_size if k == 0 else module.hidden_size * dirs
        if module.bidirectional:
            if not isinstance(layer, keras.layers.Bidirectional):
                _refuse(f"layer {k}: bidirectional=True needs a keras.layers.Bidirectional, not "
                        f"{type(layer).__name__}")
            if layer.merge_mode != "concat":
                _refuse(f"layer {k}: merge_mode={layer.merge_mode!r}; PyTorch concatenates the "
                        "two directions (merge_mode='concat')")
            fwd, bwd = layer.forward_layer, layer.backward_layer
            _check_rnn_layer(fwd, f"layer {k}, the forward layer")
            if not bwd.go_backwards or bwd.stateful:
                _refuse(f"layer {k}: the backward layer must read backwards and not be stateful")
            directions = [("", fwd), ("_reverse", bwd)]
        else:
            if isinstance(layer, keras.layers.Bidirectional):
                _refuse(f"layer {k}: bidirectional=False, but the Keras layer is a Bidirectional")
            if not isinstance(layer, keras.layers.RNN):
                _refuse(f"layer {k}: {type(layer).__name__} is not a Keras recurrent layer")
            _check_rnn_layer(layer, f"layer {k}")
            directions = [("", layer)]
        for suffix, rnn in directions:
            entries += _recurrent_entries(module, kind, k, suffix, rnn.cell, n_in)
    return entries


def _plan_cell(module, layers, kind):
    import keras
    if len(layers) != 1:
        _refuse(f"nn.{kind}Cell converts to one Keras cell or one recurrent layer holding it")
    cell = layers[0]
    if isinstance(cell, keras.layers.Bidirectional):
        _refuse("a cell has one direction; the Keras layer is a Bidirectional")
    if isinstance(cell, keras.layers.RNN):
        _check_rnn_layer(cell, "the Keras layer")
        cell = cell.cell
    return _recurrent_entries(module, kind, None, "", cell, module.input_size)


def _quantized(layer) -> str | None:
    mode = getattr(layer, "quantization_mode", None)
    policy = getattr(getattr(layer, "dtype_policy", None), "name", "")
    if mode or policy.split("_from_")[0] in ("int8", "int4", "float8", "gptq"):
        return mode or policy
    return None


def _plan(module, keras_layer, direction) -> list[tuple]:
    """Check that the two sides are the same model; return the entries to copy. Raises ValueError,
    naming both sides and their weight shapes, on any mismatch: before anything is written."""
    import keras
    from torch import nn

    call = ("torch_to_keras(module, keras_layer)" if direction == "to_keras"
            else "keras_to_torch(keras_layer, module)")
    if not isinstance(module, nn.Module):
        raise ValueError(f"{call}: the PyTorch argument is {_describe_any(module)}, not a "
                         "torch.nn.Module (are the two arguments swapped?)")
    layers = _keras_layers(keras_layer)
    if not layers or not all(isinstance(layer, keras.layers.Layer) for layer in layers):
        raise ValueError(f"{call}: the Keras argument must be a Keras layer, a list of them or "
                         f"a keras.Sequential, not {_describe_any(keras_layer)} (are the two "
                         "arguments swapped?)")
    torch_side = _describe_torch(module)
    keras_side = "[" + "; ".join(_describe_keras(layer) for layer in layers) + "]"

    def fail(reason):
        return ValueError(f"Cannot convert {torch_side} <-> {keras_side}: {reason}")

    unbuilt = [layer.name for layer in layers if not layer.built]
    if unbuilt:
        raise fail(f"Keras layer(s) {unbuilt} are not built, so they have no weights yet: build "
                   "each one first, e.g. layer.build((None, None, D)) for a recurrent layer, "
                   "layer.build((None, D)) for a Dense, or call it once on a batch")
    if len({id(layer) for layer in layers}) != len(layers):
        raise fail("the same Keras layer object is given more than once; each PyTorch layer "
                   "needs its own Keras layer")
    for layer in layers:
        for sub in [layer, *getattr(layer, "_flatten_layers", lambda: [])()]:
            mode = _quantized(sub)
            if mode:
                raise fail(f"{sub.name} is quantized ({mode}): its integer weights cannot hold "
                           "the float weights exactly")
    kind = type(module).__name__
    try:
        _check_not_pruned(module)
        if isinstance(module, nn.Linear):
            entries = _plan_linear(module, layers)
        elif isinstance(module, nn.Sequential):
            entries = _plan_sequential(module, layers)
        elif isinstance(module, nn.Embedding):
            entries = _plan_embedding(module, layers)
        elif isinstance(module, nn.Conv1d):
            entries = _plan_conv1d(module, layers)
        elif isinstance(module, nn.MultiheadAttention):
            entries = _plan_attention(module, layers)
        elif kind in _RECURRENT and type(module) is getattr(nn, kind):
            entries = _plan_recurrent(module, layers, kind)
        elif kind in _CELLS and type(module) is getattr(nn, kind):
            entries = _plan_cell(module, layers, _CELLS[kind])
        else:
            _refuse(f"no conversion for {kind}: helpers.convert converts nn.Linear (alone or "
                    "followed by an activation), nn.Embedding, nn.Conv1d, nn.MultiheadAttention, "
                    "nn.RNN, nn.LSTM, nn.GRU and their cells")
        entries = [e if isinstance(e[1], tuple) else _as_multi(*e) for e in entries]
        _check_coverage(module, layers, entries)
    except _Refusal as refusal:
        raise fail(str(refusal)) from None
    return entries


def _check_not_pruned(module):
    from torch.nn.utils import prune
    if prune.is_pruned(module):
        _refuse("the module is pruned (torch.nn.utils.prune keeps weight_orig and weight_mask): "
                "call prune.remove(module, name) for each pruned weight first")


def _check_coverage(module, layers, entries):
    """Every PyTorch parameter and every Keras weight is in exactly one entry, with one dtype,
    and each entry gives the other side's shapes (a dry run of both directions)."""
    params = dict(module.named_parameters())
    wanted = [name for names, *_ in entries for name in names]
    if sorted(params) != sorted(wanted):
        _refuse(f"PyTorch parameters {sorted(params)} where this conversion expects "
                f"{sorted(wanted)} (a reparametrised weight, e.g. weight norm, is not converted)")
    covered = [id(var) for _, variables, *_ in entries for var in variables]
    every = {id(w): w for layer in layers for w in layer.weights}
    if len(set(covered)) != len(covered) or set(covered) != set(every):
        extra = [w.path for i, w in every.items() if i not in covered]
        _refuse(f"Keras weights not matched by a PyTorch parameter: {extra}")
    dtypes = {str(p.dtype).replace("torch.", "") for p in params.values()}
    dtypes |= {str(w.dtype) for w in every.values()}
    if len(dtypes) != 1:
        _refuse(f"the weights have dtypes {sorted(dtypes)}; converting would round them: give "
                "both sides one dtype first (module.double(), or a Keras layer with "
                "dtype='float64'; module.float() and float32 layers)")
    arrays = {name: _np(p) for name, p in params.items()}
    for names, variables, to_keras, to_torch in entries:
        got = [tuple(a.shape) for a in to_keras(*(arrays[n] for n in names))]
        back = [tuple(a.shape) for a in to_torch(*(_np(v) for v in variables))]
        want = [tuple(arrays[n].shape) for n in names]
        if got != [tuple(v.shape) for v in variables] or back != want:
            _refuse(f"PyTorch's {', '.join(names)} {want} do not fit Keras's "
                    f"{', '.join(v.path for v in variables)} "
                    f"{[tuple(v.shape) for v in variables]}")


# --------------------------------------------------------------------------- both ways
def torch_to_keras(module, keras_layer) -> None:
    """Copy the weights of a PyTorch module into built Keras layer(s) of the same model, in place.
    Raises ValueError, with nothing written, if the two are not the same model (module doc)."""
    entries = _plan(module, keras_layer, "to_keras")
    params = {name: _np(p) for name, p in module.named_parameters()}
    values = [(var, value) for names, variables, to_keras, _ in entries
              for var, value in zip(variables, to_keras(*(params[n] for n in names)))]
    for var, value in values:
        var.assign(value)


def keras_to_torch(keras_layer, module) -> None:
    """Copy the weights of built Keras layer(s) into a PyTorch module of the same model, in place.
    Raises ValueError, with nothing written, if the two are not the same model (module doc)."""
    import torch

    entries = _plan(module, keras_layer, "to_torch")
    params = dict(module.named_parameters())
    new = {}
    for names, variables, _, to_torch in entries:
        new.update(zip(names, to_torch(*(_np(v) for v in variables))))
    with torch.no_grad():
        for name, value in new.items():
            params[name].copy_(torch.from_numpy(np.ascontiguousarray(value)))
