"""Exercises of topic 05, "Bidirectional and stacked RNNs": a bidirectional pass over a padded batch,
the final states of a stacked bidirectional RNN, the parameter count of a stacked LSTM.

Cells are the course's vanilla cell, h_t = tanh(x_t @ W_xh + h_{t-1} @ W_hh + b_h) (batch first, row
vectors, weights stored (in, out)). The backward direction of a padded sequence reads its REAL steps
only, from lengths[b] - 1 down to 0, and its outputs are given back in time order.
"""
import numpy as np

from helpers.checks import Exercise, Mistake, to_framework
from helpers.exercises.ex01 import _fw_step

_rng = np.random.default_rng(5)


def _weights(D, H, scale=0.6):
    return (_rng.normal(scale=scale, size=(D, H)), _rng.normal(scale=scale, size=(H, H)),
            _rng.normal(scale=0.5, size=(H,)))


def _run_cell(xs, h0, W, U, b, carry=True):
    """The vanilla cell over xs (B, T, D) from h0 -> (outputs (B, T, H), last state (B, H))."""
    h, outs = h0, []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ W + (h if carry else h0) @ U + b)
        outs.append(h)
    return np.stack(outs, axis=1), h


# --------------------------------------------------------------------------- bidirectional_forward
def _reverse_real(a, lengths):
    """Each row's first lengths[b] steps reversed, the padding left where it is (tf.reverse_sequence)."""
    T = a.shape[1]
    t, L = np.arange(T)[None, :], lengths[:, None]
    idx = np.where(t < L, L - 1 - t, t)                        # (B, T)
    return a[np.arange(a.shape[0])[:, None], idx]


def _time_mask(lengths, T):
    return (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)[:, :, None]   # (B, T, 1)


def _bidirectional(kind=None):
    """The bidirectional pass, right (kind None) or with one known mistake."""
    def fn(x, lengths, h0, Wf, Uf, bf, Wb, Ub, bb, fw="numpy"):
        carry = kind != "no-carry"
        zeros = np.zeros_like(h0)
        out_f, h_f = _run_cell(x, zeros if kind == "zero-h0" else h0, Wf, Uf, bf, carry)
        back = (Wf, Uf, bf) if kind == "same-weights" else (Wb, Ub, bb)
        start = {"state-not-reset": h_f, "zero-h0": zeros, "backward-from-zeros": zeros}.get(kind, h0)
        if kind == "reversed-with-padding":                    # the whole padded axis flipped
            out_b = _run_cell(x[:, ::-1], start, *back, carry)[0][:, ::-1]
        elif kind == "backward-not-reversed":
            out_b = _run_cell(x, start, *back, carry)[0]
        else:
            out_b = _run_cell(_reverse_real(x, lengths), start, *back, carry)[0]
            if kind != "not-re-reversed":
                out_b = _reverse_real(out_b, lengths)
        if kind != "no-mask":
            mask = _time_mask(lengths, x.shape[1])
            out_f, out_b = out_f * mask, out_b * mask
        halves = [out_b, out_f] if kind == "order-swapped" else [out_f, out_b]
        return np.concatenate(halves, axis=2)                  # (B, T, 2H)
    return fn


bidirectional_reference = _bidirectional()


def _bidirectional_cases():
    cases = []
    # mixed lengths (1 and T among them); no padding at all; one sequence with padding (no row fills T);
    # D != H throughout. h0 is not zero: both directions start from it.
    h0_rng = np.random.default_rng(55)            # its own generator: the other cases stay as they were
    for B, T, D, H, lengths in [(4, 5, 3, 2, [3, 5, 1, 4]), (3, 4, 2, 3, [4, 4, 4]), (1, 6, 4, 3, [4]),
                                (5, 7, 3, 4, [7, 2, 1, 6, 4]), (3, 6, 2, 3, [2, 6, 5])]:
        x = _rng.normal(size=(B, T, D))                        # the padding holds values too
        cases.append((x, np.array(lengths, dtype=np.int64), h0_rng.normal(scale=0.5, size=(B, H)),
                      *_weights(D, H), *_weights(D, H)))
    return cases


def _bidirectional_to_learner(case, fw):
    x, lengths, h0 = case[:3]
    lengths = lengths.astype(np.int32) if fw == "tensorflow" else lengths
    return (to_framework(x, fw), to_framework(lengths, fw), to_framework(h0, fw),
            _fw_step(*case[3:6], fw), _fw_step(*case[6:9], fw))


_REVERSE_REAL = {
    "torch": "build the index idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t) "
             "(t = torch.arange(T)) and reorder with gather",
    "tensorflow": "tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0) does it",
}

BIDIRECTIONAL_FORWARD = Exercise(
    id="bidirectional_forward",
    blocks={0: ("forward", "backward")},      # where a wrong answer differs: which direction
    title="A bidirectional RNN over a padded batch",
    cases=_bidirectional_cases(),
    reference=bidirectional_reference,
    to_learner=_bidirectional_to_learner,
    hints=["Run step_fwd over t = 0 ... T-1 as usual. The backward cell must read each sequence from its "
           "last REAL step, lengths[b] - 1, down to 0: reverse only the real part of each row and leave the "
           "padding where it is (flipping the whole time axis would start it on the padding).",
           {"torch": "Build a (B, T) index idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t) "
                     "with t = torch.arange(T), and reorder x with x.gather(1, idx[:, :, None].expand(-1, -1, "
                     "D)). Run step_bwd over the reordered x from h0, then gather the stacked outputs with the "
                     "same index to put them back in time order.",
            "tensorflow": "tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0) reverses the first "
                          "lengths[b] steps of each row and leaves the padding in place. Run step_bwd over it "
                          "from h0, then reverse the stacked outputs the same way to put them back in time "
                          "order."},
           {"torch": "Zero the padded positions in both halves with the mask (t < lengths[:, None]), as a "
                     "float (B, T, 1), then concatenate [forward, backward] with torch.cat(..., dim=2): "
                     "(B, T, 2H).",
            "tensorflow": "Zero the padded positions in both halves with tf.sequence_mask(lengths, T, "
                          "dtype=x.dtype)[:, :, None] (1 where t < lengths[b]), then concatenate [forward, "
                          "backward] with tf.concat(..., axis=2): (B, T, 2H)."}],
    solutions={
        "torch": '''\
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    B, T, D = x.shape
    t = torch.arange(T)[None, :]                     # (1, T)
    L = lengths[:, None]                             # (B, 1)
    idx = torch.where(t < L, L - 1 - t, t)           # real steps reversed, padding kept

    def reverse_real(a):                             # (B, T, F), row by row
        return a.gather(1, idx[:, :, None].expand(-1, -1, a.shape[2]))

    h, fwd = h0, []
    for s in range(T):                               # forward: t = 0 ... T-1
        h = step_fwd(x[:, s], h)
        fwd.append(h)
    x_rev = reverse_real(x)
    h, bwd = h0, []                                  # backward: a fresh start from h0
    for s in range(T):                               # lengths[b] - 1 ... 0, then padding
        h = step_bwd(x_rev[:, s], h)
        bwd.append(h)
    mask = (t < L).to(x.dtype)[:, :, None]           # (B, T, 1): 1 = real step
    out_f = torch.stack(fwd, dim=1) * mask
    out_b = reverse_real(torch.stack(bwd, dim=1)) * mask   # back in time order
    return torch.cat([out_f, out_b], dim=2)          # (B, T, 2H)
''',
        "tensorflow": '''\
def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):
    T = x.shape[1]
    h, fwd = h0, []
    for t in range(T):                               # forward: t = 0 ... T-1
        h = step_fwd(x[:, t], h)
        fwd.append(h)
    # reverse the first lengths[b] steps of each row, keep the padding in place
    x_rev = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
    h, bwd = h0, []                                  # backward: a fresh start from h0
    for t in range(T):
        h = step_bwd(x_rev[:, t], h)
        bwd.append(h)
    out_b = tf.reverse_sequence(tf.stack(bwd, axis=1), lengths, seq_axis=1, batch_axis=0)
    mask = tf.sequence_mask(lengths, T, dtype=x.dtype)[:, :, None]   # (B, T, 1)
    return tf.concat([tf.stack(fwd, axis=1) * mask, out_b * mask], axis=2)   # (B, T, 2H)
'''},
    mistakes=[
        Mistake("not-re-reversed", "The backward outputs come out in reading order (the last real step "
                                   "first): reverse them back, row by row over the real steps, so that "
                                   "position t holds the backward state at time t.",
                _bidirectional("not-re-reversed")),
        Mistake("order-swapped", "Put the forward half first: [..., :H] is the forward direction, [..., H:] "
                                 "the backward one.",
                _bidirectional("order-swapped")),
        Mistake("same-weights", "The backward direction has its own weights: run it with step_bwd, not "
                                "step_fwd.",
                _bidirectional("same-weights")),
        Mistake("reversed-with-padding", {fw: "Flipping the whole time axis makes the backward cell start on "
                                              "the padding of the shorter sequences; reverse only the first "
                                              f"lengths[b] steps of each row: {text}."
                                          for fw, text in _REVERSE_REAL.items()},
                _bidirectional("reversed-with-padding")),
        Mistake("no-mask", "Zero the outputs at the padded positions (t >= lengths[b]) in both halves: "
                           "multiply them by the mask t < lengths[:, None].",
                _bidirectional("no-mask")),
        Mistake("backward-not-reversed", "The backward cell must read each sequence backwards, from step "
                                         "lengths[b] - 1 down to 0; yours reads it in forward order, which "
                                         "makes it a second forward RNN.",
                _bidirectional("backward-not-reversed")),
        Mistake("no-carry", "Carry the state from step to step in each direction: each call gets the h "
                            "returned by the call before it, not h0.",
                _bidirectional("no-carry")),
        Mistake("state-not-reset", "Start the backward direction from h0: it must not carry on from the "
                                   "forward direction's last state (set h = h0 again before its loop).",
                _bidirectional("state-not-reset")),
        Mistake("zero-h0", "Start both directions from the h0 you are given, not from zeros: the check's "
                           "h0 is not zero.", _bidirectional("zero-h0")),
        Mistake("backward-from-zeros", "The backward direction starts from h0 too, like the forward one, "
                                       "not from zeros.", _bidirectional("backward-from-zeros")),
    ],
    error_hint="x is (B, T, D), batch first: step_fwd and step_bwd take x_t of shape (B, D) and h of shape "
               "(B, H); each direction gives (B, T, H), and the two are concatenated along the last axis "
               "into (B, T, 2H).",
)


# --------------------------------------------------------------------------- final_states
def _bidirectional_stack(x, num_layers, H):
    """A stacked bidirectional tanh RNN on full-length sequences, zero initial states, each layer
    reading the previous one's (B, T, 2H) -> (last layer's outputs, h_n (num_layers * 2, B, H))."""
    inp, h_n = x, []
    h0 = np.zeros((x.shape[0], H))
    for _ in range(num_layers):
        fwd, bwd = _weights(inp.shape[2], H), _weights(inp.shape[2], H)
        out_f, h_f = _run_cell(inp, h0, *fwd)
        out_b = _run_cell(inp[:, ::-1], h0, *bwd)[0][:, ::-1]
        inp = np.concatenate([out_f, out_b], axis=2)
        h_n += [h_f, out_b[:, 0]]                  # the backward direction ends at t = 0
    return inp, np.stack(h_n)


def _final_states_cases():
    cases = []
    for B, T, D, H, num_layers in [(2, 4, 3, 2, 1), (3, 5, 2, 3, 2), (2, 3, 4, 2, 3), (4, 4, 1, 3, 2)]:
        out, h_n = _bidirectional_stack(_rng.normal(size=(B, T, D)), num_layers, H)
        cases.append((out, h_n, num_layers))
    return cases


def final_states_reference(out, h_n, num_layers, fw="numpy"):
    """The last layer's forward and backward final states side by side: (B, 2H)."""
    return np.concatenate([h_n[-2], h_n[-1]], axis=1)


def _final_states_to_learner(case, fw):
    out, h_n, num_layers = case
    if fw == "tensorflow":            # Bidirectional(SimpleRNN(..., return_state=True)): [y, fwd_h, bwd_h]
        return to_framework(out, fw), to_framework(h_n[-2], fw), to_framework(h_n[-1], fw), num_layers
    return to_framework(out, fw), to_framework(h_n, fw), num_layers


def _final(formula):
    def fn(out, h_n, num_layers, fw):
        H = h_n.shape[2]
        return formula(out, h_n[-2], h_n[-1], H)
    return fn


_STATE_WORDS = {"torch": ("out", "h_n[-2]", "h_n[-1]", "torch.cat([h_n[-2], h_n[-1]], dim=1)"),
                "tensorflow": ("y", "fwd_h", "bwd_h", "tf.concat([fwd_h, bwd_h], axis=1)")}


def _per_fw(template):
    return {fw: template.format(out=o, fwd=f, bwd=b, cat=c) for fw, (o, f, b, c) in _STATE_WORDS.items()}


FINAL_STATES = Exercise(
    id="final_states",
    title="The final states of a stacked bidirectional RNN",
    cases=_final_states_cases(),
    reference=final_states_reference,
    to_learner=_final_states_to_learner,
    hints=[{"torch": "h_n has shape (num_layers * 2, B, H): the final states layer by layer, the first "
                     "layer's first, and forward then backward within each layer. So h_n[0] and h_n[1] belong "
                     "to the FIRST layer: count from the other end to find the last layer's two.",
            "tensorflow": "Bidirectional(SimpleRNN(H, return_sequences=True, return_state=True)) returns "
                          "[y, fwd_h, bwd_h]: fwd_h is the forward direction's state after the last time step, "
                          "bwd_h the backward direction's state after it has read the sequence down to t = 0."},
           _per_fw("The forward direction ends at the last time step, but the backward one ends at t = 0 "
                   "(it reads the sequence backwards): {out}[:, -1] holds the backward state after only one "
                   "step, and {out}[:, -1, :H] with {out}[:, 0, H:] are the two final states."),
           {"torch": "Concatenate the last layer's forward and backward final states along the features, "
                     "forward first: torch.cat([h_n[-2], h_n[-1]], dim=1), shape (B, 2H) (the same as "
                     "h_n.view(num_layers, 2, B, H)[-1] with its two states put side by side).",
            "tensorflow": "Concatenate the two final states along the features, forward first: "
                          "tf.concat([fwd_h, bwd_h], axis=1), shape (B, 2H)."}],
    solutions={
        "torch": '''\
def final_states(out, h_n, num_layers):
    # h_n: (num_layers * 2, B, H), layer by layer, forward then backward in each layer
    h_fwd, h_bwd = h_n[-2], h_n[-1]              # the LAST layer's two directions
    return torch.cat([h_fwd, h_bwd], dim=1)      # (B, 2H)
''',
        "tensorflow": '''\
def final_states(y, fwd_h, bwd_h, num_layers):
    # fwd_h: state after t = T-1; bwd_h: state after the backward pass reached t = 0
    return tf.concat([fwd_h, bwd_h], axis=1)     # (B, 2H)
'''},
    mistakes=[
        Mistake("last-step-both", _per_fw("{out}[:, -1] is right for the forward half only: the backward "
                                          "direction reads the sequence from the end, so at the last step it "
                                          "has seen one input. Its final state is the one it reaches at "
                                          "t = 0."),
                _final(lambda out, f, b, H: out[:, -1])),
        Mistake("first-step-both", _per_fw("{out}[:, 0] is right for the backward half only: the forward "
                                           "direction has seen one input at t = 0. Its final state is the one "
                                           "at the last step."),
                _final(lambda out, f, b, H: out[:, 0])),
        Mistake("order-swapped", _per_fw("Put the forward final state first, then the backward one, as in "
                                         "the outputs."),
                _final(lambda out, f, b, H: np.concatenate([b, f], axis=1))),
        Mistake("forward-only", {"torch": "Both halves are the forward final state; the second half must be "
                                          "the backward one (in h_n, each layer's backward state comes right "
                                          "after its forward one).",
                                 "tensorflow": "Both halves are the forward final state; the second half must be "
                                               "the backward one, bwd_h."},
                _final(lambda out, f, b, H: np.concatenate([f, f], axis=1))),
        Mistake("ends-swapped", _per_fw("The forward direction ends at the LAST step and the backward one at "
                                        "t = 0, so the final states are {out}[:, -1, :H] and {out}[:, 0, H:], "
                                        "not the other way round."),
                _final(lambda out, f, b, H: np.concatenate([out[:, 0, :H], out[:, -1, H:]], axis=1))),
        Mistake("reshape-mixes-batch", "Stacked, the two states are (2, B, H): reshaping that to (B, 2H) "
                                       "mixes rows of different sequences. Put the two side by side along the "
                                       "features instead (concatenate them on the last axis), or move the "
                                       "batch axis first before reshaping.",
                _final(lambda out, f, b, H: np.stack([f, b]).reshape(f.shape[0], 2 * H))),
        Mistake("mean-over-time", "Averaging the outputs over time is another summary of the sequence, but "
                                  "the task is the last layer's two final states (where each direction "
                                  "stopped reading), side by side.",
                _final(lambda out, f, b, H: out.mean(axis=1))),
    ],
    error_hint={"torch": "The answer is (B, 2H): the last layer's forward and backward final states, each "
                         "(B, H), side by side along dim 1 (concatenate them; do not add or stack).",
                "tensorflow": "The answer is (B, 2H): fwd_h and bwd_h, each (B, H), side by side along axis 1 "
                              "(concatenate them; do not add or stack)."},
)


# --------------------------------------------------------------------------- stacked_param_count
def _lstm_count(D, H, num_layers, bidirectional, fw, *, blocks=4, biases=None, later_in=None,
                dirs=None, layers=None, recurrent=True):
    """Parameters of a stacked LSTM; the keywords give the known mistakes."""
    dirs = dirs or (2 if bidirectional else 1)
    biases = biases or (2 if fw == "torch" else 1)
    total = 0
    for layer in range(layers or num_layers):
        n_in = D if layer == 0 else (later_in if later_in is not None else (2 if bidirectional else 1) * H)
        total += dirs * blocks * (n_in * H + (H * H if recurrent else 0) + biases * H)
    return total


def stacked_param_count_reference(D, H, num_layers, bidirectional, fw="numpy"):
    return _lstm_count(D, H, num_layers, bidirectional, fw)


def _count(**kw):
    def fn(D, H, num_layers, bidirectional, fw):
        args = {k: (v(D, H, fw) if callable(v) else v) for k, v in kw.items()}
        return _lstm_count(D, H, num_layers, bidirectional, fw, **args)
    return fn


def _one_direction_done_right(D, H, num_layers, bidirectional, fw):
    """Layers after the first read 2H, but each layer is counted once (the x 2 forgotten)."""
    return _lstm_count(D, H, num_layers, bidirectional, fw, dirs=1)


STACKED_PARAM_COUNT = Exercise(
    id="stacked_param_count",
    title="Count the parameters of a stacked (bidirectional) LSTM",
    cases=[(3, 4, 1, False), (3, 4, 2, True), (5, 2, 3, True), (1, 6, 2, False), (7, 3, 3, False),
           (2, 5, 1, True), (4, 4, 2, True)],
    reference=stacked_param_count_reference,
    hints=[{"torch": "Add up the layers. Each direction of each layer is one LSTM with 4 blocks (i, f, g, o), "
                     "each block with in x H input weights, H x H recurrent weights and two biases (bias_ih "
                     "and bias_hh) of size H.",
            "tensorflow": "Add up the layers. Each direction of each layer is one LSTM with 4 blocks (i, f, "
                          "c, o), each block with in x H input weights, H x H recurrent weights and one bias "
                          "of size H."},
           "The first layer reads the D input features; every later layer reads the previous layer's "
           "outputs: H features, or 2H when the layers are bidirectional (forward and backward side by side).",
           "A bidirectional layer holds two LSTMs with their own weights, forward and backward: count each "
           "layer twice. So dirs = 2 if bidirectional else 1, and layer l has dirs x 4 x (in_l x H + H x H "
           "+ biases x H) parameters."],
    solutions={
        "torch": '''\
def stacked_param_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        n_in = D if layer == 0 else dirs * H     # later layers read both directions
        # 4 blocks, each with W_ih, W_hh, bias_ih and bias_hh; one LSTM per direction
        total += dirs * 4 * (n_in * H + H * H + 2 * H)
    return total
''',
        "tensorflow": '''\
def stacked_param_count(D, H, num_layers, bidirectional):
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        n_in = D if layer == 0 else dirs * H     # later layers read both directions
        # 4 blocks, each with kernel, recurrent kernel and one bias; one LSTM a direction
        total += dirs * 4 * (n_in * H + H * H + H)
    return total
'''},
    mistakes=[
        Mistake("input-D-every-layer", "Only the first layer reads the D input features; each later layer "
                                       "reads the outputs of the layer below: H features, or 2H when "
                                       "bidirectional.",
                _count(later_in=lambda D, H, fw: D)),
        Mistake("second-layer-H", "After a bidirectional layer the next one reads BOTH directions' outputs, "
                                  "side by side: 2H features, not H.",
                _count(later_in=lambda D, H, fw: H)),
        Mistake("one-direction", "A bidirectional layer holds two LSTMs (forward and backward) with their own "
                                 "weights, so count each layer twice; and the layers after it read 2H "
                                 "features.",
                _count(dirs=1, later_in=lambda D, H, fw: H)),
        Mistake("one-direction", "A bidirectional layer holds two LSTMs (forward and backward) with their own "
                                 "weights: count each layer twice.",
                _one_direction_done_right),
        Mistake("bias-count", {"torch": "nn.LSTM keeps two bias vectors per layer and direction, bias_ih and "
                                        "bias_hh, each of size 4H.",
                               "tensorflow": "Keras's LSTM keeps a single bias vector of size 4H per layer "
                                             "and direction."},
                _count(biases=lambda D, H, fw: 1 if fw == "torch" else 2)),
        Mistake("one-layer", "Add up all num_layers layers, not only the first one.",
                _count(layers=1)),
        Mistake("no-recurrent", "Each block also reads the previous hidden state: add H x H recurrent weights "
                                "per block, in every layer and direction.",
                _count(recurrent=False)),
        Mistake("gru-blocks", "Three blocks is a GRU; an LSTM has four (the input, forget and output gates, "
                              "and the candidate).",
                _count(blocks=3)),
    ],
    error_hint="D, H and num_layers are plain integers and bidirectional a bool here: the answer is a formula "
               "(or a loop over the layers) in them.",
    atol=0.0,
    rtol=0.0,
)

EXERCISES = [FINAL_STATES, BIDIRECTIONAL_FORWARD, STACKED_PARAM_COUNT]   # notebook order
