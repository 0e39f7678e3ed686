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
