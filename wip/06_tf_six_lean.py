import time, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf, keras
__file__ = os.path.join(os.path.dirname(os.path.abspath(__file__)), "06_tf_six_models.py")
exec(open(__file__).read().split("opts = [")[0])
flat = [v for m in models for v in m.trainable_variables]
sizes = [len(m.trainable_variables) for m in models]
moments = [(tf.Variable(tf.zeros_like(v)), tf.Variable(tf.zeros_like(v))) for v in flat]
it = tf.Variable(0.0)
@tf.function(autograph=False)
def step(x, yi, y):
    w = tf.cast(y != PAD, tf.float32)
    with tf.GradientTape() as tape:
        losses = [tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(y, m(x, yi)) * w) / tf.reduce_sum(w) for m in models]
        total = tf.add_n(losses)
    grads = [tf.convert_to_tensor(g) for g in tape.gradient(total, flat)]
    clipped, k = [], 0
    for n_ in sizes:
        clipped += tf.clip_by_global_norm(grads[k:k + n_], 1.0)[0]; k += n_
    it.assign_add(1.0)
    for v, g, (m_, s_) in zip(flat, clipped, moments):
        tf.raw_ops.ResourceApplyAdam(var=v.handle, m=m_.handle, v=s_.handle, beta1_power=0.9 ** it,
            beta2_power=0.999 ** it, lr=tf.constant(1e-2), beta1=0.9, beta2=0.999, epsilon=1e-7, grad=g)
    return tf.stack(losses)
t0 = time.time()
for ep in range(epochs):
    perm = np.random.default_rng(ep).permutation(n)
    for i in range(0, n, 100):
        idx = perm[i:i+100]; l = step(Xs[idx], Yin[idx], Ys[idx])
    if ep == 0: print("epoch 1 (with trace)", round(time.time() - t0, 1))
print("lean: 6 models, 8 epochs:", round(time.time() - t0, 1), "s; last losses", np.round(l.numpy(), 3))
