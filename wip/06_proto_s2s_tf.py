import time, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np, tensorflow as tf, keras

PAD, START, END, V = 0, 1, 2, 13
exec(open(os.path.join(os.path.dirname(__file__), "06_proto_s2s.py")).read().split("class S2S")[0].split("V = 13")[1])   # make()
class S2S(keras.Model):
    def __init__(self, H=64, E=16, attention=False):
        super().__init__()
        self.emb = keras.layers.Embedding(V, E)
        self.enc = keras.layers.GRU(H, return_sequences=True, return_state=True)
        self.dec = keras.layers.GRU(H, return_sequences=True, return_state=True)
        self.attention = attention
        self.out = keras.layers.Dense(V)
    def decode(self, y_in, h, enc_out, src_mask):
        d, h = self.dec(self.emb(y_in), initial_state=h)
        if self.attention:
            scores = tf.einsum("bth,bsh->bts", d, enc_out)
            scores = tf.where(src_mask[:, None, :], scores, -1e9)
            w = tf.nn.softmax(scores, -1)
            d = tf.concat([d, tf.einsum("bts,bsh->bth", w, enc_out)], -1)
        return self.out(d), h
    def call(self, src, y_in):
        enc_out, h = self.enc(self.emb(src))
        return self.decode(y_in, h, enc_out, src != PAD)[0]
hi, epochs, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
Xs, Ys, L = make(n, 2, hi, 0); Xt, Yt, Lt = make(1000, 2, hi, 1)
Yin = np.concatenate([np.full((n, 1), START), Ys[:, :-1]], 1)
for att in (False, True):
    keras.utils.set_random_seed(0); m = S2S(attention=att); m(Xs[:2], Yin[:2])
    opt = keras.optimizers.Adam(1e-2, clipnorm=1.0)
    @tf.function
    def step(x, yi, y):
        with tf.GradientTape() as tape:
            logits = m(x, yi)
            ce = tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits)
            w = tf.cast(y != PAD, tf.float32)
            loss = tf.reduce_sum(ce * w) / tf.reduce_sum(w)
        g = tape.gradient(loss, m.trainable_variables)
        opt.apply_gradients(zip(g, m.trainable_variables))
        return loss
    t0 = time.time()
    for ep in range(epochs):
        perm = np.random.default_rng(ep).permutation(n)
        for i in range(0, n, 100):
            idx = perm[i:i+100]; step(Xs[idx], Yin[idx], Ys[idx])
    t1 = time.time() - t0
    enc_out, h = m.enc(m.emb(Xt)); mask = Xt != PAD
    y = np.full((len(Xt), 1), START); outs = []
    for _ in range(hi + 1):
        logits, h = m.decode(y, h, enc_out, mask); y = tf.argmax(logits, -1); outs.append(y)
    pred = tf.concat(outs, 1).numpy(); real = Yt != PAD
    tok = ((pred == Yt) & real).sum(1) / real.sum(1)
    print("att" if att else "plain", round(t1, 1), "s", {l: round(float(tok[Lt == l].mean()), 2) for l in range(2, hi + 1, 2)})
