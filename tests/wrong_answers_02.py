"""Plausible wrong answers to the exercises of topic 02; each must fail with the intended hint."""
from conftest import catalogue_rows

CATALOGUE = []

_CLIP = {
    "torch": {
        "per-tensor": "[g * min(1.0, max_norm / float(g.norm())) for g in grads]",
        "no-sqrt": "[g * min(1.0, max_norm / float(sum((h ** 2).sum() for h in grads))) for g in grads]",
        "always-scale": "[g * (max_norm / float(torch.sqrt(sum((h ** 2).sum() for h in grads)))) for g in grads]",
        "clip-values": "[g.clamp(-max_norm, max_norm) for g in grads]",
        "inverted": "[g * max(1.0, float(torch.sqrt(sum((h ** 2).sum() for h in grads))) / max_norm) for g in grads]",
        "arity": "torch.sqrt(sum((g ** 2).sum() for g in grads))",      # one number, not a list
    },
    "tensorflow": {
        "per-tensor": "[g * min(1.0, max_norm / float(tf.norm(g))) for g in grads]",
        "no-sqrt": "[g * min(1.0, max_norm / float(tf.add_n([tf.reduce_sum(h ** 2) for h in grads]))) for g in grads]",
        "always-scale": "[g * (max_norm / float(tf.linalg.global_norm(grads))) for g in grads]",
        "clip-values": "[tf.clip_by_value(g, -max_norm, max_norm) for g in grads]",
        "inverted": "[g * max(1.0, float(tf.linalg.global_norm(grads)) / max_norm) for g in grads]",
        "arity": "tf.linalg.global_norm(grads)",
    },
}
CATALOGUE += catalogue_rows("clip_by_global_norm", _CLIP, "def clip_by_global_norm(grads, max_norm):\n    return {}\n")

# threshold mistakes (told apart by cases whose norm lies between 1 and max_norm), and wrong return structures
_NORM = {"torch": "float(torch.sqrt(sum((g ** 2).sum() for g in grads)))",
         "tensorflow": "float(tf.sqrt(tf.add_n([tf.reduce_sum(g ** 2) for g in grads])))"}
_CLIP_BODIES = {
    "threshold-one": """
    norm = NORM
    if norm > 1.0:                                   # compared with 1 instead of max_norm
        return [g * (max_norm / norm) for g in grads]
    return list(grads)
""",
    "max-with-one": """
    norm = NORM
    return [g * (max_norm / max(norm, 1.0)) for g in grads]
""",
    "min-max-with-one": """
    norm = NORM
    return [g * min(1.0, max_norm / max(norm, 1.0)) for g in grads]
""",
    "squared-threshold": """
    squared = NORM ** 2                              # the sum of squares, compared with max_norm
    scale = max_norm / squared ** 0.5 if squared > max_norm else 1.0
    return [g * scale for g in grads]
""",
}
for _fw, _norm in _NORM.items():
    for _reason, _body in _CLIP_BODIES.items():
        CATALOGUE.append(("clip_by_global_norm", _fw, _reason,
                          "def clip_by_global_norm(grads, max_norm):" + _body.replace("NORM", _norm)))
CATALOGUE += [
    ("clip_by_global_norm", "torch", "arity", """
def clip_by_global_norm(grads, max_norm):
    flat = torch.cat([g.flatten() for g in grads])   # one flat tensor instead of one per gradient
    return flat * min(1.0, max_norm / float(flat.norm()))
"""),
    ("clip_by_global_norm", "tensorflow", "arity", """
def clip_by_global_norm(grads, max_norm):
    return tf.clip_by_global_norm(grads, max_norm)  # a (list, norm) pair
"""),
    ("clip_by_global_norm", "tensorflow", "arity", """
def clip_by_global_norm(grads, max_norm):
    flat = tf.concat([tf.reshape(g, [-1]) for g in grads], axis=0)
    return flat * min(1.0, max_norm / float(tf.norm(flat)))
"""),
]

_RADIUS = {
    "torch": {
        "spectral-norm": "W * (rho / torch.linalg.matrix_norm(W, ord=2))",
        "frobenius": "W * (rho / W.norm())",
        "max-entry": "W * (rho / W.abs().max())",
        "no-rho": "W / torch.linalg.eigvals(W).abs().max()",
        "inverted": "W * (torch.linalg.eigvals(W).abs().max() / rho)",
        "real-part": "W * (rho / torch.linalg.eigvals(W).real.max())",
    },
    "tensorflow": {
        "spectral-norm": "W * (rho / tf.reduce_max(tf.linalg.svd(W, compute_uv=False)))",
        "frobenius": "W * (rho / tf.norm(W))",
        "max-entry": "W * (rho / tf.reduce_max(tf.abs(W)))",
        "no-rho": "W / tf.reduce_max(tf.abs(tf.linalg.eigvals(W)))",
        "inverted": "W * (tf.reduce_max(tf.abs(tf.linalg.eigvals(W))) / rho)",
        "real-part": "W * (rho / tf.reduce_max(tf.math.real(tf.linalg.eigvals(W))))",
    },
}
CATALOGUE += catalogue_rows("scale_to_radius", _RADIUS, "def scale_to_radius(W, rho):\n    return {}\n")

_LAST = {
    "torch": {
        "last-step": "outputs[:, -1]",
        "off-by-one": "outputs[torch.arange(outputs.shape[0]), lengths.clamp(max=outputs.shape[1] - 1)]",
        "first-step": "outputs[:, 0]",
        "max-length": "outputs[:, lengths.max() - 1]",
        "cross-index": "outputs[:, lengths - 1]",
        "mean-over-time": "outputs.mean(dim=1)",
    },
    "tensorflow": {
        "last-step": "outputs[:, -1]",
        "off-by-one": "tf.gather(outputs, tf.minimum(lengths, outputs.shape[1] - 1), axis=1, batch_dims=1)",
        "first-step": "outputs[:, 0]",
        "max-length": "outputs[:, int(tf.reduce_max(lengths)) - 1]",
        "cross-index": "tf.gather(outputs, lengths - 1, axis=1)",
        "mean-over-time": "tf.reduce_mean(outputs, axis=1)",
    },
}
CATALOGUE += catalogue_rows("last_valid_state", _LAST, "def last_valid_state(outputs, lengths):\n    return {}\n")
CATALOGUE += [        # off by one without clamping: index lengths[b] is past the end of a full-length row
    ("last_valid_state", "torch", "off-by-one",
     "def last_valid_state(outputs, lengths):\n    return outputs[torch.arange(outputs.shape[0]), lengths]\n"),
    ("last_valid_state", "tensorflow", "off-by-one",
     "def last_valid_state(outputs, lengths):\n    return tf.gather(outputs, lengths, axis=1, batch_dims=1)\n"),
]

# ---------------------------------------------------------------- rnn_step_backward
_BACKWARD_TEMPLATE = "def rnn_step_backward(dh_t, x_t, h_prev, h_t, W_xh, W_hh):\n{}"
_BW_TORCH = """\
    da = dh_t * (1 - h_t ** 2)
    dx_t = da @ W_xh.T
    dh_prev = da @ W_hh.T
    dW_xh = x_t.T @ da
    dW_hh = h_prev.T @ da
    db = da.sum(dim=0)
    return dx_t, dh_prev, dW_xh, dW_hh, db
"""
_BW_TF = """\
    da = dh_t * (1 - h_t ** 2)
    dx_t = tf.matmul(da, W_xh, transpose_b=True)
    dh_prev = tf.matmul(da, W_hh, transpose_b=True)
    dW_xh = tf.matmul(x_t, da, transpose_a=True)
    dW_hh = tf.matmul(h_prev, da, transpose_a=True)
    db = tf.reduce_sum(da, axis=0)
    return dx_t, dh_prev, dW_xh, dW_hh, db
"""


def _edit(body, *pairs):
    for old, new in pairs:
        assert old in body, old
        body = body.replace(old, new)
    return body


_BACKWARD = {
    "torch": {
        "no-tanh-derivative": _edit(_BW_TORCH, ("dh_t * (1 - h_t ** 2)", "dh_t")),
        "derivative-at-h_prev": _edit(_BW_TORCH, ("(1 - h_t ** 2)", "(1 - h_prev ** 2)")),
        "derivative-not-squared": _edit(_BW_TORCH, ("(1 - h_t ** 2)", "(1 - h_t)")),
        "sigmoid-derivative": _edit(_BW_TORCH, ("(1 - h_t ** 2)", "h_t * (1 - h_t)")),
        "recurrent-not-transposed": _edit(_BW_TORCH, ("da @ W_hh.T", "da @ W_hh")),
        "dW_hh-from-h_t": _edit(_BW_TORCH, ("h_prev.T @ da", "h_t.T @ da")),
        "db-mean": _edit(_BW_TORCH, ("da.sum(dim=0)", "da.mean(dim=0)")),
        "db-not-summed": _edit(_BW_TORCH, ("db = da.sum(dim=0)", "db = da")),
        "transposed-weight-grads": _edit(_BW_TORCH, ("x_t.T @ da", "da.T @ x_t"), ("h_prev.T @ da", "da.T @ h_prev")),
        "exception": _edit(_BW_TORCH, ("da @ W_xh.T", "da @ W_xh")),          # (B, H) @ (D, H)
        "shape": _edit(_BW_TORCH, ("da.sum(dim=0)", "da.sum(dim=1)")),         # summed over the wrong axis
        "arity": _edit(_BW_TORCH, ("return dx_t, dh_prev, dW_xh, dW_hh, db", "return dx_t, dh_prev, dW_xh, dW_hh")),
    },
    "tensorflow": {
        "no-tanh-derivative": _edit(_BW_TF, ("dh_t * (1 - h_t ** 2)", "dh_t")),
        "derivative-at-h_prev": _edit(_BW_TF, ("(1 - h_t ** 2)", "(1 - h_prev ** 2)")),
        "derivative-not-squared": _edit(_BW_TF, ("(1 - h_t ** 2)", "(1 - h_t)")),
        "sigmoid-derivative": _edit(_BW_TF, ("(1 - h_t ** 2)", "h_t * (1 - h_t)")),
        "recurrent-not-transposed": _edit(_BW_TF, ("tf.matmul(da, W_hh, transpose_b=True)", "tf.matmul(da, W_hh)")),
        "dW_hh-from-h_t": _edit(_BW_TF, ("tf.matmul(h_prev, da, transpose_a=True)", "tf.matmul(h_t, da, transpose_a=True)")),
        "db-mean": _edit(_BW_TF, ("tf.reduce_sum(da, axis=0)", "tf.reduce_mean(da, axis=0)")),
        "db-not-summed": _edit(_BW_TF, ("db = tf.reduce_sum(da, axis=0)", "db = da")),
        "transposed-weight-grads": _edit(_BW_TF, ("tf.matmul(x_t, da, transpose_a=True)", "tf.matmul(da, x_t, transpose_a=True)"),
                                         ("tf.matmul(h_prev, da, transpose_a=True)", "tf.matmul(da, h_prev, transpose_a=True)")),
        "no-dot-T": _edit(_BW_TF, ("tf.matmul(da, W_xh, transpose_b=True)", "tf.matmul(da, W_xh.T)")),
        "exception": _edit(_BW_TF, ("tf.matmul(da, W_xh, transpose_b=True)", "tf.matmul(da, W_xh)")),
        "shape": _edit(_BW_TF, ("tf.reduce_sum(da, axis=0)", "tf.reduce_sum(da, axis=1)")),
    },
}
CATALOGUE += catalogue_rows("rnn_step_backward", _BACKWARD, _BACKWARD_TEMPLATE)

# ---------------------------------------------------------------- masked_mean_loss
_MASK_T = "    mask = (torch.arange(step_losses.shape[1])[None, :] < lengths[:, None]).float()\n"
_MASK_K = "    mask = tf.sequence_mask(lengths, step_losses.shape[1], dtype=step_losses.dtype)\n"
_MASKED = {
    "torch": {
        "plain-mean": "    return step_losses.mean()\n",
        "divide-by-BT": _MASK_T + "    return (step_losses * mask).mean()\n",
        "divide-by-B": _MASK_T + "    return (step_losses * mask).sum(dim=1).mean()\n",
        "per-sequence-mean": _MASK_T + "    return ((step_losses * mask).sum(dim=1) / lengths).mean()\n",
        "mask-off-by-one": "    mask = (torch.arange(step_losses.shape[1])[None, :] <= lengths[:, None]).float()\n"
                           "    return (step_losses * mask).sum() / mask.sum()\n",
        "mask-drops-last": "    mask = (torch.arange(step_losses.shape[1])[None, :] < lengths[:, None] - 1).float()\n"
                           "    return (step_losses * mask).sum() / mask.sum()\n",
        "no-divide": _MASK_T + "    return (step_losses * mask).sum()\n",
        "mask-shape": "    mask = (torch.arange(lengths.max())[None, :] < lengths[:, None]).float()   # (B, longest)\n"
                      "    return (step_losses * mask).sum() / mask.sum()\n",
        "exception": "    mask = (torch.arange(step_losses.shape[1]) < lengths).float()    # (T,) against (B,)\n"
                     "    return (step_losses * mask).sum() / mask.sum()\n",
    },
    "tensorflow": {
        "plain-mean": "    return tf.reduce_mean(step_losses)\n",
        "divide-by-BT": _MASK_K + "    return tf.reduce_mean(step_losses * mask)\n",
        "divide-by-B": _MASK_K + "    return tf.reduce_mean(tf.reduce_sum(step_losses * mask, axis=1))\n",
        "per-sequence-mean": _MASK_K + "    per_seq = tf.reduce_sum(step_losses * mask, axis=1) / tf.reduce_sum(mask, axis=1)\n"
                                      "    return tf.reduce_mean(per_seq)\n",
        "mask-off-by-one": "    mask = tf.sequence_mask(lengths + 1, step_losses.shape[1], dtype=step_losses.dtype)\n"
                           "    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)\n",
        "mask-drops-last": "    mask = tf.sequence_mask(lengths - 1, step_losses.shape[1], dtype=step_losses.dtype)\n"
                           "    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)\n",
        "no-divide": _MASK_K + "    return tf.reduce_sum(step_losses * mask)\n",
        "dtype": "    mask = tf.range(step_losses.shape[1])[None, :] < lengths[:, None]\n"
                 "    return tf.reduce_sum(step_losses * tf.cast(mask, tf.float32)) / tf.reduce_sum(tf.cast(mask, tf.float32))\n",
        "mask-shape": "    mask = tf.sequence_mask(lengths, dtype=step_losses.dtype)     # maxlen left out\n"
                      "    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)\n",
        "exception": "    mask = tf.cast(tf.range(step_losses.shape[1], dtype=lengths.dtype) < lengths, tf.float32)\n"
                     "    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)   # (T,) against (B,)\n",
    },
}
CATALOGUE += catalogue_rows("masked_mean_loss", _MASKED, "def masked_mean_loss(step_losses, lengths):\n{}")

# ---------------------------------------------------------------- train_tbptt
_TB_TORCH = """\
    opt = torch.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=lr)
    B, T, _ = x.shape
    h = torch.zeros(B, cell.hidden_size)
    losses = []
    for start in range(0, T, k):
        h = h.detach()
        loss = 0
        steps = range(start, min(start + k, T))
        for t in steps:
            h = cell(x[:, t], h)
            loss = loss + ((head(h).squeeze(-1) - y[:, t]) ** 2).mean()
        loss = loss / len(steps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses
"""
_TB_TF = """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))
    losses = []
    for start in range(0, T, k):
        h = tf.stop_gradient(h)
        with tf.GradientTape() as tape:
            errors = []
            for t in range(start, min(start + k, T)):
                out, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
        grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(lr * g)
        losses.append(float(loss))
    return losses
"""
_TBPTT = {
    "torch": {
        "state-not-carried": _edit(_TB_TORCH, ("        h = h.detach()\n", "        h = torch.zeros(B, cell.hidden_size)\n")),
        "one-update": """\
    opt = torch.optim.SGD(list(cell.parameters()) + list(head.parameters()), lr=lr)
    B, T, _ = x.shape
    h = torch.zeros(B, cell.hidden_size)
    losses, total = [], 0
    for start in range(0, T, k):
        h = h.detach()
        steps = range(start, min(start + k, T))
        loss = sum(((head(h := cell(x[:, t], h)).squeeze(-1) - y[:, t]) ** 2).mean() for t in steps) / len(steps)
        total = total + loss
        losses.append(loss.item())
    opt.zero_grad()
    total.backward()
    opt.step()
    return losses
""",
        "last-step-only": _edit(_TB_TORCH, ("            loss = loss + ((head(h).squeeze(-1) - y[:, t]) ** 2).mean()\n", ""),
                                ("        loss = loss / len(steps)\n", "        loss = ((head(h).squeeze(-1) - y[:, t]) ** 2).mean()\n")),
        "summed": _edit(_TB_TORCH, ("        loss = loss / len(steps)\n", "")),
        "chunk-size": _edit(_TB_TORCH, ("range(0, T, k)", "range(0, T, k + 1)"), ("min(start + k, T)", "min(start + k + 1, T)")),
        "last-chunk-dropped": _edit(_TB_TORCH, ("for start in range(0, T, k):", "for c in range(T // k):\n        start = c * k")),
        "grads-accumulated": _edit(_TB_TORCH, ("        opt.zero_grad()\n", "")),
        "no-truncation": _edit(_TB_TORCH, ("        h = h.detach()\n", "")),
        "cut-every-step": _edit(_TB_TORCH, ("        h = h.detach()\n", ""), ("cell(x[:, t], h)", "cell(x[:, t], h.detach())")),
        "no-squeeze": _edit(_TB_TORCH, ("head(h).squeeze(-1)", "head(h)")),
        "ascent": _edit(_TB_TORCH, ("        opt.step()\n", "        with torch.no_grad():\n"
                                    "            for p in list(cell.parameters()) + list(head.parameters()):\n"
                                    "                p += lr * p.grad\n")),
        "no-gradient": _edit(_TB_TORCH, ("        opt.zero_grad()\n        loss.backward()\n        opt.step()\n",
                                         "        with torch.no_grad():\n"
                                         "            for p in list(cell.parameters()) + list(head.parameters()):\n"
                                         "                p -= lr * p.grad\n")),
        "exception": _edit(_TB_TORCH, ("torch.zeros(B, cell.hidden_size)", "torch.zeros(B, x.shape[2])")),
    },
    "tensorflow": {
        "state-not-carried": _edit(_TB_TF, ("        h = tf.stop_gradient(h)\n", "        h = tf.zeros((B, cell.units))\n")),
        "one-update": """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))
    losses, total = [], 0.0
    with tf.GradientTape() as tape:
        for start in range(0, T, k):
            h = tf.stop_gradient(h)
            errors = []
            for t in range(start, min(start + k, T)):
                out, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
            total += loss
            losses.append(float(loss))
    grads = tape.gradient(total, variables)
    for v, g in zip(variables, grads):
        v.assign_sub(lr * g)
    return losses
""",
        "last-step-only": _edit(_TB_TF, ("tf.reduce_mean(tf.stack(errors))", "tf.reduce_mean(errors[-1])")),
        "summed": _edit(_TB_TF, ("tf.reduce_mean(tf.stack(errors))", "tf.reduce_sum(tf.reduce_mean(tf.stack(errors), axis=1))")),
        "chunk-size": _edit(_TB_TF, ("range(0, T, k)", "range(0, T, k + 1)"), ("min(start + k, T)", "min(start + k + 1, T)")),
        "last-chunk-dropped": _edit(_TB_TF, ("for start in range(0, T, k):", "for start in range(0, T - k + 1, k):")),
        "grads-accumulated": _edit(_TB_TF, ("    losses = []\n", "    losses, total_grads = [], [tf.zeros_like(v) for v in variables]\n"),
                                   ("        grads = tape.gradient(loss, variables)\n",
                                    "        grads = tape.gradient(loss, variables)\n"
                                    "        total_grads = [a + g for a, g in zip(total_grads, grads)]\n"),
                                   ("zip(variables, grads)", "zip(variables, total_grads)")),
        "no-truncation": """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))
    losses = []
    with tf.GradientTape(persistent=True) as tape:
        for start in range(0, T, k):
            errors = []
            for t in range(start, min(start + k, T)):
                out, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
            grads = tape.gradient(loss, variables)
            for v, g in zip(variables, grads):
                v.assign_sub(lr * g)
            losses.append(float(loss))
    return losses
""",
        "tape-per-chunk": """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))
    losses = []
    with tf.GradientTape() as tape:
        for start in range(0, T, k):
            h = tf.stop_gradient(h)
            errors = []
            for t in range(start, min(start + k, T)):
                out, [h] = cell(x[:, t], [h])
                errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
            loss = tf.reduce_mean(tf.stack(errors))
            grads = tape.gradient(loss, variables)
            for v, g in zip(variables, grads):
                v.assign_sub(lr * g)
            losses.append(float(loss))
    return losses
""",
        "cut-every-step": _edit(_TB_TF, ("cell(x[:, t], [h])", "cell(x[:, t], [tf.stop_gradient(h)])")),
        "no-squeeze": _edit(_TB_TF, ("tf.squeeze(head(h), -1)", "head(h)")),
        "ascent": _edit(_TB_TF, ("v.assign_sub(lr * g)", "v.assign_add(lr * g)")),
        "no-gradient": """\
    variables = cell.trainable_variables + head.trainable_variables
    B, T = x.shape[0], x.shape[1]
    h = tf.zeros((B, cell.units))
    losses = []
    for start in range(0, T, k):
        h = tf.stop_gradient(h)
        errors = []
        for t in range(start, min(start + k, T)):
            out, [h] = cell(x[:, t], [h])
            errors.append((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
        loss = tf.reduce_mean(tf.stack(errors))
        with tf.GradientTape() as tape:
            grads = tape.gradient(loss, variables)
        for v, g in zip(variables, grads):
            v.assign_sub(lr * g)
        losses.append(float(loss))
    return losses
""",
        "exception": _edit(_TB_TF, ("tf.zeros((B, cell.units))", "tf.zeros((B, x.shape[2]))")),
    },
}
_TB_DEF = "def train_tbptt(cell, head, x, y, k, lr):\n"
CATALOGUE += catalogue_rows("train_tbptt", _TBPTT, _TB_DEF + "{}")

# more ways to make the same mistakes (catalogue_rows keeps one snippet per reason and framework)
CATALOGUE += [
    ("masked_mean_loss", "tensorflow", "dtype", """
def masked_mean_loss(step_losses, lengths):
    mask = tf.sequence_mask(lengths, step_losses.shape[1])      # boolean
    return tf.reduce_sum(step_losses * mask) / tf.reduce_sum(mask)
"""),
    ("masked_mean_loss", "torch", "plain-mean", """
def masked_mean_loss(step_losses, lengths):
    return step_losses[:, :lengths.max()].mean()                # the longest sequence fills the batch
"""),
    ("masked_mean_loss", "torch", "mask-shape", """
def masked_mean_loss(step_losses, lengths):
    mask = (torch.arange(step_losses.shape[1])[:, None] < lengths[None, :]).float()   # (T, B)
    return (step_losses * mask).sum() / mask.sum()
"""),
    ("masked_mean_loss", "tensorflow", "mask-shape", """
def masked_mean_loss(step_losses, lengths):
    mask = tf.sequence_mask(lengths, step_losses.shape[1], dtype=step_losses.dtype)
    return tf.reduce_sum(step_losses * tf.transpose(mask)) / tf.reduce_sum(mask)
"""),
    ("train_tbptt", "torch", "no-truncation", """
def train_tbptt(cell, head, x, y, k, lr):
    params = list(cell.parameters()) + list(head.parameters())
    h = torch.zeros(x.shape[0], cell.hidden_size)
    losses = []
    for s in range(0, x.shape[1], k):
        errs = []
        for t in range(s, min(s + k, x.shape[1])):
            h = cell(x[:, t], h)
            errs.append((head(h).squeeze(-1) - y[:, t]) ** 2)
        loss = torch.stack(errs).mean()
        for p in params:
            p.grad = None
        loss.backward(retain_graph=True)                        # "fixes" the error, gives full BPTT
        for p in params:
            p.data -= lr * p.grad
        losses.append(loss.item())
    return losses
"""),
    ("train_tbptt", "torch", "summed", _TB_DEF + _edit(_TB_TORCH, ("        loss = loss / len(steps)\n", ""),
                                             (".mean()\n", ".sum()\n"))),
    ("train_tbptt", "torch", "one-update", _TB_DEF + _edit(_TB_TORCH, ("        opt.step()\n", ""))),   # no step at all
    ("train_tbptt", "torch", "no-truncation", _TB_DEF + _edit(_TB_TORCH, ("        h = h.detach()\n", ""),
                                                    ("loss.backward()", "loss.backward(retain_graph=True)"))),
    ("train_tbptt", "tensorflow", "no-gradient", """
def train_tbptt(cell, head, x, y, k, lr):
    opt = tf.keras.optimizers.SGD(learning_rate=lr)
    variables = cell.trainable_variables + head.trainable_variables
    h = tf.zeros((x.shape[0], cell.units))
    losses = []
    for s in range(0, x.shape[1], k):
        preds = []
        for t in range(s, min(s + k, x.shape[1])):
            _, h = cell(x[:, t], h)
            preds.append(head(h)[:, 0])
        loss = tf.reduce_mean((tf.stack(preds, 1) - y[:, s:s + k]) ** 2)
        with tf.GradientTape() as tape:                         # too late: the forward pass is not recorded
            grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        losses.append(float(loss))
    return losses
"""),
    ("train_tbptt", "tensorflow", "summed", """
def train_tbptt(cell, head, x, y, k, lr):
    variables = cell.trainable_variables + head.trainable_variables
    h = tf.zeros((x.shape[0], cell.units))
    losses = []
    for s in range(0, x.shape[1], k):
        with tf.GradientTape() as tape:
            loss = 0.0
            for t in range(s, min(s + k, x.shape[1])):
                _, [h] = cell(x[:, t], [h])
                loss += tf.reduce_sum((tf.squeeze(head(h), -1) - y[:, t]) ** 2)
        for v, g in zip(variables, tape.gradient(loss, variables)):
            v.assign_sub(lr * g)
        losses.append(float(loss))
    return losses
"""),
]
