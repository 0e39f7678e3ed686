import time, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf, keras
here = os.path.dirname(os.path.abspath(__file__))
src_code = open(os.path.join(here, "06_proto_s2s_tf.py")).read()
exec(src_code.split("hi, epochs, n =")[0].replace("os.path.dirname(__file__)", "here"))
hi, epochs, n = 14, 8, 2500
Xs, Ys, L = make(n, 2, hi, 0)
Yin = np.concatenate([np.full((n, 1), START), Ys[:, :-1]], 1)
models = []
for att in (False, True):
    for s in (0, 1, 2):
        keras.utils.set_random_seed(s); m = S2S(attention=att); m(Xs[:2], Yin[:2]); models.append(m)
opts = [keras.optimizers.Adam(1e-2, clipnorm=1.0) for _ in models]
@tf.function
def step(x, yi, y):
    w = tf.cast(y != PAD, tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        losses = [tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(y, m(x, yi)) * w) / tf.reduce_sum(w) for m in models]
    for m, o, l in zip(models, opts, losses):
        o.apply_gradients(zip(tape.gradient(l, m.trainable_variables), m.trainable_variables))
    return tf.stack(losses)
t0 = time.time()
for ep in range(epochs):
    perm = np.random.default_rng(ep).permutation(n)
    for i in range(0, n, 100):
        idx = perm[i:i+100]; step(Xs[idx], Yin[idx], Ys[idx])
    if ep == 0: print("epoch 1 (with trace)", round(time.time() - t0, 1))
print("6 models, 8 epochs:", round(time.time() - t0, 1), "s")
