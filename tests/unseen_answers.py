"""Wrong answers the exercises do not catalogue as a known mistake: the course's own attack on the
hint engine. Each is (exercise id, framework, what the learner got wrong, source).

No ``Mistake`` of the exercise is written for these; the check must still lead the learner, by
saying where the answer differs (tests/test_checks_hints.py measures how many it does).
"""

_RNN_FORWARD = "def rnn_forward(X, h0, step):\n    h, outs = h0, []\n    for t in range(X.shape[1]):\n" \
               "        h = step(X[:, t], h)\n        outs.append(h)\n"
_BI = {
    "torch": "def bidirectional_forward(x, lengths, h0, step_fwd, step_bwd):\n    B, T, D = x.shape\n"
             "    t = torch.arange(T)[None, :]\n    L = lengths[:, None]\n"
             "    idx = torch.where(t < L, L - 1 - t, t)\n\n    def reverse_real(a):\n"
             "        return a.gather(1, idx[:, :, None].expand(-1, -1, a.shape[2]))\n\n"
             "    h, fwd = h0, []\n    for s in range(T):\n        h = step_fwd(x[:, s], h)\n"
             "        fwd.append(h)\n    x_rev = reverse_real(x)\n    h, bwd = h0, []\n"
             "    for s in range(T):\n        h = {BWD}(x_rev[:, s], h)\n        bwd.append(h)\n"
             "    mask = (t < L).to(x.dtype)[:, :, None]\n    out_f = torch.stack(fwd, dim=1){MASK_F}\n"
             "    out_b = reverse_real(torch.stack(bwd, dim=1)) * mask\n"
             "    return torch.cat([out_f, out_b], dim=2)\n",
}

UNSEEN = [
    # which output, and how
    ("rnn_forward", "torch", "h_T taken from the first step",
     _RNN_FORWARD + "    out = torch.stack(outs, dim=1)\n    return out, out[:, 0]\n"),
    ("rnn_forward", "tensorflow", "outputs in reverse time order",
     _RNN_FORWARD + "    return tf.stack(outs[::-1], axis=1), h\n"),
    ("rnn_forward", "torch", "outputs shifted: the initial state stored instead of the last",
     _RNN_FORWARD + "    return torch.stack([h0] + outs[:-1], dim=1), h\n"),
    ("lstm_step", "tensorflow", "h_t without the output gate",
     "def lstm_step(x_t, h_prev, c_prev, W_x, W_h, b):\n"
     "    z = tf.matmul(x_t, W_x) + tf.matmul(h_prev, W_h) + b\n"
     "    z_i, z_f, z_g, z_o = tf.split(z, 4, axis=1)\n"
     "    c_t = tf.sigmoid(z_f) * c_prev + tf.sigmoid(z_i) * tf.tanh(z_g)\n"
     "    return tf.tanh(c_t), c_t\n"),
    ("rnn_step_backward", "torch", "dW_hh from the new state",
     "def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):\n    da = dh_t * (1 - h_t ** 2)\n"
     "    return da @ W_xh.T, da @ W_hh.T, x_t.T @ da, h_t.T @ da, da.sum(dim=0)\n"),
    ("rnn_step_backward", "tensorflow", "dx_t and dh_prev through the wrong weights' transpose",
     "def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):\n    da = dh_t * (1 - h_t ** 2)\n"
     "    return (tf.matmul(da, W_xh, transpose_b=True), tf.matmul(da, W_hh),\n"
     "            tf.matmul(x_t, da, transpose_a=True), tf.matmul(h_prev, da, transpose_a=True),\n"
     "            tf.reduce_sum(da, axis=0))\n"),
    ("normalise_splits", "tensorflow", "each split scaled by its own statistics",
     "def normalise_splits(train, val, test):\n"
     "    return tuple((s - s.mean(axis=0)) / s.std(axis=0) for s in (train, val, test))\n"),
    ("scale_to_radius", "torch", "divided by the Frobenius norm",
     "def scale_to_radius(W, rho):\n    return W * rho / torch.linalg.norm(W)\n"),
    ("set_forget_bias", "torch", "the input gate's block set instead of the forget gate's",
     "def set_forget_bias(b_ih, b_hh, H, value):\n    b_ih, b_hh = b_ih.clone(), b_hh.clone()\n"
     "    b_ih[0:H] = value\n    return b_ih, b_hh\n"),
    ("set_forget_bias", "tensorflow", "the forget block and the one after it set",
     "def set_forget_bias(b, H, value):\n"
     "    return tf.concat([b[:H], tf.fill([2 * H], value), b[3 * H:]], axis=0)\n"),
    ("collate", "torch", "mask marks the padding instead of the real tokens",
     "def collate(sequences, pad_value):\n    lengths = torch.tensor([len(s) for s in sequences])\n"
     "    T = int(lengths.max())\n    padded = torch.full((len(sequences), T), pad_value, dtype=torch.long)\n"
     "    for b, s in enumerate(sequences):\n        padded[b, :len(s)] = s\n"
     "    return padded, lengths, torch.arange(T)[None, :] >= lengths[:, None]\n"),
    # where in a sequence
    ("bidirectional_forward", "torch", "the backward direction run with the forward step",
     _BI["torch"].replace("{BWD}", "step_fwd").replace("{MASK_F}", " * mask")),
    ("bidirectional_forward", "torch", "forward outputs not zeroed at the padded steps",
     _BI["torch"].replace("{BWD}", "step_bwd").replace("{MASK_F}", "")),
    ("last_valid_state", "tensorflow", "reverse_sequence, then the last step",
     "def last_valid_state(outputs, lengths):\n"
     "    return tf.reverse_sequence(outputs, lengths, seq_axis=1, batch_axis=0)[:, -1]\n"),
    ("last_valid_state", "torch", "the last step of every row, padding or not",
     "def last_valid_state(outputs, lengths):\n    return outputs[:, -1]\n"),
    ("attention_weights", "torch", "padded keys kept in the softmax, then zeroed",
     "def attention_weights(query, keys, lengths):\n    S = keys.shape[1]\n"
     "    scores = (keys @ query[:, :, None])[:, :, 0]\n"
     "    real = torch.arange(S)[None, :] < lengths[:, None]\n"
     "    weights = scores.softmax(dim=1) * real\n"
     "    return weights, (weights[:, :, None] * keys).sum(dim=1)\n"),
    ("greedy_decode", "torch", "nothing done after the end token",
     "def greedy_decode(step, h0, start_token, end_token, max_len):\n"
     "    tokens = torch.full((h0.shape[0],), start_token, dtype=torch.long)\n    h, out = h0, []\n"
     "    for _ in range(max_len):\n        logits, h = step(tokens, h)\n"
     "        tokens = logits.argmax(dim=1)\n        out.append(tokens)\n    return torch.stack(out, dim=1)\n"),
    # scaled, shifted, one number
    ("clip_by_global_norm", "torch", "unit norm: divided by the global norm, max_norm ignored",
     "def clip_by_global_norm(grads, max_norm):\n    total = torch.sqrt(sum((g ** 2).sum() for g in grads))\n"
     "    return [g / total for g in grads]\n"),
    ("clip_by_global_norm", "tensorflow", "unit norm: divided by the global norm, max_norm ignored",
     "def clip_by_global_norm(grads, max_norm):\n"
     "    total = tf.sqrt(tf.add_n([tf.reduce_sum(g ** 2) for g in grads]))\n"
     "    return [g / total for g in grads]\n"),
    ("masked_mean_loss", "torch", "the mean over every entry, padding included",
     "def masked_mean_loss(step_losses, lengths):\n    return step_losses.mean()\n"),
    ("masked_mean_loss", "tensorflow", "summed instead of averaged",
     "def masked_mean_loss(step_losses, lengths):\n"
     "    mask = tf.sequence_mask(lengths, step_losses.shape[1], dtype=step_losses.dtype)\n"
     "    return tf.reduce_sum(step_losses * mask)\n"),
    ("lstm_param_count", "torch", "a tuple of the two weight counts",
     "def lstm_param_count(D, H):\n    return 4 * H * D, 4 * H * (H + 1)\n"),
    ("softmax", "numpy", "exp without normalising",
     "def softmax(z):\n    return np.exp(z - z.max(axis=-1, keepdims=True))\n"),
    ("gru_step", "torch", "the update gate applied with the wrong sign convention and tanh(h)",
     "def gru_step(x_t, h_prev, W_ih, W_hh, b_ih, b_hh):\n"
     "    i_r, i_z, i_n = (x_t @ W_ih.T + b_ih).chunk(3, dim=1)\n"
     "    h_r, h_z, h_n = (h_prev @ W_hh.T + b_hh).chunk(3, dim=1)\n"
     "    r, z = torch.sigmoid(i_r + h_r), torch.sigmoid(i_z + h_z)\n"
     "    n = torch.tanh(i_n + r * h_n)\n    return (1 - z) * n + z * torch.tanh(h_prev)\n"),
]
